extension PasswordHasher {
    /// Most PBKDF2 iterations accepted from a stored Django hash (Django 5.2 uses 1,000,000; about 0.3 s here).
    static let maximumDjangoIterations = 10_000_000

    /// Verifies Django's `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>` (PBKDF2-HMAC-SHA256, 32 bytes, the salt's
    /// UTF-8 bytes as salt); a match always needs rehashing to scrypt.
    static func verifyDjango(password: String, fields: [Substring]) throws(PasswordHashError) -> PasswordVerification {
        let (iterations, salt, expected) = try parseDjango(fields)
        guard
            let derived = derivePBKDF2SHA256(
                password: password.utf8, salt: salt.utf8, iterations: UInt32(iterations), length: 32)
        else {
            throw .hashingFailed
        }
        return ConstantTime.equals(derived, expected) ? .valid(needsRehash: true) : .invalid
    }

    /// The iteration count, salt and hash of a stored `pbkdf2_sha256$…` value split at `$`; throws what is wrong.
    static func parseDjango(
        _ fields: [Substring]
    ) throws(PasswordHashError) -> (iterations: Int, salt: Substring, hash: [UInt8]) {
        let algorithm = "pbkdf2_sha256"
        guard fields.count == 4 else {
            throw .malformed(algorithm: algorithm, problem: "expected 4 fields separated by '$', found \(fields.count)")
        }
        guard let iterations = decimal(fields[1], maximumDigits: maximumParameterDigits) else {
            throw .malformed(algorithm: algorithm, problem: "the iteration count is not a decimal number")
        }
        guard (1...maximumDjangoIterations).contains(iterations) else {
            throw .parametersOutOfRange(
                algorithm: algorithm,
                problem: "\(shownParameter(iterations)) iterations is outside 1…\(maximumDjangoIterations)")
        }
        guard !fields[2].isEmpty else { throw .malformed(algorithm: algorithm, problem: "the salt is empty") }
        guard let expected = Base64.decode(fields[3].utf8) else {
            throw .malformed(algorithm: algorithm, problem: "the hash is not valid base64")
        }
        guard expected.count == 32 else {
            throw .malformed(algorithm: algorithm, problem: "the hash is \(expected.count) bytes, not 32")
        }
        return (iterations, fields[2], expected)
    }

    /// Raw PBKDF2-HMAC-SHA256 (for tests and benchmarks); nil if OpenSSL fails.
    package static func derivePBKDF2SHA256(
        password: some Collection<UInt8>, salt: some Collection<UInt8>, iterations: UInt32, length: Int
    ) -> [UInt8]? {
        withBytes(of: password) { password in
            withBytes(of: salt) { salt in
                LibCrypto.pbkdf2SHA256(password: password, salt: salt, iterations: iterations, length: length)
            }
        }
    }
}
