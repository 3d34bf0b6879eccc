import Foundation

/// The public identifier of an account: a lowercase UUID, used in URLs, reports and the CLI.
public struct UserID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The lowercase UUID text, e.g. `1b4e28ba-2fa1-11d2-883f-0016d3cca427`.
    public let rawValue: String

    /// Reads `text` as a public id; `nil` unless it is a UUID (any case; kept lowercase).
    public init?(_ text: String) {
        guard text.utf8.count == 36, let uuid = UUID(uuidString: text) else { return nil }
        rawValue = uuid.uuidString.lowercased()
    }

    /// A new random (version 4) public id, from the system's secure generator (`getrandom` on Linux; Foundation's
    /// `UUID()` opens and reads `/dev/urandom` on every call there).
    public static func random() -> UserID {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 16)
        bytes.withUnsafeMutableBytes { buffer in
            buffer.storeBytes(of: generator.next() as UInt64, toByteOffset: 0, as: UInt64.self)
            buffer.storeBytes(of: generator.next() as UInt64, toByteOffset: 8, as: UInt64.self)
        }
        return random(fromBytes: bytes)
    }

    /// A random (version 4) public id made from the 16 bytes at `offset` in `bytes`, drawn from a secure generator,
    /// for callers that draw random bytes in bulk (`UUID()` reads `/dev/urandom` once per call on Linux).
    package static func random(fromBytes bytes: [UInt8], at offset: Int = 0) -> UserID {
        precondition(bytes.count - offset >= 16, "a UUID needs 16 random bytes")
        let text = String(unsafeUninitializedCapacity: 36) { output in
            let hex: StaticString = "0123456789abcdef"
            var position = 0
            for index in 0..<16 {
                var byte = bytes[offset + index]
                if index == 6 { byte = (byte & 0x0F) | 0x40 }
                if index == 8 { byte = (byte & 0x3F) | 0x80 }
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    output[position] = UInt8(ascii: "-")
                    position += 1
                }
                output[position] = hex.utf8Start[Int(byte >> 4)]
                output[position + 1] = hex.utf8Start[Int(byte & 0x0F)]
                position += 2
            }
            return position
        }
        return UserID(uncheckedRawValue: text)
    }

    /// Wraps text already known to be a lowercase UUID (read back from the store).
    package init(uncheckedRawValue: String) {
        rawValue = uncheckedRawValue
    }

    /// The public id as stored (`rawValue`).
    public var description: String { rawValue }

    /// Orders ids by their text.
    public static func < (lhs: UserID, rhs: UserID) -> Bool { lhs.rawValue < rhs.rawValue }
}
