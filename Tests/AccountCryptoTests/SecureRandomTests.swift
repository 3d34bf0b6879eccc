import AccountCrypto
import Testing

struct SecureRandomTests {
    @Test(arguments: [0, 1, 12, 32, 1000])
    func returnsTheRequestedCount(_ count: Int) {
        #expect(SecureRandom.bytes(count: count).count == count)
    }

    @Test func returnsDifferentBytesEachTime() {
        // Two 32-byte draws collide with probability 2^-256.
        #expect(SecureRandom.bytes(count: 32) != SecureRandom.bytes(count: 32))
    }
}
