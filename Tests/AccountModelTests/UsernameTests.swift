import AccountModel
import Testing

struct UsernameTests {
    @Test(arguments: ["a", "ann", "Ann_Smith", "a.b-c", "_x1", String(repeating: "z", count: 30), "9"])
    func acceptsValidNames(_ name: String) throws {
        #expect(try Username(validating: name).rawValue == name)
    }

    @Test(arguments: [
        ("", "is required"),
        (String(repeating: "z", count: 31), "must be at most 30 characters"),
        ("___", "must contain at least one letter or digit"),
        ("ann smith", "may contain only ASCII letters, digits, '_', '.' and '-'"),
        ("zoë", "may contain only ASCII letters, digits, '_', '.' and '-'"),
        ("a\u{0}b", "must not contain a NUL character"),
    ])
    func refusesInvalidNamesNamingTheField(_ name: String, _ problem: String) {
        #expect(throws: FieldError(.username, problem)) { try Username(validating: name) }
    }
}

struct EmailAddressTests {
    @Test func trimsSurroundingWhitespaceAndKeepsCase() throws {
        #expect(try EmailAddress(validating: "  Ann@Example.ORG \n").rawValue == "Ann@Example.ORG")
    }

    @Test(arguments: [
        "", "ann", "@x.org", "ann@", "ann@localhost", "a b@x.org", "ann@x..org", ".ann@x.org", "ann@-x.org",
    ])
    func refusesInvalidAddresses(_ text: String) {
        #expect(throws: FieldError.self) { try EmailAddress(validating: text) }
        do {
            _ = try EmailAddress(validating: text)
        } catch {
            #expect(error.field == .email)
        }
    }
}

struct TwitterUserIDTests {
    @Test func keepsIdsAbove2To53Exact() throws {
        let id = try #require(TwitterUserID(decimal: "1234567890123456789"))
        #expect(id.value == 1_234_567_890_123_456_789)
        #expect(id.decimalString == "1234567890123456789")
        #expect(TwitterUserID(decimal: "18446744073709551615")?.value == UInt64.max)
    }

    @Test(arguments: ["", "-1", "01", "1.0", "1e5", "18446744073709551616", " 12", "١٢"])
    func refusesNonCanonicalDecimals(_ text: String) {
        #expect(TwitterUserID(decimal: text) == nil)
    }

    /// The store's bulk read (the duplicate report) reads the UTF-8 of the stored text as the string reader does.
    @Test(arguments: [
        "0", "7", "1234567890123456789", "18446744073709551615", "", "-1", "01", "1.0", "1e5", "18446744073709551616",
        "99999999999999999999", " 12", "١٢",
    ])
    func readsUTF8AsItReadsText(_ text: String) {
        let bytes = Array(text.utf8)
        let read = bytes.withUnsafeBufferPointer { TwitterUserID(decimalUTF8: $0) }
        #expect(read == TwitterUserID(decimal: text))
    }
}

struct SecretTests {
    @Test func neverPrintsItself() {
        let secret = Secret("hunter2-very-secret")
        let described = String(describing: secret).contains("hunter2")
        let reflected = String(reflecting: secret).contains("hunter2")
        let held = "\(PendingAuthorizationProbe(secret: secret))".contains("hunter2")
        #expect(!described, "the secret is in its description")
        #expect(!reflected, "the secret is in its debug description")
        #expect(!held, "the secret is in the description of a value holding it")
    }

    /// Secrets are equal when their bytes are (compared in a time that depends on their lengths only): a precomposed
    /// and a decomposed accent, one text under Unicode's rules, are two secrets.
    @Test func comparesTheBytes() {
        #expect(Secret("hunter2") == Secret("hunter2"))
        #expect(Secret("hunter2") != Secret("hunter3"))
        #expect(Secret("hunter2") != Secret("hunter22"))
        #expect(Secret("") == Secret(""))
        #expect(Secret("caf\u{E9}") != Secret("cafe\u{301}"))
        #expect(Set([Secret("a"), Secret("a"), Secret("b")]).count == 2)
    }

    /// A Twitter credential acts for the person with both halves: neither shows, in `dump` either.
    @Test func aTwitterCredentialShowsNeitherHalf() {
        let credential = TwitterCredential(token: "123-ACCESSTOKEN", secret: Secret("hunter2-very-secret"))
        var dumped = ""
        dump(credential, to: &dumped)
        for text in [String(describing: credential), String(reflecting: credential), dumped] {
            let showsToken = text.contains("ACCESSTOKEN")
            let showsSecret = text.contains("hunter2")
            #expect(!showsToken, "the access token is in the credential's description or dump")
            #expect(!showsSecret, "the token secret is in the credential's description or dump")
            #expect(text.contains("TwitterCredential"))
        }
    }

    struct PendingAuthorizationProbe {
        var secret: Secret
    }
}

/// A name the store did not choose (a Twitter display name) is kept as the rules for names allow, so that an export
/// of it imports again.
@Test(arguments: [
    ("Ann Smith ", "Ann Smith"), ("\u{2028}Ann\u{2029}", "Ann"), ("Bo\u{7}b", "Bob"), ("a\u{0}b", "ab"),
    // (white space that is a control character parts words: until session 61 `Ann\tLee` was kept as `AnnLee`)
    ("Ann\tLee", "Ann Lee"), ("Ann\r\nLee", "Ann Lee"), ("Ann \tLee", "Ann Lee"), ("Ann\u{85}Lee", "Ann Lee"),
    (String(repeating: "é", count: 120), String(repeating: "é", count: 100)), ("   ", ""),
])
func aStorableNameKeepsTheRulesForNames(name: String, stored: String) {
    #expect(PersonName.storable(name) == stored)
    #expect(PersonName.problem(with: PersonName.storable(name)) == nil)
}

/// A character may hold any number of code points: a run of Hangul leading jamo is one. A name is also bounded in
/// bytes, so that a hundred such characters cannot hold hundreds of kilobytes.
@Test func aNameIsBoundedInBytesAsWellAsCharacters() {
    let jamo = "한" + String(repeating: "\u{1100}", count: 3_000)
    #expect(jamo.count <= 2)
    #expect(PersonName.problem(with: jamo) == "must be at most 1000 bytes (UTF-8)")
    let stored = PersonName.storable(jamo)
    #expect(PersonName.problem(with: stored) == nil && stored.utf8.count <= PersonName.maximumBytes)
}
