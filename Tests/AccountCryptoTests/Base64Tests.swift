import AccountCrypto
import Testing

struct Base64Tests {
    /// RFC 4648 §10 test vectors: https://www.rfc-editor.org/rfc/rfc4648#section-10
    @Test(arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ])
    func matchesRFC4648(_ plain: String, _ encoded: String) {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(Base64.decode(encoded.utf8) == Array(plain.utf8))
    }

    @Test func roundTripsEveryByte() {
        let bytes = (0...255).map { UInt8($0) }
        #expect(Base64.decode(Base64.encode(bytes).utf8) == bytes)
    }

    @Test(arguments: [
        "Zg", "Zg=", "Zm9", "Z===", "Zh==", "Zm9=", "Zg==Zg==", "Zm9v YmFy", "Zm9v-_==", "Zm9v\n", "=Zm9",
    ])
    func refusesNonCanonicalInput(_ text: String) {
        #expect(Base64.decode(text.utf8) == nil)
    }
}
