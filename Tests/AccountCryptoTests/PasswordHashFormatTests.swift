import AccountCrypto
import Testing

/// `PasswordHasher.validateFormat` reads a stored hash without a password: what `verify` would accept, it accepts;
/// what `verify` would refuse as unreadable, it refuses the same way.
struct PasswordHashFormatTests {
    static let hasher = PasswordHasher(parameters: .init(log2N: 4, r: 8, p: 1))

    @Test func acceptsOurHashesAndDjangos() throws {
        try PasswordHasher.validateFormat(try Self.hasher.hash(password: "pw"))
        try PasswordHasher.validateFormat(
            "pbkdf2_sha256$1000000$lVmtlpgxpubYPgU2pQlWmm$yQkjjJBu4KZk7Wi0VmcOqgFx8+t43oPnbAalH3UM1Hk=")
    }

    @Test(arguments: [
        ("", PasswordHashError.unrecognizedFormat),
        ("hunter2", .unrecognizedFormat),
        ("$2b$12$abcdefghijklmnopqrstuuOyKxZ1d2Xq6cFk8wd8mRqX3t8P6s1a", .unsupportedAlgorithm("2b")),
        ("argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", .unsupportedAlgorithm("argon2id")),
        (
            "scrypt$ln=15$r=8$p=1$c2FsdHNhbHQ=",
            .malformed(algorithm: "scrypt", problem: "expected 6 fields separated by '$', found 5")
        ),
        (
            "scrypt$ln=25$r=8$p=1$c2FsdHNhbHRzYWx0c2FsdA==$3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            .parametersOutOfRange(algorithm: "scrypt", problem: "ln=25 is outside 1…24")
        ),
        (
            "scrypt$ln=15$r=8$p=1$c2FsdA==$3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            .parametersOutOfRange(algorithm: "scrypt", problem: "a 4-byte salt is outside 8…64")
        ),
        // RFC 7914 wants N < 2^(16·r): OpenSSL refuses ln=16 with r=1, so verify could never read such a hash (it
        // was imported, and every sign-in with the right password then failed as a wrong one).
        (
            "scrypt$ln=16$r=1$p=1$c2FsdHNhbHRzYWx0c2FsdA==$3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            .parametersOutOfRange(
                algorithm: "scrypt",
                problem: "ln=16 with r=1 breaks scrypt's rule N < 2^(16·r) (RFC 7914), which OpenSSL enforces")
        ),
        (
            "pbkdf2_sha256$0$salt$aGFzaA==",
            .parametersOutOfRange(algorithm: "pbkdf2_sha256", problem: "0 iterations is outside 1…10000000")
        ),
        // A number too large is named as out of range, not called "not a decimal number" or a missing ln=N$r=N$p=N.
        (
            "pbkdf2_sha256$10000000000$salt$yQkjjJBu4KZk7Wi0VmcOqgFx8+t43oPnbAalH3UM1Hk=",
            .parametersOutOfRange(algorithm: "pbkdf2_sha256", problem: "10000000000 iterations is outside 1…10000000")
        ),
        (
            "scrypt$ln=15$r=10000$p=1$c2FsdHNhbHRzYWx0c2FsdA==$3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            .parametersOutOfRange(algorithm: "scrypt", problem: "r=10000 is outside 1…64")
        ),
        // A number too long to read is named by its length, not as 9223372036854775807, a number not in the hash
        // (until session 61)
        (
            "pbkdf2_sha256$999999999999999999999$salt$yQkjjJBu4KZk7Wi0VmcOqgFx8+t43oPnbAalH3UM1Hk=",
            .parametersOutOfRange(
                algorithm: "pbkdf2_sha256",
                problem: "(a number of more than 18 digits) iterations is outside 1…10000000")
        ),
        (
            "scrypt$ln=100000000000000000000$r=8$p=1$c2FsdHNhbHRzYWx0c2FsdA==$3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            .parametersOutOfRange(algorithm: "scrypt", problem: "ln=(a number of more than 18 digits) is outside 1…24")
        ),
        (
            "pbkdf2_sha256$1000$salt$aGFzaA==",
            .malformed(algorithm: "pbkdf2_sha256", problem: "the hash is 4 bytes, not 32")
        ),
    ])
    func refusesWhatVerifyCannotRead(encoded: String, expected: PasswordHashError) throws {
        #expect(throws: expected) { try PasswordHasher.validateFormat(encoded) }
        #expect(throws: expected) { _ = try Self.hasher.verify(password: "pw", against: encoded) }
    }

    /// Import refuses what would make every sign-in attempt cost seconds.
    @Test(arguments: [
        (
            "scrypt$ln=17$r=15$p=16$c2FsdHNhbHRzYWx0c2FsdA==$3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            PasswordHashError.parametersOutOfRange(
                algorithm: "scrypt",
                problem: "ln=17$r=15$p=16 costs N·r·p = 31457280, more than the 1048576 an imported hash may "
                    + "(4 times ln=15$r=8$p=1); every sign-in attempt would take seconds (import it anyway with "
                    + "allowsCostlyPasswordHashes: true (AccountReader) or allowingCostly: true "
                    + "(PasswordHasher.validateFormat))")
        ),
        (
            "pbkdf2_sha256$3000001$salt$yQkjjJBu4KZk7Wi0VmcOqgFx8+t43oPnbAalH3UM1Hk=",
            .parametersOutOfRange(
                algorithm: "pbkdf2_sha256",
                problem: "3000001 iterations is more than the 3000000 an imported hash may (Django 6.0 uses "
                    + "1,200,000); every sign-in attempt would take seconds (import it anyway with "
                    + "allowsCostlyPasswordHashes: true (AccountReader) or allowingCostly: true "
                    + "(PasswordHasher.validateFormat))")
        ),
    ])
    func refusesToImportHashesThatCostSecondsToCheck(encoded: String, expected: PasswordHashError) throws {
        #expect(throws: expected) { try PasswordHasher.validateFormat(encoded) }
        // A store's own export holding such hashes goes back in when the operator says so.
        try PasswordHasher.validateFormat(encoded, allowingCostly: true)
    }

    /// The largest N that r=1 allows (RFC 7914: N < 2^16) hashes and verifies.
    @Test func acceptsTheLargestNThatTheBlockSizeAllows() throws {
        let hasher = PasswordHasher(parameters: .init(log2N: 15, r: 1, p: 1))
        let encoded = try hasher.hash(password: "pw")
        try PasswordHasher.validateFormat(encoded)
        #expect(try hasher.verify(password: "pw", against: encoded) == .valid(needsRehash: false))
    }

    @Test func acceptsTheMostCostlyImportableHashes() throws {
        try PasswordHasher.validateFormat(
            "scrypt$ln=17$r=8$p=1$c2FsdHNhbHRzYWx0c2FsdA==$3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
        try PasswordHasher.validateFormat(
            "pbkdf2_sha256$3000000$salt$yQkjjJBu4KZk7Wi0VmcOqgFx8+t43oPnbAalH3UM1Hk=")
    }
}
