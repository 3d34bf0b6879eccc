import AccountTransfer
import Dispatch
import Synchronization

/// The hand-over between the thread that reads and validates an import file and GRDB's writer, which inserts: a
/// bounded queue of record batches (so memory stays bounded whatever the file's size, and reading overlaps
/// writing), the problems found by the writer on their way back to the reading thread, and the writer's result.
final class ImportChannel: Sendable {
    /// What the reading thread sends.
    enum Message: Sendable {
        /// Records (or invalid lines) in file order, with the keys of invalid ones that passed their checks (by
        /// index in `items`).
        case items([ReadItem], keys: [Int: RecordKeys])
        /// The file is finished.
        case end
        /// Reading failed: roll back.
        case abort
        /// The store is closing (``stop()``, never sent): roll back.
        case storeClosed
    }

    private struct State: Sendable {
        var queue: [Message] = []
        var writerDone = false
        var problems: [LineProblem] = []
        var result: Result<ImportReport, TransferFailure>?
        var stopped = false
    }

    private let state = Mutex(State())
    // Every semaphore starts at 0: libdispatch traps when one is released holding less than its initial value,
    // which a channel abandoned with messages in flight would.
    private let free = DispatchSemaphore(value: 0)
    private let available = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    /// A channel holding at most `capacity` messages.
    init(capacity: Int) {
        for _ in 0..<capacity { free.signal() }
    }

    /// Reading side: queues `message`, waiting for room; `false` once the writer has stopped (nothing was queued).
    func send(_ message: Message) -> Bool {
        free.wait()
        let accepted = state.withLock { state in
            guard !state.writerDone else { return false }
            state.queue.append(message)
            return true
        }
        if accepted {
            available.signal()
        } else {
            free.signal()  // keep the way open for any later send
        }
        return accepted
    }

    /// Writing side: the next message, waiting for one; ``Message/storeClosed`` once ``stop()`` was called.
    func receive() -> Message {
        available.wait()
        let message = state.withLock { state -> Message? in
            state.stopped ? nil : state.queue.removeFirst()
        }
        guard let message else { return .storeClosed }
        free.signal()
        return message
    }

    /// Any thread (the store's `close()`): the writer's next ``receive()`` (or the one it waits in) returns
    /// ``Message/storeClosed``, whatever the reading side queued or is still reading.
    func stop() {
        state.withLock { $0.stopped = true }
        available.signal()
    }

    /// Writing side: hands problems found in the store back to the reading side, in line order.
    func report(_ problems: [LineProblem]) {
        state.withLock { $0.problems.append(contentsOf: problems) }
    }

    /// Reading side: the problems reported since the last call.
    func takeProblems() -> [LineProblem] {
        state.withLock { state in
            defer { state.problems.removeAll() }
            return state.problems
        }
    }

    /// Writing side: the import is over (committed, rolled back or failed); wakes a waiting sender.
    func finish(_ result: Result<ImportReport, TransferFailure>) {
        state.withLock { state in
            state.writerDone = true
            state.result = result
        }
        free.signal()
        finished.signal()
    }

    /// Reading side: waits for the writer's result.
    func result() -> Result<ImportReport, TransferFailure> {
        finished.wait()
        finished.signal()
        return state.withLock { $0.result! }
    }
}
