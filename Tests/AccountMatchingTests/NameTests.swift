import AccountMatching
import Foundation
import TestSupport
import Testing

@Suite(.offThePool)
struct NameTextTests {
    @Test(arguments: [
        ("Zoë Ångström", ["zoe", "angstrom"]),
        ("ZOE ANGSTROM", ["zoe", "angstrom"]),
        ("Ｚｏｅ　Ａｎｇｓｔｒｏｍ", ["zoe", "angstrom"]),
        ("Zoe\u{308} A\u{30A}ngstro\u{308}m", ["zoe", "angstrom"]),
        ("O'Brien-Smith", ["obrien", "smith"]),
        ("Łukasz Straße", ["lukasz", "strasse"]),
        ("Søren Æbelø", ["soren", "aebelo"]),
        ("John 🇺🇸 Smith!", ["john", "smith"]),
        ("山田 太郎", ["山田", "太郎"]),
        // Letters and symbols with no lowercase of their own, whose compatibility form is a capital: display-name
        // fonts.
        ("𝓙𝓸𝓱𝓷 𝓢𝓶𝓲𝓽𝓱", ["john", "smith"]),
        ("𝐉𝐎𝐇𝐍 ℌ𝔞𝔫𝔰 🄰", ["john", "hans", "a"]),
        ("ⓙⓞⓗⓝ ⓢⓜⓘⓣⓗ", ["john", "smith"]),
        // A symbol standing for several letters is no word of the name.
        ("John Smith™", ["john", "smith"]),
        ("Anna℠ Lee №1", ["anna", "lee", "1"]),
    ])
    func foldsCaseAccentsAndWidth(_ text: String, _ expected: [String]) {
        #expect(NameText.tokens(text) == expected)
    }

    /// ASCII text takes a byte-by-byte path: it must read the same words as the Unicode path, which the same text
    /// with one accented word after it takes.
    @Test(arguments: [
        "O'Brien-Smith", "d`Arcy  Mc_Kay\t84", "Dr. JOHN Q. Public, Jr.", "  anna.wilson+news ", "x", "", "--", "R2-D2",
    ])
    func asciiTextReadsAsTheUnicodePathReadsIt(_ text: String) {
        let unicode = NameText.tokens(text + " é")
        #expect(unicode.last == "e")
        #expect(NameText.tokens(text) == Array(unicode.dropLast()))
    }

    @Test(arguments: [
        ("Müller", "Mueller"), ("Jürgen Schröder", "Juergen Schroeder"), ("JÄGER", "JAEGER"), ("Ärger", "Aerger"),
        ("Mu\u{308}ller", "Mueller"), ("Straße", nil), ("Smith", nil), ("Zoë", nil),
    ])
    func spellsOutGermanUmlauts(_ text: String, _ expected: String?) {
        #expect(NameText.spellingOutUmlauts(text) == expected)
    }

