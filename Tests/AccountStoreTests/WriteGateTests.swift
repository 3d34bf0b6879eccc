import AccountModel
import AccountStore
import Foundation
import Synchronization
import TestSupport
import Testing

/// Writes run on the caller's thread only when nothing else writes: a write that meets a lock held elsewhere waits
/// for it (on GRDB's writer queue) within the busy timeout, and fails with `.busy` after it, as before.
struct WriteGateTests {
    @Test func aWriteThatMeetsAnotherConnectionsLockWaitsForItThenCommits() async throws {
        try await withTemporaryDirectory { dir throws in
            let store = try makeStore(in: dir, synchronous: .normal)
            defer { try? store.close() }
            _ = try await store.createAccount(newAccount("first"))  // the calling-thread path, lock free
            let holder = try WriteLockHolder(path: dir + "/accounts.sqlite")
            let finished = Atomic<Bool>(false)
            let writer = Task {
                defer { finished.store(true, ordering: .sequentiallyConsistent) }
                return try await store.createAccount(newAccount("second"))
            }
            // While the lock is held elsewhere the write has not failed: it waits (the immediate attempt gave up).
            // The lock is let go from a thread of its own, on time: when the whole suite keeps the few cooperative
            // threads busy, this test's own continuation could come later than the writer's busy timeout.
            let finishedWhileLocked = Atomic<Int>(-1)
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) {
                finishedWhileLocked.store(
                    finished.load(ordering: .sequentiallyConsistent) ? 1 : 0, ordering: .sequentiallyConsistent)
                try? holder.release()
            }
            let second = try await writer.value
            #expect(finishedWhileLocked.load(ordering: .sequentiallyConsistent) == 0)
            #expect(second.username == "second")
            #expect(try await store.accountCount() == 2)
        }
    }

    @Test func aLockHeldBeyondTheBusyTimeoutStillFailsWithBusyAndWritesNothing() async throws {
        try await withTemporaryDirectory { dir throws in
            var configuration = StoreConfiguration(path: dir + "/accounts.sqlite")
            configuration.schemaPolicy = .applyPendingMigrations
            configuration.busyTimeout = .milliseconds(200)
            let store = try AccountStore(configuration: configuration, keyRing: makeKeyRing())
            defer { try? store.close() }
            _ = try await store.createAccount(newAccount("first"))
            let holder = try WriteLockHolder(path: configuration.path)
            // The lock outlasts the timeout: the typed busy error, not SQLite's, and not an immediate failure path
            // leaking through (the busy timeout is back after the immediate attempt).
            await #expect(throws: StoreError.busy(path: configuration.path)) {
                _ = try await store.createAccount(newAccount("second"))
            }
            try holder.release()
            #expect(try await store.accountCount() == 1)
            _ = try await store.createAccount(newAccount("third"))
            #expect(try await store.accountCount() == 2)
        }
    }

    @Test func manyConcurrentWritesOfOneStoreAllCommit() async throws {
        try await withTemporaryDirectory { dir throws in
            let store = try makeStore(in: dir, synchronous: .normal)
            defer { try? store.close() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<200 {
                    group.addTask { _ = try await store.createAccount(newAccount("user\(index)")) }
                }
                try await group.waitForAll()
            }
            #expect(try await store.accountCount() == 200)
        }
    }

    @Test func aFailingWriteOnTheCallingThreadRollsBackWhole() async throws {
        try await withTemporaryDirectory { dir throws in
            let store = try makeStore(in: dir, synchronous: .normal)
            defer { try? store.close() }
            _ = try await store.createAccount(newAccount("taken"))
            let before = try databaseDump(dir + "/accounts.sqlite")
            await #expect(throws: StoreError.self) {
                _ = try await store.createAccount(
                    newAccount("taken"), linking: twitterIdentity("12345"),
                    credential: TwitterCredential(token: "t", secret: Secret("s")))
            }
            #expect(try databaseDump(dir + "/accounts.sqlite") == before)
            // The connection is usable and outside any transaction afterwards
            _ = try await store.createAccount(newAccount("next"))
            #expect(try await store.accountCount() == 2)
        }
    }

    // MARK: - Writes that need no fsync

    @Test func aTouchCommitsAtNormalAndTheStoreKeepsFullForEveryOtherWrite() async throws {
        try await withTemporaryDirectory { dir throws in
            let store = try makeStore(in: dir)  // FULL, the default
            defer { try? store.close() }
            #expect(try store.writerPragma("synchronous") == "2")
            #expect(try await store.synchronousInsideWrite(durable: false) == 1)
            #expect(try store.writerPragma("synchronous") == "2")
            #expect(try await store.synchronousInsideWrite(durable: true) == 2)
        }
    }

    @Test func aWriteThatNeedsNoFsyncWaitingForAnotherConnectionsLockAlsoCommitsAtNormal() async throws {
        try await withTemporaryDirectory { dir throws in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let holder = try WriteLockHolder(path: dir + "/accounts.sqlite")
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { try? holder.release() }
            // The immediate attempt meets the lock; the write goes to GRDB's writer queue and waits there.
            #expect(try await store.synchronousInsideWrite(durable: false) == 1)
            #expect(try store.writerPragma("synchronous") == "2")
        }
    }

    @Test func aStoreConfiguredNormalIsNeverRaisedOrLoweredByATouch() async throws {
        try await withTemporaryDirectory { dir throws in
            let store = try makeStore(in: dir, synchronous: .normal)
            defer { try? store.close() }
            #expect(try await store.synchronousInsideWrite(durable: false) == 1)
            #expect(try await store.synchronousInsideWrite(durable: true) == 1)
            #expect(try store.writerPragma("synchronous") == "1")
        }
    }

    @Test func touchesAndTheDurableWritesAroundThemAreAllThereAfterReopening() async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/accounts.sqlite"
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            let hashes = (0..<20).map { String(repeating: "a", count: 62) + String(format: "%02d", $0) }
            do {
                let store = try makeStore(in: dir)
                defer { try? store.close() }
                for (index, hash) in hashes.enumerated() {
                    try await store.createBrowserSession(
                        BrowserSession(
                            tokenHash: hash, user: nil, csrfToken: "c", createdAt: start, lastSeenAt: start,
                            idleExpiresAt: start.addingTimeInterval(3600), expiresAt: start.addingTimeInterval(7200)))
                    let at = start.addingTimeInterval(Double(60 + index))
                    #expect(
                        try await store.touchBrowserSession(
                            tokenHash: hash, at: at, idleExpiresAt: at.addingTimeInterval(3600)))
                }
                #expect(
                    try await store.touchBrowserSession(
                        tokenHash: String(repeating: "f", count: 64), at: start, idleExpiresAt: start) == false)
            }
            let seen = countQuery(
                path, "SELECT count(*) FROM browser_sessions WHERE last_seen_at > created_at")
            #expect(seen == hashes.count)
        }
    }
}

