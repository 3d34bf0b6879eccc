import AccountMatching
package import AccountModel
package import Foundation
import GRDB

/// What a request for an email confirmation link came to
/// (``AccountStore/issueEmailVerification(for:changingTo:checkedPasswordHash:tokenHash:lifetime:limit:window:)``).
package enum EmailVerificationIssue: Sendable, Equatable {
    /// A token was stored, ending the account's earlier ones; mail the link to `email`.
    case issued(Account, email: String, expiresAt: Date)
    /// The account's address is confirmed already (a confirmation was asked for).
    case alreadyVerified
    /// The account has no address (a confirmation was asked for), or is not active.
    case noAddress
    /// The account already had `limit` links issued within the window.
    case tooMany
    /// The account's password is no longer the one checked for the change (a reset or change came first).
    case passwordChanged
}

/// What following an email link came to (``AccountStore/verifyEmail(tokenHash:)``).
package enum EmailVerificationUse: Sendable, Equatable {
    /// The account's address is confirmed (`changed`: it is the link's new address now, `replaced` the one it had;
    /// `undoIssued`: a link that undoes the change was stored, as asked: the replaced address was confirmed).
    case verified(Account, changed: Bool, replaced: String?, undoIssued: Bool)
    /// The link is unknown, used, replaced or expired, its account is not active, or the account's address is no
    /// longer the one the link was made for.
    case invalidToken
    /// A change link, refused (nothing changed, the link still works) because the account's address is confirmed and
    /// the caller asked not to change a confirmed address (it had no way to tell it of the change).
    case changesConfirmedAddress
}