    /// Texts of accented Latin letters, Vietnamese, combining marks, punctuation and emoji are folded scalar by
    /// scalar from a table; the result must be what folding the whole text through Foundation gives, for names as
    /// people write them and for texts of scalars drawn at random from those ranges (marks after letters, capitals
    /// whose lowercase decomposes, letters whose compatibility form is another letter: `ǅ`, `ℌ`, `İ`).
    @Test func foldingByScalarIsFoldingTheWholeText() {
        let names = [
            "Jürgen Müller 🇩🇪", "Phan Văn Dũng 🌻", "DŨNG TRẦN", "Zeyno Şahin", "İSTANBUL ıi", "ǅemal ǈuba",
            "Zoe\u{308} A\u{30A}ngstro\u{308}m", "Łukasz Straße ẞ", "Ōtsuka Ǣ ǽ", "the real José 🏳️\u{200D}🌈",
            "Marcel·lí O’Brien", "ℌans ℓ ⅷ ① ⁴", "Kyunghoon | Software Engineer — CTO • ✨", "ŉ ſ ĸ ħ ŋ đ ð þ",
        ]
        // Scalars compared, not strings: `==` on strings would take a text for its canonical equivalent.
        func scalars(_ text: String) -> [Unicode.Scalar] { Array(text.unicodeScalars) }
        for name in names {
            #expect(scalars(NameText.fold(name)) == scalars(NameText.foldedWithFoundation(name)), "\(name)")
        }
        // Every range of the table, ASCII capitals, and scripts beyond the table (Greek, Cyrillic, Hangul), whose
        // texts go the whole-text way.
        let ranges: [ClosedRange<UInt32>] = [
            0x41...0x5A, 0x80...0x36F, 0x1E00...0x1EFF, 0x2000...0x2BFF, 0xFE00...0xFE0F, 0x1F000...0x1FAFF,
            0x370...0x4FF, 0xAC00...0xAC20,
        ]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        for _ in 0..<5_000 {
            var text = String.UnicodeScalarView()
            for _ in 0..<(1 + next(8)) {
                let range = ranges[next(ranges.count)]
                if let scalar = Unicode.Scalar(range.lowerBound + UInt32(next(range.count))) { text.append(scalar) }
            }
            let string = String(text)
            #expect(
                scalars(NameText.fold(string)) == scalars(NameText.foldedWithFoundation(string)),
                "\(string.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    @Test func alphanumericsDropEverythingElse() {
        #expect(NameText.alphanumerics("John.Smith_84") == "johnsmith84")
        #expect(NameText.alphanumerics("Zoë-Ångström") == "zoeangstrom")
    }
}

@Suite(.offThePool)
struct PersonNameTests {
    @Test(arguments: [
        ("John Smith", "john", ["smith"]),
        ("Dr. John Paul Smith Jr.", "john", ["paul", "smith"]),
        ("Smith, John", "john", ["smith"]),
        ("JohnSmith", "john", ["smith"]),
        ("JohnSmith,John", "john", ["johnsmith"]),
        ("Smith,\tJohn", "john", ["smith"]),
        // A comma with an accent on it is no comma (one character): the camel-cased name is still split.
        ("JohnSmith,\u{301}", "john", ["smith"]),
        ("Jan van der Berg", "jan", ["berg"]),
        ("Zoë Ångström 🇸🇪", "zoe", ["angstrom"]),
        ("Cher", "cher", []),
        ("Rajesh Patel | Founder", "rajesh", ["patel"]),
        ("Sarah Fischer • Dad of 3", "sarah", ["fischer"]),
        ("Tommy Wilson (he/him)", "tommy", ["wilson"]),
        ("Sam Lee she/her", "sam", ["lee"]),
        ("Jessica Nelson, PhD", "jessica", ["nelson"]),
        ("Anna Smith-Jones - Baker", "anna", ["smith", "jones"]),
        // A hyphenated first word is one given name (Sang-hye is not a Sang); other hyphens join family names.
        ("Mary-Kate Olsen", "marykate", ["olsen"]),
        ("Sang-hye Kim", "sanghye", ["kim"]),
        ("Dupont, Jean-Pierre", "jeanpierre", ["dupont"]),
        ("Jean-Pierre Dupont-Aignan", "jeanpierre", ["dupont", "aignan"]),
        ("Dr. Jean-Pierre Dupont", "jeanpierre", ["dupont"]),
        // Separators before the name, a name all in brackets, an unclosed bracket, a word with a middle dot.
        ("• Anna Smith •", "anna", ["smith"]),
        ("- Anna Smith | x", "anna", ["smith"]),
        ("(Anna Smith)", "anna", ["smith"]),
        ("Anna :( Smith", "anna", ["smith"]),
        ("Marcel·lí Puig", "marcelli", ["puig"]),
        ("Anna Smith\u{A0}-\u{A0}Designer", "anna", ["smith"]),
        ("JohnSmith | Designer", "john", ["smith"]),
        // "The" is no one's family name: two Richards "the Retro" and "the Hockey" share no family word.
        ("Richard the Retro", "richard", ["retro"]),
    ])
    func parsesDisplayNames(_ display: String, _ given: String, _ family: [String]) {
        let name = PersonName(displayName: display)
        #expect(name?.given == given)
        #expect(name?.family == family)
    }

