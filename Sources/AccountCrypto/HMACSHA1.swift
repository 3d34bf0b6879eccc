/// HMAC-SHA1 (RFC 2104), as OAuth 1.0a's `HMAC-SHA1` signature method needs it.
public enum HMACSHA1: Sendable {
    /// Length in bytes of an HMAC-SHA1 authentication code.
    public static let byteCount = 20

    /// Returns the 20-byte HMAC-SHA1 of `message` under `key` (any length of key; long keys are hashed first).
    ///
    /// ```swift
    /// let mac = HMACSHA1.authenticationCode(key: Array("secret".utf8), message: Array("text".utf8))
    /// ```
    public static func authenticationCode(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        withBytes(of: key) { keyBuffer in
            withBytes(of: message) { messageBuffer in
                LibCrypto.hmacSHA1(key: keyBuffer, message: messageBuffer)
            }
        }
    }
}
