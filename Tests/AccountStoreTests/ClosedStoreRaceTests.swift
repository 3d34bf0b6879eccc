import AccountStore
import AccountTransfer
import Foundation
import Synchronization
import TestSupport
import Testing

/// ``AccountStore/close()`` racing work under way: a write cancelled while it waits for the writer, a rebuild of the
/// file, an import reading a file that stalls. Each call either finishes (the close waits for it) or throws
/// ``StoreError/closed(path:)`` having changed nothing, and the close does not hang.
struct ClosedStoreRaceTests {
    /// A write cancelled while it waits behind another write for GRDB's writer ends there, on the writer's queue:
    /// ``AccountStore/close()`` does not wait for a thread of the cooperative pool to let it go (an app closing its
    /// store from async code while a request that went away waited to write).
    @Test func closeDoesNotWaitForTheCooperativePoolToEndACancelledWrite() async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/accounts.sqlite"
            // (a busy timeout no stall of a loaded machine outlasts: the first write waits for the lock until let go)
            let store = try Self.store(at: path, busyTimeout: .seconds(600))
            // Given the write lock held by another connection, a registration waiting for it on GRDB's writer
            let holder = try WriteLockHolder(path: path)
            let first = Task { try await store.createAccount(newAccount("first")) }
            // And a second registration waiting behind it, cancelled (its client went away)
            let second = Task {
                guard try await writesReached(1, in: store) else { return }
                try await Task.sleep(for: .milliseconds(200))
                _ = try await store.createAccount(newAccount("second"))
            }
            guard try await writesReached(2, in: store) else {
                try holder.release()
                _ = await (first.result, second.result)
                try store.close()
                Issue.record("the registrations never both reached their writes")
                return
            }
            try await Task.sleep(for: .milliseconds(100))
            second.cancel()

            // When every thread of the cooperative pool is busy for 3 s (kept short: the suite's other tests share
            // the pool), and another thread lets the lock go and closes the store meanwhile
            let closing = await closeWhileThePoolIsBusy(store) { try? holder.release() }

