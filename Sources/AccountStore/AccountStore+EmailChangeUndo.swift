import AccountMatching
package import AccountModel
package import Foundation
import GRDB

/// What following a link that undoes a change of address came to
/// (``AccountStore/undoEmailChange(tokenHash:newHash:clearingFailuresFor:)``).
package enum EmailChangeUndoUse: Sendable {
    /// The account's address is the restored one again (confirmed; `replaced`, the one it had: the change's, or a
    /// later change's), its password `newHash`, every browser session of it ended (`sessionsEnded` were live);
    /// `unlinked` is the Twitter identity linked since the change (or named), removed, with its access token as the
    /// same transaction read it (`nil` when none was stored or the key ring cannot open it). `signedIn`: when the undo
    /// signed the person in, the mark to open their session with (after the undo's own events).
    case undone(
        Account, restored: String, replaced: String, sessionsEnded: Int, unlinked: TwitterIdentity?,
        credential: TwitterCredential?, signedIn: AccountStore.EventMark?)
    /// The link is unknown, used, ended by an undo of the same or an earlier change, expired, or its account is not
    /// active.
    case invalidToken
}

/// A live undo link: the account, the address following it restores and the one that replaced it, and when.
package struct EmailChangeUndoLink: Sendable, Equatable {
    package let account: Account
    package let restores: String
    package let replacedBy: String
    package let changedAt: Date
}

extension AccountStore {
    /// The active account a live undo link (`tokenHash`) is for, with what it restores, or `nil`.
    package func emailChangeUndoTarget(tokenHash: String) async throws(StoreError) -> EmailChangeUndoLink? {
        let now = Timestamp.micros(now())
        return try await read { db in
            guard let link = try AccountStore.liveUndoLink(db, tokenHash: tokenHash, now: now),
                let account = try AccountStore.account(db, rowID: link.userRowID)
            else { return nil }
            return EmailChangeUndoLink(
                account: account, restores: link.email, replacedBy: link.replacedBy,
                changedAt: Timestamp.date(link.changedAt))
        }
    }

