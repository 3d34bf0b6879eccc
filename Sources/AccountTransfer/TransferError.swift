/// Why reading or writing an account file stopped (as opposed to one bad line, a ``LineProblem``).
public enum TransferError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or created.
    case cannotOpen(path: String, reason: String)
    /// Reading failed part-way.
    case readFailed(path: String, reason: String)
    /// Writing failed part-way; a file named with `--output` is left as it was. `-` is standard output.
    case writeFailed(path: String, reason: String)
    /// The CSV header is not the contract's; the whole file is refused.
    case badHeader(path: String, LineProblem)

    /// A sentence naming the file (`standard input`/`standard output` for `-`) and the failure.
    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "cannot open \(Self.display(path)): \(reason)"
        case .readFailed(let path, let reason):
            return "cannot read \(Self.display(path)): \(reason)"
        case .writeFailed(let path, let reason):
            return "cannot write \(path == "-" ? "to standard output" : path): \(reason)"
        case .badHeader(let path, let problem):
            return "\(Self.display(path)): \(problem)"
        }
    }

    /// `standard input` for `-`, the path otherwise.
    static func display(_ path: String) -> String {
        path == "-" ? "standard input" : path
    }
}
