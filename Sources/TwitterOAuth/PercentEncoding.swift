/// Percent-encoding as OAuth 1.0a needs it (RFC 5849 §3.6 over RFC 3986 §2.1).
///
/// Only the unreserved characters `ALPHA DIGIT - . _ ~` are left as they are; every other byte of the UTF-8 form is
/// written `%XX` with uppercase hex digits. This is stricter than URL-query encoders that leave `!$&'()*+,;=` alone.
package enum PercentEncoding: Sendable {
    /// Encodes `string` for a signature base string, an `Authorization` header, a query or a form body.
    package static func encode(_ string: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(string.utf8.count)
        for byte in string.utf8 {
            if isUnreserved(byte) {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "%"))
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends the encoding of `bytes` (UTF-8) to `output`.
    package static func encode(_ bytes: some Sequence<UInt8>, into output: inout [UInt8]) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { encode(contiguous: $0, into: &output) }
        if done != nil { return }
        for byte in bytes {
            if isUnreserved(byte) {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "%"))
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            }
        }
    }

    /// Sizes the output once, then writes through a pointer: the signing path encodes every byte of a request twice.
    private static func encode(contiguous input: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        guard let firstReserved = input.firstIndex(where: { !isUnreserved($0) }) else {
            output.append(contentsOf: input)
            return
        }
        var count = input.count
        for byte in input[firstReserved...] where !isUnreserved(byte) { count += 2 }
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: count))
        output.withUnsafeMutableBufferPointer { buffer in
            var index = start
            for byte in input {
                if isUnreserved(byte) {
                    buffer[index] = byte
                    index += 1
                } else {
                    buffer[index] = UInt8(ascii: "%")
                    buffer[index + 1] = upperHex(byte >> 4)
                    buffer[index + 2] = upperHex(byte & 0x0F)
                    index += 3
                }
            }
        }
    }

    /// Writes the encoding of `input` at `output`, which has room for `3 * input.count` bytes; returns the number of
    /// bytes written. Runs without reserved bytes are copied whole.
    static func encode(_ input: UnsafeBufferPointer<UInt8>, to output: UnsafeMutablePointer<UInt8>) -> Int {
        guard let base = input.baseAddress else { return 0 }
        var written = 0
        var runStart = 0
        for index in 0..<input.count where !isUnreserved(input[index]) {
            let run = index - runStart
            if run > 0 { (output + written).update(from: base + runStart, count: run) }
            written += run
            let byte = input[index]
            output[written] = UInt8(ascii: "%")
            output[written + 1] = upperHex(byte >> 4)
            output[written + 2] = upperHex(byte & 0x0F)
            written += 3
            runStart = index + 1
        }
        let run = input.count - runStart
        if run > 0 { (output + written).update(from: base + runStart, count: run) }
        return written + run
    }

    private static func upperHex(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") + nibble - 10
    }

    /// Decodes `%XX` escapes (and `+` as a space when `plusIsSpace`, as in `application/x-www-form-urlencoded`).
    ///
    /// Returns nil for a truncated or non-hex escape, or when the decoded bytes are not valid UTF-8.
    package static func decode(_ string: Substring, plusIsSpace: Bool) -> String? {
        decode(bytes: string.utf8, plusIsSpace: plusIsSpace)
    }

    /// Decodes percent-encoded UTF-8 bytes; see the `Substring` overload.
    package static func decode(bytes input: some Collection<UInt8>, plusIsSpace: Bool) -> String? {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var bytes = input.makeIterator()
        while let byte = bytes.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = bytes.next().flatMap(hexValue), let low = bytes.next().flatMap(hexValue) else {
                    return nil
                }
                output.append(high << 4 | low)
            case UInt8(ascii: "+") where plusIsSpace:
                output.append(UInt8(ascii: " "))
            default:
                output.append(byte)
            }
        }
        return String(validating: output, as: UTF8.self)
    }

    /// Decodes a whole string; see the `Substring` overload.
    package static func decode(_ string: String, plusIsSpace: Bool) -> String? {
        decode(string[...], plusIsSpace: plusIsSpace)
    }

    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Whether `byte` is an unreserved character (`ALPHA DIGIT - . _ ~`), written as it is.
    @inline(__always)
    static func isUnreserved(_ byte: UInt8) -> Bool {
        // Bit `byte % 64` of the mask for `byte / 64`; bytes ≥ 128 are never unreserved.
        let masks: (UInt64, UInt64) = (0x03FF_6000_0000_0000, 0x47FF_FFFE_87FF_FFFE)
        switch byte >> 6 {
        case 0: return masks.0 >> UInt64(byte & 63) & 1 == 1
        case 1: return masks.1 >> UInt64(byte & 63) & 1 == 1
        default: return false
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
