import AccountModel
import DuplicateDetection
import Foundation
import TestSupport
import Testing

@Suite(.offThePool)
struct ReportRendererTests {
    static let generatedAt = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15T08:00:00Z

    /// Above 2^53, where a JSON number read as a double is no longer exact (it reads as ...768).
    static let bigTwitterID = TwitterUserID(1_234_567_890_123_456_789)

    static func sample(name: String = "John \"JJ\" Smith") -> DuplicateReport {
        let first = MatchableAccount(
            id: UserID(uncheckedRawValue: "00000000-0000-4000-8000-000000000001"), username: "john",
            email: "j.o.h.n+x@gmail.com", firstName: "John", lastName: "Smith")
        let second = MatchableAccount(
            id: UserID(uncheckedRawValue: "00000000-0000-4000-8000-000000000002"), username: "john_tw",
            email: "john@googlemail.com", twitterScreenName: "john_tw", twitterName: name, twitterUserID: bigTwitterID)
        let cluster = DuplicateCluster(
            id: "dup-0123456789abcdef", score: 0.99,
            reasons: ["same mailbox after gmail normalisation", "Twitter display name matches account name"],
            members: [
                DuplicateMember(account: first, matchedFields: [.email, .firstName, .lastName]),
                DuplicateMember(account: second, matchedFields: [.twitterName, .email]),
            ], isCapped: false)
        return DuplicateReport(
            generatedAt: generatedAt, accountsScanned: 3, minimumScore: 0.7, clusters: [cluster],
            statistics: DetectionStatistics())
    }

    @Test func jsonFollowsTheContractExactly() {
        let expected = """
            {"generated_at": "2027-01-15T08:00:00Z", "accounts_scanned": 3, "clusters": [
            {"id": "dup-0123456789abcdef", "score": 0.99, "reasons": ["same mailbox after gmail normalisation", \
            "Twitter display name matches account name"], "members": [{"id": "00000000-0000-4000-8000-000000000001", \
            "username": "john", "email": "j.o.h.n+x@gmail.com", "twitter_screen_name": null, "twitter_id": null, \
            "first_name": "John", "last_name": "Smith", "twitter_name": null, \
            "matched_fields": ["email", "first_name", "last_name"]}, \
            {"id": "00000000-0000-4000-8000-000000000002", "username": "john_tw", "email": "john@googlemail.com", \
            "twitter_screen_name": "john_tw", "twitter_id": "1234567890123456789", "first_name": null, \
            "last_name": null, \
            "twitter_name": "John \\"JJ\\" Smith", "matched_fields": ["email", "twitter_name"]}]}
            ]}

            """
        #expect(ReportRenderer.render(Self.sample(), as: .json) == expected)
    }

