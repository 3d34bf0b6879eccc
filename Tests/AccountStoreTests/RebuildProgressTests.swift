import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// The progress a purge's rebuild of the file reports (`accounts purge` shows it on a terminal, and tells a signal
/// during it that the rebuild runs to its end).
struct RebuildProgressTests {
    /// A rebuild reports its copying once it holds the lock, then ends with one finished report (all written back),
    /// before it returns; nothing after, and nothing when no rebuild is due.
    @Test func aRebuildReportsItsProgressAndEndsWithOneFinishedReport() async throws {
        try await withTemporaryDirectory { dir throws in
            // Given enough accounts that copying a table runs well past 1,000 steps, and one deleted (a rebuild due)
            let store = try await makeStoreWithARebuildDue(in: dir)
            defer { try? store.close() }
            let reports = Locked<[AccountStore.RebuildProgress]>([])

            // When the file is rebuilt
            let record: @Sendable (AccountStore.RebuildProgress) -> Void = { report in
                reports.withLock { $0.append(report) }
            }
            let outcome = try await store.rebuildAfterDeletionsSaying(progress: record)
            let atReturn = reports.value
            try await Task.sleep(for: .milliseconds(300))

            // Then it reported the copying, then one finished report last, all written back; none after it returned
            #expect(outcome == .rebuilt)
            #expect(atReturn.count >= 2, "\(atReturn)")
            let last = try #require(atReturn.last)
            #expect(last.finished && last.written == last.expected && last.expected > 0, "\(last)")
            #expect(atReturn.dropLast().allSatisfy { !$0.finished && $0.written <= $0.expected }, "\(atReturn)")
            #expect(atReturn.first?.written == 0, "\(atReturn)")
            #expect(reports.value == atReturn)

            // And with no rebuild due, nothing is reported
            reports.withLock { $0 = [] }
            #expect(try await store.rebuildAfterDeletionsSaying(progress: record) == .notDue)
            #expect(reports.value.isEmpty)
        }
    }

    /// While the rebuild waits for the write lock another process holds, nothing is reported: `accounts purge` takes
    /// the first report to mean a signal no longer stops the rebuild, and a signal during the wait does stop it.
    @Test func nothingIsReportedWhileTheRebuildWaitsForTheLock() async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/accounts.sqlite"
            let store = try await makeStoreWithARebuildDue(in: dir)
            defer { try? store.close() }
            let reports = Locked<[AccountStore.RebuildProgress]>([])

            // Given another process holding the write lock
            let holder = try WriteLockHolder(path: path)

            // When the rebuild waits for it, then is cancelled (Ctrl-C)
            let record: @Sendable (AccountStore.RebuildProgress) -> Void = { report in
                reports.withLock { $0.append(report) }
            }
            let task = Task { try await store.rebuildAfterDeletionsSaying(progress: record) }
            try await Task.sleep(for: .milliseconds(500))
            task.cancel()
            let result = await task.result
            try holder.release()

            // Then nothing was rebuilt and nothing reported
            switch result {
            case .success(let outcome): Issue.record("the rebuild ran: \(outcome)")
            case .failure(let error):
                guard case .rebuildCancelled = error as? StoreError else {
                    Issue.record("unexpected error: \(error)")
                    return
                }
            }
            #expect(reports.value.isEmpty, "\(reports.value)")
        }
    }

    /// A cancellation that comes as the rebuild begins (while the `-wal` is emptied, before the first try) stops it:
    /// nothing rebuilt, nothing reported. Until session 60 the first try was made before any check, so such a signal
    /// neither stopped the rebuild nor was answered (`accounts purge` answers only once the copy reports).
    @Test func aCancellationAsTheRebuildBeginsStopsItBeforeItsFirstTry() async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/accounts.sqlite"
            let store = try await makeStoreWithARebuildDue(in: dir)
            defer { try? store.close() }
            let reports = Locked<[AccountStore.RebuildProgress]>([])
            let record: @Sendable (AccountStore.RebuildProgress) -> Void = { report in
                reports.withLock { $0.append(report) }
            }
            let task = Locked<Task<AccountStore.RebuildOutcome, any Error>?>(nil)
            store.setBeforeRebuildForTests {
                for _ in 0..<6000 where task.value == nil { usleep(10_000) }
                task.value?.cancel()
            }
            let started = Task { try await store.rebuildAfterDeletionsSaying(progress: record) }
            task.withLock { $0 = started }
            let result = await started.result
            store.setBeforeRebuildForTests(nil)

            switch result {
            case .success(let outcome): Issue.record("the rebuild ran: \(outcome)")
            case .failure(let error):
                guard case .rebuildCancelled = error as? StoreError else {
                    Issue.record("unexpected error: \(error)")
                    return
                }
            }
            #expect(reports.value.isEmpty, "\(reports.value)")
            #expect(countQuery(path, "SELECT count(*) FROM account_events WHERE kind = 'file_rebuilt'") == 0)
            // And the next rebuild is still due, and runs
            #expect(try await store.rebuildAfterDeletions())
        }
    }
}
