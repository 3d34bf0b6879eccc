extension PasswordHasher {
    /// Checks, without a password, that `encoded` is a stored hash ``verify(password:against:)`` can read: ours
    /// (`scrypt$ln=…$r=…$p=…$SALT$HASH`) or Django's (`pbkdf2_sha256$ITERATIONS$SALT$HASH`), with parameters in range.
    ///
    /// For importing hashes made elsewhere. Throws what is wrong; the error never quotes the value.
    public static func validateFormat(_ encoded: String) throws(PasswordHashError) {
        let fields = encoded.split(separator: "$", omittingEmptySubsequences: false)
        switch try scheme(of: fields) {
        case .scrypt: _ = try parseScrypt(fields)
        case .django: _ = try parseDjango(fields)
        }
    }
}