    @Test func jsonParsesWithTheContractsKeys() throws {
        let data = Data(ReportRenderer.render(Self.sample(), as: .json).utf8)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["generated_at", "accounts_scanned", "clusters"])
        let clusters = try #require(object["clusters"] as? [[String: Any]])
        #expect(Set(clusters[0].keys) == ["id", "score", "reasons", "members"])
        let members = try #require(clusters[0]["members"] as? [[String: Any]])
        #expect(members.map { $0["username"] as? String } == ["john", "john_tw"])
        #expect(
            members.allSatisfy {
                Set(["id", "username", "email", "twitter_screen_name", "twitter_id"]).isSubset(of: $0.keys)
            })
        // The Twitter id as a string, every digit kept: as a number it would read as 1234567890123456768.
        #expect(members[0]["twitter_id"] is NSNull)
        #expect(members[1]["twitter_id"] as? String == "1234567890123456789")
    }

    /// Two accounts whose Twitter accounts had the same screen name (one gave it up, the other took it) are told
    /// apart by the Twitter id, in every format.
    @Test func everyFormatShowsTheTwitterIDBesideTheScreenName() throws {
        var report = Self.sample()
        report.clusters[0].members[0].account.twitterScreenName = "john_tw"
        report.clusters[0].members[0].account.twitterUserID = TwitterUserID(12)
        let table = ReportRenderer.render(report, as: .table)
        #expect(table.contains("@john_tw [id 12]"), "\(table)")
        #expect(table.contains("@john_tw [id 1234567890123456789] (John \"JJ\" Smith)"), "\(table)")
        let html = ReportRenderer.render(report, as: .html)
        #expect(
            html.contains(
                "<tr><th>twitter_screen_name</th><td>john_tw</td><td>john_tw</td></tr>\n"
                    + "<tr><th>twitter_id</th><td><code>12</code></td><td><code>1234567890123456789</code></td></tr>"),
            "\(html)")
        let records = Self.splitCSV(ReportRenderer.render(report, as: .csv))
        #expect(records.map(\.last) == ["twitter_id", "12", "1234567890123456789"])
        // (one without a Twitter account: an empty cell, a dash on the page)
        let csv = Self.splitCSV(ReportRenderer.render(Self.sample(), as: .csv))
        #expect(csv.map(\.last) == ["twitter_id", "", "1234567890123456789"])
        #expect(
            ReportRenderer.render(Self.sample(), as: .html).contains(
                "<tr><th>twitter_id</th><td class=\"none\">&mdash;</td><td><code>1234567890123456789</code></td></tr>"))
    }

    @Test func emptyReportIsValidJSON() throws {
        var report = Self.sample()
        report.clusters = []
        let text = ReportRenderer.render(report, as: .json)
        #expect(text == "{\"generated_at\": \"2027-01-15T08:00:00Z\", \"accounts_scanned\": 3, \"clusters\": []}\n")
        _ = try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    @Test func jsonEscapesControlCharacters() throws {
        let text = ReportRenderer.render(Self.sample(name: "Tab\tNew\nLine\u{1}"), as: .json)
        #expect(text.contains("\"Tab\\tNew\\nLine\\u0001\""))
        _ = try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    @Test func htmlEscapesEverything() {
        let hostile = "<script>alert('x')</script> & \"q\""
        let html = ReportRenderer.render(Self.sample(name: hostile), as: .html)
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        // Self-contained: no scripts, no external resources.
        #expect(!html.contains("<link"))
        #expect(!html.contains("src="))
        #expect(html.contains("<svg"))
    }

    @Test func htmlHighlightsMatchingFieldsSideBySide() {
        let html = ReportRenderer.render(Self.sample(), as: .html)
        #expect(html.contains("<tr><th></th><th>john</th><th>john_tw</th></tr>"))
        #expect(
            html.contains(
                "<tr><th>email</th><td class=\"hit\">j.o.h.n+x@gmail.com</td><td class=\"hit\">john@googlemail.com</td></tr>"
            ))
        #expect(html.contains("<tr><th>username</th><td>john</td><td>john_tw</td></tr>"))
        #expect(html.contains("same mailbox after gmail normalisation"))
    }

    @Test func csvQuotesAndDefusesFormulas() {
        let csv = ReportRenderer.render(Self.sample(name: "=HYPERLINK(\"x\"), Smith"), as: .csv)
        let lines = csv.components(separatedBy: "\r\n")
        #expect(
            lines[0] == "cluster_id,cluster_score,cluster_reasons,id,username,email,first_name,last_name,"
                + "twitter_screen_name,twitter_name,matched_fields,twitter_id")
        #expect(lines.count == 4)  // header, two members, final empty
        #expect(
            lines[2].hasSuffix(",john_tw,\"'=HYPERLINK(\"\"x\"\"), Smith\",email twitter_name,1234567890123456789"))
        #expect(lines[1].hasPrefix("dup-0123456789abcdef,0.99,same mailbox after gmail normalisation; Twitter display"))
    }

    /// A comma, quote or line break need not be a character of its own: after U+0600 (a prepended Arabic sign) the
    /// comma of `Ann\u{600},=1+1` is part of one grapheme with it. Checked by character, such a cell went out
    /// unquoted, a spreadsheet split it at the comma, and its next cell, `=1+1`, was a formula.
    @Test(arguments: ["Ann\u{600},=1+1", "x,\u{600}\"y", "\u{600}\"=1+1\u{600}\"", "Ann\u{600}\r\n=1+1"])
    func csvQuotesACommaOrQuoteJoinedToTheCharacterBeforeIt(name: String) {
        let csv = ReportRenderer.render(Self.sample(name: name), as: .csv)
        let records = Self.splitCSV(csv)
        #expect(records.count == 3, "\(records.count) records")
        for record in records {
            #expect(record.count == 12, "\(record.count) fields")
            #expect(!record.contains { $0.hasPrefix("=") })
        }
        #expect(records.count == 3 && records[2].count == 12 && records[2][9] == name)
    }

    /// RFC 4180 read byte by byte, as a spreadsheet does: the records of `csv`, each its fields.
    static func splitCSV(_ csv: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var bytes = Array(csv.utf8)[...]
        while let byte = bytes.popFirst() {
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if bytes.first == UInt8(ascii: "\"") {
                        field.append(byte)
                        bytes.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(byte)
                }
            } else if byte == UInt8(ascii: "\"") && field.isEmpty {
                quoted = true
            } else if byte == UInt8(ascii: ",") {
                record.append(String(decoding: field, as: UTF8.self))
                field = []
            } else if byte == UInt8(ascii: "\r") && bytes.first == UInt8(ascii: "\n") {
                bytes.removeFirst()
                record.append(String(decoding: field, as: UTF8.self))
                records.append(record)
                (record, field) = ([], [])
            } else {
                field.append(byte)
            }
        }
        return records
    }

    @Test func tableIsAlignedAndHarmless() {
        let table = ReportRenderer.render(Self.sample(name: "Evil\u{1B}[31mRed"), as: .table)
        #expect(!table.contains("\u{1B}"))
        let lines = table.split(separator: "\n").map(String.init)
        let header = lines.first { $0.hasPrefix("CLUSTER") } ?? ""
        let row = lines.first { $0.hasPrefix("dup-") } ?? ""
        // Columns line up: USERNAME starts where the first member's username does.
        #expect(
            header.range(of: "USERNAME")?.lowerBound.utf16Offset(in: header)
                == row.range(of: "john")?.lowerBound.utf16Offset(in: row))
        #expect(table.contains("  reasons: same mailbox after gmail normalisation"))
    }

    /// Wide characters take two terminal cells, marks none: the columns after a name line up on the screen, and
    /// direction controls, which would turn the rest of a line around, are shown as `?`.
    @Test(arguments: [
        "山田 太郎", "Zoë 🌿 Ångström", "Jose\u{301} ❤️", "\u{202E}gnp.exe", "प्रिया शर्मा", "राम", "கார்த்திக்", "김민준",
        "ｆｕｌｌ ｗｉｄｔｈ", "\u{1100}\u{1175}\u{11B7}\u{1106}\u{1175}\u{11AB}\u{110C}\u{116E}\u{11AB}",
        // Kana with the voiced sound mark as a combining mark (NFD `ガ`, `ダ`): the mark takes no cell, but it lies in
        // a range the width counts two for before it asks whether the scalar is a mark.
        "\u{30AB}\u{3099}\u{30EF}\u{30BF}\u{3099}",
        // Wide outside the common CJK blocks (East Asian Width W, as `wcwidth` counts them), each once counted as one
        // cell: CJK small form variants (U+FE50…), the kana supplement (hentaigana, U+1B000…), Hangul jamo
        // extended-A (U+A960…), the Yijing hexagrams (U+4DC0…), the angle brackets U+2329/U+232A.
        "山田﹐太郎", "\u{1B001}\u{1B002}子", "\u{A960}\u{1161}", "易 \u{4DC0}", "\u{2329}Anna\u{232A}",
    ])
    func tableColumnsLineUpOnTheScreen(_ name: String) throws {
        let table = ReportRenderer.render(Self.sample(name: name), as: .table)
        #expect(!table.contains("\u{202E}"))
        let lines = table.split(separator: "\n").map(String.init)
        let header = try #require(lines.first { $0.hasPrefix("CLUSTER") })
        // The ID column starts at the same screen column on the header and on both members' lines.
        func idColumn(_ line: String) throws -> Int {
            let id = try #require(line.range(of: "00000000-0000-4000-8000-00000000000") ?? line.range(of: "ID"))
            return try #require(TableWidth.of(String(line[..<id.lowerBound])), "no wcwidth or no C.UTF-8 locale")
        }
        let members = lines.filter { $0.contains("00000000-0000-4000-8000-00000000000") }
        #expect(members.count == 2)
        for member in members { #expect(try idColumn(member) == idColumn(header), "\(member)") }
    }

    /// A note names the largest blocks by what their members share (an address, a name): shown as every cell is,
    /// direction overrides and control characters as `?`.
    @Test func notesAreCleanedAsCellsAre() {
        var report = Self.sample()
        report.statistics.maximumBlockSize = 12
        report.statistics.oversizedBlocks = 1
        report.statistics.largestOversizedBlocks = [
            OversizedBlock(description: "mailbox of victim+\u{202E}1gpj.exe\u{1B}[2J@gmail.com", size: 14)
        ]
        let table = ReportRenderer.render(report, as: .table)
        #expect(!table.contains("\u{202E}") && !table.contains("\u{1B}"))
        #expect(table.contains("note: ") && table.contains("mailbox of victim+?1gpj.exe?[2J@gmail.com: 14 accounts"))
        #expect(report.statistics.notes.count == 1)
        let note = report.statistics.notes.first ?? ""
        #expect(ReportRenderer.terminalText(note).contains("victim+?1gpj.exe?[2J@gmail.com"))
        #expect(ReportRenderer.terminalText("Lee\u{2066}x\u{7}") == "Lee?x?")
        // (the marks too: every Bidi_Control scalar)
        #expect(ReportRenderer.terminalText("a\u{200E}b\u{200F}c\u{61C}d") == "a?b?c?d")
    }

    /// The HTML page is the third place notes go. On stderr and in the table a direction override in a block's
    /// description is shown as `?`; in the page it turned the rest of the note around (the size, the next blocks).
    @Test func htmlNotesShowDirectionOverridesAsTheTableDoes() {
        var report = Self.sample()
        report.statistics.maximumBlockSize = 12
        report.statistics.oversizedBlocks = 2
        report.statistics.largestOversizedBlocks = [
            OversizedBlock(description: "mailbox of victim+\u{202E}1gpj.exe@gmail.com", size: 14),
            OversizedBlock(description: "name \"john smith\"", size: 13),
        ]
        #expect(!ReportRenderer.render(report, as: .table).contains("\u{202E}"))
        let html = ReportRenderer.render(report, as: .html)
        #expect(html.contains("<ul class=\"notes\">"))
        #expect(!html.contains("\u{202E}"), "the note in the page keeps the override")
    }

    /// `DuplicateCluster.score` and `DetectionSettings.minimumScore` are public and unchecked: a score that is no
    /// number must still give JSON that parses (it was written as a bare `nan`).
    @Test func jsonStaysValidForAScoreThatIsNoNumber() throws {
        var report = Self.sample()
        report.clusters[0].score = .nan
        let text = ReportRenderer.render(report, as: .json)
        #expect(!text.contains("\"score\": nan"), "\(text)")
        _ = try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    /// A hand-made report (its fields are public) whose minimum or scores are no number or out of range renders as
    /// HTML: the histogram trapped converting such a bar's position to an integer. (The detector's own minimum is
    /// kept in [0, 1] by ``DetectionSettings``.)
    @Test func htmlOfAReportWithScoresThatAreNoNumberDoesNotCrash() async {
        await #expect(processExitsWith: .success) {
            var report = ReportRendererTests.sample()
            report.minimumScore = .nan
            report.clusters[0].score = -.infinity
            _ = ReportRenderer.render(report, as: .html)
            report.minimumScore = -1e6
            report.clusters[0].score = .nan
            let html = ReportRenderer.render(report, as: .html)
            // one bar per 0.05 from 0 to 1, however low the minimum
            precondition(html.components(separatedBy: "<rect ").count - 1 == 21)
        }
    }

    /// The minimum is printed as given, not rounded as scores are: at 0.7004, a score of 0.7 must not read as being
    /// at the minimum.
    @Test func theMinimumPrintsAsGiven() {
        #expect(ReportRenderer.minimumText(0.7) == "0.7")
        #expect(ReportRenderer.minimumText(0.7004) == "0.7004")
        #expect(ReportRenderer.minimumText(1) == "1.0")
        #expect(ReportRenderer.minimumText(0) == "0.0")
        #expect(ReportRenderer.minimumText(-0.0) == "0.0")
        #expect(ReportRenderer.minimumText(0.0000001) == "0.0000001")
        #expect(ReportRenderer.minimumText(0.000012345) == "0.000012345")
        #expect(ReportRenderer.minimumText(0.25) == "0.25")
        var report = Self.sample()
        report.minimumScore = 0.7004
        #expect(
            ReportRenderer.render(report, as: .table).hasPrefix(
                "3 accounts scanned, 1 cluster at minimum score 0.7004\n"))
        #expect(ReportRenderer.render(report, as: .html).contains("at minimum score 0.7004"))
        report.minimumScore = -0.0
        #expect(
            ReportRenderer.render(report, as: .table).hasPrefix("3 accounts scanned, 1 cluster at minimum score 0.0\n"))
        // A score beside the minimum shows enough digits to compare as the numbers do.
        func texts(_ score: Double, _ minimum: Double) -> [String] {
            let written = ReportRenderer.scoreAndMinimumText(score, minimum)
            return [written.score, written.minimum]
        }
        #expect(texts(0.7, 0.7004) == ["0.7", "0.7004"])
        #expect(texts(0.70049, 0.7004) == ["0.70049", "0.7004"])
        #expect(texts(0.7004, 0.7004) == ["0.7004", "0.7004"])
        #expect(texts(0.85, 0.7) == ["0.85", "0.7"])
        #expect(texts(0.7, 0.7) == ["0.7", "0.7"])
    }

    @Test func scoresPrintShort() {
        #expect(ReportRenderer.scoreText(0.99) == "0.99")
        #expect(ReportRenderer.scoreText(1) == "1.0")
        #expect(ReportRenderer.scoreText(0.755) == "0.755")
        #expect(ReportRenderer.scoreText(0.7) == "0.7")
        #expect(ReportRenderer.scoreText(0) == "0.0")
        #expect(ReportRenderer.scoreText(0.05) == "0.05")
        #expect(ReportRenderer.scoreText(0.0625) == "0.062")  // a tie in binary: to even
        #expect(ReportRenderer.scoreText(0.1875) == "0.188")
    }

    /// Scores are written without the formatter, which must not change a digit.
    @Test func scoresPrintAsTheFormatterRoundsThem() {
        func formatted(_ score: Double) -> String {
            var text = String(format: "%.3f", score)
            while text.hasSuffix("0") && !text.hasSuffix(".0") { text.removeLast() }
            return text
        }
        var generator = SystemRandomNumberGenerator()
        var scores: [Double] = (0...2_000).map { Double($0) / 2_000 }  // every thousandth and every tie between
        scores += (0..<2_000).map { _ in Double.random(in: 0...1, using: &generator) }
        scores += [
            0.0005, 0.0015, 0.9995, 0.6995, 0.7005, 1.5, 12.3456, 0.1 + 0.2, 0.7.nextUp, 0.7.nextDown, -0.0, -0.25,
        ]
        for score in scores {
            #expect(ReportRenderer.scoreText(score) == formatted(score), "score \(score)")
        }
    }
}

/// Terminal cells, counted by the C library's `wcwidth` (in the `C.UTF-8` locale, set for the calling thread only),
/// as terminals count them; an emoji (with its variation selector, modifiers or joiners) takes two, as terminals
/// draw it. `nil` where the C library or the locale is missing.
enum TableWidth {
    /// The C library's `wcwidth` (Swift's Glibc module does not declare it).
    static let wcwidth: (@convention(c) (Int32) -> Int32)? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "wcwidth") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
    }()

    static func of(_ text: String) -> Int? {
        guard let wcwidth, let locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", nil) else { return nil }
        let previous = uselocale(locale)
        defer {
            uselocale(previous)
            freelocale(locale)
        }
        return text.reduce(0) { total, character in
            let scalars = character.unicodeScalars
            if scalars.contains(where: { $0.properties.isEmojiPresentation || $0.value == 0xFE0F }) { return total + 2 }
            return total
                + scalars.reduce(0) { sum, scalar in sum + max(0, Int(wcwidth(Int32(bitPattern: scalar.value)))) }
        }
    }
}
