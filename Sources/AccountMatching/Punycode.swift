/// Punycode (RFC 3492): the Bootstring encoding IDNA uses to write a Unicode domain label in ASCII
/// (`bücher` ⇄ `bcher-kva`, shown in DNS as `xn--bcher-kva`).
///
/// Only the conversion lives here; ``Mailbox`` applies the `xn--` prefix and the label-by-label mapping.
public enum Punycode: Sendable {
    // RFC 3492 §5, parameter values for Punycode.
    private static let base: UInt32 = 36
    private static let tMin: UInt32 = 1
    private static let tMax: UInt32 = 26
    private static let skew: UInt32 = 38
    private static let damp: UInt32 = 700
    private static let initialBias: UInt32 = 72
    private static let initialN: UInt32 = 0x80
    private static let delimiter = UInt8(ascii: "-")

    /// The Punycode form of `text` (without the `xn--` prefix), or `nil` when the arithmetic would overflow.
    ///
    /// Basic (ASCII) code points are copied as they are, case included; the rest are encoded as deltas (RFC 3492 §6.3).
    public static func encode(_ text: String) -> String? {
        encode(scalars: text.unicodeScalars.map(\.value))
    }

    /// The text a Punycode string stands for, or `nil` when it is not valid Punycode (RFC 3492 §6.2).
    public static func decode(_ text: String) -> String? {
        guard let scalars = decode(bytes: Array(text.utf8)) else { return nil }
        var result = String.UnicodeScalarView()
        for value in scalars {
            guard let scalar = Unicode.Scalar(value) else { return nil }
            result.append(scalar)
        }
        return String(result)
    }

    static func encode(scalars input: [UInt32]) -> String? {
        var output: [UInt8] = input.filter { $0 < 0x80 }.map { UInt8($0) }
        let basicCount = UInt32(output.count)
        var handled = basicCount
        if basicCount > 0 { output.append(delimiter) }
        var n = initialN
        var delta: UInt32 = 0
        var bias = initialBias
        while handled < UInt32(input.count) {
            // The smallest code point not yet handled.
            guard let next = input.filter({ $0 >= n }).min() else { return nil }
            let (product, overflowProduct) = (next - n).multipliedReportingOverflow(by: handled + 1)
            let (sum, overflowSum) = delta.addingReportingOverflow(product)
            if overflowProduct || overflowSum { return nil }
            delta = sum
            n = next
            for scalar in input {
                if scalar < n {
                    let (incremented, overflow) = delta.addingReportingOverflow(1)
                    if overflow { return nil }
                    delta = incremented
                }
                guard scalar == n else { continue }
                var q = delta
                var k = base
                while true {
                    let t = threshold(k, bias: bias)
                    if q < t { break }
                    output.append(digit(t + (q - t) % (base - t)))
                    q = (q - t) / (base - t)
                    k += base
                }
                output.append(digit(q))
                bias = adapt(delta, points: handled + 1, first: handled == basicCount)
                delta = 0
                handled += 1
            }
            let (nextDelta, overflowDelta) = delta.addingReportingOverflow(1)
            if overflowDelta { return nil }
            delta = nextDelta
            n += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func decode(bytes input: [UInt8]) -> [UInt32]? {
        var output: [UInt32] = []
        var start = 0
        if let last = input.lastIndex(of: delimiter) {
            for byte in input[..<last] {
                guard byte < 0x80 else { return nil }
                output.append(UInt32(byte))
            }
            start = last + 1
        }
        var n = initialN
        var i: UInt32 = 0
        var bias = initialBias
        var position = start
        while position < input.count {
            let oldI = i
            var weight: UInt32 = 1
            var k = base
            while true {
                guard position < input.count, let value = digitValue(input[position]) else { return nil }
                position += 1
                let (product, overflowProduct) = value.multipliedReportingOverflow(by: weight)
                let (sum, overflowSum) = i.addingReportingOverflow(product)
                if overflowProduct || overflowSum { return nil }
                i = sum
                let t = threshold(k, bias: bias)
                if value < t { break }
                let (nextWeight, overflowWeight) = weight.multipliedReportingOverflow(by: base - t)
                if overflowWeight { return nil }
                weight = nextWeight
                k += base
            }
            let length = UInt32(output.count + 1)
            bias = adapt(i - oldI, points: length, first: oldI == 0)
            let (nextN, overflowN) = n.addingReportingOverflow(i / length)
            if overflowN || nextN > 0x10FFFF || (0xD800...0xDFFF).contains(nextN) { return nil }
            n = nextN
            i %= length
            output.insert(n, at: Int(i))
            i += 1
        }
        return output
    }

    private static func threshold(_ k: UInt32, bias: UInt32) -> UInt32 {
        if k <= bias { return tMin }
        if k >= bias + tMax { return tMax }
        return k - bias
    }

    /// RFC 3492 §6.1.
    private static func adapt(_ delta: UInt32, points: UInt32, first: Bool) -> UInt32 {
        var delta = first ? delta / damp : delta / 2
        delta += delta / points
        var k: UInt32 = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }

    /// 0…25 → `a`…`z`, 26…35 → `0`…`9`.
    private static func digit(_ value: UInt32) -> UInt8 {
        value < 26 ? UInt8(ascii: "a") + UInt8(value) : UInt8(ascii: "0") + UInt8(value - 26)
    }

    private static func digitValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return UInt32(byte - UInt8(ascii: "a"))
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return UInt32(byte - UInt8(ascii: "A"))
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0")) + 26
        default: return nil
        }
    }
}
