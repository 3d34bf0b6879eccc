package import AccountModel
package import Foundation
import GRDB

/// What a request for an email confirmation link came to
/// (``AccountStore/issueEmailVerification(for:tokenHash:lifetime:limit:window:)``).
package enum EmailVerificationIssue: Sendable, Equatable {
    /// A token was stored for the account's current address, ending its earlier ones; mail the link to `email`.
    case issued(Account, email: String, expiresAt: Date)
    /// The account's address is confirmed already.
    case alreadyVerified
    /// The account has no address, or is not active.
    case noAddress
    /// The account already had `limit` links issued within the window.
    case tooMany
}

extension AccountStore {
    /// Stores an email confirmation token (only its SHA-256, `tokenHash`) for the active account `user`'s current
    /// address, ending the account's earlier tokens, unless its address is confirmed already or `limit` were issued
    /// within `window` (at most a day). Records an `email_verification_requested` event. One transaction.
    package func issueEmailVerification(
        for user: UserID, tokenHash: String, lifetime: TimeInterval, limit: Int, window: TimeInterval
    ) async throws(StoreError) -> EmailVerificationIssue {
        let now = now()
        let micros = Timestamp.micros(now)
        return try await write { db in
            let record = try AccountStore.requireUserRecord(db, .id(user))
            guard record.status == AccountStatus.active.rawValue, let email = record.email, let rowID = record.id
            else { return .noAddress }
            guard record.emailVerifiedAt == nil else { return .alreadyVerified }
            // Rows that ended more than a day ago count for nothing: clear some away (all of them: `accounts purge`).
            try db.run(
                sql: """
                    DELETE FROM email_verifications WHERE id IN (
                        SELECT id FROM email_verifications WHERE expires_at <= ? LIMIT 64)
                    """, arguments: [Timestamp.micros(now.addingTimeInterval(-Self.passwordResetRetention))])
            let recent =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM email_verifications WHERE user_id = ? AND created_at > ?",
                    arguments: [rowID, Timestamp.micros(now.addingTimeInterval(-window))]) ?? 0
            guard recent < limit else { return .tooMany }
            try AccountStore.endEmailVerifications(db, userRowID: rowID, at: micros)
            let expiresAt = now.addingTimeInterval(lifetime)
            try db.run(
                sql: """
                    INSERT INTO email_verifications (token_hash, user_id, email, created_at, expires_at)
                    VALUES (?, ?, ?, ?, ?)
                    """, arguments: [tokenHash, rowID, email, micros, Timestamp.micros(expiresAt)])
            try AccountStore.insertEvent(
                db,
                AccountEvent(kind: .emailVerificationRequested, subject: user, actor: "user", occurredAt: now))
            return .issued(
                try AccountStore.attachTwitter(db, record), email: email,
                expiresAt: Timestamp.date(Timestamp.micros(expiresAt)))
        }
    }

    /// The active account a live confirmation token (`tokenHash`) is for, or `nil`: unknown, used, replaced or
    /// expired, or the account's address is no longer the one the link was sent to.
    package func emailVerificationAccount(tokenHash: String) async throws(StoreError) -> Account? {
        let now = Timestamp.micros(now())
        return try await read { db in
            guard let rowID = try AccountStore.liveVerificationUser(db, tokenHash: tokenHash, now: now) else {
                return nil
            }
            return try AccountStore.account(db, rowID: rowID)
        }
    }

    /// Marks the address of the account a live confirmation token (`tokenHash`) is for as confirmed, ends the token
    /// and the account's other tokens, and records an `email_verified` event, in one transaction; `nil`, and nothing
    /// changed, for a token that is not live (see ``emailVerificationAccount(tokenHash:)``).
    package func verifyEmail(tokenHash: String) async throws(StoreError) -> Account? {
        let now = now()
        let micros = Timestamp.micros(now)
        return try await write { db in
            guard let rowID = try AccountStore.liveVerificationUser(db, tokenHash: tokenHash, now: micros),
                var record = try UserRecord.fetchOne(
                    db, sql: "SELECT \(UserRecord.columns) FROM users WHERE id = ?", arguments: [rowID])
            else { return nil }
            try db.run(
                sql: "UPDATE email_verifications SET used_at = ? WHERE token_hash = ?", arguments: [micros, tokenHash])
            try AccountStore.endEmailVerifications(db, userRowID: rowID, at: micros)
            if record.emailVerifiedAt == nil {
                record.emailVerifiedAt = micros
                try db.run(
                    sql: "UPDATE users SET email_verified_at = ? WHERE id = ?", arguments: [micros, rowID])
                try AccountStore.insertEvent(
                    db,
                    AccountEvent(
                        kind: .emailVerified, subject: UserID(uncheckedRawValue: record.publicID), actor: "user",
                        details: ["method": "link"], occurredAt: now))
            }
            return try AccountStore.attachTwitter(db, record)
        }
    }

    /// Ends the live confirmation tokens of the account in row `userRowID` at `micros`: their rows stay, to count the
    /// requests made.
    static func endEmailVerifications(_ db: Database, userRowID: Int64, at micros: Int64) throws {
        try db.run(
            sql: "UPDATE email_verifications SET expires_at = ?1 WHERE user_id = ?2 AND expires_at > ?1",
            arguments: [micros, userRowID])
    }

    /// The row id of the active account whose live token hashes to `tokenHash` and whose address is still the one
    /// the link was sent to.
    static func liveVerificationUser(_ db: Database, tokenHash: String, now: Int64) throws -> Int64? {
        try Int64.fetchOne(
            db,
            sql: """
                SELECT v.user_id FROM email_verifications v JOIN users u ON u.id = v.user_id
                WHERE v.token_hash = ? AND v.used_at IS NULL AND v.expires_at > ? AND u.status = 'active'
                    AND u.email = v.email
                """, arguments: [tokenHash, now])
    }
}
