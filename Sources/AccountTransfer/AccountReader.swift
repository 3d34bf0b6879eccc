import AccountModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One line (or CSV record) of an import file, read and checked.
public enum ReadItem: Sendable, Hashable {
    /// A valid account from the record starting on physical line `line`.
    case record(line: Int, AccountRecord)
    /// A record that cannot be imported, with every problem found in it (at least one).
    case invalid([LineProblem])
}

/// Reads an Account JSON Lines or CSV file one record at a time, with physical line numbers.
///
/// Memory stays bounded whatever the file's size: one read chunk and one record (at most
/// ``maximumRecordBytes``) are held at a time. Blank lines are skipped. A UTF-8 byte-order mark is ignored, as is a
/// CR before each line feed. A record that is not UTF-8, is longer than 1 MiB, or does not parse comes back as
/// ``ReadItem/invalid(_:)`` with field `json` or `csv`; a CSV file whose header is not the contract's throws
/// ``TransferError/badHeader(path:_:)`` at the first call.
///
/// ```swift
/// let reader = try AccountReader(path: "accounts.jsonl", format: .jsonl)
/// while let item = try reader.next() { … }
/// ```
public final class AccountReader {
    /// The most bytes one record may have (its line terminator not counted): 1 MiB.
    public static let maximumRecordBytes = 1 << 20

    /// The format being read.
    public let format: TransferFormat
    /// The path given (`-` for standard input).
    public let path: String
    /// The file's size when it is a regular file (for progress), else `nil`.
    public let size: Int?
    /// Whether password hashes dearer than `PasswordHasher.maximumImportedScryptWork` or
    /// `maximumImportedDjangoIterations` are accepted (a store's own export holding such hashes); refused otherwise.
    public let allowsCostlyPasswordHashes: Bool

    private var splitter: RecordSplitter
    private let ownsDescriptor: Bool
    private var columns: [Field?] = []
    private var headerRead = false
    /// The keys of the record ``next()`` last returned as invalid that passed their own checks, for an import's
    /// duplicate lookups; `nil` after any other item, or when none did (a line that does not parse).
    package private(set) var keysOfLastInvalid: RecordKeys?

