import Dispatch
import Foundation
import GRDB

/// Holds a database's write lock from a connection of its own (`BEGIN IMMEDIATE` on another thread), as
/// ``WriteLockHolder`` does, then runs SQL and commits when told: how tests make another process's write land at a
/// chosen moment, after a request has read what it reads and while its own write waits for the lock.
///
/// Every wait has a limit: a lock that is never granted, or a transaction that never ends, fails the test with a
/// ``LockHolderFailure`` naming the file rather than holding a thread (and the run) for ever. A holder dropped
/// without ``commit(_:)`` (a test that threw first) rolls back and lets the lock go.
public final class CommittingLockHolder: Sendable {
    private let locked = DispatchSemaphore(value: 0)
    private let releasing = DispatchSemaphore(value: 0)
    private let released = DispatchSemaphore(value: 0)
    private let queue: DatabaseQueue
    private let path: String
    /// The SQL to run before committing, or nil to roll back.
    private let statements = Locked<String?>(nil)
    private let failure = Locked<String?>(nil)
    private let ended = Locked(false)

    /// Opens `path` and returns once the lock is held. A write under way on another connection (a request's) is
    /// waited for, up to `limit`; then ``LockHolderFailure`` is thrown, naming the file.
    public init(path: String, waitingUpTo limit: Duration = .seconds(60)) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(
            Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18 + 0.25)
        queue = try DatabaseQueue(path: path, configuration: configuration)
        self.path = path
        let queue = queue
        let (locked, releasing, released, statements, failure) = (locked, releasing, released, statements, failure)
        // (a thread of its own: a work item on Dispatch's global queues, which the cooperative pool shares, can start
        // seconds late while tests hold that pool, and then take the lock after this init gave up waiting)
        Thread.detachNewThread {
            do {
                try queue.writeWithoutTransaction { db in
                    try db.execute(sql: "BEGIN IMMEDIATE")
                    locked.signal()
                    releasing.wait()
                    do {
                        guard let sql = statements.value else {
                            try db.execute(sql: "ROLLBACK")
                            return
                        }
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
            locked.signal()  // (when BEGIN failed: the wait in init ends and reads the failure)
        }
        let granted = locked.wait(timeout: .now() + .milliseconds(Int(limit / .milliseconds(1)) + 5_000))
        if granted == .success, let message = failure.value {
            try? queue.close()
            ended.withLock { $0 = true }
            throw LockHolderFailure.notLocked(path: path, reason: message)
        }
        guard granted == .success else {
            // (the thread still waiting for the lock gives up at the busy timeout; its connection is closed then. Told
            // to roll back now, it lets the lock go at once should it get it after all, rather than hold it, and the
            // process, for ever)
            ended.withLock { $0 = true }
            releasing.signal()
            throw LockHolderFailure.notLocked(path: path, reason: "not granted within \(limit)")
        }
    }

    deinit {
        if !ended.value { try? end(nil) }
    }

    /// Runs `sql` in the held transaction, commits, and closes the connection; throws what SQLite said if it failed.
    public func commit(_ sql: String) throws {
        try end(sql)
    }

    /// Rolls the held transaction back (nothing is written) and closes the connection.
    func rollBack() throws {
        try end(nil)
    }

    private func end(_ sql: String?) throws {
        guard
            !ended.withLock({ ended in
                defer { ended = true }; return ended
            })
        else { return }
        statements.withLock { $0 = sql }
        releasing.signal()
        guard released.wait(timeout: .now() + 60) == .success else {
            throw LockHolderFailure.notReleased(path: path)
        }
        try queue.close()
        if let message = failure.value { throw CommitFailure(message: message) }
    }

    /// Why ``commit(_:)`` failed.
    public struct CommitFailure: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}

/// Why a ``WriteLockHolder`` or ``CommittingLockHolder`` could not take or let go of a database's write lock.
public enum LockHolderFailure: Error, CustomStringConvertible {
    /// `BEGIN IMMEDIATE` on `path` failed or was not granted in time.
    case notLocked(path: String, reason: String)
    /// The held transaction on `path` did not end within a minute of being told to.
    case notReleased(path: String)

    public var description: String {
        switch self {
        case .notLocked(let path, let reason):
            return "could not take the write lock of \(path): \(reason)"
        case .notReleased(let path):
            return "the transaction holding the write lock of \(path) did not end within 60 s"
        }
    }
}
