import AccountModel
import Testing

struct UserIDTests {
    @Test(arguments: [
        ([UInt8](repeating: 0x00, count: 16), "00000000-0000-4000-8000-000000000000"),
        ([UInt8](repeating: 0xFF, count: 16), "ffffffff-ffff-4fff-bfff-ffffffffffff"),
        (Array(0x10...0x1F), "10111213-1415-4617-9819-1a1b1c1d1e1f"),
    ])
    func aRandomIDFromBytesIsALowercaseVersion4UUID(bytes: [UInt8], expected: String) throws {
        let id = UserID.random(fromBytes: bytes)
        #expect(id.rawValue == expected)
        #expect(UserID(expected) == id)
    }
}
