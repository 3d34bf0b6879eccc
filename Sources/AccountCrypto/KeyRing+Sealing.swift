extension KeyRing {
    /// The format version byte that starts every sealed value.
    static let formatVersion: UInt8 = 0x01

    /// Seals `plaintext` with the first key, binding it to `purpose` and `rowKey` (the row's stable key: the Twitter
    /// user id for a credential, the request token for a pending authorization, the draft id for a draft).
    ///
    /// Each call draws a fresh random 12-byte nonce; with random nonces, keep well under 2^32 seals per key (rotate
    /// keys long before that).
    public func seal(_ plaintext: [UInt8], purpose: SealPurpose, rowKey: String) throws(SealError) -> [UInt8] {
        guard plaintext.count <= Int(Int32.max) else { throw .plaintextTooLarge(byteCount: plaintext.count) }
        let key = current.sealingKey
        let header = Self.header(keyID: key.id)
        guard let nonce = LibCrypto.randomBytes(count: AESGCM.nonceByteCount) else { throw .randomUnavailable }
        let associatedData = Self.associatedData(header: header, purpose: purpose, rowKey: rowKey)
        let sealed = key.withUnsafeBytes { keyBytes in
            AESGCM.seal(plaintext, key: keyBytes, nonce: nonce, associatedData: associatedData)
        }
        guard let sealed else { throw .encryptionFailed }
        var blob: [UInt8] = []
        blob.reserveCapacity(header.count + nonce.count + sealed.ciphertext.count + sealed.tag.count)
        blob += header
        blob += nonce
        blob += sealed.ciphertext
        blob += sealed.tag
        return blob
    }

    /// Opens a value sealed by `seal` with any key of the ring, for the same `purpose` and `rowKey`.
    ///
    /// Fails in exactly three ways: `.unknownKeyID` (no key with the blob's key id), `.malformed` (unknown version,
    /// bad header, too short), `.authenticationFailed` (altered, or sealed for another row or purpose). It never
    /// returns plaintext that was not sealed for this purpose and row, and never traps on any input.
    ///
    /// A ring read from a keys file that meets a key id it lacks reads the file again first, if it changed: a value
    /// sealed by another process under a key added since (a rotation) opens.
    public func open(_ sealed: [UInt8], purpose: SealPurpose, rowKey: String) throws(OpenError) -> [UInt8] {
        let ring = current
        do throws(OpenError) {
            return try ring.openWithOwnKeys(sealed, purpose: purpose, rowKey: rowKey)
        } catch .unknownKeyID(let id) {
            guard let reread = follower?.rereadNow(), reread.holdsKey(withID: id) else {
                throw .unknownKeyID(id)
            }
            return try reread.openWithOwnKeys(sealed, purpose: purpose, rowKey: rowKey)
        }
    }

    /// ``open(_:purpose:rowKey:)`` with this ring's keys, as they are.
    private func openWithOwnKeys(_ sealed: [UInt8], purpose: SealPurpose, rowKey: String) throws(OpenError)
        -> [UInt8]
    {
        guard let parsed = SealedValue(sealed) else { throw .malformed }
        // The ring's ids were validated when the ring was made, so a header whose id bytes equal one of them needs no
        // String or Unicode checks; only an id that matches no key is validated, to tell `.unknownKeyID` (a valid id)
        // from `.malformed` (an invalid one), exactly as before.
        guard let key = key(withIDBytes: parsed.keyIDBytes) else {
            guard let keyID = parsed.validatedKeyID() else { throw .malformed }
            throw .unknownKeyID(keyID)
        }
        let associatedData = Self.associatedData(header: parsed.header, purpose: purpose, rowKey: rowKey)
        let result = key.withUnsafeBytes { keyBytes in
            AESGCM.open(
                ciphertext: parsed.ciphertext, tag: parsed.tag, key: keyBytes, nonce: parsed.nonce,
                associatedData: associatedData)
        }
        switch result {
        case .opened(let plaintext): return plaintext
        case .authenticationFailed, .failed: throw .authenticationFailed
        }
    }

    /// The key whose id has the UTF-8 bytes `idBytes`, if the ring holds it.
    func key(withIDBytes idBytes: some Sequence<UInt8>) -> SecretKey? {
        for (index, bytes) in keyIDBytes.enumerated() where bytes.elementsEqual(idBytes) {
            return keys[index]
        }
        return nil
    }

    /// The key id in a sealed value's header, or nil when the value is malformed; reads the header only and needs no
    /// key (for `accounts keys status` and rewrap).
    public static func keyID(ofSealed sealed: [UInt8]) -> String? {
        SealedValue(sealed)?.validatedKeyID()
    }

    /// True when `sealed` is well formed and was sealed with a key other than the sealing key (its id's bytes differ,
    /// even if the text is the same in another Unicode form): rewrap moves it.
    public func needsRewrap(_ sealed: [UInt8]) -> Bool {
        guard let keyID = Self.keyID(ofSealed: sealed) else { return false }
        return !isSealingKeyID(keyID)
    }

    /// `0x01 ‖ len(id) ‖ id`.
    static func header(keyID: String) -> [UInt8] {
        let id = Array(keyID.utf8)
        precondition(!id.isEmpty && id.count <= 255, "key ids are validated to be 1–255 bytes")
        return [formatVersion, UInt8(id.count)] + id
    }

    /// The associated data: three length-prefixed fields, each a 4-byte big-endian length and its bytes:
    /// `len ‖ header ‖ len ‖ purpose (UTF-8) ‖ len ‖ row key (UTF-8)`. The prefixes make the encoding unambiguous,
    /// so no two different (header, purpose, row key) triples give the same bytes.
    package static func associatedData(
        header: some Collection<UInt8>, purpose: SealPurpose, rowKey: String
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(12 + header.count + purpose.rawValue.utf8.count + rowKey.utf8.count)
        appendField(header, to: &out)
        appendField(purpose.rawValue.utf8, to: &out)
        appendField(rowKey.utf8, to: &out)
        return out
    }

    private static func appendField(_ field: some Collection<UInt8>, to out: inout [UInt8]) {
        let count = UInt32(truncatingIfNeeded: field.count)
        precondition(Int(count) == field.count, "an associated-data field is over 4 GiB")
        // Byte by byte: an array literal here would allocate a temporary array per field.
        out.append(UInt8(truncatingIfNeeded: count >> 24))
        out.append(UInt8(truncatingIfNeeded: count >> 16))
        out.append(UInt8(truncatingIfNeeded: count >> 8))
        out.append(UInt8(truncatingIfNeeded: count))
        out.append(contentsOf: field)
    }
}

