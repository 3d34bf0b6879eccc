import Foundation
public import Testing

/// Runs each test of a suite on threads of its own instead of Swift's cooperative pool.
///
/// The pool has one thread per core, and the in-process servers of the tests running beside (the web routes, the
/// Twitter sandbox) answer on it. These suites' tests are synchronous and CPU-bound (thousands of accounts compared,
/// every pair of addresses matched): run on the pool, two of them left no thread for anything else for the first
/// minutes of a whole run. Under this trait a test's jobs run on a few threads kept for such tests
/// (``DedicatedThreadsExecutor/shared``, one per core), which the kernel shares out with the pool's; as on the pool,
/// no more of these tests run at once than there are threads. A test under it must not block its thread waiting for
/// work of another such test.
public struct OffThePool: SuiteTrait, TestTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        guard testCase != nil else { return try await function() }
        try await withTaskExecutorPreference(DedicatedThreadsExecutor.shared) { try await function() }
    }
}

extension Trait where Self == OffThePool {
    /// Each test runs on threads of its own, not on the cooperative pool (see ``OffThePool``).
    public static var offThePool: Self { OffThePool() }
}

/// A task executor with a fixed number of threads of its own, taking the jobs it is given in turn.
final class DedicatedThreadsExecutor: TaskExecutor {
    /// The one used by ``OffThePool``: a thread per core.
    static let shared = DedicatedThreadsExecutor(threads: max(2, ProcessInfo.processInfo.activeProcessorCount))

    private let jobs = Locked<[UnownedJob]>([])
    private let waiting = DispatchSemaphore(value: 0)

    private init(threads: Int) {
        for _ in 0..<threads {
            let thread = Thread { [self] in self.runJobs() }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.append(job) }
        waiting.signal()
    }

    /// Runs the jobs given, one at a time, for as long as the process lives.
    private func runJobs() {
        let executor = asUnownedTaskExecutor()
        while true {
            waiting.wait()
            let job = jobs.withLock { $0.removeFirst() }
            job.runSynchronously(on: executor)
        }
    }
}
