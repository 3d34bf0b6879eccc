import AccountMatching
import TestSupport
import Testing

@Suite(.offThePool)
struct NicknamesTests {
    @Test(arguments: [
        ("Bob", "Robert"), ("bobby", "ROBERT"), ("Liz", "Elizabeth"), ("Beth", "Elizabeth"), ("Bill", "William"),
        ("Will", "William"), ("Jim", "James"), ("Peggy", "Margaret"), ("Dick", "Richard"), ("Jack", "John"),
        ("Tony", "Anthony"), ("Kate", "Katherine"), ("Kate", "Catherine"), ("Sue", "Susan"), ("Chuck", "Charles"),
        ("Ted", "Edward"), ("Ted", "Theodore"), ("Bob", "Rob"), ("Liz", "Betty"), ("Jackie", "Jacqueline"),
        ("Ray", "Raymond"), ("Terri", "Teresa"), ("Terri", "Theresa"), ("Ginny", "Virginia"), ("Russ", "Russell"),
        // The second half of the table: less common English names, and Spanish, German, Italian and Russian ones.
        ("Kathy", "Kathryn"), ("Bobbie", "Roberta"), ("Millie", "Mildred"), ("Jerry", "Jeremy"), ("Zeke", "Ezekiel"),
        ("Gus", "Augustus"), ("Trixie", "Beatrice"), ("Marge", "Marjorie"), ("Stan", "Stanley"), ("Wes", "Wesley"),
        ("Pepe", "José"), ("Paco", "Francisco"), ("Nacho", "Ignacio"), ("Lupe", "Guadalupe"), ("Hans", "Johann"),
        ("Fritz", "Friedrich"), ("Gianni", "Giovanni"), ("Sasha", "Aleksandr"), ("Sasha", "Alexandra"),
        ("Misha", "Mikhail"), ("Katya", "Ekaterina"), ("Greta", "Margaret"), ("Kris", "Kristen"), ("Max", "Maxwell"),
        ("Deb", "Debra"), ("Gaz", "Gary"), ("Kristy", "Kristina"), ("Kristi", "Kristine"), ("Jill", "Jillian"),
        ("Jeff", "Jeffery"), ("Terry", "Terrence"), ("Nic", "Nicole"),
    ])
    func relatesNicknamesToFullNames(_ nickname: String, _ full: String) {
        #expect(Nicknames.english.areEquivalent(nickname, full))
        #expect(Nicknames.english.areEquivalent(full, nickname))
    }

    @Test(arguments: [
        ("Bob", "Bill"), ("Mark", "Mary"), ("Daniel", "Danielle"), ("Liz", "Lisa"), ("John", "Jane"),
        // Names sharing a nickname are not one name: Robert and Roberta (Bobby), Gerald and Jeremy (Jerry),
        // Maxwell and Maxine (Max), Dominic and Nicholas (Nick).
        ("Robert", "Roberta"), ("Gerald", "Jeremy"), ("Maxwell", "Maxine"), ("Dominic", "Nicholas"),
    ])
    func keepsDifferentNamesApart(_ first: String, _ second: String) {
        #expect(!Nicknames.english.areEquivalent(first, second))
    }

    @Test func aNicknameMayStandForSeveralNames() {
        let chris = ["christian", "christina", "christine", "christoph", "christopher", "kristopher"]
        #expect(Nicknames.english.fullNames(of: "Chris") == chris)
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

    /// The loading shortcut (`isKnown(folded:)`): a name the table does not know is its own only variant and full
    /// name, and every name the table knows is known folded.
    @Test func anUnknownNameIsItsOwnOnlyVariant() {
        let table = Nicknames.english
        for name in ["Zebulon", "Müller", "O'Brien", "ｚｅｂ", "Nguyễn"] {
            let folded = NameText.fold(name)
            #expect(!table.isKnown(folded: folded), "\(name)")
            #expect(table.variants(of: name) == [folded], "\(name)")
            #expect(table.fullNames(of: name) == [folded], "\(name)")
        }
        #expect(table.allNames.count > 500)
        for name in table.allNames { #expect(table.isKnown(folded: name) && table.isKnown(name), "\(name)") }
        #expect(table.isKnown(folded: NameText.fold("Bob")))
    }

    @Test func theTableCanBeExtended() {
        #expect(!Nicknames.english.areEquivalent("Zeb", "Zebulon"))
        let extended = Nicknames.english.adding(["zebulon": ["zeb"], "robert": ["bert"]])
        #expect(extended.areEquivalent("Zeb", "Zebulon"))
        #expect(extended.areEquivalent("Bob", "Robert"))
        #expect(extended.variants(of: "Zebulon") == ["zeb", "zebulon"])
    }

    @Test func tableIsReasonablyComplete() {
        // Over three hundred full names with their nicknames: more than five hundred names, each folded.
        let names = Nicknames.english.allNames
        #expect(names.count > 500)
        #expect(names.allSatisfy { $0 == $0.lowercased() })
    }
}
