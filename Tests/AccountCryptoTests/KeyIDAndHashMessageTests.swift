import AccountCrypto
import Foundation
import Testing

/// Key ids that print as another id or hold a key, and the messages of password hashes that are not ours.
struct KeyIDAndHashMessageTests {
    // MARK: Key ids that print as another id

    /// README: ids may not hold invisible characters ("`\u{FEFF}k2` prints as `k2` and is another id"). These
    /// default-ignorable code points are just as invisible without being in Unicode's format category (Cf):
    /// `k2\u{FE0F}` would print as `k2`, seal values that no ring holding the real `k2` opens, and sit in one ring
    /// beside `k2` (the two are not canonically equivalent, so `equivalentKeyIDs` does not see them). They are refused.
    @Test(arguments: [
        "k2\u{FE0F}",  // variation selector 16 (Mn)
        "k2\u{034F}",  // combining grapheme joiner (Mn)
        "k\u{180B}2",  // Mongolian free variation selector (Mn)
        "\u{3164}k2",  // Hangul filler (Lo)
        "k2\u{115F}",  // Hangul choseong filler (Lo)
        "k2\u{E0101}",  // variation selector 18 (Mn)
    ])
    func refusesIDsWithInvisibleDefaultIgnorableCharacters(_ id: String) {
        #expect(throws: KeyRingError.invalidKeyID(id, problem: .forbiddenCharacter, location: .program)) {
            try makeKey(id, fill: 7)
        }
        // And the message shows the invisible character as its code (until session 61 it printed the id as it is,
        // which reads `"k2"` on a terminal)
        let message = KeyRingError.invalidKeyID(id, problem: .forbiddenCharacter, location: .program).description
        #expect(message.contains(#"\u{"#) && message.unicodeScalars.allSatisfy(\.isASCII), "\(message)")
    }

    /// Two entries that print alike, `k2` and `k2` + U+FE0F, load as one ring of two different ids.
    @Test func aRingDoesNotHoldTwoIDsThatPrintAlike() {
        let keyA = Base64.encode([UInt8](repeating: 0x11, count: 32))
        let keyB = Base64.encode([UInt8](repeating: 0x22, count: 32))
        let environment = ["ACCOUNTS_KEYS": "k2\u{FE0F}:\(keyA),k2:\(keyB)"]
        #expect(throws: KeyRingError.self) { try KeyRing.load(keysFile: nil, environment: environment) }
    }

    // MARK: Key material in an error value

    /// `invalidKeyID`'s id "is nil when quoting it could leak a key"; `.looksLikeKeyMaterial` keeps it nil. An id that
    /// holds a whole key but starts with `#` is refused as `.startsWithHash` first (checked before the whole-key
    /// test), so the error value carries the key: the description hides it, `dump` (reflection) prints it.
    @Test func anIDStartingWithHashThatHoldsAKeyIsNotCarriedInTheError() throws {
        let keyText = Base64.encode([UInt8](repeating: 0x5a, count: 32))
        do {
            _ = try SecretKey(id: "#" + keyText, bytes: [UInt8](repeating: 1, count: 32))
            Issue.record("the id was accepted")
        } catch {
            var dumped = ""
            dump(error, to: &dumped)
            // (Booleans, so that a failure does not print the key.)
            let reflectionShowsTheKey = dumped.contains(keyText)
            #expect(!reflectionShowsTheKey, "dump(error) shows the key that was typed as an id")
            if case .invalidKeyID(let id, _, _) = error {
                let carriesTheID = id != nil
                #expect(!carriesTheID, "the error carries an id that holds a whole key")
            }
        }
    }

    // MARK: Password hash messages

    /// `maximumParameterDigits`: "so that a number too large is refused as out of range, naming it, rather than as
    /// 'not a number'". A 19-digit or longer count is still called "not a decimal number".
    @Test(arguments: [
        "pbkdf2_sha256$10000000000000000000$salt$yQkjjJBu4KZk7Wi0VmcOqgFx8+t43oPnbAalH3UM1Hk=",
        "scrypt$ln=1000000000000000000000$r=8$p=1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    ])
    func aHugeParameterIsOutOfRangeNotNotANumber(_ encoded: String) {
        #expect {
            try PasswordHasher.validateFormat(encoded)
        } throws: { error in
            guard case PasswordHashError.parametersOutOfRange = error else { return false }
            return true
        }
    }

    /// Django's own scrypt hasher (`ScryptPasswordHasher`, Django 4.0+) writes `scrypt$N$SALT$r$p$HASH`: well formed,
    /// only not ours. It is called "malformed" ("expected ln=N$r=N$p=N after 'scrypt$'"), which sends an operator
    /// importing a Django user table to look for corruption; bcrypt and argon2 hashes from the same table are named
    /// as unsupported. (Made with Python: `hashlib.scrypt(b"correct horse", salt=b"Fc0mJbpnOCxc7Dyuw5Q6KX",
    /// n=16384, r=8, p=1, dklen=64)`, as Django's `ScryptPasswordHasher.encode` does.)
    @Test func aDjangoScryptHashIsVerifiedOrNamedAsUnsupported() throws {
        let encoded = "scrypt$16384$Fc0mJbpnOCxc7Dyuw5Q6KX$8$1$" + Self.djangoScryptHash
        do {
            let result = try PasswordHasher().verify(password: "correct horse", against: encoded)
            #expect(result == .valid(needsRehash: true))
        } catch {
            if case .malformed = error {
                Issue.record("a Django scrypt hash is called malformed: \(error)")
            }
        }
    }

    static let djangoScryptHash =
        "LaVhUnbLMC7R0OVngx4pESJfhq/u0+/95bfhugNoI+2e0qYV3QEgEYCm6TCPaB7i7tjQAIamSkOsXfueGOsenA=="
}
