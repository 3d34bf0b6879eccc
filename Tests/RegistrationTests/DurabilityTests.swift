import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import GRDB
import TestSupport
import Testing

/// Invariants every test here checks after a kill or a storm.
func checkInvariants(_ database: String) throws -> (users: Int, identities: Int) {
    let queue = try DatabaseQueue(path: database)
    defer { try? queue.close() }
    return try queue.read { db in
        #expect(try String.fetchAll(db, sql: "PRAGMA integrity_check") == ["ok"])
        #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
        let orphans = try Int.fetchOne(
            db,
            sql: "SELECT count(*) FROM twitter_identities i LEFT JOIN users u ON u.id = i.user_id WHERE u.id IS NULL")
        #expect(orphans == 0, "identities without their user")
        let withoutCredential = try Int.fetchOne(
            db,
            sql: """
                SELECT count(*) FROM twitter_identities i LEFT JOIN twitter_credentials c ON c.identity_id = i.id
                WHERE c.identity_id IS NULL AND i.screen_name LIKE 'user%'
                """)
        #expect(withoutCredential == 0, "identities made by registration without their credential")
        return (
            try Int.fetchOne(db, sql: "SELECT count(*) FROM users") ?? -1,
            try Int.fetchOne(db, sql: "SELECT count(*) FROM twitter_identities") ?? -1
        )
    }
}

func workerPath() -> String {
    URL(fileURLWithPath: accountsExecutable()).deletingLastPathComponent().appendingPathComponent(
        "accounts-test-worker"
    ).path
}

struct DurabilityTests {
    /// A process registering in a loop is SIGKILLed at random moments, five times: every id it printed (after
    /// `complete` returned) is in the database, which is sound, with no identity lacking its user or credential.
    @Test func registrationsThatReturnedSurviveSIGKILL() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/crash.sqlite"
            _ = try AccountStore.migrate(StoreConfiguration(path: database))
            let key = try SecretKey.generate(id: "crash")
            let environment = ["ACCOUNTS_KEYS": key.unredactedKeysFileLine()]
            var printed: [(UserID, TwitterUserID)] = []
            for round in 0..<5 {
                // A fresh range each round: the kill may land after a commit but before its line was printed.
                let nextTwitterID = 5_000_000_000_000_000_000 + UInt64(round) * 1_000_000
                let server = try ServerProcess(
                    workerPath(), ["register-loop", database, String(nextTwitterID)], environment: environment)
                do {
                    _ = try await server.firstLine()  // at least one registration done
                } catch {
                    await server.stop(signal: SIGKILL)
                    Issue.record("round \(round): \(error) \(server.stderrText.value)")
                    return
                }
                try await Task.sleep(for: .milliseconds(Int.random(in: 50...600)))
                #expect(await server.stop(signal: SIGKILL) == 128 + SIGKILL, "round \(round)")
                let lines = try await server.stdoutText().split(separator: "\n").filter { $0.contains(" ") }
                for line in lines {
                    let parts = line.split(separator: " ")
                    guard parts.count == 2, let id = UserID(String(parts[0])),
                        let twitter = TwitterUserID(decimal: parts[1])
                    else {
                        continue  // a line cut by the kill was never complete: it promises nothing
                    }
                    printed.append((id, twitter))
                }
                _ = try checkInvariants(database)
            }
            #expect(printed.count >= 5)
            let store = try AccountStore(
                configuration: StoreConfiguration(path: database), keyRing: try KeyRing(keys: [key]))
            defer { try? store.close() }
            for (id, twitter) in printed {
                #expect(try store.accountID(twitterUserID: twitter) == id)
                #expect(try await store.credential(for: twitter) != nil)
            }
        }
    }
}

struct SoakTests {
    /// Three processes of four tasks each register, sign in (Twitter and password), unlink, relink and read on one
    /// file at once for a bounded time (ACCOUNTS_SOAK_SECONDS, 20 by default): no caller sees an error (in
    /// particular no raw SQLITE_BUSY), the invariants hold and the counts add up.
    @Test func concurrentProcessesKeepTheInvariants() async throws {
        let seconds = ProcessInfo.processInfo.environment["ACCOUNTS_SOAK_SECONDS"] ?? "20"
        try await withTemporaryDirectory { dir in
            let database = dir + "/soak.sqlite"
            _ = try AccountStore.migrate(StoreConfiguration(path: database))
            let environment = ["ACCOUNTS_KEYS": try SecretKey.generate(id: "soak").unredactedKeysFileLine()]
            let results = try await withThrowingTaskGroup(of: CommandResult.self) { group in
                for tag in ["p1", "p2", "p3"] {
                    group.addTask {
                        try await runProcess(workerPath(), ["soak", database, seconds, tag], environment: environment)
                    }
                }
                var results: [CommandResult] = []
                for try await result in group { results.append(result) }
                return results
            }
            var registered = 0
            for result in results {
                #expect(result.status == 0, "\(result.stderr)")
                #expect(!result.stdout.contains("error"), "\(result.stdout)")
                #expect(!result.stdout.contains("SQLite"), "\(result.stdout)")
                for line in result.stdout.split(separator: "\n") where line.hasPrefix("registered=") {
                    registered += Int(line.dropFirst("registered=".count)) ?? 0
                }
            }
            #expect(registered > 0)
            let (users, identities) = try checkInvariants(database)
            #expect(users == registered)
            #expect(identities == registered)
        }
    }
}

struct DiskFullTests {
    /// A database that cannot grow gives a typed error and no corruption; the next write after space returns works.
    @Test func aFullDatabaseRefusesWithATypedErrorAndRecovers() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir, synchronous: .normal)
            defer { try? store.close() }
            let pages = Int(try store.writerPragma("page_count")) ?? 0
            try store.setWriterPragmaForTests("max_page_count", pages + 3)
            var created = 0
            var failure: StoreError?
            while failure == nil && created < 10_000 {
                do throws(StoreError) {
                    _ = try await store.createAccount(newAccount("user\(created)", email: "user\(created)@example.org"))
                    created += 1
                } catch {
                    failure = error
                }
            }
            #expect(failure == .diskFull(path: dir + "/accounts.sqlite"))
            #expect(try await store.accountCount() == created)
            _ = try checkInvariants(dir + "/accounts.sqlite")
            try store.setWriterPragmaForTests("max_page_count", 1_000_000)
            _ = try await store.createAccount(newAccount("after_space_returned"))
            #expect(try await store.accountCount() == created + 1)
        }
    }
}
