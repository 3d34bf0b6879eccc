import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// Short reads run on the caller's thread while the store has a slot for them, and answer correctly however many
/// run at once (the ones past the slots are handed to GRDB's reader queue); a read never waits for a writer.
struct ReadGateTests {
    /// A value of the task that calls the store, seen by code that runs within that task.
    @TaskLocal static var marker = false

    @Test func aReadWithAFreeSlotRunsOnTheCallingThread() async throws {
        try await withTemporaryDirectory { dir throws in
            let store = try makeStore(in: dir, synchronous: .normal)
            defer { try? store.close() }
            _ = try await store.createAccount(newAccount("ann"))
            var sameThread = 0
            for _ in 0..<20 {
                let caller = UInt(pthread_self())
                let reader = try await store.probeRead { UInt(pthread_self()) }
                if caller == reader { sameThread += 1 }
            }
            // A task may be moved to another thread between two reads, never in the middle of a synchronous one.
            #expect(sameThread == 20)
            // A scan is handed to GRDB's reader queue: it runs outside the calling task, which does not see the
            // task's values. (Not told by thread: once the task waits, the queue may run on the thread it left.)
            #expect(try await Self.$marker.withValue(true) { try await store.probeRead { Self.marker } })
            #expect(
                try await Self.$marker.withValue(true) { try await store.probeRead(elsewhere: true) { Self.marker } }
                    == false)
        }
    }

    @Test func manyConcurrentReadsAllAnswerWithTheirOwnAccount() async throws {
        try await withTemporaryDirectory { dir throws in
            let store = try makeStore(in: dir, synchronous: .normal)
            defer { try? store.close() }
            var ids: [String: UserID] = [:]
            for index in 0..<20 {
                ids["user\(index)"] = try await store.createAccount(newAccount("user\(index)")).id
            }
            let wrong = try await withThrowingTaskGroup(of: Int.self) { group in
                for round in 0..<400 {
                    let name = "user\(round % 20)"
                    let expected = ids[name]
                    group.addTask {
                        let found = try await store.account(.username(name))
                        return found?.id == expected ? 0 : 1
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(wrong == 0)
        }
    }

    @Test func aReadAnswersWhileAnotherConnectionHoldsTheWriteLock() async throws {
        try await withTemporaryDirectory { dir throws in
            var configuration = StoreConfiguration(path: dir + "/accounts.sqlite")
            configuration.schemaPolicy = .applyPendingMigrations
            configuration.busyTimeout = .milliseconds(200)
            let store = try AccountStore(configuration: configuration, keyRing: makeKeyRing())
            defer { try? store.close() }
            let ann = try await store.createAccount(newAccount("ann"))
            let holder = try WriteLockHolder(path: configuration.path)
            defer { try? holder.release() }
            // WAL: the reader sees the last commit and does not wait (with a 200 ms timeout, waiting would throw).
            #expect(try await store.account(.username("ann"))?.id == ann.id)
            #expect(try await store.accountCount() == 1)
        }
    }
}
