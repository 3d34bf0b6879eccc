/// SHA-256 digests through the system OpenSSL (for checksums such as the migration history's; not for passwords).
public enum SHA256: Sendable {
    /// Length in bytes of a SHA-256 digest.
    public static let byteCount = 32

    /// The 32-byte SHA-256 digest of `bytes`.
    public static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        withBytes(of: bytes) { LibCrypto.sha256($0) }
    }

    /// The SHA-256 digest of `bytes` as 64 lowercase hexadecimal characters.
    public static func hexDigest(_ bytes: some Collection<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(2 * byteCount)
        for byte in hash(bytes) {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
