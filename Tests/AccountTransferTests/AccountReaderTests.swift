import AccountCrypto
import AccountModel
import AccountTransfer
import Foundation
import TestSupport
import Testing

/// Everything a reader yields for `bytes` written to a temporary file.
func readItems(_ bytes: [UInt8], format: TransferFormat) throws -> [ReadItem] {
    try withTemporaryDirectorySync { dir in
        let path = dir + "/input"
        writeFile(path, bytes)
        let reader = try AccountReader(path: path, format: format)
        var items: [ReadItem] = []
        while let item = try reader.next() { items.append(item) }
        return items
    }
}

func readItems(_ text: String, format: TransferFormat) throws -> [ReadItem] {
    try readItems(Array(text.utf8), format: format)
}

/// The problems of every invalid item, as printed.
func problems(_ items: [ReadItem]) -> [String] {
    items.flatMap { item -> [String] in
        if case .invalid(let problems) = item { return problems.map(\.description) }
        return []
    }
}

func records(_ items: [ReadItem]) -> [AccountRecord] {
    items.compactMap { item in
        if case .record(_, let record) = item { return record }
        return nil
    }
}

let djangoHash = "pbkdf2_sha256$1000000$lVmtlpgxpubYPgU2pQlWmm$yQkjjJBu4KZk7Wi0VmcOqgFx8+t43oPnbAalH3UM1Hk="

struct AccountReaderTests {
    @Test func readsEveryFieldOfAJSONLine() throws {
        // Given a line with every field, non-ASCII names, an id above 2^53, an offset and extra keys
        let line = """
            {"username": "zoe", "email": "  Zoe@Example.org ", "first_name": "Zo\\u00eb", "last_name": "Ångström",
             "created_at": "2024-05-01T14:30:00.25+02:00", "extra": [1, {"x": null}],
             "twitter": {"id": "18446744073709551615", "screen_name": "zoe_a", "name": "Zoë Å", "followers": 3},
             "password_hash": "\(djangoHash)"}
            """.replacingOccurrences(of: "\n", with: "")
        // When it is read
        let items = try readItems(line + "\n", format: .jsonl)
        // Then every field is kept, the email trimmed, the time in UTC to the microsecond
        #expect(problems(items) == [])
        let record = try #require(records(items).first)
        #expect(record.username.rawValue == "zoe")
        #expect(record.email?.rawValue == "Zoe@Example.org")
        #expect(record.firstName == "Zoë")
        #expect(record.lastName == "Ångström")
        #expect(record.createdAt?.description == "2024-05-01T12:30:00.250000Z")
        #expect(
            record.twitter == AccountRecord.Twitter(id: TwitterUserID(UInt64.max), screenName: "zoe_a", name: "Zoë Å"))
        #expect(record.passwordHash == Secret(djangoHash))
        if case .record(let number, _) = items[0] { #expect(number == 1) }
    }

    @Test func absentAndNullFieldsAreNullAndEmptyStringsTooExceptTheUsername() throws {
        let items = try readItems(
            """
            {"username": "a"}
            {"username": "b", "email": null, "first_name": "", "last_name": "  ", "twitter": null, "password_hash": null, "created_at": null}
            {"username": ""}

            """, format: .jsonl)
        let found = records(items)
        #expect(found.count == 2)
        #expect(found.allSatisfy { $0.email == nil && $0.firstName == nil && $0.lastName == nil && $0.twitter == nil })
        #expect(found.allSatisfy { $0.createdAt == nil && $0.passwordHash == nil })
        #expect(problems(items) == ["line 3: username: is required"])
    }

