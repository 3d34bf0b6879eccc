import Dispatch
import GRDB

/// Holds a database's write lock from a connection of its own (`BEGIN IMMEDIATE` on another thread), as
/// ``WriteLockHolder`` does, then runs SQL and commits when told: how tests make another process's write land at a
/// chosen moment, after a request has read what it reads and while its own write waits for the lock.
public final class CommittingLockHolder: Sendable {
    private let locked = DispatchSemaphore(value: 0)
    private let releasing = DispatchSemaphore(value: 0)
    private let released = DispatchSemaphore(value: 0)
    private let queue: DatabaseQueue
    private let statements = Locked<String>("")
    private let failure = Locked<String?>(nil)

    /// Opens `path` and returns once the lock is held.
    public init(path: String) throws {
        queue = try DatabaseQueue(path: path)
        let queue = queue
        let (locked, releasing, released, statements, failure) = (locked, releasing, released, statements, failure)
        DispatchQueue.global().async {
            do {
                try queue.writeWithoutTransaction { db in
                    try db.execute(sql: "BEGIN IMMEDIATE")
                    locked.signal()
                    releasing.wait()
                    do {
                        let sql = statements.value
                        if !sql.isEmpty { try db.execute(sql: sql) }
                        try db.execute(sql: "COMMIT")
                    } catch {
                        try? db.execute(sql: "ROLLBACK")
                        throw error
                    }
                }
            } catch {
                failure.withLock { $0 = "\(error)" }
            }
            released.signal()
        }
        locked.wait()
    }

    /// Runs `sql` in the held transaction, commits, and closes the connection; throws what SQLite said if it failed.
    public func commit(_ sql: String) throws {
        statements.withLock { $0 = sql }
        releasing.signal()
        released.wait()
        try queue.close()
        if let message = failure.value { throw CommitFailure(message: message) }
    }

    /// Why ``commit(_:)`` failed.
    public struct CommitFailure: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}
