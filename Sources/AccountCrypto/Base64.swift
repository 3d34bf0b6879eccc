/// Standard base64 (RFC 4648 §4: `A–Z a–z 0–9 + /`, with `=` padding), strict: the format of keys and hashes.
///
/// Written here rather than taken from Foundation so that decoding a key reads and writes only buffers this module
/// can zero afterwards.
package enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Encodes `bytes` with padding.
    package static func encode(_ bytes: some Collection<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = iterator.next()
            let group = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            out.append(alphabet[Int(group >> 18 & 0x3f)])
            out.append(alphabet[Int(group >> 12 & 0x3f)])
            out.append(second == nil ? UInt8(ascii: "=") : alphabet[Int(group >> 6 & 0x3f)])
            out.append(third == nil ? UInt8(ascii: "=") : alphabet[Int(group & 0x3f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes canonical padded base64, or returns nil: a length that is not a multiple of 4, a character outside the
    /// alphabet, misplaced padding or non-zero padding bits are all refused.
    package static func decode(_ text: some Collection<UInt8>) -> [UInt8]? {
        withBytes(of: text) { decode(buffer: $0) }
    }

    /// Decodes from a buffer, without copying it; the output is allocated once.
    private static func decode(buffer input: UnsafeRawBufferPointer) -> [UInt8]? {
        guard input.count.isMultiple(of: 4) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 4 * 3)
        var index = 0
        while index < input.count {
            let isLast = index + 4 == input.count
            let padding: Int
            if isLast && input[index + 3] == UInt8(ascii: "=") {
                padding = input[index + 2] == UInt8(ascii: "=") ? 2 : 1
            } else {
                padding = 0
            }
            var group: UInt32 = 0
            for offset in 0..<4 {
                let character = input[index + offset]
                if offset >= 4 - padding {
                    group <<= 6
                    continue
                }
                guard let value = value(of: character) else {
                    LibCrypto.cleanse(&out)
                    return nil
                }
                group = group << 6 | UInt32(value)
            }
            // Canonical form: the bits that padding leaves over must be zero.
            if padding == 1 && group & 0xff != 0 {
                LibCrypto.cleanse(&out)
                return nil
            }
            if padding == 2 && group & 0xffff != 0 {
                LibCrypto.cleanse(&out)
                return nil
            }
            out.append(UInt8(group >> 16 & 0xff))
            if padding < 2 { out.append(UInt8(group >> 8 & 0xff)) }
            if padding < 1 { out.append(UInt8(group & 0xff)) }
            index += 4
        }
        return out
    }

    private static func value(of character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}
