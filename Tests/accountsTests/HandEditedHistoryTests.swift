import Foundation
import TestSupport
import Testing

/// `accounts migrate` and the commands that read the migration history, on a history edited by hand and on a
/// database path that is no regular file.
struct HandEditedHistoryTests {
    /// A migrated database whose last history row had `sql` run on it (`?` is that row's version).
    func editedDatabase(_ dir: String, _ set: String) async throws -> String {
        let database = dir + "/a.sqlite"
        let migrate = try await runAccounts(["--database", database, "migrate"])
        #expect(migrate.status == 0, "\(migrate.stderr)")
        try executeSQL(
            database,
            "UPDATE schema_migrations SET \(set) WHERE version = (SELECT max(version) FROM schema_migrations)")
        return database
    }

    static let historyReaders = [
        ["migrate"], ["migrations", "status"], ["migrations", "validate"], ["export", "--format", "jsonl"],
    ]

    /// An operator marking a migration applied by hand, in SQLite's usual way (`datetime('now')`; the column is
    /// `INTEGER NOT NULL`, but SQLite keeps text that does not look like a number as text). Every command that reads
    /// the history once trapped in GRDB's `Row` subscript (SIGILL, exit 132), and an app's store at start with it.
    @Test(arguments: historyReaders)
    func aHistoryRowWhoseTimeIsSQLitesOwnTextIsReadAsThatTime(_ arguments: [String]) async throws {
        try await withTemporaryDirectory { dir in
            let database = try await editedDatabase(dir, "applied_at = '2026-12-05 02:32:31'")
            let result = try await runAccounts(["--database", database] + arguments)
            #expect(result.status == 0, "\(arguments): exit \(result.status): \(result.stderr.prefix(300))")
            #expect(!result.stderr.contains("Fatal error"))
            let status = try await runAccounts(["--database", database, "migrations", "status", "--format", "json"])
            #expect(status.stdout.contains("\"applied_at\": \"2026-12-05T02:32:31Z\""), "\(status.stdout)")
        }
    }

    @Test func aHistoryRowWhoseTimeIsNoTimeIsShownWithoutOne() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await editedDatabase(dir, "applied_at = 'by hand', execution_micros = 'fast'")
            let status = try await runAccounts(["--database", database, "migrations", "status", "--format", "json"])
            #expect(status.status == 0, "\(status.stderr)")
            #expect(status.stdout.contains("\"state\": \"applied\""))
            #expect(status.stdout.contains("\"applied_at\": null"), "\(status.stdout)")
            #expect(try await runAccounts(["--database", database, "migrate"]).status == 0)
        }
    }

    /// A history table of another tool's making, whose versions are text (the column is `version TEXT`: in ours it
    /// is the integer primary key, which holds nothing else): refused naming the row, not trapped on.
    @Test(arguments: historyReaders)
    func aHistoryRowWhoseVersionIsNoIntegerIsRefusedNamingTheRow(_ arguments: [String]) async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/other.sqlite"
            try executeSQL(
                database,
                """
                CREATE TABLE schema_migrations (
                    version TEXT PRIMARY KEY, name TEXT, checksum TEXT, applied_at INTEGER, execution_micros INTEGER);
                INSERT INTO schema_migrations VALUES ('20240101120000', 'create_users', 'abc', 0, 0);
                """)
            let before = fileDigest(database)
            let result = try await runAccounts(["--database", database] + arguments)
            #expect(result.status == 1, "\(arguments): exit \(result.status)")
            #expect(
                result.stderr.contains(
                    "schema_migrations row 'create_users': version is the text '20240101120000', not an integer"),
                "\(arguments): \(result.stderr.prefix(400))")
            #expect(
                result.stderr.contains("UPDATE schema_migrations SET version = NNNN WHERE name = 'create_users'"))
            #expect(!result.stderr.contains("Fatal error"))
            #expect(fileDigest(database) == before)
        }
    }

    /// `--database` naming a FIFO (a named pipe left where the database was expected): `migrate`, `migrations status`
    /// and a reading command block for ever in SQLite's first read of the "file" (nobody writes to the pipe), instead of
    /// refusing it as no database as they refuse a directory. (`openPool`'s doc comment says anything but a regular
    /// file is refused untouched.)
    @Test(arguments: [["migrate"], ["migrations", "status"], ["export", "--format", "jsonl"]])
    func aFIFOIsRefusedAsNoDatabaseInsteadOfHanging(_ arguments: [String]) async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/pipe.sqlite"
            #expect(mkfifo(database, 0o600) == 0)

            let result = try await runAccountsWithDeadline(["--database", database] + arguments, seconds: 10)

            #expect(result != nil, "\(arguments): still running after 10 s (killed)")
            #expect(result?.status == 1, "\(arguments): exit \(String(describing: result?.status))")
            #expect(result?.stderr.contains(database) == true, "\(arguments): \(result?.stderr ?? "")")
        }
    }

    /// Runs `accounts` with `arguments`; `nil` when it was still running after `seconds` (it is then killed).
    func runAccountsWithDeadline(_ arguments: [String], seconds: Int) async throws -> (status: Int32, stderr: String)? {
        do {
            let result = try await runAccounts(arguments, limit: .seconds(seconds))
            return (result.status, result.stderr)
        } catch ChildProcess.Failure.timedOut {
            return nil
        }
    }
}
