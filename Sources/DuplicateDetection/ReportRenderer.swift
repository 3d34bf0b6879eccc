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
    /// A score that is no number (a hand-made report's) is `null`, so that JSON stays JSON.
    public static func scoreText(_ score: Double) -> String {
        guard score.isFinite else { return "null" }
        // Rounded as `%.3f` rounds (to the nearest thousandth of the exact binary value, ties to even), written
        // without Foundation's formatter, which took a fifth of a million-account report's rendering. The product
        // `score * 1000` is off by at most half a unit in its last place, so it rounds the same way unless the exact
        // value sits on a tie or next to one: those go to the formatter.
        let scaled = score * 1000
        let fraction = scaled - scaled.rounded(.down)
        guard scaled.isFinite, score.sign == .plus, scaled < 1e15, abs(fraction - 0.5) > 1e-6 else {
            var text = String(format: "%.3f", score)
            while text.hasSuffix("0") && !text.hasSuffix(".0") { text.removeLast() }
            return text
        }
        let thousandths = Int(scaled.rounded(.toNearestOrEven))
        var decimals = thousandths % 1000
        var digits = 3
        while digits > 1 && decimals % 10 == 0 {
            decimals /= 10
            digits -= 1
        }
        let written = String(decimals)
        return String(thousandths / 1000) + "." + String(repeating: "0", count: digits - written.count) + written
    }

    /// A minimum score as the reports print it: exactly as given, in the fewest decimals that read back as the same
    /// number (`0.7`, `0.7004`, `1.0`, `0.0000001`), `0.0` for −0, and `null` for no number. Scores are rounded to three decimals
    /// (``scoreText(_:)``), but a minimum given with more must not read as another one: at `--min-score 0.7004`, a
    /// score of 0.7 is below it.
    public static func minimumText(_ minimum: Double) -> String {
        guard minimum.isFinite else { return "null" }
        let value = minimum == 0 ? 0 : minimum
        let text = value.description
        guard value.isFinite, let e = text.firstIndex(of: "e"), let exponent = Int(text[text.index(after: e)...])
        else { return text }
        // `1.2345e-07`: the digits and where the point goes, written out in full.
        var mantissa = String(text[..<e])
        let negative = mantissa.hasPrefix("-")
        if negative { mantissa.removeFirst() }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let whole = String(parts[0])
        var digits = whole + (parts.count > 1 ? String(parts[1]) : "")
        while digits.count > 1 && digits.hasSuffix("0") { digits.removeLast() }
        let point = whole.count + exponent
        let written: String
        if point <= 0 {
            written = "0." + String(repeating: "0", count: -point) + digits
        } else if point >= digits.count {
            written = digits + String(repeating: "0", count: point - digits.count) + ".0"
        } else {
            written = String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
        }
        return (negative ? "-" : "") + written
    }

    /// `score` and `minimum` as a verdict prints them side by side: the score as ``scoreText(_:)`` writes it, unless
    /// that would compare with the minimum otherwise than the score does (equal to it, or on its other side); then
    /// in full, as ``minimumText(_:)`` writes the minimum.
    package static func scoreAndMinimumText(_ score: Double, _ minimum: Double) -> (score: String, minimum: String) {
        let rounded = scoreText(score)
        if let read = Double(rounded), (read < minimum) == (score < minimum), (read == minimum) == (score == minimum) {
            return (rounded, minimumText(minimum))
        }
        return (minimumText(score), minimumText(minimum))
    }

    /// `text` as a terminal may be shown it: control characters and direction overrides as `?`, as the table shows
    /// every value (the notes of a report name its largest blocks by what their members share: an address, a name).
    public static func terminalText(_ text: String) -> String {
        TableRenderer.clean(text)
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
/// [{"id", "username", "email", "twitter_screen_name", "twitter_id", "first_name", "last_name", "twitter_name",
/// "matched_fields"}]}]}`; one cluster a line. `twitter_id` is the linked Twitter account's user id as a decimal
/// string (ids pass 2^53, which a JSON number read as a double does not keep exact), or `null`.
enum JSONRenderer {
    static func render(_ report: DuplicateReport) -> String {
        // Written as UTF-8: a million-account report is tens of megabytes.
        var head: [UInt8] = []
        head += "{\"generated_at\": ".utf8
        JSONString.append(ReportRenderer.timestamp(report.generatedAt), to: &head)
        head += ", \"accounts_scanned\": \(report.accountsScanned), \"clusters\": [".utf8
        // Slices of clusters rendered on every core, then copied in order into the string's own storage.
        let clusters = report.clusters
        let slices = max(1, min(64, clusters.count / 1_000))
        var pieces = inParallel(slices, minimumSlice: 1) { slice in
            var piece: [UInt8] = []
            let range = (clusters.count * slice / slices)..<(clusters.count * (slice + 1) / slices)
            piece.reserveCapacity(range.reduce(0) { $0 + 220 + 420 * clusters[$1].members.count })
            for index in range { append(clusters[index], first: index == 0, to: &piece) }
            return piece
        }
        pieces.insert(head, at: 0)
        pieces.append(Array((report.clusters.isEmpty ? "]}\n" : "\n]}\n").utf8))
        let total = pieces.reduce(0) { $0 + $1.count }
        return String(unsafeUninitializedCapacity: total) { storage in
            var offset = 0
            for piece in pieces {
                _ = UnsafeMutableBufferPointer(rebasing: storage[offset...]).initialize(fromContentsOf: piece)
                offset += piece.count
            }
            return offset
        }
    }

    private static func append(_ cluster: DuplicateCluster, first: Bool, to output: inout [UInt8]) {
        output += (first ? "\n" : ",\n").utf8
        output += "{\"id\": ".utf8
        JSONString.append(cluster.id, to: &output)
        output += ", \"score\": ".utf8
        output += ReportRenderer.scoreText(cluster.score).utf8
        output += ", \"reasons\": [".utf8
        for (position, reason) in cluster.reasons.enumerated() {
            if position > 0 { output += ", ".utf8 }
            JSONString.append(reason, to: &output)
        }
        output += "], \"members\": [".utf8
        for (position, member) in cluster.members.enumerated() {
            if position > 0 { output += ", ".utf8 }
            append(member, to: &output)
        }
        output += "]}".utf8
    }

    private static func append(_ member: DuplicateMember, to output: inout [UInt8]) {
        let account = member.account
        let fields: [(StaticString, String?)] = [
            ("{\"id\": ", account.id.rawValue), (", \"username\": ", account.username),
            (", \"email\": ", account.email),
            (", \"twitter_screen_name\": ", account.twitterScreenName),
            (", \"twitter_id\": ", account.twitterUserID?.decimalString), (", \"first_name\": ", account.firstName),
            (", \"last_name\": ", account.lastName), (", \"twitter_name\": ", account.twitterName),
        ]
        for (key, value) in fields {
            output.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
            if let value { JSONString.append(value, to: &output) } else { output += "null".utf8 }
        }
        output += ", \"matched_fields\": [".utf8
        for (position, field) in member.matchedFields.sorted().enumerated() {
            if position > 0 { output += ", ".utf8 }
            JSONString.append(field.rawValue, to: &output)
        }
        output += "]}".utf8
    }
}

/// One row per account: `cluster_id,cluster_score,cluster_reasons,id,username,email,first_name,last_name,
/// twitter_screen_name,twitter_name,matched_fields,twitter_id` (`twitter_id`, the linked Twitter account's user id in
/// decimal, came last, after the columns readers already counted). Reasons are joined by `; `, matched fields by
/// spaces. A cell
/// that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) gets a
/// leading `'`.
enum CSVRenderer {
    static let header = [
        "cluster_id", "cluster_score", "cluster_reasons", "id", "username", "email", "first_name", "last_name",
        "twitter_screen_name", "twitter_name", "matched_fields", "twitter_id",
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
                    account.twitterUserID?.decimalString,
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
        // By byte, as a spreadsheet reads: a comma or quote may be part of one character with the one before it
        // (after U+0600, a prepended sign), which a check by character misses.
        let needsQuotes =
            value.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
            || value.first?.isWhitespace == true || value.last?.isWhitespace == true
        guard needsQuotes else { return value }
        var quoted: [UInt8] = [UInt8(ascii: "\"")]
        for byte in value.utf8 {
            if byte == UInt8(ascii: "\"") { quoted.append(byte) }
            quoted.append(byte)
        }
        quoted.append(UInt8(ascii: "\""))
        return String(decoding: quoted, as: UTF8.self)
    }
}

/// Aligned columns for a terminal; control characters in values are shown as `?` so a name cannot drive the
/// terminal.
enum TableRenderer {
    static func render(_ report: DuplicateReport) -> String {
        var output =
            "\(report.accountsScanned) accounts scanned, \(report.clusters.count) "
            + (report.clusters.count == 1 ? "cluster" : "clusters")
            + " at minimum score \(ReportRenderer.minimumText(report.minimumScore))\n"
        for note in report.statistics.notes { output += "note: \(clean(note))\n" }
        guard !report.clusters.isEmpty else { return output }
        let header = ["CLUSTER", "SCORE", "USERNAME", "EMAIL", "NAME", "TWITTER", "ID"]
        var rows: [[String]] = []
        var reasonsAfter: [Int: String] = [:]
        for cluster in report.clusters {
            for (index, member) in cluster.members.enumerated() {
                let account = member.account
                let name = [account.firstName, account.lastName].compactMap { $0 }.joined(separator: " ")
                var twitter = account.twitterScreenName.map { "@" + $0 } ?? ""
                // (the id beside the handle: a screen name given up by one Twitter account is taken by another)
                if let id = account.twitterUserID { twitter += (twitter.isEmpty ? "" : " ") + "[id \(id)]" }
                if let display = account.twitterName { twitter += twitter.isEmpty ? display : " (\(display))" }
                rows.append(
                    [
                        index == 0 ? cluster.id : "", index == 0 ? ReportRenderer.scoreText(cluster.score) : "",
                        account.username, account.email ?? "", name, twitter, account.id.rawValue,
                    ].map(clean))
            }
            reasonsAfter[rows.count - 1] = clean(cluster.reasons.joined(separator: "; "))
        }
        // Widths in terminal cells, not characters: `山田` and most emoji take two each.
        var widths = header.map(\.count)
        let cellWidths = rows.map { $0.map(Self.displayWidth) }
        for row in cellWidths {
            for (index, width) in row.enumerated() { widths[index] = max(widths[index], width) }
        }
        func line(_ cells: [String], _ cellWidths: [Int]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1
                    ? cell : cell + String(repeating: " ", count: widths[index] - cellWidths[index])
            }.joined(separator: "  ") + "\n"
        }
        output += "\n" + line(header, header.map(\.count))
        for (index, row) in rows.enumerated() {
            output += line(row, cellWidths[index])
            if let reasons = reasonsAfter[index] { output += "  reasons: \(reasons)\n" }
        }
        return output
    }

    /// How many terminal cells `text` takes, as terminals that follow `wcwidth` draw it: an emoji (a character
    /// shown as one, with its modifiers and joiners) takes two; otherwise each scalar counts, two for a wide one (CJK,
    /// Hangul, full-width forms), none for a combining mark or invisible formatting (a soft hyphen shows: one), one
    /// for the rest (Devanagari's vowel signs too).
    static func displayWidth(_ text: String) -> Int {
        text.reduce(0) { $0 + characterWidth($1) }
    }

    private static func characterWidth(_ character: Character) -> Int {
        let scalars = character.unicodeScalars
        if scalars.contains(where: { $0.properties.isEmojiPresentation || $0.value == 0xFE0F }) { return 2 }
        return scalars.reduce(0) { total, scalar in
            let value = scalar.value
            // The soft hyphen and the prepended concatenation marks (the Arabic number sign and its kin, which span the
            // digits after them) are format characters drawn in a cell of their own.
            if value == 0xAD || isPrependedConcatenationMark(value) { return total + 1 }
            // Hangul's conjoining vowels and final consonants join the syllable its first consonant starts.
            if (0x1160...0x11FF).contains(value) || (0xD7B0...0xD7FF).contains(value) { return total }
            // Marks take no cell, wide ranges or not (the kana voicing marks U+3099 and U+309A of decomposed text).
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .enclosingMark, .format: return total
            default: break
            }
            return total + (isWide(value) ? 2 : 1)
        }
    }

    /// Unicode's `Prepended_Concatenation_Mark` scalars (Swift has no property for them).
    private static func isPrependedConcatenationMark(_ value: UInt32) -> Bool {
        switch value {
        case 0x0600...0x0605, 0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2, 0x110BD, 0x110CD: true
        default: false
        }
    }

    /// East Asian Wide and Fullwidth scalars, as glibc's `wcwidth` counts them (its 2.36 table, checked scalar by
    /// scalar up to U+3FFFF): CJK, kana, Hangul syllables and leading jamo, full-width forms, Tangut, Nushu.
    private static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4DC0...0x4DFF,
            0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19,
            0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x18DFF, 0x1AFF0...0x1B2FF,
            0x1F200...0x1F2FF, 0x20000...0x3FFFD:
            true
        default: false
        }
    }

    static func clean(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { scalar in
                    scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || isDirectionControl(scalar)
                        ? "?" : scalar
                }))
    }

    /// Bidirectional controls (Unicode's Bidi_Control: the embeddings, overrides and isolates U+202A–U+202E and
    /// U+2066–U+2069, which in a name would turn the rest of the terminal line around, `gnp.exe` shown as `exe.png`,
    /// and the marks U+200E, U+200F and U+061C).
    private static func isDirectionControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isBidiControl
    }
}
