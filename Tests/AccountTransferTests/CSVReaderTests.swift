import AccountModel
import AccountTransfer
import Foundation
import TestSupport
import Testing

let csvHeader = "username,email,first_name,last_name,created_at,twitter_id,twitter_screen_name,twitter_name"

struct CSVReaderTests {
    @Test func readsQuotedFieldsEmptyFieldsAsNullAndAnOptionalPasswordHashColumn() throws {
        let text = """
            \(csvHeader),password_hash
            ann,ann@example.org,\"Ann, \"\"Nan\"\"\",Ångström,2024-01-02T03:04:05.000001Z,9007199254740993,ann_a,"Ann A",\(djangoHash)
            bob,,,,,,,,

            """
        let items = try readItems(text, format: .csv)
        #expect(problems(items) == [])
        let found = records(items)
        #expect(found.count == 2)
        #expect(found[0].firstName == "Ann, \"Nan\"")
        #expect(found[0].lastName == "Ångström")
        #expect(found[0].createdAt?.microseconds == 1_704_164_645_000_001)
        #expect(found[0].twitter?.id.decimalString == "9007199254740993")
        #expect(found[0].passwordHash == Secret(djangoHash))
        #expect(found[1] == AccountRecord(username: try Username(validating: "bob")))
    }

    @Test func acceptsTheColumnsInAnyOrderAndCRLF() throws {
        let text =
            "email,username,last_name,first_name,twitter_name,twitter_screen_name,twitter_id,created_at\r\n"
            + "a@example.org,ann,,,,,,\r\n"
        let found = records(try readItems(text, format: .csv))
        #expect(found.map(\.username.rawValue) == ["ann"])
        #expect(found.first?.email?.rawValue == "a@example.org")
    }

    @Test func blamesAQuotedMultiLineRecordOnItsFirstLineAndCountsItsLines() throws {
        let text = """
            \(csvHeader)
            ann,ann@example.org,"Ann
            Marie",,,,,
            "b b",,,,,,,
            cat,,,,,,,

            """
        let items = try readItems(text, format: .csv)
        // The name with a line break is refused (control character), blamed on line 2; "b b" is line 4
        #expect(
            problems(items) == [
                "line 2: first_name: must not contain control characters",
                "line 4: username: may contain only ASCII letters, digits, '_', '.' and '-'",
            ])
        #expect(records(items).map(\.username.rawValue) == ["cat"])
        if case .record(let line, _) = items.last { #expect(line == 5) }
    }

    @Test(arguments: [
        ("ann,,,,,,", "line 2: csv: has 7 fields; the header has 8"),
        ("ann,,,,,,,,", "line 2: csv: has 9 fields; the header has 8"),
        (
            "an\"n,,,,,,,",
            "line 2: csv: a double quote inside unquoted field 1 (quote the whole field and double the quote)"
        ),
        (
            "\"ann\"x,,,,,,,",
            "line 2: csv: unexpected text after the closing quote of field 1 (a quote inside a quoted field must be doubled)"
        ),
        (
            "ann,,,,,123,,",
            "line 2: twitter_screen_name: is required when twitter_id is given\n"
                + "line 2: twitter_name: is required when twitter_id is given"
        ),
        (
            "ann,,,,,,x,Ann",
            "line 2: twitter_id: is required when twitter_screen_name or twitter_name is given"
        ),
        (
            "ann,,,,,1.5e18,s,n",
            "line 2: twitter_id: must be the decimal digits of a 64-bit id (no sign, spaces or leading zeros; at most 18446744073709551615)"
        ),
    ])
    func refusesABadRecordNamingTheFieldOrCSV(record: String, expected: String) throws {
        let items = try readItems(csvHeader + "\n" + record + "\n" + "later,,,,,,,\n", format: .csv)
        #expect(problems(items) == expected.components(separatedBy: "\n"))
        #expect(records(items).map(\.username.rawValue) == ["later"])
    }