    /// The duplicate report reads most display names through `plainDisplayName` instead of the full parse: where it
    /// reads a name, it must read what the parse reads, and it must leave alone what the parse reads otherwise.
    @Test(arguments: [
        ("Sarah Annsboro", true), ("JOHN SMITH", true), ("ava b", true), ("A B", true), ("Mr Smith", false),
        ("Dr Jane", false), ("John Jr", false), ("Jessica PhD", false), ("Mx Lee", false), ("Richard the", true),
        ("Richard the Retro", false), ("JohnSmith", false), ("John  Smith", false), (" John Smith", false),
        ("John Smith ", false), ("John-Paul Smith", false), ("Zoë Smith", false), ("John Smith2", false),
        ("O'Brien Kate", false), ("John\tSmith", false), ("Smith, John", false), ("John", false), ("", false),
    ])
    func readsPlainDisplayNamesAsTheParseDoes(_ display: String, _ plain: Bool) throws {
        let read = Array(display.utf8).withUnsafeBufferPointer { PersonName.plainDisplayName($0) }
        #expect((read != nil) == plain)
        guard let read else { return }
        let parsed = try #require(PersonName(displayName: display))
        #expect(read.given == parsed.given)
        #expect([read.family] == parsed.family)
    }

    @Test func aTitleAloneInTheFirstNameGivesWayToTheLastName() {
        // Registration splits `Prof. Kat Murphy` into `Prof.` and `Kat Murphy`.
        let name = PersonName(first: "Prof.", last: "Kat Murphy")
        #expect(name?.given == "kat")
        #expect(name?.family == ["murphy"])
        #expect(name?.compare(PersonName(first: "Kathleen", last: "Murphy")!) == .nickname)
        #expect(PersonName(first: "Dr", last: "Smith")?.given == "dr")
    }

    @Test func needsLetters() {
        #expect(PersonName(displayName: "🌈✨") == nil)
        #expect(PersonName(first: nil, last: "Smith") == nil)
        #expect(PersonName(first: "  ", last: "Smith") == nil)
    }

