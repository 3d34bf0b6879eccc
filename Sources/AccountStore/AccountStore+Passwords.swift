package import AccountModel
package import Foundation
import GRDB

/// What password sign-in needs to know about an account; the hash never leaves the package.
package struct LoginRecord: Sendable {
    package var userID: UserID
    package var passwordHash: String?
    package var status: AccountStatus
    package var hasTwitter: Bool
}

extension AccountStore {
    /// The account whose username or email is `login` (case-insensitively, surrounding whitespace ignored).
    package func loginRecord(login: String) async throws(StoreError) -> LoginRecord? {
        let trimmed = EmailAddress.trim(login)
        return try await read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT users.public_id, users.password_hash, users.status, twitter_identities.id IS NOT NULL
                    FROM users LEFT JOIN twitter_identities ON twitter_identities.user_id = users.id
                    WHERE users.username = ?1 OR users.email = ?1 LIMIT 1
                    """, arguments: [trimmed]
            ).map(AccountStore.loginRecord(from:))
        }
    }

    /// The sign-in facts of the account `reference`.
    package func loginRecord(_ reference: AccountReference) async throws(StoreError) -> LoginRecord? {
        try await read { db in
            guard let record = try AccountStore.fetchUserRecord(db, reference) else { return nil }
            return try Row.fetchOne(
                db,
                sql: """
                    SELECT users.public_id, users.password_hash, users.status, twitter_identities.id IS NOT NULL
                    FROM users LEFT JOIN twitter_identities ON twitter_identities.user_id = users.id WHERE users.id = ?
                    """, arguments: [record.id]
            ).map(AccountStore.loginRecord(from:))
        }
    }

    static func loginRecord(from row: Row) -> LoginRecord {
        LoginRecord(
            userID: UserID(uncheckedRawValue: row[0]), passwordHash: row[1],
            status: AccountStatus(rawValue: row[2] as String) ?? .disabled, hasTwitter: row[3])
    }

    /// Sets (or, with `nil`, removes) the account's password hash and records `event`, in one transaction.
    ///
    /// Removing is refused with ``StoreError/lastSignInMethod(_:)`` when the account has no Twitter identity.
    package func setPasswordHash(
        _ hash: String?, for user: UserID, event: AccountEventKind?, actor: String
    ) async throws(StoreError) {
        let now = now()
        try await write { db in
            let record = try AccountStore.requireUserRecord(db, .id(user))
            if hash == nil {
                let linked = try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM twitter_identities WHERE user_id = ?)", arguments: [record.id])
                guard linked == true else { throw StoreError.lastSignInMethod(user) }
            }
            try db.run(
                sql: "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?",
                arguments: [hash, Timestamp.micros(now), record.id])
            if let event {
                try AccountStore.insertEvent(db, AccountEvent(kind: event, subject: user, actor: actor, occurredAt: now))
            }
        }
    }

    /// Records a successful sign-in: last sign-in time, a `signed_in` event, the login's failures cleared and, when
    /// given, the password hash replaced (a rehash with current parameters), in one transaction.
    package func recordSignIn(
        _ user: UserID, method: String, clearingFailuresFor loginKey: String?, newPasswordHash: String?
    ) async throws(StoreError) -> Account {
        let now = now()
        return try await write { db in
            var record = try AccountStore.requireUserRecord(db, .id(user))
            record.lastSignInAt = Timestamp.micros(now)
            if let newPasswordHash { record.passwordHash = newPasswordHash }
            try db.run(
                sql: "UPDATE users SET last_sign_in_at = ?, password_hash = ? WHERE id = ?",
                arguments: [record.lastSignInAt, record.passwordHash, record.id])
            if let loginKey {
                try db.run(sql: "DELETE FROM sign_in_failures WHERE login_key = ?", arguments: [loginKey])
            }
            try AccountStore.insertEvent(
                db, AccountEvent(kind: .signedIn, subject: user, actor: "user", details: ["method": method], occurredAt: now))
            return try AccountStore.attachTwitter(db, record)
        }
    }

    /// The times of the failed sign-ins for `loginKey` at or after `since`, oldest first.
    package func signInFailures(loginKey: String, since: Date) async throws(StoreError) -> [Date] {
        try await read { db in
            try Int64.fetchAll(
                db, sql: "SELECT failed_at FROM sign_in_failures WHERE login_key = ? AND failed_at >= ? ORDER BY failed_at",
                arguments: [loginKey, Timestamp.micros(since)]
            ).map(Timestamp.date)
        }
    }

    /// Records a failed (or refused) sign-in for `loginKey` and its audit event, in one transaction. Failures older
    /// than `forgetBefore` are dropped, so the table stays small.
    package func recordSignInFailure(
        loginKey: String, subject: UserID?, kind: AccountEventKind, countsAsFailure: Bool, forgetBefore: Date
    ) async throws(StoreError) {
        let now = now()
        try await write { db in
            try db.run(
                sql: "DELETE FROM sign_in_failures WHERE failed_at < ?", arguments: [Timestamp.micros(forgetBefore)])
            if countsAsFailure {
                try db.run(
                    sql: "INSERT INTO sign_in_failures (login_key, failed_at) VALUES (?, ?)",
                    arguments: [loginKey, Timestamp.micros(now)])
            }
            try AccountStore.insertEvent(
                db, AccountEvent(kind: kind, subject: subject, actor: "user", details: ["method": "password"], occurredAt: now))
        }
    }

    /// The store's clock (for services that share its notion of now).
    package var currentDate: Date { now() }
}
