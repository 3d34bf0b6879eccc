import GRDB
import Synchronization

/// Decides where a short read runs, so that the common case costs no thread hand-off.
///
/// GRDB's `async` read hands the work to a reader connection's queue and resumes the caller on the cooperative pool
/// afterwards: two thread wake-ups, which made an account lookup take 108–118 µs instead of 28–31 µs on the calling
/// thread (p50 on a 2-core machine, `accounts-bench lookup`); the web layer's session lookup runs on every request.
/// In WAL mode a read never waits for a lock, so while fewer than ``limit`` reads of this store run on calling
/// threads, the read runs on the calling thread (libdispatch runs `sync` work for an idle reader queue on the
/// caller's thread); past that, it is handed to GRDB and awaited
/// (``GRDB/DatabasePool/readOffPool(unsafe:_:)``), so a burst never holds more than ``limit`` cooperative threads.
/// Scans that may take long (counting every account) go to GRDB directly (``AccountStore/readElsewhere(_:)``).
final class ReadGate: Sendable {
    /// Reads of this store now running on calling threads.
    private let onCallers = Atomic<Int>(0)
    /// How many reads may run on calling threads at once: one less than the pool's readers, so that a read handed
    /// to GRDB always finds a connection.
    let limit: Int

    init(readers: Int) {
        limit = max(1, readers - 1)
    }

    /// Runs `body` in a read transaction (a snapshot), on the calling thread when a slot is free, else on GRDB's
    /// reader queue.
    func read<T: Sendable>(_ pool: DatabasePool, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let slot = onCallers.wrappingAdd(1, ordering: .acquiringAndReleasing).oldValue < limit
        if slot {
            defer { onCallers.wrappingSubtract(1, ordering: .acquiringAndReleasing) }
            return try readHere(pool, body)
        }
        onCallers.wrappingSubtract(1, ordering: .acquiringAndReleasing)
        return try await pool.readOffPool(body)
    }

    /// GRDB's synchronous read, on the calling thread.
    private func readHere<T>(_ pool: DatabasePool, _ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }
}

extension DatabasePool {
    /// GRDB's `async` read (with `unsafe`, its `unsafeRead`: no transaction), with no thread of the cooperative pool
    /// needed between the call and `body`, which runs straight from GRDB's dispatch queues. GRDB's own `async` read
    /// waits for a reader connection on a dispatch queue, then comes back to the pool before it hands the connection
    /// over: a read on its way to its connection would need a free thread of the pool, and ``AccountStore/close()``,
    /// which waits for such reads (``StoreLifetime``), would not return while called on the pool's last free thread
    /// (an app closing its store from async code; on a 1-core machine, the pool's only thread). Cancelling the task
    /// does not stop `body`, as it would GRDB's: the reads that use this are lookups past ``ReadGate/limit``, counts,
    /// and a backup, which stops on its own cancellation.
    func readOffPool<T: Sendable>(
        unsafe: Bool = false, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let run: @Sendable (Result<Database, any Error>) -> Void = { connection in
                continuation.resume(with: Result { try body(try connection.get()) })
            }
            if unsafe { asyncUnsafeRead(run) } else { asyncRead(run) }
        }
    }
}
