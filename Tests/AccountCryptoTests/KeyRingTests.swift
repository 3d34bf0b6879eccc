import AccountCrypto
import Testing

struct KeyRingTests {
    let keyA: SecretKey
    let keyB: SecretKey
    let ring: KeyRing
    let secret = Array("oauth-token-secret".utf8)

    init() throws {
        keyA = try makeKey("a", fill: 0xa1)
        keyB = try makeKey("b", fill: 0xb2)
        ring = try KeyRing(keys: [keyA])
    }

    // MARK: Sealing and opening

    @Test func roundTrips() throws {
        // When
        let sealed = try ring.seal(secret, purpose: .twitterCredential, rowKey: "783214")

        // Then
        #expect(try ring.open(sealed, purpose: .twitterCredential, rowKey: "783214") == secret)
    }

    @Test(arguments: [0, 1, 15, 16, 17, 4096])
    func roundTripsEveryLength(_ count: Int) throws {
        let plaintext = SecureRandom.bytes(count: count)
        let sealed = try ring.seal(plaintext, purpose: .registrationDraft, rowKey: "draft-1")
        #expect(sealed.count == 2 + 1 + 12 + count + 16)
        #expect(try ring.open(sealed, purpose: .registrationDraft, rowKey: "draft-1") == plaintext)
    }

    @Test func writesTheDocumentedLayout() throws {
        // When
        let sealed = try ring.seal(secret, purpose: .pendingAuthorization, rowKey: "request-token")

        // Then: 0x01 ‖ key-id length ‖ key id ‖ 12-byte nonce ‖ ciphertext ‖ 16-byte tag
        #expect(sealed[0] == 0x01)
        #expect(sealed[1] == 1)
        #expect(sealed[2] == UInt8(ascii: "a"))
        #expect(sealed.count == 3 + 12 + secret.count + 16)
        #expect(Array(sealed[15..<(15 + secret.count)]) != secret)
    }

    @Test func drawsAFreshNonceEachTime() throws {
        let first = try ring.seal(secret, purpose: .twitterCredential, rowKey: "1")
        let second = try ring.seal(secret, purpose: .twitterCredential, rowKey: "1")
        #expect(first[3..<15] != second[3..<15])
        #expect(first != second)
    }

    @Test func bindsTheAssociatedDataUnambiguously() {
        // Moving a byte between purpose and row key must change the associated data.
        let header: [UInt8] = [1, 1, 97]
        let one = KeyRing.associatedData(header: header, purpose: SealPurpose("ab"), rowKey: "c")
        let two = KeyRing.associatedData(header: header, purpose: SealPurpose("a"), rowKey: "bc")
        #expect(one != two)
        #expect(one == [0, 0, 0, 3, 1, 1, 97, 0, 0, 0, 2, 97, 98, 0, 0, 0, 1, 99])
    }

    // MARK: The three failures

