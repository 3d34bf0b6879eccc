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
/// elsewhere) goes to the writer queue and is awaited, with the configured busy timeout. (Not counted: `close()` and
/// the test-only pragma helpers, which use the writer briefly and never concurrently with the store's own writes in
/// normal use.)
final class WriteGate: Sendable {
    /// Writes of this store started and not finished (both paths).
    private let inFlight = Atomic<Int>(0)
    /// Write transactions committed at the configured `synchronous` level (with `durable` true): at `FULL`, each one
    /// a wait for the disk. Tests count them per request.
    let durableCommits = Atomic<Int>(0)
    /// Writes of this store started and not finished: running, or waiting for the write lock or for another write.
    var writesInFlight: Int { inFlight.load(ordering: .acquiring) }
    /// The busy timeout the writer connection has outside the immediate attempt.
    private let busyTimeoutMilliseconds: CInt
    /// The store's configured `synchronous` level, restored after a write that needs no fsync.
    private let synchronous: StoreConfiguration.Synchronous

    init(busyTimeout: Duration, synchronous: StoreConfiguration.Synchronous = .full) {
        self.synchronous = synchronous
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
    func write<T: Sendable>(
        _ pool: DatabasePool, durable: Bool = true, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        let alone = inFlight.wrappingAdd(1, ordering: .acquiringAndReleasing).oldValue == 0
        defer { inFlight.wrappingSubtract(1, ordering: .acquiringAndReleasing) }
        let relaxed = !durable && synchronous == .full
        if alone, case .committed(let value) = try attempt(pool, relaxed: relaxed, body) {
            if durable { durableCommits.wrappingAdd(1, ordering: .relaxed) }
            return value
        }
        if !relaxed {
            let value = try await pool.write(body)
            if durable { durableCommits.wrappingAdd(1, ordering: .relaxed) }
            return value
        }
        return try await pool.writeWithoutTransaction { db in
            try self.relaxing(db) {
                var value: T?
                try db.inTransaction(.immediate) {
                    value = try body(db)
                    return .commit
                }
                return value!
            }
        }
    }

    /// Runs `body` with the connection at `synchronous=NORMAL`, then restores the configured level (outside any
    /// transaction: SQLite refuses to change it inside one).
    private func relaxing<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        try db.execute(sql: "PRAGMA synchronous = NORMAL")
        defer { try? db.execute(sql: "PRAGMA synchronous = \(synchronous.rawValue)") }
        return try body()
    }

    /// Counts a long write (an import) that runs on GRDB's writer queue from now until ``endLongWrite()``, so that
    /// no write tries the calling thread meanwhile.
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