extension AccountStore {
    /// Stores an email link's token (only its SHA-256, `tokenHash`) for the active account `user`, ending the
    /// account's earlier ones, unless `limit` were issued within `window` (at most a day), and records
    /// `email_verification_requested`. One transaction.
    ///
    /// Without `changingTo`, the link confirms the account's current address (``EmailVerificationIssue/noAddress``
    /// without one, ``EmailVerificationIssue/alreadyVerified`` when it is confirmed). With it (an address already
    /// validated, not the account's), the link makes it the account's address; refused with
    /// ``StoreError/duplicate(_:)`` (``Field/email``) when another account has it, with
    /// ``StoreError/accountDisabled(_:)`` when the account is not active, and
    /// ``EmailVerificationIssue/passwordChanged`` unless the account's password hash is still `checkedPasswordHash`
    /// (the one the caller checked the current password against; `nil`: it had none): a reset or change made while
    /// the password was being checked wins.
    package func issueEmailVerification(
        for user: UserID, changingTo newEmail: EmailAddress? = nil, checkedPasswordHash: String? = nil,
        tokenHash: String, lifetime: TimeInterval, limit: Int, window: TimeInterval
    ) async throws(StoreError) -> EmailVerificationIssue {
        return try await write { db in
            let now = self.now()
            let micros = Timestamp.micros(now)
            let record = try AccountStore.requireUserRecord(db, .id(user))
            guard record.status == AccountStatus.active.rawValue, let rowID = record.id else {
                // A change is the person's request, refused with the reason; a confirmation is simply not sent.
                if newEmail != nil { throw StoreError.accountDisabled(user) }
                return .noAddress
            }
            let email: String
            if let newEmail {
                guard record.passwordHash == checkedPasswordHash else { return .passwordChanged }
                if try AccountStore.emailHolder(db, newEmail.rawValue, other: rowID, now: micros) != nil {
                    throw StoreError.duplicate(.email)
                }
                email = newEmail.rawValue
            } else {
                guard let current = record.email else { return .noAddress }
                guard record.emailVerifiedAt == nil else { return .alreadyVerified }
                email = current
            }
            // Rows that ended more than a day ago count for nothing: clear some away (all of them: `accounts purge`).
            try db.run(
                sql: """
                    DELETE FROM email_verifications WHERE id IN (
                        SELECT id FROM email_verifications WHERE expires_at <= ? LIMIT 64)
                    """, arguments: [Timestamp.micros(now.addingTimeInterval(-Self.passwordResetRetention))])
            // A request dated later than now counts as made now (as with reset links).
            try db.run(
                sql: "UPDATE email_verifications SET created_at = ?2 WHERE user_id = ?1 AND created_at > ?2",
                arguments: [rowID, micros])
            let recent =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM email_verifications WHERE user_id = ? AND created_at > ?",
                    arguments: [rowID, Timestamp.micros(now.addingTimeInterval(-window))]) ?? 0
            guard recent < limit else { return .tooMany }
            // A new confirmation link replaces the earlier ones, not a change of address under way; a change replaces
            // both (a confirmation of the address it replaces has nothing left to do).
            try AccountStore.endEmailVerifications(
                db, userRowID: rowID, at: micros, kind: newEmail == nil ? "confirm" : nil)
            let expiresAt = now.addingTimeInterval(lifetime)
            try db.run(
                sql: """
                    INSERT INTO email_verifications (
                        token_hash, user_id, kind, email, previous_email, created_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    tokenHash, rowID, newEmail == nil ? "confirm" : "change", email, record.email, micros,
                    Timestamp.micros(expiresAt),
                ])
            try AccountStore.insertEvent(
                db,
                AccountEvent(
                    kind: .emailVerificationRequested, subject: user, actor: "user",
                    details: newEmail == nil ? [:] : ["change": "true"], occurredAt: now))
            return .issued(
                try AccountStore.attachTwitter(db, record), email: email,
                expiresAt: Timestamp.date(Timestamp.micros(expiresAt)))
        }
    }

    /// The active account a live email link (`tokenHash`) is for, and the address it confirms, or `nil` (see
    /// ``EmailVerificationUse/invalidToken``).
    package func emailVerificationAccount(tokenHash: String) async throws(StoreError) -> (
        account: Account, email: String, change: Bool
    )? {
        let now = Timestamp.micros(now())
        return try await read { db in
            guard let link = try AccountStore.liveEmailLink(db, tokenHash: tokenHash, now: now),
                let account = try AccountStore.account(db, rowID: link.userRowID)
            else { return nil }
            return (account, link.email, link.change)
        }
    }

    /// Follows a live email link (`tokenHash`), in one transaction: a confirmation link marks the account's address
    /// confirmed; a change link makes its address the account's (confirmed), its normalised forms recomputed, and ends
    /// the account's password reset links (they were mailed to the old address). Either way the link and the
    /// account's other links end, and `email_verified` (or `email_changed`) is recorded. Nothing changes for a link
    /// that is not live; a change to an address another account took meanwhile is refused with
    /// ``StoreError/duplicate(_:)``.
    ///
    /// With `unlessConfirmedAddressChanges`, a change link is not followed when the account's address is confirmed
    /// (``EmailVerificationUse/changesConfirmedAddress``, nothing changed): checked in the transaction that would make
    /// the change, so a confirmation landing after the caller last looked cannot slip a change past its notice.
    ///
    /// With `undo`, a change that moves the account off a confirmed address also stores a link that undoes it (the
    /// SHA-256 of its token, working for `lifetime`; ``undoEmailChange(tokenHash:newHash:clearingFailuresFor:)``), for
    /// the notice to that address: `undoIssued` says whether it was.
    package func verifyEmail(
        tokenHash: String, unlessConfirmedAddressChanges: Bool = false,
        undo: (tokenHash: String, lifetime: TimeInterval)? = nil
    ) async throws(StoreError) -> EmailVerificationUse {
        return try await write { db in
            let now = self.now()
            let micros = Timestamp.micros(now)
            guard let link = try AccountStore.liveEmailLink(db, tokenHash: tokenHash, now: micros),
                var record = try UserRecord.fetchOne(
                    db, sql: "SELECT \(UserRecord.columns) FROM users WHERE id = ?", arguments: [link.userRowID])
            else { return .invalidToken }
            if link.change && unlessConfirmedAddressChanges && record.email != nil && record.emailVerifiedAt != nil {
                return .changesConfirmedAddress
            }
            let user = UserID(uncheckedRawValue: record.publicID)
            try db.run(
                sql: "UPDATE email_verifications SET used_at = ? WHERE token_hash = ?", arguments: [micros, tokenHash])
            // Following a confirmation link leaves a change under way alone, as asking for one does.
            try AccountStore.endEmailVerifications(
                db, userRowID: link.userRowID, at: micros, kind: link.change ? nil : "confirm")
            if link.change {
                if try AccountStore.emailHolder(db, link.email, other: link.userRowID, now: micros) != nil {
                    throw StoreError.duplicate(.email)
                }
                guard let mailbox = Mailbox.normalize(link.email) else {
                    throw StoreError.invalid([FieldError(.email, "has no mailbox name")])
                }
                let oldEmail = record.email
                let oldWasConfirmed = record.emailVerifiedAt != nil
                record.email = link.email
                record.emailMailbox = mailbox
                record.emailRulesVersion = Mailbox.rulesVersion
                record.emailVerifiedAt = micros
                record.updatedAt = micros
                // (the keys its failed sign-ins count under, read before the address changes: an address without a
                // uniqueness key counts under the account's own key, and the login key of its spelling is another's)
                let failureKeysBefore = try AccountStore.failureKeys(db, rowID: link.userRowID)
                do {
                    try db.run(
                        sql: """
                            UPDATE users SET email = ?, email_key = ?, email_mailbox = ?, email_rules_version = ?,
                                email_verified_at = ?, updated_at = ?
                            WHERE id = ?
                            """,
                        arguments: [
                            link.email, Mailbox.uniquenessKey(link.email), mailbox, Mailbox.rulesVersion, micros,
                            micros, link.userRowID,
                        ])
                } catch let error as DatabaseError
                    where error.resultCode == .SQLITE_CONSTRAINT
                    && StoreError.duplicateField(error.message ?? "") == .email
                {
                    // (the address taken meanwhile; any other constraint, a CHECK or a trigger, is no taken address:
                    // until session 60 each was reported as "email: is already taken")
                    throw StoreError.duplicate(.email)
                }
                try AccountStore.endPasswordResets(db, userRowID: link.userRowID, at: micros)
                // The failed sign-ins counted under the address it leaves go with it: that address no longer signs
                // in to the account, a new account with it must not inherit their count, and a deletion of this
                // account, which removes those of its username and address at that time, would not find them.
                // (not those of a login that still names the account: its new address, its username)
                let failureKeysAfter = try AccountStore.failureKeys(db, rowID: link.userRowID)
                for left in failureKeysBefore where !failureKeysAfter.contains(left) {
                    try db.run(sql: "DELETE FROM sign_in_failures WHERE login_key = ?", arguments: [left])
                }
                try AccountStore.insertEvent(
                    db,
                    AccountEvent(
                        kind: .emailChanged, subject: user, actor: "user",
                        details: Self.emailChangeDetails(from: oldEmail, to: link.email), occurredAt: now))
                var undoIssued = false
                if let undo, let oldEmail, oldWasConfirmed {
                    try AccountStore.insertUndoLink(
                        db, tokenHash: undo.tokenHash, userRowID: link.userRowID, email: oldEmail,
                        replacedBy: link.email, at: micros,
                        expiresAt: Timestamp.micros(now.addingTimeInterval(undo.lifetime)))
                    undoIssued = true
                }
                return .verified(
                    try AccountStore.attachTwitter(db, record), changed: true, replaced: oldEmail,
                    undoIssued: undoIssued)
            }
            if record.emailVerifiedAt == nil {
                record.emailVerifiedAt = micros
                try db.run(
                    sql: "UPDATE users SET email_verified_at = ? WHERE id = ?", arguments: [micros, link.userRowID])
                try AccountStore.insertEvent(
                    db,
                    AccountEvent(
                        kind: .emailVerified, subject: user, actor: "user", details: ["method": "link"],
                        occurredAt: now))
            }
            return .verified(
                try AccountStore.attachTwitter(db, record), changed: false, replaced: nil, undoIssued: false)
        }
    }

    /// An `email_changed` event's details: both addresses, so that the audit trail (and the person, on their account
    /// page) can tell which address an account moved from, as after a takeover. Deleting the account removes them
    /// from its events (``redactedDetailKeys``).
    static func emailChangeDetails(from old: String?, to new: String) -> [String: String] {
        var details = ["method": "link", "new_email": new]
        if let old { details["old_email"] = old }
        return details
    }

    /// The row id of another account (not `other`) whose address is `email` as the store compares addresses, stored
    /// keyed or not yet keyed, or for which a live undo link restores it (``undoReservation(_:_:other:now:)``).
    static func emailHolder(_ db: Database, _ email: String, other: Int64, now: Int64) throws -> Int64? {
        let key = Mailbox.uniquenessKey(email)
        if let keyed = try Int64.fetchOne(
            db, sql: "SELECT id FROM users WHERE email_key = ? AND id <> ?", arguments: [key, other])
        {
            return keyed
        }
        if let unkeyed = try unkeyedHolder(db, key: key), unkeyed != other { return unkeyed }
        return try undoReservation(db, email, other: other, now: now)
    }

    /// Ends the email links of the account in row `userRowID` at `micros`: their rows stay, to count the requests
    /// made. With `kind` (`confirm` or `change`), only the links of that kind. Ended means `used_at` set, whatever
    /// the clock of the process that reads the link says (as ``endPasswordResets(_:userRowID:at:)`` ends tokens).
    static func endEmailVerifications(_ db: Database, userRowID: Int64, at micros: Int64, kind: String? = nil) throws {
        try db.run(
            sql: """
                UPDATE email_verifications SET expires_at = min(expires_at, ?1), used_at = ?1
                WHERE user_id = ?2 AND used_at IS NULL AND (?3 IS NULL OR kind = ?3)
                """,
            arguments: [micros, userRowID, kind])
    }

    /// Ends the live change links of the account in row `userRowID` at `micros`: a password reset or change signs out
    /// whoever knew the old password, and a change that password (or a session it let in) asked for ends with it.
    static func endEmailChanges(_ db: Database, userRowID: Int64, at micros: Int64) throws {
        try endEmailVerifications(db, userRowID: userRowID, at: micros, kind: "change")
    }

    /// The live email link whose token hashes to `tokenHash`, of an active account whose address is still the one the
    /// link was made for (a confirmation: its address; a change: the address it had then).
    static func liveEmailLink(_ db: Database, tokenHash: String, now: Int64) throws -> (
        userRowID: Int64, email: String, change: Bool
    )? {
        try Row.fetchOne(
            db,
            sql: """
                SELECT v.user_id, v.email, v.kind = 'change' FROM email_verifications v JOIN users u ON u.id = v.user_id
                WHERE v.token_hash = ? AND v.used_at IS NULL AND v.expires_at > ? AND u.status = 'active'
                    AND ((v.kind = 'confirm' AND u.email = v.email)
                        OR (v.kind = 'change' AND u.email IS v.previous_email))
                """, arguments: [tokenHash, now]
        ).map { (userRowID: $0[0], email: $0[1], change: $0[2]) }
    }
}
