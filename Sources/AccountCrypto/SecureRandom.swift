/// Cryptographically secure random bytes from OpenSSL's generator (RAND_bytes).
public enum SecureRandom: Sendable {
    /// Returns `count` random bytes.
    ///
    /// OpenSSL 3 seeds itself from the operating system and does not fail once seeded, so a failure here means the
    /// process cannot produce secrets safely: it stops with `fatalError` rather than hand back predictable bytes.
    public static func bytes(count: Int) -> [UInt8] {
        guard let bytes = LibCrypto.randomBytes(count: count) else {
            fatalError("OpenSSL RAND_bytes failed: no secure random bytes are available")
        }
        return bytes
    }

    /// `count` random bytes as `2 × count` lowercase hexadecimal digits: session ids, CSRF tokens, reset tokens.
    public static func hexString(count: Int) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(2 * count)
        for byte in bytes(count: count) {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
