import AccountStore
import Foundation
import GRDB
import Migrations
import TestSupport
import Testing

/// The foreign-key check the runner makes before a migration commits, on a database that already held a row
/// referring to nothing before the migration ran.
extension MigrationRunnerTests {
    /// `PRAGMA foreign_key_check` reads the whole database, not what the migration changed: a row left referring to
    /// nothing earlier (deleted by hand with the `sqlite3` shell, whose foreign keys are off by default) is not the
    /// migration's doing, and does not stop it (only rows broken by the migration do).
    @Test func anOrphanRowFromBeforeTheMigrationDoesNotRollItBack() async throws {
        try await withTemporaryDirectory { dir throws in
            // Given a database whose child row 30 refers to a parent that was deleted by hand, foreign keys off
            let path = dir + "/a.sqlite"
            let schema = Self.parentAndChild
            _ = try AccountStore.migrate(StoreConfiguration(path: path), migrations: [schema])
            try executeSQL(
                path, "INSERT INTO parent VALUES (1, 'ann'), (3, 'cy'); INSERT INTO child VALUES (10, 1), (30, 3)")
            try executeSQLOutsideTransaction(path, "PRAGMA foreign_keys = OFF; DELETE FROM parent WHERE id = 3;")

            // When a migration that touches neither table is applied
            let unrelated = MigrationFile(
                fileName: "0002_add_notes.sql",
                contents: Array("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\n".utf8))

            // Then it is applied (the orphan was there before it: the migration did not make it)
            var failure: StoreError?
            do {
                _ = try AccountStore.migrate(StoreConfiguration(path: path), migrations: [schema, unrelated])
            } catch {
                failure = error as? StoreError
            }
            #expect(failure == nil, "an unrelated migration was refused: \(failure.map { "\($0)" } ?? "")")
            #expect(try historyVersions(path) == [1, 2])
        }
    }
}

/// The same baseline when the migration renames what an orphan's foreign key is made of: its column, or its parent
/// table. The orphan's table and the values in its foreign key stay; its columns or its parent's name do not.
extension MigrationRunnerTests {
    /// A database whose child row 30 refers to parent 3, deleted by hand with foreign keys off (child row 10 refers
    /// to parent 1, which exists).
    func databaseWithAnOrphan(in dir: String) throws -> String {
        let path = dir + "/a.sqlite"
        _ = try AccountStore.migrate(StoreConfiguration(path: path), migrations: [Self.parentAndChild])
        try executeSQL(
            path, "INSERT INTO parent VALUES (1, 'ann'), (3, 'cy'); INSERT INTO child VALUES (10, 1), (30, 3)")
        try executeSQLOutsideTransaction(path, "PRAGMA foreign_keys = OFF; DELETE FROM parent WHERE id = 3;")
        return path
    }

    /// A rebuild of `child` that renames `parent_id` to `p_id`, copying each row's parent as `copied` has it.
    static func renamingRebuild(copied: String = "parent_id") -> MigrationFile {
        MigrationFile(
            fileName: "0002_rename_parent_id.sql",
            contents: Array(
                """
                CREATE TABLE child_new (id INTEGER PRIMARY KEY,
                    p_id INTEGER NOT NULL REFERENCES parent (id) ON DELETE CASCADE);
                INSERT INTO child_new (id, p_id) SELECT id, \(copied) FROM child;
                DROP TABLE child;
                ALTER TABLE child_new RENAME TO child;

                """.utf8))
    }

    /// Until session 57 the orphan's foreign key was known by its column's name too: after the rename it looked new,
    /// and the migration was rolled back (`foreignKeyViolation`, child row 30) for a row it did not break.
    @Test func anOrphanFromBeforeDoesNotStopARebuildThatRenamesItsForeignKeyColumn() async throws {
        try await withTemporaryDirectory { dir throws in
            // Given child row 30 referring to nothing
            let path = try databaseWithAnOrphan(in: dir)

            // When a migration rebuilds the child table renaming parent_id to p_id
            var failure: StoreError?
            do {
                _ = try AccountStore.migrate(
                    StoreConfiguration(path: path), migrations: [Self.parentAndChild, Self.renamingRebuild()])
            } catch {
                failure = error as? StoreError
            }

            // Then it is applied, the orphan kept as it was
            #expect(failure == nil, "\(failure.map { "\($0)" } ?? "")")
            #expect(try historyVersions(path) == [1, 2])
            #expect(countQuery(path, "SELECT p_id FROM child WHERE id = 30") == 3)
        }
    }

