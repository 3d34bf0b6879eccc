import Foundation
import Glibc
import Migrations
import TestSupport
import Testing

struct MigrateCommandTests {
    @Test func migrateCreatesTheDatabaseAndStatusListsEverythingApplied() async throws {
        try await withTemporaryDirectory { dir in
            // Given no database
            let database = dir + "/new.sqlite"

            // When migrating, with the global option before the subcommand
            let migrate = try await runAccounts(["--database", database, "migrate"])

            // Then it exits 0 and status (global option after the subcommand) lists every migration as applied
            #expect(migrate.status == 0, "\(migrate.stderr)")
            #expect(migrate.stdout.contains("applied 0001 create_users"))
            let status = try await runAccounts(["migrations", "status", "--format", "json", "--database", database])
            #expect(status.status == 0)
            let entries = try #require(
                JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])
            #expect(entries.count == Migrations.sqlite.count)
            for (index, entry) in entries.enumerated() {
                #expect(Set(entry.keys) == ["version", "name", "state", "checksum", "applied_at"])
                #expect(entry["version"] as? Int == Int(Migrations.sqlite[index].fileName.prefix(4)))
                #expect(entry["state"] as? String == "applied")
                #expect((entry["checksum"] as? String)?.count == 64)
                let appliedAt = try #require(entry["applied_at"] as? String)
                #expect(appliedAt.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil)
            }
            #expect(entries.first?["name"] as? String == "create_users")
            // Keys come in the contract's order
            #expect(status.stdout.hasPrefix("[{\"version\": 1, \"name\": \"create_users\", \"state\": \"applied\""))
        }
    }

    /// The database holds password hashes (which `export` writes only with a flag, to a 0600 file) and access tokens:
    /// the file `migrate` creates, and the log files SQLite makes beside it with its mode, are its owner's alone.
    @Test func migrateCreatesTheDatabaseReadableByItsOwnerAlone() async throws {
        try await withTemporaryDirectory { dir in
            // Given no database (and the usual umask, 022)
            let database = dir + "/new.sqlite"

            // When migrating, and when a store opens it again
            let migrate = try await runAccounts(["--database", database, "migrate"])
            #expect(migrate.status == 0, "\(migrate.stderr)")
            let export = try await runAccounts(["--database", database, "export", "--format", "jsonl"])
            #expect(export.status == 0, "\(export.stderr)")

            // Then the file and any WAL or shared-memory file beside it are 0600
            for path in [database, database + "-wal", database + "-shm"] {
                guard let mode = fileMode(path) else { continue }
                #expect(mode & 0o777 == 0o600, "\(path): \(String(mode & 0o777, radix: 8))")
            }
        }
    }

    /// `--database` a symbolic link that names no file yet (a link to a data volume, before the first run): SQLite
    /// follows it, and the file it creates there, and the log files beside it, are the owner's alone too. Before, that
    /// file was made with SQLite's own mode, 0644 less the umask: a database every user could read.
    @Test func migrateThroughALinkCreatesTheFileItNamesReadableByItsOwnerAlone() async throws {
        try await withTemporaryDirectory { dir in
            // Given a link to a database that does not exist yet (and the usual umask, 022)
            #expect(mkdir(dir + "/data", 0o755) == 0)
            let link = dir + "/accounts.sqlite"
            #expect(symlink("data/accounts.sqlite", link) == 0)
            let database = dir + "/data/accounts.sqlite"

            // When migrating through the link
            let migrate = try await runAccounts(["--database", link, "migrate"])
            #expect(migrate.status == 0, "\(migrate.stderr)")

            // Then the link is still a link, and the file it names (with its WAL and shared-memory files) is 0600
            #expect(fileMode(link, followingLinks: false).map { $0 & S_IFMT } == S_IFLNK)
            #expect(fileMode(database).map { $0 & S_IFMT } == S_IFREG)
            for path in [database, database + "-wal", database + "-shm"] {
                guard let mode = fileMode(path) else { continue }
                #expect(mode & 0o777 == 0o600, "\(path): \(String(mode & 0o777, radix: 8))")
            }
            let status = try await runAccounts(["--database", link, "migrations", "validate"])
            #expect(status.status == 0, "\(status.stderr)")
        }
    }

    @Test func statusOfAMissingDatabaseShowsPendingAndCreatesNothing() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/none.sqlite"
            let status = try await runAccounts(
                ["migrations", "status", "--format", "json"], environment: ["ACCOUNTS_DATABASE": database])
            #expect(status.status == 0, "\(status.stderr)")
            #expect(status.stdout.contains("\"state\": \"pending\", \"checksum\""))
            #expect(status.stdout.contains("\"applied_at\": null"))
            #expect(!FileManager.default.fileExists(atPath: database))
            let validate = try await runAccounts(["migrations", "validate", "--database", database])
            #expect(validate.status == 0)
        }
    }

    @Test func databaseInAMissingDirectoryFailsWithExit1() async throws {
        let result = try await runAccounts(["migrate", "--database", "/nonexistent-dir-for-test/a.sqlite"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("/nonexistent-dir-for-test/a.sqlite"))
        #expect(result.stderr.contains("its directory does not exist"))
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent-dir-for-test"))
    }

    /// SQLite says only "unable to open database file" for a directory; the message names it as no database.
    @Test func aDirectoryIsNoDatabase() async throws {
        try await withTemporaryDirectory { dir in
            let result = try await runAccounts(["migrate", "--database", dir])
            #expect(result.status == 1)
            #expect(result.stderr.contains("\(dir) is not an SQLite database"), "\(result.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == [])
        }
    }

    @Test func aFileThatIsNotSQLiteIsRefusedAndLeftUntouched() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/notes.sqlite"
            writeFile(path, Array(String(repeating: "these are notes, not a database\n", count: 200).utf8))
            let before = fileDigest(path)
            for arguments in [["migrate"], ["migrations", "status"], ["migrations", "validate"]] {
                let result = try await runAccounts(["--database", path] + arguments)
                #expect(result.status == 1, "\(arguments)")
                #expect(result.stderr.contains("is not an SQLite database"), "\(arguments): \(result.stderr)")
            }
            #expect(fileDigest(path) == before)
        }
    }

    @Test func aTruncatedDatabaseIsReportedAndLeftUntouched() async throws {
        try await withTemporaryDirectory { dir in
            // Given a migrated database cut in half
            let path = dir + "/cut.sqlite"
            #expect(try await runAccounts(["--database", path, "migrate"]).status == 0)
            let bytes = fileBytes(path)
            writeFile(path, bytes.prefix(bytes.count / 2))
            let before = fileDigest(path)

            // When commands touch it
            let status = try await runAccounts(["--database", path, "migrations", "status"])
            let migrate = try await runAccounts(["--database", path, "migrate"])

            // Then each fails with a message naming the file, and its bytes stay as they were
            for result in [status, migrate] {
                #expect(result.status == 1)
                #expect(result.stderr.contains(path), "\(result.stderr)")
            }
            #expect(fileDigest(path) == before)
        }
    }

    /// As root `chmod` stops nothing, so the child runs as an unprivileged user that may read but not write.
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func aDatabaseTheProcessCannotWriteIsReportedAndUnchanged() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/ro.sqlite"
            #expect(try await runAccounts(["--database", path, "migrate", "--to", "3"]).status == 0)
            chmod(dir, 0o755)
            // Readable by others (the store creates its files 0600): the database and the log files beside it.
            for file in [path, path + "-wal", path + "-shm"] { chmod(file, 0o644) }
            let before = try databaseDump(path)

            let result = try await runProcess(
                "/usr/bin/setpriv",
                [
                    "--reuid=65534", "--regid=65534", "--clear-groups", accountsExecutable(), "--database", path,
                    "migrate",
                ])

            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains("the database \(path) is read-only"))
            // with advice the command line can follow: it has no way to "open it for writing" (an app's setting)
            #expect(!result.stderr.contains("open it for writing"), "\(result.stderr)")
            #expect(result.stderr.contains("run accounts as the database's owner"), "\(result.stderr)")
            #expect(try databaseDump(path) == before)
        }
    }

    @Test func unknownTargetIsAUsageError() async throws {
        try await withTemporaryDirectory { dir in
            let result = try await runAccounts(["--database", dir + "/a.sqlite", "migrate", "--to", "42"])
            #expect(result.status == 64)
            #expect(result.stderr.contains("--to 42: no migration has that version"))
            #expect(!FileManager.default.fileExists(atPath: dir + "/a.sqlite"))
        }
    }

    @Test func dryRunChangesNothing() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/a.sqlite"
            #expect(try await runAccounts(["--database", path, "migrate", "--to", "2"]).status == 0)
            let before = try databaseDump(path)
            let dry = try await runAccounts(["--database", path, "migrate", "--dry-run"])
            #expect(dry.status == 0)
            let lines = dry.stdout.split(separator: "\n")
            #expect(lines.first == "would apply 0003 create_pending_authorizations")
            #expect(lines.count == Migrations.sqlite.count - 2)
            #expect(try databaseDump(path) == before)
        }
    }

    /// Four processes migrate one new database at once: all succeed and each migration is applied exactly once.
    @Test func concurrentMigrateProcessesApplyEachMigrationOnce() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/race.sqlite"
            let results = try await withThrowingTaskGroup(of: CommandResult.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await runAccounts(["--database", path, "migrate"]) }
                }
                var results: [CommandResult] = []
                for try await result in group { results.append(result) }
                return results
            }
            for result in results { #expect(result.status == 0, "\(result.stderr)") }
            let appliedLines = results.flatMap { $0.stdout.split(separator: "\n") }.filter { $0.hasPrefix("applied ") }
            #expect(appliedLines.count == Migrations.sqlite.count)
            #expect(Set(appliedLines).count == Migrations.sqlite.count)
            let status = try await runAccounts(["--database", path, "migrations", "status", "--format", "json"])
            #expect(status.stdout.components(separatedBy: "\"applied\"").count - 1 == Migrations.sqlite.count)
        }
    }

    /// `--to` is checked against the versions by `String(format: "%04d_")`, which prints the low 32 bits of the Int:
    /// `--to 4294967297` passed as version 1, and the run failed later with exit 1 instead of the usage error (64).
    @Test func aTargetBeyond32BitsIsAUsageErrorToo() async throws {
        try await withTemporaryDirectory { dir in
            let result = try await runAccounts(["--database", dir + "/a.sqlite", "migrate", "--to", "4294967297"])
            #expect(result.status == 64, "\(result.stderr)")
            #expect(result.stderr.contains("--to 4294967297: no migration has that version"))
            #expect(!FileManager.default.fileExists(atPath: dir + "/a.sqlite"), "a usage error creates no database")
        }
    }

    /// A migration pending below an applied one (here the history row of 0005 removed, as if 0005 had been added after
    /// the newest shipped) stops `migrate` before anything changes and fails `migrations validate`, naming it.
    @Test func aMigrationPendingBelowAnAppliedOneIsRefusedAndNamed() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/a.sqlite"
            #expect(try await runAccounts(["--database", database, "migrate"]).status == 0)
            try executeSQL(database, "DELETE FROM schema_migrations WHERE version = 5")
            let before = try databaseDump(database)
            let newest = try #require(Migrations.sqlite.compactMap { Int($0.fileName.prefix(4)) }.max())
            let validate = try await runAccounts(["--database", database, "migrations", "validate"])
            #expect(validate.status == 65)
            #expect(
                validate.stderr.contains(
                    "migration 0005 create_account_events is pending below the applied "
                        + String(format: "%04d", newest)))
            let migrate = try await runAccounts(["--database", database, "migrate"])
            #expect(migrate.status == 65)
            #expect(
                migrate.stderr.contains(
                    "migration 5 (create_account_events) is pending but migration \(newest) is applied"))
            #expect(try databaseDump(database) == before)
        }
    }

    /// A history that fails validation (an applied migration whose file changed since, one applied by a newer
    /// `accounts`) is invalid data, exit 65 as the CLI contract says, both for `migrations validate` and for `migrate`,
    /// which refuses to run; a database that cannot be read at all stays an operational failure (exit 1).
    @Test(arguments: [
        (
            "UPDATE schema_migrations SET checksum = '\(String(repeating: "e", count: 64))' WHERE version = 3",
            "0003 create_pending_authorizations is modified", "migration 3 (0003_create_pending_authorizations.sql)"
        ),
        (
            "INSERT INTO schema_migrations (version, name, checksum, applied_at, execution_micros) "
                + "VALUES (9999, 'from_the_future', '0000000000000000000000000000000000000000000000000000000000000000', 0, 0)",
            "9999 from_the_future is unknown", "migration 9999 (from_the_future)"
        ),
    ])
    func aHistoryThatFailsValidationExits65AndChangesNothing(_ edit: String, _ validation: String, _ refusal: String)
        async throws
    {
        try await withTemporaryDirectory { dir in
            let database = dir + "/a.sqlite"
            #expect(try await runAccounts(["--database", database, "migrate", "--to", "4"]).status == 0)
            try executeSQL(database, edit)
            let before = try databaseDump(database)

            let validate = try await runAccounts(["--database", database, "migrations", "validate"])
            #expect(validate.status == 65, "\(validate.stderr)")
            #expect(validate.stderr.contains("migration \(validation)"), "\(validate.stderr)")
            let migrate = try await runAccounts(["--database", database, "migrate"])
            #expect(migrate.status == 65, "\(migrate.stderr)")
            #expect(migrate.stderr.contains(refusal), "\(migrate.stderr)")
            #expect(try databaseDump(database) == before)
        }
    }

    #if os(Linux)
        /// `migrate`, `migrations status` and `migrations validate` run SQLite's `quick_check` over the whole file
        /// first (10 s at 1.4 GB): on a terminal a line says so meanwhile, cleared once the check ends, so nothing of
        /// it stays above the table; the time `migrate` gives its migrations leaves the check out and names it. Until
        /// session 64 nothing showed, and a migrate with nothing to apply said "0 applied in 7846.4 ms".
        @Test func theCheckOfTheFileShowsALineOnATerminalClearedOnceItEnds() async throws {
            try await withTemporaryDirectory { dir in
                let database = try await migratedDatabase(dir)
                for arguments in [["migrations", "status"], ["migrations", "validate"], ["migrate"]] {
                    let result = try await runAccountsOnATerminal(["--database", database] + arguments)
                    #expect(result.status == 0, "\(result.stdout)")
                    let line = "\r\u{1B}[Kcheck: reading the whole file for damage ("
                    let shown = try #require(
                        result.stdout.range(of: line), "\(arguments): \(result.stdout.debugDescription)")
                    // (cleared, not ended: what follows begins on the same line)
                    let after = result.stdout[shown.upperBound...]
                    #expect(
                        after.contains(/MB, quick_check\)\r\x{1B}\[K(VERSION|ok: |\/)/),
                        "\(arguments): \(result.stdout.debugDescription)")
                }
                // Off a terminal, no line; `migrate` names the check's time apart from the migrations'
                let plain = try await runAccounts(["--database", database, "migrate"])
                #expect(plain.status == 0, "\(plain.stderr)")
                #expect(!plain.stderr.contains("check:"), "\(plain.stderr)")
                #expect(
                    plain.stderr.contains(
                        /at version \d+ \(0 applied in \d+\.\d ms, after a check of the file in \d+\.\d ms\)/),
                    "\(plain.stderr)")
            }
        }
    #endif
}
