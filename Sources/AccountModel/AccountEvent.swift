public import Foundation

/// One entry of the audit trail. It never holds a secret.
public struct AccountEvent: Hashable, Sendable {
    /// What happened.
    public var kind: AccountEventKind
    /// The account concerned, when there is one (kept after the account is deleted).
    public var subject: UserID?
    /// Who did it: `user`, `cli`, `system`, or an app-defined actor.
    public var actor: String
    /// Non-secret details, such as a Twitter screen name or an import count.
    public var details: [String: String]
    /// When it happened.
    public var occurredAt: Date

    /// Makes an event.
    public init(
        kind: AccountEventKind, subject: UserID?, actor: String, details: [String: String] = [:],
        occurredAt: Date
    ) {
        self.kind = kind
        self.subject = subject
        self.actor = actor
        self.details = details
        self.occurredAt = occurredAt
    }
}

/// The kinds of audit event.
public enum AccountEventKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case created
    case signedIn = "signed_in"
    case signInFailed = "sign_in_failed"
    case signInThrottled = "sign_in_throttled"
    /// The credentials were right, but the account may not sign in (it is disabled); `details` say why.
    case signInRefused = "sign_in_refused"
    case linked
    case unlinked
    case passwordChanged = "password_changed"
    case passwordRemoved = "password_removed"
    /// An account that had no password (made through Twitter) was given one (`LocalAccounts.setPassword`).
    case passwordAdded = "password_added"
    /// A link to choose a new password was issued for the account (`LocalAccounts.requestPasswordReset`).
    case passwordResetRequested = "password_reset_requested"
    /// The password was replaced through such a link, and every session of the account ended; `details` say how many.
    case passwordReset = "password_reset"
    case deleted
    case imported
    case keysRewrapped = "keys_rewrapped"
    /// Every browser session of the account was ended ("sign out everywhere").
    case sessionsRevoked = "sessions_revoked"
    /// An operator disabled the account (`accounts users disable`): its browser sessions and password reset links
    /// ended; `details` say why (`reason`, when given) and how many (`sessions`, `reset_links`).
    case disabled
    /// An operator enabled the disabled account again (`accounts users enable`); `details` say why, when given.
    case enabled

    public var description: String { rawValue }
}
