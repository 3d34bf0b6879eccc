import AccountCrypto
import Foundation
import TestSupport
import Testing

/// The library's errors name the library's way (`AccountStore.migrate(_:)`, `KeyRing.load`'s `keysFile:`,
/// `SecretKey.generate(id:)`); `accounts` prints its own advice for them (`accounts migrate`, `--database`,
/// `--keys-file`, `accounts keys generate`, `--to`), with the exit codes README documents.
struct CommandLineAdviceTests {
    /// A fresh key, as its base64.
    let key = Base64.encode(SecureRandom.bytes(count: 32))

    @Test func noKeysNamesTheCommandsOptionsAndVariables() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/a.sqlite"
            let result = try await runAccounts(["--database", database, "keys", "rewrap"])
            #expect(result.status == 65)
            #expect(
                result.stderr
                    == "accounts: error: no encryption keys are configured: run `accounts keys generate --output "
                    + "FILE` and pass --keys-file FILE (or set ACCOUNTS_KEYS_FILE=FILE), or set "
                    + "ACCOUNTS_KEYS=\"id:BASE64KEY\"\n")
            #expect(!FileManager.default.fileExists(atPath: database))
        }
    }

    @Test func aKeyUnderTwoIDsSaysToMakeOneWithKeysGenerate() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/a.sqlite"
            let result = try await runAccounts(
                ["--database", database, "keys", "rewrap"], environment: ["ACCOUNTS_KEYS": "k2:\(key),k1:\(key)"])
            #expect(result.status == 65)
            #expect(
                result.stderr
                    == "accounts: error: key \"k1\" in ACCOUNTS_KEYS entry 2 is the same key as \"k2\" in "
                    + "ACCOUNTS_KEYS entry 1: each id needs a key of its own (a rewrap from one to the other would "
                    + "change nothing); make a new key with `accounts keys generate`\n")
            expectAbsent(key, named: "the key material", in: result.stderr)
        }
    }

    @Test func anEmptyKeysFileSaysKeysGenerateMakesOne() async throws {
        try await withTemporaryDirectory { dir in
            let keys = dir + "/keys"
            writeFile(keys, Array("# no key yet\n".utf8))
            #expect(chmod(keys, 0o600) == 0)
            let result = try await runAccounts(["--database", dir + "/a.sqlite", "--keys-file", keys, "keys", "rewrap"])
            #expect(result.status == 65)
            #expect(
                // lint: no secret (keys is the file's path)
                result.stderr
                    == "accounts: error: keys file \(keys) holds no keys; add lines of the form id:BASE64KEY "
                    + "(`accounts keys generate` makes one)\n")
        }
    }

    /// Needs root to give the file away (CI runs as root); as anyone else there is nothing to check.
    @Test func aKeysFileOfAnotherUserNamesTheUserRunningAccounts() async throws {
        guard geteuid() == 0 else { return }
        try await withTemporaryDirectory { dir in
            let keys = dir + "/keys"
            writeFile(keys, Array("k1:\(key)\n".utf8))
            #expect(chmod(keys, 0o600) == 0)
            #expect(chown(keys, 12_345, 12_345) == 0)
            let result = try await runAccounts(["--database", dir + "/a.sqlite", "--keys-file", keys, "keys", "rewrap"])
            #expect(result.status == 65)
            #expect(
                // lint: no secret (keys is the file's path)
                result.stderr
                    == "accounts: error: keys file \(keys) belongs to user id 12345, not to the user running "
                    + "accounts or root; whoever owns it chooses the key new secrets are sealed with (chown it, or "
                    + "copy it to a file of your own)\n")
        }
    }

    @Test func aMissingDatabaseSaysToRunMigrate() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/absent.sqlite"
            let result = try await runAccounts(["--database", database, "export", "--format", "jsonl"])
            #expect(result.status == 1)
            #expect(
                result.stderr == "accounts: error: no database at \(database); run `accounts migrate` to create it\n")
            #expect(!FileManager.default.fileExists(atPath: database))
        }
    }

    /// Commands that open without migrating never create the database: in a missing directory there is none, and
    /// `accounts migrate` (which says if the directory is missing) is what to run, not "cannot create the database".
    /// The commands that only read (`migrations status` and `validate` and `migrate --dry-run` too, which read the
    /// history without opening the store), and those that write to a database that exists. `{dir}` in an argument
    /// is the test's directory.
    @Test(arguments: [
        ["export", "--format", "jsonl"], ["users", "show", "ann"], ["migrations", "status"],
        ["migrations", "status", "--format", "json"], ["migrations", "validate"], ["migrate", "--dry-run"],
        ["migrate", "--dry-run", "--to", "3"], ["duplicates"], ["duplicates", "--explain", "ann,bob"],
        ["keys", "status"], ["backup", "--output", "{dir}/copy.sqlite"], ["import", "--format", "jsonl", "-"],
        ["reindex"], ["purge"], ["users", "disable", "ann"], ["users", "enable", "ann"], ["users", "sign-out", "ann"],
        ["users", "delete", "ann"], ["keys", "rewrap"],
    ])
    func aDatabaseInAMissingDirectorySaysThereIsNone(command: [String]) async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/absent/a.sqlite"
            let arguments = command.map { $0.replacingOccurrences(of: "{dir}", with: dir) }
            // (a key ring for `keys rewrap`, which needs one before it opens the database)
            let result = try await runAccounts(
                ["--database", database] + arguments, environment: ["ACCOUNTS_KEYS": "k1:\(key)"])
            #expect(result.status == 1)
            #expect(
                result.stderr == "accounts: error: no database at \(database); run `accounts migrate` to create it\n")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == [])
        }
    }

    @Test func aDatabaseBehindSaysToRunMigrate() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/behind.sqlite"
            let migrated = try await runAccounts(["--database", database, "migrate", "--to", "3"])
            #expect(migrated.status == 0, "\(migrated.stderr)")
            let before = try databaseDump(database)
            let result = try await runAccounts(["--database", database, "export", "--format", "jsonl"])
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix("accounts: error: the database \(database) lacks migrations 4, 5, "))
            #expect(result.stderr.hasSuffix("; run `accounts migrate`\n"), "\(result.stderr)")
            #expect(try databaseDump(database) == before)
        }
    }

    @Test func aFileThatIsNotSQLiteAsksWhetherDatabaseIsWrong() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/notes.txt"
            writeFile(database, Array("not a database\n".utf8))
            let result = try await runAccounts(["--database", database, "migrate"])
            #expect(result.status == 1)
            #expect(
                result.stderr
                    == "accounts: error: \(database) is not an SQLite database (wrong --database?); it was left "
                    + "untouched\n")
            #expect(fileBytes(database) == Array("not a database\n".utf8))
        }
    }

    /// README: "database in a missing directory | exit 1, `cannot create the database …: its directory does not
    /// exist; create the directory first, …`; nothing created".
    @Test func aMissingDirectorySaysToCreateIt() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/absent/a.sqlite"
            let result = try await runAccounts(["--database", database, "migrate"])
            #expect(result.status == 1)
            #expect(
                result.stderr
                    == "accounts: error: cannot create the database \(database): its directory does not exist; create "
                    + "the directory first, or give a path in one that does\n")
            #expect(!FileManager.default.fileExists(atPath: dir + "/absent"))
        }
    }

    /// `migrate --to` below the applied version names the option (exit 65, as README documents).
    @Test func aTargetBelowTheAppliedVersionNamesTo() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/a.sqlite"
            let migrated = try await runAccounts(["--database", database, "migrate"])
            #expect(migrated.status == 0, "\(migrated.stderr)")
            let before = try databaseDump(database)
            let digest = fileDigest(database)
            let result = try await runAccounts(["--database", database, "migrate", "--to", "1"])
            #expect(result.status == 65)
            // Refused before the file is opened for writing (until session 59 GRDB's probe and the switch to WAL mode
            // changed it first)
            #expect(fileDigest(database) == digest)
            #expect(
                result.stderr.hasPrefix("accounts: error: --to 1 is below the applied version "), "\(result.stderr)")
            #expect(result.stderr.hasSuffix("; migrations are never undone\n"), "\(result.stderr)")
            #expect(try databaseDump(database) == before)
        }
    }
}
