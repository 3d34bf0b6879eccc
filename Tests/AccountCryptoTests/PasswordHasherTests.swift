import AccountCrypto
import Foundation
import Testing

struct PasswordHasherTests {
    /// Cheap parameters so the behaviour tests run fast; the recommended ones are tested once.
    let hasher = PasswordHasher(parameters: .init(log2N: 10, r: 8, p: 1))

    // MARK: scrypt vectors

    struct ScryptVector: Sendable, CustomTestStringConvertible {
        let number: Int
        let password: String
        let salt: String
        let n: UInt64
        let r: UInt64
        let p: UInt64
        let derived: String
        var testDescription: String { "RFC 7914 §12 vector \(number)" }
    }

    /// RFC 7914 §12, "Test Vectors for scrypt": https://www.rfc-editor.org/rfc/rfc7914#section-12
    static let scryptVectors: [ScryptVector] = [
        ScryptVector(
            number: 1, password: "", salt: "", n: 16, r: 1, p: 1,
            derived: """
                77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442\
                fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906
                """),
        ScryptVector(
            number: 2, password: "password", salt: "NaCl", n: 1024, r: 8, p: 16,
            derived: """
                fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162\
                2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640
                """),
        ScryptVector(
            number: 3, password: "pleaseletmein", salt: "SodiumChloride", n: 16384, r: 8, p: 1,
            derived: """
                7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2\
                d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887
                """),
    ]

    @Test(arguments: scryptVectors)
    func scryptMatchesRFC7914(_ vector: ScryptVector) {
        let derived = PasswordHasher.deriveScrypt(
            password: vector.password.utf8, salt: Array(vector.salt.utf8), n: vector.n, r: vector.r, p: vector.p,
            maxMemory: 64 << 20, length: 64)
        #expect(derived.map { hex($0) } == vector.derived)
    }

