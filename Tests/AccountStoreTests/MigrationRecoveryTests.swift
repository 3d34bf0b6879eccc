import AccountStore
import Foundation
import GRDB
import Migrations
import TestSupport
import Testing

/// The migration runner on a database a crash left with a hot journal, on a table rebuild under an orphan row from
/// before, and on a foreign key that refers to no unique key, against real SQLite files.
extension MigrationRunnerTests {
    /// A database whose `t` holds 2,000 rows of 200 bytes (about 100 pages), with `first` applied.
    func databaseWithRows(_ dir: String) throws -> String {
        let path = dir + "/a.sqlite"
        _ = try AccountStore.migrate(StoreConfiguration(path: path), migrations: [Self.first])
        try executeSQL(
            path,
            """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
            INSERT INTO t SELECT printf('%0200d', i) FROM n
            """)
        return path
    }

    /// A writer killed mid-transaction in rollback-journal mode (the mode of an `accounts backup` copy, and of any
    /// file while the pool switches it to WAL) leaves a hot journal, which only a connection that may write rolls
    /// back. The migration's read-only pre-check read it as SQLite's `SQLITE_READONLY_ROLLBACK` and refused the file
    /// as "read-only; check its permissions", on every run: it is migrated now, the interrupted write rolled back.
    @Test func aDatabaseWithAHotJournalIsMigratedAndTheInterruptedWriteRolledBack() async throws {
        try await withTemporaryDirectory { dir throws in
            // Given a copy of a database taken while a writer had half of an update in the file
            let path = try databaseWithRows(dir)
            let copy = dir + "/copy.sqlite"
            try makeHotJournalCopy(of: path, to: copy, update: "UPDATE t SET a = 'changed'")
            #expect(FileManager.default.fileExists(atPath: copy + "-journal"))

            // When it is migrated
            var failure: StoreError?
            var applied: [Int] = []
            do {
                applied = try AccountStore.migrate(
                    StoreConfiguration(path: copy), migrations: [Self.first, Self.second]
                )
                .applied.map(\.version)
            } catch {
                failure = error as? StoreError
            }

            // Then the migration is applied over the rows as they were before the interrupted write
            #expect(failure == nil, "\(failure.map { "\($0)" } ?? "")")
            #expect(applied == [2])
            #expect(try historyVersions(copy) == [1, 2])
            #expect(countQuery(copy, "SELECT count(*) FROM t") == 2000)
            #expect(countQuery(copy, "SELECT count(*) FROM t WHERE a = 'changed'") == 0)
            #expect(try integrityCheck(copy) == ["ok"])
        }
    }

    /// A status or dry run only reads: it cannot roll a hot journal back, and leaves the file as it is. It said the
    /// database was "read-only; check its permissions", which sent the operator to the wrong place: it names the
    /// interrupted write now, and what rolls it back.
    @Test func aStatusOrDryRunOfADatabaseWithAHotJournalNamesTheInterruptedWrite() async throws {
        try await withTemporaryDirectory { dir throws in
            // Given a copy of a database with a hot journal
            let path = try databaseWithRows(dir)
            let copy = dir + "/copy.sqlite"
            try makeHotJournalCopy(of: path, to: copy, update: "UPDATE t SET a = 'changed'")
            let digests = (fileDigest(copy), fileDigest(copy + "-journal"))

            // When its status is read, and a dry run made
            var failures: [String] = []
            do {
                _ = try AccountStore.migrationStatus(path: copy, migrations: [Self.first, Self.second])
                failures.append("status: no error")
            } catch {
                failures.append("status: \(error)")
            }
            do {
                _ = try AccountStore.migrate(
                    StoreConfiguration(path: copy), dryRun: true, migrations: [Self.first, Self.second])
                failures.append("dry run: no error")
            } catch {
                failures.append("dry run: \(error)")
            }

            // Then both name the interrupted write and what rolls it back, not the permissions, and change nothing
            for failure in failures {
                #expect(failure.contains("a write to it was interrupted"), "\(failure)")
                #expect(failure.contains("AccountStore.migrate"), "\(failure)")
                #expect(!failure.contains("permissions"), "\(failure)")
            }
            #expect(fileDigest(copy) == digests.0)
            #expect(fileDigest(copy + "-journal") == digests.1)
        }
    }

