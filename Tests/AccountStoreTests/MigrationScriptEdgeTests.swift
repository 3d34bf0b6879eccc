import AccountStore
import Foundation
import GRDB
import Migrations
import TestSupport
import Testing

/// The migration runner on files that hide a transaction statement behind a comment, and on migrations that rebuild
/// a table, against real SQLite files.
extension MigrationRunnerTests {
    /// A parent table and a child table whose rows go with their parent's (ON DELETE CASCADE).
    static let parentAndChild = MigrationFile(
        fileName: "0001_create_parent_child.sql",
        contents: Array(
            """
            CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
            CREATE TABLE child (id INTEGER PRIMARY KEY,
                parent_id INTEGER NOT NULL REFERENCES parent (id) ON DELETE CASCADE);

            """.utf8))

    func historyVersions(_ path: String) throws -> [Int] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            try Int.fetchAll(db, sql: "SELECT version FROM schema_migrations ORDER BY version")
        }
    }

    /// `/*/ … */` is one block comment to SQLite (the `*` of `/*` does not close it). The read-time check of
    /// transaction statements once ended the comment at the `*/` inside `/*/` and read the comment's words as the
    /// statement, so a `COMMIT` behind it ran and committed the statements before it.
    @Test func aCommitBehindASlashStarSlashCommentIsRefusedBeforeAnythingRuns() async throws {
        try await withTemporaryDirectory { dir throws in
            // Given a database with 0001 applied
            let path = dir + "/a.sqlite"
            _ = try AccountStore.migrate(StoreConfiguration(path: path), migrations: [Self.first])
            let before = try databaseDump(path)

            // When 0002 holds a COMMIT behind a `/*/ … */` comment, and fails after it
            let half = MigrationFile(
                fileName: "0002_half.sql",
                contents: Array("CREATE TABLE v (c);\n/*/ done */ COMMIT;\nCREATE TABEL w (d);\n".utf8))
            #expect(
                throws: StoreError.migration(.transactionStatement(file: "0002_half.sql", line: 2, keyword: "COMMIT"))
            ) {
                try AccountStore.migrate(StoreConfiguration(path: path), migrations: [Self.first, half])
            }

            // Then nothing of 0002 ran (table v committed without a history row would stop every later run of a
            // fixed 0002 at "table v already exists")
            let tablesAfter = try tables(path)
            let historyAfter = try historyVersions(path)
            #expect(tablesAfter == ["schema_migrations", "t"], "tables \(tablesAfter), history \(historyAfter)")
            #expect(try databaseDump(path) == before)
        }
    }

    /// A failing statement after a `/*/ … */` comment is named by its own line and text (the splitter once read `/*/`
    /// as a whole comment too, and named the comment's first line and words).
    @Test func aFailingStatementAfterASlashStarSlashCommentIsNamedByItsOwnLine() async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/a.sqlite"
            let commented = MigrationFile(
                fileName: "0002_commented.sql",
                contents: Array("/*/ makes w,\n   in two lines */\n\nCREATE TABEL w (d);\n".utf8))
            #expect(
                throws: StoreError.migration(
                    .statementFailed(
                        file: "0002_commented.sql", line: 4, statement: "CREATE TABEL w (d);",
                        message: "near \"TABEL\": syntax error"))
            ) {
                try AccountStore.migrate(StoreConfiguration(path: path), migrations: [Self.first, commented])
            }
            #expect(try historyVersions(path) == [1])
        }
    }

    /// Many schema changes in SQLite need a table rebuilt (SQLite's 12-step `ALTER TABLE` procedure: new table, copy,
    /// `DROP TABLE`, rename), which begins with `PRAGMA foreign_keys = OFF`, a pragma SQLite ignores inside the
    /// transaction each migration runs in. With foreign keys on, the `DROP TABLE` deleted every child row through
    /// `ON DELETE CASCADE` (for `users`: identities, tokens, sessions, resets, devices); the runner now turns them off
    /// around a migration and checks them before it commits.
    @Test func aTableRebuildMigrationKeepsTheChildRows() async throws {
        try await withTemporaryDirectory { dir throws in
            // Given a parent table and a child table with ON DELETE CASCADE, holding rows
            let path = dir + "/a.sqlite"
            let schema = Self.parentAndChild
            _ = try AccountStore.migrate(StoreConfiguration(path: path), migrations: [schema])
            try executeSQL(
                path, "INSERT INTO parent VALUES (1, 'ann'), (2, 'bob'); INSERT INTO child VALUES (10, 1), (20, 2)")

            // When a migration rebuilds the parent table as SQLite documents it (to add a CHECK constraint)
            let rebuild = MigrationFile(
                fileName: "0002_rebuild_parent.sql",
                contents: Array(
                    """
                    PRAGMA foreign_keys = OFF;
                    CREATE TABLE parent_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL CHECK (length(name) > 0));
                    INSERT INTO parent_new (id, name) SELECT id, name FROM parent;
                    DROP TABLE parent;
                    ALTER TABLE parent_new RENAME TO parent;
                    PRAGMA foreign_keys = ON;

                    """.utf8))
            _ = try AccountStore.migrate(StoreConfiguration(path: path), migrations: [schema, rebuild])

            // Then the parent rows were copied and the child rows are still there
            let queue = try DatabaseQueue(path: path)
            defer { try? queue.close() }
            let (parents, children) = try queue.read { db in
                (
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM parent") ?? -1,
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM child") ?? -1
                )
            }
            #expect(parents == 2)
            #expect(children == 2, "the rebuild's DROP TABLE cascaded to the child rows")
        }
    }

    /// A rebuild that leaves child rows pointing at nothing is rolled back whole, naming the file, table and row.
    @Test func aMigrationThatLeavesARowReferringToNothingIsRolledBack() async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/a.sqlite"
            let schema = Self.parentAndChild
            _ = try AccountStore.migrate(StoreConfiguration(path: path), migrations: [schema])
            try executeSQL(
                path, "INSERT INTO parent VALUES (1, 'ann'), (2, ''); INSERT INTO child VALUES (10, 1), (20, 2)")
            let before = try databaseDump(path)
            // (the copy keeps only the parents with a name: child 20 is left referring to parent 2)
            let lossy = MigrationFile(
                fileName: "0002_rebuild_parent.sql",
                contents: Array(
                    """
                    CREATE TABLE parent_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL CHECK (length(name) > 0));
                    INSERT INTO parent_new (id, name) SELECT id, name FROM parent WHERE name <> '';
                    DROP TABLE parent;
                    ALTER TABLE parent_new RENAME TO parent;

                    """.utf8))
            #expect(
                throws: StoreError.migration(
                    .foreignKeyViolation(file: "0002_rebuild_parent.sql", table: "child", row: 20, parent: "parent"))
            ) {
                try AccountStore.migrate(StoreConfiguration(path: path), migrations: [schema, lossy])
            }
            #expect(try databaseDump(path) == before)
            #expect(try historyVersions(path) == [1])
        }
    }

    /// Foreign keys are on again after a migration, on the store's connections.
    @Test func foreignKeysAreOnAgainAfterMigrating() async throws {
        try await withTemporaryDirectory { dir throws in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            #expect(try store.writerPragma("foreign_keys") == "1")
        }
    }
}
