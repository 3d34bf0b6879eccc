import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing
import TwitterOAuth

/// A committed change's report that stdout cannot take goes to stderr, the command's later steps still run, and it
/// exits 75; a report of no change is not called committed.
struct CommittedOutputTests {
    #if os(Linux)
        /// `accounts purge` commits its removals, prints them, then rebuilds the file (`VACUUM`) so that no older copy
        /// of a deleted account's rows stays in it. A purge whose stdout is full or closed (a cron job) still rebuilds
        /// the file: the report goes to stderr and the exit is 75 once every step has run.
        @Test func aPurgeWhoseStdoutFailsStillRebuildsTheFile() async throws {
            try await withTemporaryDirectory { dir in
                // Given a store with an account deleted since the last rebuild
                let database = try await migratedDatabase(dir)
                let store = try makeStore(in: dir)
                _ = try await store.createAccount(newAccount("ann", email: "ann@example.org"))
                _ = try await store.deleteAccount(.username("ann"))
                try store.close()
                #expect(countQuery(database, "SELECT count(*) FROM account_events WHERE kind = 'file_rebuilt'") == 0)

                // When the purge runs with its stdout on a full disk
                let result = try await runAccountsIntoAFullDisk(["--database", database, "purge"])

                // Then the file was rebuilt all the same (the rebuild is part of the purge, not of its report)
                #expect(
                    countQuery(database, "SELECT count(*) FROM account_events WHERE kind = 'file_rebuilt'") == 1,
                    "exit \(result.status): \(result.stderr)")
            }
        }

        /// Commands that found nothing to change (`users enable` of an active account, `users disable` of a disabled
        /// one, `reindex` with nothing to reindex) print their "nothing changed" line as a committed change's report:
        /// with stdout full they exit 75, "done, but a step outside the store failed", and say "the change is
        /// committed" of a change that never was.
        @Test(arguments: [["users", "enable", "ann"], ["users", "disable", "bob"], ["reindex"]])
        func aCommandThatChangedNothingDoesNotSayItCommittedAChange(arguments: [String]) async throws {
            try await withTemporaryDirectory { dir in
                let database = try await migratedDatabase(dir)
                writeFile(dir + "/a.jsonl", Array("{\"username\": \"ann\"}\n{\"username\": \"bob\"}\n".utf8))
                let imported = try await runAccounts([
                    "--database", database, "import", "--format", "jsonl", dir + "/a.jsonl",
                ])
                try #require(imported.status == 0, "\(imported.stderr)")
                let disabled = try await runAccounts(["--database", database, "users", "disable", "bob"])
                try #require(disabled.status == 0, "\(disabled.stderr)")
                // (each command on its own changes nothing now)
                let quiet = try await runAccounts(["--database", database] + arguments)
                try #require(quiet.status == 0 && quiet.stdout.contains("nothing"), "\(quiet.stdout)")
                let before = try databaseDump(database)

                let result = try await runAccountsIntoAFullDisk(["--database", database] + arguments)

                #expect(try databaseDump(database) == before)
                #expect(result.status != 75, "exit \(result.status): \(result.stderr)")
                #expect(!result.stderr.contains("committed"), "\(result.stderr)")
            }
        }

        /// `migrate` of a new file applies every migration, but ends the process at the first `applied …` line when
        /// stdout cannot take it: the "committed" report on stderr names only migration 0001 of the 14 applied (and
        /// the reindex and clash warnings that follow never run).
        @Test func aMigrateWhoseStdoutFailsReportsEveryMigrationItApplied() async throws {
            try await withTemporaryDirectory { dir in
                let database = dir + "/accounts.sqlite"

                let result = try await runAccountsIntoAFullDisk(["--database", database, "migrate"])

                #expect(countQuery(database, "SELECT count(*) FROM users") == 0)
                #expect(result.status == 75, "exit \(result.status): \(result.stderr)")
                #expect(result.stderr.contains("applied 0001"), "\(result.stderr)")
                #expect(result.stderr.contains("applied 0014"), "\(result.stderr)")
            }
        }
    #endif
}

/// `accounts users delete --revoke-twitter-token` whose report cannot reach stdout.
struct UsersDeleteCommittedOutputTests {
    #if os(Linux)
        /// When Twitter does not revoke the token, the report says `its access token NOT revoked at Twitter (see the
        /// warning)` and the warning follows it. With stdout full, the report is copied to stderr and the process
        /// ends there (exit 75): the warning it points to, the one line saying the token still works and that the
        /// person can revoke the app in Twitter's settings, is never written.
        @Test func aDeletionWhoseReportCannotBePrintedStillWarnsThatTheTokenWasNotRevoked() async throws {
            try await SandboxHarness.runInItsOwnProcess { sandbox in
                try await withTemporaryDirectory { dir in
                    let keys = "k1:" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
                    let store = try makeStore(
                        in: dir, keyRing: try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": keys]))
                    let id: UInt64 = 1_234_567_890_123_456_789
                    let access = try await sandbox.signIn(as: id, client: sandbox.client())
                    let account = try await store.createAccount(newAccount("ben", email: "ben@example.org"))
                    try await store.linkTwitter(
                        twitterIdentity(String(id), screenName: access.screenName),
                        credential: TwitterCredential(token: access.token, secret: Secret(access.secret)),
                        to: .id(account.id))
                    try store.close()
                    let database = dir + "/accounts.sqlite"
                    _ = try await sandbox.failNext(
                        #"{"endpoint": "invalidate_token", "mode": "server_error", "status": 503}"#)

                    let environment = [
                        "TWITTER_CONSUMER_KEY": sandbox.consumer.key,
                        "TWITTER_CONSUMER_SECRET": sandbox.consumer.secret, "ACCOUNTS_KEYS": keys,
                    ]
                    let arguments = [
                        "--database", database, "users", "delete", "ben", "--revoke-twitter-token",
                        "--twitter-api-base", sandbox.baseURL.absoluteString,
                    ]
                    let result = try await runProcess(
                        "/bin/sh", ["-c", #"exec "$0" "$@" > /dev/full"#, accountsExecutable()] + arguments,
                        environment: environment)

                    #expect(result.status == 75, "exit \(result.status)")
                    #expect(result.stderr.contains("NOT revoked at Twitter (see the warning)"), "\(result.stderr)")
                    #expect(
                        result.stderr.contains("Twitter did not revoke its access token"),
                        "the warning the report points to is missing: \(result.stderr)")
                }
            }
        }
    #endif
}
