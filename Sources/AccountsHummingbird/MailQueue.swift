import Foundation
import Synchronization

/// Mails being issued and sent (password reset links; email confirmation and change links, and change notices), each
/// in a task of its own: at most `limit` at once, and a way to wait until none is left
/// (``AccountRoutes/finishMails()``).
final class MailQueue: Sendable {
    private struct State {
        var running = 0
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        /// Waiters cancelled before they were registered.
        var cancelled: Set<Int> = []
    }

    private let state = Mutex(State())
    /// Per kind of mail: when a refusal was last logged, and the refusals since.
    private let refusalLog = LogLimiter()
    /// Tasks allowed at once.
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Starts `work` in a task of its own, unless `limit` tasks are running: then `false`, and nothing starts.
    func start(_ work: @escaping @Sendable () async -> Void) -> Bool {
        guard reserve() else { return false }
        startInReservedPlace(work)
        return true
    }

    /// Takes a place for one task, unless `limit` places are taken: `false`. A place taken is given to
    /// ``startInReservedPlace(_:)`` or back through ``release()``: so that a request can learn that its mail will go out
    /// before it changes anything.
    func reserve() -> Bool {
        state.withLock { state in
            guard state.running < limit else { return false }
            state.running += 1
            return true
        }
    }

    /// Starts `work` in a task of its own, in the place ``reserve()`` took.
    func startInReservedPlace(_ work: @escaping @Sendable () async -> Void) {
        Task.detached {
            await work()
            self.finished()
        }
    }

    /// Gives back the place ``reserve()`` took, unused.
    func release() {
        finished()
    }

    private func finished() {
        let waiters = state.withLock { state in
            state.running -= 1
            guard state.running == 0 else { return [CheckedContinuation<Void, Never>]() }
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when no task is running, or when the calling task is cancelled.
    func waitUntilIdle() async {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state in
                    if state.running == 0 || state.cancelled.remove(id) != nil { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
                state.cancelled.insert(id)
                return nil
            }
            waiter?.resume()
        }
        // A cancellation that came after the wait ended leaves its mark: take it away.
        _ = state.withLock { $0.cancelled.remove(id) }
    }

    /// Whether to log a refusal of a mail of `kind` at `now` (one line a minute at most for each kind, so that a line
    /// an operator looks for by its kind is not swallowed by another kind's): the refusals of that kind the line stands
    /// for, or `nil`.
    func refusalsToLog(_ kind: String = "", at now: Date) -> Int? {
        refusalLog.eventsToLog(kind, at: now)
    }
}
