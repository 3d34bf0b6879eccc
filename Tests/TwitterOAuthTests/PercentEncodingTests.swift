import Foundation
import Testing

import TwitterOAuth

struct PercentEncodingTests {
    @Test(arguments: [
        ("abcXYZ019", "abcXYZ019"),
        ("-._~", "-._~"),
        ("Ladies + Gentlemen", "Ladies%20%2B%20Gentlemen"),
        ("!*'();:@&=+$,/?#[]", "%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%2F%3F%23%5B%5D"),
        ("%", "%25"),
        ("Zoë", "Zo%C3%AB"),
        ("山田", "%E5%B1%B1%E7%94%B0"),
        ("☃", "%E2%98%83"),
        ("", ""),
    ])
    func encodesOnlyUnreservedCharactersAsIs(plain: String, encoded: String) {
        // When / Then
        #expect(PercentEncoding.encode(plain) == encoded)
        #expect(PercentEncoding.decode(encoded, plusIsSpace: false) == plain)
    }

    @Test func leavesExactlyTheUnreservedBytesOfRFC3986AsTheyAre() {
        // Given: RFC 3986 §2.3 spelled out, and every byte value through both encoders (contiguous and not)
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
        for byte in UInt8.min...UInt8.max {
            let expected =
                unreserved.contains(byte) ? [byte] : Array(String(format: "%%%02X", Int(byte)).utf8)
            var contiguous: [UInt8] = [0x21]
            PercentEncoding.encode([byte], into: &contiguous)
            var lazy: [UInt8] = []
            PercentEncoding.encode(CollectionOfOne(byte).lazy.map { $0 }, into: &lazy)
            // Then
            #expect(contiguous == [0x21] + expected, "byte \(byte)")
            #expect(lazy == expected, "byte \(byte)")
        }
    }

    @Test func usesUppercaseHexDigits() {
        #expect(PercentEncoding.encode("\u{1F}ÿ") == "%1F%C3%BF")
    }

    @Test(arguments: ["%", "%4", "%G0", "%zz", "abc%"])
    func refusesMalformedEscapes(text: String) {
        #expect(PercentEncoding.decode(text, plusIsSpace: false) == nil)
    }

    @Test func refusesEscapesThatAreNotUTF8() {
        #expect(PercentEncoding.decode("%FF%FE", plusIsSpace: false) == nil)
    }

    @Test func decodesPlusAsSpaceOnlyInForms() {
        #expect(PercentEncoding.decode("2+q", plusIsSpace: true) == "2 q")
        #expect(PercentEncoding.decode("2+q", plusIsSpace: false) == "2+q")
    }

    @Test func formDecodingKeepsOrderDuplicatesAndEmptyValues() throws {
        // Given
        let body = "c2&a3=2+q&a3=a&empty=&name%40=%3D%253D"
        // When
        let parameters = try #require(FormEncoding.decode(body))
        // Then
        #expect(
            parameters == [
                OAuthParameter(name: "c2", value: ""),
                OAuthParameter(name: "a3", value: "2 q"),
                OAuthParameter(name: "a3", value: "a"),
                OAuthParameter(name: "empty", value: ""),
                OAuthParameter(name: "name@", value: "=%3D"),
            ]
        )
    }

    @Test func formEncodingUsesPercentTwentyForSpaces() {
        let encoded = FormEncoding.encode([OAuthParameter(name: "status", value: "Hello Ladies + Gentlemen!")])
        #expect(encoded == "status=Hello%20Ladies%20%2B%20Gentlemen%21")
    }
}
