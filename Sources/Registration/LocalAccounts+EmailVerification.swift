import AccountCrypto
public import AccountModel
import AccountStore
public import Foundation

/// A link to confirm an account's email address: mail it to ``email``. `description` never shows the token.
public struct EmailVerification: Sendable, CustomStringConvertible {
    /// The account the link is for.
    public let account: Account
    /// The address to send the link to, the one it confirms (the account's when it was issued).
    public let email: String
    /// The one-time token the link carries (64 hex digits); the store keeps only its SHA-256.
    public let token: Secret
    /// When the link stops working.
    public let expiresAt: Date

    public var description: String {
        "email confirmation for \(account.username), token <redacted>, expiring \(expiresAt)"
    }
}

extension LocalAccounts {
    // MARK: - Email verification

    /// Issues a one-time link that confirms the active account `user`'s current email address, ending the account's
    /// earlier links, and records an `email_verification_requested` event. The app mails
    /// ``EmailVerification/token`` in a link to ``EmailVerification/email``.
    ///
    /// Returns `nil`, issuing and recording nothing, when the account has no address, its address is confirmed
    /// already, it is not active, or ``maximumEmailVerifications`` links were issued for it within
    /// ``emailVerificationWindow`` (so nobody can fill a mailbox with them).
    public func requestEmailVerification(for user: UserID) async throws(LocalAccountError) -> EmailVerification? {
        let token = SecureRandom.hexString(count: 32)
        do {
            switch try await store.issueEmailVerification(
                for: user, tokenHash: SHA256.hexDigest(Array(token.utf8)), lifetime: emailVerificationLifetime,
                limit: maximumEmailVerifications, window: min(emailVerificationWindow, 24 * 60 * 60))
            {
            case .issued(let account, let email, let expiresAt):
                return EmailVerification(account: account, email: email, token: Secret(token), expiresAt: expiresAt)
            case .alreadyVerified, .noAddress, .tooMany:
                return nil
            }
        } catch {
            throw .store(error)
        }
    }

    /// The account a confirmation link's `token` is for while the link works (unused, not replaced, not expired, the
    /// account active and still at the address the link was sent to), or `nil`.
    public func emailVerificationAccount(token: Secret) async throws(LocalAccountError) -> Account? {
        guard let hash = Self.resetTokenHash(token) else { return nil }
        do {
            return try await store.emailVerificationAccount(tokenHash: hash)
        } catch {
            throw .store(error)
        }
    }

    /// Marks the address of the account a working confirmation link's `token` is for as confirmed
    /// (``Account/emailVerifiedAt``), ends the link and the account's other links, and records an `email_verified`
    /// event, in one transaction.
    /// - Throws: ``LocalAccountError/invalidVerificationLink`` when the link does not work; nothing changes then.
    @discardableResult
    public func verifyEmail(token: Secret) async throws(LocalAccountError) -> Account {
        guard let hash = Self.resetTokenHash(token) else { throw .invalidVerificationLink }
        let account: Account?
        do {
            account = try await store.verifyEmail(tokenHash: hash)
        } catch {
            throw .store(error)
        }
        guard let account else { throw .invalidVerificationLink }
        return account
    }
}
