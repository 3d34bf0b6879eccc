import Foundation
public import Testing

/// Runs each test of a suite on threads of its own instead of Swift's cooperative pool.
///
/// The pool has one thread per core, and the in-process servers of the tests running beside (the web routes, the
/// Twitter sandbox) answer on it. These suites' tests are synchronous and CPU-bound (thousands of accounts compared,
/// every pair of addresses matched): run on the pool, two of them left no thread for anything else for the first
/// minutes of a whole run. Under this trait a test's jobs run on threads started for them, which the kernel shares
/// out with the pool's.
public struct OffThePool: SuiteTrait, TestTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        guard testCase != nil else { return try await function() }
        try await withTaskExecutorPreference(ThreadPerJobExecutor()) { try await function() }
    }
}

extension Trait where Self == OffThePool {
    /// Each test runs on threads of its own, not on the cooperative pool (see ``OffThePool``).
    public static var offThePool: Self { OffThePool() }
}

/// A task executor that runs each job it is given on a new thread.
final class ThreadPerJobExecutor: TaskExecutor {
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        let thread = Thread { job.runSynchronously(on: executor) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