    @Test(arguments: [
        ("John", "Smith", "John Smith", NameAgreement.exact),
        ("JOHN", "SMITH", "john smith", .exact),
        ("Zoë", "Ångström", "Zoe Angstrom", .exact),
        ("Robert", "Jones", "Bob Jones", .nickname),
        ("Elizabeth", "Taylor", "Liz Taylor", .nickname),
        ("Jonathan", "Smith", "Jonathon Smith", .typo),
        ("John", "Smith", "John Smtih", .typo),
        ("John", "Smith", "Smith John", .swapped),
        ("John", "Smith", "J Smith", .initial),
        ("John", "Smith", "John", .givenOnly),
        ("John", "Smith", "Mary Smith", .conflict),
        ("John", "Smith", "John Jones", .conflict),
        ("John", "Smith", "Mary", .conflict),
        // Siblings, not typos: one name is the other with a letter or two added, or both are known names.
        ("Alan", "Duncan", "Alana Duncan", .conflict),
        ("Paul", "Kim", "Paula Kim", .conflict),
        ("Daniel", "Ruiz", "Danielle Ruiz", .conflict),
        ("Mark", "Lee", "Mary Lee", .conflict),
        ("Jean-Pierre", "Dupont", "Jean-Pierre Dupont", .exact),
        ("Jean-Pierre", "Dupont", "Jean-Luc Dupont", .conflict),
        ("Jean-Pierre", "Dupont", "Jean Pierre Dupont", .exact),
        ("Jean Pierre", "Dupont", "Dr. Jean-Pierre Dupont", .exact),
        ("Sang-hye", "Kim", "Sang-hyun Kim", .typo),
        // A letter written twice is a slip of the keyboard, even at the end or where Jaro–Winkler says 0.88.
        ("Amy", "Rose", "Amyy Rose", .typo),
        ("Vara", "Moququma", "Vaara Moququma", .typo),
        ("Mark", "Nelson", "Mark Nelsson", .typo),
        // Russian given names: their usual Latin spellings and their diminutives.
        ("Yuri", "Orlov", "Yura Orlov", .nickname),
        ("Yuriy", "Orlov", "Yury Orlov", .nickname),
        ("Sergey", "Ivanov", "Sergei Ivanov", .nickname),
        ("Maria", "Petrova", "Masha Petrova", .nickname),
        ("Elizaveta", "Fedorova", "Liza Fedorova", .nickname),
        ("Evgeniia", "Matveeva", "Zhenya Matveeva", .nickname),
        ("Aleksey", "Mikhaylov", "Lyosha Mikhaylov", .nickname),
        // Diminutives of other languages: Spanish, Portuguese, Italian, German, Polish, Yoruba and Igbo, Indian.
        ("Rafael", "Soto", "Rafa Soto", .nickname),
        ("Gabriel", "Costa", "Biel Costa", .nickname),
        ("Matheus", "Machado", "Teteu Machado", .nickname),
        ("Vincenzo", "Greco", "Enzo Greco", .nickname),
        ("Dieter", "Winkler", "Didi Winkler", .nickname),
        ("Krzysztof", "Kwiatkowski", "Krzysiek Kwiatkowski", .nickname),
        ("Małgorzata", "Nowak", "Gosia Nowak", .nickname),
        ("Jarosław", "Ostrowski", "Jarek Ostrowski", .nickname),
        ("Babatunde", "Adebayo", "Tunde Adebayo", .nickname),
        ("Oluwaseun", "Akonna", "Seun Akonna", .nickname),
        ("Ifeanyi", "Okafor", "Ify Okafor", .nickname),
        ("Rajesh", "Krishnan", "Raju Krishnan", .nickname),
        // A last name holding only what followed the name in a display name (a tagline, pronouns) is no family name.
        ("Kyunghoon", "| Software Engineer", "Kyunghoon Lee", .givenOnly),
        ("Reinhehild", "(they/them)", "Reinhehild Lange", .givenOnly),
        ("Mimmo", "he/him", "Mimmo Greco", .givenOnly),
        ("Reinold", "Scholz | CPA", "Reinold Scholz", .exact),
        // A display name in a font of letters with no lowercase (mathematical script, black-letter).
        ("John", "Smith", "𝓙𝓸𝓱𝓷 𝓢𝓶𝓲𝓽𝓱", .exact),
        ("Hans", "Müller", "ℌ𝔞𝔫𝔰 𝔐𝔲̈𝔩𝔩𝔢𝔯", .exact),
        ("John", "Smith", "ⓙⓞⓗⓝ ⓢⓜⓘⓣⓗ", .exact),
        // A trademark sign is no part of the family name.
        ("John", "Smith", "John Smith™", .exact),
        // One nickname for two names does not make the two names one.
        ("Vincenzo", "Greco", "Lorenzo Greco", .conflict),
        ("Ifeanyi", "Okafor", "Ifeoma Okafor", .conflict),
    ])
    func agreement(_ first: String, _ last: String, _ display: String, _ expected: NameAgreement) throws {
        let account = try #require(PersonName(first: first, last: last))
        let twitter = try #require(PersonName(displayName: display))
        #expect(account.compare(twitter) == expected)
        #expect(twitter.compare(account) == expected)
    }
}

@Suite(.offThePool)
struct TypoTests {
    @Test func aLetterWrittenTwiceIsATypo() {
        #expect(PersonName.isTypo("vara", "vaara"))
        #expect(PersonName.isTypo("amyy", "amy"))
        #expect(!PersonName.isExtension("amy", "amyy"))
        #expect(PersonName.isExtension("alan", "alana"))
        // Another letter added, or a letter written three times, is not a doubling.
        #expect(!PersonName.isDoubling(Array("vara".utf8), Array("vasra".utf8)))
        #expect(!PersonName.isDoubling(Array("amy".utf8), Array("amyyy".utf8)))
        #expect(!PersonName.isDoubling(Array("al".utf8), Array("all".utf8)))
        #expect(PersonName.isDoubling(Array("nelson".utf8), Array("nelsson".utf8)))
    }

