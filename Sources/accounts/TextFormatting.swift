import AccountModel
import Foundation

/// JSON text written by hand, so keys keep the contract's order.
enum JSONText {
    /// `text` as a JSON string literal (one implementation: `JSONString` in AccountModel).
    static func string(_ text: String) -> String {
        JSONString.literal(text)
    }
}

/// RFC 3339 UTC timestamps.
enum RFC3339 {
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    static func seconds(_ date: Date) -> String {
        date.formatted(
            .iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false)
                .timeSeparator(.colon).timeZone(separator: .omitted))
    }
}

/// Aligned plain-text tables for the terminal.
enum TextTable {
    static func render(_ rows: [[String]]) -> String {
        guard let header = rows.first else { return "" }
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        var output = ""
        for row in rows {
            let cells = row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }
            output += cells.joined(separator: "  ") + "\n"
        }
        return output
    }
}
