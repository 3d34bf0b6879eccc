import AccountModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes accounts as Account JSON Lines or CSV, exactly as the contract spells them, to standard output or a file.
///
/// JSON Lines: `{"username": …, "email": …, "first_name": …, "last_name": …, "created_at": …, "twitter": {"id": …,
/// "screen_name": …, "name": …} | null}` (and `"password_hash"` last when asked for), one object a line. CSV: the
/// header row, then one record a line, fields quoted only when they hold a comma, a quote or a line break; an empty
/// field is null. Lines end with LF.
///
/// A file named with `path` is an ``OutputFile``: written beside its final name and renamed over it by ``finish()``,
/// mode 0600, so a failed or abandoned export never leaves a partial file and an existing file is replaced only by
/// a complete one (a device such as `/dev/null` is written directly).
public final class AccountWriter {
    /// The format written.
    public let format: TransferFormat
    /// Whether records carry their `password_hash`.
    public let includesPasswordHashes: Bool
    /// How many records were written.
    public private(set) var count = 0

    /// The file written, or `nil` for standard output.
    private let file: OutputFile?
    private var buffer: [UInt8] = []
    private var finished = false

    static let flushThreshold = 64 * 1024

    /// A writer to `path`, or to standard output when `path` is `nil`.
    public init(format: TransferFormat, includePasswordHashes: Bool, path: String?) throws(TransferError) {
        self.format = format
        includesPasswordHashes = includePasswordHashes
        file = try path.map { path throws(TransferError) in try OutputFile(path: path) }
        buffer.reserveCapacity(Self.flushThreshold + 4096)
        if format == .csv {
            var columns = TransferFormat.csvColumns.map(\.rawValue)
            if includePasswordHashes { columns.append(Field.passwordHash.rawValue) }
            buffer.append(contentsOf: columns.joined(separator: ",").utf8)
            buffer.append(0x0A)
        }
    }

    /// Appends one account.
    public func write(_ record: AccountRecord) throws(TransferError) {
        precondition(!finished, "AccountWriter.write after finish")
        switch format {
        case .jsonl: appendJSON(record)
        case .csv: appendCSV(record)
        }
        count += 1
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    /// Writes what is buffered; for a file, syncs it to disk and renames it to its final name.
    public func finish() throws(TransferError) {
        guard !finished else { return }
        try flush()
        finished = true
        try file?.commit()
    }

    private func flush() throws(TransferError) {
        defer { buffer.removeAll(keepingCapacity: true) }
        if let file {
            try file.write(buffer)
        } else if !buffer.withUnsafeBytes({ writeFully(STDOUT_FILENO, $0) }) {
            throw .writeFailed(path: "-", reason: String(cString: strerror(errno)))
        }
    }

    // MARK: - JSON Lines

    private func appendJSON(_ record: AccountRecord) {
        append("{\"username\": ")
        appendJSONString(record.username.rawValue)
        append(", \"email\": ")
        appendJSONString(record.email?.rawValue)
        append(", \"first_name\": ")
        appendJSONString(record.firstName)
        append(", \"last_name\": ")
        appendJSONString(record.lastName)
        append(", \"created_at\": ")
        appendJSONString(record.createdAt?.description)
        append(", \"twitter\": ")
        if let twitter = record.twitter {
            append("{\"id\": \"")
            append(twitter.id.decimalString)
            append("\", \"screen_name\": ")
            appendJSONString(twitter.screenName)
            append(", \"name\": ")
            appendJSONString(twitter.name)
            append("}")
        } else {
            append("null")
        }
        if includesPasswordHashes {
            append(", \"password_hash\": ")
            appendJSONString(record.passwordHash?.revealed)
        }
        append("}\n")
    }

    private func append(_ text: String) {
        buffer.append(contentsOf: text.utf8)
    }

    /// `text` as a JSON string (`null` for nil): `"` and `\` escaped, control characters as `\n`, `\r`, `\t` or
    /// `\u00XX`, U+2028 and U+2029 as `\u2028` and `\u2029` (a reader splitting lines on every Unicode line break
    /// still sees one account a line), everything else as UTF-8.
    private func appendJSONString(_ text: String?) {
        guard let text else {
            append("null")
            return
        }
        buffer.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): append("\\\"")
            case UInt8(ascii: "\\"): append("\\\\")
            case 0x0A: append("\\n")
            case 0x0D: append("\\r")
            case 0x09: append("\\t")
            case 0x00..<0x20:
                append("\\u00")
                buffer.append(Self.hexDigits[Int(byte >> 4)])
                buffer.append(Self.hexDigits[Int(byte & 0x0F)])
            case 0xA8, 0xA9:
                // The last byte of U+2028 (E2 80 A8) or U+2029 (E2 80 A9)? Escapes are ASCII, so the two bytes before
                // it in the buffer are this text's own.
                let count = buffer.count
                if count >= 2, buffer[count - 2] == 0xE2, buffer[count - 1] == 0x80 {
                    buffer.removeLast(2)
                    append(byte == 0xA8 ? "\\u2028" : "\\u2029")
                } else {
                    buffer.append(byte)
                }
            default: buffer.append(byte)
            }
        }
        buffer.append(UInt8(ascii: "\""))
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    // MARK: - CSV

    private func appendCSV(_ record: AccountRecord) {
        appendCSVField(record.username.rawValue)
        for value in [
            record.email?.rawValue, record.firstName, record.lastName, record.createdAt?.description,
            record.twitter?.id.decimalString, record.twitter?.screenName, record.twitter?.name,
        ] {
            buffer.append(UInt8(ascii: ","))
            appendCSVField(value)
        }
        if includesPasswordHashes {
            buffer.append(UInt8(ascii: ","))
            appendCSVField(record.passwordHash?.revealed)
        }
        buffer.append(0x0A)
    }

    /// RFC 4180: quoted (with quotes doubled) only when it holds a comma, a quote, a CR or a LF; nil is empty.
    private func appendCSVField(_ text: String?) {
        guard let text, !text.isEmpty else { return }
        let needsQuotes = text.utf8.contains {
            $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D
        }
        guard needsQuotes else {
            append(text)
            return
        }
        buffer.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\"") { buffer.append(byte) }
            buffer.append(byte)
        }
        buffer.append(UInt8(ascii: "\""))
    }
}

@available(*, unavailable)
extension AccountWriter: Sendable {}

/// write(2), named apart from ``AccountWriter/write(_:)`` and ``OutputFile/write(_:)``.
func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