    /// Undoes the change of address a live undo link (`tokenHash`) was mailed for, in one transaction: the account's
    /// address is the old one again (confirmed: the link reached it), its password `newHash` (whoever changed the
    /// address knew the old one, or held a session), every browser session of it ends, its email links and password
    /// reset links end (they went to the other address), and so do the undo links of this change and of every later
    /// one, issued after it (an earlier change's link still works). The Twitter identity linked since the change is
    /// unlinked (reason `address_change_undone`): whoever moved the address could have linked their own; so is one
    /// linked before whose id is `unlinkingTwitter` (the person said it is not theirs). The sign-in
    /// failures counted for the account as it was (``failureKeys(_:rowID:)``) and for `loginKeys` (the address it gets
    /// back) are cleared, and `email_change_undone` is recorded (with `signingIn`, then a `signed_in` event with method
    /// `email_change_undo`, as ``resetPassword(tokenHash:newHash:clearingFailuresFor:signingIn:)`` does). Nothing
    /// changes for a link
    /// that is not live, and a restored address another account holds now is refused with ``StoreError/duplicate(_:)``
    /// (``Field/email``).
    package func undoEmailChange(
        tokenHash: String, newHash: String, clearingFailuresFor loginKeys: [String] = [],
        unlinkingTwitter: TwitterUserID? = nil, signingIn: Bool = false
    ) async throws(StoreError) -> EmailChangeUndoUse {
        let (use, stored) = try await write { db -> (EmailChangeUndoUse, StoredCredential?) in
            let now = self.now()
            let micros = Timestamp.micros(now)
            guard let link = try AccountStore.liveUndoLink(db, tokenHash: tokenHash, now: micros),
                let before = try AccountStore.account(db, rowID: link.userRowID)
            else { return (.invalidToken, nil) }
            let rowID = link.userRowID
            if try AccountStore.emailHolder(db, link.email, other: rowID, now: micros) != nil {
                throw StoreError.duplicate(.email)
            }
            guard let mailbox = Mailbox.normalize(link.email) else {
                throw StoreError.invalid([FieldError(.email, "has no mailbox name")])
            }
            // (read before the address changes: the one it leaves may have had no uniqueness key)
            let failureKeys = try AccountStore.failureKeys(db, rowID: rowID) + loginKeys
            do {
                try db.run(
                    sql: """
                        UPDATE users SET email = ?, email_key = ?, email_mailbox = ?, email_rules_version = ?,
                            email_verified_at = ?, password_hash = ?, updated_at = ?
                        WHERE id = ?
                        """,
                    arguments: [
                        link.email, Mailbox.uniquenessKey(link.email), mailbox, Mailbox.rulesVersion, micros, newHash,
                        micros, rowID,
                    ])
            } catch let error as DatabaseError
                where error.resultCode == .SQLITE_CONSTRAINT
                && StoreError.duplicateField(error.message ?? "") == .email
            {
                // (the address taken meanwhile; any other constraint, a CHECK or a trigger, is no taken address:
                // until session 60 each was reported as "email: is already taken")
                throw StoreError.duplicate(.email)
            }
            var unlinked: TwitterIdentity?
            var stored: StoredCredential?
            if let twitter = before.twitter,
                let linkedAt = try Int64.fetchOne(
                    db, sql: "SELECT linked_at FROM twitter_identities WHERE user_id = ?", arguments: [rowID]),
                linkedAt >= link.changedAt || twitter.userID == unlinkingTwitter
            {
                stored = try AccountStore.unlinkTwitter(
                    db, twitter, ofAccount: before.id, rowID: rowID, reason: "address_change_undone", at: now)
                unlinked = twitter
            }
            try db.run(
                sql: "UPDATE email_change_undos SET used_at = ? WHERE token_hash = ?", arguments: [micros, tokenHash])
            // (ended as ``endPasswordResets(_:userRowID:at:)`` ends tokens: whatever another process's clock says)
            try db.run(
                sql: """
                    UPDATE email_change_undos SET expires_at = min(expires_at, ?1), used_at = ?1
                    WHERE user_id = ?2 AND id >= ?3 AND used_at IS NULL
                    """, arguments: [micros, rowID, link.id])
            try AccountStore.endEmailVerifications(db, userRowID: rowID, at: micros)
            try AccountStore.endPasswordResets(db, userRowID: rowID, at: micros)
            let ended = try AccountStore.endSessions(db, userRowID: rowID, at: micros)
            for key in failureKeys {
                try db.run(sql: "DELETE FROM sign_in_failures WHERE login_key = ?", arguments: [key])
            }
            // (the address the account leaves: the change's, or a later one's when the account moved again since)
            let left = before.email ?? link.replacedBy
            var details = Self.emailChangeDetails(from: left, to: link.email)
            details["method"] = "undo_link"
            details["sessions"] = "\(ended)"
            try AccountStore.insertEvent(
                db,
                AccountEvent(
                    kind: .emailChangeUndone, subject: before.id, actor: "user", details: details, occurredAt: now))
            guard var account = try AccountStore.account(db, rowID: rowID) else { return (.invalidToken, nil) }
            let signedIn =
                signingIn
                ? try AccountStore.recordSignInByLink(db, &account, rowID: rowID, method: "email_change_undo", at: now)
                : nil
            return (
                .undone(
                    account, restored: link.email, replaced: left, sessionsEnded: ended, unlinked: unlinked,
                    credential: nil, signedIn: signedIn), stored
            )
        }
        // (what an unlink removed leaves the -wal at once, as after any unlink or deletion)
        if case .undone(_, _, _, _, _?, _, _) = use { await checkpointWithoutWaiting() }
        guard case .undone(let account, let restored, let replaced, let ended, let unlinked?, _, let signedIn) = use
        else {
            return use
        }
        // (a value that cannot be opened is no token to revoke, logged; the undo itself is done)
        return .undone(
            account, restored: restored, replaced: replaced, sessionsEnded: ended, unlinked: unlinked,
            credential: openedToRevoke(stored, of: unlinked.userID, removedBy: "email_change_undo"), signedIn: signedIn)
    }

