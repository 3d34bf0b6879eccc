/// The secret keys this process knows, in order: the first seals, all of them open.
///
/// Sealed values are `0x01` (format version) ‖ key-id length (1 byte) ‖ key id (UTF-8) ‖ 12-byte random nonce ‖
/// ciphertext ‖ 16-byte AES-256-GCM tag, bound to a purpose and a row key through the associated data (see
/// `KeyRing+Sealing.swift`).
///
/// ```swift
/// let ring = try KeyRing.load(keysFile: options.keysFile, environment: ProcessInfo.processInfo.environment)
/// let blob = try ring.seal(Array(secret.utf8), purpose: .twitterCredential, rowKey: twitterUserID)
/// let secret = try ring.open(blob, purpose: .twitterCredential, rowKey: twitterUserID)
/// ```
public struct KeyRing: Sendable {
    /// The keys, sealing key first; never empty, ids unique.
    let keys: [SecretKey]

    /// The UTF-8 bytes of each key's id, in the order of `keys`: `open` matches a sealed value's header against them.
    let keyIDBytes: [[UInt8]]

    /// The keys file this ring was read from, which it follows (``KeysFileFollower``): `nil` for keys given otherwise.
    let follower: KeysFileFollower?

    /// A ring of `keys`, the first of which seals; throws `.noKeys` for an empty list, `.duplicateKeyID` for a repeated
    /// id and `.equivalentKeyIDs` for two ids that are the same text in different Unicode forms.
    ///
    /// One key under two ids is accepted here (a test of the header binding needs it); ``load(keysFile:environment:)``,
    /// which reads what people write, refuses it.
    public init(keys: [SecretKey]) throws(KeyRingError) {
        guard !keys.isEmpty else { throw .noKeys }
        try Self.checkIDs(of: keys.map { ($0, KeyLocation.program) })
        self.init(checkedKeys: keys)
    }

    /// A ring of `keys`, already checked by ``checkIDs(of:)``.
    init(checkedKeys keys: [SecretKey], follower: KeysFileFollower? = nil) {
        self.keys = keys
        self.keyIDBytes = keys.map { Array($0.id.utf8) }
        self.follower = follower
    }

    /// Tells `reporter` of each version of the keys file this ring follows read from now on (its keys taken, or the
    /// file refused and why), once per version, beside any reporter set before (every store opened on the ring
    /// sets one), until the reporting returned ends or is released; `nil` for a ring not read from a file.
    package func reportFileChanges(
        to reporter: @escaping @Sendable (KeysFileChange) -> Void
    ) -> KeysFileReporting? {
        follower?.report(to: reporter)
    }

    /// The keys as they are now: those of the keys file as last read (``KeysFileFollower``), else this ring's own.
    var current: KeyRing { follower?.current ?? self }

    /// The keys as they are now, not following the keys file any more: for work that must seal under one key
    /// throughout (a rewrap), whatever the file says meanwhile. The file is looked at now (a `stat`, and a read when
    /// it changed), not at the follower's next interval: a rewrap begun right after the file changed targets its new
    /// first key.
    package var snapshot: KeyRing { follower?.rereadNow() ?? self }

    /// When every process following the keys file this ring follows has seen the file as it is now: its last change
    /// (status-change time) plus the interval at which a follower looks at the file again, in seconds since 1970;
    /// until then one may still seal under the keys it read before. `nil` for a ring that follows no file, or when
    /// the file cannot be read.
    package var followersSeeTheFileBy: Double? {
        guard let follower, let identity = KeysFileFollower.identity(ofFileAt: follower.path) else { return nil }
        let (seconds, attoseconds) = follower.recheckInterval.components
        return Double(identity.changedSeconds) + Double(identity.changedNanoseconds) / 1e9 + Double(seconds)
            + Double(attoseconds) / 1e18 + follower.changeTimeShift
    }

    /// The interval at which a follower of the keys file this ring follows looks at the file again; `nil` for a ring
    /// that follows no file.
    package var followersRecheckInterval: Duration? { follower?.recheckInterval }

    /// Refuses two keys whose ids are equal as Swift strings, blaming the later entry: `.duplicateKeyID` when the ids
    /// are the same bytes, `.equivalentKeyIDs` when they are the same text in different Unicode forms (they print
    /// alike, so no one could tell which of the two a value is sealed under).
    static func checkIDs(of keys: [(key: SecretKey, location: KeyLocation)]) throws(KeyRingError) {
        for (index, (key, location)) in keys.enumerated() {
            // `==` on strings is Unicode canonical equivalence: it holds for byte-equal ids and for equivalent ones;
            // without presentation selectors it holds too for `😀` and `😀` + U+FE0F, which print alike.
            for (earlier, earlierLocation) in keys[..<index]
            where earlier.id == key.id
                || withoutPresentationSelectors(earlier.id) == withoutPresentationSelectors(key.id)
            {
                guard sameKeyID(earlier.id, key.id) else {
                    throw .equivalentKeyIDs(
                        key.id, location: location, earlierID: earlier.id, earlierLocation: earlierLocation)
                }
                throw .duplicateKeyID(key.id, location: location)
            }
        }
    }

    /// `id` without U+FE0E and U+FE0F, which an id keeps only right after an emoji (where either may print as the
    /// emoji would without it).
    static func withoutPresentationSelectors(_ id: String) -> String {
        guard id.unicodeScalars.contains(where: { $0.value == 0xFE0E || $0.value == 0xFE0F }) else { return id }
        return String(String.UnicodeScalarView(id.unicodeScalars.filter { $0.value != 0xFE0E && $0.value != 0xFE0F }))
    }

    /// Whether `a` and `b` are the same key id: the same UTF-8 bytes, as the header of a sealed value records them.
    ///
    /// Not `==`, under which the same text in different Unicode forms is equal (`"caf\u{E9}"` and `"cafe\u{301}"`):
    /// a value sealed under one of those ids does not open under the other.
    public static func sameKeyID(_ a: String, _ b: String) -> Bool {
        a.utf8.elementsEqual(b.utf8)
    }

    /// The id of the key that seals new values (the first).
    public var sealingKeyID: String { current.sealingKey.id }

    /// The ids of all keys, sealing key first.
    public var keyIDs: [String] { current.keys.map(\.id) }

    /// Whether the ring holds a key whose id is `id`, byte for byte (``sameKeyID(_:_:)``).
    public func holdsKey(withID id: String) -> Bool {
        current.key(withID: id) != nil
    }

    /// Whether `id` is the sealing key's id, byte for byte (``sameKeyID(_:_:)``).
    public func isSealingKeyID(_ id: String) -> Bool {
        Self.sameKeyID(id, sealingKeyID)
    }

    /// The key that seals.
    var sealingKey: SecretKey { keys[0] }

    /// The key with id `id` (byte for byte), if the ring holds it.
    func key(withID id: String) -> SecretKey? {
        key(withIDBytes: id.utf8)
    }
}

extension KeyRing: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `KeyRing(keyIDs: ["k2", "k1"])`: ids only.
    public var description: String {
        "KeyRing(keyIDs: [\(keyIDs.map(KeyRingError.shown).joined(separator: ", "))])"
    }

    /// Same as `description`.
    public var debugDescription: String { description }

    /// A mirror with the key ids alone.
    public var customMirror: Mirror {
        Mirror(self, children: ["keyIDs": keyIDs.map(KeyRingError.shownPlain)], displayStyle: .struct)
    }
}