    @Test(arguments: [
        ("{\"username\": \"a\",}", "line 1: json: expected a key in double quotes, found character '}' at column 18"),
        ("not json", "line 1: json: expected a value, found character 'n' at column 1"),
        ("{\"username\": \"a\", \"x\": tru}", "line 1: json: expected a value, found character 't' at column 24"),
        ("{'username': 'a'}", "line 1: json: expected a key in double quotes, found character ''' at column 2"),
        ("[1, 2]", "line 1: json: each line must be a JSON object, not an array"),
        ("{\"username\": \"a\"} x", "line 1: json: unexpected character 'x' after the end of the value at column 19"),
        ("{\"username\": \"a\", \"username\": \"b\"}", "line 1: json: the key \"username\" appears twice at column 19"),
        ("{\"username\": \"a\\x\"}", "line 1: json: invalid escape '\\x' in a string at column 17"),
        // An escaped byte that is no visible ASCII character is named, never echoed (until session 58 an ESC or CR
        // reached the terminal and garbled the message, and `é` showed as `Ã`).
        (
            "{\"username\": \"a\\\u{1B}[31m\"}",
            "line 1: json: invalid escape: '\\' followed by control character 0x1B in a string at column 17"
        ),
        (
            "{\"username\": \"a\\é\"}",
            "line 1: json: invalid escape: '\\' followed by non-ASCII character in a string at column 17"
        ),
        ("{\"username\": \"a\\ \"}", "line 1: json: invalid escape: '\\' followed by a space in a string at column 17"),
        ("{\"username\": \"a b\"}", "line 1: username: may contain only ASCII letters, digits, '_', '.' and '-'"),
        ("{\"username\": 7}", "line 1: username: must be a string, not a number"),
        ("{\"username\": \"a\", \"email\": \"nope\"}", "line 1: email: must contain '@'"),
        ("{\"username\": \"a\", \"email\": true}", "line 1: email: must be a string or null, not a boolean"),
        (
            "{\"username\": \"a\", \"email\": \"a\\u009b31m@x.org\"}",
            "line 1: email: must not contain spaces or control characters"
        ),
        (
            "{\"username\": \"a\", \"twitter\": {\"id\": 9007199254740993, \"screen_name\": \"s\", \"name\": \"n\"}}",
            "line 1: twitter.id: must be a string of decimal digits, not a JSON number (a JSON number loses precision above 2^53)"
        ),
        (
            "{\"username\": \"a\", \"twitter\": {\"id\": \"0123\", \"screen_name\": \"s\", \"name\": \"n\"}}",
            "line 1: twitter.id: must be the decimal digits of a 64-bit id (no sign, spaces or leading zeros; at most 18446744073709551615)"
        ),
        (
            "{\"username\": \"a\", \"twitter\": {\"id\": \"18446744073709551616\", \"screen_name\": \"s\", \"name\": \"n\"}}",
            "line 1: twitter.id: must be the decimal digits of a 64-bit id (no sign, spaces or leading zeros; at most 18446744073709551615)"
        ),
        ("{\"username\": \"a\", \"twitter\": \"@a\"}", "line 1: twitter: must be an object or null, not a string"),
        (
            "{\"username\": \"a\", \"created_at\": \"2024-02-30T00:00:00Z\"}",
            "line 1: created_at: has day 30, which month 2 of 2024 does not have"
        ),
        (
            "{\"username\": \"a\", \"created_at\": \"yesterday\"}",
            "line 1: created_at: must be an RFC 3339 time such as 2024-05-01T12:30:00Z or 2024-05-01T14:30:00.25+02:00"
        ),
        (
            "{\"username\": \"a\", \"password_hash\": \"$2b$12$abcdefghijklmnopqrstuv\"}",
            "line 1: password_hash: the password hash uses 2b, which is not supported; supported: scrypt, pbkdf2_sha256 (Django)"
        ),
        (
            "{\"username\": \"a\", \"password_hash\": \"hunter2\"}",
            "line 1: password_hash: the password hash is in an unrecognized format; expected scrypt$ln=…$r=…$p=…$SALT$HASH or pbkdf2_sha256$ITERATIONS$SALT$HASH"
        ),
        (
            "{\"username\": \"a\", \"first_name\": \"A\\u0007\"}",
            "line 1: first_name: must not contain control characters"
        ),
    ])
    func refusesABadJSONLineNamingTheField(line: String, expected: String) throws {
        let items = try readItems(line + "\n", format: .jsonl)
        #expect(problems(items) == [expected])
        #expect(records(items).isEmpty)
    }