    /// Stores an undo link's token (its SHA-256, `tokenHash`) in `db`'s transaction: following it before `expiresAt`
    /// makes `email` the address of the account in row `userRowID` again, which `replacedBy` replaced at `micros`.
    static func insertUndoLink(
        _ db: Database, tokenHash: String, userRowID: Int64, email: String, replacedBy: String, at micros: Int64,
        expiresAt: Int64
    ) throws {
        // Rows that ended more than a day ago count for nothing: clear some away (all of them: `accounts purge`).
        try db.run(
            sql: """
                DELETE FROM email_change_undos WHERE id IN (
                    SELECT id FROM email_change_undos WHERE expires_at <= ? LIMIT 64)
                """, arguments: [micros - Int64(Self.passwordResetRetention * 1_000_000)])
        // Dated after the Twitter account linked now (an undo unlinks what is dated at or after its change): one
        // linked while the clock stood ahead (set back since, or another process's clock ahead) came before it.
        let linkedAt = try Int64.fetchOne(
            db, sql: "SELECT linked_at FROM twitter_identities WHERE user_id = ?", arguments: [userRowID])
        let changedAt = max(micros, linkedAt.map { $0 + 1 } ?? micros)
        try db.run(
            sql: """
                INSERT INTO email_change_undos (
                    token_hash, user_id, email, email_key, replaced_by, changed_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [tokenHash, userRowID, email, Mailbox.uniquenessKey(email), replacedBy, changedAt, expiresAt])
    }

    /// The row id of another account (not `other`) for which an undo link not used nor expired restores `email` (as
    /// the store compares addresses): the address is reserved for it while the link works, also while an operator
    /// keeps the account disabled (sorting out a takeover: enabled again, its link works again). A link whose stored
    /// key is not its address's key now reserves nothing by it (``reservesByItsKey(email:key:)``).
    static func undoReservation(_ db: Database, _ email: String, other: Int64?, now: Int64) throws -> Int64? {
        let key = Mailbox.uniquenessKey(email)
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT user_id, email FROM email_change_undos
                    WHERE email_key = ?1 AND used_at IS NULL AND expires_at > ?2 AND user_id IS NOT ?3
                    """), arguments: [key, now, other])
        while let row = try rows.next() {
            if reservesByItsKey(email: row[1], key: key) { return row[0] }
        }
        return nil
    }

    /// Whether a reservation of `email` stored with `key` holds that key: not when a former
    /// ``AccountMatching/Mailbox/uniquenessKey(_:)`` made it and another account held the address's key when the
    /// store gave reservations their key again (``planReservationKeys(_:stale:now:)``): that former key may be
    /// another address's key now, and would keep it from its own reservation's owner.
    static func reservesByItsKey(email: String, key: String) -> Bool {
        Mailbox.uniquenessKey(email) == key
    }

    /// The live undo link whose token hashes to `tokenHash`, of an active account.
    static func liveUndoLink(_ db: Database, tokenHash: String, now: Int64) throws -> (
        id: Int64, userRowID: Int64, email: String, replacedBy: String, changedAt: Int64
    )? {
        try Row.fetchOne(
            db,
            sql: """
                SELECT x.id, x.user_id, x.email, x.replaced_by, x.changed_at FROM email_change_undos x
                JOIN users u ON u.id = x.user_id
                WHERE x.token_hash = ? AND x.used_at IS NULL AND x.expires_at > ? AND u.status = 'active'
                """, arguments: [tokenHash, now]
        ).map { (id: $0[0], userRowID: $0[1], email: $0[2], replacedBy: $0[3], changedAt: $0[4]) }
    }
}

extension AccountStore {
    /// A live reservation whose stored key is not its address's uniqueness key: its row, account and address, and the
    /// key the address has now.
    typealias StaleReservation = (id: Int64, userRowID: Int64, email: String, key: String)

