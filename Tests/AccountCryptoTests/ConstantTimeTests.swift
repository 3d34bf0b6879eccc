import AccountCrypto
import Testing

struct ConstantTimeTests {
    @Test func equalBytesAreEqual() {
        #expect(ConstantTime.equals([1, 2, 3] as [UInt8], [1, 2, 3] as [UInt8]))
        #expect(ConstantTime.equals([UInt8](), [UInt8]()))
    }

    @Test(arguments: [0, 1, 31])
    func aDifferenceAnywhereIsNotEqual(_ index: Int) {
        // Given
        let a = [UInt8](repeating: 7, count: 32)
        var b = a
        b[index] ^= 0x80

        // Then
        #expect(!ConstantTime.equals(a, b))
    }

    @Test func differentLengthsAreNotEqual() {
        #expect(!ConstantTime.equals([1, 2, 3] as [UInt8], [1, 2] as [UInt8]))
        #expect(!ConstantTime.equals([UInt8](), [0] as [UInt8]))
    }

    @Test func comparesStringsByTheirUTF8() {
        #expect(ConstantTime.equals("oauth_token_ü", "oauth_token_ü"))
        #expect(!ConstantTime.equals("token-a", "token-b"))
        #expect(!ConstantTime.equals("token", "token "))
        // "é" precomposed and decomposed are different bytes: no normalisation.
        #expect(!ConstantTime.equals("\u{e9}", "e\u{301}"))
    }

    @Test func acceptsSlicesAndViews() {
        let bytes: [UInt8] = [9, 1, 2, 3, 9]
        #expect(ConstantTime.equals(bytes[1...3], [1, 2, 3] as [UInt8]))
        #expect(ConstantTime.equals("abc".utf8, [97, 98, 99] as [UInt8]))
    }
}
