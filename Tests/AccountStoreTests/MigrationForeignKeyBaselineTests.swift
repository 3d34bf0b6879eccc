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
