import AccountMatching
package import AccountModel
package import Foundation
import GRDB

/// What a request for a password reset came to (``AccountStore/issuePasswordReset(email:tokenHash:lifetime:limit:window:)``).
package enum PasswordResetIssue: Sendable, Equatable {
    /// A token was stored for the account, ending its earlier ones; mail the link to the account's address.
    case issued(Account, expiresAt: Date)
    /// No active account that may reset has that address (or the address is no address): an account may when it has
    /// a password, or when its address is not confirmed yet (whoever holds the mailbox may take it over).
    case noAccount
    /// The account already had `limit` tokens issued within the window.
    case tooMany
}

/// What presenting a reset token came to (``AccountStore/resetPassword(tokenHash:newHash:)``).
package enum PasswordResetUse: Sendable, Equatable {
    /// The password was replaced and every session of the account ended. When the reset was the first proof that
    /// the account's address reaches its owner, the Twitter identity linked before that proof was unlinked:
    /// `unlinked` is it (the account no longer has it), with its access token as the same transaction read it
    /// (`nil` when none was stored, or the store has no key ring to open it), to revoke at Twitter. `signedIn`: when
    /// the reset signed the person in, the mark to open their session with (after the reset's own events).
    case reset(
        Account, sessionsEnded: Int, unlinked: TwitterIdentity?, credential: TwitterCredential?,
        signedIn: AccountStore.EventMark?)
    /// The token is unknown, used, replaced or expired, or its account was disabled or deleted.
    case invalidToken
}

extension AccountStore {
    /// How long a reset token's row stays after it ended, so that recent requests can be counted: a day.
    static let passwordResetRetention: TimeInterval = 24 * 60 * 60

