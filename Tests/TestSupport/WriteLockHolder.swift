import Dispatch
import GRDB

/// Holds a database's write lock from a connection of its own (`BEGIN IMMEDIATE` on another thread) until
/// ``release()``: how tests stand in for another process writing.
public final class WriteLockHolder: Sendable {
    private let locked = DispatchSemaphore(value: 0)
    private let releasing = DispatchSemaphore(value: 0)
    private let released = DispatchSemaphore(value: 0)
    private let queue: DatabaseQueue

    /// Opens `path` and returns once the lock is held.
    public init(path: String) throws {
        queue = try DatabaseQueue(path: path)
        let queue = queue
        let (locked, releasing, released) = (locked, releasing, released)
        DispatchQueue.global().async {
            try? queue.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN IMMEDIATE")
                locked.signal()
                releasing.wait()
                try db.execute(sql: "ROLLBACK")
            }
            released.signal()
        }
        locked.wait()
    }

    /// Lets the lock go (nothing was written) and closes the connection.
    public func release() throws {
        releasing.signal()
        released.wait()
        try queue.close()
    }
}
