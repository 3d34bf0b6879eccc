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
            // (the task is cancelled by the hook itself, once the lock is taken, before the event's wait begins: no
            // timing to miss on a loaded machine, where a cancel sent from a test task came after the busy timeout)
            let task = Locked<Task<AccountStore.RebuildOutcome, any Error>?>(nil)
            store.setAfterRebuildForTests {
                let taken = Result { () throws -> WriteLockHolder in try WriteLockHolder(path: path) }
                holder.withLock { $0 = taken }
                for _ in 0..<6000 where task.value == nil { usleep(10_000) }
                task.value?.cancel()
            }

            // When the task is cancelled (Ctrl-C) while the event waits for that lock
            let started = Task { try await store.rebuildAfterDeletionsSaying() }
            task.withLock { $0 = started }
            let result = await started.result
            store.setAfterRebuildForTests(nil)
            try holder.value?.get().release()

            // Then it said that the file is rebuilt (it is) without its event, for the cancellation (not the busy
            // timeout, 30 s, after which it used to end)
            switch result {
            case .success(let outcome): #expect(outcome == .rebuiltWithoutEvent(.cancelled))
            case .failure(let error): Issue.record("the rebuild was reported as failed: \(error)")
            }
            // And no event records it, so the next rebuild still comes, and records itself
            #expect(countQuery(path, rebuilds) == 0)
            #expect(try await store.rebuildAfterDeletions())
            #expect(countQuery(path, rebuilds) == 1)
        }
    }
}
