public import AccountModel

/// The file formats of account import and export (ARCHITECTURE.md, "Account JSON Lines").
public enum TransferFormat: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Account JSON Lines: one JSON object a line.
    case jsonl
    /// CSV: a header row, then one account a record, RFC 4180 quoting; an empty field is null.
    case csv

    /// `jsonl` or `csv`, as `--format` takes it.
    public var description: String { rawValue }

    /// How this format names `field` in its files and in import errors: `twitter.id` in JSON Lines, `twitter_id` in
    /// CSV.
    public func name(of field: Field) -> String {
        switch (self, field) {
        case (.jsonl, .twitterUserID): return "twitter.id"
        case (.jsonl, .screenName): return "twitter.screen_name"
        case (.jsonl, .displayName): return "twitter.name"
        default: return field.rawValue
        }
    }

    /// `json` or `csv`: the field named in an error about a line that does not parse.
    var syntaxField: String {
        switch self {
        case .jsonl: return "json"
        case .csv: return "csv"
        }
    }

    /// The CSV columns in the contract's order (`password_hash` last, optional).
    static let csvColumns: [Field] = [
        .username, .email, .firstName, .lastName, .createdAt, .twitterUserID, .screenName, .displayName,
    ]
}