    /// The live reservations (undo links not used nor expired at `now`) whose stored `email_key` is not
    /// ``AccountMatching/Mailbox/uniquenessKey(_:)`` of their address, oldest first: what a change of that function
    /// leaves (a migration can clear `users.email_key`, not this NOT NULL column). Reads every live reservation (those
    /// of the changes of address of the last week or so: few) and computes its key; usually finds none.
    static func staleReservations(_ db: Database, now: Int64) throws -> [StaleReservation] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT id, user_id, email, email_key FROM email_change_undos
                WHERE used_at IS NULL AND expires_at > ? ORDER BY id
                """, arguments: [now]
        ).compactMap { row -> StaleReservation? in
            let email: String = row[2]
            let key = Mailbox.uniquenessKey(email)
            guard key != (row[3] as String) else { return nil }
            return (id: row[0] as Int64, userRowID: row[1] as Int64, email: email, key: key)
        }
    }

    /// Which stale reservations can take their address's key now, and which cannot because another account holds it:
    /// by its address (keyed or not keyed yet), or by a live reservation that is not stale or that comes earlier in
    /// `stale` (the one keyed first keeps the key, as with two addresses; ``EmailConflict``).
    static func planReservationKeys(
        _ db: Database, stale: [StaleReservation], now: Int64
    ) throws -> (rekey: [(id: Int64, key: String)], conflicts: [EmailConflict]) {
        guard !stale.isEmpty else { return ([], []) }
        let staleIDs = Set(stale.map(\.id))
        let account = try db.cachedStatement(sql: "SELECT username, email FROM users WHERE id = ?")
        let keyed = try db.cachedStatement(sql: "SELECT username, email FROM users WHERE email_key = ? AND id <> ?")
        let reserved = try db.cachedStatement(
            sql: """
                SELECT x.id, u.username, x.email FROM email_change_undos x JOIN users u ON u.id = x.user_id
                WHERE x.email_key = ?1 AND x.used_at IS NULL AND x.expires_at > ?2 AND x.user_id <> ?3 ORDER BY x.id
                """)
        // (addresses not keyed yet, by the key they will have: one pass, however many reservations are stale)
        var unkeyed: [String: Int64] = [:]
        for row in try unkeyedAddresses(db) {
            let key = Mailbox.uniquenessKey(row.email)
            if unkeyed[key] == nil { unkeyed[key] = row.id }
        }
        var claimed: [String: (userRowID: Int64, username: String, email: String)] = [:]
        var rekey: [(id: Int64, key: String)] = []
        var conflicts: [EmailConflict] = []
        for reservation in stale {
            let owner: String = try Row.fetchOne(account, arguments: [reservation.userRowID])?[0] ?? ""
            var holder: (username: String, email: String)?
            if let row = try Row.fetchOne(keyed, arguments: [reservation.key, reservation.userRowID]) {
                holder = (username: row[0] as String, email: row[1] as String)
            } else if let other = unkeyed[reservation.key], other != reservation.userRowID,
                let row = try Row.fetchOne(account, arguments: [other])
            {
                holder = (username: row[0] as String, email: row[1] as String)
            } else if let claim = claimed[reservation.key], claim.userRowID != reservation.userRowID {
                holder = (username: claim.username, email: claim.email)
            } else if let row = try Row.fetchAll(
                reserved, arguments: [reservation.key, now, reservation.userRowID]
            ).first(where: { !staleIDs.contains($0[0] as Int64) }) {
                holder = (username: row[1] as String, email: row[2] as String)
            }
            if let holder {
                conflicts.append(
                    EmailConflict(
                        username: owner, email: reservation.email, holderUsername: holder.username,
                        holderEmail: holder.email))
            } else {
                rekey.append((reservation.id, reservation.key))
                if claimed[reservation.key] == nil {
                    claimed[reservation.key] = (
                        userRowID: reservation.userRowID, username: owner, email: reservation.email
                    )
                }
            }
        }
        return (rekey, conflicts)
    }

    /// Gives the live reservations in `db`'s transaction the key their address has now (see
    /// ``planReservationKeys(_:stale:now:)``): how many were given it, and those left with their former key because
    /// another account holds it (nothing about them changes).
    static func rekeyReservations(_ db: Database, now: Int64) throws -> (Int, [EmailConflict]) {
        let plan = try planReservationKeys(db, stale: try staleReservations(db, now: now), now: now)
        for update in plan.rekey {
            try db.run(
                sql: "UPDATE email_change_undos SET email_key = ? WHERE id = ?", arguments: [update.key, update.id])
        }
        return (plan.rekey.count, plan.conflicts)
    }
}
