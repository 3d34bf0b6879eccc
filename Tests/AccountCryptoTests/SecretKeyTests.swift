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
        let describedShowsKey = "\(key)".contains(base64)
        #expect(!describedShowsKey, "the key's material is in its description")
        var dumped = ""
        dump(key, to: &dumped)
        let dumpShowsKey = dumped.contains(base64)
        #expect(!dumpShowsKey, "the key's material is in its dump")
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
        ("\u{FEFF}k2", .forbiddenCharacter),
        ("k\u{200B}2", .forbiddenCharacter),
        ("k2\u{202E}", .forbiddenCharacter),
        ("#1", .startsWithHash),
        // `#` and a combining mark are one character, which `hasPrefix("#")` did not see; a keys file skips the line.
        ("#\u{301}1", .startsWithHash),
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
        let describedShowsKey = String(describing: error).contains(material)
        let reflectedShowsKey = String(reflecting: error).contains(material)
        #expect(!describedShowsKey, "the key material is in the error's description")
        #expect(!reflectedShowsKey, "the key material is in the error's debug description")
    }

    /// A whole key beside other text in the id's place (a space, or `;` typed for `,`; or glued to letters, digits or
    /// another `=`, which made one longer run of base64 characters and passed): refused, not quoted, never an id.
    @Test(arguments: [("", " k2"), ("", ";prod"), ("", "-eu"), ("", "k2"), ("prod", ""), ("", "="), ("x/", "+9")])
    func refusesAWholeKeyInsideAnIDWithoutQuotingIt(_ prefix: String, _ suffix: String) throws {
        let material = Base64.encode((0..<32).map { UInt8(($0 * 37 + 251) % 256) })
        let other = Base64.encode([UInt8](repeating: 7, count: 32))
        let error = try #require(throws: KeyRingError.self) {
            try KeyRing.load(
                keysFile: nil, environment: ["ACCOUNTS_KEYS": "\(prefix)\(material)\(suffix):\(other)"])
        }
        #expect(
            error
                == .invalidKeyID(
                    nil, problem: .looksLikeKeyMaterial, location: .environment(variable: "ACCOUNTS_KEYS", entry: 1)))
        for (text, form) in [
            (String(describing: error), "description"), (String(reflecting: error), "debug description"),
        ] {
            let showsKey = text.contains(material.prefix(12))
            #expect(!showsKey, "the key material's first 12 characters are in the error's \(form)")
        }
    }

    /// A key in another form (unpadded, urlsafe, hex; digits or none) written where its id belongs, with something
    /// that is no key after it: the entry is refused, and the message does not quote the id.
    @Test(arguments: ["unpadded", "urlsafe", "hex", "no digits"])
    func neverQuotesAnIDThatMayHoldAKey(_ form: String) throws {
        let bytes = (0..<32).map { UInt8(($0 * 37 + 251) % 256) }
        let material: String
        switch form {
        case "unpadded": material = String(Base64.encode(bytes).dropLast())
        case "urlsafe":
            material = String(Base64.encode(bytes).dropLast()).replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_")
        case "hex": material = bytes.map { String(format: "%02x", $0) }.joined()
        default: material = "QWxhZGRpbjpvcGVuIHNlc2FtZSBhbmQgbW9yZQQWxhZGRpbj"
        }
        for entry in ["\(material):k1", "\(material) k2:k1", "\(material):\(String(repeating: "QUFB", count: 4))"] {
            let error = try #require(throws: KeyRingError.self) {
                try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": entry])
            }
            for (text, form) in [
                (String(describing: error), "description"), (String(reflecting: error), "debug description"),
            ] {
                let showsKey = text.contains(material.prefix(12))
                #expect(!showsKey, "the key material's first 12 characters are in the error's \(form)")
            }
        }
    }

    /// Ids in use must keep working (their sealed values name them): long, mixed-case, with digits, hex, paths.
    @Test func longIDsThatAreNoKeysStillLoad() throws {
        let other = Base64.encode([UInt8](repeating: 7, count: 32))
        for id in [
            "k1", "k20261203-a1b2c3", "2026_12_rotation_for_the_eu_region", "Accounts_Production_Key_2024_December",
            "alias/Accounts-Prod-EU-2024-12-Rotation", "550e8400e29b41d4a716446655440000",
            "projects/my-proj/locations/europe-west1/keyRings/accounts/cryptoKeys/k1",
        ] {
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
