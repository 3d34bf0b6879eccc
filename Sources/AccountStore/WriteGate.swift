import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// Decides where a write transaction runs, so that the common case costs no thread hand-off.
///
/// GRDB's `async` write hands the transaction to its writer queue's thread and resumes the caller on the cooperative
/// pool afterwards: two thread wake-ups, about as long as a whole registration at `synchronous=NORMAL` on a 2-core
/// machine. When no other write of this store is running, the transaction instead runs on the calling thread
/// (libdispatch runs `sync` work for an idle serial queue on the caller's thread), and its `BEGIN IMMEDIATE` gives up
/// at once if another connection or process holds the write lock. Either way the caller never waits on anyone else
/// while holding its thread: a write that would wait (another write of this store in flight, or the lock held
/// elsewhere) goes to the writer queue and is awaited, with the configured busy timeout. (Counted as long writes: an
/// import, the purge's rebuild and the checkpoint after a deletion. Not counted: `close()` and the test-only pragma
/// helpers, which use the writer briefly and never concurrently with the store's own writes in normal use.)
final class WriteGate: Sendable {
    /// Writes of this store started and not finished (both paths).
    private let inFlight = Atomic<Int>(0)
    /// Write transactions committed at the configured `synchronous` level (with `durable` true): at `FULL`, each one
    /// a wait for the disk. Tests count them per request.
    let durableCommits = Atomic<Int>(0)
    /// Writes of this store started and not finished: running, or waiting for the write lock or for another write.
    var writesInFlight: Int { inFlight.load(ordering: .acquiring) }
    /// The busy timeout the writer connection has outside the immediate attempt (and the backup's own connection).
    let busyTimeoutMilliseconds: CInt
    /// How long a write handed to the writer waits for the lock held elsewhere.
    private let busyTimeout: Duration
    /// The store's configured `synchronous` level, restored after a write that needs no fsync.
    private let synchronous: StoreConfiguration.Synchronous
    /// Called by the purge's rebuild on GRDB's writer once the file is rebuilt, before its event is written (tests:
    /// ``AccountStore/setAfterRebuildForTests(_:)``).
    let afterRebuildForTests = Mutex<(@Sendable () -> Void)?>(nil)
    /// Called by the purge's rebuild on GRDB's writer before it empties the `-wal` and tries `VACUUM` (tests:
    /// ``AccountStore/setBeforeRebuildForTests(_:)``).
    let beforeRebuildForTests = Mutex<(@Sendable () -> Void)?>(nil)

    init(busyTimeout: Duration, synchronous: StoreConfiguration.Synchronous = .full) {
        self.synchronous = synchronous
        self.busyTimeout = busyTimeout
        let components = busyTimeout.components
        let milliseconds = components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
        busyTimeoutMilliseconds = CInt(clamping: milliseconds)
    }

    /// How one attempt on the calling thread ended.
    enum Attempt<T> {
        /// The transaction committed.
        case committed(T)
        /// The write lock was held by another connection; nothing ran.
        case lockHeld
    }

    /// Runs `body` in a write transaction, on the calling thread when nothing else writes, else on GRDB's writer.
    ///
    /// With `durable: false`, for a write whose loss to a power failure costs nothing (a session's last use), a store
    /// configured ``StoreConfiguration/Synchronous/full`` commits it at `synchronous=NORMAL`: no fsync while the
    /// request waits. In WAL mode that never corrupts the file, and the next `FULL` commit syncs these frames too, so
    /// commits stay in order. Measured on a signed-in page view that touches its session: p50 391 µs at `FULL`,
    /// 245 µs at `NORMAL` with a quiet disk; 4 ms against 0.2 ms while other processes wrote to the disk.
    ///
    /// `reached` is called once the transaction's turn comes on GRDB's writer queue, before `body` (or before the
    /// `CancellationError` of a task cancelled meanwhile): the write has reached its connection, with no thread of
    /// the cooperative pool needed on the way (``GRDB/DatabasePool/writeOffPool(reached:_:)``). There, a write that
    /// finds the lock held elsewhere waits for it (``waitForLock(_:stopsWaiting:isCancelled:_:)``) until the busy
    /// timeout, its task's cancellation, or `stopsWaiting` (the store closing).
    ///
    /// `lockWait`, when given, is the longest a write found the lock held elsewhere waits for it, if shorter than the
    /// busy timeout (a write an answer may do without: a session's last use); such a write that finds another write
    /// of this store under way gives up at once (`SQLITE_BUSY`) rather than queue behind it on the writer, where it
    /// would wait for that write, which may itself wait out the busy timeout for another process's lock (until
    /// session 62 a page view's touch queued behind a sign-in waiting so, and the page took the busy timeout too).
    func write<T: Sendable>(
        _ pool: DatabasePool, durable: Bool = true, reached: @escaping @Sendable () -> Void = {},
        stopsWaiting: @escaping @Sendable () -> Bool = { false }, lockWait: Duration? = nil,
        _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        let alone = inFlight.wrappingAdd(1, ordering: .acquiringAndReleasing).oldValue == 0
        defer { inFlight.wrappingSubtract(1, ordering: .acquiringAndReleasing) }
        if lockWait != nil && !alone { throw DatabaseError(resultCode: .SQLITE_BUSY) }
        let relaxed = !durable && synchronous == .full
        if alone, case .committed(let value) = try attempt(pool, relaxed: relaxed, body) {
            if durable { durableCommits.wrappingAdd(1, ordering: .relaxed) }
            return value
        }
        let value = try await pool.writeOffPool(reached: reached) { db, isCancelled in
            guard relaxed else {
                return try self.waitForLock(
                    db, stopsWaiting: stopsWaiting, isCancelled: isCancelled, atMost: lockWait, body)
            }
            return try self.relaxing(db) {
                try self.waitForLock(db, stopsWaiting: stopsWaiting, isCancelled: isCancelled, atMost: lockWait, body)
            }
        }
        if durable { durableCommits.wrappingAdd(1, ordering: .relaxed) }
        return value
    }