    @Test func unknownKeyIDIsNamed() throws {
        // Given
        let sealed = try KeyRing(keys: [keyB]).seal(secret, purpose: .twitterCredential, rowKey: "1")

        // Then
        #expect(throws: OpenError.unknownKeyID("b")) {
            try ring.open(sealed, purpose: .twitterCredential, rowKey: "1")
        }
    }

    /// Blobs that are not in the sealed format, by what is wrong with them.
    static let malformedBlobs: [(String, [UInt8])] = {
        let zeros = { (count: Int) in [UInt8](repeating: 0, count: count) }
        return [
            ("empty", []),
            ("one byte", [0x01]),
            ("version 0", [0x00, 0x01, 0x61] + zeros(40)),
            ("version 2", [0x02, 0x01, 0x61] + zeros(40)),
            ("empty key id", [0x01, 0x00] + zeros(40)),
            ("header only", [0x01, 0x01, 0x61]),
            ("one byte short of nonce and tag", [0x01, 0x01, 0x61] + zeros(27)),
            ("key id past the end", [0x01, 0xff, 0x61, 0x62]),
            ("key id not UTF-8", [0x01, 0x01, 0xff] + zeros(28)),
            ("key id with a colon", [0x01, 0x01, 0x3a] + zeros(28)),
        ]
    }()

    @Test(arguments: malformedBlobs)
    func malformedBlobsAreMalformed(_ name: String, _ blob: [UInt8]) {
        #expect(throws: OpenError.malformed) {
            try ring.open(blob, purpose: .twitterCredential, rowKey: "1")
        }
        #expect(KeyRing.keyID(ofSealed: blob) == nil)
    }

    @Test func wrongVersionByteIsMalformed() throws {
        // Given
        var sealed = try ring.seal(secret, purpose: .twitterCredential, rowKey: "1")
        sealed[0] = 0x02

        // Then
        #expect(throws: OpenError.malformed) { try ring.open(sealed, purpose: .twitterCredential, rowKey: "1") }
    }

    @Test func everyTruncationFails() throws {
        // Given
        let sealed = try ring.seal(secret, purpose: .twitterCredential, rowKey: "1")

        // Then: shorter than header + nonce + tag is malformed; anything else fails authentication
        for length in 0..<sealed.count {
            let truncated = Array(sealed.prefix(length))
            let expected: OpenError = length < 3 + 12 + 16 ? .malformed : .authenticationFailed
            #expect(throws: expected) { try ring.open(truncated, purpose: .twitterCredential, rowKey: "1") }
        }
    }

    @Test func everyFlippedBitAfterTheHeaderFailsAuthentication() throws {
        // Given
        let sealed = try ring.seal(secret, purpose: .twitterCredential, rowKey: "1")

        // Then: nonce, ciphertext and tag
        for index in 3..<sealed.count {
            for bit in 0..<8 {
                var tampered = sealed
                tampered[index] ^= 1 << bit
                #expect(throws: OpenError.authenticationFailed) {
                    try ring.open(tampered, purpose: .twitterCredential, rowKey: "1")
                }
            }
        }
    }

    @Test func everyFlippedBitInTheHeaderFails() throws {
        // Given: a ring that also holds a key whose id differs from "a" by one bit ("c" = 0x63 = "a" ^ 0x02)
        let keyC = try makeKey("c", fill: 0xa1)  // same bytes as key "a": only the header binds the id
        let wide = try KeyRing(keys: [keyA, keyC])
        let sealed = try wide.seal(secret, purpose: .twitterCredential, rowKey: "1")

        // Then
        for index in 0..<3 {
            for bit in 0..<8 {
                var tampered = sealed
                tampered[index] ^= 1 << bit
                #expect(throws: OpenError.self) { try wide.open(tampered, purpose: .twitterCredential, rowKey: "1") }
            }
        }
        var renamed = sealed
        renamed[2] ^= 0x02
        #expect(throws: OpenError.authenticationFailed) {
            try wide.open(renamed, purpose: .twitterCredential, rowKey: "1")
        }
    }

    @Test func valueCopiedToAnotherRowFails() throws {
        let sealed = try ring.seal(secret, purpose: .twitterCredential, rowKey: "783214")
        #expect(throws: OpenError.authenticationFailed) {
            try ring.open(sealed, purpose: .twitterCredential, rowKey: "783215")
        }
        #expect(throws: OpenError.authenticationFailed) {
            try ring.open(sealed, purpose: .twitterCredential, rowKey: "")
        }
    }

    @Test func valueUsedForAnotherPurposeFails() throws {
        let sealed = try ring.seal(secret, purpose: .pendingAuthorization, rowKey: "token")
        #expect(throws: OpenError.authenticationFailed) {
            try ring.open(sealed, purpose: .registrationDraft, rowKey: "token")
        }
        #expect(throws: OpenError.authenticationFailed) {
            try ring.open(sealed, purpose: SealPurpose("pending-authorization2"), rowKey: "token")
        }
    }

    @Test func aDifferentKeyWithTheSameIDFails() throws {
        let sealed = try ring.seal(secret, purpose: .twitterCredential, rowKey: "1")
        let impostor = try KeyRing(keys: [try makeKey("a", fill: 0x00)])
        #expect(throws: OpenError.authenticationFailed) {
            try impostor.open(sealed, purpose: .twitterCredential, rowKey: "1")
        }
    }

    @Test func randomAndMutatedInputNeverOpensOrTraps() throws {
        // Given
        let sealed = try ring.seal(secret, purpose: .twitterCredential, rowKey: "1")
        var generator = SystemRandomNumberGenerator()

        // Then: random blobs, random blobs with a valid header, and randomly mutated valid blobs
        for round in 0..<2000 {
            var blob: [UInt8]
            switch round % 3 {
            case 0:
                blob = SecureRandom.bytes(count: Int.random(in: 0...80, using: &generator))
            case 1:
                blob = [0x01, 0x01, 0x61] + SecureRandom.bytes(count: Int.random(in: 0...80, using: &generator))
            default:
                blob = sealed
                for _ in 0...Int.random(in: 0...3, using: &generator) {
                    let index = Int.random(in: 0..<blob.count, using: &generator)
                    blob[index] = UInt8.random(in: 0...255, using: &generator)
                }
                if blob == sealed { continue }
            }
            #expect(throws: OpenError.self) { try ring.open(blob, purpose: .twitterCredential, rowKey: "1") }
            _ = KeyRing.keyID(ofSealed: blob)
        }
    }

    // MARK: Rotation

    @Test func rotationOpensOldValuesAndSealsWithTheNewKey() throws {
        // Given: a value sealed while A was the only key
        let old = try KeyRing(keys: [keyA]).seal(secret, purpose: .twitterCredential, rowKey: "1")

        // When: B is added in front
        let rotated = try KeyRing(keys: [keyB, keyA])
        let new = try rotated.seal(secret, purpose: .twitterCredential, rowKey: "1")

        // Then
        #expect(rotated.sealingKeyID == "b")
        #expect(rotated.keyIDs == ["b", "a"])
        #expect(try rotated.open(old, purpose: .twitterCredential, rowKey: "1") == secret)
        #expect(KeyRing.keyID(ofSealed: old) == "a")
        #expect(KeyRing.keyID(ofSealed: new) == "b")
        #expect(rotated.needsRewrap(old))
        #expect(!rotated.needsRewrap(new))
        #expect(!rotated.needsRewrap([0x07]))
        #expect(throws: OpenError.unknownKeyID("b")) {
            try KeyRing(keys: [keyA]).open(new, purpose: .twitterCredential, rowKey: "1")
        }
    }

    // MARK: Construction and descriptions

    @Test func refusesAnEmptyRing() {
        #expect(throws: KeyRingError.noKeys) { try KeyRing(keys: []) }
    }

    @Test func refusesDuplicateIDs() throws {
        #expect(throws: KeyRingError.duplicateKeyID("a", location: .program)) {
            try KeyRing(keys: [keyA, try makeKey("a", fill: 3)])
        }
    }

    /// `"caf\u{E9}"` and `"cafe\u{301}"` are equal as Swift strings (canonical equivalence) but are different bytes,
    /// and a sealed value records the bytes: a ring refuses to hold both, naming both spelled out.
    @Test func refusesIDsThatAreTheSameTextInAnotherUnicodeForm() throws {
        // Given
        let composed = try makeKey("caf\u{E9}", fill: 0xa1)
        let decomposed = try makeKey("cafe\u{301}", fill: 0xb2)

        // When
        let error = try #require(throws: KeyRingError.self) { try KeyRing(keys: [composed, decomposed]) }

        // Then: `==` on the error's strings would not tell the two ids apart, so compare their bytes
        guard case .equivalentKeyIDs(let id, let location, let earlierID, let earlierLocation) = error else {
            Issue.record("expected equivalentKeyIDs, got \(error)")
            return
        }
        #expect(Array(id.utf8) == Array("cafe\u{301}".utf8))
        #expect(Array(earlierID.utf8) == Array("caf\u{E9}".utf8))
        #expect(location == .program && earlierLocation == .program)
        #expect(
            error.description
                == #"key ids "caf\u{E9}" and "cafe\u{301}" are the same text in different Unicode forms (or with "#
                + "and without a presentation selector): they look alike but are different bytes, and a value sealed "
                + "under one does not open under the other; give one of the two keys another id")
    }

    /// Key ids compare by their bytes everywhere, as `open` does: a value sealed under `"caf\u{E9}"` is not under the
    /// sealing key `"cafe\u{301}"` (before, `needsRewrap` said it was, so rewrap would have left it behind).
    @Test func keyIDsCompareByBytesNotByUnicodeEquivalence() throws {
        // Given: a value sealed under the composed id, and a ring holding the decomposed one
        let composedID = "caf\u{E9}"
        let decomposedID = "cafe\u{301}"
        #expect(composedID == decomposedID)  // as Swift strings
        let old = try KeyRing(keys: [try makeKey(composedID, fill: 0xa1)])
            .seal(secret, purpose: .twitterCredential, rowKey: "1")
        let ring = try KeyRing(keys: [try makeKey(decomposedID, fill: 0xa1)])

        // Then: the ring cannot open it, and every comparison agrees
        #expect(throws: OpenError.self) { try ring.open(old, purpose: .twitterCredential, rowKey: "1") }
        #expect(ring.needsRewrap(old))
        #expect(!ring.holdsKey(withID: composedID))
        #expect(!ring.isSealingKeyID(composedID))
        #expect(ring.holdsKey(withID: decomposedID))
        #expect(ring.isSealingKeyID(decomposedID))
        #expect(!KeyRing.sameKeyID(composedID, decomposedID))
        #expect(KeyRing.sameKeyID(decomposedID, "cafe\u{301}"))
        #expect(!ring.needsRewrap(try ring.seal(secret, purpose: .twitterCredential, rowKey: "1")))
    }

    @Test func descriptionShowsIDsOnly() throws {
        let rotated = try KeyRing(keys: [keyB, keyA])
        #expect(String(describing: rotated) == #"KeyRing(keyIDs: ["b", "a"])"#)
        #expect(String(reflecting: rotated) == String(describing: rotated))
        var dumped = ""
        dump(rotated, to: &dumped)
        let dumpShowsKey = dumped.contains(Base64.encode([UInt8](repeating: 0xa1, count: 32)))
        let dumpShowsBytes = dumped.contains("161")  // 0xa1 as a decimal array element
        #expect(!dumpShowsKey, "key a's material is in the dump, in base64")
        #expect(!dumpShowsBytes, "key a's bytes are in the dump, as an array")
    }

    @Test(arguments: [
        (OpenError.unknownKeyID("k0"), "key \"k0\""),
        (OpenError.malformed, "malformed"),
        (OpenError.authenticationFailed, "failed authentication"),
    ])
    func openErrorsDescribeThemselves(_ error: OpenError, _ fragment: String) {
        #expect(error.description.contains(fragment))
    }
}

