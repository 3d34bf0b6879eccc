import Foundation
import TestSupport
import Testing

/// The commands that read the migration history, on a history table rebuilt `WITHOUT ROWID` (by hand, or by another
/// tool's making): the history is read without `rowid`, which such a table does not have.
struct WithoutRowidHistoryTests {
    /// A `WITHOUT ROWID` history table holding exactly our columns and rows is read as any other (selecting `rowid`,
    /// to name a malformed row, stopped every command with SQLite's "no such column: rowid").
    @Test(arguments: HandEditedHistoryTests.historyReaders)
    func aWithoutRowidHistoryTableIsStillRead(_ arguments: [String]) async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/a.sqlite"
            let migrate = try await runAccounts(["--database", database, "migrate"])
            #expect(migrate.status == 0, "\(migrate.stderr)")
            try executeSQL(
                database,
                """
                ALTER TABLE schema_migrations RENAME TO old_history;
                CREATE TABLE schema_migrations (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL,
                    applied_at INTEGER NOT NULL, execution_micros INTEGER NOT NULL) WITHOUT ROWID;
                INSERT INTO schema_migrations SELECT * FROM old_history;
                DROP TABLE old_history;
                """)
            let result = try await runAccounts(["--database", database] + arguments)
            #expect(result.status == 0, "\(arguments): exit \(result.status): \(result.stderr.prefix(300))")
            #expect(!result.stderr.contains("no such column: rowid"))
        }
    }
}
