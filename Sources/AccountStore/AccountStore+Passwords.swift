import AccountCrypto
import AccountMatching
package import AccountModel
public import Foundation
import GRDB

/// What password sign-in needs to know about an account; the hash never leaves the package.
package struct LoginRecord: Sendable {
    package var userID: UserID
    package var passwordHash: String?
    package var status: AccountStatus
    package var hasTwitter: Bool
    /// The key to count this sign-in's failures under instead of the typed login's, when there is one: the
    /// account's own (``AccountStore/unkeyedAddressLoginKey(_:)``) when the login found it by an address left
    /// without a uniqueness key, whose login key is that of the account that kept the key.
    package var failureKey: String? = nil
}

/// What ``AccountStore/recordSignIn(_:method:clearingFailuresFor:through:verifiedPasswordHash:newPasswordHash:)`` did.
package enum SignInRecording: Sendable {
    /// Recorded: the account, with its last sign-in time updated.
    case signedIn(Account)
    /// Nothing written: the password hash that was checked is no longer the account's.
    case passwordChanged
    /// Refused: the account was disabled meanwhile. Nothing written but the `sign_in_refused` event (reason
    /// `disabled`) that says so, in the transaction that refused.
    case disabled
    /// Refused: the account was deleted meanwhile (the sign-in is then one of an unknown login). Nothing written but
    /// a `sign_in_failed` event that names no account, in the transaction that found it gone.
    case accountGone
}

/// What ``AccountStore/beginSignInAttempt(loginKey:subject:since:maximum:)`` decided.
package enum SignInAttempt: Sendable {
    /// The attempt is counted as a failure (the row id), to be cleared by a success.
    case counted(Int64)
    /// Too many failures already; the oldest of the `maximum` latest, which leaves the window first.
    case throttled(oldestCounted: Date)
}

