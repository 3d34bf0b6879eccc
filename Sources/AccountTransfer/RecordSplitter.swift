#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One record's place in the splitter's buffer: a JSON Lines line, or a CSV record (which may span lines).
struct RawRecord {
    /// The physical line the record starts on.
    var firstLine: Int
    /// The physical line it ends on (the same for anything but a quoted multi-line CSV record).
    var lastLine: Int
    /// Its bytes in the splitter's buffer, without the line terminator; valid until the next call.
    var range: Range<Int>
    /// It was longer than the limit; its bytes were dropped (`range` is empty).
    var tooLong: Bool
    /// A CSV record that ended with the file while a quoted field was still open.
    var unterminatedQuote: Bool
    /// A record that was too long held a CR that ends no line (not the CR before its line feed): its lines may end
    /// with CR alone. Not set for other records, whose bytes are there to look at.
    var droppedCarriageReturn = false
}

/// Splits a file descriptor's bytes into records without holding more than one record (at most `limit` bytes)
/// and one read chunk: memory does not grow with the file.
///
/// A record ends at a line feed; with `quotedNewlines` (CSV), only at a line feed outside a quoted field (a quote
/// opens a quoted field only at the start of a field, as RFC 4180 has it, so a stray quote elsewhere spoils one
/// record, not the rest of the file). A CR before the line feed is dropped, as is a UTF-8 byte-order
/// mark at the start of the file. Every line feed counts toward the physical line numbers.
struct RecordSplitter {
    static let chunkSize = 256 * 1024

    let descriptor: Int32
    let path: String
    let limit: Int
    let quotedNewlines: Bool

    private(set) var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var scan = 0
    private var quoteState = QuoteState.fieldStart
    private var newlinesInRecord = 0
    private var discarding = false
    /// The bytes of the record being dropped held a CR before the last one dropped, or one followed by more bytes.
    private var droppedCarriageReturn = false
    /// The last byte dropped was a CR (the CR of a CRLF if a line feed comes next).
    private var droppedCarriageReturnLast = false
    private var atEndOfFile = false
    private var atStartOfFile = true
    private var nextLine = 1
    /// The last byte read from the descriptor was a line feed (the file's last line is terminated).
    private var lastReadByteIsLineFeed = false
    /// Bytes read from the descriptor so far.
    private(set) var bytesRead = 0

    init(descriptor: Int32, path: String, limit: Int, quotedNewlines: Bool) {
        self.descriptor = descriptor
        self.path = path
        self.limit = limit
        self.quotedNewlines = quotedNewlines
        buffer = [UInt8](repeating: 0, count: Self.chunkSize)
    }

    /// The next record, or `nil` at the end of the file.
    mutating func next() throws(TransferError) -> RawRecord? {
        while true {
            if let boundary = findBoundary() {
                return finishRecord(endingAt: boundary, terminatorLength: 1)
            }
            if atEndOfFile {
                guard start < end || discarding else { return nil }
                return finishRecord(endingAt: end, terminatorLength: 0)
            }
            if !discarding && end - start > limit + 1 {
                // Longer than any acceptable record (one byte of slack for a CR): drop what is buffered and keep
                // scanning for its end.
                discarding = true
            }
            if discarding {
                noteDropped(start..<scan)
                start = scan
            }
            try refill()
        }
    }

    /// Where a CSV scan stands within the current record (RFC 4180).
    enum QuoteState {
        /// At the start of a field: a quote here opens a quoted field.
        case fieldStart
        /// Inside an unquoted field: a quote here is a syntax error for the field parser, not an opening.
        case unquoted
        /// Inside a quoted field: line feeds belong to the field.
        case quoted
        /// Just after a quote inside a quoted field: another quote is an escaped one; anything else ends the field.
        case quoteSeen
    }

    /// The index of the line feed ending the current record, scanning from where the last call stopped.
    private mutating func findBoundary() -> Int? {
        let quoted = quotedNewlines
        var index = scan
        var state = quoteState
        var newlines = newlinesInRecord
        let found: Int? = buffer.withUnsafeBufferPointer { bytes in
            guard quoted else {
                while index < end {
                    if bytes[index] == 0x0A { return index }
                    index += 1
                }
                return nil
            }
            while index < end {
                let byte = bytes[index]
                switch state {
                case .fieldStart, .unquoted, .quoteSeen:
                    if byte == 0x0A { return index }
                    if byte == 0x2C {
                        state = .fieldStart
                    } else if byte == 0x22 {
                        state = state == .fieldStart || state == .quoteSeen ? .quoted : .unquoted
                    } else if byte != 0x0D || state != .quoteSeen {
                        state = .unquoted
                    }
                case .quoted:
                    if byte == 0x22 {
                        state = .quoteSeen
                    } else if byte == 0x0A {
                        newlines += 1
                    }
                }
                index += 1
            }
            return nil
        }
        scan = index
        quoteState = state
        newlinesInRecord = newlines
        return found
    }

