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
}
