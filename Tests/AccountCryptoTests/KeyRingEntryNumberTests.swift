import AccountCrypto
import Foundation
import Testing

/// How `ACCOUNTS_KEYS` errors number their entries.
struct KeyRingEntryNumberTests {
    let keyB = Base64.encode(SecureRandom.bytes(count: 32))

    /// A value written one entry a line with a comma at each line's end (`k2:…,⏎k1:…`, as a YAML or compose file
    /// gives it, and as `toleratesWhitespaceAndATrailingComma` accepts) holds two entries. An error in the second must
    /// say "entry 2": the comma and the line break are one separator, not two with an empty entry between them.
    /// Before, it said "entry 3" of a value with two entries.
    @Test func aCommaAtTheEndOfALineIsOneSeparatorWhenEntriesAreNumbered() throws {
        let error = try #require(throws: KeyRingError.self) {
            try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": "k2:\(keyB),\nk1:QUJD"])
        }
        #expect(
            error
                == .wrongKeyLength(
                    keyID: "k1", byteCount: 3, location: .environment(variable: "ACCOUNTS_KEYS", entry: 2)),
            "\(error)")
        #expect(String(describing: error).contains("ACCOUNTS_KEYS entry 2"), "\(error)")
        let showsKeyB = String(describing: error).contains(keyB)
        #expect(!showsKeyB, "key k2's material is in the error's description")
    }
}