extension AccountStore {
    /// The account whose username or email is `login` (case-insensitively, surrounding whitespace ignored). An
    /// address left without a uniqueness key (one of two from before migration 0009 that differ only in non-ASCII
    /// case, `Änn@…` and `äNN@…`: the one keyed first keeps the key) is found by its own spelling, and its failures
    /// are counted under the account's own key (``LoginRecord/failureKey``): both spellings fold to one login key,
    /// which would count the two accounts' failures together, and let one's success clear the other's count.
    package func loginRecord(login: String) async throws(StoreError) -> LoginRecord? {
        let trimmed = EmailAddress.trim(login)
        return try await read { db in
            try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT users.public_id, users.password_hash, users.status, twitter_identities.id IS NOT NULL,
                            users.email_key IS NULL AND users.username <> ?1
                        FROM users LEFT JOIN twitter_identities ON twitter_identities.user_id = users.id
                        WHERE users.username = ?1 OR users.email_key = ?2 OR users.email = ?1
                        ORDER BY users.username = ?1 DESC, users.email = ?1 DESC LIMIT 1
                        """), arguments: [trimmed, Mailbox.uniquenessKey(trimmed)]
            ).map(AccountStore.loginRecord(from:))
        }
    }

    /// The sign-in facts of the account `reference`.
    package func loginRecord(_ reference: AccountReference) async throws(StoreError) -> LoginRecord? {
        try await read { db in
            guard let record = try AccountStore.fetchUserRecord(db, reference) else { return nil }
            return try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT users.public_id, users.password_hash, users.status, twitter_identities.id IS NOT NULL
                        FROM users LEFT JOIN twitter_identities ON twitter_identities.user_id = users.id WHERE users.id = ?
                        """), arguments: [record.id]
            ).map(AccountStore.loginRecord(from:))
        }
    }

    static func loginRecord(from row: Row) -> LoginRecord {
        let user = UserID(uncheckedRawValue: row[0])
        let unkeyedAddress = row.count > 4 && (row[4] as Bool? ?? false)
        return LoginRecord(
            userID: user, passwordHash: row[1], status: AccountStatus(rawValue: row[2] as String) ?? .disabled,
            hasTwitter: row[3], failureKey: unkeyedAddress ? unkeyedAddressLoginKey(user) : nil)
    }

    /// The keys under which the failures of the account at `rowID` are counted, as it stands: its username's, its
    /// address's (the account's own, ``unkeyedAddressLoginKey(_:)``, for an address left without a uniqueness key:
    /// the address's login key is the account's that kept the key) and its current-password checks'. Empty for no
    /// such account.
    static func failureKeys(_ db: Database, rowID: Int64) throws -> [String] {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT public_id, username, email, email_key IS NULL FROM users WHERE id = ?"),
                arguments: [rowID])
        else { return [] }
        let user = UserID(uncheckedRawValue: row[0])
        var keys = [signInLoginKey(row[1])]
        if let email = row[2] as String? {
            keys.append((row[3] as Bool) ? unkeyedAddressLoginKey(user) : signInLoginKey(email))
        }
        return keys + [currentPasswordLoginKey(user)]
    }

    /// How long after a Twitter account is linked the password may not be removed: 7 days, as long as an email-change
    /// undo link works by default. Whoever guessed the password could otherwise link their own Twitter account, remove
    /// the password, and keep the account: no reset goes to a confirmed address of an account without a password.
    public static let recentLinkWindow: TimeInterval = 7 * 24 * 60 * 60

    /// Sets (or, with `nil`, removes) the account's password hash, ends the account's live password reset links
    /// (a link asked for before the password changed no longer resets it, as Django's tokens end with the password
    /// they were made for) and email change links (one asked for with the old password no longer changes the
    /// address) and records `event`, in one transaction.
    ///
    /// Refused with ``StoreError/accountDisabled(_:)`` when the account is not active (a change that was under way when
    /// it was disabled must not hand it a new way in for when it is enabled again). Removing is refused with
    /// ``StoreError/lastSignInMethod(_:)`` when the account has no Twitter identity, and with
    /// ``StoreError/twitterLinkedRecently(_:until:)`` within ``recentLinkWindow`` of linking it. With
    /// `verified` (the hash a current password was checked against), nothing is written unless the account still
    /// holds it: a password reset (or another change) made while the current password was being checked wins.
    /// With `onlyIfNone`, nothing is written unless the account has no password. Every session of the account but
    /// `endingSessionsBut`'s (the one whose id hashes to it; `nil`: every one) ends in the same transaction (the
    /// event's `details` say how many): the password and the sessions it let in never part, even when the write fails
    /// half-way. With `rekeying`, the kept session goes on under that new id and CSRF token, in the same transaction.
    /// - Returns: whether the hash was written.
    @discardableResult
    package func setPasswordHash(
        _ hash: String?, for user: UserID, event: AccountEventKind?, actor: String, replacing verified: String? = nil,
        onlyIfNone: Bool = false, endingSessionsBut keptSession: String? = nil,
        rekeying rekey: BrowserSessionRekey? = nil
    ) async throws(StoreError) -> Bool {
        return try await write { db in
            let now = self.now()
            let record = try AccountStore.requireUserRecord(db, .id(user))
            guard record.status == AccountStatus.active.rawValue else { throw StoreError.accountDisabled(user) }
            if let verified, record.passwordHash != verified { return false }
            if onlyIfNone, record.passwordHash != nil { return false }
            if hash == nil {
                guard
                    let linkedAt = try Int64.fetchOne(
                        db.cachedStatement(sql: "SELECT max(linked_at) FROM twitter_identities WHERE user_id = ?"),
                        arguments: [record.id])
                else { throw StoreError.lastSignInMethod(user) }
                // (a link dated ahead of this clock, by another process's, counts from when it says)
                let until = linkedAt + Int64(AccountStore.recentLinkWindow * 1_000_000)
                if until > Timestamp.micros(now) {
                    throw StoreError.twitterLinkedRecently(user, until: Timestamp.date(until))
                }
            }
            try db.run(
                sql: "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?",
                arguments: [hash, Timestamp.micros(now), record.id])
            try AccountStore.endPasswordResets(db, userRowID: record.id!, at: Timestamp.micros(now))
            try AccountStore.endEmailChanges(db, userRowID: record.id!, at: Timestamp.micros(now))
            let ended = try AccountStore.endSessions(
                db, userRowID: record.id!, keeping: keptSession, at: Timestamp.micros(now))
            try AccountStore.rekeySession(db, keptSession, of: record.id!, to: rekey)
            let details = ["sessions": "\(ended)"]
            if let event {
                try AccountStore.insertEvent(
                    db, AccountEvent(kind: event, subject: user, actor: actor, details: details, occurredAt: now))
            }
            return true
        }
    }

    /// Records a successful sign-in: last sign-in time, a `signed_in` event, the login's failures cleared and, when
    /// given, the password hash replaced (a rehash with current parameters), in one transaction.
    ///
    /// With `verifiedPasswordHash` (a password sign-in), nothing is written unless the account still exists, holds
    /// that hash and is still active: a password changed (or an account disabled or deleted) while the old one was
    /// being checked wins, and a rehash of the old password never overwrites the new one. A refusal for an account
    /// disabled or deleted meanwhile is recorded by the transaction that refuses (``SignInRecording/disabled``,
    /// ``SignInRecording/accountGone``): when its event cannot be written, this throws and nothing is written.
    /// - Returns: the account, or what stood in the way.
    package func recordSignIn(
        _ user: UserID, method: String, clearingFailuresFor loginKey: String?, through attempt: Int64? = nil,
        verifiedPasswordHash: String? = nil, newPasswordHash: String?
    ) async throws(StoreError) -> SignInRecording {
        return try await write { db in
            let now = self.now()
            guard var record = try AccountStore.fetchUserRecord(db, .id(user)) else {
                guard verifiedPasswordHash != nil else {
                    throw StoreError.accountNotFound(AccountReference.id(user).description)
                }
                try AccountStore.insertEvent(
                    db,
                    AccountEvent(
                        kind: .signInFailed, subject: nil, actor: "user", details: ["method": method],
                        occurredAt: now))
                return .accountGone
            }
            if let verifiedPasswordHash {
                guard record.passwordHash == verifiedPasswordHash else { return .passwordChanged }
                guard record.status == AccountStatus.active.rawValue else {
                    try AccountStore.insertEvent(
                        db,
                        AccountEvent(
                            kind: .signInRefused, subject: user, actor: "user",
                            details: ["method": method, "reason": "disabled"], occurredAt: now))
                    return .disabled
                }
            }
            record.lastSignInAt = Timestamp.micros(now)
            if let newPasswordHash { record.passwordHash = newPasswordHash }
            try db.run(
                sql: "UPDATE users SET last_sign_in_at = ?, password_hash = ? WHERE id = ?",
                arguments: [record.lastSignInAt, record.passwordHash, record.id])
            if let loginKey {
                // Up to this attempt: attempts counted after it (guesses sent meanwhile) stay counted.
                try db.run(
                    sql: "DELETE FROM sign_in_failures WHERE login_key = ? AND id <= ?",
                    arguments: [loginKey, attempt ?? Int64.max])
            }
            try AccountStore.insertEvent(
                db,
                AccountEvent(
                    kind: .signedIn, subject: user, actor: "user", details: ["method": method], occurredAt: now))
            return .signedIn(try AccountStore.attachTwitter(db, record))
        }
    }

    /// The key under which failed sign-ins with `login` (a username or an address, as typed) are counted: the SHA-256
    /// of its uniqueness key (so the table holds no addresses, and `Ann@Example.org` counts as `ann@example.org`).
    package static func signInLoginKey(_ login: String) -> String {
        SHA256.hexDigest(Array(Mailbox.uniquenessKey(EmailAddress.trim(login)).utf8))
    }

    /// The key under which failed sign-ins with the address of `user` are counted when the address has no uniqueness
    /// key (``loginRecord(login:)``): not 64 hex digits, so never a login's key.
    package static func unkeyedAddressLoginKey(_ user: UserID) -> String {
        "unkeyed-address:" + user.rawValue
    }

    /// The key under which wrong current passwords on the forms of `user`'s signed-in sessions are counted.
    package static func currentPasswordLoginKey(_ user: UserID) -> String {
        "current-password:" + user.rawValue
    }

    /// The least time between two `sign_in_throttled` events of one account and method (microseconds): a minute.
    static let throttledEventInterval: Int64 = 60_000_000

    /// Counts a password sign-in attempt for `loginKey` as a failure before its password is checked, unless
    /// `maximum` failures at or after `since` have been counted already (then it records a `sign_in_throttled` event
    /// instead, unless the account had one for `method` within the last minute: a refusal of a log-in and one of a
    /// current-password check are recorded apart). The count and the new failure are one
    /// transaction, so requests that arrive together cannot all pass the count: each is counted before the next one
    /// looks. A sign-in that succeeds clears the login's failures up to this one (its `through`). Failures older than
    /// `since` are dropped, so the table stays small. A `maximum` below 1 counts as 1.
    ///
    /// It commits without waiting for the disk (`durable: false`): other connections and processes see the count at
    /// once, and the commit that ends the attempt (its sign-in, or its failure) syncs it, so only a power failure
    /// while the password is checked can forget it. A throttled attempt's event is written in a commit that waits.
    package func beginSignInAttempt(
        loginKey: String, subject: UserID?, since: Date, maximum: Int, method: String = "password"
    ) async throws(StoreError) -> SignInAttempt {
        let maximum = max(1, maximum)
        let attempt = try await write(durable: false, checkingActingSession: false) { db in
            let now = self.now()
            // A failure counted at a time still to come (the clock was set back since, or another process's clock
            // runs ahead) counts as made now: it holds the login for one window from now at most, not until the
            // clock catches up with it.
            try db.run(
                sql: "UPDATE sign_in_failures SET failed_at = ?2 WHERE login_key = ?1 AND failed_at > ?2",
                arguments: [loginKey, Timestamp.micros(now)])
            try db.run(sql: "DELETE FROM sign_in_failures WHERE failed_at < ?", arguments: [Timestamp.micros(since)])
            let failures = try Int64.fetchAll(
                db.cachedStatement(
                    sql:
                        "SELECT failed_at FROM sign_in_failures WHERE login_key = ? AND failed_at >= ? ORDER BY failed_at"
                ),
                arguments: [loginKey, Timestamp.micros(since)])
            if failures.count >= maximum {
                return SignInAttempt.throttled(oldestCounted: Timestamp.date(failures[failures.count - maximum]))
            }
            try db.run(
                sql: "INSERT INTO sign_in_failures (login_key, failed_at) VALUES (?, ?)",
                arguments: [loginKey, Timestamp.micros(now)])
            return SignInAttempt.counted(db.lastInsertedRowID)
        }
        guard case .throttled = attempt else { return attempt }
        // The trail hears of it (a commit that waits for the disk), once a minute at most for an account under attack
        // and method: every refusal written down would let whoever hammers the account (from as many addresses as
        // they have) grow its trail, and the person's data download, without bound. (Once a minute for each method:
        // a log-in's refusals do not hide a current-password check's, nor the reverse.)
        try await write(checkingActingSession: false) { db in
            let now = self.now()
            let recorded = try Bool.fetchOne(
                db.cachedStatement(sql: Queries.recentEventOfKindAndMethod),
                arguments: [
                    subject?.rawValue, AccountEventKind.signInThrottled.rawValue, Timestamp.micros(now), method,
                ])
            if recorded != true {
                try AccountStore.insertEvent(
                    db,
                    AccountEvent(
                        kind: .signInThrottled, subject: subject, actor: "user", details: ["method": method],
                        occurredAt: now))
            }
        }
        return attempt
    }

    /// Clears the failures counted for `loginKey` up to the attempt `attempt` (a check that succeeded); attempts
    /// counted after it (guesses sent meanwhile) stay counted.
    package func clearSignInFailures(loginKey: String, through attempt: Int64) async throws(StoreError) {
        try await write(checkingActingSession: false) { db in
            try db.run(
                sql: "DELETE FROM sign_in_failures WHERE login_key = ? AND id <= ?", arguments: [loginKey, attempt])
        }
    }

    /// Takes back the attempt `attempt` counted for `loginKey`, and only it: its password could not be checked (OpenSSL
    /// failed), so it was no failure.
    package func withdrawSignInAttempt(loginKey: String, attempt: Int64) async throws(StoreError) {
        try await write(checkingActingSession: false) { db in
            try db.run(
                sql: "DELETE FROM sign_in_failures WHERE login_key = ? AND id = ?", arguments: [loginKey, attempt])
        }
    }

    /// Records the `sign_in_failed` event of an attempt ``beginSignInAttempt(loginKey:subject:since:maximum:)``
    /// counted already.
    package func recordFailedSignIn(subject: UserID?) async throws(StoreError) {
        try await write(checkingActingSession: false) { db in
            let now = self.now()
            try AccountStore.insertEvent(
                db,
                AccountEvent(
                    kind: .signInFailed, subject: subject, actor: "user", details: ["method": "password"],
                    occurredAt: now))
        }
    }

    /// Records a `password_check_failed` event: a wrong current password on a form of a signed-in session of
    /// `subject`.
    package func recordFailedPasswordCheck(subject: UserID) async throws(StoreError) {
        try await write(checkingActingSession: false) { db in
            let now = self.now()
            try AccountStore.insertEvent(
                db, AccountEvent(kind: .passwordCheckFailed, subject: subject, actor: "user", occurredAt: now))
        }
    }

    /// The store's clock (for services that share its notion of now).
    package var currentDate: Date { now() }
}