    /// Opens `path` (`-` reads standard input) as `format`; `allowsCostlyPasswordHashes` accepts password hashes
    /// whose every check would cost more than half a second or so (refused by default).
    public init(path: String, format: TransferFormat, allowsCostlyPasswordHashes: Bool = false) throws(TransferError) {
        let descriptor: Int32
        if path == "-" {
            descriptor = STDIN_FILENO
            ownsDescriptor = false
        } else {
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
            }
            ownsDescriptor = true
        }
        var info = stat()
        let known = fstat(descriptor, &info) == 0
        if known && (info.st_mode & S_IFMT) == S_IFDIR {
            if ownsDescriptor { close(descriptor) }
            throw .cannotOpen(path: path, reason: "it is a directory")
        }
        size = known && (info.st_mode & S_IFMT) == S_IFREG ? Int(info.st_size) : nil
        self.path = path
        self.format = format
        self.allowsCostlyPasswordHashes = allowsCostlyPasswordHashes
        splitter = RecordSplitter(
            descriptor: descriptor, path: path, limit: Self.maximumRecordBytes, quotedNewlines: format == .csv)
    }

    deinit {
        if ownsDescriptor { close(splitter.descriptor) }
    }

    /// Bytes read from the file so far.
    public var bytesRead: Int { splitter.bytesRead }

    /// The next record, `nil` at the end of the file. Throws only when the file cannot be read or (CSV) its header
    /// is refused; a bad record is an ``ReadItem/invalid(_:)`` item.
    public func next() throws(TransferError) -> ReadItem? {
        keysOfLastInvalid = nil
        if format == .csv && !headerRead {
            headerRead = true
            guard try readHeader() else { return nil }
        }
        while let raw = try splitter.next() {
            if raw.tooLong {
                // A quote left open swallows the rest of the file: that, not the length, is what to fix.
                var problem =
                    raw.unterminatedQuote
                    ? Self.unclosedQuoteProblem : "is longer than 1 MiB (\(Self.maximumRecordBytes) bytes)"
                // (JSON Lines only: a quoted CSV field may hold CRs)
                if format == .jsonl && raw.droppedCarriageReturn {
                    problem += " and " + Self.carriageReturnProblem(writtenBy: Self.oldMacPrograms)
                }
                return .invalid([syntaxProblem(raw, problem)])
            }
            if isBlank(raw) { continue }
            let item: ReadItem? = splitter.buffer.withUnsafeBufferPointer { buffer in
                let bytes = UnsafeBufferPointer(rebasing: buffer[raw.range])
                if let problem = Self.utf8Problem(bytes, firstLine: raw.firstLine) {
                    return .invalid([syntaxProblem(raw, problem)])
                }
                switch format {
                case .jsonl: return decodeJSONLine(bytes, raw)
                case .csv: return decodeCSVRecord(bytes, raw)
                }
            }
            if let item { return item }
        }
        return nil
    }

    static let unclosedQuoteProblem = "a quoted field is not closed before the end of the file"

    /// Why a record holds a carriage return that ends no line: a file whose lines end with CR alone reads as one line
    /// (to RFC 4180, to JSON Lines, and to this reader).
    static func carriageReturnProblem(writtenBy writers: String) -> String {
        "holds a carriage return (CR) that ends no line: lines that end with CR alone (as \(writers) write them) read "
            + "as one; save the file with LF or CRLF line endings"
    }

    static let oldMacPrograms = "old Mac programs"
    static let csvWriters = "Excel's \"CSV (Macintosh)\" and old Mac programs"

    private func syntaxProblem(_ raw: RawRecord, _ problem: String) -> LineProblem {
        let span = raw.lastLine > raw.firstLine ? " (the record runs to line \(raw.lastLine))" : ""
        return LineProblem(line: raw.firstLine, field: format.syntaxField, problem: problem + span)
    }

    /// Why `bytes` are not UTF-8, or `nil` when they are. For a record that starts on `firstLine` and runs over more
    /// than one line (a quoted CSV field holding line breaks), the offending byte is placed on its own line.
    static func utf8Problem(_ bytes: UnsafeBufferPointer<UInt8>, firstLine: Int? = nil) -> String? {
        if String(validating: bytes, as: UTF8.self) != nil { return nil }
        // Find the first offending byte for the message (rare path).
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let length: Int
            switch byte {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: length = 0
            }
            let prefix = Array(bytes[index..<min(index + max(length, 1), bytes.count)])
            if length == 0 || index + length > bytes.count || String(validating: prefix, as: UTF8.self) == nil {
                let hex = String(byte, radix: 16, uppercase: true)
                var place = "column \(index + 1)"
                if let firstLine, let lastBreak = bytes[..<index].lastIndex(of: UInt8(ascii: "\n")) {
                    let breaks = bytes[..<index].reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
                    place = "line \(firstLine + breaks), column \(index - lastBreak)"
                }
                return "is not valid UTF-8 (byte 0x\(hex.count == 1 ? "0" + hex : hex) at \(place))"
            }
            index += length
        }
        return "is not valid UTF-8"
    }

    // MARK: - JSON Lines

    private func decodeJSONLine(_ bytes: UnsafeBufferPointer<UInt8>, _ raw: RawRecord) -> ReadItem? {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            // A CR left in the line ends no line (a CR before the line feed was dropped): the file's lines may end
            // with CR alone, which makes it one line that does not parse. (JSON takes a CR as white space; no string
            // holds one raw.)
            let cause =
                bytes.contains(0x0D) ? "; the line " + Self.carriageReturnProblem(writtenBy: Self.oldMacPrograms) : ""
            return .invalid([syntaxProblem(raw, error.description + cause)])
        }
        guard case .object(let members) = value else {
            return .invalid([syntaxProblem(raw, "each line must be a JSON object, not \(value.kindName)")])
        }
        var validator = RecordValidator(
            format: .jsonl, line: raw.firstLine, allowsCostlyPasswordHashes: allowsCostlyPasswordHashes)
        var fields = RawFields()
        for (key, value) in members {
            switch key {
            case "username": fields.username = string(value, .username, &validator, nullMeansMissing: true)
            case "email": fields.email = string(value, .email, &validator)
            case "first_name": fields.firstName = string(value, .firstName, &validator)
            case "last_name": fields.lastName = string(value, .lastName, &validator)
            case "created_at": fields.createdAt = string(value, .createdAt, &validator)
            case "password_hash": fields.passwordHash = string(value, .passwordHash, &validator)
            case "twitter":
                switch value {
                case .null: break
                case .object(let twitter):
                    fields.twitterGiven = true
                    for (key, value) in twitter {
                        switch key {
                        case "id":
                            if case .number = value {
                                validator.report(
                                    .twitterUserID,
                                    "must be a string of decimal digits, not a JSON number (a JSON number loses "
                                        + "precision above 2^53)")
                            } else {
                                fields.twitterID = string(value, .twitterUserID, &validator, nullMeansMissing: true)
                            }
                        case "screen_name":
                            fields.screenName = string(value, .screenName, &validator, nullMeansMissing: true)
                        case "name":
                            fields.twitterName = string(value, .displayName, &validator, nullMeansMissing: true)
                        default: break
                        }
                    }
                default:
                    validator.problems.append(
                        LineProblem(
                            line: raw.firstLine, field: "twitter",
                            problem: "must be an object or null, not "
                                + value.kindName))
                }
            default: break
            }
        }
        if let record = validator.validate(fields) { return .record(line: raw.firstLine, record) }
        keysOfLastInvalid = validator.keys.isEmpty ? nil : validator.keys
        return .invalid(validator.problems)
    }

    /// A string member's text; `nil` for null; a problem for any other kind of value.
    private func string(
        _ value: JSONValue, _ field: Field, _ validator: inout RecordValidator, nullMeansMissing: Bool = false
    ) -> String? {
        switch value {
        case .string(let text): return text
        case .null: return nil
        default:
            validator.report(field, "must be a string\(nullMeansMissing ? "" : " or null"), not \(value.kindName)")
            return nil
        }
    }

    // MARK: - CSV

    /// What a header must name; any order is read.
    static let columnsRequired =
        "the columns are " + TransferFormat.csvColumns.map(\.rawValue).joined(separator: ",")
        + " in any order, each once, and optionally password_hash"

    /// Whether `raw` is a blank line: empty, or spaces and tabs only (in both formats).
    private func isBlank(_ raw: RawRecord) -> Bool {
        splitter.buffer[raw.range].allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }

    /// Reads and checks the header; `false` when the file holds nothing at all.
    private func readHeader() throws(TransferError) -> Bool {
        var raw: RawRecord
        repeat {
            guard let next = try splitter.next() else { return false }
            raw = next
        } while !raw.tooLong && isBlank(raw)
        func refuse(_ problem: String) -> TransferError {
            .badHeader(path: path, syntaxProblem(raw, problem + "; nothing was imported"))
        }
        // A quote left open swallows the rest of the file: that, not the length (nor the CRs of a CRLF file it took
        // in), is what to fix, as for a record. (Until session 58 the header was said to be too long.)
        if raw.tooLong && raw.unterminatedQuote {
            throw refuse("the header does not parse: " + Self.unclosedQuoteProblem)
        }
        if raw.tooLong {
            let cause =
                raw.droppedCarriageReturn ? " and " + Self.carriageReturnProblem(writtenBy: Self.csvWriters) : ""
            throw refuse("the header is longer than 1 MiB" + cause)
        }
        let names: [String]
        do {
            names = try splitter.buffer.withUnsafeBufferPointer { buffer throws(TransferError) in
                let bytes = UnsafeBufferPointer(rebasing: buffer[raw.range])
                if let problem = Self.utf8Problem(bytes) { throw refuse("the header " + problem) }
                do throws(CSVFields.SyntaxError) {
                    return try CSVFields.split(bytes)
                } catch {
                    throw refuse("the header does not parse: " + error.message)
                }
            }
        }
        // A file whose lines end with CR alone (Excel's "CSV (Macintosh)", old Mac programs) is one line to RFC 4180
        // and to this reader: say so, rather than name the columns that its run-together cells make.
        if names.contains(where: { $0.utf8.contains(0x0D) }) {
            throw refuse("the header " + Self.carriageReturnProblem(writtenBy: Self.csvWriters))
        }
        let expected = TransferFormat.csvColumns.map(\.rawValue)
        let allowed = expected + [Field.passwordHash.rawValue]
        // A first line that is data, not a header (an export with its header cut off), must not be echoed: its
        // cells can be password hashes. Only what reads as a column name is quoted; anything else is named by place.
        if !names.contains(where: { allowed.contains($0.lowercased()) }) {
            throw refuse(
                "the first line is not a header: it names none of the columns (" + Self.columnsRequired + ")")
        }
        func shown(_ name: String, at index: Int) -> String {
            if name.isEmpty { return "(an empty name)" }
            let looksLikeName =
                name.utf8.count <= 32
                && name.utf8.allSatisfy { byte in
                    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                        || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                        || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                        || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: " ")
                }
            guard looksLikeName else { return "in place \(index + 1) (not shown: it is no column name)" }
            // (a space before or after a name, as "a, b" writes them, cannot be seen: quoted and said)
            let trimmed = String(String(name.drop { $0 == " " }.reversed()).drop { $0 == " " }.reversed())
            guard trimmed != name else { return name }
            return "'\(name)'" + (allowed.contains(trimmed) ? " (\(trimmed) with a space before or after it)" : "")
        }
        var seen = Set<String>()
        var columns: [Field?] = []
        var unknown: [String] = []
        for (index, name) in names.enumerated() {
            if !seen.insert(name).inserted { throw refuse("the column \(shown(name, at: index)) appears twice") }
            if allowed.contains(name) {
                columns.append(Field(rawValue: name))
            } else {
                unknown.append(shown(name, at: index))
            }
        }
        let missing = expected.filter { !seen.contains($0) }
        var problems: [String] = []
        if !missing.isEmpty {
            problems.append("missing column\(missing.count == 1 ? "" : "s") " + missing.joined(separator: ", "))
        }
        if !unknown.isEmpty {
            problems.append("unknown column\(unknown.count == 1 ? "" : "s") " + unknown.joined(separator: ", "))
        }
        if !problems.isEmpty {
            throw refuse(
                problems.joined(separator: "; ") + " (" + Self.columnsRequired + ")")
        }
        self.columns = columns
        return true
    }

    private func decodeCSVRecord(_ bytes: UnsafeBufferPointer<UInt8>, _ raw: RawRecord) -> ReadItem? {
        if raw.unterminatedQuote {
            return .invalid([syntaxProblem(raw, Self.unclosedQuoteProblem)])
        }
        let values: [String]
        do {
            values = try CSVFields.split(bytes)
        } catch {
            return .invalid([syntaxProblem(raw, error.message)])
        }
        guard values.count == columns.count else {
            // Lines that end with CR alone run together into this record (as they do in a header): say so, rather
            // than blame the count alone (until session 62 it said only "has 15 fields; the header has 8").
            let cause =
                values.contains(where: { $0.utf8.contains(0x0D) })
                ? " (it " + Self.carriageReturnProblem(writtenBy: Self.csvWriters) + ")" : ""
            return .invalid([
                syntaxProblem(
                    raw,
                    "has \(values.count) field\(values.count == 1 ? "" : "s"); the header has \(columns.count)" + cause)
            ])
        }
        var fields = RawFields()
        for (column, value) in zip(columns, values) where !value.isEmpty {
            switch column {
            case .username: fields.username = value
            case .email: fields.email = value
            case .firstName: fields.firstName = value
            case .lastName: fields.lastName = value
            case .createdAt: fields.createdAt = value
            case .twitterUserID: fields.twitterID = value
            case .screenName: fields.screenName = value
            case .displayName: fields.twitterName = value
            case .passwordHash: fields.passwordHash = value
            default: break
            }
        }
        var validator = RecordValidator(
            format: .csv, line: raw.firstLine, allowsCostlyPasswordHashes: allowsCostlyPasswordHashes)
        if let record = validator.validate(fields) { return .record(line: raw.firstLine, record) }
        keysOfLastInvalid = validator.keys.isEmpty ? nil : validator.keys
        return .invalid(validator.problems)
    }
}

@available(*, unavailable)
extension AccountReader: Sendable {}