    @Test(arguments: [
        ("karen", "kaaen", true),  // a letter changed
        ("barbara", "brbara", true),  // one left out
        ("leee", "lee", false),  // too short: three letters
        ("liigi", "ligi", true),  // one added
        ("brian", "brain", true),  // two neighbours swapped
        ("hunt", "hunt", false),  // the same word
        ("hunt", "hart", false),  // two letters changed
        ("mary", "marina", false),  // two added
        ("abcd", "bacd", true),  // swapped at the start
        ("abcd", "abdc", true),  // swapped at the end
        ("abcd", "abcde", true),  // added at the end
        ("abcd", "xabcd", true),  // added at the start
        ("abcd", "badc", false),  // two swaps
    ])
    func oneSlipApart(_ a: String, _ b: String, _ expected: Bool) {
        #expect(PersonName.isOneSlipApart(Array(a.unicodeScalars), Array(b.unicodeScalars)) == expected)
        #expect(PersonName.isOneSlipApart(Array(b.unicodeScalars), Array(a.unicodeScalars)) == expected)
    }

    @Test func aWordLongerThanAnyNameIsNoTypo() {
        // One character of a name field can hold any number of Hangul leading jamo: Jaro–Winkler on such words is
        // quadratic, so they are never typos of each other.
        let long = String(repeating: "\u{1100}", count: PersonName.longestTypoWord + 1)
        let typo = String(repeating: "\u{1100}", count: PersonName.longestTypoWord) + "\u{1101}"
        #expect(!PersonName.isTypo(long, typo))
        #expect(
            !PersonName.isTypo(
                String(repeating: "\u{1100}", count: 20_000), String(repeating: "\u{1101}", count: 20_000)))
        // At the limit, a typo is still a typo.
        let atLimit = String(repeating: "\u{1100}", count: PersonName.longestTypoWord - 1) + "\u{1101}"
        #expect(PersonName.isTypo(String(repeating: "\u{1100}", count: PersonName.longestTypoWord), atLimit))
    }

    @Test func aSlipAloneIsNoTypoForRegistration() {
        // Registration has no store to ask whether `Kaaen` is a name of its own: a slip under the Jaro–Winkler
        // threshold stays a different word there.
        #expect(!PersonName.isTypo("karen", "kaaen"))
    }
}

