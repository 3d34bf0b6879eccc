import AccountCrypto
import Testing

/// Test cases 1–7 of RFC 2202 §3, "Test Cases for HMAC-SHA-1": https://www.rfc-editor.org/rfc/rfc2202#section-3
struct HMACSHA1Tests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let number: Int
        let key: [UInt8]
        let message: [UInt8]
        let digest: String
        var testDescription: String { "RFC 2202 test case \(number)" }
    }

    static let vectors: [Vector] = [
        Vector(
            number: 1, key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8),
            digest: "b617318655057264e28bc0b6fb378c8ef146be00"),
        Vector(
            number: 2, key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8),
            digest: "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
        Vector(
            number: 3, key: [UInt8](repeating: 0xaa, count: 20), message: [UInt8](repeating: 0xdd, count: 50),
            digest: "125d7342b9ac11cd91a39af48aa17b4f63f175d3"),
        Vector(
            number: 4, key: Array(1...25), message: [UInt8](repeating: 0xcd, count: 50),
            digest: "4c9007f4026250c6bc8414f9bf50c86c2d7235da"),
        Vector(
            number: 5, key: [UInt8](repeating: 0x0c, count: 20), message: Array("Test With Truncation".utf8),
            digest: "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"),
        Vector(
            number: 6, key: [UInt8](repeating: 0xaa, count: 80),
            message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
            digest: "aa4ae5e15272d00e95705637ce8a3b55ed402112"),
        Vector(
            number: 7, key: [UInt8](repeating: 0xaa, count: 80),
            message: Array("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data".utf8),
            digest: "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"),
    ]

    @Test(arguments: vectors)
    func matchesRFC2202(_ vector: Vector) {
        // When
        let mac = HMACSHA1.authenticationCode(key: vector.key, message: vector.message)

        // Then
        #expect(mac.count == HMACSHA1.byteCount)
        #expect(hex(mac) == vector.digest)
    }

    @Test func acceptsNonContiguousCollections() {
        // Given: RFC 2202 test case 2 as String.UTF8View and a lazily mapped collection
        let key = "Jefe".utf8
        let message = "what do ya want for nothing?".utf8.lazy.map { $0 }

        // Then
        #expect(hex(HMACSHA1.authenticationCode(key: key, message: message)) == Self.vectors[1].digest)
    }

    @Test func acceptsEmptyKeyAndMessage() {
        // HMAC_SHA1("", "") = fbdb1d1b18aa6c08324b7d64b71fb76370690e1d (well-known value, e.g. Wikipedia "HMAC")
        let mac = HMACSHA1.authenticationCode(key: [UInt8](), message: [UInt8]())
        #expect(hex(mac) == "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d")
    }
}
