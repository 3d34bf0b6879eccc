import AccountCrypto
import Foundation
import Testing

/// README: ids may not hold invisible characters ("`\u{FEFF}k2` prints as `k2` and is another id"), and two ids of
/// one ring that print alike are refused (`equivalentKeyIDs`). The carve-out for a presentation selector after an
/// emoji (`SecretKey.selectsEmojiPresentation`) admits ids that print exactly as another one does: U+1F600 has emoji
/// presentation by default, so `😀` and `😀` + U+FE0F print alike; U+2764 has text presentation by default, so `❤` and
/// `❤` + U+FE0E print alike. Such a pair in one ring is refused as look-alike ids.
struct KeyIDPresentationSelectorPairTests {
    @Test(arguments: [
        ("\u{1F600}", "\u{1F600}\u{FE0F}"),  // emoji presentation by default, and the selector that asks for it
        ("\u{2764}", "\u{2764}\u{FE0E}"),  // text presentation by default, and the selector that asks for it
    ])
    func twoIDsThatDifferOnlyByTheDefaultPresentationSelectorAreNotOneRingsPair(plain: String, selected: String) {
        let keyA = Base64.encode(SecureRandom.bytes(count: 32))
        let keyB = Base64.encode(SecureRandom.bytes(count: 32))
        // (the later entry blamed, naming the earlier one it looks like)
        let refusal = KeyRingError.equivalentKeyIDs(
            selected, location: .environment(variable: "ACCOUNTS_KEYS", entry: 2), earlierID: plain,
            earlierLocation: .environment(variable: "ACCOUNTS_KEYS", entry: 1))
        #expect(throws: refusal, "a ring holds two key ids that print alike, or refuses them for another reason") {
            _ = try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": "\(plain):\(keyA),\(selected):\(keyB)"])
        }
    }
}
