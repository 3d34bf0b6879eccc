import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// The purge's rebuild of the file meeting another process's write lock between the rebuild and its `file_rebuilt`
/// event.
struct RebuildEventLockTests {
    /// Once the file is rebuilt, its event waits for a write lock another process took meanwhile (an import starting
    /// as the rebuild ended) as the rebuild itself does, and the task's cancellation (Ctrl-C) stops that wait at once:
    /// the file is rebuilt all the same (`true`), without its event, and the next rebuild is still due. Until session
    /// 58 the event waited in SQLite's busy handler, which nothing stops: the whole busy timeout, then `.busy`, which
    /// `accounts purge` reported as the rebuild failing for want of room.
    @Test func aCancelledRebuildWhoseEventWaitsForTheLockStillSaysTheFileIsRebuilt() async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/accounts.sqlite"
            let rebuilds = "SELECT count(*) FROM account_events WHERE kind = 'file_rebuilt'"
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            _ = try await store.createAccount(newAccount("kept"))
            _ = try await store.createAccount(newAccount("gone"))
            _ = try await store.deleteAccount(.username("gone"))
            // Given another process that takes the write lock as soon as the file is rebuilt
            let holder = Locked<Result<WriteLockHolder, any Error>?>(nil)
            store.setAfterRebuildForTests {
                let taken = Result { () throws -> WriteLockHolder in try WriteLockHolder(path: path) }
                holder.withLock { $0 = taken }
            }

            // When the rebuild's task is cancelled while its event waits for that lock
            let rebuilding = Task { try await store.rebuildAfterDeletions() }
            let taken = try await eventually(timeout: .seconds(300)) { holder.value != nil }
            try #require(taken, "the rebuild did not end within 300 s")
            try await Task.sleep(for: .milliseconds(200))
            rebuilding.cancel()
            let result = await rebuilding.result
            store.setAfterRebuildForTests(nil)
            try holder.value?.get().release()

            // Then it said that the file is rebuilt (it is), without waiting out the busy timeout
            switch result {
            case .success(let rebuilt): #expect(rebuilt)
            case .failure(let error): Issue.record("the rebuild was reported as failed: \(error)")
            }
            // And no event records it, so the next rebuild still comes, and records itself
            #expect(countQuery(path, rebuilds) == 0)
            #expect(try await store.rebuildAfterDeletions())
            #expect(countQuery(path, rebuilds) == 1)
        }
    }
}
