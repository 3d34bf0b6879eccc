import AccountModel
import AccountStore
import Foundation
import Migrations
import TestSupport
import Testing

/// A store stays open (an app running) while another connection migrates its database past the newest migration the
/// store carries, as a newer build's `accounts migrate` does during an upgrade.
struct MigratedUnderOpenStoreTests {
    /// The newest version this binary carries.
    static let known = Int(Migrations.sqlite.last!.fileName.prefix(4))!

    /// A newer build's migration that rebuilds `users` as SQLite documents it (create new, copy, drop, rename),
    /// folding `first_name` and `last_name` into one `display_name`.
    static let rebuildsUsers = MigrationFile(
        fileName: "\(known + 1)_fold_users_names".leftPadded() + ".sql",
        contents: Array(
            """
            CREATE TABLE users_new (
                id INTEGER PRIMARY KEY,
                public_id TEXT NOT NULL UNIQUE CHECK (length(public_id) = 36 AND public_id = lower(public_id)),
                username TEXT NOT NULL COLLATE NOCASE UNIQUE,
                email TEXT COLLATE NOCASE UNIQUE,
                email_mailbox TEXT,
                email_rules_version INTEGER,
                display_name TEXT,
                password_hash TEXT,
                status TEXT NOT NULL DEFAULT 'active',
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                last_sign_in_at INTEGER,
                email_key TEXT,
                email_verified_at INTEGER
            );
            INSERT INTO users_new
            SELECT id, public_id, username, email, email_mailbox, email_rules_version,
                   trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')), password_hash, status,
                   created_at, updated_at, last_sign_in_at, email_key, email_verified_at
            FROM users;
            DROP TABLE users;
            ALTER TABLE users_new RENAME TO users;
            CREATE UNIQUE INDEX users_email_key ON users (email_key) WHERE email_key IS NOT NULL;

            """.utf8))

    /// A newer build's migration that renames the column the already-registered check looks accounts up by: that
    /// check's statement, prepared before, no longer compiles.
    static let renamesTwitterUserID = MigrationFile(
        fileName: "\(known + 1)_rename_twitter_user_id".leftPadded() + ".sql",
        contents: Array("ALTER TABLE twitter_identities RENAME COLUMN twitter_user_id TO x_user_id;\n".utf8))

    /// A newer build's migration that changes no schema, only what a column means: account times in seconds rather
    /// than microseconds.
    static let changesUnits = MigrationFile(
        fileName: "\(known + 1)_users_times_in_seconds".leftPadded() + ".sql",
        contents: Array(
            """
            UPDATE users SET created_at = created_at / 1000000, updated_at = updated_at / 1000000,
                last_sign_in_at = last_sign_in_at / 1000000;

            """.utf8))

    /// An app's store whose database another connection migrates to `newer` while the store stays open: the store's
    /// next write and reads throw ``StoreError/schemaAhead(path:version:knownVersion:)``, naming both versions, rather
    /// than SQLite's "no such column" for a rebuilt table, or a write in the units the newer build no longer reads for
    /// a migration that changes no schema; the write leaves no row behind.
    @Test(arguments: [rebuildsUsers, renamesTwitterUserID, changesUnits])
    func aStoreWhoseDatabaseIsMigratedPastItRefusesItsWritesAndReadsChangingNothing(newer: MigrationFile) async throws {
        try await withTemporaryDirectory { dir in
            // Given an app's store open on a migrated database, with one account
            let app = try makeStore(in: dir)
            defer { try? app.close() }
            let path = dir + "/accounts.sqlite"
            let ann = try await app.createAccount(newAccount("ann", email: "ann@example.org"))
            #expect(try app.accountID(twitterUserID: TwitterUserID(decimal: "9100")!) == nil)

            // When a newer build migrates the database from another connection
            let report = try AccountStore.migrate(
                StoreConfiguration(path: path), migrations: Migrations.sqlite + [newer])
            try #require(report.applied.map(\.version) == [Self.known + 1])
            let before = try databaseDump(path)

            // Then the app's next write and read say what happened and what to do
            let expected = StoreError.schemaAhead(path: path, version: Self.known + 1, knownVersion: Self.known)
            await #expect(throws: expected) { try await app.createAccount(newAccount("ben")) }
            await #expect(throws: expected) { try await app.account(.id(ann.id)) }
            await #expect(throws: expected) { try await app.accountCount() }
            // (the already-registered check, on its own connection, whose statement was prepared before the migration)
            #expect(throws: expected) { try app.accountID(twitterUserID: TwitterUserID(decimal: "9100")!) }
            #expect(
                expected.description
                    == "the database \(path) was migrated to version \(Self.known + 1) by another process while this "
                    + "app was running; this app knows migrations up to \(Self.known) only, so it read and changed "
                    + "nothing: restart it with a build that carries migration \(Self.known + 1)")
            // And nothing was written
            #expect(try databaseDump(path) == before)
        }
    }

    /// A `migrate` from another connection that applies nothing newer, and a rebuild of the file (`VACUUM`, which
    /// changes SQLite's schema cookie), leave an open store reading and writing as before.
    @Test func aMigrateThatBringsNothingNewerLeavesTheStoreWorking() async throws {
        try await withTemporaryDirectory { dir in
            // Given an app's store open on a migrated database
            let app = try makeStore(in: dir)
            defer { try? app.close() }
            let path = dir + "/accounts.sqlite"
            _ = try await app.createAccount(newAccount("ann"))

            // When `migrate` runs from another connection with nothing to apply, and the file is rebuilt
            #expect(try AccountStore.migrate(StoreConfiguration(path: path)).applied.isEmpty)
            try executeSQLOutsideTransaction(path, "VACUUM")

            // Then the store reads and writes as before
            _ = try await app.createAccount(newAccount("ben"))
            #expect(try await app.accountCount() == 2)
        }
    }
}

extension String {
    /// `17_x` as `0017_x`: a migration file name's four-digit version.
    fileprivate func leftPadded() -> String {
        let digits = prefix { $0.isNumber }
        return String(repeating: "0", count: max(0, 4 - digits.count)) + self
    }
}
