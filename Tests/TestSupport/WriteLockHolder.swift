import Dispatch
import GRDB

/// Holds a database's write lock from a connection of its own (`BEGIN IMMEDIATE` on another thread) until
/// ``release()``: how tests stand in for another process writing.
public final class WriteLockHolder: Sendable {
    private let holder: CommittingLockHolder

    /// Opens `path` and returns once the lock is held. A write under way on another connection (a request's) is
    /// waited for, up to `limit`; then ``LockHolderFailure`` is thrown, naming the file.
    public init(path: String, waitingUpTo limit: Duration = .seconds(60)) throws {
        holder = try CommittingLockHolder(path: path, waitingUpTo: limit)
    }

    /// Lets the lock go (nothing was written) and closes the connection.
    public func release() throws {
        try holder.rollBack()
    }
}
