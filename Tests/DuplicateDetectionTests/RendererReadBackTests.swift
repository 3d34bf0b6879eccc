import AccountModel
import DuplicateDetection
import Foundation
import TestSupport
import Testing

/// What a reader of each format relies on: CSV reasons that split back, one JSON cluster a line, table columns that
/// line up.
@Suite(.offThePool)
struct RendererReadBackTests {
    /// The fields of one CSV record (RFC 4180: quoted cells, `""` for a quote), enough for the report's rows.
    static func csvFields(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var characters = Array(line.unicodeScalars)[...]
        while let scalar = characters.popFirst() {
            if quoted {
                if scalar == "\"" {
                    if characters.first == "\"" {
                        current.unicodeScalars.append("\"")
                        characters.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    current.unicodeScalars.append(scalar)
                }
            } else if scalar == "\"" {
                quoted = true
            } else if scalar == "," {
                fields.append(current)
                current = ""
            } else {
                current.unicodeScalars.append(scalar)
            }
        }
        fields.append(current)
        return fields
    }

    /// README: the CSV's `cluster_reasons` is the cluster's reasons "joined by `; `" (and the table's `reasons:` line
    /// too), so no reason holds `; `: the cap's own reason included, a capped cluster's cell reads back as its
    /// reasons, as a reader counting clusters by reason (as the HTML page's table does) needs.
    @Test func csvReasonsOfACappedClusterSplitBackIntoItsReasons() throws {
        var settings = DetectionSettings()
        settings.maximumClusterSize = 20
        let accounts = (0..<30).map { index in account("user\(index)", email: "shared+\(index)@gmail.com") }
        let report = detect(accounts, settings: settings)
        let capped = try #require(report.clusters.first { $0.isCapped && $0.members.count == 20 })
        let csv = ReportRenderer.render(report, as: .csv)
        let row = try #require(
            csv.components(separatedBy: "\r\n").first { $0.hasPrefix(capped.id + ",") }, "no row of the capped cluster")
        let cell = Self.csvFields(row)[2]
        #expect(
            cell.components(separatedBy: "; ") == capped.reasons,
            "the cluster_reasons cell does not split back into the cluster's \(capped.reasons.count) reasons")
        let table = ReportRenderer.render(report, as: .table)
        let reasonsLine = try #require(table.split(separator: "\n").first { $0.hasPrefix("  reasons: ") })
        #expect(
            reasonsLine.dropFirst("  reasons: ".count).components(separatedBy: "; ").count == capped.reasons.count,
            "the table's reasons line does not split back into the cluster's reasons")
    }

    /// README and ARCHITECTURE: the JSON report has "one cluster a line". A line separator in a value is escaped
    /// (`\u2028`, `\u2029`, control characters), but NEL (U+0085, the C1 "next line"), which Unicode, Python's
    /// `str.splitlines()` and Swift's `Character.isNewline` all take as a line break, is written raw: a reader taking
    /// the report line by line gets a cluster cut in two.
    @Test func jsonKeepsOneClusterALineWhenANameHoldsANextLine() throws {
        let report = detect([
            account("ann", email: "ann@gmail.com", first: "Ann", last: "Lee\u{85}Smith"),
            account("ann_x", email: "a.n.n@gmail.com", first: "Ann", last: "Lee\u{85}Smith"),
        ])
        #expect(report.clusters.count == 1)
        let json = ReportRenderer.render(report, as: .json)
        _ = try JSONSerialization.jsonObject(with: Data(json.utf8))
        // head, one line per cluster, the closing `]}`
        let lines = json.split(whereSeparator: \.isNewline)
        #expect(lines.count == report.clusters.count + 2, "a value's line break splits a cluster's line")
    }

    /// README: the table's columns are aligned "as glibc's `wcwidth` table" counts cells. The prepended concatenation
    /// marks (U+0600–U+0605 Arabic number signs, U+06DD end of ayah, U+070F, U+0890, U+0891, U+08E2, U+110BD,
    /// U+110CD) are format characters that are drawn (each spans the digits after it): `wcwidth` gives each one cell,
    /// the table none, so every column after such a name is shifted left by one.
    @Test(arguments: [
        "\u{0600}\u{0661}\u{0662}", "\u{06DD}\u{0661}", "\u{070F}x", "\u{0890}\u{0661}", "\u{08E2}\u{0661}",
        "\u{110BD}\u{11066}",
    ])
    func tableColumnsLineUpAfterAPrependedConcatenationMark(_ name: String) throws {
        let table = ReportRenderer.render(ReportRendererTests.sample(name: name), as: .table)
        let lines = table.split(separator: "\n").map(String.init)
        let header = try #require(lines.first { $0.hasPrefix("CLUSTER") })
        func idColumn(_ line: String) throws -> Int {
            let id = try #require(line.range(of: "00000000-0000-4000-8000-00000000000") ?? line.range(of: "ID"))
            return try #require(TableWidth.of(String(line[..<id.lowerBound])), "no wcwidth or no C.UTF-8 locale")
        }
        let members = lines.filter { $0.contains("00000000-0000-4000-8000-00000000000") }
        #expect(members.count == 2)
        for member in members {
            #expect(try idColumn(member) == idColumn(header), "the ID column moved on the line of \(member.prefix(40))")
        }
    }
}
