/// Why a password could not be hashed or a stored hash could not be checked. Descriptions never quote the hash.
public enum PasswordHashError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stored value is not in any format this module knows.
    case unrecognizedFormat
    /// The stored value is a known kind of hash this module does not verify, e.g. `bcrypt` or `argon2`.
    case unsupportedAlgorithm(String)
    /// The stored value starts like a supported format (`scrypt` or `pbkdf2_sha256`) but does not follow it.
    case malformed(algorithm: String, problem: String)
    /// The stored value's parameters are outside the range this module accepts (too costly, or too weak to be real).
    case parametersOutOfRange(algorithm: String, problem: String)
    /// OpenSSL could not derive the hash (out of memory) or produce a salt.
    case hashingFailed

    /// A plain sentence for the operator.
    public var description: String {
        switch self {
        case .unrecognizedFormat:
            "the password hash is in an unrecognized format; expected scrypt$ln=…$r=…$p=…$SALT$HASH or "
                + "pbkdf2_sha256$ITERATIONS$SALT$HASH"
        case .unsupportedAlgorithm(let algorithm):
            "the password hash uses \(algorithm), which is not supported; supported: scrypt, pbkdf2_sha256 (Django)"
        case .malformed(let algorithm, let problem):
            "the \(algorithm) password hash is malformed: \(problem); copy the hash again from the system that made it"
        case .parametersOutOfRange(let algorithm, let problem):
            "the \(algorithm) password hash has parameters out of range: \(problem)"
        case .hashingFailed:
            "OpenSSL could not compute the password hash (out of memory, or no random bytes for its salt); try again"
        }
    }
}
