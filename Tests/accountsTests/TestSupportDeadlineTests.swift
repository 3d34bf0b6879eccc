import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The test suite's helpers that wait for a lock, a process or a stream end their wait at a deadline with an error
/// naming what they waited for: a helper whose awaited event never comes fails its test instead of hanging the run.
struct TestSupportDeadlineTests {
    /// A write lock another connection holds (a request's write, a second holder) keeps a `WriteLockHolder` waiting
    /// only up to its limit; then it throws an error naming the database and the first holder keeps the lock.
    @Test func aWriteLockHolderMeetingAHeldLockFailsAtItsLimit() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/held.sqlite"
            try CommittingLockHolder(path: path).commit("CREATE TABLE t (x)")
            let first = try WriteLockHolder(path: path)
            let (failure, took) = await Self.timedOffPool { try WriteLockHolder(path: path, waitingUpTo: .seconds(1)) }
            #expect(took < .seconds(20))
            let message = try #require(failure.map { "\($0)" })
            #expect(message.contains(path) && message.contains("write lock"), "\(message)")
            try first.release()
            #expect(countQuery(path, "SELECT count(*) FROM t") == 0)
        }
    }

    /// A `CommittingLockHolder` meeting a lock another connection holds fails at its limit the same way.
    @Test func aCommittingLockHolderMeetingAHeldLockFailsAtItsLimit() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/held.sqlite"
            try CommittingLockHolder(path: path).commit("CREATE TABLE t (x)")
            let first = try WriteLockHolder(path: path)
            let failure = await Self.offPool { try CommittingLockHolder(path: path, waitingUpTo: .seconds(1)) }
            let message = try #require(failure.map { "\($0)" })
            #expect(message.contains(path) && message.contains("write lock"), "\(message)")
            try first.release()
            // (and a holder made once the lock is free still works)
            let holder = try CommittingLockHolder(path: path)
            try holder.commit("INSERT INTO t VALUES (1)")
            #expect(countQuery(path, "SELECT count(*) FROM t") == 1)
        }
    }

    /// A holder waits for a write already under way on another connection (a request's brief write) and takes the
    /// lock when it ends, rather than failing or hanging.
    @Test func aWriteLockHolderTakesTheLockWhenABriefWriteEnds() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/held.sqlite"
            try CommittingLockHolder(path: path).commit("CREATE TABLE t (x)")
            let brief = try WriteLockHolder(path: path)
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { try? brief.release() }
            let failure = await Self.offPool { try WriteLockHolder(path: path, waitingUpTo: .seconds(60)).release() }
            #expect(failure == nil, "\(failure.map { "\($0)" } ?? "")")
        }
    }

    /// A server's stdout that stays open after the server is stopped (a process it started holds it) is read up to
    /// a limit, then the read throws an error naming the command, instead of waiting for the other process. (The
    /// bound is far above the 1 s limit and far below the holder's 600 s: on a loaded machine the await resumes only
    /// when the cooperative pool has a thread free, which has taken 38 s in a whole run.)
    @Test func aServersStdoutLeftOpenByItsChildEndsAtALimit() async throws {
        let server = try ServerProcess(
            "/bin/sh", ["-c", #"sleep 600 2>/dev/null & echo "ready $!"; exec sleep 60"#])
        let line = try await server.firstLine()
        let holder = try #require(Int32(line.dropFirst("ready ".count)), "\(line)")
        defer { kill(holder, SIGKILL) }
        await server.stop()
        let started = ContinuousClock.now
        var failure: (any Error)?
        do { _ = try await server.stdoutText(waitingUpTo: .seconds(1)) } catch { failure = error }
        #expect(ContinuousClock.now - started < .seconds(300))
        let message = try #require(failure.map { "\($0)" })
        #expect(message.contains("stdout") && message.contains("sh"), "\(message)")
    }

    /// What `body` threw (nil when it returned), run on a thread outside the cooperative pool.
    static func offPool(_ body: @escaping @Sendable () throws -> some Any) async -> (any Error)? {
        await timedOffPool(body).failure
    }

    /// What `body` threw (nil when it returned) and how long it took, run on a thread outside the cooperative pool
    /// (timed there: the wait for a pool thread to resume the test is not counted).
    static func timedOffPool(
        _ body: @escaping @Sendable () throws -> some Any
    ) async -> (failure: (any Error)?, took: Duration) {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let started = ContinuousClock.now
                do {
                    _ = try body()
                    continuation.resume(returning: (nil, ContinuousClock.now - started))
                } catch {
                    continuation.resume(returning: (error, ContinuousClock.now - started))
                }
            }
        }
    }
}
