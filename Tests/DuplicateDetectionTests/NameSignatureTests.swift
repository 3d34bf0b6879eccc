import TestSupport
import Testing

@testable import DuplicateDetection

/// The signature under which a comparer remembers a handle's surprise: the name words of a pair in their roles,
/// whatever the order of the slots, and nothing else.
@Suite(.offThePool)
struct NameSignatureTests {
    static func signature(_ slots: [AccountTable.NameSlot]) -> UInt64 {
        slots.reduce(0) { PairScorer.nameSignature(adding: $1, to: $0) }
    }

    static func name(_ given: Int32, _ family: [Int32]) -> AccountTable.NameSlot {
        AccountTable.NameSlot(given: given, family: family)
    }

    @Test func theSameWordsInOtherRolesGiveAnotherSignature() {
        // Lee Morgan twice, Morgan Lee twice, and one of each: a given name explains a handle through its nicknames
        // and endings, a family name through its spellings only, so these must not share what a comparer remembers.
        let (lee, morgan): (Int32, Int32) = (17, 42)
        let leeMorgan = Self.signature([Self.name(lee, [morgan]), Self.name(lee, [morgan])])
        let morganLee = Self.signature([Self.name(morgan, [lee]), Self.name(morgan, [lee])])
        let mixed = Self.signature([Self.name(lee, [morgan]), Self.name(morgan, [lee])])
        #expect(leeMorgan != morganLee)
        #expect(leeMorgan != mixed && morganLee != mixed)
    }

    @Test func wordsWhoseIdsSumAlikeGiveAnotherSignature() {
        let fiveSix = Self.signature([Self.name(5, [9]), Self.name(6, [9])])
        let fourSeven = Self.signature([Self.name(4, [9]), Self.name(7, [9])])
        #expect(fiveSix != fourSeven)
        // A second family word against a third (roles 4 and 5 differ by the same as 3 and 4).
        let second = Self.signature([Self.name(1, [2, 3]), Self.name(1, [2, 3, 4])])
        let shifted = Self.signature([Self.name(1, [2, 3, 4]), Self.name(1, [2, 3])])
        #expect(second == shifted, "the order of the slots does not matter")
        let moved = Self.signature([Self.name(1, [2, 4]), Self.name(1, [2, 3, 3])])
        #expect(second != moved)
    }

    @Test func theOrderOfTheSlotsAndEmptySlotsDoNotMatter() {
        let a = Self.name(3, [8, 11])
        let b = Self.name(5, [8])
        let empty = AccountTable.NameSlot()
        #expect(Self.signature([a, b]) == Self.signature([b, a]))
        #expect(Self.signature([a, empty, b, empty]) == Self.signature([a, b]))
        #expect(Self.signature([empty, empty]) == 0)
    }
}
