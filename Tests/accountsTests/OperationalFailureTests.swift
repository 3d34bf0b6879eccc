import AccountCrypto
import AccountStore
import Foundation
import TestSupport
import Testing

/// What an operator meets when the machine, not the data, is at fault: a file size limit, a damaged file, a run that
/// fails half way. Each is said as what it is, with what to do, and changes nothing it does not say it changed.
struct OperationalFailureTests {
    /// `arguments` run under `ulimit -f blocks` (a shell's file size limit, which its children inherit).
    static func runUnderFileSizeLimit(_ blocks: Int, _ arguments: [String]) async throws -> CommandResult {
        try await runProcess(
            "/bin/sh", ["-c", "ulimit -f \(blocks) && exec \"$0\" \"$@\"", accountsExecutable()] + arguments)
    }

    /// A write past the limit is an error said as any failed write is (exit 1), not SIGXFSZ killing the process
    /// without a word (exit 153, until session 63).
    @Test func aWritePastTheFileSizeLimitIsAnErrorNotASignal() async throws {
        try await withTemporaryDirectory { dir in
            let result = try await Self.runUnderFileSizeLimit(0, ["keys", "generate", "--output", dir + "/new.key"])
            #expect(result.status == 1, "exit \(result.status)")
            #expect(result.stderr.hasPrefix("accounts: error: cannot write \(dir)/new.key: File too large"))
            #expect(!FileManager.default.fileExists(atPath: dir + "/new.key"))
        }
    }

    /// SQLite says "disk I/O error" of a write past the limit: the message says the limit, and a migration that failed
    /// so is not blamed on its statement ("fix the statement", until session 63).
    @Test func aDiskIOErrorUnderAFileSizeLimitNamesTheLimit() async throws {
        try await withTemporaryDirectory { dir in
            let result = try await Self.runUnderFileSizeLimit(100, ["--database", dir + "/a.sqlite", "migrate"])
            #expect(result.status == 1, "exit \(result.status): \(result.stderr)")
            #expect(result.stderr.contains("disk I/O error (this process may write files of at most"))
            #expect(result.stderr.contains("`ulimit -f`"), "\(result.stderr)")
            #expect(!result.stderr.contains("fix the statement"), "\(result.stderr)")
        }
    }

