/// A Twitter (X) user id, kept exact: a 64-bit unsigned value, read and written as its decimal string (`id_str`).
///
/// Ids exceed 2^53, so a JSON number or a `Double` would lose precision; this type never goes through one.
public struct TwitterUserID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The numeric value.
    public let value: UInt64

    /// Wraps a numeric id.
    public init(_ value: UInt64) {
        self.value = value
    }

    /// Reads a canonical decimal string: digits only, no sign, no leading zero, at most 2^64−1.
    public init?(decimal text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 20, bytes.allSatisfy({ (48...57).contains($0) }) else { return nil }
        guard bytes.count == 1 || bytes[0] != UInt8(ascii: "0") else { return nil }
        guard let value = UInt64(String(decoding: bytes, as: UTF8.self)) else { return nil }
        self.value = value
    }

    /// Reads a canonical decimal string given as UTF-8 (as ``init(decimal:)`` reads its text), making no string: the
    /// store's bulk reads.
    package init?(decimalUTF8 bytes: UnsafeBufferPointer<UInt8>) {
        guard !bytes.isEmpty, bytes.count <= 20, bytes.count == 1 || bytes[0] != UInt8(ascii: "0") else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflow && !carry else { return nil }
            value = sum
        }
        self.value = value
    }

    /// The decimal string form (Twitter's `id_str`).
    public var decimalString: String { String(value) }

    /// The decimal string form (`decimalString`).
    public var description: String { decimalString }

    /// Orders ids numerically.
    public static func < (lhs: TwitterUserID, rhs: TwitterUserID) -> Bool { lhs.value < rhs.value }
}
