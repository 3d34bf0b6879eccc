import AccountModel
import AccountStore
import Foundation
import Migrations
import TestSupport
import Testing

/// `accounts migrate` run by the operator while an app built against the schema before it keeps running: a store in
/// this process that carries every migration but the newest stands for the app, the command is a real `accounts`
/// process over the same file.
struct MigrateUnderRunningAppTests {
    /// The app's next write and read after `accounts migrate` applied a migration it does not carry (the binary's
    /// newest, which rebuilds `sign_in_failures`) throw ``StoreError/schemaAhead(path:version:knownVersion:)`` naming
    /// both versions, and change nothing; before that, a `migrate` with nothing to apply leaves the app working.
    @Test func anAppOpenedBeforeAMigrateRefusesItsNextWriteAndReadNamingBothVersions() async throws {
        try await withTemporaryDirectory { dir in
            // Given an app that carries every migration but the newest, open on a database migrated that far
            let older = Array(Migrations.sqlite.dropLast())
            let known = Int(older.last!.fileName.prefix(4))!
            let newest = Int(Migrations.sqlite.last!.fileName.prefix(4))!
            let database = dir + "/accounts.sqlite"
            _ = try AccountStore.migrate(StoreConfiguration(path: database), migrations: older)
            let app = try AccountStore(
                configuration: StoreConfiguration(path: database), keyRing: makeKeyRing(), migrations: older)
            defer { try? app.close() }
            let ann = try await app.createAccount(newAccount("ann"))
            let nothingNew = try await runAccounts(["--database", database, "migrate", "--to", "\(known)"])
            try #require(nothingNew.status == 0, "\(nothingNew.stderr)")
            _ = try await app.createAccount(newAccount("ben"))

            // When the operator runs the newer `accounts migrate` while the app runs
            let migrate = try await runAccounts(["--database", database, "migrate"])
            try #require(migrate.status == 0, "\(migrate.stderr)")
            let before = try databaseDump(database)

            // Then the app's next write and read say that it must be restarted with the newer build
            let expected = StoreError.schemaAhead(path: database, version: newest, knownVersion: known)
            await #expect(throws: expected) { try await app.createAccount(newAccount("cat")) }
            await #expect(throws: expected) { try await app.account(.id(ann.id)) }
            #expect(try databaseDump(database) == before)
            #expect(countQuery(database, "SELECT count(*) FROM users") == 2)
        }
    }
}
