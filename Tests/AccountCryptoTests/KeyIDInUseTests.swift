import AccountCrypto
import Foundation
import Testing

/// Key ids that earlier versions accepted, and that the rule against invisible characters keeps.
struct KeyIDInUseTests {
    /// `SecretKey.problem(withID:)`: "Ids that merely look random are accepted (ids in use must keep opening their
    /// values)". U+FE0F (VARIATION SELECTOR-16, category Mn, default-ignorable) is part of the ordinary spelling of many
    /// emoji (`❤️` is U+2764 U+FE0F, `☁️`, `⚠️`), and such ids loaded and sealed values: refused, the keys file (or
    /// `ACCOUNTS_KEYS`) holding one would no longer load, and every token secret sealed under it would be lost.
    @Test(arguments: ["prod\u{2764}\u{FE0F}", "\u{2601}\u{FE0F}2024"])
    func aKeyIDWithAnEmojiVariationSelectorThatEarlierVersionsAcceptedStillLoads(_ id: String) {
        let key = Base64.encode([UInt8](repeating: 0x11, count: 32))
        var problem: KeyRingError?
        do {
            _ = try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": "\(id):\(key)"])
        } catch {
            problem = error
        }
        #expect(problem == nil, "a key id accepted (and used to seal) by the previous version no longer loads")
    }
}