/// A value sealed by an independent implementation (Python `cryptography`'s AESGCM, see the fuzz seed corpus) in
/// the documented format opens with our key ring: the format and associated-data layout are what README says.
struct IndependentSealTests {
    @Test func opensAValueSealedByPythonCryptography() throws {
        let blob: [UInt8] =
            [
                0x01, 0x04, 0x66, 0x75, 0x7a, 0x7a, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
                0x0b,
            ] + Self.ciphertextAndTag
        let ring = try KeyRing(keys: [try SecretKey(id: "fuzz", bytes: [UInt8](repeating: 0x42, count: 32))])
        #expect(try ring.open(blob, purpose: .twitterCredential, rowKey: "42") == Array("fuzz-plaintext".utf8))
        #expect(throws: OpenError.authenticationFailed) {
            try ring.open(blob, purpose: .twitterCredential, rowKey: "43")
        }
    }

    static let ciphertextAndTag: [UInt8] = [
        0x63, 0xab, 0xeb, 0xa7, 0x9c, 0x5c, 0x9e, 0x6a, 0xf4, 0x68, 0x30, 0x76, 0xa9, 0xa9, 0x76, 0x56, 0x27, 0xdd,
        0xac, 0x4d, 0xf2, 0x61, 0x41, 0x39, 0x5d, 0xcc, 0x41, 0x30, 0x09, 0x50,
    ]
}