    /// RFC 7914 §12 vector 4 needs N = 2^20, r = 8: 1 GiB of memory and about 5 s here, so it runs only when
    /// ACCOUNTS_SLOW_TESTS=1 (it passed when run that way on the project's machine).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["ACCOUNTS_SLOW_TESTS"] == "1", "needs 1 GiB and ~5 s"))
    func scryptMatchesRFC7914Vector4() {
        let derived = PasswordHasher.deriveScrypt(
            password: "pleaseletmein".utf8, salt: Array("SodiumChloride".utf8), n: 1 << 20, r: 8, p: 1,
            maxMemory: (1 << 30) + (2 << 20), length: 64)
        #expect(
            derived.map { hex($0) }
                == """
                2101cb9b6a511aaeaddbbe09cf70f881ec568d574a2ffd4dabe5ee9820adaa47\
                8e56fd8f4ba5d09ffa1c6d927c40f4c337304049e8a952fbcbf45c6fa77a41a4
                """)
    }

    // MARK: Our format

    @Test func hashesInTheDocumentedFormat() throws {
        // When
        let encoded = try hasher.hash(password: "hunter2")

        // Then: scrypt$ln=10$r=8$p=1$<16-byte salt>$<32-byte hash>
        let fields = encoded.split(separator: "$", omittingEmptySubsequences: false)
        #expect(fields.count == 6)
        #expect(fields[0...3] == ["scrypt", "ln=10", "r=8", "p=1"])
        #expect(Base64.decode(fields[4].utf8)?.count == 16)
        #expect(Base64.decode(fields[5].utf8)?.count == 32)
        let holdsPassword = encoded.contains("hunter2")
        #expect(!holdsPassword, "the hash holds the password")
    }

    @Test func recommendedParametersRoundTrip() throws {
        // Given
        let hasher = PasswordHasher()

        // When
        let encoded = try hasher.hash(password: "correct horse battery staple")

        // Then
        #expect(encoded.hasPrefix("scrypt$ln=15$r=8$p=1$"))
        #expect(
            try hasher.verify(password: "correct horse battery staple", against: encoded) == .valid(needsRehash: false))
        #expect(try hasher.verify(password: "correct horse battery stapler", against: encoded) == .invalid)
    }

    @Test func saltsEachHash() throws {
        #expect(try hasher.hash(password: "same") != hasher.hash(password: "same"))
    }

    @Test(arguments: ["", "a", "pässwörd ✓ 密码", String(repeating: "long", count: 1000)])
    func verifiesWhatItHashed(_ password: String) throws {
        let encoded = try hasher.hash(password: password)
        #expect(try hasher.verify(password: password, against: encoded) == .valid(needsRehash: false))
        #expect(try hasher.verify(password: password + "x", against: encoded) == .invalid)
    }

    @Test func comparesPasswordsByExactUTF8() throws {
        let encoded = try hasher.hash(password: "caf\u{e9}")
        #expect(try hasher.verify(password: "cafe\u{301}", against: encoded) == .invalid)
    }

    @Test func otherParametersNeedRehash() throws {
        // Given: hashes made with weaker and with stronger parameters than the hasher's
        let weaker = try PasswordHasher(parameters: .init(log2N: 9, r: 8, p: 1)).hash(password: "pw")
        let stronger = try PasswordHasher(parameters: .init(log2N: 10, r: 8, p: 2)).hash(password: "pw")

        // Then
        #expect(try hasher.verify(password: "pw", against: weaker) == .valid(needsRehash: true))
        #expect(try hasher.verify(password: "pw", against: stronger) == .valid(needsRehash: true))
        #expect(try hasher.verify(password: "nope", against: weaker) == .invalid)
    }

    @Test func aFlippedHashBitIsInvalid() throws {
        // Given
        let encoded = try hasher.hash(password: "pw")
        var fields = encoded.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        var derived = try #require(Base64.decode(fields[5].utf8))
        derived[31] ^= 0x01
        fields[5] = Base64.encode(derived)

        // Then
        #expect(try hasher.verify(password: "pw", against: fields.joined(separator: "$")) == .invalid)
    }

    // MARK: Django

    /// Made by Django 5.2.19's default PBKDF2PasswordHasher with Scripts/make-django-hash.py (password, hash).
    static let djangoHashes: [(String, String)] = [
        (
            "correct horse battery staple",
            "pbkdf2_sha256$1000000$lVmtlpgxpubYPgU2pQlWmm$yQkjjJBu4KZk7Wi0VmcOqgFx8+t43oPnbAalH3UM1Hk="
        ),
        (
            "pässwörd ✓ 密码",
            "pbkdf2_sha256$1000000$FAf9HbjP9dS0AeyeZexWFz$EotdC4gSps2QG01Uz0d3A8UEpOtMrFAOPtYx2jR5ZTo="
        ),
    ]

    @Test(arguments: djangoHashes)
    func verifiesDjangoHashesAndAsksForRehash(_ password: String, _ encoded: String) throws {
        #expect(try hasher.verify(password: password, against: encoded) == .valid(needsRehash: true))
    }

    @Test func refusesAWrongPasswordForADjangoHash() throws {
        let encoded = Self.djangoHashes[0].1
        #expect(try hasher.verify(password: "correct horse battery stapler", against: encoded) == .invalid)
    }

    /// RFC 7914 §11, "Test Vectors for PBKDF2 with HMAC-SHA256": https://www.rfc-editor.org/rfc/rfc7914#section-11
    @Test func pbkdf2MatchesRFC7914() {
        let derived = PasswordHasher.derivePBKDF2SHA256(
            password: "passwd".utf8, salt: "salt".utf8, iterations: 1, length: 64)
        #expect(
            derived.map { hex($0) }
                == """
                55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc\
                49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783
                """)
    }

    // MARK: Unreadable hashes

    @Test(arguments: [
        ("", PasswordHashError.unrecognizedFormat),
        ("hunter2", .unrecognizedFormat),
        ("sha256$abc$def", .unrecognizedFormat),
        ("$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW", .unsupportedAlgorithm("2b")),
        ("argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdA$aGFzaA", .unsupportedAlgorithm("argon2")),
        ("bcrypt_sha256$$2b$12$abc", .unsupportedAlgorithm("bcrypt_sha256")),
        (
            "scrypt$ln=10$r=8$p=1$c2FsdHNhbHQ=",
            .malformed(
                algorithm: "scrypt", problem: "expected 6 fields separated by '$', found 5")
        ),
        (
            "scrypt$16384$salt$8$1$aGFzaA==",
            .unsupportedAlgorithm("scrypt in Django's format (scrypt$N$salt$r$p$hash)")
        ),
        (
            "scrypt$ln=x$r=8$p=1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==",
            .malformed(
                algorithm: "scrypt", problem: "expected ln=N$r=N$p=N after 'scrypt$'")
        ),
        (
            "scrypt$ln=30$r=8$p=1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==",
            .parametersOutOfRange(
                algorithm: "scrypt", problem: "ln=30 is outside 1…24")
        ),
        (
            "scrypt$ln=20$r=8$p=1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==",
            .parametersOutOfRange(
                algorithm: "scrypt", problem: "ln=20 with r=8 needs more than 256 MiB")
        ),
        (
            "scrypt$ln=10$r=8$p=1$c2FsdA!=$aGFzaGhhc2hoYXNoaGFzaA==",
            .malformed(
                algorithm: "scrypt", problem: "the salt or hash is not valid base64")
        ),
        (
            "scrypt$ln=10$r=8$p=1$c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==",
            .parametersOutOfRange(
                algorithm: "scrypt", problem: "a 4-byte salt is outside 8…64")
        ),
        (
            "pbkdf2_sha256$1000000$salt",
            .malformed(
                algorithm: "pbkdf2_sha256", problem: "expected 4 fields separated by '$', found 3")
        ),
        (
            "pbkdf2_sha256$-5$salt$aGFzaA==",
            .malformed(
                algorithm: "pbkdf2_sha256", problem: "the iteration count is not a decimal number")
        ),
        (
            "pbkdf2_sha256$0$salt$aGFzaA==",
            .parametersOutOfRange(
                algorithm: "pbkdf2_sha256", problem: "0 iterations is outside 1…10000000")
        ),
        (
            "pbkdf2_sha256$1000$salt$aGFzaA==",
            .malformed(
                algorithm: "pbkdf2_sha256", problem: "the hash is 4 bytes, not 32")
        ),
        (
            "pbkdf2_sha256$1000$$yQkjjJBu4KZk7Wi0VmcOqgFx8+t43oPnbAalH3UM1Hk=",
            .malformed(
                algorithm: "pbkdf2_sha256", problem: "the salt is empty")
        ),
    ])
    func unreadableHashesThrowWithoutEchoingThem(_ encoded: String, _ expected: PasswordHashError) throws {
        // When
        let error = try #require(throws: PasswordHashError.self) { try hasher.verify(password: "pw", against: encoded) }

        // Then
        #expect(error == expected)
        if encoded.count > 8 {
            let echoesHash = String(describing: error).contains(encoded)
            let echoesSalt = String(describing: error).contains("c2FsdHNhbHQ")
            #expect(!echoesHash, "the unreadable hash is in the error's description")
            #expect(!echoesSalt, "the hash's salt is in the error's description")
        }
    }

    // MARK: Timing

    @Test func dummyVerifyCostsAboutAsMuchAsAVerify() throws {
        // Given
        let hasher = PasswordHasher(parameters: .init(log2N: 13, r: 8, p: 1))
        let encoded = try hasher.hash(password: "pw")

        // When: CPU time of this thread (scrypt runs on the calling thread), so that other tests running at the same
        // time cannot make one side look slow; best of three, interleaved.
        var verify = Double.infinity
        var dummy = Double.infinity
        for _ in 0..<3 {
            verify = min(verify, try threadCPUSeconds { _ = try hasher.verify(password: "wrong", against: encoded) })
            dummy = min(dummy, threadCPUSeconds { hasher.dummyVerify(password: "wrong") })
        }

        // Then: within a factor of two either way
        #expect(dummy > verify / 2)
        #expect(dummy < verify * 2)
    }
}

/// The CPU time the calling thread spends in `body`, in seconds.
private func threadCPUSeconds(_ body: () throws -> Void) rethrows -> Double {
    func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
    let start = now()
    try body()
    return now() - start
}
