import Foundation
import GRDBSQLite

/// A migration file split into statements, each with the line it starts on, so an error can name file and line.
struct SQLScript {
    struct Statement {
        var sql: String
        var line: Int
    }

    var statements: [Statement]

    /// Splits `text` at the ends of complete statements, as SQLite's own `sqlite3_complete` sees them (it knows
    /// string literals, comments and trigger bodies).
    init(_ text: String) {
        var statements: [Statement] = []
        var current: [UInt8] = []
        var line = 1
        var startLine: Int?
        var inLineComment = false
        var inBlockComment = false
        // Where the open block comment's text begins (past its `/*`): its `*/` comes after that, so `/*/` opens one.
        var blockCommentText = 0
        for byte in text.utf8 {
            current.append(byte)
            if startLine == nil {
                // The statement starts at its first byte that is not white space, a `--` comment or a `/* */` one.
                if inLineComment {
                    if byte == UInt8(ascii: "\n") { inLineComment = false }
                } else if inBlockComment {
                    if byte == UInt8(ascii: "/") && current.count - 2 >= blockCommentText
                        && current.suffix(2) == [UInt8(ascii: "*"), UInt8(ascii: "/")]
                    {
                        inBlockComment = false
                    }
                } else if byte == UInt8(ascii: "-") && current.suffix(2) == [UInt8(ascii: "-"), UInt8(ascii: "-")] {
                    inLineComment = true
                } else if byte == UInt8(ascii: "*") && current.suffix(2) == [UInt8(ascii: "/"), UInt8(ascii: "*")] {
                    inBlockComment = true
                    blockCommentText = current.count
                } else if ![
                    UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"),
                    UInt8(ascii: "-"), UInt8(ascii: "/"),
                ].contains(byte) {
                    startLine = line
                }
            }
            if byte == UInt8(ascii: "\n") { line += 1 }
            if byte == UInt8(ascii: ";"), let start = startLine {
                let candidate = String(decoding: current, as: UTF8.self)
                if sqlite3_complete(candidate) != 0 {
                    statements.append(Statement(sql: candidate, line: start))
                    current.removeAll(keepingCapacity: true)
                    startLine = nil
                }
            }
        }
        if let start = startLine {
            let rest = String(decoding: current, as: UTF8.self)
            statements.append(Statement(sql: rest, line: start))
        }
        self.statements = statements
    }

    /// The keyword (upper case) when `sql` is a statement that begins or ends a transaction or savepoint (`BEGIN`,
    /// `COMMIT`, `END`, `ROLLBACK`, `SAVEPOINT`, `RELEASE`), past white space and comments; else `nil`. A trigger's
    /// `BEGIN … END` is inside its `CREATE TRIGGER` statement, which this does not take for one.
    static func transactionKeyword(_ sql: String) -> String? {
        var rest = Substring(sql)
        while true {
            rest = rest.drop(while: \.isWhitespace)
            if rest.hasPrefix("--") {
                rest = rest.drop { $0 != "\n" }
            } else if rest.hasPrefix("/*"), let end = rest.dropFirst(2).range(of: "*/") {
                rest = rest[end.upperBound...]
            } else {
                break
            }
        }
        let word = rest.prefix { $0.isASCII && $0.isLetter }.uppercased()
        return ["BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"].contains(word) ? word : nil
    }

    /// The first line of a statement, trimmed and shortened, for error messages.
    static func summary(_ sql: String) -> String {
        // Past the `/* */` comments in front of it.
        var sql = Substring(sql)
        while case let rest = sql.drop(while: \.isWhitespace), rest.hasPrefix("/*"),
            let end = rest.dropFirst(2).range(of: "*/")
        {
            sql = rest[end.upperBound...]
        }
        let firstLine =
            sql.split(separator: "\n").first { line in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                return !trimmed.isEmpty && !trimmed.hasPrefix("--")
            } ?? Substring(sql)
        let trimmed = firstLine.trimmingCharacters(in: .whitespaces)
        return trimmed.count > 80 ? String(trimmed.prefix(77)) + "..." : trimmed
    }
}
