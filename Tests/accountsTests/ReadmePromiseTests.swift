import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// Promises of README.md that the tool broke: reading commands that waited behind another process's write to close,
/// `migrate` touching a damaged file before reporting it, an exit code `--help` left out.
struct ReadmePromiseTests {
    /// README, CLI reference: the commands that only read (`duplicates`, `export`, `users show`, `keys status`) "do
    /// not wait behind another process's write to open or to checkpoint when they close". On HEAD they print their
    /// output at once, then `AccountStore.close()` asks for a TRUNCATE checkpoint even on a read-only store, which waits
    /// for the other process's write lock until the 30 s busy timeout: each took 30 s here.
    @Test func readingCommandsDoNotWaitBehindAnotherProcesssWriteWhenTheyClose() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            _ = try await store.createAccount(newAccount("ann", email: "ann@example.org"))
            try store.close()
            let database = dir + "/accounts.sqlite"
            let lock = try WriteLockHolder(path: database)  // another process writing (a long import, say)
            defer { try? lock.release() }
            for command in [["users", "show", "ann"], ["export", "--format", "jsonl"]] {
                // (timed on the thread that waits: the wait for a pool thread to resume the test is not counted)
                let (result, elapsed) = try await onOwnThread {
                    Result {
                        let started = ContinuousClock.now
                        let result = try runAccountsBlocking(command + ["--database", database])
                        return (result, ContinuousClock.now - started)
                    }
                }
                .get()
                #expect(result.status == 0, "\(command): \(result.stderr)")
                #expect(elapsed < .seconds(10), "\(command) took \(elapsed) behind another process's write lock")
            }
        }
    }

    /// README, CLI reference: "`migrate`, `migrations status` and `migrations validate` run SQLite's `quick_check`
    /// first: a damaged file is reported (exit 1) before anything touches it"; the bad-input table: "a truncated or
    /// damaged database | exit 1, `the database … is damaged (…); restore it from a backup`; bytes unchanged". On HEAD
    /// `migrate` opens the writing pool (GRDB's probe table, the schema counter, a journal-mode switch for a file not
    /// in WAL mode) before `quick_check` runs: the message is right, but the damaged file has grown by a page and its
    /// header has changed. (A truncated file fails earlier, on opening, and is left alone.)
    @Test func migrateReportsADamagedDatabaseBeforeTouchingIt() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/accounts.sqlite"
            #expect(try await runAccounts(["migrate", "--database", database]).status == 0)
            let lines = (0..<3_000).map {
                "{\"username\": \"user\($0)\", \"email\": \"user\($0)@example.org\", \"first_name\": \"First\($0)\", "
                    + "\"last_name\": \"Last\($0)\"}\n"
            }
            let imported = try await runAccounts(
                ["import", "--format", "jsonl", "-", "--database", database], stdin: Array(lines.joined().utf8))
            #expect(imported.status == 0, "\(imported.stderr)")
            // Damage one page in the middle of the file (its b-tree header and cell pointers), as a bad disk would.
            var bytes = fileBytes(database)
            let pageSize = Int(bytes[16]) << 8 | Int(bytes[17])
            let offset = (bytes.count / pageSize / 2) * pageSize + 8
            for index in offset..<(offset + 200) { bytes[index] = 0xAB }
            writeFile(database, bytes)
            try #require((try? integrityCheck(database)) != ["ok"], "the damage was not seen by SQLite")
            let before = fileDigest(database)
            let size = fileBytes(database).count

            let result = try await runAccounts(["migrate", "--database", database])

            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains("is damaged"), "\(result.stderr)")
            #expect(fileBytes(database).count == size, "migrate changed the damaged file's size")
            #expect(fileDigest(database) == before, "migrate changed the damaged file before reporting it")
        }
    }

    /// README, CLI reference: exit 75 is part of the contract ("done, but a step outside the store failed":
    /// `users delete --revoke-twitter-token`). `accounts --help` lists the exit codes as 0, 1, 64 and 65 only.
    @Test func helpListsEveryExitCodeTheReadmeDoes() async throws {
        let result = try await runAccounts(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Exit codes:"), "\(result.stdout)")
        #expect(result.stdout.contains("75"), "accounts --help leaves out exit code 75:\n\(result.stdout)")
        #expect(
            result.stdout.contains("130 or 143"), "accounts --help leaves out exit codes 130 and 143:\n\(result.stdout)"
        )
    }
}
