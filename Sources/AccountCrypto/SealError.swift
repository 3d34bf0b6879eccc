/// Why sealing failed; none of these happen in normal operation.
public enum SealError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The plaintext is larger than the 2 GiB that one OpenSSL call can encrypt.
    case plaintextTooLarge(byteCount: Int)
    /// OpenSSL could not produce a random nonce.
    case randomUnavailable
    /// OpenSSL failed to encrypt.
    case encryptionFailed

    /// A plain sentence for the operator.
    public var description: String {
        switch self {
        case .plaintextTooLarge(let byteCount):
            "cannot seal \(byteCount) bytes: a sealed value holds at most \(Int32.max) bytes"
        case .randomUnavailable:
            "cannot seal: OpenSSL could not produce a random nonce; check the system's random source (getrandom, "
                + "/dev/urandom), then try again"
        case .encryptionFailed:
            "cannot seal: OpenSSL AES-256-GCM encryption failed; try again, and if it recurs check the OpenSSL "
                + "library the process loads"
        }
    }
}
