import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

struct RegistrationRaceTests {
    /// The same Twitter person completes registration 50 times at once from two processes sharing one database file:
    /// exactly one account and one identity; every loser is signed in to it; nobody sees a raw SQLite error.
    @Test func fiftyConcurrentCompletionsFromTwoProcessesMakeOneAccount() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/race.sqlite"
            _ = try AccountStore.migrate(StoreConfiguration(path: database))
            let key = try SecretKey.generate(id: "race")
            let environment = ["ACCOUNTS_KEYS": key.unredactedKeysFileLine()]
            let worker = URL(fileURLWithPath: accountsExecutable()).deletingLastPathComponent()
                .appendingPathComponent("accounts-test-worker").path

            let results = try await withThrowingTaskGroup(of: CommandResult.self) { group in
                for tag in ["a", "b"] {
                    group.addTask {
                        try await runProcess(
                            worker, ["race", database, "9223372036854775807", "25", tag], environment: environment)
                    }
                }
                var results: [CommandResult] = []
                for try await result in group { results.append(result) }
                return results
            }

            var registered = 0
            var signedIn = 0
            for result in results {
                #expect(result.status == 0, "\(result.stderr)")
                let summary = try #require(result.stdout.split(separator: "\n").first)
                let counts = Dictionary(
                    uniqueKeysWithValues: summary.split(separator: " ").map { pair in
                        let parts = pair.split(separator: "=")
                        return (String(parts[0]), Int(parts[1]) ?? -1)
                    })
                registered += counts["registered"] ?? 0
                signedIn += counts["signedIn"] ?? 0
                #expect(counts["errors"] == 0, "\(result.stdout)")
                #expect(counts["invalid"] == 0, "\(result.stdout)")
                #expect(!result.stdout.contains("SQLite"))
            }
            #expect(registered == 1)
            #expect(signedIn == 49)
            let store = try AccountStore(
                configuration: StoreConfiguration(path: database), keyRing: try KeyRing(keys: [key]))
            defer { try? store.close() }
            #expect(try await store.accountCount() == 1)
            #expect(try store.accountID(twitterUserID: TwitterUserID(decimal: "9223372036854775807")!) != nil)
        }
    }
}
