import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// The CLI contract (README "CLI reference" and "Bad input and what you see"; ARCHITECTURE "CLI contract") for usage
/// errors, ports and paths, through the built executable.
struct CLIContractTests {
    /// README: a file that is not SQLite is refused and "left untouched": `demo` makes no development key file beside
    /// it (it once checked only for a directory, and left `<file>.keys` beside someone else's file).
    @Test func demoOverAFileThatIsNotSQLiteMakesNoKeyFile() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/notes.txt"
            writeFile(database, Array("not a database\n".utf8))
            let result = try await runAccounts(["demo", "--port", "0", "--database", database])
            #expect(result.status == 1)
            #expect(result.stderr.contains("\(database) is not an SQLite database"), "\(result.stderr)")
            #expect(result.stdout.isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["notes.txt"])
            #expect(fileBytes(database) == Array("not a database\n".utf8))
        }
    }

    /// A database a newer build migrated is refused by `demo` before anything is made or written: no development key
    /// file beside it, the file as it was (until session 59 the key file was made, and the file opened for writing,
    /// before the unknown migration was named).
    @Test func demoOverANewerBuildsDatabaseMakesNoKeyFileAndChangesNothing() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/a.sqlite"
            let migrated = try await runAccounts(["--database", database, "migrate"])
            #expect(migrated.status == 0, "\(migrated.stderr)")
            try executeSQL(
                database,
                """
                INSERT INTO schema_migrations (version, name, checksum, applied_at, execution_micros)
                VALUES (9999, 'from_a_newer_build', '0000000000000000000000000000000000000000000000000000000000000000', 0, 0)
                """)
            let digest = fileDigest(database)
            let result = try await runAccounts(["demo", "--port", "0", "--database", database])
            #expect(result.status == 65, "\(result.stderr)")
            #expect(result.stderr.contains("9999"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: database + ".keys"))
            #expect(fileDigest(database) == digest)
        }
    }

    /// A database with a hot journal (a write killed in rollback-journal mode, the mode of a backup copy) is opened by
    /// `demo` as before its history check came first: the store rolls the write back as it opens (the read-only check
    /// cannot; r5 of session 59 found it refusing such a file).
    @Test func demoOverADatabaseWithAHotJournalStarts() async throws {
        try await withTemporaryDirectory { dir in
            let source = dir + "/source.sqlite"
            let migrated = try await runAccounts(["--database", source, "migrate"])
            #expect(migrated.status == 0, "\(migrated.stderr)")
            try executeSQL(
                source,
                """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
                INSERT INTO users (public_id, username, first_name, created_at, updated_at)
                SELECT printf('%08x-0000-4000-8000-000000000000', i), 'user' || i, printf('%0200d', i), i, i FROM n
                """)
            let database = dir + "/a.sqlite"
            try makeHotJournalCopy(of: source, to: database, update: "UPDATE users SET first_name = 'changed'")
            #expect(FileManager.default.fileExists(atPath: database + "-journal"))
            let demo = try ServerProcess(accountsExecutable(), ["demo", "--port", "0", "--database", database])
            let line = try? await demo.firstLine(timeout: 30)
            let status = await demo.stop()
            #expect(line?.hasPrefix("http://127.0.0.1:") == true, "status \(status): \(demo.stderrText.value)")
            #expect(countQuery(database, "SELECT count(*) FROM users WHERE first_name = 'changed'") == 0)
        }
    }

    /// A port this user may not take (below 1024, for `nobody`) is named with the reason, as a port in use is (until
    /// session 59 NIO's `bind(descriptor:ptr:bytes:): Permission denied (errno: 13)`).
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func sandboxOnAPrivilegedPortSaysWhyPlainly() async throws {
        let result = try await runProcess(
            "/usr/bin/setpriv",
            [
                "--reuid=65534", "--regid=65534", "--clear-groups", accountsExecutable(), "sandbox", "--port", "1",
                "--consumer-key", "cli-test-key", "--consumer-secret", "cli-test-secret-0123456789",
            ])
        #expect(result.status == 1)
        #expect(
            result.stderr.hasSuffix(
                "cannot listen on 127.0.0.1:1: permission denied (ports below 1024 need privileges) (choose another "
                    + "with --port, or --port 0)\n"),
            "\(result.stderr)")
    }

    /// `sandbox` on a port in use says so as `demo` does (`cannot listen on 127.0.0.1:P: the port is in use`); it
    /// once printed NIO's `Error: bind(descriptor:ptr:bytes:): Address already in use) (errno: 98)`.
    @Test func sandboxOnAPortInUseSaysSoPlainly() async throws {
        // (a consumer pair of its own: a throwaway one would be printed on stderr, which the messages below show)
        let consumer = ["--consumer-key", "cli-test-key", "--consumer-secret", "cli-test-secret-0123456789"]
        let first = try ServerProcess(accountsExecutable(), ["sandbox", "--port", "0"] + consumer)
        defer { first.kill() }
        let port = try #require(URL(string: try await first.firstLine())?.port)
        let second = try await runAccounts(["sandbox", "--port", "\(port)"] + consumer)
        #expect(second.status == 1)
        #expect(second.stdout.isEmpty)
        #expect(
            second.stderr.contains("accounts: error: cannot listen on 127.0.0.1:\(port): the port is in use"),
            "\(second.stderr)")
        #expect(!second.stderr.contains("bind(descriptor:"), "\(second.stderr)")
    }

    /// Every numeric option reads a negative number as its value and refuses it naming it (`parsing: .unconditional`),
    /// as `--events -1` and `--min-score -1` are; `--batch-size -5` was once "Missing value for '--batch-size'".
    @Test(arguments: [
        (["keys", "rewrap", "--batch-size", "-5"], "-5"),
        (["reindex", "--batch-size", "-1"], "-1"),
        (["migrate", "--to", "-1"], "-1"),
        (["sandbox", "--port", "-1"], "-1"),
        (["demo", "--port", "-1"], "-1"),
    ])
    func aNegativeNumberIsRefusedNamingIt(_ arguments: [String], _ value: String) async throws {
        try await withTemporaryDirectory { dir in
            let result = try await runAccounts(["--database", dir + "/a.sqlite"] + arguments, currentDirectory: dir)
            #expect(result.status == 64)
            #expect(!result.stderr.contains("Missing value"), "\(result.stderr)")
            #expect(result.stderr.contains(value), "\(result.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
        }
    }

    /// An empty path (an unset shell variable) is a usage error (exit 64) naming what is empty, for the import file,
    /// `keys generate --output` and `--users` as for `--keys-file`, `--database` and `--output`; they were once
    /// "cannot open : No such file or directory" (exit 1) or a read of the current directory (exit 65).
    @Test(arguments: [
        (["import", "--format", "jsonl", ""], "empty"),
        (["keys", "generate", "--output", ""], "--output"),
        (["sandbox", "--users", ""], "--users"),
        (["demo", "--port", "0", "--users", ""], "--users"),
    ])
    func anEmptyPathIsAUsageErrorNamingTheOption(_ arguments: [String], _ named: String) async throws {
        try await withTemporaryDirectory { dir in
            let database = try await migratedDatabase(dir, name: "a.sqlite")
            let before = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
            let result = try await runAccounts(["--database", database] + arguments, currentDirectory: dir)
            #expect(result.status == 64, "\(result.stderr)")
            #expect(result.stderr.contains(named) && result.stderr.contains("empty"), "\(result.stderr)")
            #expect(result.stdout.isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == before)
        }
    }

    /// A usage error found late (a bad `--id`, an `--explain` list naming one account twice) shows the usage of the
    /// command given, not the root's (`Usage: accounts [--database <path>] [--keys-file <path>] <subcommand>`).
    @Test func aUsageErrorFoundWhileRunningShowsTheCommandsOwnUsage() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await migratedDatabase(dir)
            writeFile(dir + "/ann.jsonl", Array("{\"username\": \"ann\", \"email\": \"ann@x.org\"}\n".utf8))
            let imported = try await runAccounts([
                "--database", database, "import", "--format", "jsonl", dir + "/ann.jsonl",
            ])
            #expect(imported.status == 0, "\(imported.stderr)")

            let badID = try await runAccounts(["keys", "generate", "--id", ""])
            #expect(badID.status == 64)
            #expect(badID.stderr.contains("Usage: accounts keys generate"), "\(badID.stderr)")
            // A key where its name belongs is told to give a name, not how to write keys file entries; never echoed
            let keyShaped = String(repeating: "A", count: 43) + "="
            let keyAsID = try await runAccounts(["keys", "generate", "--id", keyShaped])
            #expect(keyAsID.status == 64)
            // (what it said as a failure shows it: the key, should it be echoed, as <the key>)
            let said = keyAsID.stderr.replacingOccurrences(of: keyShaped, with: "<the key>")
            #expect(said.contains("--id looks like a key (base64 of 32 bytes), not a name"), "\(said)")
            let echoed = keyAsID.stderr.contains(keyShaped)
            #expect(!echoed, "the key given as an id is in the message")
            #expect(!keyAsID.stderr.contains("ACCOUNTS_KEYS"))

            let sameAccount = try await runAccounts([
                "--database", database, "duplicates", "--explain", "ann,ann@x.org",
            ])
            #expect(sameAccount.status == 64)
            #expect(sameAccount.stderr.contains("Usage: accounts duplicates"), "\(sameAccount.stderr)")
        }
    }

    /// A command line without its subcommand (`accounts`, `accounts users`, `accounts --database x`: `accounts
    /// $COMMAND` with the variable unset) is a usage error, exit 64 with the help on stderr; it once exited 0 with
    /// the help on stdout, which a script took for success and for the command's output.
    @Test(arguments: [[String](), ["users"], ["keys"], ["--database", "x.sqlite"]])
    func aMissingSubcommandIsAUsageError(_ arguments: [String]) async throws {
        try await withTemporaryDirectory { dir in
            let result = try await runAccounts(arguments, currentDirectory: dir)
            #expect(result.status == 64, "\(result.stdout.prefix(80))")
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.hasPrefix("Error: a subcommand is missing"), "\(result.stderr)")
            #expect(result.stderr.contains("USAGE: accounts"), "\(result.stderr)")
            #expect(result.stderr.contains("SUBCOMMANDS:"), "\(result.stderr)")
            // And --help is still help, on stdout
            let help = try await runAccounts(arguments + ["--help"], currentDirectory: dir)
            #expect(help.status == 0 && help.stdout.contains("USAGE: accounts") && help.stderr.isEmpty)
        }
    }

    /// The `keys status` table spells out a key id another program wrote into the database (`\u{1B}`), as `keys
    /// rewrap` does: an escape sequence in it (here: set the window title, clear the screen) once reached the
    /// operator's terminal as it was.
    @Test func keysStatusShowsAKeyIDFromTheDatabaseWithoutTerminalControls() async throws {
        try await withTemporaryDirectory { dir in
            let key = try SecretKey.generate(id: "k1")
            let store = try makeStore(in: dir, keyRing: try KeyRing(keys: [key]))
            let user = try await store.createAccount(newAccount("ann"))
            try await store.linkTwitter(
                twitterIdentity("42"), credential: TwitterCredential(token: "t", secret: Secret("s")), to: .id(user.id))
            try store.close()
            let database = dir + "/accounts.sqlite"
            try executeSQL(
                database,
                "UPDATE twitter_credentials SET key_id = 'k' || char(27) || ']0;owned' || char(7) || char(27) || '[2J'")

            let status = try await runAccounts(["--database", database, "keys", "status"])
            #expect(status.status == 0, "\(status.stderr)")
            #expect(
                !status.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 },
                "\(status.stdout.debugDescription)")
            let withRing = try await runAccounts(
                ["--database", database, "keys", "status"], environment: ["ACCOUNTS_KEYS": key.unredactedKeysFileLine()]
            )
            #expect(withRing.status == 0, "\(withRing.stderr)")
            #expect(!withRing.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        }
    }
}