    /// Runs `body` in a transaction whose `BEGIN IMMEDIATE` is tried again (each try giving up at once) until the
    /// lock is free. SQLite's own busy handler would wait out the whole busy timeout whatever happens: neither the
    /// task's cancellation (`sqlite3_interrupt`) nor the store's close stops it, and ``AccountStore/close()`` waits
    /// for the write. Here a cancelled task gets `CancellationError`, a closing store (`stopsWaiting`) SQLite's misuse
    /// error (which the store reports as ``StoreError/closed(path:)``), a timeout `SQLITE_BUSY`; nothing ran.
    /// `atMost`: a shorter wait than the busy timeout.
    func waitForLock<T>(
        _ db: Database, stopsWaiting: () -> Bool, isCancelled: () -> Bool, atMost: Duration? = nil,
        _ body: (Database) throws -> T
    ) throws -> T {
        try retryingWhileLockHeld(stopsWaiting: stopsWaiting, isCancelled: isCancelled, atMost: atMost) {
            try attempt(db, body)
        }
    }

    /// Rebuilds the database file (`VACUUM`) on `db`, GRDB's writer outside a transaction, waiting for the write lock
    /// held elsewhere as ``waitForLock(_:stopsWaiting:isCancelled:_:)`` does: each try gives up at once when the lock
    /// is held (`VACUUM` takes it before it copies anything), and between tries a cancelled task gets
    /// `CancellationError`, a closing store SQLite's misuse error, a timeout `SQLITE_BUSY`; nothing was rebuilt.
    /// Once `VACUUM` has the lock it runs to its end, uninterrupted. (In SQLite's busy handler, as until session 52,
    /// a purge's rebuild waited out the whole busy timeout whatever happened, and held the store's close meanwhile.)
    func rebuildFile(_ db: Database, stopsWaiting: () -> Bool, isCancelled: () -> Bool) throws {
        // (a cancellation before the first try, as the purge emptied the -wal, stops it too: the first try is not
        // preceded by the check the later ones are)
        if isCancelled() { throw CancellationError() }
        let connection = try db.openConnection()
        try retryingWhileLockHeld(stopsWaiting: stopsWaiting, isCancelled: isCancelled) { () throws -> Attempt<Void> in
            sqlite3_busy_timeout(connection, 0)
            defer { sqlite3_busy_timeout(connection, busyTimeoutMilliseconds) }
            do {
                try db.execute(sql: "VACUUM")
                return .committed(())
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                return .lockHeld
            }
        }
    }

    /// How a wait for the lock (``waitForLock(_:stopsWaiting:isCancelled:_:)``) that threw `error` ended:
    /// `cancelled`, `closed` (the store closing) or `busy` (the busy timeout); `nil` for any other error.
    static func endedLockWait(_ error: any Error) -> String? {
        if error is CancellationError { return "cancelled" }
        guard let code = (error as? DatabaseError)?.resultCode else { return nil }
        if code == .SQLITE_MISUSE { return "closed" }
        return code == .SQLITE_BUSY ? "busy" : nil
    }

