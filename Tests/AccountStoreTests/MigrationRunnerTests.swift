import AccountStore
import Foundation
import GRDB
import Migrations
import TestSupport
import Testing

struct MigrationRunnerTests {
    static let first = MigrationFile(fileName: "0001_create_t.sql", contents: Array("CREATE TABLE t (a);\n".utf8))
    static let second = MigrationFile(
        fileName: "0002_add_u.sql", contents: Array("CREATE TABLE u (b);\nINSERT INTO u VALUES (1);\n".utf8))
    static let broken = MigrationFile(
        fileName: "0002_broken.sql",
        contents: Array("-- makes v, then fails\nCREATE TABLE v (c);\n\nCREATE TABEL w (d);\n".utf8))

    func history(_ path: String) throws -> [Row] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            try Row.fetchAll(
                db, sql: "SELECT version, name, checksum, applied_at, execution_micros FROM schema_migrations")
        }
    }

    func tables(_ path: String) throws -> [String] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        }
    }

    @Test func appliesEveryEmbeddedMigrationAndRecordsHistory() async throws {
        try await withTemporaryDirectory { dir throws in
            // Given a new database
            let path = dir + "/a.sqlite"

            // When migrating
            let report = try AccountStore.migrate(StoreConfiguration(path: path))

            // Then every migration is applied once, with checksum and timing recorded
            #expect(report.applied.map(\.version) == Migrations.sqlite.map { Int($0.fileName.prefix(4))! })
            let rows = try history(path)
            #expect(rows.count == Migrations.sqlite.count)
            for row in rows {
                let checksum: String = row["checksum"]
                #expect(checksum.count == 64)
                #expect((row["execution_micros"] as Int64) >= 0)
            }
            let status = try AccountStore.migrationStatus(path: path)
            #expect(status.allSatisfy { $0.state == .applied && $0.appliedAt != nil })
            // And a second run applies nothing
            #expect(try AccountStore.migrate(StoreConfiguration(path: path)).applied.isEmpty)
        }
    }

    @Test func checksumIgnoresLineEndingsAndByteOrderMark() async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/a.sqlite"
            _ = try AccountStore.migrate(StoreConfiguration(path: path), migrations: [Self.first, Self.second])

            // When the same files come back with CRLF line endings and a byte-order mark
            let crlf = MigrationFile(
                fileName: Self.second.fileName,
                contents: [0xEF, 0xBB, 0xBF]
                    + Array(
                        String(decoding: Self.second.contents, as: UTF8.self)
                            .replacingOccurrences(of: "\n", with: "\r\n").utf8))
            let status = try AccountStore.migrationStatus(path: path, migrations: [Self.first, crlf])

            // Then nothing looks edited
            #expect(status.map(\.state) == [.applied, .applied])
        }
    }

    @Test func failingMigrationRollsBackWholeAndNamesFileAndLine() async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/a.sqlite"

            // When the second migration has a syntax error on line 4
            #expect(
                throws: StoreError.migration(
                    .statementFailed(
                        file: "0002_broken.sql", line: 4, statement: "CREATE TABEL w (d);",
                        message: "near \"TABEL\": syntax error"))
            ) {
                try AccountStore.migrate(StoreConfiguration(path: path), migrations: [Self.first, Self.broken])
            }

            // Then the first stays applied, nothing of the second exists (not even its first statement's table)
            #expect(try tables(path) == ["schema_migrations", "t"])
            #expect(try history(path).map { $0["version"] as Int } == [1])
        }
    }

    /// A statement after a `/* … */` comment is named by its own line and text, not the comment's.
    @Test func aFailingStatementAfterABlockCommentIsNamedByItsOwnLine() async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/a.sqlite"
            let commented = MigrationFile(
                fileName: "0002_commented.sql",
                contents: Array("/* makes w,\n   in two lines */\n\nCREATE TABEL w (d);\n".utf8))
            #expect(
                throws: StoreError.migration(
                    .statementFailed(
                        file: "0002_commented.sql", line: 4, statement: "CREATE TABEL w (d);",
                        message: "near \"TABEL\": syntax error"))
            ) {
                try AccountStore.migrate(StoreConfiguration(path: path), migrations: [Self.first, commented])
            }
            #expect(try history(path).map { $0["version"] as Int } == [1])
        }
    }

    @Test func editedMigrationStopsTheRunBeforeAnythingChanges() async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/a.sqlite"
            _ = try AccountStore.migrate(StoreConfiguration(path: path), migrations: [Self.first])
            let before = try databaseDump(path)
            let bytes = fileDigest(path)

            // When the applied file was edited and a new one is pending
            let edited = MigrationFile(fileName: Self.first.fileName, contents: Array("CREATE TABLE t (a, z);\n".utf8))
            do throws(StoreError) {
                _ = try AccountStore.migrate(StoreConfiguration(path: path), migrations: [edited, Self.second])
                Issue.record("an edited migration was accepted")
            } catch {
                guard case .migration(.modified(let version, let name, _, _)) = error else {
                    Issue.record("unexpected error \(error)")
                    return
                }
                #expect(version == 1 && name == "create_t")
                #expect(error.description.contains("was edited after it was applied"))
            }

            // Then the pending one did not run
            #expect(try tables(path) == ["schema_migrations", "t"])
            #expect(try databaseDump(path) == before)
            // (the file itself untouched: the history is read before the file is opened for writing)
            #expect(fileDigest(path) == bytes)
            let status = try AccountStore.migrationStatus(path: path, migrations: [edited, Self.second])
            #expect(status.map(\.state) == [.modified, .pending])
        }
    }

    /// The refusal of an edited migration quotes the checksum recorded when it was applied and the file's current one:
    /// it printed the current one twice ("checksum 1b2c… applied, 1b2c… now"), which read as no edit at all.
    @Test func anEditedMigrationIsReportedWithTheAppliedAndTheCurrentChecksum() async throws {
        try await withTemporaryDirectory { dir throws in
            // Given 0001 applied, then edited
            let path = dir + "/a.sqlite"
            _ = try AccountStore.migrate(StoreConfiguration(path: path), migrations: [Self.first])
            let recorded: String = try #require(try history(path).first?["checksum"])
            let edited = MigrationFile(fileName: Self.first.fileName, contents: Array("CREATE TABLE t (a, z);\n".utf8))
            let current = try #require(
                try AccountStore.migrationStatus(path: path, migrations: [edited]).first?.checksum)
            #expect(current != recorded)

            // When migrating with the edited file, and when opening a store with it
            var errors: [StoreError] = []
            do throws(StoreError) {
                _ = try AccountStore.migrate(StoreConfiguration(path: path), migrations: [edited])
            } catch {
                errors.append(error)
            }
            do throws(StoreError) {
                _ = try AccountStore(configuration: StoreConfiguration(path: path), keyRing: nil, migrations: [edited])
            } catch {
                errors.append(error)
            }

            // Then both name the recorded checksum as applied and the file's as current
            let expected = StoreError.migration(
                .modified(version: 1, name: "create_t", appliedChecksum: recorded, currentChecksum: current))
            #expect(errors == [expected, expected])
            #expect(
                errors.first?.description.contains(
                    "(checksum \(recorded) applied, \(current) in this build)") == true)
        }
    }

    @Test func missingAndUnknownMigrationsAreReportedAndRefused() async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/a.sqlite"
            _ = try AccountStore.migrate(StoreConfiguration(path: path), migrations: [Self.first, Self.second])
            let third = MigrationFile(fileName: "0003_c.sql", contents: Array("CREATE TABLE c (x);".utf8))

            // A binary that lacks 0001 but has 0003: 0001 is missing
            let status = try AccountStore.migrationStatus(path: path, migrations: [Self.second, third])
            #expect(status.map(\.state) == [.missing, .applied, .pending])
            #expect(throws: StoreError.migration(.missing(version: 1, name: "create_t"))) {
                try AccountStore.migrate(StoreConfiguration(path: path), migrations: [Self.second, third])
            }

            // An older binary that knows only 0001: 0002 is unknown (a newer binary applied it)
            let older = try AccountStore.migrationStatus(path: path, migrations: [Self.first])
            #expect(older.map(\.state) == [.applied, .unknown])
            #expect(throws: StoreError.migration(.unknown(version: 2, name: "add_u"))) {
                try AccountStore.migrate(StoreConfiguration(path: path), migrations: [Self.first])
            }
            #expect(try tables(path) == ["schema_migrations", "t", "u"])
        }
    }

    @Test func emptyMigrationSetIsRefused() async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/a.sqlite"
            #expect(throws: StoreError.migration(.noMigrations)) {
                try AccountStore.migrate(StoreConfiguration(path: path), migrations: [])
            }
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test func badFileNameIsRefused() async throws {
        try await withTemporaryDirectory { dir throws in
            let bad = MigrationFile(fileName: "1_Create.sql", contents: Array("SELECT 1;".utf8))
            #expect(throws: StoreError.migration(.invalidFileName("1_Create.sql"))) {
                try AccountStore.migrate(StoreConfiguration(path: dir + "/a.sqlite"), migrations: [bad])
            }
        }
    }

    /// SQLite stops reading a statement at a NUL byte, so `CREATE TABLE a(x);\0CREATE TABLE b(y);` ran table a
    /// alone and was recorded as applied; bytes that are not UTF-8 would run changed. Both are refused before
    /// anything is written, naming file and line.
    @Test(arguments: [
        (Array("CREATE TABLE a (x);\n".utf8) + [0] + Array("CREATE TABLE b (y);\n".utf8), 2, "a NUL byte"),
        (Array("-- ok\nCREATE TABLE a (x);\n-- caf".utf8) + [0xE9] + Array("\n".utf8), 3, "bytes that are not UTF-8"),
    ])
    func aFileThatIsNotPlainTextIsRefusedAndNothingIsWritten(_ contents: [UInt8], _ line: Int, _ problem: String)
        async throws
    {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/a.sqlite"
            let file = MigrationFile(fileName: "0001_create_a.sql", contents: contents)
            #expect(throws: StoreError.migration(.invalidText(file: "0001_create_a.sql", line: line, problem: problem)))
            {
                try AccountStore.migrate(StoreConfiguration(path: path), migrations: [file])
            }
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test func targetAndDryRun() async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/a.sqlite"
            // A dry run on a missing file reports everything and creates nothing
            let dry = try AccountStore.migrate(StoreConfiguration(path: path), dryRun: true)
            #expect(dry.dryRun && dry.applied.count == Migrations.sqlite.count)
            #expect(!FileManager.default.fileExists(atPath: path))

            // --to stops at the target
            let partial = try AccountStore.migrate(StoreConfiguration(path: path), to: 2)
            #expect(partial.applied.map(\.version) == [1, 2] && partial.currentVersion == 2)
            #expect(try history(path).count == 2)

            // A target below what is applied is refused; an unknown one too
            let all = try AccountStore.migrate(StoreConfiguration(path: path))
            let latest = Int(Migrations.sqlite.last!.fileName.prefix(4))!
            #expect(all.currentVersion == latest)
            #expect(throws: StoreError.migration(.targetBelowApplied(target: 1, applied: latest))) {
                try AccountStore.migrate(StoreConfiguration(path: path), to: 1)
            }
            #expect(throws: StoreError.migration(.targetNotFound(99))) {
                try AccountStore.migrate(StoreConfiguration(path: path), to: 99)
            }
        }
    }

    /// A migration that ends its own transaction (`COMMIT;` or `END;` between statements) would be half applied: what
    /// ran before the `COMMIT` committed, the failure after it reported as "rolled back", no history row, and every
    /// later run stopped at its first statement ("table v already exists"). Such a file is refused when it is read,
    /// naming the file, line and keyword, before anything runs.
    @Test(arguments: ["COMMIT", "END", "commit transaction", "BEGIN", "ROLLBACK", "SAVEPOINT s", "RELEASE s"])
    func aMigrationThatControlsItsOwnTransactionIsRefusedBeforeAnythingRuns(_ statement: String) async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/a.sqlite"
            _ = try AccountStore.migrate(StoreConfiguration(path: path), migrations: [Self.first])
            let before = try databaseDump(path)
            let half = MigrationFile(
                fileName: "0002_half.sql",
                contents: Array("CREATE TABLE v (c);\n-- done\n  \(statement);\nCREATE TABEL w (d);\n".utf8))
            let keyword = String(statement.prefix { $0 != " " }).uppercased()
            #expect(
                throws: StoreError.migration(.transactionStatement(file: "0002_half.sql", line: 3, keyword: keyword))
            ) {
                try AccountStore.migrate(StoreConfiguration(path: path), migrations: [Self.first, half])
            }
            // Then nothing of 0002 ran: the history and the schema are as they were
            #expect(try databaseDump(path) == before)
            #expect(try tables(path) == ["schema_migrations", "t"])
        }
    }

    /// A trigger's `BEGIN … END` is part of its `CREATE TRIGGER` statement, not a transaction of its own.
    @Test func aTriggerBodyIsNoTransactionStatement() async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/a.sqlite"
            let trigger = MigrationFile(
                fileName: "0002_add_trigger.sql",
                contents: Array(
                    """
                    CREATE TABLE log (a);
                    CREATE TRIGGER t_logged AFTER INSERT ON t
                    BEGIN
                        INSERT INTO log VALUES (new.a);
                    END;

                    """.utf8))
            _ = try AccountStore.migrate(StoreConfiguration(path: path), migrations: [Self.first, trigger])
            #expect(try history(path).map { $0["version"] as Int } == [1, 2])
        }
    }

    /// A migration the binary has that is older than the newest applied one (a file added with a lower number after a
    /// later one shipped): applying it after the later one runs the schema's steps in another order than on a new
    /// database. It stops the run before anything changes, as an edited, missing or unknown migration does (until
    /// session 38 `migrate` applied it silently).
    @Test func aPendingMigrationOlderThanTheNewestAppliedStopsTheRun() async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/a.sqlite"
            let third = MigrationFile(fileName: "0003_c.sql", contents: Array("CREATE TABLE c (x);\n".utf8))
            let inserted = MigrationFile(fileName: "0002_b.sql", contents: Array("CREATE TABLE b (x);\n".utf8))
            _ = try AccountStore.migrate(StoreConfiguration(path: path), migrations: [Self.first, third])
            let before = try databaseDump(path)

            #expect(throws: StoreError.migration(.outOfOrder(version: 2, name: "b", newestApplied: 3))) {
                try AccountStore.migrate(StoreConfiguration(path: path), migrations: [Self.first, inserted, third])
            }
            // (a dry run says the same)
            #expect(throws: StoreError.migration(.outOfOrder(version: 2, name: "b", newestApplied: 3))) {
                try AccountStore.migrate(
                    StoreConfiguration(path: path), dryRun: true, migrations: [Self.first, inserted, third])
            }
            #expect(try databaseDump(path) == before)
            #expect(try tables(path) == ["c", "schema_migrations", "t"])
        }
    }
}