struct CLIDatabasePathTests {
    /// A FIFO given as the database (a wrong `--database`, a named pipe left by a script) is refused at once, exit 1
    /// naming it, as a FIFO keys file is; every command once waited on it for ever without a word.
    @Test(arguments: [
        ["users", "show", "ann"], ["migrations", "status"], ["migrate"], ["export", "--format", "jsonl"],
    ])
    func aFIFOAsTheDatabaseIsRefusedAtOnce(_ arguments: [String]) async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/accounts.sqlite"
            #expect(mkfifo(database, 0o600) == 0)
            // `timeout` ends a run that waits on the FIFO (status 124) instead of hanging the suite.
            let result = try await runProcess(
                "/usr/bin/timeout", ["10", accountsExecutable(), "--database", database] + arguments)
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains(database), "\(result.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["accounts.sqlite"])
        }
    }
}

extension CLIDatabasePathTests {
    /// In a directory its user may not write, `migrate` says why SQLite cannot open the file (it once said only
    /// `unable to open database file`). (Run as another user: only where tests run as root.)
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func migrateInADirectoryThatCannotBeWrittenSaysWhy() async throws {
        try await withTemporaryDirectory { dir in
            let directory = dir + "/locked"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
            chmod(dir, 0o755)
            chmod(directory, 0o555)
            let result = try await runProcess(
                "/usr/bin/setpriv",
                [
                    "--reuid=65534", "--regid=65534", "--clear-groups", accountsExecutable(), "--database",
                    directory + "/a.sqlite", "migrate",
                ])
            #expect(result.status == 1)
            #expect(result.stderr.contains(directory + "/a.sqlite"), "\(result.stderr)")
            #expect(
                result.stderr.contains("Permission denied") || result.stderr.contains("cannot be written"),
                "\(result.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
        }
    }
}

