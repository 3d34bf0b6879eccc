import Dispatch
import Foundation
import Synchronization

/// `[body(0), body(1), …, body(count - 1)]`, worked out on every core, in slices of at least `minimumSlice`.
func inParallel<Value: Sendable>(
    _ count: Int, minimumSlice: Int = 1_000, _ body: @escaping @Sendable (Int) -> Value
) -> [Value] {
    let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount * 4, count / max(1, minimumSlice)))
    let pieces = Mutex<[[Value]]>(Array(repeating: [], count: parts))
    DispatchQueue.concurrentPerform(iterations: parts) { part in
        let piece = ((count * part / parts)..<(count * (part + 1) / parts)).map(body)
        pieces.withLock { $0[part] = piece }
    }
    return pieces.withLock { $0.flatMap { $0 } }
}