            // Then the close ended while the pool's threads were still busy, without an error
            #expect(closing.took < ClosedStoreTests.closeBound, "close() took \(closing.took)")
            #expect(closing.error == nil, "close() threw \(closing.error.map { "\($0)" } ?? "")")
            // And the first registration either committed (its turn came before the close) or threw `.closed` and
            // wrote nothing; the cancelled one wrote nothing
            let (firstResult, _) = await (first.result, second.result)
            let firstRows = countQuery(path, "SELECT count(*) FROM users WHERE username = 'first'")
            switch firstResult {
            case .success: #expect(firstRows == 1)
            case .failure(let error):
                #expect(error as? StoreError == .closed(path: path), "\(error)")
                #expect(firstRows == 0)
            }
            #expect(countQuery(path, "SELECT count(*) FROM users WHERE username = 'second'") == 0)
        }
    }

    /// A rebuild of the file (``AccountStore/purgeExpired()``'s second step) still waiting for the write lock that
    /// another process holds does not hold the close for the busy timeout (30 s by default; 600 s here): the close
    /// stops the wait and returns, and the rebuild throws ``StoreError/closed(path:)`` having rebuilt nothing and
    /// written no `file_rebuilt` event, so the audit trail never lacks the event of a rebuild that happened. (Until
    /// session 52 `VACUUM` waited in SQLite's busy handler, which neither the close nor a cancellation stops, and the
    /// close waited with it.)
    @Test func aCloseWhileTheRebuildWaitsForTheLockEndsTheWaitAndRebuildsNothing() async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/accounts.sqlite"
            // (a busy timeout no stall of a loaded machine outlasts: the rebuild waits for the lock until let go)
            let store = try Self.store(at: path, busyTimeout: .seconds(600))
            // Given the write lock held by another connection, a rebuild waiting for it on GRDB's writer
            let (holder, rebuilding) = try await Self.rebuildWaitingForTheLock(store, at: path)

            // When another thread closes the store, the lock still held
            let closed = Locked(false)
            Thread.detachNewThread {
                try? store.close()
                closed.withLock { $0 = true }
            }

            // Then the close returns while the lock is still held
            // (half the busy timeout: a machine busy with the other tests has kept a task waiting 180 s for its turn)
            let closedWhileHeld = try await eventually(timeout: .seconds(300)) { closed.value }
            try holder.release()
            let result = await rebuilding.result
            while !closed.value { try await Task.sleep(for: .milliseconds(5)) }
            #expect(closedWhileHeld, "close() waited for the rebuild's wait for the lock (300 s and more)")
            // And the rebuild says the store closed, and rebuilt nothing: no event, and the next purge rebuilds
            switch result {
            case .success(let rebuilt): Issue.record("the rebuild waiting as the store closed went on (\(rebuilt))")
            case .failure(let error): #expect(error as? StoreError == .closed(path: path), "\(error)")
            }
            #expect(countQuery(path, "SELECT count(*) FROM account_events WHERE kind = 'file_rebuilt'") == 0)
            let again = try Self.store(at: path, busyTimeout: .seconds(600))
            defer { try? again.close() }
            #expect(try await again.rebuildAfterDeletions())
            #expect(countQuery(path, "SELECT count(*) FROM account_events WHERE kind = 'file_rebuilt'") == 1)
        }
    }

    /// A rebuild of the file waiting for the write lock that another process holds stops when its task is cancelled
    /// (a purge stopped by Ctrl-C, an app shutting down), rather than after the busy timeout: it throws
    /// ``StoreError/rebuildCancelled(path:)``, having rebuilt nothing and written no `file_rebuilt` event, and the
    /// store stays usable.
    @Test func aCancelledRebuildWaitingForTheLockStopsAndRebuildsNothing() async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/accounts.sqlite"
            // (a busy timeout no stall of a loaded machine outlasts: only the cancellation ends the wait early)
            let store = try Self.store(at: path, busyTimeout: .seconds(600))
            defer { try? store.close() }
            // Given the write lock held by another connection, a rebuild waiting for it on GRDB's writer
            let (holder, rebuilding) = try await Self.rebuildWaitingForTheLock(store, at: path)

            // When its task is cancelled, the lock still held
            rebuilding.cancel()

            // Then the rebuild ends while the lock is still held
            let ended = Locked(false)
            let watching = Task {
                _ = await rebuilding.result
                ended.withLock { $0 = true }
            }
            // (half the busy timeout: a machine busy with the other tests has kept a task waiting 180 s for its turn)
            let endedWhileHeld = try await eventually(timeout: .seconds(300)) { ended.value }
            try holder.release()
            _ = await watching.value
            #expect(endedWhileHeld, "the cancelled rebuild went on waiting for the lock (300 s and more)")
            // And it says it was cancelled, and rebuilt nothing: no event, and the next purge rebuilds
            switch await rebuilding.result {
            case .success(let rebuilt): Issue.record("the cancelled rebuild went on (\(rebuilt))")
            case .failure(let error): #expect(error as? StoreError == .rebuildCancelled(path: path), "\(error)")
            }
            #expect(countQuery(path, "SELECT count(*) FROM account_events WHERE kind = 'file_rebuilt'") == 0)
            #expect(try await store.rebuildAfterDeletions())
            #expect(countQuery(path, "SELECT count(*) FROM account_events WHERE kind = 'file_rebuilt'") == 1)
        }
    }

    /// A rebuild of `store` (at `path`) with a deletion to clear, started while another connection holds the write
    /// lock, once it has reached GRDB's writer (counted as a write in flight, no call on its way in) and had time to
    /// meet the lock; the lock's holder and the rebuild's task.
    private static func rebuildWaitingForTheLock(
        _ store: AccountStore, at path: String
    ) async throws -> (WriteLockHolder, Task<Bool, any Error>) {
        _ = try await store.createAccount(newAccount("kept"))
        _ = try await store.createAccount(newAccount("gone"))
        _ = try await store.deleteAccount(.username("gone"))
        let holder = try WriteLockHolder(path: path)
        let rebuilding = Task { try await store.rebuildAfterDeletions() }
        let waiting = try await eventually(timeout: .seconds(300)) {
            store.writesInFlight == 1 && store.callsOnTheirWayIn == 0
        }
        #expect(waiting, "the rebuild never reached GRDB's writer")
        if waiting { try await Task.sleep(for: .milliseconds(300)) }
        return (holder, rebuilding)
    }

    /// An import under way as the store closes, its file stalled (a pipe whose writer went quiet), does not hold
    /// the close: the close rolls the import back and returns, and the import throws
    /// ``StoreError/closed(path:)`` once its file moves again, having imported nothing (imports are all or
    /// nothing).
    @Test func anImportWithAStalledFileDoesNotHoldTheCloseAndImportsNothing() async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/accounts.sqlite"
            let store = try makeStore(in: dir, synchronous: .normal)
            _ = try await store.createAccount(newAccount("before"))
            // Given an import reading a pipe that gave more than a batch of accounts, then went quiet
            let fifo = dir + "/import.jsonl"
            #expect(mkfifo(fifo, 0o600) == 0)
            let feed = open(fifo, O_RDWR | O_CLOEXEC)
            #expect(feed >= 0)
            let lines = (0..<(AccountStoreImportBatch.size + 100)).map { "{\"username\": \"imp\($0)\"}\n" }.joined()
            let bytes = Array(lines.utf8)
            #expect(bytes.withUnsafeBytes { write(feed, $0.baseAddress, $0.count) } == bytes.count)
            let importing = Task {
                await onOwnThread { () -> Result<ImportReport, any Error> in
                    Result { try store.importAccounts(from: try AccountReader(path: fifo, format: .jsonl)) }
                }
            }
            guard try await writesReached(1, in: store) else {
                close(feed)
                _ = await importing.value
                try store.close()
                Issue.record("the import never reached its write")
                return
            }
            try await Task.sleep(for: .milliseconds(300))

            // When another thread closes the store
            let closeTook = Locked<Duration?>(nil)
            Thread.detachNewThread {
                let started = ContinuousClock.now
                try? store.close()
                closeTook.withLock { $0 = ContinuousClock.now - started }
            }
            let deadline = ContinuousClock.now + .seconds(3)
            while closeTook.value == nil && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            let closedWhileStalled = closeTook.value != nil
            // (the file ends, so that the import returns either way)
            close(feed)
            let result = await importing.value
            while closeTook.value == nil { try await Task.sleep(for: .milliseconds(10)) }

            // Then the close returned while the file was stalled
            #expect(
                closedWhileStalled, "close() waited for the stalled import: \(closeTook.value.map { "\($0)" } ?? "")")
            // And the import says the store was closed, and imported nothing
            switch result {
            case .success(let report): Issue.record("the import under way committed \(report.imported) accounts")
            case .failure(let error):
                #expect(error as? TransferFailure == .store(.closed(path: path)), "the import failed with \(error)")
            }
            #expect(countQuery(path, "SELECT count(*) FROM users") == 1)
        }
    }

    /// A write waiting for the write lock that another process holds as the store closes, its task cancelled or not:
    /// the close returns long before the busy timeout, while the lock is still held (the write stops waiting for it),
    /// and the write commits nothing: a write not cancelled throws ``StoreError/closed(path:)``.
    @Test(arguments: [true, false])
    func aWriteWaitingForTheLockDoesNotHoldTheCloseForTheBusyTimeout(cancelled: Bool) async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/accounts.sqlite"
            // (a busy timeout no stall of the machine outlasts: the write is still waiting when the close comes, and a
            // close that waited it out would take ten minutes, not the 20 s bound below)
            let store = try Self.store(at: path, busyTimeout: .seconds(600))
            // Given the write lock held by another connection, a registration waiting for it (cancelled, or not)
            let holder = try WriteLockHolder(path: path)
            let waiting = Task { try await store.createAccount(newAccount("waiting")) }
            guard try await writesReached(1, in: store) else {
                try holder.release()
                _ = await waiting.result
                try store.close()
                Issue.record("the registration never reached its write")
                return
            }
            try await Task.sleep(for: .milliseconds(200))
            if cancelled { waiting.cancel() }

            // When another thread closes the store while the lock is still held
            let closing = await onOwnThread { () -> Duration in
                let started = ContinuousClock.now
                try? store.close()
                return ContinuousClock.now - started
            }
            let result = await waiting.result
            try holder.release()

            // Then the close did not wait out the busy timeout, and the registration committed nothing
            #expect(closing < .seconds(20), "close() took \(closing)")
            switch result {
            case .success: Issue.record("the registration waiting for the lock committed")
            case .failure(let error):
                if !cancelled { #expect(error as? StoreError == .closed(path: path), "\(error)") }
            }
            #expect(countQuery(path, "SELECT count(*) FROM users") == 0)
        }
    }

    /// A migrated store at `path` whose writes wait at most `busyTimeout` for a lock held elsewhere.
    private static func store(at path: String, busyTimeout: Duration) throws -> AccountStore {
        var configuration = StoreConfiguration(path: path)
        configuration.schemaPolicy = .applyPendingMigrations
        configuration.synchronous = .normal
        configuration.busyTimeout = busyTimeout
        return try AccountStore(configuration: configuration, keyRing: makeKeyRing())
    }

}

/// How many records an import hands to the writer at a time (AccountStore's batch).
private enum AccountStoreImportBatch {
    static let size = 512
}
