import Synchronization

/// Hashes passwords with scrypt (RFC 7914, OpenSSL `EVP_PBE_scrypt`) and verifies them, also accepting Django's
/// `pbkdf2_sha256` hashes so imported accounts can sign in (and are re-hashed then).
///
/// The stored format is `scrypt$ln=<log2 N>$r=<r>$p=<p>$<salt>$<hash>`, salt (16 random bytes) and hash (32 bytes)
/// in standard padded base64, e.g. `scrypt$ln=15$r=8$p=1$q2b0…==$3Zk…=`. Hashing takes about 100 ms and 32 MiB with
/// the recommended parameters: call it off the cooperative thread pool in servers.
///
/// ```swift
/// let hasher = PasswordHasher()
/// let stored = try hasher.hash(password: "correct horse battery staple")
/// if case .valid(let needsRehash) = try hasher.verify(password: attempt, against: stored) { … }
/// ```
public struct PasswordHasher: Sendable {
    /// scrypt cost parameters: N = 2^log2N, block size r, parallelism p.
    public struct Parameters: Sendable, Hashable, CustomStringConvertible {
        /// Base-2 logarithm of the CPU/memory cost N.
        public let log2N: Int
        /// Block size.
        public let r: Int
        /// Parallelism.
        public let p: Int

        /// Parameters for new hashes; traps (a programmer error) unless they fit `PasswordHasher.maximumMemory`,
        /// 1 ≤ log2N ≤ 24, 1 ≤ r ≤ 64, 1 ≤ p ≤ 16 and log2N < 16·r (RFC 7914's N < 2^(128·r/8)).
        public init(log2N: Int, r: Int, p: Int) {
            precondition(Self.problem(log2N: log2N, r: r, p: p) == nil, "scrypt parameters out of range")
            self.log2N = log2N
            self.r = r
            self.p = p
        }

        /// ln=15 (N=32768), r=8, p=1: 32 MiB and about 100 ms per hash on the project's 2-core machine (measured).
        public static let recommended = Parameters(log2N: 15, r: 8, p: 1)

        /// `ln=15$r=8$p=1`, as stored.
        public var description: String { "ln=\(log2N)$r=\(r)$p=\(p)" }

        /// N.
        var n: UInt64 { 1 << UInt64(log2N) }

        /// The memory OpenSSL needs for these parameters (its own formula: 128·r·(N+2) for V plus 128·r·p for B).
        var memoryBytes: UInt64 { Self.memoryBytes(log2N: log2N, r: r, p: p) }

        static func memoryBytes(log2N: Int, r: Int, p: Int) -> UInt64 {
            128 * UInt64(r) * ((1 << UInt64(log2N)) + 2) + 128 * UInt64(r) * UInt64(p)
        }

        /// Why these values are not accepted, or nil.
        static func problem(log2N: Int, r: Int, p: Int) -> String? {
            let shown = PasswordHasher.shownParameter
            guard (1...24).contains(log2N) else { return "ln=\(shown(log2N)) is outside 1…24" }
            guard (1...64).contains(r) else { return "r=\(shown(r)) is outside 1…64" }
            guard (1...16).contains(p) else { return "p=\(shown(p)) is outside 1…16" }
            // RFC 7914 §2: N < 2^(128·r/8). OpenSSL refuses anything else, so such a hash could never be verified.
            guard log2N < 16 * r else {
                return "ln=\(log2N) with r=\(r) breaks scrypt's rule N < 2^(16·r) (RFC 7914), which OpenSSL enforces"
            }
            guard memoryBytes(log2N: log2N, r: r, p: p) <= PasswordHasher.maximumMemory else {
                return "ln=\(log2N) with r=\(r) needs more than \(PasswordHasher.maximumMemory >> 20) MiB"
            }
            return nil
        }
    }

    /// The most memory one scrypt computation may use: 256 MiB (a stored hash asking for more is refused).
    public static let maximumMemory: UInt64 = 256 << 20

    /// Salt length of new hashes: 16 bytes.
    static let saltByteCount = 16

    /// Hash length of new hashes: 32 bytes.
    static let hashByteCount = 32

    /// The parameters of new hashes; stored hashes with other parameters verify but report `needsRehash`.
    public let parameters: Parameters

    /// A hasher that makes new hashes with `parameters`.
    public init(parameters: Parameters = .recommended) {
        self.parameters = parameters
    }