    /// The interrupted write is rolled back (only a writer can), but the file was then switched to WAL mode (its
    /// header, a `-wal` and a `-shm`) before its history was checked: a newer build's database, restored with a hot
    /// journal and migrated by an older binary, was changed and then refused. It is refused now still in its own
    /// journal mode, as any file whose history this binary does not know is.
    @Test func aDatabaseWithAHotJournalAndAnUnknownMigrationIsRefusedInItsOwnJournalMode() async throws {
        try await withTemporaryDirectory { dir throws in
            // Given a copy, with a hot journal, of a database whose history holds migration 99, unknown to this set
            let path = try databaseWithRows(dir)
            try executeSQL(
                path,
                """
                INSERT INTO schema_migrations (version, name, checksum, applied_at, execution_micros)
                    SELECT 99, 'future', checksum, applied_at, execution_micros FROM schema_migrations WHERE version = 1
                """)
            let copy = dir + "/copy.sqlite"
            try makeHotJournalCopy(of: path, to: copy, update: "UPDATE t SET a = 'changed'")
            #expect(FileManager.default.fileExists(atPath: copy + "-journal"))

            // When it is migrated by a binary that knows migration 1 only
            var failure: StoreError?
            do {
                _ = try AccountStore.migrate(StoreConfiguration(path: copy), migrations: [Self.first])
            } catch {
                failure = error as? StoreError
            }

            // Then migration 99 is named, the interrupted write rolled back, and the file left in rollback-journal mode
            #expect(failure == .migration(.unknown(version: 99, name: "future")), "\(failure.map { "\($0)" } ?? "")")
            #expect(textQuery(copy, "PRAGMA journal_mode") == "delete")
            for suffix in ["-wal", "-shm", "-journal"] {
                #expect(!FileManager.default.fileExists(atPath: copy + suffix), "\(suffix)")
            }
            #expect(countQuery(copy, "SELECT count(*) FROM t WHERE a = 'changed'") == 0)
            #expect(try historyVersions(copy) == [1, 99])
        }
    }

    /// A store that migrates as it opens (`.applyPendingMigrations`: `accounts demo`, an app) refuses a database whose
    /// history it does not know before opening it for writing: until session 59 GRDB's probe had been committed and
    /// the file switched to WAL mode first (an app rolled back to an older build changed the newer build's file).
    @Test func aStoreThatMigratesAsItOpensRefusesAnUnknownHistoryUnchanged() async throws {
        try await withTemporaryDirectory { dir throws in
            let path = try databaseWithRows(dir)
            try executeSQL(
                path,
                """
                INSERT INTO schema_migrations (version, name, checksum, applied_at, execution_micros)
                    SELECT 99, 'future', checksum, applied_at, execution_micros FROM schema_migrations WHERE version = 1
                """)
            try executeSQLOutsideTransaction(path, "PRAGMA journal_mode = DELETE")
            let digest = fileDigest(path)
            var configuration = StoreConfiguration(path: path)
            configuration.schemaPolicy = .applyPendingMigrations
            var failure: StoreError?
            do {
                _ = try AccountStore(configuration: configuration, keyRing: nil, migrations: [Self.first])
            } catch {
                failure = error as? StoreError
            }
            #expect(failure == .migration(.unknown(version: 99, name: "future")), "\(failure.map { "\($0)" } ?? "")")
            #expect(fileDigest(path) == digest)
            #expect(textQuery(path, "PRAGMA journal_mode") == "delete")
            for suffix in ["-wal", "-shm"] {
                #expect(!FileManager.default.fileExists(atPath: path + suffix), "\(suffix)")
            }
        }
    }

    /// A parent, and a child without an integer primary key (its rowids are SQLite's own), as `account_devices` is.
    static let parentAndKeyedChild = MigrationFile(
        fileName: "0001_create_parent_keyed_child.sql",
        contents: Array(
            """
            CREATE TABLE parent (id INTEGER PRIMARY KEY);
            CREATE TABLE child (parent_id INTEGER NOT NULL REFERENCES parent (id) ON DELETE CASCADE,
                tag TEXT NOT NULL, PRIMARY KEY (parent_id, tag));

            """.utf8))

    /// The table rebuild README § Migrations documents (create, copy, drop, rename) gives the rows of a table
    /// without an integer primary key new rowids, closing the gaps deleted rows left. A row that referred to nothing
    /// before the migration (its parent deleted by hand, foreign keys off) then had another rowid after it, looked
    /// new, and rolled the migration back (`foreignKeyViolation`, child row 2): orphans are told apart by the
    /// child's key values now.
    @Test func aRebuildThatRenumbersTheRowidsOfAnOrphanFromBeforeIsApplied() async throws {
        try await withTemporaryDirectory { dir throws in
            // Given child (3, c), third by rowid, whose parent 3 was deleted by hand, after child (1, a) was deleted
            let path = dir + "/a.sqlite"
            let schema = Self.parentAndKeyedChild
            _ = try AccountStore.migrate(StoreConfiguration(path: path), migrations: [schema])
            try executeSQL(
                path,
                """
                INSERT INTO parent VALUES (1), (2), (3);
                INSERT INTO child VALUES (1, 'a'), (2, 'b'), (3, 'c');
                DELETE FROM child WHERE parent_id = 1;
                """)
            try executeSQLOutsideTransaction(path, "PRAGMA foreign_keys = OFF; DELETE FROM parent WHERE id = 3;")
            #expect(countQuery(path, "SELECT rowid FROM child WHERE parent_id = 3") == 3)

            // When a migration rebuilds the child table (to add a CHECK constraint)
            let rebuild = MigrationFile(
                fileName: "0002_rebuild_child.sql",
                contents: Array(
                    """
                    CREATE TABLE child_new (parent_id INTEGER NOT NULL REFERENCES parent (id) ON DELETE CASCADE,
                        tag TEXT NOT NULL CHECK (length(tag) > 0), PRIMARY KEY (parent_id, tag));
                    INSERT INTO child_new (parent_id, tag) SELECT parent_id, tag FROM child;
                    DROP TABLE child;
                    ALTER TABLE child_new RENAME TO child;

                    """.utf8))
            var failure: StoreError?
            do {
                _ = try AccountStore.migrate(StoreConfiguration(path: path), migrations: [schema, rebuild])
            } catch {
                failure = error as? StoreError
            }

            // Then it is applied, the orphan (now rowid 2) kept as it was
            #expect(failure == nil, "\(failure.map { "\($0)" } ?? "")")
            #expect(try historyVersions(path) == [1, 2])
            #expect(countQuery(path, "SELECT rowid FROM child WHERE parent_id = 3 AND tag = 'c'") == 2)
        }
    }