    /// The same when the parent table is renamed (SQLite rewrites the child's `REFERENCES` to the new name).
    @Test func anOrphanFromBeforeDoesNotStopAMigrationThatRenamesItsParentTable() async throws {
        try await withTemporaryDirectory { dir throws in
            // Given child row 30 referring to nothing
            let path = try databaseWithAnOrphan(in: dir)

            // When a migration renames the parent table
            let rename = MigrationFile(
                fileName: "0002_rename_parent.sql", contents: Array("ALTER TABLE parent RENAME TO person;\n".utf8))
            var failure: StoreError?
            do {
                _ = try AccountStore.migrate(StoreConfiguration(path: path), migrations: [Self.parentAndChild, rename])
            } catch {
                failure = error as? StoreError
            }

            // Then it is applied, child's foreign key now naming `person`
            #expect(failure == nil, "\(failure.map { "\($0)" } ?? "")")
            #expect(try historyVersions(path) == [1, 2])
            #expect(
                countQuery(path, "SELECT count(*) FROM pragma_foreign_key_list('child') WHERE \"table\" = 'person'")
                    == 1)
        }
    }

    /// Orphans are counted, not collected: a renaming rebuild that leaves a second row referring to the same missing
    /// parent as the orphan from before is rolled back, naming the row it broke (10, whose rowid it kept), not the
    /// orphan from before.
    @Test func aRenamingRebuildThatAddsAnOrphanLikeTheOneFromBeforeIsRolledBackNamingIt() async throws {
        try await withTemporaryDirectory { dir throws in
            // Given child row 30 referring to parent 3, which does not exist
            let path = try databaseWithAnOrphan(in: dir)
            let before = try databaseDump(path)

            // When a renaming rebuild copies child row 10 as referring to parent 3 too
            let rebuild = Self.renamingRebuild(copied: "CASE id WHEN 10 THEN 3 ELSE parent_id END")

            // Then it is rolled back, naming row 10, and nothing changed
            #expect(
                throws: StoreError.migration(
                    .foreignKeyViolation(file: "0002_rename_parent_id.sql", table: "child", row: 10, parent: "parent"))
            ) {
                try AccountStore.migrate(StoreConfiguration(path: path), migrations: [Self.parentAndChild, rebuild])
            }
            #expect(try databaseDump(path) == before)
        }
    }

    /// A migration that renames the parent table and deletes a parent row still referred to is rolled back, naming
    /// the row it left referring to nothing, under the parent's new name.
    @Test func aParentRenameThatLeavesAnotherOrphanIsRolledBackNamingIt() async throws {
        try await withTemporaryDirectory { dir throws in
            // Given child row 30 referring to nothing, and child row 10 to parent 1
            let path = try databaseWithAnOrphan(in: dir)
            let before = try databaseDump(path)

            // When a migration renames the parent table and deletes parent 1
            let rename = MigrationFile(
                fileName: "0002_rename_parent.sql",
                contents: Array("ALTER TABLE parent RENAME TO person;\nDELETE FROM person WHERE id = 1;\n".utf8))

            // Then it is rolled back, naming row 10, and nothing changed
            #expect(
                throws: StoreError.migration(
                    .foreignKeyViolation(file: "0002_rename_parent.sql", table: "child", row: 10, parent: "person"))
            ) {
                try AccountStore.migrate(StoreConfiguration(path: path), migrations: [Self.parentAndChild, rename])
            }
            #expect(try databaseDump(path) == before)
        }
    }
}

