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
    /// control characters, one starting with `#`, or one holding a whole key as base64 (a key pasted where its id
    /// belongs, alone or beside other text); `KeyRingError.wrongKeyLength` unless `bytes` has 32 elements.
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

    /// Whether `other` holds the same key bytes, compared in constant time (``ConstantTime``).
    func hasSameBytes(as other: SecretKey) -> Bool {
        if self === other { return true }  // one mutex is not locked twice
        // Locked in a fixed order (by object identity), so two comparisons of the same keys cannot deadlock.
        let (first, second) = ObjectIdentifier(self) < ObjectIdentifier(other) ? (self, other) : (other, self)
        return first.withUnsafeBytes { firstBytes in
            second.withUnsafeBytes { secondBytes in
                ConstantTime.equals(firstBytes, secondBytes)
            }
        }
    }

    /// Why `id` is not a valid key id, or nil when it is.
    static func problem(withID id: String) -> KeyRingError.KeyIDProblem? {
        let count = id.utf8.count
        if count == 0 { return .empty }
        if count > 255 { return .tooLong(byteCount: count) }
        // Before anything that would quote the id (and before the `#` check, whose problem quotes it): a whole key
        // inside it (`KEY;prod` when `;` was typed for `,`, `#KEY:` from a commented-out line) is key material. Ids
        // that merely look random are accepted (ids in use must keep opening their values), but never quoted
        // (``mightHoldKeyMaterial(_:)``).
        if holdsWholeKey(id) { return .looksLikeKeyMaterial }
        // By its first byte, as a keys file tells a comment: `hasPrefix` compares characters, and `#` followed by a
        // combining mark (`"#\u{301}k2"`) is one character that is not `#`, so such an id was accepted (and written
        // by `keys generate`) while a keys file skipped its line as a comment.
        if id.utf8.first == UInt8(ascii: "#") { return .startsWithHash }
        var previous: Unicode.Scalar?
        for scalar in id.unicodeScalars {
            defer { previous = scalar }
            // Invisible characters (format characters such as a byte-order mark, zero-width spaces, bidi overrides,
            // and the other default-ignorable ones: variation selectors, the combining grapheme joiner, Hangul
            // fillers): `\u{FEFF}k2` prints as `k2` and is another id, under which values seal that no ring holding
            // the real `k2` opens. A text or emoji presentation selector right after an emoji that is not ASCII (`❤️`,
            // `☁️`) is how that emoji is written, and ids such as these worked before the rule: they are kept.
            if scalar == ":" || scalar == "," || scalar.properties.isWhitespace
                || scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format
                || (scalar.properties.isDefaultIgnorableCodePoint && !selectsEmojiPresentation(scalar, after: previous))
            {
                return .forbiddenCharacter
            }
        }
        return nil
    }

    /// Whether `scalar` is U+FE0E or U+FE0F (text or emoji presentation) right after `previous`, an emoji that is not
    /// ASCII (a digit, `#` and `*` are emoji too, as keycap bases: `k2` + U+FE0F still prints as `k2`).
    static func selectsEmojiPresentation(_ scalar: Unicode.Scalar, after previous: Unicode.Scalar?) -> Bool {
        guard scalar.value == 0xFE0E || scalar.value == 0xFE0F, let previous, !previous.isASCII else { return false }
        return previous.properties.isEmoji
    }

    /// Whether `id` holds a whole key as `keys generate` writes it: 44 characters of padded standard base64 that
    /// decode to 32 bytes, alone or beside other characters (`KEY k2`, `KEY;prod`), glued ones too (`prodKEY`,
    /// `KEYk2`, `KEY=`).
    static func holdsWholeKey(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && isBase64Character(bytes[end]) { end += 1 }
            // Every 44 characters of the run that end at a first `=` (a key is 43 characters and one `=`): glued to
            // letters, digits or another `=` before or after it, a key is still a key.
            var padding = start + 43
            while padding < end {
                if bytes[padding] == UInt8(ascii: "="), bytes[padding - 1] != UInt8(ascii: "="),
                    var decoded = Base64.decode(bytes[(padding - 43)...padding])
                {
                    defer { LibCrypto.cleanse(&decoded) }
                    if decoded.count == byteCount { return true }
                }
                padding += 1
            }
            start = end + 1
        }
        return false
    }

    /// Whether `id` may hold key material, so that no message quotes it: 32 or more characters in a row of base64
    /// (standard or urlsafe) or hex, such as a key cut short, unpadded or urlsafe. Ids like that are accepted, only
    /// not shown.
    package static func mightHoldKeyMaterial(_ id: String) -> Bool {
        var run = 0
        for byte in id.utf8 {
            run = isBase64Character(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") ? run + 1 : 0
            if run >= 32 { return true }
        }
        return false
    }

    private static func isBase64Character(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "+")
            || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=")
    }
}

extension SecretKey: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `SecretKey(id: "k1", <redacted>)`: never the key material.
    public var description: String { "SecretKey(id: \(KeyRingError.shown(id)), <redacted>)" }

    /// Same as `description`.
    public var debugDescription: String { description }

    /// A mirror with the id alone, so `dump` and debuggers show no key material.
    public var customMirror: Mirror {
        Mirror(self, children: ["id": KeyRingError.shownPlain(id)], displayStyle: .class)
    }
}