    /// Runs `attempt` (which gives up at once when the write lock is held elsewhere) until it gets the lock, pausing
    /// between tries (1 ms, doubling up to 20 ms), until the busy timeout, the task's cancellation or `stopsWaiting`.
    private func retryingWhileLockHeld<T>(
        stopsWaiting: () -> Bool, isCancelled: () -> Bool, atMost: Duration? = nil, _ attempt: () throws -> Attempt<T>
    ) throws -> T {
        let deadline = ContinuousClock.now + min(busyTimeout, atMost ?? busyTimeout)
        var pause: UInt32 = 1000
        while true {
            if case .committed(let value) = try attempt() { return value }
            if isCancelled() { throw CancellationError() }
            if stopsWaiting() {
                throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "the store closed as the write waited")
            }
            if ContinuousClock.now >= deadline { throw DatabaseError(resultCode: .SQLITE_BUSY) }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
    }

    /// Runs `body` with the connection at `synchronous=NORMAL`, then restores the configured level (outside any
    /// transaction: SQLite refuses to change it inside one).
    private func relaxing<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        try db.execute(sql: "PRAGMA synchronous = NORMAL")
        defer { try? db.execute(sql: "PRAGMA synchronous = \(synchronous.rawValue)") }
        return try body()
    }

    /// Counts a long write (an import, the purge's rebuild of the file, the checkpoint after a deletion) that runs on
    /// GRDB's writer queue from now until ``endLongWrite()``, so that no write tries the calling thread meanwhile: it
    /// would block that thread (one of the cooperative pool's) until the long write ends, as `sync` work waits for the
    /// queue's work before it.
    func beginLongWrite() {
        inFlight.wrappingAdd(1, ordering: .acquiringAndReleasing)
    }

    /// Ends what ``beginLongWrite()`` began.
    func endLongWrite() {
        inFlight.wrappingSubtract(1, ordering: .acquiringAndReleasing)
    }

    /// One transaction on the calling thread whose `BEGIN IMMEDIATE` does not wait for the lock.
    private func attempt<T>(
        _ pool: DatabasePool, relaxed: Bool, _ body: (Database) throws -> T
    ) throws -> Attempt<T> {
        try pool.writeWithoutTransaction { db in
            guard relaxed else { return try attempt(db, body) }
            return try relaxing(db) { try attempt(db, body) }
        }
    }

    private func attempt<T>(_ db: Database, _ body: (Database) throws -> T) throws -> Attempt<T> {
        let connection = try db.openConnection()
        sqlite3_busy_timeout(connection, 0)
        do {
            try db.beginTransaction(.immediate)
            sqlite3_busy_timeout(connection, busyTimeoutMilliseconds)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
            sqlite3_busy_timeout(connection, busyTimeoutMilliseconds)
            return .lockHeld
        } catch {
            sqlite3_busy_timeout(connection, busyTimeoutMilliseconds)
            throw error
        }
        do {
            let value = try body(db)
            try db.commit()
            return .committed(value)
        } catch {
            try? db.rollback()
            throw error
        }
    }
}

extension DatabasePool {
    /// GRDB's `async` write without a transaction, with no thread of the cooperative pool needed between the call and
    /// `body`: `reached`, then `body`, run straight from GRDB's writer queue. GRDB's own `async` write checks for the
    /// task's cancellation on the writer queue and, cancelled, comes back to the pool before the caller can tell that
    /// its write will not run: a write cancelled while it waited behind another (its client gone) would need a free
    /// thread of the pool to end, and ``AccountStore/close()``, which waits for the writes on their way in
    /// (``StoreLifetime``), would not return while called on the pool's last free thread. Here `reached` runs first
    /// whatever happens, then a task cancelled before its turn gets a `CancellationError` without `body` running;
    /// once `body` runs, cancelling the task no longer interrupts it (the store's writes are short).
    func writeOffPool<T: Sendable>(
        reached: @escaping @Sendable () -> Void, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        try await writeOffPool(reached: reached) { db, _ in try body(db) }
    }

    /// ``writeOffPool(reached:_:)`` whose `body` can tell whether the task was cancelled since it began (to stop
    /// waiting for something).
    func writeOffPool<T: Sendable>(
        reached: @escaping @Sendable () -> Void,
        _ body: @escaping @Sendable (Database, _ isCancelled: @Sendable () -> Bool) throws -> T
    ) async throws -> T {
        let cancelled = CancellationFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                asyncWriteWithoutTransaction { db in
                    reached()
                    continuation.resume(
                        with: Result {
                            if cancelled.isSet { throw CancellationError() }
                            return try body(db) { cancelled.isSet }
                        })
                }
            }
        } onCancel: {
            cancelled.set()
        }
    }
}

/// Whether a task was cancelled, as its cancellation handler saw it.
private final class CancellationFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}

extension Database {
    /// The SQLite connection, or SQLite's misuse error when the store was closed (a write still under way as its app
    /// closes the store): GRDB still runs work on a closed connection, and SQLite's C API dereferences a NULL one.
    func openConnection() throws -> OpaquePointer {
        guard let connection = sqliteConnection else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "the database connection is closed")
        }
        return connection
    }
}
