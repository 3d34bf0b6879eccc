import Foundation

/// A task executor with one thread of its own, running the jobs it is given in turn: while a task on it blocks the
/// thread, no other task on it runs, which a test can see.
public final class OneThreadExecutor: TaskExecutor {
    private let jobs = Locked<[UnownedJob]>([])
    private let stopped = Locked(false)
    private let waiting = DispatchSemaphore(value: 0)

    public init() {
        let thread = Thread { [self] in self.runJobs() }
        thread.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.append(job) }
        waiting.signal()
    }

    /// Ends the thread once the jobs given so far have run.
    public func stop() {
        stopped.withLock { $0 = true }
        waiting.signal()
    }

    private func runJobs() {
        let executor = asUnownedTaskExecutor()
        while true {
            waiting.wait()
            guard let job = jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else {
                if stopped.value { return }
                continue
            }
            job.runSynchronously(on: executor)
        }
    }
}
