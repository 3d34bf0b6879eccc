/// What is wrong with one line of an import file: printed as `line N: field: what is wrong`.
///
/// `line` is the physical line (the CSV header is line 1; a quoted multi-line CSV record is blamed on its first
/// line); `field` is the format's name for the field (`email`, `twitter.id` or `twitter_id`), or `json` / `csv` when
/// the line does not parse.
public struct LineProblem: Sendable, Hashable, CustomStringConvertible {
    /// The physical line number, from 1.
    public let line: Int
    /// The field at fault, or `json` / `csv`.
    public let field: String
    /// What is wrong, as a sentence fragment.
    public let problem: String

    /// Makes a problem report.
    public init(line: Int, field: String, problem: String) {
        self.line = line
        self.field = field
        self.problem = problem
    }

    public var description: String { "line \(line): \(field): \(problem)" }
}