    /// Stores a reset token (only its SHA-256, `tokenHash`) for the active account whose address is `email` (compared
    /// as sign-in compares it) and that has a password or an address not confirmed yet, ending the account's earlier
    /// tokens, unless `limit` were issued for it within `window` (at most a day). Records a `password_reset_requested`
    /// event. One transaction.
    package func issuePasswordReset(
        email: String, tokenHash: String, lifetime: TimeInterval, limit: Int, window: TimeInterval
    ) async throws(StoreError) -> PasswordResetIssue {
        let trimmed = EmailAddress.trim(email)
        return try await write { db in
            let now = self.now()
            let micros = Timestamp.micros(now)
            guard
                let record = try UserRecord.fetchOne(
                    db, sql: Queries.userByEmail, arguments: [Mailbox.uniquenessKey(trimmed), trimmed]),
                record.status == AccountStatus.active.rawValue,
                record.passwordHash != nil || record.emailVerifiedAt == nil, let rowID = record.id
            else { return .noAccount }
            let account = try AccountStore.attachTwitter(db, record)
            // Rows that ended more than a day ago count for nothing: clear some away (all of them: `accounts purge`).
            try db.run(
                sql: """
                    DELETE FROM password_resets WHERE id IN (
                        SELECT id FROM password_resets WHERE expires_at <= ? LIMIT 64)
                    """, arguments: [Timestamp.micros(now.addingTimeInterval(-Self.passwordResetRetention))])
            // A request dated later than now (the clock was set back since, or another process's clock runs ahead)
            // counts as made now: it holds the account's requests for one window from now at most.
            try db.run(
                sql: "UPDATE password_resets SET created_at = ?2 WHERE user_id = ?1 AND created_at > ?2",
                arguments: [rowID, micros])
            let recent =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM password_resets WHERE user_id = ? AND created_at > ?",
                    arguments: [rowID, Timestamp.micros(now.addingTimeInterval(-window))]) ?? 0
            guard recent < limit else { return .tooMany }
            try AccountStore.endPasswordResets(db, userRowID: rowID, at: micros)
            let expiresAt = now.addingTimeInterval(lifetime)
            try db.run(
                sql: """
                    INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)
                    """, arguments: [tokenHash, rowID, micros, Timestamp.micros(expiresAt)])
            try AccountStore.insertEvent(
                db, AccountEvent(kind: .passwordResetRequested, subject: account.id, actor: "user", occurredAt: now))
            return .issued(account, expiresAt: Timestamp.date(Timestamp.micros(expiresAt)))
        }
    }

    /// The active account a live reset token (`tokenHash`) is for, or `nil`.
    package func passwordResetAccount(tokenHash: String) async throws(StoreError) -> Account? {
        let now = Timestamp.micros(now())
        return try await read { db in
            guard let rowID = try AccountStore.liveResetUser(db, tokenHash: tokenHash, now: now) else { return nil }
            return try AccountStore.account(db, rowID: rowID)
        }
    }

    /// Replaces the password of the account a live reset token (`tokenHash`) is for with `newHash`, ends the token,
    /// the account's other tokens and every browser session of the account, clears the sign-in failures counted for
    /// the account (its username's, its address's and its current-password checks': ``failureKeys(_:rowID:)``; the
    /// cool-down guarded the old password, and the person who reset it should not be refused the new one) and for
    /// `loginKeys`, and records a `password_reset` event, in one transaction; nothing changes for a token that is not
    /// live. With `signingIn`, the same transaction signs the person in after it (``recordSignInByLink(_:_:rowID:method:at:)``: the last
    /// sign-in time, a `signed_in` event with method `password_reset`), and the answer carries the mark to open their
    /// session with.
    ///
    /// A reset that is the first proof that the account's address reaches its owner (not confirmed before) confirms
    /// it, and unlinks the Twitter identity linked before that proof (`unlinked`, reason
    /// `address_confirmed_by_reset`): whoever signed up with someone else's address could have linked their own
    /// Twitter account, a way in that would outlive the owner's taking the account back.
    package func resetPassword(
        tokenHash: String, newHash: String, clearingFailuresFor loginKeys: [String] = [], signingIn: Bool = false
    ) async throws(StoreError) -> PasswordResetUse {
        let (use, stored) = try await write { db -> (PasswordResetUse, StoredCredential?) in
            let now = self.now()
            let micros = Timestamp.micros(now)
            guard let rowID = try AccountStore.liveResetUser(db, tokenHash: tokenHash, now: micros),
                var account = try AccountStore.account(db, rowID: rowID)
            else { return (.invalidToken, nil) }
            var unlinked: TwitterIdentity?
            var stored: StoredCredential?
            try db.run(
                sql: "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?",
                arguments: [newHash, micros, rowID])
            account.hasPassword = true
            // The link reached the account's mailbox: its address is confirmed too.
            if account.email != nil && account.emailVerifiedAt == nil {
                try db.run(sql: "UPDATE users SET email_verified_at = ? WHERE id = ?", arguments: [micros, rowID])
                try AccountStore.endEmailVerifications(db, userRowID: rowID, at: micros)
                try AccountStore.insertEvent(
                    db,
                    AccountEvent(
                        kind: .emailVerified, subject: account.id, actor: "user",
                        details: ["method": "password_reset"], occurredAt: now))
                account.emailVerifiedAt = Timestamp.date(micros)
                if let twitter = account.twitter {
                    // Read here, not before the reset: a token stored meanwhile (a link, a sign-in) is the one to
                    // revoke.
                    stored = try AccountStore.unlinkTwitter(
                        db, twitter, ofAccount: account.id, rowID: rowID, reason: "address_confirmed_by_reset", at: now)
                    unlinked = twitter
                    account.twitter = nil
                }
            }
            try db.run(
                sql: "UPDATE password_resets SET used_at = ?1 WHERE token_hash = ?2", arguments: [micros, tokenHash])
            try AccountStore.endPasswordResets(db, userRowID: rowID, at: micros)
            try AccountStore.endEmailChanges(db, userRowID: rowID, at: micros)
            let ended = try AccountStore.endSessions(db, userRowID: rowID, at: micros)
            for key in try AccountStore.failureKeys(db, rowID: rowID) + loginKeys {
                try db.run(sql: "DELETE FROM sign_in_failures WHERE login_key = ?", arguments: [key])
            }
            try AccountStore.insertEvent(
                db,
                AccountEvent(
                    kind: .passwordReset, subject: account.id, actor: "user", details: ["sessions": "\(ended)"],
                    occurredAt: now))
            let signedIn =
                signingIn
                ? try AccountStore.recordSignInByLink(db, &account, rowID: rowID, method: "password_reset", at: now)
                : nil
            return (
                .reset(account, sessionsEnded: ended, unlinked: unlinked, credential: nil, signedIn: signedIn), stored
            )
        }
        // (what an unlink removed leaves the -wal at once, as after any unlink or deletion)
        if case .reset(_, _, _?, _, _) = use { await checkpointWithoutWaiting() }
        guard case .reset(let account, let ended, let unlinked?, _, let signedIn) = use else { return use }
        // (a value that cannot be opened is no token to revoke, logged; the reset itself is done)
        return .reset(
            account, sessionsEnded: ended, unlinked: unlinked,
            credential: openedToRevoke(stored, of: unlinked.userID, removedBy: "password_reset"), signedIn: signedIn)
    }

    /// Signs the person who followed a link mailed to the account in (row `rowID`), in `db`'s transaction, after the
    /// link's own change ended every session of the account: its last sign-in time set and a `signed_in` event with
    /// `method` recorded. The mark to open their session with (``replaceBrowserSession(_:with:unlessEndedAfter:)``):
    /// that event's, so that only what ends the account's sessions after it refuses the session.
    static func recordSignInByLink(
        _ db: Database, _ account: inout Account, rowID: Int64, method: String, at now: Date
    ) throws -> EventMark {
        let micros = Timestamp.micros(now)
        try db.run(sql: "UPDATE users SET last_sign_in_at = ? WHERE id = ?", arguments: [micros, rowID])
        account.lastSignInAt = Timestamp.date(micros)
        try insertEvent(
            db,
            AccountEvent(
                kind: .signedIn, subject: account.id, actor: "user", details: ["method": method], occurredAt: now))
        return EventMark(lastEventID: db.lastInsertedRowID)
    }

    /// Unlinks `twitter` from the account `user` (row `rowID`) in `db`'s transaction, recording `unlinked` with the
    /// store's `reason` code: a way in taken away because the account's owner proved the address (a reset, an undone
    /// change of address). Its stored access token as the transaction read it, to revoke at Twitter.
    static func unlinkTwitter(
        _ db: Database, _ twitter: TwitterIdentity, ofAccount user: UserID, rowID: Int64, reason: String, at now: Date
    ) throws -> StoredCredential? {
        let stored = try storedCredential(db, userRowID: rowID)
        try db.run(sql: "DELETE FROM twitter_identities WHERE user_id = ?", arguments: [rowID])
        try insertEvent(
            db,
            AccountEvent(
                kind: .unlinked, subject: user, actor: "user",
                details: [
                    "twitter_id": twitter.userID.decimalString, "screen_name": twitter.screenName, "reason": reason,
                ], occurredAt: now))
        return stored
    }

    /// The stored access token of the Twitter identity of the account in row `userRowID`, if any.
    static func storedCredential(_ db: Database, userRowID: Int64) throws -> StoredCredential? {
        try Row.fetchOne(
            db.cachedStatement(sql: StoredCredential.selection + " WHERE i.user_id = ?"), arguments: [userRowID]
        ).map(StoredCredential.init(row:))
    }

    /// The account in row `rowID` of `users`.
    static func account(_ db: Database, rowID: Int64) throws -> Account? {
        try UserRecord.fetchOne(db, sql: "SELECT \(UserRecord.columns) FROM users WHERE id = ?", arguments: [rowID])
            .map { try attachTwitter(db, $0) }
    }

    /// Ends the reset tokens of the account in row `userRowID` at `micros` (a newer link, a reset, a password
    /// changed): their rows stay, to count the requests made. Ended means `used_at` set, which every lookup of a live
    /// token reads, whatever the clock of the process that reads it says: an expiry of `micros` alone, which comes from
    /// this process's clock, would leave the token live on another process whose clock is behind until that clock
    /// reached it. The expiry is brought forward to `micros` too, so the row is cleared away as an ended one.
    static func endPasswordResets(_ db: Database, userRowID: Int64, at micros: Int64) throws {
        try db.run(
            sql: """
                UPDATE password_resets SET expires_at = min(expires_at, ?1), used_at = ?1
                WHERE user_id = ?2 AND used_at IS NULL
                """,
            arguments: [micros, userRowID])
    }

    /// The row id of the active account whose live token hashes to `tokenHash`.
    static func liveResetUser(_ db: Database, tokenHash: String, now: Int64) throws -> Int64? {
        try Int64.fetchOne(
            db,
            sql: """
                SELECT r.user_id FROM password_resets r JOIN users u ON u.id = r.user_id
                WHERE r.token_hash = ? AND r.used_at IS NULL AND r.expires_at > ? AND u.status = 'active'
                """, arguments: [tokenHash, now])
    }
}
