/// Why a sealed value did not open: exactly these three ways, and never with more detail than this.
public enum OpenError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The value names a key id that is not in the key ring (the key was removed too early, or the ring is wrong).
    case unknownKeyID(String)
    /// The value is not in the sealed format: an unknown format version, an invalid header, or too short.
    case malformed
    /// The tag did not verify: the value was altered, or it was sealed for another row or purpose (GCM cannot tell
    /// these apart), or a different key carries the same id.
    case authenticationFailed

    /// A plain sentence for the operator.
    public var description: String {
        switch self {
        case .unknownKeyID(let id):
            "the sealed value was sealed with key \(KeyRingError.shown(id)), which is not in the key ring (a keys file "
                + "is read again when it changes; keys in ACCOUNTS_KEYS only when the process starts)"
        case .malformed:
            "the sealed value is malformed (unknown format version, bad header, or truncated)"
        case .authenticationFailed:
            "the sealed value failed authentication: it was altered, it belongs to another row or purpose, or the key "
                + "ring's key under its id is not the key that sealed it (a key made again under an old id)"
        }
    }
}
