import Foundation
import Migrations
import TestSupport
import Testing

/// `accounts migrate` when a migration fails after others of the same run committed, and on a database a crash left
/// with a hot journal.
extension MigrateCommandTests {
    /// Each migration commits on its own: when a later one fails, the earlier ones of the run stay applied. The
    /// command printed nothing of them (stdout empty, only "… failed and was rolled back" on stderr), which read as
    /// "nothing changed": an operator who then went back to the old build had every request refused (`schemaAhead`).
    /// Each is printed as it commits now, and the failure says what version the database is at.
    @Test func aFailedRunListsTheMigrationsItCommittedAndTheVersionTheDatabaseIsAt() async throws {
        try await withTemporaryDirectory { dir in
            // Given a database at version 8, with a table that migration 0010 creates already there
            let path = dir + "/a.sqlite"
            let setUp = try await runAccounts(["--database", path, "migrate", "--to", "8"])
            #expect(setUp.status == 0, "\(setUp.stderr)")
            try executeSQL(path, "CREATE TABLE password_resets (x)")

            // When migrating
            let migrate = try await runAccounts(["--database", path, "migrate"])

            // Then 0009 is applied and reported as such, 0010 is named as failed, and the database's version is said
            #expect(migrate.status == 1)
            #expect(migrate.stdout == "applied 0009 add_users_email_key\n", "\(migrate.stdout)")
            #expect(
                migrate.stderr.contains(
                    "0010_create_password_resets.sql:6: migration failed and was rolled back: table password_resets "
                        + "already exists"), "\(migrate.stderr)")
            #expect(
                migrate.stderr.contains(
                    "the database \(path) is at version 9: the 1 migration listed above (applied) stays applied"),
                "\(migrate.stderr)")
            #expect(countQuery(path, "SELECT max(version) FROM schema_migrations") == 9)
            #expect(countQuery(path, "SELECT count(*) FROM schema_migrations") == 9)
        }
    }

    /// A run that fails at its first migration says so too: nothing of it was applied, and the version is the one
    /// the database had.
    @Test func aRunThatFailsAtItsFirstMigrationSaysNothingOfItWasApplied() async throws {
        try await withTemporaryDirectory { dir in
            // Given a database at version 9, with a table that migration 0010 creates already there
            let path = dir + "/a.sqlite"
            #expect(try await runAccounts(["--database", path, "migrate", "--to", "9"]).status == 0)
            try executeSQL(path, "CREATE TABLE password_resets (x)")
            let before = try databaseDump(path)

            // When migrating
            let migrate = try await runAccounts(["--database", path, "migrate"])

            // Then nothing is reported applied, and the database is still at version 9
            #expect(migrate.status == 1)
            #expect(migrate.stdout.isEmpty, "\(migrate.stdout)")
            #expect(
                migrate.stderr.contains("the database \(path) is at version 9: no migration of this run was applied"),
                "\(migrate.stderr)")
            #expect(try databaseDump(path) == before)
        }
    }

    /// A copy of a database taken while a writer had half a transaction in it (rollback-journal mode: a backup copy,
    /// or a file being switched to WAL by `migrate`) has a hot journal. `migrate` refused it as "read-only; check its
    /// permissions" on every run: it migrates it now (a writer rolls the journal back), and the commands that only
    /// read (the migration reports, and `export`, which opens the store read-only) name the interrupted write and say
    /// to run `accounts migrate`.
    @Test func aDatabaseWithAHotJournalIsNamedSoByReadsAndMigratedByMigrate() async throws {
        try await withTemporaryDirectory { dir in
            // Given a copy, with a hot journal, of a migrated database
            let path = dir + "/a.sqlite"
            #expect(try await runAccounts(["--database", path, "migrate"]).status == 0)
            try executeSQL(
                path,
                """
                CREATE TABLE filler (x);
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
                INSERT INTO filler SELECT printf('%0200d', i) FROM n;
                """)
            let copy = dir + "/copy.sqlite"
            try makeHotJournalCopy(of: path, to: copy, update: "UPDATE filler SET x = 'changed'")
            let digest = fileDigest(copy)

            // When the commands that only read are run on it
            let reads = [
                try await runAccounts(["--database", copy, "migrations", "status"]),
                try await runAccounts(["--database", copy, "migrations", "validate"]),
                try await runAccounts(["--database", copy, "migrate", "--dry-run"]),
                try await runAccounts(["--database", copy, "export", "--format", "jsonl"]),
            ]

            // Then each names the interrupted write and what rolls it back, and leaves the file as it was
            for result in reads {
                #expect(result.status == 1, "\(result.stderr)")
                #expect(result.stderr.contains("a write to it was interrupted"), "\(result.stderr)")
                #expect(result.stderr.contains("run `accounts migrate`"), "\(result.stderr)")
                #expect(!result.stderr.contains("permissions"), "\(result.stderr)")
            }
            #expect(fileDigest(copy) == digest)

            // And migrate rolls the interrupted write back
            let migrate = try await runAccounts(["--database", copy, "migrate"])
            #expect(migrate.status == 0, "\(migrate.stderr)")
            #expect(countQuery(copy, "SELECT count(*) FROM filler WHERE x = 'changed'") == 0)
            #expect(countQuery(copy, "SELECT count(*) FROM filler") == 2000)
            let validate = try await runAccounts(["--database", copy, "migrations", "validate"])
            #expect(validate.status == 0, "\(validate.stderr)")
            #expect(try await runAccounts(["--database", copy, "export", "--format", "jsonl"]).status == 0)
        }
    }

    /// A database this user may not write (mode 0444 here; another user's file, a read-only mount), with a hot journal
    /// beside it: SQLite opens it read-only even for a writer, whose first read then fails as an interrupted write
    /// (`SQLITE_READONLY_ROLLBACK`). `migrate` said to run `accounts migrate` (it rolls the write back), and a command
    /// that opens the store for writing (`reindex`, as an app does) said the same: a loop. Both say it is read-only
    /// now, and what to check, and change nothing. (Run as another user: only where tests run as root.)
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func aDatabaseWithAHotJournalThatThisUserCannotWriteIsReportedReadOnly() async throws {
        try await withTemporaryDirectory { dir in
            // Given a copy, with a hot journal, of a migrated database: both files 0444, in a directory all may write
            let path = dir + "/a.sqlite"
            #expect(try await runAccounts(["--database", path, "migrate"]).status == 0)
            try executeSQL(
                path,
                """
                CREATE TABLE filler (x);
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
                INSERT INTO filler SELECT printf('%0200d', i) FROM n;
                """)
            let copy = dir + "/copy.sqlite"
            try makeHotJournalCopy(of: path, to: copy, update: "UPDATE filler SET x = 'changed'")
            for file in [copy, copy + "-journal"] { chmod(file, 0o444) }
            chmod(dir, 0o777)
            let digests = (fileDigest(copy), fileDigest(copy + "-journal"))
            let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()

            // When `migrate` and `reindex` are run on it by a user who may read it but not write it
            for arguments in [["migrate"], ["reindex"]] {
                let result = try await BackupCommandTests.runAccountsWhereModesApply(["--database", copy] + arguments)

                // Then each exits 1 saying it is read-only, not to run `accounts migrate`
                #expect(result.status == 1, "\(arguments): \(result.stderr)")
                #expect(
                    result.stderr.contains("the database \(copy) is read-only; run accounts as the database's owner"),
                    "\(arguments): \(result.stderr)")
                #expect(!result.stderr.contains("run `accounts migrate`"), "\(arguments): \(result.stderr)")
            }

            // And both files are as they were, and none was made beside them
            #expect(fileDigest(copy) == digests.0)
            #expect(fileDigest(copy + "-journal") == digests.1)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == files)
        }
    }
}
