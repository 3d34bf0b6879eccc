import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// `accounts keys status|rewrap` as real processes, two at once, and over key ids another program stored.
struct KeysConcurrencyCommandTests {
    /// Two `keys rewrap` runs at once (two terminals, a cron job and a person) over the same ring both finish: a
    /// value the other run moved to the first key between this run's read and write is done, not stuck. Before, the
    /// slower run ended with exit 1 and "another process is still sealing them under the old first key … stop the
    /// processes that use the old key ring", though no such process existed and every value was under the new key.
    @Test func twoRewrapsAtOnceBothFinish() async throws {
        try await withTemporaryDirectory { dir in
            let keyA = try SecretKey.generate(id: "keyA")
            let keyB = try SecretKey.generate(id: "keyB")
            let count = 2_000
            try await KeysCommandTests.seedCredentials(count, sealedUnder: keyA, in: dir)
            let database = dir + "/accounts.sqlite"
            let toB = ["ACCOUNTS_KEYS": keyB.unredactedKeysFileLine() + "," + keyA.unredactedKeysFileLine()]
            let backToA = ["ACCOUNTS_KEYS": keyA.unredactedKeysFileLine() + "," + keyB.unredactedKeysFileLine()]

            // A race: up to three rounds, each from every value under keyA; one failed run is enough.
            for round in 1...3 {
                let rewrap = ["--database", database, "keys", "rewrap", "--batch-size", "1"]
                async let first = try? runAccounts(rewrap, environment: toB)
                async let second = try? runAccounts(rewrap, environment: toB)
                let runs = [await first, await second].compactMap { $0 }
                #expect(runs.count == 2)
                let failed = runs.filter { $0.status != 0 }
                for run in failed {
                    Issue.record("round \(round): a concurrent rewrap ended with \(run.status): \(run.stderr)")
                }
                #expect(countQuery(database, "SELECT count(*) FROM twitter_credentials WHERE key_id = 'keyB'") == count)
                if !failed.isEmpty { break }
                // Back under keyA for the next round
                let reset = try await runAccounts(["--database", database, "keys", "rewrap"], environment: backToA)
                #expect(reset.status == 0, "\(reset.stderr)")
            }
        }
    }

    /// A `key_id` that is not text (a BLOB of bytes that are not UTF-8, as another program or a repair by hand may
    /// leave it) is reported, not a crash: `keys status` and `keys rewrap` must end with a message and exit 1 (or
    /// show it described), never trap. Before, both stopped in GRDB's `row[0] as String` (`Fatal error: … could not
    /// decode String from database value`, exit 132 with a crash report), as `sealed_secret` did before session 40.
    @Test func aStoredKeyIDThatIsNotTextIsReportedNotACrash() async throws {
        try await withTemporaryDirectory { dir in
            let keyA = try SecretKey.generate(id: "keyA")
            let keyB = try SecretKey.generate(id: "keyB")
            let database = try await Self.oneCredential(sealedUnder: keyA, in: dir)
            try executeSQL(database, "UPDATE twitter_credentials SET key_id = x'ff'")
            let rotated = ["ACCOUNTS_KEYS": keyB.unredactedKeysFileLine() + "," + keyA.unredactedKeysFileLine()]

            for command in [["keys", "status"], ["keys", "rewrap"]] {
                let result = try await runAccounts(["--database", database] + command, environment: rotated)
                #expect(result.status == 0 || result.status == 1, "\(command): \(result.stderr.prefix(300))")
                #expect(!result.stderr.contains("Fatal error"), "\(command): \(result.stderr.prefix(300))")
            }
        }
    }

    /// The `keys status` table prints each stored key id as text for a terminal: one holding control characters (an
    /// escape sequence, a line break: written by another program) must not reach the terminal raw, where it can clear
    /// the screen or forge a row such as `keyB first (seals) 999`. `users show` passes names through
    /// `ReportRenderer.terminalText` for this; before, `keys status` printed the id as stored.
    @Test func theStatusTableDoesNotPrintControlCharactersFromAStoredKeyID() async throws {
        try await withTemporaryDirectory { dir in
            let keyA = try SecretKey.generate(id: "keyA")
            let database = try await Self.oneCredential(sealedUnder: keyA, in: dir)
            try executeSQL(
                database,
                "UPDATE twitter_credentials SET key_id = 'evil' || char(27) || '[2J' || char(10) || 'keyA  first (seals)  999'"
            )

            let result = try await runAccounts(
                ["--database", database, "keys", "status"],
                environment: ["ACCOUNTS_KEYS": keyA.unredactedKeysFileLine()])

            #expect(result.status == 0, "\(result.stderr)")
            #expect(!result.stdout.contains("\u{1B}"), "\(result.stdout.debugDescription)")
            // a header, the ring's first key and the stored id: three lines
            #expect(result.stdout.split(separator: "\n").count == 3, "\(result.stdout.debugDescription)")
        }
    }

    /// A migrated store in `dir` holding ann, whose Twitter identity 9100 has a credential sealed under `key`; returns
    /// the database's path.
    static func oneCredential(sealedUnder key: SecretKey, in dir: String) async throws -> String {
        let store = try makeStore(in: dir, keyRing: try KeyRing(keys: [key]))
        let user = try await store.createAccount(newAccount("ann"))
        try await store.linkTwitter(
            twitterIdentity("9100"), credential: TwitterCredential(token: "t", secret: Secret("s")), to: .id(user.id))
        try store.close()
        return dir + "/accounts.sqlite"
    }
}