    /// Notes whether the bytes dropped at `range` hold a CR that ends no line (a CR that is their last byte may
    /// still be followed by the record's line feed).
    private mutating func noteDropped(_ range: Range<Int>) {
        guard !range.isEmpty, !droppedCarriageReturn else { return }
        droppedCarriageReturn =
            droppedCarriageReturnLast || buffer[range.lowerBound..<range.upperBound - 1].contains(0x0D)
        droppedCarriageReturnLast = buffer[range.upperBound - 1] == 0x0D
    }

    private mutating func finishRecord(endingAt boundary: Int, terminatorLength: Int) -> RawRecord {
        var recordEnd = boundary
        if recordEnd > start && buffer[recordEnd - 1] == 0x0D { recordEnd -= 1 }
        let tooLong = discarding || recordEnd - start > limit
        if tooLong && !droppedCarriageReturn {
            // (what is left of the record, its own line-ending CR taken off: a CR dropped last that a line feed
            // follows at once ended the line)
            droppedCarriageReturn =
                (droppedCarriageReturnLast && boundary > start) || buffer[start..<recordEnd].contains(0x0D)
        }
        // A record cut short by the end of the file inside a quoted field has counted the file's final line feed,
        // which ends the last line rather than starting another.
        let trailingLineFeed = terminatorLength == 0 && newlinesInRecord > 0 && lastReadByteIsLineFeed ? 1 : 0
        let record = RawRecord(
            firstLine: nextLine, lastLine: nextLine + newlinesInRecord - trailingLineFeed,
            range: tooLong ? start..<start : start..<recordEnd,
            tooLong: tooLong, unterminatedQuote: terminatorLength == 0 && quoteState == .quoted,
            droppedCarriageReturn: tooLong && droppedCarriageReturn)
        nextLine += newlinesInRecord + terminatorLength
        start = min(boundary + terminatorLength, end)
        scan = start
        quoteState = .fieldStart
        newlinesInRecord = 0
        discarding = false
        droppedCarriageReturn = false
        droppedCarriageReturnLast = false
        return record
    }

    /// Moves the unread bytes to the front and reads one more chunk.
    private mutating func refill() throws(TransferError) {
        if start > 0 {
            let count = end - start
            if count > 0 {
                buffer.withUnsafeMutableBufferPointer { bytes in
                    _ = memmove(bytes.baseAddress!, bytes.baseAddress! + start, count)
                }
            }
            scan -= start
            end = count
            start = 0
        }
        guard try readChunk() else { return }
        if atStartOfFile {
            // A byte-order mark may come in more than one read (a pipe fed a byte at a time): decide once three bytes
            // are in, or the file ended with fewer. Nothing was scanned yet.
            while end < 3, Self.byteOrderMark.starts(with: buffer[0..<end]) {
                guard try readChunk() else { break }
            }
            atStartOfFile = false
            if buffer[0..<min(end, 3)].elementsEqual(Self.byteOrderMark) {
                start = 3
                scan = 3
            }
        }
    }

    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// Reads up to a chunk after `end`; `false` (and ``atEndOfFile`` set) at the end of the file.
    private mutating func readChunk() throws(TransferError) -> Bool {
        if buffer.count - end < Self.chunkSize {
            buffer.append(contentsOf: repeatElement(0, count: Self.chunkSize - (buffer.count - end)))
        }
        let descriptor = descriptor
        let offset = end
        let count: Int = buffer.withUnsafeMutableBufferPointer { bytes in
            while true {
                let result = read(descriptor, bytes.baseAddress! + offset, Self.chunkSize)
                if result < 0 && errno == EINTR { continue }
                return result
            }
        }
        guard count >= 0 else {
            throw .readFailed(path: path, reason: String(cString: strerror(errno)))
        }
        if count == 0 {
            atEndOfFile = true
            return false
        }
        end += count
        bytesRead += count
        lastReadByteIsLineFeed = buffer[end - 1] == 0x0A
        return true
    }
}