@Suite(.offThePool)
struct HandleTests {
    @Test(arguments: [
        ("jsmith84", "j_smith84", HandleAgreement.identical),
        ("JSmith84", "jsmith84", .identical),
        ("photoguy", "photoguy84", .sameLetters),
        ("jsmtih84", "jsmith84", .similar),
        ("aadams99", "theaadams99", .extended),
        ("susansorimita2", "susansorimita2001", .extended),
        ("abigailhoreva65", "abigailhoreva651", .extended),  // a 15-character screen name may be cut short
        ("hwarren3", "hwarren344", .different),  // otherwise more digits are another number,
        ("hwarren3", "hwarren3", .identical),
        ("hwarren3", "hwarren3445", .extended),  // unless three or more were added (a suggestion when it was taken),
        ("dherrera67", "dherrera677", .extended),  // or one or two behind a number of two digits or more
        ("amanda81", "amanda8168", .extended),
        ("csmits95", "csmits957", .extended),
        ("anitak19", "anitak1975", .different),  // but `19` or `20` and two more digits are a year of their own
        ("armstrongs20", "armstrongs2005", .different),
        ("bob2019", "bob201975", .extended),
        ("anitak19", "anitak197", .extended),
        ("ttaylor1990", "ttaylor199020", .extended),
        ("amanda81", "amanda816897", .extended),
        ("crimsonninja1976", "crimsonninja1976114", .extended),
        ("amanda816897", "816897amanda81", .different),
        // A word in front, and the rest cut at Twitter's 15 characters.
        ("thesilverrunner", "silverrunner34", .extended),
        ("the_silver_runne", "silverrunner34", .extended),
        ("realjsmithhiker", "jsmithhiker1984", .extended),
        ("realrunnerkat", "runnerkatie1984", .different),  // 9 characters after the word: too few to tell
        ("thesilverrun", "silverrunner34", .different),  // 12 characters: not cut
        ("thesilverrunner", "silverrider34", .different),
        // The end cut at Twitter's 15 characters to make room for a number, the name being taken.
        ("jessesanderso_8", "jessesanderson5", .extended),
        ("nervousconc6590", "nervousconcept2", .extended),
        ("jessesanderson5", "jessesanderso_8", .extended),
        ("silverphrase841", "silverphrase83", .different),  // another number, not a cut
        ("jessesand_8", "jessesanderson5", .different),  // 10 characters: not cut at 15
        ("jessesanderso8", "jessesandersonn", .extended),
        ("jessesanderso8", "jessesanders0n5", .different),
        ("christophermi5", "christophermil5", .similar),  // the same number: a typo, not a cut
        ("solar2001", "solar24", .different),
        ("jsmith84", "jsmith85", .different),
        ("alice", "bob", .different),
        ("", "", .different),
    ])
    func comparesNormalisedHandles(_ first: String, _ second: String, _ expected: HandleAgreement) {
        let a = Handle.normalize(first)
        let b = Handle.normalize(second)
        #expect(Handle.compare(a, b) == expected)
        #expect(Handle.compare(b, a) == expected)
    }

    @Test func aHandleLongerThanAnyRealOneIsNoTypo() {
        // One character of a screen name can hold any number of Hangul leading jamo (three bytes each): the edit
        // distance is quadratic, so such handles are never similar.
        let jamo = Handle.longestCompared / 3 + 1
        let long = Handle.normalize(String(repeating: "\u{1100}", count: jamo))
        let typo = Handle.normalize(String(repeating: "\u{1100}", count: jamo - 1) + "\u{1101}")
        #expect(long.utf8.count > Handle.longestCompared)
        #expect(Handle.compare(long, typo) == .different)
        let huge = Handle.normalize(String(repeating: "\u{1100}", count: 20_000) + "\u{1102}")
        let hugeTypo = Handle.normalize("\u{1102}" + String(repeating: "\u{1100}", count: 20_000))
        #expect(Handle.compare(huge, hugeTypo) == .different)
        #expect(Handle.compare(huge, huge) == .identical)
        // At the limit, a typo is still a typo.
        let atLimit = String(repeating: "a", count: Handle.longestCompared)
        let atLimitTypo = String(repeating: "a", count: Handle.longestCompared - 1) + "b"
        #expect(Handle.compare(atLimit, atLimitTypo) == .similar)
    }

    @Test func roleAddressesAreNoHandles() {
        #expect(Handle.fromMailbox("info@example.org") == nil)
        #expect(Handle.fromMailbox("j.smith@example.org") == "jsmith")
        #expect(Handle.fromMailbox("info+news@example.org") == nil)
    }

