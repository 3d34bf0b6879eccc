internal import Synchronization

/// A 32-byte AES-256 key and its id; the bytes are zeroed when the last reference goes away.
///
/// `description`, `debugDescription` and the reflection mirror show only the id. The one way to see the key material
/// is `unredactedKeysFileLine()`, for `accounts keys generate`.
///
/// What the zeroing in `deinit` reaches: this object's own buffer, which no other array shares (the initializer copies
/// the caller's bytes into a fresh allocation). What it cannot reach: the caller's source bytes and strings (the
/// base64 text in an `ACCOUNTS_KEYS` value, the environment block of the process and any Foundation `String` or
/// `Data` temporaries someone made of them), copies the system made while paging or swapping, and the AES key schedule
/// inside OpenSSL, which lives only for one seal or open and is cleansed by `EVP_CIPHER_CTX_free`. Keys-file bytes and
/// decoded key buffers that `KeyRing.load` reads itself are zeroed after parsing.
public final class SecretKey: Sendable {
    /// Length of a key: 32 bytes (AES-256).
    public static let byteCount = 32

    /// The key id written into every value this key seals: 1–255 bytes of UTF-8.
    public let id: String

    /// The key bytes; a `Mutex` because `deinit` writes zeros over them, and a `let` of a class must stay Sendable.
    private let storage: Mutex<[UInt8]>

    /// A key from its id and 32 bytes.
    ///
    /// Throws `KeyRingError.invalidKeyID` for an empty id, one over 255 bytes, one containing `:`, `,`, whitespace or
    /// control characters, one starting with `#`, or one that is itself the base64 of 32 bytes (a key pasted where
    /// its id belongs); `KeyRingError.wrongKeyLength` unless `bytes` has 32 elements.
    public convenience init(id: String, bytes: some Collection<UInt8>) throws(KeyRingError) {
        try self.init(id: id, bytes: bytes, location: .program)
    }

    /// The initializer behind the public one, with the place the key came from for error messages.
    init(id: String, bytes: some Collection<UInt8>, location: KeyLocation) throws(KeyRingError) {
        if let problem = SecretKey.problem(withID: id) {
            throw .invalidKeyID(problem.mayShowID ? id : nil, problem: problem, location: location)
        }
        guard bytes.count == SecretKey.byteCount else {
            throw .wrongKeyLength(keyID: id, byteCount: bytes.count, location: location)
        }
        var own = [UInt8](repeating: 0, count: SecretKey.byteCount)
        own.withUnsafeMutableBytes { destination in
            withBytes(of: bytes) { source in
                destination.copyMemory(from: source)
            }
        }
        self.id = id
        self.storage = Mutex(own)
    }

    deinit {
        storage.withLock { bytes in
            LibCrypto.cleanse(&bytes)
        }
    }

    /// A new key of 32 random bytes.
    public static func generate(id: String) throws(KeyRingError) -> SecretKey {
        var bytes = SecureRandom.bytes(count: byteCount)
        defer { LibCrypto.cleanse(&bytes) }
        return try SecretKey(id: id, bytes: bytes)
    }

    /// The key as its keys-file line, `id:BASE64KEY`: this prints the secret, on purpose, for `accounts keys generate`
    /// and for writing a keys file. Nowhere else should key material leave the process.
    public func unredactedKeysFileLine() -> String {
        withUnsafeBytes { bytes in
            "\(id):\(Base64.encode(bytes))"
        }
    }

    /// Calls `body` with the key bytes, without copying them; do not let the pointer escape.
    package func withUnsafeBytes<Result: Sendable>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        storage.withLock { bytes in
            bytes.withUnsafeBytes(body)
        }
    }

    /// Why `id` is not a valid key id, or nil when it is.
    /// How many base64 characters in a row (letters of both cases and digits among them), or hex digits, make an id
    /// look like key material: a 32-byte key is 43–44 characters of base64, 64 of hex.
    static let keyLikeRun = 32

    static func problem(withID id: String) -> KeyRingError.KeyIDProblem? {
        let count = id.utf8.count
        if count == 0 { return .empty }
        if count > 255 { return .tooLong(byteCount: count) }
        if id.hasPrefix("#") { return .startsWithHash }
        // Before anything that would quote the id: a key pasted where its id belongs (`KEY:id`, a `;` for a `,`,
        // a urlsafe or hex key) holds a long run of random-looking base64 (upper and lower case letters and digits
        // mixed) or of hex digits. Ids are names such as `k1` or `2026_12_rotation_for_the_eu_region`.
        var run = (length: 0, upper: false, lower: false, digit: false)
        var hexRun = 0
        for byte in id.utf8 {
            let upper = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")
            let lower = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")
            let digit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            let symbol =
                byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=")
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            if upper || lower || digit || symbol {
                run = (run.length + 1, run.upper || upper, run.lower || lower, run.digit || digit)
            } else {
                run = (0, false, false, false)
            }
            let hex =
                digit || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
            hexRun = hex ? hexRun + 1 : 0
            if (run.length >= keyLikeRun && run.upper && run.lower && run.digit) || hexRun >= keyLikeRun {
                return .looksLikeKeyMaterial
            }
        }
        for scalar in id.unicodeScalars {
            if scalar == ":" || scalar == "," || scalar.properties.isWhitespace
                || scalar.properties.generalCategory == .control
            {
                return .forbiddenCharacter
            }
        }
        if count == 44, var decoded = Base64.decode(id.utf8) {
            defer { LibCrypto.cleanse(&decoded) }
            if decoded.count == byteCount { return .looksLikeKeyMaterial }
        }
        return nil
    }
}

extension SecretKey: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `SecretKey(id: "k1", <redacted>)`: never the key material.
    public var description: String { "SecretKey(id: \(String(reflecting: id)), <redacted>)" }

    /// Same as `description`.
    public var debugDescription: String { description }

    /// A mirror with the id alone, so `dump` and debuggers show no key material.
    public var customMirror: Mirror { Mirror(self, children: ["id": id], displayStyle: .class) }
}