/// The table-and-values pairing is for keys a migration renamed, not for two keys that both stayed.
extension MigrationRunnerTests {
    /// A migration that removes an orphan from before and, in the same table, leaves another row with the same value
    /// referring to nothing under another foreign key (one the table had all along) is rolled back, naming that row.
    /// Until session 58 the two were paired by their table and value alone, as if the key had been renamed, and the
    /// migration committed a row referring to nothing.
    @Test func anOrphanUnderAnotherKeyOfTheSameTableIsNotTakenForARenamedOne() async throws {
        try await withTemporaryDirectory { dir throws in
            // Given row 1 of t referring to p 5, which does not exist, and row 2 to q 5, which does
            let path = dir + "/a.sqlite"
            let schema = MigrationFile(
                fileName: "0001_two_parents.sql",
                contents: Array(
                    """
                    CREATE TABLE p (id INTEGER PRIMARY KEY);
                    CREATE TABLE q (id INTEGER PRIMARY KEY);
                    CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER REFERENCES p (id), b INTEGER REFERENCES q (id));

                    """.utf8))
            _ = try AccountStore.migrate(StoreConfiguration(path: path), migrations: [schema])
            try executeSQLOutsideTransaction(
                path,
                """
                PRAGMA foreign_keys = OFF;
                INSERT INTO q VALUES (5);
                INSERT INTO t VALUES (1, 5, NULL), (2, NULL, 5);
                """)
            let before = try databaseDump(path)

            // When a migration deletes row 1 (the orphan from before) and q 5, which row 2 refers to
            let swap = MigrationFile(
                fileName: "0002_swap_orphans.sql",
                contents: Array("DELETE FROM t WHERE id = 1;\nDELETE FROM q WHERE id = 5;\n".utf8))

            // Then it is rolled back, naming row 2 and its parent q, and nothing changed
            #expect(
                throws: StoreError.migration(
                    .foreignKeyViolation(file: "0002_swap_orphans.sql", table: "t", row: 2, parent: "q"))
            ) {
                try AccountStore.migrate(StoreConfiguration(path: path), migrations: [schema, swap])
            }
            #expect(try databaseDump(path) == before)
            #expect(try historyVersions(path) == [1])
        }
    }
}

/// Names that differ only in case are one name to SQLite, and to the baseline.
extension MigrationRunnerTests {
    /// A rebuild of `child` that spells its foreign key's column `Parent_Id`, or its parent `Parent`, keeps the key,
    /// and the orphan from before under it does not roll the rebuild back. (A reader caught the first version of
    /// session 58's renamed-keys-only pairing refusing it: the key counted as kept, but its identity as another.)
    @Test(arguments: [
        ("Parent_Id INTEGER NOT NULL REFERENCES parent (id) ON DELETE CASCADE", "Parent_Id"),
        ("parent_id INTEGER NOT NULL REFERENCES Parent (id) ON DELETE CASCADE", "parent_id"),
    ])
    func aRebuildThatRespellsTheKeyInAnotherCaseKeepsTheOrphanFromBefore(column: String, name: String) async throws {
        try await withTemporaryDirectory { dir throws in
            // Given child row 30 referring to nothing
            let path = try databaseWithAnOrphan(in: dir)

            // When a migration rebuilds the child table with the key spelt in another case
            let rebuild = MigrationFile(
                fileName: "0002_respell_child.sql",
                contents: Array(
                    """
                    CREATE TABLE child_new (id INTEGER PRIMARY KEY, \(column));
                    INSERT INTO child_new (id, \(name)) SELECT id, parent_id FROM child;
                    DROP TABLE child;
                    ALTER TABLE child_new RENAME TO child;

                    """.utf8))
            var failure: StoreError?
            do {
                _ = try AccountStore.migrate(
                    StoreConfiguration(path: path), migrations: [Self.parentAndChild, rebuild])
            } catch {
                failure = error as? StoreError
            }

            // Then it is applied, the orphan kept as it was
            #expect(failure == nil, "\(failure.map { "\($0)" } ?? "")")
            #expect(try historyVersions(path) == [1, 2])
            #expect(countQuery(path, "SELECT \(name) FROM child WHERE id = 30") == 3)
        }
    }
}