    /// A repeated key is named escaped and cut short: a key holding a line break, or a terminal escape, printed as it
    /// was read made the one-line problem two lines (the second a forged `line N: …`) or recoloured the terminal.
    @Test func aRepeatedKeyIsNamedOnOneLineWithItsControlCharactersEscaped() throws {
        let key = "a\\nline 9: email: forged\\u001b[31m\\u202e"
        let items = try readItems("{\"username\": \"a\", \"\(key)\": 1, \"\(key)\": 2}\n", format: .jsonl)
        #expect(
            problems(items) == [
                "line 1: json: the key \"a\\nline 9: email: forged\\u001b[31m\\u202e\" appears twice at column 66"
            ])
        let long = String(repeating: "k", count: 5_000)
        let longItems = try readItems("{\"\(long)\": 1, \"\(long)\": 2}\n", format: .jsonl)
        #expect(problems(longItems).allSatisfy { $0.utf8.count < 200 }, "\(problems(longItems).map(\.count))")
        #expect(problems(longItems).first?.contains("appears twice") == true)
    }

    @Test func reportsEveryProblemOfALine() throws {
        let items = try readItems(
            "{\"email\": \"x\", \"twitter\": {\"screen_name\": \"s\"}, \"created_at\": \"2024-01-01T00:00:00\"}\n",
            format: .jsonl)
        #expect(
            problems(items) == [
                "line 1: username: is required",
                "line 1: email: must contain '@'",
                "line 1: created_at: needs a time zone: Z for UTC or an offset such as +02:00 (must be an RFC 3339 time such as 2024-05-01T12:30:00Z or 2024-05-01T14:30:00.25+02:00)",
                "line 1: twitter.id: is required",
                "line 1: twitter.name: is required",
            ])
    }

    @Test func countsPhysicalLinesThroughBlankLinesCRLFAndAByteOrderMark() throws {
        let bytes: [UInt8] =
            [0xEF, 0xBB, 0xBF]
            + Array("{\"username\": \"a\"}\r\n\r\n   \n{\"username\": \"-\"}\r\n{\"username\": \"c\"}".utf8)
        let items = try readItems(bytes, format: .jsonl)
        #expect(problems(items) == ["line 4: username: must contain at least one letter or digit"])
        #expect(records(items).map(\.username.rawValue) == ["a", "c"])
        if case .record(let line, _) = items.last { #expect(line == 5) }
    }

    @Test func refusesALineThatIsNotUTF8AndReadsTheNextOne() throws {
        let bytes =
            Array("{\"username\": \"a\"}\n{\"username\": \"caf".utf8) + [0xE9]
            + Array("\"}\n{\"username\": \"b\"}\n".utf8)
        let items = try readItems(bytes, format: .jsonl)
        #expect(problems(items) == ["line 2: json: is not valid UTF-8 (byte 0xE9 at column 18)"])
        #expect(records(items).map(\.username.rawValue) == ["a", "b"])
    }

    @Test(arguments: [TransferFormat.jsonl, .csv])
    func refusesARecordOverOneMebibyteAndReadsTheNextOne(format: TransferFormat) throws {
        // Given a record of 1 MiB + 1 byte between two good ones
        let header =
            format == .csv
            ? "username,email,first_name,last_name,created_at,twitter_id,twitter_screen_name,twitter_name\n" : ""
        let good = format == .csv ? "a,,,,,,,\n" : "{\"username\": \"a\"}\n"
        let later = format == .csv ? "b,,,,,,,\n" : "{\"username\": \"b\"}\n"
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: AccountReader.maximumRecordBytes + 1) + [0x0A]
        // When it is read
        let items = try readItems(Array((header + good).utf8) + long + Array(later.utf8), format: format)
        // Then the long record is refused on its own line and the next one is read
        let line = format == .csv ? 3 : 2
        #expect(
            problems(items) == [
                "line \(line): \(format == .csv ? "csv" : "json"): is longer than 1 MiB (1048576 bytes)"
            ])
        #expect(records(items).map(\.username.rawValue) == ["a", "b"])
    }

    /// A JSON Lines file whose lines end with CR alone (old Mac programs) is one line to this reader: the message
    /// says so, as the CSV header's does, rather than only what the parser met (or, over 1 MiB, only the length).
    @Test func aJSONLinesFileWhoseLinesEndWithCRAloneSaysSo() throws {
        let cause =
            "holds a carriage return (CR) that ends no line: lines that end with CR alone (as old Mac programs write "
            + "them) read as one; save the file with LF or CRLF line endings"
        let short = try readItems("{\"username\": \"ann\"}\r{\"username\": \"bob\"}\r", format: .jsonl)
        #expect(
            problems(short) == [
                "line 1: json: unexpected character '{' after the end of the value at column 21; the line " + cause
            ])
        // Over 1 MiB the record is dropped unread: the splitter noted the CR as it passed
        let many = (0..<60_000).map { "{\"username\": \"user\($0)\"}\r" }.joined()
        #expect(many.utf8.count > AccountReader.maximumRecordBytes)
        let long = try readItems(many, format: .jsonl)
        #expect(problems(long) == ["line 1: json: is longer than 1 MiB (1048576 bytes) and " + cause])
        // A CR before each line feed ends its line, over 1 MiB too: not named, also when the CR is the last byte of
        // a 256 KiB read and the line feed the first of the next (the line's first 1.25 MiB, five reads, are dropped
        // before its end is found)
        for shift in -1...1 {
            let crlf =
                "{\"username\": \"a\", \"x\": \""
                + String(repeating: "y", count: 5 * 262_144 - 27 + shift) + "\"}\r\n" + "{\"username\": \"b\"}\r\n"
            let items = try readItems(crlf, format: .jsonl)
            #expect(problems(items) == ["line 1: json: is longer than 1 MiB (1048576 bytes)"], "shift \(shift)")
            #expect(records(items).map(\.username.rawValue) == ["b"])
        }
        // and a line with a syntax error and no CR keeps the parser's message alone
        #expect(
            problems(try readItems("{\"username\": \"ann\"} {\"username\": \"bob\"}\n", format: .jsonl)) == [
                "line 1: json: unexpected character '{' after the end of the value at column 21"
            ])
    }

    /// A CSV file over 1 MiB whose lines end with CR alone: its header is too long, and the message says why.
    @Test func aLongCSVFileWhoseLinesEndWithCRAloneSaysSo() throws {
        let header = "username,email,first_name,last_name,created_at,twitter_id,twitter_screen_name,twitter_name"
        let text = header + "\r" + (0..<80_000).map { "user\($0),,,,,,,\r" }.joined()
        #expect(text.utf8.count > AccountReader.maximumRecordBytes)
        do {
            _ = try readItems(text, format: .csv)
            Issue.record("the header was accepted")
        } catch let error as TransferError {
            guard case .badHeader(_, let problem) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(
                problem.description
                    == "line 1: csv: the header is longer than 1 MiB and holds a carriage return (CR) that ends no "
                    + "line: lines that end with CR alone (as Excel's \"CSV (Macintosh)\" and old Mac programs write "
                    + "them) read as one; save the file with LF or CRLF line endings; nothing was imported")
        }
    }

    /// A CSV header whose quote is never closed, in a file over 1 MiB, is refused for the quote, as the same header
    /// in a shorter file is: not as too long, nor (in a CRLF file, whose CRs the open quote took in) for its line
    /// endings. Until session 58 it was said to be longer than 1 MiB, and a CRLF file was told to save its lines with
    /// LF or CRLF endings.
    @Test(arguments: ["\r\n", "\n"])
    func aCSVHeaderWhoseQuoteIsNeverClosedIsRefusedForTheQuote(ending: String) throws {
        let header = "\"username,email,first_name,last_name,created_at,twitter_id,twitter_screen_name,twitter_name"
        let text = header + ending + (0..<100_000).map { "user\($0),,,,,,,\(ending)" }.joined()
        #expect(text.utf8.count > AccountReader.maximumRecordBytes)
        do {
            _ = try readItems(text, format: .csv)
            Issue.record("the header was accepted")
        } catch let error as TransferError {
            guard case .badHeader(_, let problem) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            let text = problem.description
            #expect(
                text.hasPrefix(
                    "line 1: csv: the header does not parse: a quoted field is not closed before the end of the file; "
                        + "nothing was imported"),
                "\(text)")
            #expect(!text.contains("1 MiB") && !text.contains("carriage return"), "\(text)")
        }
    }

    @Test func acceptsARecordOfExactlyOneMebibyte() throws {
        let prefix = "{\"username\": \"a\", \"x\": \""
        let padding = String(repeating: "y", count: AccountReader.maximumRecordBytes - prefix.utf8.count - 2)
        let items = try readItems(prefix + padding + "\"}\r\n", format: .jsonl)
        #expect(problems(items) == [])
        #expect(records(items).count == 1)
    }

    @Test func anEmptyFileHasNoRecords() throws {
        #expect(try readItems("", format: .jsonl).isEmpty)
        #expect(try readItems("\n\n", format: .jsonl).isEmpty)
        #expect(try readItems("", format: .csv).isEmpty)
        #expect(
            try readItems(
                "username,email,first_name,last_name,created_at,twitter_id,twitter_screen_name,twitter_name\n",
                format: .csv
            ).isEmpty)
    }

    @Test func aMissingFileCannotBeOpened() {
        #expect(throws: TransferError.cannotOpen(path: "/nonexistent/x.jsonl", reason: "No such file or directory")) {
            _ = try AccountReader(path: "/nonexistent/x.jsonl", format: .jsonl)
        }
    }

    /// JSON keys are compared code point by code point (RFC 8259): `café` written with U+00E9 and with `e` + U+0301
    /// are two keys (both ignored here), not one key twice; the same key written twice still is.
    @Test func keysThatAreOnlyCanonicallyEquivalentAreTwoKeys() throws {
        let items = try readItems(
            "{\"username\": \"ann\", \"caf\\u00e9\": 1, \"cafe\\u0301\": 2}\n", format: .jsonl)
        #expect(problems(items) == [])
        #expect(records(items).map(\.username.rawValue) == ["ann"])
        let repeated = try readItems("{\"username\": \"ann\", \"caf\\u00e9\": 1, \"caf\u{E9}\": 2}\n", format: .jsonl)
        #expect(problems(repeated) == ["line 1: json: the key \"caf\u{E9}\" appears twice at column 37"])
    }

    /// A line of spaces and tabs is blank in both formats, before the CSV header too; line numbers still count it.
    @Test func aLineOfSpacesAndTabsIsBlankInBothFormats() throws {
        let jsonl = try readItems("{\"username\": \"ann\"}\n   \n\t\n{\"username\": \"bob\"}\n", format: .jsonl)
        #expect(problems(jsonl) == [])
        let csv = try readItems(" \t\n" + csvHeader + "\nann,,,,,,,\n   \n\t \nbob,,,,,,,\nbad\n", format: .csv)
        #expect(records(csv).map(\.username.rawValue) == ["ann", "bob"])
        #expect(problems(csv) == ["line 7: csv: has 1 field; the header has 8"])
    }

}
