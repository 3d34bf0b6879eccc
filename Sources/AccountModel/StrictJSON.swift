/// A check that bytes are one JSON text as RFC 8259 writes it, with no member name repeated in an object: what every
/// reader agrees on. Foundation's parsers take more (a trailing comma, `01`, a raw tab, a bad escape or a lone
/// surrogate in a value they do not decode) and read a repeated name as its first or its last value, so a text they
/// take can be refused by Python's `json`, `jq` or `JSON.parse`, or read by them as another value.
package enum StrictJSON {
    /// What is wrong with a text.
    package enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        /// Not UTF-8, or a byte where the grammar allows none (its offset).
        case invalid(offset: Int)
        /// An object gives the member `name` twice.
        case repeatedName(String)
        /// Arrays and objects nested deeper than the limit.
        case tooDeep

        package var description: String {
            switch self {
            case .invalid(let offset): "not valid JSON (RFC 8259) at byte \(offset)"
            case .repeatedName(let name): "the field \(name) is given twice"
            case .tooDeep: "nested too deep"
            }
        }
    }

    /// The most arrays and objects nested in one another: 512, as Foundation's parsers allow.
    package static let maximumDepth = 512

    /// `nil` when `bytes` are one strict JSON text (white space around it allowed), else the first problem.
    package static func problem(in bytes: [UInt8]) -> Problem? {
        guard String(validating: bytes, as: UTF8.self) != nil else { return .invalid(offset: 0) }
        var reader = Reader(bytes: bytes)
        do {
            reader.skipSpace()
            try reader.value(depth: 0)
            reader.skipSpace()
            guard reader.position == bytes.count else { return .invalid(offset: reader.position) }
            return nil
        } catch {
            return error
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var position = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        var next: UInt8? { position < bytes.count ? bytes[position] : nil }

        var failure: Problem { .invalid(offset: position) }

        mutating func skipSpace() {
            while let byte = next, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
        }

        mutating func expect(_ byte: UInt8) throws(Problem) {
            guard next == byte else { throw failure }
            position += 1
        }

        mutating func value(depth: Int) throws(Problem) {
            switch next {
            case UInt8(ascii: "{"): try object(depth: depth + 1)
            case UInt8(ascii: "["): try array(depth: depth + 1)
            case UInt8(ascii: "\""): _ = try string(keeping: false)
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            default: try number()
            }
        }

        mutating func literal(_ word: StaticString) throws(Problem) {
            for index in 0..<word.utf8CodeUnitCount { try expect(word.utf8Start[index]) }
        }

        mutating func object(depth: Int) throws(Problem) {
            guard depth <= StrictJSON.maximumDepth else { throw .tooDeep }
            try expect(UInt8(ascii: "{"))
            skipSpace()
            if next == UInt8(ascii: "}") {
                position += 1
                return
            }
            // (names compared code point by code point, as RFC 8259 compares them: `é` and `e` + U+0301 are two)
            var names = Set<[UInt8]>()
            while true {
                skipSpace()
                guard next == UInt8(ascii: "\"") else { throw failure }
                let name = try string(keeping: true)
                guard names.insert(name).inserted else { throw .repeatedName(String(decoding: name, as: UTF8.self)) }
                skipSpace()
                try expect(UInt8(ascii: ":"))
                skipSpace()
                try value(depth: depth)
                skipSpace()
                if next == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                try expect(UInt8(ascii: "}"))
                return
            }
        }

        mutating func array(depth: Int) throws(Problem) {
            guard depth <= StrictJSON.maximumDepth else { throw .tooDeep }
            try expect(UInt8(ascii: "["))
            skipSpace()
            if next == UInt8(ascii: "]") {
                position += 1
                return
            }
            while true {
                skipSpace()
                try value(depth: depth)
                skipSpace()
                if next == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                try expect(UInt8(ascii: "]"))
                return
            }
        }

        /// A string; its UTF-8 when `keeping` (escapes decoded), else nothing.
        mutating func string(keeping: Bool) throws(Problem) -> [UInt8] {
            try expect(UInt8(ascii: "\""))
            var kept: [UInt8] = []
            while true {
                guard let byte = next else { throw failure }
                switch byte {
                case UInt8(ascii: "\""):
                    position += 1
                    return kept
                case UInt8(ascii: "\\"):
                    position += 1
                    let scalar = try escape()
                    if keeping { kept.append(contentsOf: Array(String(Character(scalar)).utf8)) }
                case 0..<0x20:
                    throw failure
                default:
                    if keeping { kept.append(byte) }
                    position += 1
                }
            }
        }

        /// The scalar of an escape, after its backslash.
        mutating func escape() throws(Problem) -> Unicode.Scalar {
            guard let byte = next else { throw failure }
            position += 1
            switch byte {
            case UInt8(ascii: "\""): return "\""
            case UInt8(ascii: "\\"): return "\\"
            case UInt8(ascii: "/"): return "/"
            case UInt8(ascii: "b"): return "\u{08}"
            case UInt8(ascii: "f"): return "\u{0C}"
            case UInt8(ascii: "n"): return "\n"
            case UInt8(ascii: "r"): return "\r"
            case UInt8(ascii: "t"): return "\t"
            case UInt8(ascii: "u"):
                let first = try hex4()
                if (0xDC00...0xDFFF).contains(first) { throw failure }
                guard (0xD800...0xDBFF).contains(first) else {
                    guard let scalar = Unicode.Scalar(first) else { throw failure }
                    return scalar
                }
                // A high surrogate is the first of a pair: a low one must follow, escaped.
                try expect(UInt8(ascii: "\\"))
                try expect(UInt8(ascii: "u"))
                let second = try hex4()
                guard (0xDC00...0xDFFF).contains(second),
                    let scalar = Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
                else { throw failure }
                return scalar
            default:
                position -= 1
                throw failure
            }
        }

        mutating func hex4() throws(Problem) -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let byte = next else { throw failure }
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw failure
                }
                value = value << 4 | digit
                position += 1
            }
            return value
        }

        /// `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`
        mutating func number() throws(Problem) {
            if next == UInt8(ascii: "-") { position += 1 }
            guard let first = next, Self.isDigit(first) else { throw failure }
            position += 1
            if first != UInt8(ascii: "0") { skipDigits() }
            if next == UInt8(ascii: ".") {
                position += 1
                try digits()
            }
            if next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
                position += 1
                if next == UInt8(ascii: "+") || next == UInt8(ascii: "-") { position += 1 }
                try digits()
            }
        }

        mutating func digits() throws(Problem) {
            guard let byte = next, Self.isDigit(byte) else { throw failure }
            skipDigits()
        }

        mutating func skipDigits() {
            while let byte = next, Self.isDigit(byte) { position += 1 }
        }

        static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    }
}