extension CLIDatabasePathTests {
    /// A database in a directory its user may not search is not "missing": status, validate and the commands that
    /// read it exit 1 naming the path and why (they said every migration was pending, `ok`, or "no database at …;
    /// run `accounts migrate`"), and nothing changes. (Run as another user: only where tests run as root.)
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func aDatabaseThisUserCannotReachIsNotMissing() async throws {
        try await withTemporaryDirectory { dir in
            let directory = dir + "/locked"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
            chmod(dir, 0o755)
            chmod(directory, 0o700)
            let database = directory + "/a.sqlite"
            let migrated = try await runAccounts(["--database", database, "migrate"])
            try #require(migrated.status == 0, "\(migrated.stderr)")
            let before = try databaseDump(database)

            for arguments in [
                ["migrations", "validate"], ["migrations", "status", "--format", "json"], ["migrate", "--dry-run"],
                ["export", "--format", "jsonl"], ["migrate"], ["demo", "--port", "0"],
            ] {
                let result = try await runProcess(
                    "/usr/bin/setpriv",
                    ["--reuid=65534", "--regid=65534", "--clear-groups", accountsExecutable(), "--database", database]
                        + arguments)
                #expect(result.status == 1, "\(arguments): \(result.stdout) \(result.stderr)")
                #expect(
                    result.stderr.contains("cannot reach the database \(database): Permission denied"),
                    "\(arguments): \(result.stderr)")
                #expect(!result.stderr.contains("accounts migrate` to create it"), "\(arguments): \(result.stderr)")
            }
            #expect(try databaseDump(database) == before)
        }
    }
}
