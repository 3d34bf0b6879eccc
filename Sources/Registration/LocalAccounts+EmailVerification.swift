import AccountCrypto
import AccountMatching
public import AccountModel
import AccountStore
public import Foundation

/// An email link to mail: it confirms ``email`` as the address of ``account`` (its current address, or, for a change,
/// its new one). `description` never shows the token.
public struct EmailVerification: Sendable, CustomStringConvertible {
    /// The account the link is for.
    public let account: Account
    /// The address to send the link to, the one it confirms.
    public let email: String
    /// Whether following the link makes ``email`` the account's address (``LocalAccounts/requestEmailChange(for:to:current:)``).
    public let changesAddress: Bool
    /// The one-time token the link carries (64 hex digits); the store keeps only its SHA-256.
    public let token: Secret
    /// When the link stops working.
    public let expiresAt: Date

    /// The kind, account and expiry; never the token.
    public var description: String {
        "email \(changesAddress ? "change" : "confirmation") for \(account.username), token <redacted>, expiring \(expiresAt)"
    }
}

/// What following an email link did
/// (``LocalAccounts/followEmailLink(token:unlessConfirmedAddressChanges:issuingUndo:)``).
public struct EmailLinkOutcome: Sendable {
    /// The account, its address confirmed (and changed, for a change link).
    public let account: Account
    /// Whether the link made a new address the account's.
    public let changedAddress: Bool
    /// The address the change replaced (as the change's own transaction found it), for a change; `nil` otherwise, or
    /// when the account had none.
    public let replacedAddress: String?
    /// The link that undoes the change, to mail to the old address, when one was asked for and the change moved the
    /// account off a confirmed address; `nil` otherwise.
    public let undo: EmailChangeUndo?
}

/// A link that undoes a change of address (``LocalAccounts/undoEmailChange(token:newPassword:unlinkingTwitter:signingIn:)``),
/// to mail to the old address with the notice of the change. `description` never shows the token.
public struct EmailChangeUndo: Sendable, CustomStringConvertible {
    /// The one-time token the link carries (64 hex digits); the store keeps only its SHA-256.
    public let token: Secret
    /// When the link stops working.
    public let expiresAt: Date

    /// The expiry; never the token.
    public var description: String { "email change undo, token <redacted>, expiring \(expiresAt)" }
}

