/// FNV-1a, 64-bit: a fixed, process-independent hash (Swift's `Hasher` is seeded per process), used for blocking keys
/// and cluster ids so both are the same from run to run.
struct FNV1a: Sendable {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func combine(_ byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }

    mutating func combine(bytes: some Sequence<UInt8>) {
        for byte in bytes { combine(byte) }
    }

    mutating func combine(_ number: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { combine(UInt8(truncatingIfNeeded: number >> UInt32(shift))) }
    }

    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hasher = FNV1a()
        for byte in bytes { hasher.combine(byte) }
        return hasher.value == 0 ? 1 : hasher.value
    }

    /// The hash of `text`'s UTF-8 bytes.
    static func hash(_ text: String) -> UInt64 {
        var text = text
        return text.withUTF8 { hash($0) }
    }

    static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hasher = FNV1a()
        hasher.combine(bytes: bytes)
        // Never 0: 0 marks "no value" in the feature tables.
        return hasher.value == 0 ? 1 : hasher.value
    }
}