    /// For tests: verifications' derivations fail, as OpenSSL's does when it cannot allocate the memory
    /// (``PasswordHashError/hashingFailed``), every one once `passing` have been made (shared by the hasher's copies).
    package final class FailingDerivations: Sendable {
        private let passing: Int
        private let made = Atomic<Int>(0)

        package init(after passing: Int = 0) {
            self.passing = passing
        }

        /// Whether the next derivation fails (counting it).
        func nextFails() -> Bool {
            made.add(1, ordering: .sequentiallyConsistent).oldValue >= passing
        }
    }

    /// For tests: derivations that fail (``FailingDerivations``); `nil`, none.
    package var failingDerivationsForTests: FailingDerivations?

    /// A new scrypt hash of `password` (its UTF-8 bytes, unnormalised) with a fresh random salt.
    public func hash(password: String) throws(PasswordHashError) -> String {
        guard let salt = LibCrypto.randomBytes(count: Self.saltByteCount) else { throw .hashingFailed }
        guard
            let derived = Self.scrypt(
                password: password.utf8, salt: salt, parameters: parameters, length: Self.hashByteCount)
        else {
            throw .hashingFailed
        }
        return "scrypt$\(parameters)$\(Base64.encode(salt))$\(Base64.encode(derived))"
    }

    /// Checks `password` against a stored hash, ours (`scrypt$…`) or Django's (`pbkdf2_sha256$…`), comparing the
    /// derived bytes in constant time. Throws when the stored value cannot be read, and
    /// ``PasswordHashError/hashingFailed`` when OpenSSL could not derive the hash (out of memory): no answer either
    /// way; `.invalid` is a wrong password.
    public func verify(password: String, against encoded: String) throws(PasswordHashError) -> PasswordVerification {
        let fields = encoded.split(separator: "$", omittingEmptySubsequences: false)
        let scheme = try Self.scheme(of: fields)
        if failingDerivationsForTests?.nextFails() == true { throw .hashingFailed }
        switch scheme {
        case .scrypt:
            return try verifyScrypt(password: password, fields: fields)
        case .django:
            return try Self.verifyDjango(password: password, fields: fields)
        }
    }

    /// The stored formats ``verify(password:against:)`` reads.
    enum Scheme {
        case scrypt
        case django
    }

    /// Which supported format `fields` (a stored hash split at `$`) are in; throws for any other.
    static func scheme(of fields: [Substring]) throws(PasswordHashError) -> Scheme {
        switch fields.first {
        case "scrypt":
            return .scrypt
        case "pbkdf2_sha256":
            return .django
        case let algorithm?:
            let name = algorithm.isEmpty && fields.count > 1 ? fields[1] : algorithm  // modular crypt: $2b$…
            if knownUnsupportedAlgorithms.contains(String(name)) {
                throw .unsupportedAlgorithm(String(name))
            }
            throw .unrecognizedFormat
        case nil:
            throw .unrecognizedFormat
        }
    }

    /// Spends the time and memory of one verification with the current parameters and throws the result away: call it
    /// when the account does not exist, so an unknown account costs as much as a wrong password. `false` when the
    /// derivation failed as a real verification's would have (``PasswordHashError/hashingFailed``): answer as for an
    /// account whose password could not be checked, so that the answer does not tell which accounts exist.
    @discardableResult
    public func dummyVerify(password: String) -> Bool {
        let derived = Self.scrypt(
            password: password.utf8, salt: Self.dummySalt, parameters: parameters, length: Self.hashByteCount)
        _ = ConstantTime.equals(derived ?? [], Self.dummySalt + Self.dummySalt)
        return derived != nil && failingDerivationsForTests?.nextFails() != true
    }

    /// Other hashers' identifiers that get a named `unsupportedAlgorithm` error (anything else is `unrecognizedFormat`,
    /// so that a stray value, perhaps a password, is never echoed).
    static let knownUnsupportedAlgorithms: Set<String> = [
        "argon2", "argon2i", "argon2d", "argon2id", "bcrypt", "bcrypt_sha256", "pbkdf2_sha1", "md5", "sha1",
        "unsalted_md5", "unsalted_sha1", "crypt", "2a", "2b", "2y", "5", "6", "pbkdf2-sha256", "pbkdf2-sha512",
    ]

    /// A fixed salt for `dummyVerify`.
    static let dummySalt = [UInt8](repeating: 0x5a, count: saltByteCount)

    private func verifyScrypt(
        password: String, fields: [Substring]
    ) throws(PasswordHashError) -> PasswordVerification {
        let (stored, salt, expected) = try Self.parseScrypt(fields)
        guard let derived = Self.scrypt(password: password.utf8, salt: salt, parameters: stored, length: expected.count)
        else {
            throw .hashingFailed
        }
        guard ConstantTime.equals(derived, expected) else { return .invalid }
        let needsRehash =
            stored != parameters || salt.count < Self.saltByteCount || expected.count != Self.hashByteCount
        return .valid(needsRehash: needsRehash)
    }