    /// A history row no run writes (a checksum that is not 64 hex digits: a flipped byte inside a record, which SQLite's
    /// checks do not see) is a damaged database, to restore from a backup; not a migration "edited after it was
    /// applied" shown with two checksums alike, which sent the operator looking for another build.
    @Test func aDamagedHistoryRowIsSaidToBeDamaged() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/a.sqlite"
            #expect(try await runAccounts(["--database", database, "migrate"]).status == 0)
            try executeSQL(
                database,
                "UPDATE schema_migrations SET checksum = substr(checksum, 1, 24) || char(1) || 'eb1e' WHERE version = 3"
            )
            let before = try databaseDump(database)
            for arguments in [["users", "show", "ann"], ["migrate"], ["migrations", "validate"]] {
                let result = try await runAccounts(["--database", database] + arguments)
                #expect(result.status == 1, "\(arguments): exit \(result.status)")
                #expect(
                    result.stderr.hasPrefix(
                        "accounts: error: the database's migration history is damaged: the row of migration 3 "
                            + "(create_pending_authorizations) has a checksum that is not 64 lowercase hex digits"),
                    "\(arguments): \(result.stderr)")
                #expect(result.stderr.contains("restore the database from a backup"))
            }
            #expect(try databaseDump(database) == before)
        }
    }

    /// A migration whose file differs from the one applied names the file and both whole checksums, and says what an
    /// operator can do (the files are built into the binary: "restore the file" alone was advice for its builder).
    @Test func aMigrationAppliedFromAnotherFileNamesItAndWhatToDo() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/a.sqlite"
            #expect(try await runAccounts(["--database", database, "migrate"]).status == 0)
            let other = String(repeating: "e", count: 64)
            try executeSQL(database, "UPDATE schema_migrations SET checksum = '\(other)' WHERE version = 3")
            let result = try await runAccounts(["--database", database, "users", "show", "ann"])
            #expect(result.status == 65)
            #expect(
                result.stderr.contains(
                    "migration 3 (0003_create_pending_authorizations.sql) is not the one applied to the database "
                        + "(checksum \(other) applied, "),
                "\(result.stderr)")
            #expect(result.stderr.contains("use the build that applied it (or restore the database from a backup)"))
        }
    }

    /// `migrate --dry-run --to N` on a database at N has nothing to do, and says so with exit 0, as the real run does
    /// (until session 63 it then opened the store for the reindex check, which refused the database for its later
    /// migrations pending: a warning and exit 75).
    @Test func aDryRunToTheVersionTheDatabaseIsAtExits0() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/a.sqlite"
            #expect(try await runAccounts(["--database", database, "migrate", "--to", "10"]).status == 0)
            let result = try await runAccounts(["--database", database, "migrate", "--dry-run", "--to", "10"])
            #expect(result.status == 0, "exit \(result.status): \(result.stderr)")
            #expect(result.stdout == "\(database): nothing to apply (at version 10)\n")
            #expect(result.stderr.isEmpty, "\(result.stderr)")
        }
    }

    /// A backup of a damaged database fails as the database does, and says so: the database is to be restored, not
    /// the backup's disk looked at ("the copy fails its check", until session 63). Nothing is left at the output.
    @Test func aBackupOfADamagedDatabaseBlamesTheDatabase() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/a.sqlite"
            let store = try makeStore(in: dir)
            for index in 0..<300 { _ = try await store.createAccount(newAccount("user\(index)")) }
            try store.close()
            // (a byte of the second page, the history's b-tree, flipped: the store still opens for a backup)
            var bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/accounts.sqlite"))
            bytes[4096 + 10] ^= 0x5A
            try bytes.write(to: URL(fileURLWithPath: database))
            let result = try await runAccounts(["--database", database, "backup", "--output", dir + "/copy.sqlite"])
            #expect(result.status == 1, "exit \(result.status)")
            #expect(
                result.stderr.hasPrefix("accounts: error: the database \(database) is damaged ("), "\(result.stderr)")
            #expect(result.stderr.hasSuffix("); restore it from a backup\n"), "\(result.stderr)")
            #expect(!result.stderr.contains("the copy fails its check"))
            #expect(!FileManager.default.fileExists(atPath: dir + "/copy.sqlite"))
        }
    }

    /// A rewrap that fails after some batches (here a value that does not open, as a full disk would) says what moved:
    /// its batches stay committed, and the old keys must stay in the ring (until session 63 only the error was said).
    @Test func aRewrapThatFailsHalfWaySaysWhatItMoved() async throws {
        try await withTemporaryDirectory { dir in
            let keyA = try SecretKey.generate(id: "keyA")
            let keyB = try SecretKey.generate(id: "keyB")
            try await KeysCommandTests.seedCredentials(3, sealedUnder: keyA, in: dir)
            let database = dir + "/accounts.sqlite"
            // (the last in the rewrap's order no longer opens)
            try executeSQL(
                database,
                "UPDATE twitter_credentials SET sealed_secret = 0 WHERE identity_id = "
                    + "(SELECT id FROM twitter_identities WHERE twitter_user_id = '1000002')")
            let rotated = ["ACCOUNTS_KEYS": keyB.unredactedKeysFileLine() + "," + keyA.unredactedKeysFileLine()]
            let result = try await runAccounts(
                ["--database", database, "keys", "rewrap", "--batch-size", "1"], environment: rotated)
            #expect(result.status == 1)
            #expect(result.stderr.contains("Twitter user 1000002"))
            #expect(
                result.stderr.contains(
                    "accounts: 2 values were rewrapped under key keyB before the failure (committed); this run changed "
                        + "no other. `accounts keys status` shows which key each value is under now. Keep"),
                "\(result.stderr)")
            #expect(
                result.stderr.contains("Keep the old keys in the ring, fix the failure and run `accounts keys rewrap`"))
            #expect(countQuery(database, "SELECT count(*) FROM twitter_credentials WHERE key_id = 'keyB'") == 2)
        }
    }

    /// An address stored under looser rules than today's (here a zero-width joiner that draws nothing, allowed before
    /// session 63) keeps working, but its store's export cannot be imported: `migrate` and `reindex` name the account,
    /// the invisible character written out, on every run.
    @Test func anAddressStoredUnderLooserRulesIsNamedByMigrateAndReindex() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            _ = try await store.createAccount(newAccount("ann", email: "ann@example.org"))
            _ = try await store.createAccount(newAccount("ann2", email: "ann2@example.org"))
            try store.close()
            let database = dir + "/accounts.sqlite"
            try executeSQL(
                database, "UPDATE users SET email = 'ann' || char(8205) || '@example.org' WHERE username = 'ann2'")
            for arguments in [["migrate"], ["reindex"]] {
                let result = try await runAccounts(["--database", database] + arguments)
                #expect(result.status == 0, "\(arguments): \(result.stderr)")
                #expect(
                    result.stderr.contains(
                        "accounts: warning: the address of 'ann2' (ann\\u{200D}@example.org) must not contain invisible "
                            + "or bidirectional control characters, as the address rules have it since it was stored"),
                    "\(arguments): \(result.stderr)")
                #expect(!result.stderr.contains("'ann' ("))
            }
        }
    }
}