    /// A `+` tag is the address's, not the handle's, even where the mailbox keeps it (no documented plus-addressing).
    @Test func aPlusTagIsNoPartOfTheHandle() {
        #expect(Mailbox.normalize("laura_haselaar+news@aol.com") == "laura_haselaar+news@aol.com")
        #expect(Handle.fromMailbox("laura_haselaar+news@aol.com") == "laurahaselaar")
        #expect(Handle.fromMailbox("+nina@aol.com") == "nina")
    }

    /// The byte forms the duplicate report reads with agree with the string forms, ASCII or not.
    @Test(arguments: [
        "John.Smith_84", "Zoë_Ångström", "ＪＯＨＮ８４", "", "__--..", "straße", "o'brien", "山田太郎", "ADMIN", "x",
    ])
    func bytesNormaliseAsStringsDo(_ text: String) {
        var output: [UInt8] = [7]
        var text = text
        text.withUTF8 { Handle.appendNormalized($0, to: &output) }
        #expect(output == [7] + Array(Handle.normalize(text).utf8))
    }

    @Test(arguments: [
        "info@example.org", "j.smith@example.org", "administrator@x.org", "administrators@x.org", "me@x.org",
        "i.nfo@x.org", "zoë.å@bücher.example", "@example.org", "a.b+c@x.org", "+c@x.org", "info+c@x.org", "no-at-sign",
        "a@b@c.org", "__@x.org", "ＩＮＦＯ@x.org",
    ])
    func bytesFindMailboxHandlesAsStringsDo(_ mailbox: String) {
        var output: [UInt8] = [7]
        var mailbox = mailbox
        let found = mailbox.withUTF8 { Handle.appendFromMailbox($0, to: &output) }
        let expected = Handle.fromMailbox(mailbox)
        #expect(found == (expected != nil))
        #expect(output == [7] + Array((expected ?? "").utf8))
    }

