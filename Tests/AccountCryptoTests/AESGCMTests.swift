import AccountCrypto
import Testing

/// The AES-256 test cases 13–18 of D. McGrew and J. Viega, "The Galois/Counter Mode of Operation (GCM)", revised
/// specification, Appendix B:
/// https://csrc.nist.rip/groups/ST/toolkit/BCM/documents/proposedmodes/gcm/gcm-revised-spec.pdf
/// (cases 17 and 18 use 8- and 60-byte nonces; the sealed format always uses 12).
struct AESGCMTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let number: Int
        let key: String
        let plaintext: String
        let associatedData: String
        let nonce: String
        let ciphertext: String
        let tag: String
        var testDescription: String { "GCM specification test case \(number)" }
    }

    static let key15 = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"
    static let plaintext64 = """
        d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72\
        1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255
        """
    static let plaintext60 = String(plaintext64.dropLast(8))
    static let associatedData = "feedfacedeadbeeffeedfacedeadbeefabaddad2"

    static let vectors: [Vector] = [
        Vector(
            number: 13, key: String(repeating: "00", count: 32), plaintext: "", associatedData: "",
            nonce: String(repeating: "00", count: 12), ciphertext: "", tag: "530f8afbc74536b9a963b4f1c4cb738b"),
        Vector(
            number: 14, key: String(repeating: "00", count: 32), plaintext: String(repeating: "00", count: 16),
            associatedData: "", nonce: String(repeating: "00", count: 12),
            ciphertext: "cea7403d4d606b6e074ec5d3baf39d18", tag: "d0d1c8a799996bf0265b98b5d48ab919"),
        Vector(
            number: 15, key: key15, plaintext: plaintext64, associatedData: "", nonce: "cafebabefacedbaddecaf888",
            ciphertext: """
                522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa\
                8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad
                """,
            tag: "b094dac5d93471bdec1a502270e3cc6c"),
        Vector(
            number: 16, key: key15, plaintext: plaintext60, associatedData: associatedData,
            nonce: "cafebabefacedbaddecaf888",
            ciphertext: """
                522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa\
                8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662
                """,
            tag: "76fc6ece0f4e1768cddf8853bb2d551b"),
        Vector(
            number: 17, key: key15, plaintext: plaintext60, associatedData: associatedData, nonce: "cafebabefacedbad",
            ciphertext: """
                c3762df1ca787d32ae47c13bf19844cbaf1ae14d0b976afac52ff7d79bba9de0\
                feb582d33934a4f0954cc2363bc73f7862ac430e64abe499f47c9b1f
                """,
            tag: "3a337dbf46a792c45e454913fe2ea8f2"),
        Vector(
            number: 18, key: key15, plaintext: plaintext60, associatedData: associatedData,
            nonce: """
                9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728\
                c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b
                """,
            ciphertext: """
                5a8def2f0c9e53f1f75d7853659e2a20eeb2b22aafde6419a058ab4f6f746bf4\
                0fc0c3b780f244452da3ebf1c5d82cdea2418997200ef82e44ae7e3f
                """,
            tag: "a44a8266ee1c8eb0c8b5d4cf5ae9f19a"),
    ]

    @Test(arguments: vectors)
    func sealMatchesSpecification(_ vector: Vector) throws {
        // When
        let sealed = try #require(
            AESGCM.seal(
                bytes(hex: vector.plaintext), key: bytes(hex: vector.key), nonce: bytes(hex: vector.nonce),
                associatedData: bytes(hex: vector.associatedData)))

        // Then
        #expect(hex(sealed.ciphertext) == vector.ciphertext)
        #expect(hex(sealed.tag) == vector.tag)
    }

    @Test(arguments: vectors)
    func openMatchesSpecification(_ vector: Vector) {
        // When
        let plaintext = AESGCM.open(
            ciphertext: bytes(hex: vector.ciphertext), tag: bytes(hex: vector.tag), key: bytes(hex: vector.key),
            nonce: bytes(hex: vector.nonce), associatedData: bytes(hex: vector.associatedData))

        // Then
        #expect(plaintext.map { hex($0) } == vector.plaintext)
    }

    @Test(arguments: vectors)
    func openRefusesAFlippedTagBit(_ vector: Vector) {
        // Given
        var tag = bytes(hex: vector.tag)
        tag[tag.count - 1] ^= 0x01

        // Then
        let plaintext = AESGCM.open(
            ciphertext: bytes(hex: vector.ciphertext), tag: tag, key: bytes(hex: vector.key),
            nonce: bytes(hex: vector.nonce), associatedData: bytes(hex: vector.associatedData))
        #expect(plaintext == nil)
    }

    @Test func refusesWrongKeyAndEmptyNonce() {
        #expect(AESGCM.seal([1, 2, 3], key: [UInt8](repeating: 0, count: 16), nonce: [0], associatedData: []) == nil)
        #expect(AESGCM.seal([1, 2, 3], key: [UInt8](repeating: 0, count: 32), nonce: [], associatedData: []) == nil)
        #expect(
            AESGCM.open(
                ciphertext: [1], tag: [UInt8](repeating: 0, count: 15), key: [UInt8](repeating: 0, count: 32),
                nonce: [UInt8](repeating: 0, count: 12), associatedData: []) == nil)
    }
}
