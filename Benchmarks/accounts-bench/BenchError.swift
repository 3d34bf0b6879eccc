/// Why a benchmark could not produce its figures.
enum BenchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A C limit reported failure.
    case limitFailed(String)
    /// The two sides did not do the same work (a self-check failed).
    case mismatch(String)
    /// A child process failed.
    case childFailed(String)

    var description: String {
        switch self {
        case .limitFailed(let what): "the raw limit failed: \(what)"
        case .mismatch(let what): "the benchmark's self-check failed: \(what)"
        case .childFailed(let what): "the child process failed: \(what)"
        }
    }
}
