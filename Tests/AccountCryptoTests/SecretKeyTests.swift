import AccountCrypto
import Foundation
import Testing

struct SecretKeyTests {
    @Test func descriptionsRedactTheKey() throws {
        // Given
        let key = try SecretKey.generate(id: "k1")
        let line = key.unredactedKeysFileLine()
        let base64 = String(line.dropFirst("k1:".count))

        // Then
        #expect(String(describing: key) == #"SecretKey(id: "k1", <redacted>)"#)
        #expect(String(reflecting: key) == String(describing: key))
        #expect(!"\(key)".contains(base64))
        var dumped = ""
        dump(key, to: &dumped)
        #expect(!dumped.contains(base64))
        #expect(dumped.contains("k1"))
    }

    @Test func generatesDistinctKeysThatRoundTripThroughTheirLine() throws {
        // Given
        let first = try SecretKey.generate(id: "2025-01")
        let second = try SecretKey.generate(id: "2025-01")

        // When
        let line = first.unredactedKeysFileLine()
        let ring = try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": line])

        // Then
        #expect(line.hasPrefix("2025-01:"))
        #expect(line.count == "2025-01:".count + 44)
        #expect(line != second.unredactedKeysFileLine())
        let sealed = try KeyRing(keys: [first]).seal([1, 2, 3], purpose: .twitterCredential, rowKey: "9")
        #expect(try ring.open(sealed, purpose: .twitterCredential, rowKey: "9") == [1, 2, 3])
    }

    @Test(arguments: ["k1", "2025-06-01", "ключ", String(repeating: "x", count: 255), "a=b+c/d"])
    func acceptsValidIDs(_ id: String) throws {
        #expect(try makeKey(id, fill: 1).id == id)
    }

    @Test(arguments: [
        ("", KeyRingError.KeyIDProblem.empty),
        ("a:b", .forbiddenCharacter),
        ("a,b", .forbiddenCharacter),
        ("a b", .forbiddenCharacter),
        ("a\tb", .forbiddenCharacter),
        ("a\u{a0}b", .forbiddenCharacter),
        ("a\u{7}b", .forbiddenCharacter),
        ("#1", .startsWithHash),
    ])
    func refusesInvalidIDs(_ id: String, _ problem: KeyRingError.KeyIDProblem) {
        #expect(throws: KeyRingError.invalidKeyID(id, problem: problem, location: .program)) {
            try makeKey(id, fill: 1)
        }
    }

    @Test func refusesAnOverlongIDWithoutQuotingIt() {
        let id = String(repeating: "é", count: 128)  // 256 bytes
        #expect(throws: KeyRingError.invalidKeyID(nil, problem: .tooLong(byteCount: 256), location: .program)) {
            try makeKey(id, fill: 1)
        }
    }

    @Test func refusesAKeyUsedAsAnIDWithoutQuotingIt() throws {
        // Given: entries written the wrong way round, BASE64KEY:id
        let material = Base64.encode([UInt8](repeating: 0x42, count: 32))

        // Then
        let error = try #require(throws: KeyRingError.self) {
            try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": "\(material):k1"])
        }
        #expect(
            error
                == .invalidKeyID(
                    nil, problem: .looksLikeKeyMaterial, location: .environment(variable: "ACCOUNTS_KEYS", entry: 1)))
        #expect(!String(describing: error).contains(material))
        #expect(!String(reflecting: error).contains(material))
    }

    /// Keys in the id's place, written in ways the 44-character check alone let through: with a second id after a
    /// space or a `;` (a typo for `,`), unpadded, urlsafe, hex. None is quoted, and none becomes a key id.
    @Test(arguments: [
        (" k2", ""), (";prod", ""), ("", "-unpadded"), ("", "-urlsafe"), ("", "-hex"),
    ])
    func refusesKeyMaterialAnywhereInAnIDWithoutQuotingIt(_ suffix: String, _ form: String) throws {
        let bytes = (0..<32).map { UInt8(($0 * 37 + 251) % 256) }
        var material = Base64.encode(bytes)
        switch form {
        case "-unpadded": material = String(material.dropLast())
        case "-urlsafe":
            material = String(material.dropLast()).replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_")
        case "-hex": material = bytes.map { String(format: "%02x", $0) }.joined()
        default: break
        }
        let other = Base64.encode([UInt8](repeating: 7, count: 32))
        let error = try #require(throws: KeyRingError.self) {
            try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": "\(material)\(suffix):\(other)"])
        }
        guard case .invalidKeyID(nil, .looksLikeKeyMaterial, _) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        for text in [String(describing: error), String(reflecting: error)] {
            #expect(!text.contains(material.prefix(12)), "\(text)")
        }
        // Ids people write are still ids.
        for id in ["k1", "k20261203-a1b2c3", "prod-2026-12", "2026_12_rotation_for_the_eu_region", "Prod-Key-2026-12"] {
            let ring = try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": "\(id):\(other)"])
            #expect(ring.sealingKeyID == id)
        }
    }

    @Test(arguments: [0, 16, 31, 33, 64])
    func refusesWrongLengths(_ count: Int) {
        #expect(throws: KeyRingError.wrongKeyLength(keyID: "k1", byteCount: count, location: .program)) {
            try SecretKey(id: "k1", bytes: [UInt8](repeating: 1, count: count))
        }
    }
}