/// A sealed value split into its parts, without decrypting or reading the key id as text; nil for anything not in
/// the format's layout.
struct SealedValue {
    /// Version, id length and id.
    let header: ArraySlice<UInt8>
    /// The key id's bytes from the header (not yet known to be valid UTF-8 or a valid id).
    let keyIDBytes: ArraySlice<UInt8>
    /// The 12-byte nonce.
    let nonce: ArraySlice<UInt8>
    /// The ciphertext (possibly empty).
    let ciphertext: ArraySlice<UInt8>
    /// The 16-byte tag.
    let tag: ArraySlice<UInt8>

    init?(_ blob: [UInt8]) {
        guard blob.count >= 2, blob[0] == KeyRing.formatVersion else { return nil }
        let idLength = Int(blob[1])
        let headerLength = 2 + idLength
        guard idLength > 0, blob.count >= headerLength + AESGCM.nonceByteCount + AESGCM.tagByteCount else {
            return nil
        }
        let nonceEnd = headerLength + AESGCM.nonceByteCount
        let tagStart = blob.count - AESGCM.tagByteCount
        self.header = blob[0..<headerLength]
        self.keyIDBytes = blob[2..<headerLength]
        self.nonce = blob[headerLength..<nonceEnd]
        self.ciphertext = blob[nonceEnd..<tagStart]
        self.tag = blob[tagStart...]
    }

    /// The key id as text when it is valid UTF-8 and a valid key id; nil otherwise (the value is then malformed).
    func validatedKeyID() -> String? {
        guard let keyID = String(validating: keyIDBytes, as: UTF8.self), SecretKey.problem(withID: keyID) == nil else {
            return nil
        }
        return keyID
    }
}
