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

    /// A ring of `keys`, the first of which seals; throws `.noKeys` for an empty list, `.duplicateKeyID` for a repeat.
    public init(keys: [SecretKey]) throws(KeyRingError) {
        guard !keys.isEmpty else { throw .noKeys }
        var seen = Set<String>()
        for key in keys where !seen.insert(key.id).inserted {
            throw .duplicateKeyID(key.id, location: .program)
        }
        self.keys = keys
        self.keyIDBytes = keys.map { Array($0.id.utf8) }
    }

    /// The id of the key that seals new values (the first).
    public var sealingKeyID: String { sealingKey.id }

    /// The ids of all keys, sealing key first.
    public var keyIDs: [String] { keys.map(\.id) }

    /// The key that seals.
    var sealingKey: SecretKey { keys[0] }

    /// The key with id `id`, if the ring holds it.
    func key(withID id: String) -> SecretKey? {
        keys.first { $0.id == id }
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