// MARK: - Writes meeting a rebuild of the file

extension WriteGateTests {
    /// A write made while the purge rebuilds the file (``AccountStore/purgeExpired()``'s second step, which keeps
    /// GRDB's writer for as long as it rewrites the file, about a second per 100 MB) waits for it without holding its
    /// thread: the rebuild counts as a write in flight, so the write goes to GRDB's writer queue, and its thread (in an
    /// app, one of the cooperative pool's few: all of it on a 1-core machine) runs other tasks meanwhile.
    @Test func aWriteMadeDuringARebuildLeavesItsThreadToOtherTasks() async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/accounts.sqlite"
            var configuration = StoreConfiguration(path: path)
            configuration.schemaPolicy = .applyPendingMigrations
            configuration.synchronous = .normal
            // (a busy timeout no stall of a loaded machine outlasts: the rebuild waits for the lock until let go)
            configuration.busyTimeout = .seconds(600)
            let store = try AccountStore(configuration: configuration, keyRing: makeKeyRing())
            defer { try? store.close() }
            _ = try await store.createAccount(newAccount("kept"))
            _ = try await store.createAccount(newAccount("gone"))
            _ = try await store.deleteAccount(.username("gone"))
            // Given a rebuild under way on GRDB's writer, kept there by another connection's write lock
            let holder = try WriteLockHolder(path: path)
            let rebuilding = Task { try await store.rebuildAfterDeletions() }
            // (counted as a write in flight, it is on its way to the writer; uncounted, it is given 2 s to get there)
            try await eventually(timeout: .seconds(2)) { store.writesInFlight == 1 }
            try await Task.sleep(for: .milliseconds(200))

            // When a registration is made from a thread that runs nothing else meanwhile
            let thread = OneThreadExecutor()
            defer { thread.stop() }
            let registering = Task(executorPreference: thread) {
                try await store.createAccount(newAccount("during"))
            }
            let onItsWay = try await eventually { store.callsOnTheirWayIn == 1 }
            // And another task is given that thread
            let ran = Locked(false)
            let other = Task(executorPreference: thread) { ran.withLock { $0 = true } }

            // Then the other task runs while the rebuild still waits for the lock
            let ranMeanwhile = try await eventually(timeout: .seconds(5)) { ran.value }
            try holder.release()
            _ = await other.value
            let rebuilt = try await rebuilding.value
            let registered = try await registering.value
            #expect(onItsWay, "the registration never set out")
            #expect(ranMeanwhile, "the registration held its thread until the rebuild ended")
            // And the rebuild and the registration both finished, the rebuild with its event
            #expect(rebuilt)
            #expect(registered.username == "during")
            #expect(countQuery(path, "SELECT count(*) FROM account_events WHERE kind = 'file_rebuilt'") == 1)
        }
    }
}
