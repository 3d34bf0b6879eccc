import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// The process-level contract (README "CLI reference": exit 75 for "a command whose change committed but whose report
/// could not be written to stdout, full or closed: the report goes to stderr after a warning") where stdout is a pipe
/// whose reader is gone, and for the commands whose change commits before their report.
struct ExitCodeContractTests {
    #if os(Linux)
        /// Runs `accounts` with `arguments` and its stdout the write end of a pipe nobody reads any more (a pipeline
        /// whose reader exited: `accounts purge | head -0`, a log collector that died), SIGPIPE at its default
        /// disposition as a shell gives it.
        func runAccountsIntoAPipeWithNoReader(
            _ arguments: [String]
        ) async throws -> (status: Int32, stderr: String) {
            var ends: [Int32] = [0, 0]
            try #require(pipe(&ends) == 0)
            close(ends[0])  // no reader, anywhere
            defer { close(ends[1]) }
            let process = try ChildProcess(
                "/usr/bin/env", ["--default-signal=PIPE", accountsExecutable()] + arguments,
                environment: childEnvironment(), stdout: .descriptor(ends[1]), stderr: .pipe)
            // (read and waited for on a thread of its own, as every wait for a child is)
            let stderr = await onOwnThread { ChildProcess.readToEnd(process.errorDescriptor, upTo: .seconds(600)) }
            guard let stderr else {
                process.send(SIGKILL)
                throw ChildProcess.Failure.timedOut("reading the stderr of \(process.command)", .seconds(600))
            }
            let status = try await process.exit().status
            return (status, String(decoding: stderr, as: UTF8.self))
        }

        /// `accounts purge | …` whose reader has gone: the removals commit, the report meets a broken pipe, and the
        /// purge still rebuilds the file (the deleted account's rows do not stay in it), then exits 75 with the
        /// report on stderr: SIGPIPE does not end it silently (141) before the rebuild.
        @Test func aPurgeIntoAPipeWithNoReaderStillRebuildsAndExits75() async throws {
            try await withTemporaryDirectory { dir in
                // Given a store with an account deleted since the last rebuild
                let database = try await migratedDatabase(dir)
                let store = try makeStore(in: dir)
                _ = try await store.createAccount(newAccount("ann", email: "ann@example.org"))
                _ = try await store.deleteAccount(.username("ann"))
                try store.close()

                // When the purge's stdout is a pipe whose reader has exited
                let result = try await runAccountsIntoAPipeWithNoReader(["--database", database, "purge"])

                // Then it rebuilt the file, reported on stderr, and exited 75
                #expect(
                    countQuery(database, "SELECT count(*) FROM account_events WHERE kind = 'file_rebuilt'") == 1,
                    "exit \(result.status): \(result.stderr)")
                #expect(result.status == 75, "exit \(result.status): \(result.stderr)")
                #expect(result.stderr.contains("removed 0 pending authorizations"), "\(result.stderr)")
            }
        }

        /// `accounts import … | …` whose reader has gone: the accounts are imported and the summary goes to stderr,
        /// exit 75, so nobody retries (which would refuse every line as already taken) on a silent 141.
        @Test func anImportIntoAPipeWithNoReaderExits75WithItsSummaryOnStderr() async throws {
            try await withTemporaryDirectory { dir in
                let database = try await migratedDatabase(dir)
                writeFile(dir + "/a.jsonl", Array("{\"username\": \"ann\"}\n{\"username\": \"bob\"}\n".utf8))

                let result = try await runAccountsIntoAPipeWithNoReader([
                    "--database", database, "import", "--format", "jsonl", dir + "/a.jsonl",
                ])

                #expect(countQuery(database, "SELECT count(*) FROM users") == 2)
                #expect(result.status == 75, "exit \(result.status): \(result.stderr)")
                #expect(result.stderr.contains("imported 2 accounts"), "\(result.stderr)")
            }
        }

        /// `accounts keys rewrap` commits its batches, then reports them as a committed change: with stdout full the
        /// report goes to stderr and it exits 75, not 1 ("operational failure", read as nothing done).
        @Test func aRewrapWhoseStdoutIsFullExits75WithItsReportOnStderr() async throws {
            try await withTemporaryDirectory { dir in
                // Given a credential sealed under k1, and a ring whose first key is k2
                let old = try SecretKey.generate(id: "k1")
                let new = try SecretKey.generate(id: "k2")
                let store = try makeStore(in: dir, keyRing: try KeyRing(keys: [old]))
                let user = try await store.createAccount(newAccount("ann"))
                try await store.linkTwitter(
                    twitterIdentity("42"), credential: TwitterCredential(token: "t", secret: Secret("s")),
                    to: .id(user.id))
                try store.close()
                let database = dir + "/accounts.sqlite"
                let keys = new.unredactedKeysFileLine() + "," + old.unredactedKeysFileLine()

                // When the rewrap runs with its stdout on a full disk
                let result = try await runProcess(
                    "/bin/sh",
                    [
                        "-c", #"exec "$0" "$@" > /dev/full"#, accountsExecutable(), "--database", database, "keys",
                        "rewrap",
                    ],
                    environment: ["ACCOUNTS_KEYS": keys])

                // Then the value moved to k2 (committed), and the exit and report say so
                #expect(countQuery(database, "SELECT count(*) FROM twitter_credentials WHERE key_id = 'k2'") == 1)
                #expect(result.status == 75, "exit \(result.status): \(result.stderr)")
                #expect(result.stderr.contains("rewrapped 1 values"), "\(result.stderr)")
            }
        }
    #endif

    /// `accounts help NAME` with a NAME that is no command (a typo, `accounts help $COMMAND` with the variable set to
    /// something else) is a usage error (64) naming it, as `accounts NAME` is, not the root help with exit 0.
    @Test func helpForACommandThatDoesNotExistIsAUsageError() async throws {
        try await withTemporaryDirectory { dir in
            let result = try await runAccounts(["help", "exprot"], currentDirectory: dir)
            #expect(result.status == 64, "exit \(result.status)")
            #expect(result.stderr.contains("exprot"), "\(result.stderr)")
        }
    }
}
