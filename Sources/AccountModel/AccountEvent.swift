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

/// The kind of an audit event: one of the constants below, or, read from a database a newer version wrote, a kind
/// this version does not know, kept as it was written (``isKnown`` is `false`), never taken for another.
public struct AccountEventKind: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The name stored in `account_events.kind` (`signed_in`, `password_reset`, …).
    public let rawValue: String

    /// The kind named `rawValue`, known to this version or not.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// The account was made (email sign-up, Twitter registration).
    public static let created = AccountEventKind(rawValue: "created")

    /// The account signed in; `details` say how (`method`).
    public static let signedIn = AccountEventKind(rawValue: "signed_in")

    /// A sign-in with a wrong password.
    public static let signInFailed = AccountEventKind(rawValue: "sign_in_failed")

    /// A sign-in refused unchecked, after too many wrong passwords; `details` say which (`method`: `password` at
    /// sign-in, `current_password` on a signed-in session's forms).
    public static let signInThrottled = AccountEventKind(rawValue: "sign_in_throttled")

    /// A wrong current password on a form of a signed-in session (changing or removing the password, changing the
    /// address, linking or unlinking Twitter, deleting the account): whoever holds a session left open, or stolen,
    /// guessing at the password.
    public static let passwordCheckFailed = AccountEventKind(rawValue: "password_check_failed")

    /// The credentials were right, but the account may not sign in; `details` say why (`reason`): `disabled`; or,
    /// after the sign-in's `signed_in` event, which then opened no session, `sessions_ended` when every session of the
    /// account was ended while the sign-in was checked, `disabled` when the account was disabled meanwhile, `deleted`
    /// when it was deleted meanwhile (the event keeps its public id, as its `deleted` event does).
    public static let signInRefused = AccountEventKind(rawValue: "sign_in_refused")

    /// A Twitter identity was linked; `details` name it.
    public static let linked = AccountEventKind(rawValue: "linked")

    /// The Twitter identity was unlinked; `details` name it.
    public static let unlinked = AccountEventKind(rawValue: "unlinked")

    /// The password was changed by the person, with the current one.
    public static let passwordChanged = AccountEventKind(rawValue: "password_changed")

    /// The password was removed (the account signs in through Twitter only).
    public static let passwordRemoved = AccountEventKind(rawValue: "password_removed")

    /// An account that had no password (made through Twitter) was given one (`LocalAccounts.setPassword`).
    public static let passwordAdded = AccountEventKind(rawValue: "password_added")

    /// A link to choose a new password was issued for the account (`LocalAccounts.requestPasswordReset`).
    public static let passwordResetRequested = AccountEventKind(rawValue: "password_reset_requested")

    /// The password was replaced through such a link, and every session of the account ended; `details` say how many.
    public static let passwordReset = AccountEventKind(rawValue: "password_reset")

    /// The account was deleted, by an operator (`accounts users delete`, `AccountStore.deleteAccount(_:actor:)`) or by
    /// its owner (`LocalAccounts.deleteAccount(for:current:)`, actor `user`); the event outlives it.
    public static let deleted = AccountEventKind(rawValue: "deleted")

    /// An import ran (`accounts import`), an event of the store, not of one account; `details` say how many came in.
    public static let imported = AccountEventKind(rawValue: "imported")

    /// Sealed secrets were moved to the key ring's first key (`accounts keys rewrap`), an event of the store; `details`
    /// name the key and how many.
    public static let keysRewrapped = AccountEventKind(rawValue: "keys_rewrapped")

    /// Every browser session of the account was ended ("sign out everywhere").
    public static let sessionsRevoked = AccountEventKind(rawValue: "sessions_revoked")

    /// One other browser session of the account was ended from its account page ("Where you're signed in");
    /// `details` name what it ran in (`device`), when known.
    public static let sessionEnded = AccountEventKind(rawValue: "session_ended")

    /// An operator disabled the account (`accounts users disable`): its browser sessions and password reset links
    /// ended; `details` say why (`reason`, when given) and how many (`sessions`, `reset_links`).
    public static let disabled = AccountEventKind(rawValue: "disabled")

    /// An operator enabled the disabled account again (`accounts users enable`); `details` say why, when given.
    public static let enabled = AccountEventKind(rawValue: "enabled")

    /// A link to confirm the account's email address was issued (`LocalAccounts.requestEmailVerification`).
    public static let emailVerificationRequested = AccountEventKind(rawValue: "email_verification_requested")

    /// The account's email address was shown to be read by its owner; `details` say how (`method`: `link`,
    /// `password_reset`).
    public static let emailVerified = AccountEventKind(rawValue: "email_verified")

    /// The account's email address was changed to one its owner was shown to read (a link mailed to it); `details`
    /// say how (`method`) and between which addresses (`old_email`, when it had one, and `new_email`).
    public static let emailChanged = AccountEventKind(rawValue: "email_changed")

    /// A change of address was undone through the link mailed to the old address: that address is the account's again
    /// (confirmed), with a new password, and every browser session of it ended; `details` say between which addresses
    /// (`old_email`, the one the account had: the change's, or a later change's, and `new_email`, the one restored),
    /// how (`method`: `undo_link`) and how many sessions ended (`sessions`).
    public static let emailChangeUndone = AccountEventKind(rawValue: "email_change_undone")

    /// The database file was rebuilt (SQLite's `VACUUM`, by ``AccountStore``'s purge) after an account was deleted, a
    /// Twitter account unlinked or an address changed, an event of the store: SQLite can leave older copies of rows
    /// in unused parts of the pages it keeps, which only a rebuild clears; `details` give the file's size before and
    /// after (`bytes_before`, `bytes_after`) and the last event it covers (`through_event`, an id).
    public static let fileRebuilt = AccountEventKind(rawValue: "file_rebuilt")

    /// Every kind this version writes.
    public static let known: Set<AccountEventKind> = [
        .created,
        .signedIn,
        .signInFailed,
        .signInThrottled,
        .passwordCheckFailed,
        .signInRefused,
        .linked,
        .unlinked,
        .passwordChanged,
        .passwordRemoved,
        .passwordAdded,
        .passwordResetRequested,
        .passwordReset,
        .deleted,
        .imported,
        .keysRewrapped,
        .sessionsRevoked,
        .sessionEnded,
        .disabled,
        .enabled,
        .emailVerificationRequested,
        .emailVerified,
        .emailChanged,
        .emailChangeUndone,
        .fileRebuilt,
    ]

    /// Whether this version knows the kind (it may have been written by a newer one).
    public var isKnown: Bool { Self.known.contains(self) }

    /// The kind as stored (`session_ended`).
    public var description: String { rawValue }
}