    /// The parameters, salt and hash of a stored `scrypt$…` value split at `$`; throws what is wrong with it.
    static func parseScrypt(
        _ fields: [Substring]
    ) throws(PasswordHashError) -> (parameters: Parameters, salt: [UInt8], hash: [UInt8]) {
        let algorithm = "scrypt"
        guard fields.count == 6 else {
            throw .malformed(algorithm: algorithm, problem: "expected 6 fields separated by '$', found \(fields.count)")
        }
        guard let log2N = parameter("ln", in: fields[1]), let r = parameter("r", in: fields[2]),
            let p = parameter("p", in: fields[3])
        else {
            // Django's `ScryptPasswordHasher` writes `scrypt$N$salt$r$p$hash`: well formed, only not this format.
            if decimal(fields[1], maximumDigits: maximumParameterDigits) != nil,
                decimal(fields[3], maximumDigits: maximumParameterDigits) != nil,
                decimal(fields[4], maximumDigits: maximumParameterDigits) != nil
            {
                throw .unsupportedAlgorithm("scrypt in Django's format (scrypt$N$salt$r$p$hash)")
            }
            throw .malformed(algorithm: algorithm, problem: "expected ln=N$r=N$p=N after 'scrypt$'")
        }
        if let problem = Parameters.problem(log2N: log2N, r: r, p: p) {
            throw .parametersOutOfRange(algorithm: algorithm, problem: problem)
        }
        guard let salt = Base64.decode(fields[4].utf8), let expected = Base64.decode(fields[5].utf8) else {
            throw .malformed(algorithm: algorithm, problem: "the salt or hash is not valid base64")
        }
        guard (8...64).contains(salt.count) else {
            throw .parametersOutOfRange(algorithm: algorithm, problem: "a \(salt.count)-byte salt is outside 8…64")
        }
        guard (16...64).contains(expected.count) else {
            throw .parametersOutOfRange(algorithm: algorithm, problem: "a \(expected.count)-byte hash is outside 16…64")
        }
        return (Parameters(log2N: log2N, r: r, p: p), salt, expected)
    }

    /// The value of `name=digits`, or nil.
    private static func parameter(_ name: String, in field: Substring) -> Int? {
        let prefix = name + "="
        guard field.hasPrefix(prefix) else { return nil }
        return decimal(field.dropFirst(prefix.count), maximumDigits: maximumParameterDigits)
    }

    /// Most significant digits a stored parameter (ln, r, p, a PBKDF2 iteration count) is read with: far more than any
    /// accepted value needs, and always within an `Int`; a longer number reads as `Int.max`, refused as out of range.
    static let maximumParameterDigits = 18

    /// A parameter ``decimal(_:maximumDigits:)`` read, as a message shows it: a number too long to read (`Int.max`)
    /// as its length, not as a number the stored hash does not hold.
    static func shownParameter(_ value: Int) -> String {
        value == Int.max ? "(a number of more than \(maximumParameterDigits) digits)" : "\(value)"
    }

    /// A non-negative decimal of ASCII digits, or nil; one of more than `maximumDigits` digits (leading zeros aside)
    /// is `Int.max`, so that a range check refuses it as too large rather than as "not a number".
    static func decimal(_ text: Substring, maximumDigits: Int) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return nil
        }
        let significant = text.drop(while: { $0 == "0" })
        guard significant.utf8.count <= maximumDigits else { return Int.max }
        return significant.isEmpty ? 0 : Int(significant)
    }

    /// scrypt with memory limit set from the parameters; nil if OpenSSL fails.
    static func scrypt(
        password: some Collection<UInt8>, salt: [UInt8], parameters: Parameters, length: Int
    ) -> [UInt8]? {
        deriveScrypt(
            password: password, salt: salt, n: parameters.n, r: UInt64(parameters.r), p: UInt64(parameters.p),
            maxMemory: parameters.memoryBytes, length: length)
    }

    /// Raw scrypt over any parameters OpenSSL accepts, with an explicit memory limit (RFC 7914 vectors, benchmarks).
    package static func deriveScrypt(
        password: some Collection<UInt8>, salt: [UInt8], n: UInt64, r: UInt64, p: UInt64, maxMemory: UInt64,
        length: Int
    ) -> [UInt8]? {
        withBytes(of: password) { password in
            salt.withUnsafeBytes { salt in
                LibCrypto.scrypt(password: password, salt: salt, n: n, r: r, p: p, maxMemory: maxMemory, length: length)
            }
        }
    }
}
