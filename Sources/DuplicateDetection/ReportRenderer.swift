import AccountModel
public import Foundation

/// The formats a report is written in.
public enum ReportFormat: String, Sendable, Hashable, CaseIterable {
    /// Aligned columns for a terminal.
    case table
    /// RFC 4180 CSV, one row per account.
    case csv
    /// The JSON contract (ARCHITECTURE "Duplicate report (JSON)").
    case json
    /// One self-contained HTML page.
    case html
}

/// Writes reports.
public enum ReportRenderer: Sendable {
    /// `report` in `format`, as UTF-8 text.
    public static func render(_ report: DuplicateReport, as format: ReportFormat) -> String {
        switch format {
        case .table: return TableRenderer.render(report)
        case .csv: return CSVRenderer.render(report)
        case .json: return JSONRenderer.render(report)
        case .html: return HTMLRenderer.render(report)
        }
    }

    /// A score as the reports print it: at most three decimals, at least one (`0.99`, `1.0`, `0.755`).
    public static func scoreText(_ score: Double) -> String {
        var text = String(format: "%.3f", score)
        while text.hasSuffix("0") && !text.hasSuffix(".0") { text.removeLast() }
        return text
    }

    /// RFC 3339 UTC, whole seconds (`2026-11-30T08:15:00Z`).
    public static func timestamp(_ date: Date) -> String {
        date.formatted(
            .iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false)
                .timeSeparator(.colon).timeZone(separator: .omitted))
    }

    /// The value of `field` for an account, as text (`nil` when absent).
    static func value(_ field: ReportField, of member: DuplicateMember) -> String? {
        let account = member.account
        switch field {
        case .username: return account.username
        case .email: return account.email
        case .firstName: return account.firstName
        case .lastName: return account.lastName
        case .twitterScreenName: return account.twitterScreenName
        case .twitterName: return account.twitterName
        }
    }
}

/// The JSON contract: `{"generated_at", "accounts_scanned", "clusters": [{"id", "score", "reasons", "members":
/// [{"id", "username", "email", "twitter_screen_name", "first_name", "last_name", "twitter_name",
/// "matched_fields"}]}]}`; one cluster a line.
enum JSONRenderer {
    static func render(_ report: DuplicateReport) -> String {
        var output = "{\"generated_at\": \(string(ReportRenderer.timestamp(report.generatedAt))), "
        output += "\"accounts_scanned\": \(report.accountsScanned), \"clusters\": ["
        for (index, cluster) in report.clusters.enumerated() {
            output += index == 0 ? "\n" : ",\n"
            output += "{\"id\": \(string(cluster.id)), \"score\": \(ReportRenderer.scoreText(cluster.score)), "
            output += "\"reasons\": [" + cluster.reasons.map(string).joined(separator: ", ") + "], \"members\": ["
            output += cluster.members.map(member).joined(separator: ", ")
            output += "]}"
        }
        output += report.clusters.isEmpty ? "]}\n" : "\n]}\n"
        return output
    }

    private static func member(_ member: DuplicateMember) -> String {
        let account = member.account
        let fields: [(String, String?)] = [
            ("id", account.id.rawValue), ("username", account.username), ("email", account.email),
            ("twitter_screen_name", account.twitterScreenName), ("first_name", account.firstName),
            ("last_name", account.lastName), ("twitter_name", account.twitterName),
        ]
        var output = "{" + fields.map { "\"\($0.0)\": \($0.1.map(string) ?? "null")" }.joined(separator: ", ")
        output +=
            ", \"matched_fields\": ["
            + member.matchedFields.sorted().map { string($0.rawValue) }
            .joined(separator: ", ") + "]}"
        return output
    }

    /// `text` as a JSON string literal (one implementation: `JSONString` in AccountModel).
    static func string(_ text: String) -> String {
        JSONString.literal(text)
    }
}

/// One row per account: `cluster_id,cluster_score,cluster_reasons,id,username,email,first_name,last_name,
/// twitter_screen_name,twitter_name,matched_fields`. Reasons are joined by `; `, matched fields by spaces. A cell
/// that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) gets a
/// leading `'`.
enum CSVRenderer {
    static let header = [
        "cluster_id", "cluster_score", "cluster_reasons", "id", "username", "email", "first_name", "last_name",
        "twitter_screen_name", "twitter_name", "matched_fields",
    ]

    static func render(_ report: DuplicateReport) -> String {
        var output = header.joined(separator: ",") + "\r\n"
        for cluster in report.clusters {
            let reasons = cluster.reasons.joined(separator: "; ")
            for member in cluster.members {
                let account = member.account
                let cells: [String?] = [
                    cluster.id, ReportRenderer.scoreText(cluster.score), reasons, account.id.rawValue,
                    account.username, account.email, account.firstName, account.lastName, account.twitterScreenName,
                    account.twitterName, member.matchedFields.sorted().map(\.rawValue).joined(separator: " "),
                ]
                output += cells.map { cell($0 ?? "") }.joined(separator: ",") + "\r\n"
            }
        }
        return output
    }

    static func cell(_ text: String) -> String {
        var value = text
        if let first = value.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) {
            value = "'" + value
        }
        let needsQuotes =
            value.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
            || value.first?.isWhitespace == true || value.last?.isWhitespace == true
        guard needsQuotes else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Aligned columns for a terminal; control characters in values are shown as `?` so a name cannot drive the
/// terminal.
enum TableRenderer {
    static func render(_ report: DuplicateReport) -> String {
        var output =
            "\(report.accountsScanned) accounts scanned, \(report.clusters.count) "
            + (report.clusters.count == 1 ? "cluster" : "clusters")
            + " at minimum score \(ReportRenderer.scoreText(report.minimumScore))\n"
        for note in report.statistics.notes { output += "note: \(note)\n" }
        guard !report.clusters.isEmpty else { return output }
        let header = ["CLUSTER", "SCORE", "USERNAME", "EMAIL", "NAME", "TWITTER", "ID"]
        var rows: [[String]] = []
        var reasonsAfter: [Int: String] = [:]
        for cluster in report.clusters {
            for (index, member) in cluster.members.enumerated() {
                let account = member.account
                let name = [account.firstName, account.lastName].compactMap { $0 }.joined(separator: " ")
                var twitter = account.twitterScreenName.map { "@" + $0 } ?? ""
                if let display = account.twitterName { twitter += twitter.isEmpty ? display : " (\(display))" }
                rows.append(
                    [
                        index == 0 ? cluster.id : "", index == 0 ? ReportRenderer.scoreText(cluster.score) : "",
                        account.username, account.email ?? "", name, twitter, account.id.rawValue,
                    ].map(clean))
            }
            reasonsAfter[rows.count - 1] = clean(cluster.reasons.joined(separator: "; "))
        }
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ") + "\n"
        }
        output += "\n" + line(header)
        for (index, row) in rows.enumerated() {
            output += line(row)
            if let reasons = reasonsAfter[index] { output += "  reasons: \(reasons)\n" }
        }
        return output
    }

    static func clean(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { scalar in
                    scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) ? "?" : scalar
                }))
    }
}