    /// The same rebuild, when it also leaves a row of its own referring to nothing, is still rolled back, naming it.
    @Test func aRebuildThatAddsAnOrphanNextToOneFromBeforeIsRolledBack() async throws {
        try await withTemporaryDirectory { dir throws in
            // Given child (3, c) referring to nothing, and child (2, b) referring to parent 2
            let path = dir + "/a.sqlite"
            let schema = Self.parentAndKeyedChild
            _ = try AccountStore.migrate(StoreConfiguration(path: path), migrations: [schema])
            try executeSQL(
                path,
                """
                INSERT INTO parent VALUES (1), (2), (3);
                INSERT INTO child VALUES (1, 'a'), (2, 'b'), (3, 'c');
                """)
            try executeSQLOutsideTransaction(path, "PRAGMA foreign_keys = OFF; DELETE FROM parent WHERE id = 3;")
            let before = try databaseDump(path)

            // When a rebuild copies child (2, b) as (4, b), to a parent that does not exist
            let rebuild = MigrationFile(
                fileName: "0002_rebuild_child.sql",
                contents: Array(
                    """
                    CREATE TABLE child_new (parent_id INTEGER NOT NULL REFERENCES parent (id) ON DELETE CASCADE,
                        tag TEXT NOT NULL, PRIMARY KEY (parent_id, tag));
                    INSERT INTO child_new (parent_id, tag)
                        SELECT CASE parent_id WHEN 2 THEN 4 ELSE parent_id END, tag FROM child ORDER BY rowid;
                    DROP TABLE child;
                    ALTER TABLE child_new RENAME TO child;

                    """.utf8))

            // Then it is rolled back, naming the row it broke (rowid 2 of the new table), and nothing changed
            #expect(
                throws: StoreError.migration(
                    .foreignKeyViolation(file: "0002_rebuild_child.sql", table: "child", row: 2, parent: "parent"))
            ) {
                try AccountStore.migrate(StoreConfiguration(path: path), migrations: [schema, rebuild])
            }
            #expect(try databaseDump(path) == before)
        }
    }

    /// A foreign key that refers to columns without a unique index (here one whose index is partial, as `users`'s
    /// `email_key` is) makes `PRAGMA foreign_key_check`, run before the migration commits, fail with SQLite's
    /// "foreign key mismatch". That escaped as a generic database error naming no file; it names the migration now.
    @Test func aForeignKeyMismatchMadeByAMigrationNamesItsFile() async throws {
        try await withTemporaryDirectory { dir throws in
            // Given a table whose column `k` is unique only where it is not NULL
            let path = dir + "/a.sqlite"
            let parent = MigrationFile(
                fileName: "0001_create_p.sql",
                contents: Array(
                    """
                    CREATE TABLE p (id INTEGER PRIMARY KEY, k TEXT);
                    CREATE UNIQUE INDEX p_k ON p (k) WHERE k IS NOT NULL;

                    """.utf8))
            _ = try AccountStore.migrate(StoreConfiguration(path: path), migrations: [parent])
            let before = try databaseDump(path)

            // When a migration makes a table that refers to `p (k)`
            let child = MigrationFile(
                fileName: "0002_create_c.sql",
                contents: Array("-- refers to p by k\nCREATE TABLE c (k TEXT REFERENCES p (k));\n".utf8))
            var failure: StoreError?
            do {
                _ = try AccountStore.migrate(StoreConfiguration(path: path), migrations: [parent, child])
            } catch {
                failure = error as? StoreError
            }

            // Then the error is the migration's, naming its file and SQLite's words, and nothing changed
            guard case .migration(.statementFailed(let file, let line, let statement, let message)) = failure else {
                Issue.record("not a failed migration: \(failure.map { "\($0)" } ?? "no error")")
                return
            }
            #expect(file == "0002_create_c.sql")
            #expect(line == 2)
            #expect(statement == "PRAGMA foreign_key_check")
            #expect(message.contains("foreign key mismatch - \"c\" referencing \"p\""), "\(message)")
            #expect(try databaseDump(path) == before)
        }
    }
}