    /// The record runs to the file's last line, 4, whether or not that line ends with a line feed (the final line
    /// feed was counted as a fifth line).
    @Test(arguments: ["\n", ""])
    func anUnclosedQuoteRunsToTheEndOfTheFileAndIsBlamedOnItsFirstLine(ending: String) throws {
        let items = try readItems(csvHeader + "\nann,,,,,,,\n\"bob,,,,,,,\ncat,,,,,,," + ending, format: .csv)
        #expect(
            problems(items) == [
                "line 3: csv: a quoted field is not closed before the end of the file (the record runs to line 4)"
            ])
        #expect(records(items).map(\.username.rawValue) == ["ann"])
    }

    /// A data record whose lines end with CR alone runs them together: the field count's message says why (until
    /// session 62 it gave the count alone), as the header's does.
    @Test func aRecordOfLinesEndingWithCRAloneSaysSo() throws {
        let items = try readItems(
            csvHeader + "\nann,ann@x.org,Ann,,2024-01-01T00:00:00Z,,,\rbob,,,,,,,\r", format: .csv)
        #expect(
            problems(items) == [
                "line 2: csv: has 15 fields; the header has 8 (it holds a carriage return (CR) that ends no line: "
                    + "lines that end with CR alone (as Excel's \"CSV (Macintosh)\" and old Mac programs write them) "
                    + "read as one; save the file with LF or CRLF line endings)"
            ])
    }

    /// An unclosed quote in a large file swallows more than 1 MiB: the problem is still the quote, not the record's
    /// length (it was reported as "is longer than 1 MiB", which sent the reader looking for a long line).
    @Test func anUnclosedQuoteBeforeMoreThanAMebibyteIsReportedAsTheQuote() throws {
        let rest = (0..<30_000).map { "u\($0),u\($0)@x.org,Name,Last,2024-01-01T00:00:00Z,,,\n" }.joined()
        let items = try readItems(csvHeader + "\nann,\"ann@x.org,,,,,,\n" + rest, format: .csv)
        #expect(
            problems(items) == [
                "line 2: csv: a quoted field is not closed before the end of the file (the record runs to line 30002)"
            ])
        #expect(records(items).isEmpty)
    }

    @Test(arguments: [
        (
            "username,email,first_name,last_name,created_at,twitter_id,twitter_screen_name",
            "line 1: csv: missing column twitter_name"
        ),
        (
            csvHeader + ",nickname",
            "line 1: csv: unknown column nickname"
        ),
        (
            "username,username,first_name,last_name,created_at,twitter_id,twitter_screen_name,twitter_name",
            "line 1: csv: the column username appears twice; nothing was imported"
        ),
        (
            // An export with its header cut off: its first line is data, and its password hash is never echoed.
            "ann,ann@x.org,Ann,Lee,2024-01-01T00:00:00Z,123,annx,Ann Lee,pbkdf2_sha256$600000$SECRETSALT$SECRETHASH=",
            "line 1: csv: the first line is not a header: it names none of the columns (the columns are username,"
        ),
        (
            csvHeader + ",password_hash,pbkdf2_sha256$600000$SECRETSALT$SECRETHASH=,",
            "line 1: csv: unknown columns in place 10 (not shown: it is no column name), (an empty name)"
        ),
        (
            csvHeader + ",,",
            "line 1: csv: the column (an empty name) appears twice"
        ),
        (
            // Spaces after the commas, as "a, b" writes them: the names are quoted and the space said (until session
            // 62: "missing columns email, …; unknown columns  email, …", the space unseen)
            "username, email,first_name,last_name,created_at,twitter_id,twitter_screen_name,twitter_name",
            "line 1: csv: missing column email; unknown column ' email' (email with a space before or after it)"
        ),
        (
            "{\"username\": \"ann\"}",
            "line 1: csv: the header does not parse: a double quote inside unquoted field 1 (quote the whole field and double the quote); nothing was imported"
        ),
    ])
    func refusesTheWholeFileWhenTheHeaderIsNotTheContracts(header: String, expected: String) throws {
        do {
            _ = try readItems(header + "\nann,,,,,,,\n", format: .csv)
            Issue.record("the header was accepted")
        } catch let error as TransferError {
            guard case .badHeader(_, let problem) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(problem.description.hasPrefix(expected), "\(problem.description)")
            #expect(problem.description.hasSuffix("nothing was imported"))
            let quotesSecret = problem.description.contains("SECRET")
            #expect(!quotesSecret, "the problem's description quotes the secret cell")
        }
    }
}