    @Test(arguments: [
        ("jsmith", 0, 0),
        ("johnsmith", 0, 0),
        ("smithj", 0, 0),
        ("bobsmith", 0, 0),  // a nickname of the given name
        ("jsmith84", 0, 2),
        ("xyzjohnsmith", 3, 0),
        ("thejohnsmith", 0, 0),  // `the` is a particle
        ("jsmith1", 0, 1),
        ("johnsmi", 0, 0),  // cut short, as a 15-character screen name is
        ("danielle", 0, 0),  // a name anyone could use
        ("xxjohnxx", 0, 0),  // a name wrapped in `xX…Xx`
        ("xxbobsmith84xx", 0, 2),
    ])
    func countsWhatNamesDoNotExplain(_ handle: String, _ letters: Int, _ digits: Int) throws {
        let names = [try #require(PersonName(first: "Robert John", last: "Smith"))]
        let remainder = Handle.unexplained(handle, by: names)
        #expect(remainder.letters == letters, "\(handle)")
        #expect(remainder.digits == digits, "\(handle)")
    }

    @Test func explainsWithTheFewestLeftOver() throws {
        // `char` is a known name too, but `c` (an initial) + `harris` leaves nothing.
        let names = [try #require(PersonName(first: "Christopher", last: "Harris"))]
        #expect(Handle.unexplained("charris", by: names).letters == 0)
    }

    @Test func surpriseWeighsLettersYearsAndDigits() throws {
        let names = [try #require(PersonName(first: "John", last: "Smith"))]
        #expect(Handle.surprise("johnsmith", by: names) == 0)
        #expect(abs(Handle.surprise("jsmith84", by: names) - log2(50)) < 1e-9)  // a year
        #expect(abs(Handle.surprise("jsmith1984", by: names) - log2(50)) < 1e-9)
        // A year and its last two digits again (`jsmith1984` was taken), and a year written twice.
        #expect(abs(Handle.surprise("jsmith198484", by: names) - log2(50)) < 1e-9)
        #expect(abs(Handle.surprise(Handle.normalize("jsmith_1984.84"), by: names) - log2(50)) < 1e-9)
        #expect(abs(Handle.surprise("jsmith19841984", by: names) - log2(50)) < 1e-9)
        // Not the same two digits, or not a year: six digits.
        #expect(abs(Handle.surprise("jsmith198485", by: names) - 6 * log2(10)) < 1e-9)
        #expect(abs(Handle.surprise("jsmith123423", by: names) - 6 * log2(10)) < 1e-9)
        #expect(abs(Handle.surprise("jsmith427", by: names) - 3 * log2(10)) < 1e-9)
        #expect(Handle.surprise("xyzjohnsmith", by: names) == 3 * Handle.letterBits)
        // Particles are name fragments: `the` before a name, `del` of Del Rosario (dropped from the family name).
        #expect(Handle.surprise("thejohnsmith", by: names) == 0)
        let delRosario = [try #require(PersonName(first: "Maria", last: "Del Rosario"))]
        #expect(delRosario[0].family == ["rosario"])
        #expect(Handle.surprise("mariadelrosario", by: delRosario) == 0)
        // A number written twice is worth it written once.
        #expect(abs(Handle.surprise("jsmith19841984", by: names) - log2(50)) < 1e-9)
        #expect(abs(Handle.surprise("jsmith4242", by: names) - log2(50)) < 1e-9)  // 42, a two-digit number
        #expect(abs(Handle.surprise("jsmith19841985", by: names) - 8 * log2(10)) < 1e-9)
        // Numbers picked for being easy to remember are as common as a year.
        for memorable in ["jsmith777", "jsmith0000", "jsmith123", "jsmith4321", "jsmith007", "jsmith420"] {
            #expect(abs(Handle.surprise(memorable, by: names) - log2(50)) < 1e-9, "\(memorable)")
        }
        #expect(abs(Handle.surprise("jsmith1235", by: names) - 4 * log2(10)) < 1e-9)
        // Letters no name explains count for two words' worth at most, however many there are.
        #expect(Handle.surprise("johnsmith_braveastro", by: names) == Handle.maximumLetterBits)
        #expect(abs(Handle.surprise("braveastrorocket_84", by: names) - Handle.maximumLetterBits - log2(50)) < 1e-9)
        // A name in another script explains nothing, and its letters prove nothing.
        let kanji = [try #require(PersonName(first: "太郎", last: "山田"))]
        #expect(Handle.surprise("taroyamada", by: kanji) == 0)
        #expect(abs(Handle.surprise("taroyamada77", by: kanji) - log2(50)) < 1e-9)
    }

    @Test func noFrontWordStartsAnother() {
        for word in Handle.frontWords {
            #expect(!Handle.frontWords.contains { $0 != word && $0.starts(with: word) }, "\(word)")
        }
    }

    @Test func sharedNumbersAreWholeRunsOfDigits() {
        func bits(_ a: String, _ b: String) -> Double? {
            let x = Array(a.utf8)
            let y = Array(b.utf8)
            return x.withUnsafeBufferPointer { x in y.withUnsafeBufferPointer { y in Handle.sharedNumberBits(x, y) } }
        }
        #expect(bits("storm940", "sadeyemi940").map { abs($0 - 3 * log2(10)) < 1e-9 } == true)
        #expect(bits("storm94", "94sadeyemi").map { abs($0 - log2(50)) < 1e-9 } == true)  // anywhere in the handle
        #expect(bits("storm1994", "sadeyemi1994x7") != nil)
        #expect(bits("afriedman452", "afriedman452452").map { abs($0 - 3 * log2(10)) < 1e-9 } == true)
        // Part of a longer number, a single digit, or no digits at all: nothing shared.
        #expect(bits("storm940", "sadeyemi9401") == nil)
        #expect(bits("storm7", "sadeyemi7") == nil)
        #expect(bits("storm", "sadeyemi") == nil)
    }
}
