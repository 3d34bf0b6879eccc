import AccountMatching
import Testing

struct NicknamesTests {
    @Test(arguments: [
        ("Bob", "Robert"), ("bobby", "ROBERT"), ("Liz", "Elizabeth"), ("Beth", "Elizabeth"), ("Bill", "William"),
        ("Will", "William"), ("Jim", "James"), ("Peggy", "Margaret"), ("Dick", "Richard"), ("Jack", "John"),
        ("Tony", "Anthony"), ("Kate", "Katherine"), ("Kate", "Catherine"), ("Sue", "Susan"), ("Chuck", "Charles"),
        ("Ted", "Edward"), ("Ted", "Theodore"), ("Bob", "Rob"), ("Liz", "Betty"), ("Jackie", "Jacqueline"),
        ("Ray", "Raymond"), ("Terri", "Teresa"), ("Terri", "Theresa"), ("Ginny", "Virginia"), ("Russ", "Russell"),
    ])
    func relatesNicknamesToFullNames(_ nickname: String, _ full: String) {
        #expect(Nicknames.english.areEquivalent(nickname, full))
        #expect(Nicknames.english.areEquivalent(full, nickname))
    }

    @Test(arguments: [("Bob", "Bill"), ("Mark", "Mary"), ("Daniel", "Danielle"), ("Liz", "Lisa"), ("John", "Jane")])
    func keepsDifferentNamesApart(_ first: String, _ second: String) {
        #expect(!Nicknames.english.areEquivalent(first, second))
    }

    @Test func aNicknameMayStandForSeveralNames() {
        #expect(Nicknames.english.fullNames(of: "Chris") == ["christian", "christina", "christine", "christopher"])
        #expect(Nicknames.english.areEquivalent("Christopher", "Chris"))
        #expect(Nicknames.english.areEquivalent("Christine", "Chris"))
        // Chris links to both, but Christopher and Christine are not the same name.
        #expect(!Nicknames.english.areEquivalent("Christopher", "Christine"))
    }

    @Test func unknownNamesStandForThemselves() {
        #expect(Nicknames.english.fullNames(of: "Zebulon") == ["zebulon"])
        #expect(Nicknames.english.areEquivalent("Zebulon", "ZEBULON"))
        #expect(!Nicknames.english.isKnown("Zebulon"))
    }

    @Test func theTableCanBeExtended() {
        #expect(!Nicknames.english.areEquivalent("Zeb", "Zebulon"))
        let extended = Nicknames.english.adding(["zebulon": ["zeb"], "robert": ["bert"]])
        #expect(extended.areEquivalent("Zeb", "Zebulon"))
        #expect(extended.areEquivalent("Bob", "Robert"))
        #expect(extended.variants(of: "Zebulon") == ["zeb", "zebulon"])
    }

    @Test func tableIsReasonablyComplete() {
        // At least a hundred full names with nicknames, and each nickname folded.
        let names = Nicknames.english.allNames
        #expect(names.count > 300)
        #expect(names.allSatisfy { $0 == $0.lowercased() })
    }
}