/// Whom a working email link is for, and what following it does.
public struct EmailLinkTarget: Sendable, Equatable {
    /// The account.
    public let account: Account
    /// The address the link confirms.
    public let email: String
    /// Whether following it makes ``email`` the account's address.
    public let changesAddress: Bool
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
        try await issueEmailLink(for: user, changingTo: nil)
    }

    /// Issues a one-time link, mailed to `newEmail`, that makes it the address of the active account `user` when
    /// followed (confirmed, since the link reached it); until then the account keeps its address. Ends the account's
    /// earlier links and records `email_verification_requested` (`{"change": "true"}`).
    ///
    /// An account with a password must give it (`current`, checked and counted as ``changePassword(for:current:new:endingSessionsBut:rekeying:)``
    /// checks it): the address is a way into the account (a reset link goes there). One without (made through Twitter)
    /// has nothing to check: call this only just after the person signed in, as `AccountsHummingbird` does, or with
    /// `passwordRequired` (then it is refused with ``LocalAccountError/noPassword``, checked on the record the link is
    /// issued against, so a password removed meanwhile does not let an older session through).
    /// - Returns: the link, or `nil` past ``maximumEmailVerifications`` links within ``emailVerificationWindow``.
    /// - Throws: ``LocalAccountError/invalid(_:)`` naming the address's problem (not an address, the account's own,
    ///   another account's), ``LocalAccountError/wrongPassword`` (also when the password was reset or changed while
    ///   it was being checked, not when a sign-in only rehashed it), ``LocalAccountError/throttled(retryAfter:)``;
    ///   nothing is issued then.
    public func requestEmailChange(
        for user: UserID, to newEmail: String, current: Secret?, passwordRequired: Bool = false
    ) async throws(LocalAccountError) -> EmailVerification? {
        let address: EmailAddress
        do {
            address = try EmailAddress(validating: newEmail)
        } catch {
            throw .invalid([error])
        }
        guard Mailbox.normalize(address.rawValue) != nil else {
            throw .invalid([FieldError(.email, "has no mailbox name once the provider's dots and +tag are removed")])
        }
        let record: LoginRecord
        do {
            guard let found = try await store.loginRecord(.id(user)) else {
                throw LocalAccountError.store(.accountNotFound(user.rawValue))
            }
            record = found
        } catch {
            throw Self.localError(error)
        }
        let account: Account?
        do {
            account = try await store.account(.id(user))
        } catch {
            throw .store(error)
        }
        if let current = account?.email, Mailbox.uniquenessKey(current) == Mailbox.uniquenessKey(address.rawValue) {
            throw .invalid([FieldError(.email, "is already the account's address")])
        }
        // Checked against the hash read here, the one the link is issued under.
        if let stored = record.passwordHash {
            try await checkCurrent(current ?? Secret(""), against: stored, of: user)
        } else if passwordRequired {
            throw .noPassword
        }
        // Issued only while the account's password is still the one checked: a reset (or change) made meanwhile, which
        // ends change links, is not followed by one asked for with the old password. When the hash there now is
        // another, `current` is checked against it, once: a match (a sign-in rehashed the same password) issues.
        var checked = record.passwordHash
        for round in 0..<2 {
            do {
                return try await issueEmailLink(for: user, changingTo: address, checkedPasswordHash: checked)
            } catch .wrongPassword {
                guard round == 0, let current, let now = try await requireRecord(user).passwordHash,
                    case .valid = try await verifyOffPool(current, against: now, of: user)
                else { break }
                checked = now
            }
        }
        throw .wrongPassword
    }

    private func issueEmailLink(
        for user: UserID, changingTo newEmail: EmailAddress?, checkedPasswordHash: String? = nil
    ) async throws(LocalAccountError) -> EmailVerification? {
        let token = SecureRandom.hexString(count: 32)
        do {
            switch try await store.issueEmailVerification(
                for: user, changingTo: newEmail, checkedPasswordHash: checkedPasswordHash,
                tokenHash: SHA256.hexDigest(Array(token.utf8)),
                lifetime: verificationLinkLifetime, limit: maximumEmailVerifications,
                window: mailLimitWindow(emailVerificationWindow))
            {
            case .issued(let account, let email, let expiresAt):
                return EmailVerification(
                    account: account, email: email, changesAddress: newEmail != nil, token: Secret(token),
                    expiresAt: expiresAt)
            case .alreadyVerified, .noAddress, .tooMany:
                return nil
            case .passwordChanged:
                throw LocalAccountError.wrongPassword
            }
        } catch {
            throw Self.emailLinkError(error)
        }
    }

    /// `error` as the email-link calls throw it: another account's address named as the email's problem.
    private static func emailLinkError(_ error: any Error) -> LocalAccountError {
        if case StoreError.duplicate(.email) = error {
            return .invalid([FieldError(.email, "already belongs to another account")])
        }
        return localError(error)
    }

    /// Whom a working email link's `token` is for, and what it confirms (unused, not replaced, not expired, the
    /// account active and its address still the one the link was made for), or `nil`.
    public func emailLinkTarget(token: Secret) async throws(LocalAccountError) -> EmailLinkTarget? {
        guard let hash = Self.resetTokenHash(token) else { return nil }
        do {
            return try await store.emailVerificationAccount(tokenHash: hash).map {
                EmailLinkTarget(account: $0.account, email: $0.email, changesAddress: $0.change)
            }
        } catch {
            throw .store(error)
        }
    }

    /// Follows a working email link: a confirmation link marks the account's address confirmed
    /// (``Account/emailVerifiedAt``, event `email_verified`); a change link makes its address the account's,
    /// confirmed, and ends the account's password reset links, which went to the old one (event `email_changed`).
    /// Either way the link and the account's other links end, in one transaction.
    /// - Throws: ``LocalAccountError/invalidVerificationLink`` when the link does not work,
    ///   ``LocalAccountError/invalid(_:)`` when another account took a change link's address meanwhile; nothing
    ///   changes then.
    @discardableResult
    public func verifyEmail(token: Secret) async throws(LocalAccountError) -> Account {
        guard let account = try await verifyEmail(token: token, unlessConfirmedAddressChanges: false) else {
            throw .invalidVerificationLink
        }
        return account
    }

    /// ``verifyEmail(token:)``; with `unlessConfirmedAddressChanges`, a change link is not followed while the
    /// account's address is confirmed: `nil`, nothing changed, the link still works. Checked in the transaction that
    /// makes the change, so an app that tells a confirmed old address of a change (and must first make sure it can)
    /// decides on the state the change is made against, not on an earlier look (``emailLinkTarget(token:)``).
    public func verifyEmail(
        token: Secret, unlessConfirmedAddressChanges: Bool
    ) async throws(LocalAccountError) -> Account? {
        try await followEmailLink(
            token: token, unlessConfirmedAddressChanges: unlessConfirmedAddressChanges, issuingUndo: false)?.account
    }

    /// ``verifyEmail(token:unlessConfirmedAddressChanges:)``, telling what following the link did. With
    /// `issuingUndo`, a change link that moves the account off a confirmed address also issues, in the same
    /// transaction, a link that undoes the change (``EmailLinkOutcome/undo``, working for
    /// ``emailChangeUndoLifetime``): mail it to the old address with the notice of the change
    /// (``undoEmailChange(token:newPassword:unlinkingTwitter:signingIn:)``), as `AccountRoutes` does. Whoever changed the
    /// address had the password or a session, and a password reset now goes to their address: the link is the old
    /// address's way back.
    public func followEmailLink(
        token: Secret, unlessConfirmedAddressChanges: Bool = false, issuingUndo: Bool
    ) async throws(LocalAccountError) -> EmailLinkOutcome? {
        guard let hash = Self.resetTokenHash(token) else { throw .invalidVerificationLink }
        let undoToken = SecureRandom.hexString(count: 32)
        let lifetime = undoLinkLifetime
        do {
            switch try await store.verifyEmail(
                tokenHash: hash, unlessConfirmedAddressChanges: unlessConfirmedAddressChanges,
                undo: issuingUndo ? (SHA256.hexDigest(Array(undoToken.utf8)), lifetime) : nil)
            {
            case .verified(let account, let changed, let replaced, let undoIssued):
                return EmailLinkOutcome(
                    account: account, changedAddress: changed, replacedAddress: replaced,
                    undo: undoIssued
                        ? EmailChangeUndo(
                            token: Secret(undoToken), expiresAt: account.updatedAt.addingTimeInterval(lifetime))
                        : nil)
            case .changesConfirmedAddress: return nil
            case .invalidToken: throw LocalAccountError.invalidVerificationLink
            }
        } catch {
            throw Self.emailLinkError(error)
        }
    }
}
