import AccountModel
import AccountStore
import Foundation
import Synchronization
import TestSupport
import Testing

/// A store's calls after ``AccountStore/close()`` fail with a typed error, whichever thread makes them: a background
/// write still under way when its app closes the store (a password reset link written after the answer went out)
/// must not take the process down.
struct ClosedStoreTests {
    @Test func writesFromManyThreadsRacingCloseFailWithATypedErrorAndTheProcessGoesOn() async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/accounts.sqlite"
            let store = try makeStore(in: dir, synchronous: .normal)
            _ = try await store.createAccount(newAccount("first"))
            // Writers on many tasks keep writing while a thread of its own closes the store under them.
            let outcomes = await withTaskGroup(of: [Result<Account, StoreError>].self) { group in
                for index in 0..<8 {
                    group.addTask {
                        var outcomes: [Result<Account, StoreError>] = []
                        for round in 0..<40 {
                            if index == 0 && round == 5 { Thread.detachNewThread { try? store.close() } }
                            do throws(StoreError) {
                                outcomes.append(
                                    .success(try await store.createAccount(newAccount("u\(index)x\(round)"))))
                            } catch {
                                outcomes.append(.failure(error))
                            }
                        }
                        return outcomes
                    }
                }
                return await group.reduce(into: []) { $0 += $1 }
            }
            var failures = 0
            for case .failure(let error) in outcomes {
                failures += 1
                guard case .database(path: path, code: 21, message: _) = error else {
                    Issue.record("a write after close failed with \(error)")
                    continue
                }
            }
            #expect(failures > 0)
            let successes = outcomes.count - failures
            // A second close and a deletion after close fail or do nothing; they do not crash either.
            try? store.close()
            await #expect(throws: StoreError.self) {
                try await store.deleteAccount(.username("first"))
            }
            // What committed before the close is there, and nothing else.
            let reopened = try makeStore(in: dir, synchronous: .normal)
            defer { try? reopened.close() }
            #expect(try await reopened.accountCount() == 1 + successes)
        }
    }
}
