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
    /// The busy timeout the writer connection has outside the immediate attempt.
    private let busyTimeoutMilliseconds: CInt

    init(busyTimeout: Duration) {
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
    func write<T: Sendable>(
        _ pool: DatabasePool, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        let alone = inFlight.wrappingAdd(1, ordering: .acquiringAndReleasing).oldValue == 0
        defer { inFlight.wrappingSubtract(1, ordering: .acquiringAndReleasing) }
        if alone, case .committed(let value) = try attempt(pool, body) { return value }
        return try await pool.write(body)
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
    private func attempt<T>(_ pool: DatabasePool, _ body: (Database) throws -> T) throws -> Attempt<T> {
        try pool.writeWithoutTransaction { db in
            let connection = db.sqliteConnection
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
}
