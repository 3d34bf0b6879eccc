package import AccountCrypto

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
    /// Set when the problem is a password hash refused as too costly to check (what is wrong, without advice):
    /// ``problem`` adds the library's advice, the parameters an app passes; `accounts import` adds its flag instead.
    package let costlyHash: PasswordHasher.CostlyHash?

    /// Makes a problem report.
    public init(line: Int, field: String, problem: String) {
        self.line = line
        self.field = field
        self.problem = problem
        costlyHash = nil
    }

    /// The problem of a password hash refused as too costly to import, with the library's advice.
    package init(line: Int, field: String, costlyHash: PasswordHasher.CostlyHash) {
        self.line = line
        self.field = field
        problem = costlyHash.error(advice: PasswordHasher.costlyHashAdvice).description
        self.costlyHash = costlyHash
    }

    /// `line N: field: problem`.
    public var description: String { "line \(line): \(field): \(problem)" }

    /// Problems are the same when they read the same, however they were made.
    public static func == (lhs: LineProblem, rhs: LineProblem) -> Bool {
        lhs.line == rhs.line && lhs.field == rhs.field && lhs.problem == rhs.problem
    }

    /// Hashes what `==` compares: line, field and problem.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(line)
        hasher.combine(field)
        hasher.combine(problem)
    }
}
