import AccountCrypto
public import AccountModel
public import AccountStore
public import Foundation

/// A link to choose a new password, issued for a person who asked for one: mail it to ``account``'s address.
/// `description` never shows the token.
public struct PasswordReset: Sendable, CustomStringConvertible {
    /// The account the link is for (its `email` is where to send it).
    public let account: Account
    /// The one-time token the link carries (64 hex digits); the store keeps only its SHA-256.
    public let token: Secret
    /// When the link stops working.
    public let expiresAt: Date

    /// The account and expiry; never the token.
    public var description: String {
        "password reset for \(account.username), token <redacted>, expiring \(expiresAt)"
    }
}

extension LocalAccounts {
    // MARK: - Password reset

    /// Issues a one-time link to choose a new password for the active account whose address is `email` (compared as
    /// sign-in compares it) and that has a password, or an address not confirmed yet (an account made through Twitter
    /// with someone else's address would otherwise keep the address from its owner for good), ending the account's
    /// earlier links, and records a `password_reset_requested` event. The app mails ``PasswordReset/token`` in a link
    /// to the account's address.
    ///
    /// Returns `nil`, issuing and recording nothing, when no such account exists (none with that address, disabled, or
    /// one that signs in only through Twitter and whose address is confirmed) or when ``maximumPasswordResets`` links
    /// were issued for it within ``passwordResetWindow``: tell the person the same thing in every case ("if an account
    /// uses that address, a link is on its way"), so the answer does not say who has an account. Answer before calling
    /// it (and before mailing): only an address with an account costs a write and a sync to disk, and only then can
    /// the call fail.
    public func requestPasswordReset(email: String) async throws(LocalAccountError) -> PasswordReset? {
        let token = SecureRandom.hexString(count: 32)
        do {
            switch try await store.issuePasswordReset(
                email: email, tokenHash: SHA256.hexDigest(Array(token.utf8)), lifetime: resetLinkLifetime,
                limit: maximumPasswordResets, window: mailLimitWindow(passwordResetWindow))
            {
            case .issued(let account, let expiresAt):
                return PasswordReset(account: account, token: Secret(token), expiresAt: expiresAt)
            case .noAccount, .tooMany:
                return nil
            }
        } catch {
            throw .store(error)
        }
    }

    /// The account a reset link's `token` is for while the link works (unused, not replaced, not expired, the
    /// account active), or `nil`: what the "choose a new password" page shows before the person types one.
    public func passwordResetAccount(token: Secret) async throws(LocalAccountError) -> Account? {
        guard let hash = Self.resetTokenHash(token) else { return nil }
        do {
            return try await store.passwordResetAccount(tokenHash: hash)
        } catch {
            throw .store(error)
        }
    }

    /// Sets `newPassword` (checked against ``passwordPolicy``) on the account a working reset link's `token` is for,
    /// ends the link, the account's other links, its email change links and every browser session of the account
    /// ("sign out everywhere": the person who knew the old password is signed out too), ends the sign-in cool-down of
    /// its username and email (the failures counted were against the old password; whoever reset it signs in with
    /// the new one at once), and records a `password_reset` event, in one transaction.
    ///
    /// When the account's address was not confirmed, the link was the first proof that it reaches the account's owner:
    /// the address is confirmed, and the Twitter identity linked before that proof is unlinked (an `unlinked` event,
    /// reason `address_confirmed_by_reset`): someone who signed up with another person's address could have linked
    /// their own Twitter account, which would otherwise let them back in after the owner took the account over. The
    /// returned account then has no ``Account/twitter``; ``resetPasswordReporting(token:newPassword:signingIn:)`` tells what
    /// was unlinked, with the access token to revoke at Twitter (``RegistrationService/revokeAccess(_:)``), as
    /// `AccountRoutes` does.
    /// - Throws: ``LocalAccountError/invalidResetLink`` when the link does not work (used, replaced, expired, its
    ///   account disabled or deleted), ``LocalAccountError/invalid(_:)`` naming the password's problems; either way
    ///   nothing changes and the link still works if it did.
    @discardableResult
    public func resetPassword(token: Secret, newPassword: Secret) async throws(LocalAccountError) -> Account {
        try await resetPasswordReporting(token: token, newPassword: newPassword).account
    }

    /// ``resetPassword(token:newPassword:)``, telling what the reset unlinked: the Twitter identity and its access
    /// token, as the reset's own transaction found them (a Twitter account linked while the reset was under way is
    /// there too). Revoke the token at Twitter (``RegistrationService/revokeAccess(_:)``) and tell the person, as
    /// `AccountRoutes` does.
    ///
    /// With `signingIn`, the reset also signs in whoever made it (they followed the link mailed to the account, and
    /// chose its password): the account's last sign-in time is set and a `signed_in` event (method `password_reset`)
    /// recorded in the reset's transaction, and ``PasswordResetOutcome/signedIn`` is the mark to open their session
    /// with. A person whose log-in a stranger keeps in its cool-down (by wrong guesses at their login) gets in this way.
    /// - Throws: as ``resetPassword(token:newPassword:)``.
    public func resetPasswordReporting(
        token: Secret, newPassword: Secret, signingIn: Bool = false
    ) async throws(LocalAccountError) -> PasswordResetOutcome {
        guard let hash = Self.resetTokenHash(token) else { throw .invalidResetLink }
        let account: Account?
        do {
            account = try await store.passwordResetAccount(tokenHash: hash)
        } catch {
            throw .store(error)
        }
        guard let account else { throw .invalidResetLink }
        let problems = passwordPolicy.problems(
            with: newPassword.revealed, username: account.username, email: account.email)
        guard problems.isEmpty else { throw .invalid(problems) }
        let passwordHash = try await hashOffPool(newPassword)
        do {
            // The cool-downs of its logins and of its current-password checks guarded the old password: the store
            // clears them, under the keys they are counted under.
            switch try await store.resetPassword(tokenHash: hash, newHash: passwordHash, signingIn: signingIn) {
            case .reset(let account, _, let unlinked, let credential, let signedIn):
                return PasswordResetOutcome(
                    account: account, unlinkedTwitter: unlinked, unlinkedCredential: credential, signedIn: signedIn)
            case .invalidToken: throw LocalAccountError.invalidResetLink
            }
        } catch {
            throw Self.localError(error)
        }
    }

    /// The SHA-256 the store keeps of a token of the right shape (64 lowercase hex digits); `nil` for anything else,
    /// which is not looked up.
    static func resetTokenHash(_ token: Secret) -> String? {
        let bytes = Array(token.revealed.utf8)
        guard bytes.count == 64, bytes.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            return nil
        }
        return SHA256.hexDigest(bytes)
    }
}

/// What a password reset did (``LocalAccounts/resetPasswordReporting(token:newPassword:signingIn:)``).
public struct PasswordResetOutcome: Sendable {
    /// The account, with its new password (and its address confirmed).
    public let account: Account
    /// The Twitter identity the reset unlinked, linked while the address was not confirmed yet; `nil` when none was.
    public let unlinkedTwitter: TwitterIdentity?
    /// That identity's access token as stored when it was unlinked (to revoke at Twitter); `nil` when none was
    /// stored. Its secret is redacted in every description.
    public let unlinkedCredential: TwitterCredential?
    /// With `signingIn`: the mark to open the person's session with
    /// (``AccountStore/replaceBrowserSession(_:with:unlessEndedAfter:)``), the reset having ended every other; `nil`
    /// without.
    public let signedIn: AccountStore.EventMark?
}
