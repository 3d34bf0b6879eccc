import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import Migrations
import TestSupport
import Testing

/// The store's errors as an app developer reads them: an app that embeds the library has no `accounts migrate`,
/// `--database` or `--keys-file`, so each message names the library's way (the CLI says its own; see
/// `CommandLineAdviceTests`), and still names the thing at fault.
struct StoreErrorAdviceTests {
    /// No CLI flag or subcommand in a message an app reads.
    func expectNoCommandLineAdvice(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!text.contains("accounts "), "\(text)", sourceLocation: sourceLocation)
        #expect(!text.contains("--"), "\(text)", sourceLocation: sourceLocation)
    }

    @Test func aMissingDatabaseSaysHowAnAppCreatesIt() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/absent.sqlite"
            let error = try #require(throws: StoreError.self) {
                try AccountStore(configuration: StoreConfiguration(path: path), keyRing: nil)
            }
            #expect(error == .databaseMissing(path: path))
            #expect(
                error.description
                    == "no database at \(path); create it with AccountStore.migrate(_:), or open the store with "
                    + "schemaPolicy = .applyPendingMigrations")
            expectNoCommandLineAdvice(error.description)
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test func aDatabaseBehindSaysHowAnAppMigratesIt() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/behind.sqlite"
            _ = try AccountStore.migrate(StoreConfiguration(path: path), to: 3)
            let before = try databaseDump(path)
            let error = try #require(throws: StoreError.self) {
                try AccountStore(configuration: StoreConfiguration(path: path), keyRing: nil)
            }
            let pending = Migrations.sqlite.map { Int($0.fileName.prefix(4))! }.filter { $0 > 3 }
            #expect(error == .schemaBehind(path: path, pendingVersions: pending))
            #expect(error.description.hasPrefix("the database \(path) lacks migrations 4, 5, "), "\(error)")
            #expect(
                error.description.hasSuffix(
                    "; apply them with AccountStore.migrate(_:), or open the store with "
                        + "schemaPolicy = .applyPendingMigrations"), "\(error)")
            expectNoCommandLineAdvice(error.description)
            #expect(try databaseDump(path) == before)
        }
    }

    @Test func aFileThatIsNotSQLiteNamesTheConfiguredPath() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/notes.sqlite"
            try Data("not a database, only notes\n".utf8).write(to: URL(fileURLWithPath: path))
            var configuration = StoreConfiguration(path: path)
            configuration.schemaPolicy = .applyPendingMigrations
            let error = try #require(throws: StoreError.self) {
                try AccountStore(configuration: configuration, keyRing: nil)
            }
            #expect(error == .notADatabase(path: path))
            #expect(
                error.description
                    == "\(path) is not an SQLite database (wrong StoreConfiguration path?); it was left untouched")
            expectNoCommandLineAdvice(error.description)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "not a database, only notes\n")
        }
    }

    @Test func aMissingDirectorySaysWhatToDo() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/absent/accounts.sqlite"
            var configuration = StoreConfiguration(path: path)
            configuration.schemaPolicy = .applyPendingMigrations
            let error = try #require(throws: StoreError.self) {
                try AccountStore(configuration: configuration, keyRing: nil)
            }
            #expect(error == .directoryMissing(path: path))
            #expect(
                error.description
                    == "cannot create the database \(path): its directory does not exist; create the directory first, "
                    + "or give a path in one that does")
            #expect(!FileManager.default.fileExists(atPath: dir + "/absent"))
        }
    }

    /// A policy that never creates the database (the default `.requireCurrent`, or a read-only store) has no database
    /// to create: a missing directory means no database at that path, not "cannot create" with advice to make the
    /// directory, which alone would not let the store open.
    @Test(arguments: [false, true])
    func aMissingDirectoryWhereNothingIsCreatedSaysThereIsNoDatabase(readOnly: Bool) async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/absent/accounts.sqlite"
            var configuration = StoreConfiguration(path: path)
            if readOnly {
                configuration.schemaPolicy = .applyPendingMigrations
                configuration.readOnly = true
            }
            let error = try #require(throws: StoreError.self) {
                try AccountStore(configuration: configuration, keyRing: nil)
            }
            #expect(error == .databaseMissing(path: path))
            #expect(
                error.description
                    == "no database at \(path); create it with AccountStore.migrate(_:), or open the store with "
                    + "schemaPolicy = .applyPendingMigrations")
            expectNoCommandLineAdvice(error.description)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == [])
        }
    }

    /// The migration status and a dry run only read (a missing file in a directory that exists shows every
    /// migration pending, creating nothing): in a missing directory there is no database to read, which is what they
    /// say, not "cannot create"; a migration, which would create the file, still says to create the directory first.
    @Test func migrationStatusAndADryRunInAMissingDirectorySayThereIsNoDatabase() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/absent/accounts.sqlite"
            let status = try #require(throws: StoreError.self) { try AccountStore.migrationStatus(path: path) }
            #expect(status == .databaseMissing(path: path))
            expectNoCommandLineAdvice(status.description)
            let dryRun = try #require(throws: StoreError.self) {
                try AccountStore.migrate(StoreConfiguration(path: path), dryRun: true)
            }
            #expect(dryRun == .databaseMissing(path: path))
            let migration = try #require(throws: StoreError.self) {
                try AccountStore.migrate(StoreConfiguration(path: path))
            }
            #expect(migration == .directoryMissing(path: path))
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == [])
            // (beside it, in the directory that exists, a missing file is every migration pending, and not created)
            let beside = dir + "/accounts.sqlite"
            #expect(try AccountStore.migrationStatus(path: beside).allSatisfy { $0.state == .pending })
            #expect(try AccountStore.migrate(StoreConfiguration(path: beside), dryRun: true).applied.count > 0)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == [])
        }
    }

    /// A store opened without a ring names the ring it lacks and where `KeyRing.load` finds keys, not `--keys-file`.
    @Test func withoutAKeyRingTheErrorSaysHowAnAppGivesOne() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir, keyRing: nil)
            defer { try? store.close() }
            let ann = try await store.createAccount(newAccount("ann"))
            let error = await #expect(throws: StoreError.self) {
                try await store.linkTwitter(
                    twitterIdentity("1"), credential: TwitterCredential(token: "t", secret: Secret("s")),
                    to: .id(ann.id))
            }
            #expect(error == .noKeyRing)
            let text = error?.description ?? ""
            #expect(text.hasPrefix("no encryption keys configured: the store was opened without a key ring"), "\(text)")
            #expect(text.contains("KeyRing.load(keysFile:environment:)"), "\(text)")
            #expect(text.contains("`keysFile:` parameter"), "\(text)")
            #expect(text.contains("ACCOUNTS_KEYS_FILE or ACCOUNTS_KEYS"), "\(text)")
            expectNoCommandLineAdvice(text)
            #expect(try await store.account(.id(ann.id))?.twitter == nil)
        }
    }

    @Test func aFullDiskSaysWhatToDo() {
        #expect(
            StoreError.diskFull(path: "/srv/a.sqlite").description
                == "the disk holding /srv/a.sqlite is full; nothing of the failed change was kept: free space on it "
                + "and try again")
    }

    /// `migrate(_:to:)`'s target is its `to:` parameter (`--to` is the CLI's name for it); the database is unchanged.
    @Test func aBadMigrationTargetNamesTheParameter() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/a.sqlite"
            let latest = try AccountStore.migrate(StoreConfiguration(path: path)).currentVersion
            let before = try databaseDump(path)
            let below = try #require(throws: StoreError.self) {
                try AccountStore.migrate(StoreConfiguration(path: path), to: 1)
            }
            #expect(below == .migration(.targetBelowApplied(target: 1, applied: latest)))
            #expect(
                below.description
                    == "migration target 1 (the `to:` of AccountStore.migrate) is below the applied version \(latest); "
                    + "migrations are never undone: give \(latest) or above, or none")
            let unknown = try #require(throws: StoreError.self) {
                try AccountStore.migrate(StoreConfiguration(path: path), to: 99)
            }
            #expect(unknown == .migration(.targetNotFound(99)))
            #expect(
                unknown.description
                    == "migration target 99 (the `to:` of AccountStore.migrate): no migration has that version; give "
                    + "the version of one this binary carries, or none to apply them all")
            for error in [below, unknown] { expectNoCommandLineAdvice(error.description) }
            #expect(try databaseDump(path) == before)
        }
    }

    /// A history this binary cannot follow says which build can: not "the newer accounts", which an app is not.
    @Test func aMigrationMissingFromTheBinaryOrUnknownToItSaysWhichBuildToUse() {
        let missing = MigrationError.missing(version: 7, name: "0007_sessions").description
        #expect(
            missing
                == "migration 7 (0007_sessions) is applied in the database but missing from this binary; use a build "
                + "that carries it (the one that applied it, or a newer one)")
        let unknown = MigrationError.unknown(version: 99, name: "0099_future").description
        #expect(
            unknown
                == "the database has migration 99 (0099_future), newer than this binary knows; use a build that "
                + "carries it (the newer one that applied it)")
    }
}
