/// A person's name, folded and split for matching: one given name, further given names, family-name words.
///
/// Made from an account's first and last name, or parsed from a free-form display name such as a Twitter name
/// (`Dr. John Paul Smith Jr.`, `Smith, John`, `JohnSmith`, `Zoë Ångström 🇸🇪`).
public struct PersonName: Sendable, Hashable {
    /// The folded given name (the first given-name word).
    public var given: String
    /// Further folded given names (middle names), from a first-name field only.
    public var middle: [String]
    /// The folded family-name words, particles such as `van`, `de` dropped; empty when unknown.
    public var family: [String]

    /// Makes a name from folded parts.
    public init(given: String, middle: [String] = [], family: [String]) {
        self.given = given
        self.middle = middle
        self.family = family
    }

    /// The name in an account's first- and last-name fields, or `nil` when the first name has no letters or digits.
    ///
    /// A first name that is only a title (`Prof.`, as registration fills it in from the display name `Prof. Kat
    /// Murphy`) gives way to the first word of the last name.
    public init?(first: String?, last: String?) {
        var givenWords = PersonName.givenWords(first ?? "")
        var familyWords = PersonName.familyWords(last ?? "")
        if givenWords.count == 1, PersonName.isTitle(givenWords[0]), familyWords.count >= 2 {
            givenWords = [familyWords.removeFirst()]
        }
        guard let given = givenWords.first else { return nil }
        self.given = given
        middle = Array(givenWords.dropFirst())
        family = familyWords
    }

    /// Whether a folded word is a title (`dr`, `prof`, `mrs`).
    package static func isTitle(_ word: String) -> Bool {
        titles.contains(word)
    }

    /// The given and family name of a display name written as two words of ASCII letters with one space between
    /// them (`Sarah Annsboro`, most display names), as ``init(displayName:)`` reads it, without its parse: the words
    /// folded, the first the given name. `nil` for any other text, and when the first word is a title (`Dr Smith`)
    /// or the second a suffix (`John Jr`), which the parse drops.
    package static func plainDisplayName(_ bytes: UnsafeBufferPointer<UInt8>) -> (given: String, family: String)? {
        var space = -1
        for (index, byte) in bytes.enumerated() {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): continue
            case UInt8(ascii: " ") where space < 0: space = index
            default: return nil
            }
        }
        guard space > 0, space < bytes.count - 1 else { return nil }
        func folded(_ range: Range<Int>) -> String {
            String(unsafeUninitializedCapacity: range.count) { buffer in
                for (offset, byte) in bytes[range].enumerated() {
                    buffer[offset] = byte <= UInt8(ascii: "Z") ? byte + 32 : byte
                }
                return range.count
            }
        }
        let given = folded(0..<space)
        let family = folded((space + 1)..<bytes.count)
        guard !titles.contains(given), !suffixes.contains(family) else { return nil }
        return (given, family)
    }

    /// The folded words of a first-name field, titles dropped; a hyphenated first word is one word (`Sang-hye`,
    /// `Jean-Pierre`: split, Sang-hye and Sang-hyun would share the given name `sang`).
    package static func givenWords(_ first: String) -> [String] {
        words(joiningHyphenatedFirstWord(first), dropTitles: true, dropSuffixes: false)
    }

    /// `text` with the hyphens between letters in its first word (after any title) removed (`Dr. Jean-Pierre
    /// Dupont` → `Dr. JeanPierre Dupont`); other hyphens stay (a family name may be two names joined).
    static func joiningHyphenatedFirstWord(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "-")) else { return text }
        var words = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard let index = firstNameWordIndex(words) else { return text }
        var joined = ""
        var previous: Character?
        var characters = words[index].makeIterator()
        var next = characters.next()
        while let character = next {
            next = characters.next()
            if !(character == "-" && previous?.isLetter == true && next?.isLetter == true) { joined.append(character) }
            previous = character
        }
        words[index] = joined
        return words.joined(separator: " ")
    }

    /// The folded parts of a hyphenated first word (after any title) of `text` (`jean`, `pierre` for `Jean-Pierre
    /// Dupont`), or `nil` when that word has no hyphen: handles may spell either part.
    package static func hyphenParts(_ text: String) -> [String]? {
        guard text.utf8.contains(UInt8(ascii: "-")) else { return nil }
        let words = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard let index = firstNameWordIndex(words), words[index].contains("-") else { return nil }
        let parts = NameText.tokens(words[index])
        return parts.count >= 2 ? parts : nil
    }

    /// The first of `words` with a letter that is not a title.
    private static func firstNameWordIndex(_ words: [String]) -> Int? {
        words.indices.first { index in
            let tokens = NameText.tokens(words[index])
            return !tokens.isEmpty && !(tokens.count == 1 && titles.contains(tokens[0]))
        }
    }

    /// The folded words of a last-name field, suffixes and particles dropped.
    package static func familyWords(_ last: String) -> [String] {
        if isOnlyDecoration(last) { return [] }
        return dropParticles(words(last, dropTitles: false, dropSuffixes: true))
    }

    /// Whether a last-name field holds only what may follow a name: a tagline (`| Software Engineer`), pronouns
    /// (`he/him`, `(they/them)`). Registration fills the fields by splitting a display name after its first word, so
    /// `Kyunghoon | Software Engineer` leaves the tagline alone in the last name, which is no family name.
    static func isOnlyDecoration(_ last: String) -> Bool {
        guard isDecorated(last) else { return false }
        if let first = last.first(where: { !$0.isWhitespace }), ["|", "•", "·", "–", "—"].contains(first) {
            return true
        }
        return !withoutDecorations(last, dashes: false, originalWhenEmpty: false).contains(where: \.isLetter)
    }

    /// The name in a free-form display name, or `nil` when it has no letters.
    ///
    /// Titles (`Dr`, `Mrs`) and suffixes (`Jr`, `PhD`) are dropped; `Family, Given` is read in that order; a single
    /// camel-cased word (`JohnSmith`) is split. The first word is the given name and every later word counts as a
    /// family word (display names do not say which words are middle names).
    public init?(displayName: String) {
        var text = PersonName.withoutDecorations(displayName, dashes: true)
        // Spaces and commas found byte by byte in ASCII text (most display names): walking its characters costs far
        // more. (In other text a comma byte may be part of a character: `,\u{301}`.)
        let spaceOrComma =
            text.utf8.allSatisfy { $0 < 0x80 }
            ? text.utf8.contains { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: ",") || (0x09...0x0D).contains($0) }
            : text.contains(where: \.isWhitespace) || text.contains(",")
        if !spaceOrComma, let split = PersonName.splitCamelCase(text) {
            text = split
        }
        var parts = text.split(separator: ",", omittingEmptySubsequences: true)
        // `Jessica Nelson, PhD`: what follows the comma is a suffix, not a given name.
        if parts.count == 2,
            PersonName.words(String(parts[1]), dropTitles: false, dropSuffixes: false)
                .allSatisfy({ PersonName.suffixes.contains($0) || PersonName.titles.contains($0) })
        {
            text = String(parts[0])
            parts = [parts[0]]
        }
        if parts.count == 2 {
            let family = PersonName.words(String(parts[0]), dropTitles: true, dropSuffixes: true)
            let given = PersonName.words(
                PersonName.joiningHyphenatedFirstWord(String(parts[1])), dropTitles: true, dropSuffixes: true)
            if let first = given.first, !family.isEmpty {
                self.given = first
                middle = Array(given.dropFirst())
                self.family = PersonName.dropParticles(family)
                return
            }
        }
        let words = PersonName.words(
            PersonName.joiningHyphenatedFirstWord(text), dropTitles: true, dropSuffixes: true)
        guard let given = words.first else { return nil }
        self.given = given
        middle = []
        family = PersonName.dropParticles(Array(words.dropFirst()))
    }

    /// How well this name agrees with `other`.
    ///
    /// When either family name is unknown only the given names are compared: the same given name gives
    /// ``NameAgreement/givenOnly``, a typo or initial ``NameAgreement/unknown``, a different one
    /// ``NameAgreement/conflict``. Otherwise family names agree when they share a word (exactly or within a typo)
    /// and given names agree exactly, through a nickname (``Nicknames``), within a typo (Jaro–Winkler ≥ 0.9, and not
    /// two different names the nickname table knows, such as Daniel and Danielle), or as an initial.
    public func compare(_ other: PersonName, nicknames: Nicknames = .english) -> NameAgreement {
        var givenLevel = PersonName.givenAgreement(given, other.given, nicknames: nicknames)
        // `Jean-Pierre` (one word) and `Jean Pierre` (two).
        func joins(_ a: PersonName, _ b: PersonName) -> Bool {
            guard let second = b.middle.first ?? b.family.first else { return false }
            return a.given == b.given + second
        }
        if givenLevel == .none && (joins(self, other) || joins(other, self)) { givenLevel = .exact }
        guard !family.isEmpty, !other.family.isEmpty else {
            switch givenLevel {
            case .exact, .nickname: return .givenOnly
            case .typo, .initial: return .unknown
            case .none: return .conflict
            }
        }
        let familyLevel = PersonName.familyAgreement(family, other.family)
        if let level = PersonName.combine(family: familyLevel, given: givenLevel) { return level }
        // Given and family name written the other way round.
        let swappedGiven = other.family.contains { PersonName.givenAgreement(given, $0, nicknames: nicknames) >= .typo }
        let swappedFamily = family.contains {
            PersonName.givenAgreement($0, other.given, nicknames: nicknames) >= .typo
        }
        return swappedGiven && swappedFamily ? .swapped : .conflict
    }

    /// The agreement of two full names from that of their family and given names; `nil` when they do not agree
    /// (the caller then checks for swapped names).
    package static func combine(family: WordAgreement, given: WordAgreement) -> NameAgreement? {
        switch (family, given) {
        case (.exact, .exact): return .exact
        case (.exact, .nickname): return .nickname
        case (.exact, .typo), (.typo, .exact), (.typo, .nickname): return .typo
        case (.exact, .initial), (.typo, .typo), (.initial, .exact), (.initial, .nickname): return .initial
        case (.initial, .typo), (.initial, .initial): return .unknown
        default: return nil
        }
    }

    // MARK: - Parts

    package enum WordAgreement: Int, Comparable {
        case none, initial, typo, nickname, exact
        package static func < (lhs: WordAgreement, rhs: WordAgreement) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The Jaro–Winkler score at or above which two words count as one word with a typo.
    public static let typoThreshold = 0.9

    /// The longest word, in Unicode scalars, that may be one word with a typo of another. Name fields are limited in
    /// characters (graphemes), and one grapheme can hold any number of scalars (a run of Hangul leading jamo, a
    /// letter under thousands of combining marks); Jaro–Winkler and the edit distances are quadratic in the length,
    /// so longer words are never typos of each other (no name word comes near: the typo test on such a word would
    /// mean nothing anyway).
    package static let longestTypoWord = 64

    package static func givenAgreement(_ a: String, _ b: String, nicknames: Nicknames) -> WordAgreement {
        if a == b { return .exact }
        if nicknames.areEquivalent(a, b) { return .nickname }
        if a.unicodeScalars.count == 1 || b.unicodeScalars.count == 1 {
            return a.unicodeScalars.first == b.unicodeScalars.first ? .initial : .none
        }
        if isTypo(a, b) && !(nicknames.isKnown(a) && nicknames.isKnown(b)) && !isExtension(a, b) { return .typo }
        return .none
    }

    /// Whether one name is the other with one or two letters added at the end: `Alan` and `Alana`, `Paul` and
    /// `Paula`, `Eric` and `Erica` are usually two people (often siblings), not a typo.
    /// A letter written twice (`Amyy`) is a typo, not an added letter.
    package static func isExtension(_ a: String, _ b: String) -> Bool {
        let (short, long) = a.unicodeScalars.count <= b.unicodeScalars.count ? (a, b) : (b, a)
        let extra = long.unicodeScalars.count - short.unicodeScalars.count
        return (1...2).contains(extra) && long.unicodeScalars.starts(with: short.unicodeScalars)
            && !isDoubling(Array(short.unicodeScalars), Array(long.unicodeScalars))
    }

    /// Whether `long` is `short` (three letters or more) with one of its letters written twice: `Amy` and `Amyy`,
    /// `Vara` and `Vaara`, `Nelson` and `Nelsson` — a slip of the keyboard that Jaro–Winkler, which counts the shifted
    /// letters as transposed, can score below the typo threshold (`vara` and `vaara`: 0.88).
    @inlinable
    package static func isDoubling<Scalar: Equatable>(_ short: [Scalar], _ long: [Scalar]) -> Bool {
        guard short.count >= 3, long.count == short.count + 1 else { return false }
        var index = 0
        while index < short.count && short[index] == long[index] { index += 1 }
        // `long[index]` is the extra letter: a copy of the one before it, and the rest the same.
        guard index > 0, long[index] == long[index - 1] else { return false }
        return short[index...].elementsEqual(long[(index + 1)...])
    }

    /// Family names agree when they share a word, exactly or within a typo; a one-letter family name (`Smith` and
    /// `S.`) is an initial.
    package static func familyAgreement(_ a: [String], _ b: [String]) -> WordAgreement {
        let initialsOnly =
            a.allSatisfy { $0.unicodeScalars.count == 1 } || b.allSatisfy { $0.unicodeScalars.count == 1 }
        if initialsOnly {
            return a.contains { x in b.contains { y in x.unicodeScalars.first == y.unicodeScalars.first } }
                ? .initial : .none
        }
        if a.contains(where: { b.contains($0) }) { return .exact }
        if a.contains(where: { word in b.contains { isTypo(word, $0) && !isExtension(word, $0) } }) { return .typo }
        return .none
    }

    /// Whether two words (three letters or more, at most ``longestTypoWord``) are one word with a typo:
    /// Jaro–Winkler ≥ ``typoThreshold``, or a letter written twice (``isDoubling(_:_:)``).
    package static func isTypo(_ a: String, _ b: String) -> Bool {
        guard a.unicodeScalars.count >= 3 && b.unicodeScalars.count >= 3 else { return false }
        guard a.unicodeScalars.count <= longestTypoWord && b.unicodeScalars.count <= longestTypoWord else {
            return false
        }
        if JaroWinkler.similarity(a, b) >= typoThreshold { return true }
        let (x, y) = (Array(a.unicodeScalars), Array(b.unicodeScalars))
        return isDoubling(x, y) || isDoubling(y, x)
    }

    /// Whether two words of four letters or more are one slip apart: one letter changed, left out, added, or two
    /// neighbours swapped (`Karen` and `Kaaen`, `Hunt` and `Hnnt`, `Barbara` and `Brbara`). Jaro–Winkler puts such
    /// short words under the typo threshold (`karen` and `kaaen`: 0.89), and short names are where a slip costs the
    /// most of the word. Many names are one slip from another name (`Rose` and `Ross`, `Dodd` and `Todd`, `Jade` and
    /// `Jane`), so this alone is no typo: the duplicate report also asks its store whether the rarer spelling is
    /// rare enough to be a slip.
    @inlinable
    package static func isOneSlipApart<Scalar: Equatable>(_ a: [Scalar], _ b: [Scalar]) -> Bool {
        guard min(a.count, b.count) >= 4, a != b else { return false }
        let (short, long) = a.count <= b.count ? (a, b) : (b, a)
        var start = 0
        while start < short.count && short[start] == long[start] { start += 1 }
        switch long.count - short.count {
        case 0:
            // Changed (`karen`, `kaaen`) or swapped with the next letter (`brain`, `brian`).
            if short[(start + 1)...].elementsEqual(long[(start + 1)...]) { return true }
            return start + 1 < short.count && short[start] == long[start + 1] && short[start + 1] == long[start]
                && short[(start + 2)...].elementsEqual(long[(start + 2)...])
        case 1:
            // One letter added to the longer (or left out of the shorter).
            return short[start...].elementsEqual(long[(start + 1)...])
        default:
            return false
        }
    }

    /// `text` without what people add to a name: words in brackets (`Tommy Wilson (he/him)`; an unclosed bracket is
    /// kept), a tagline after `|`, `•`, a `·` or dash that is not inside a word, or — with `dashes` — a spaced hyphen
    /// (`Rajesh Patel | Founder`, `Anna Smith - Baker`), and pronouns (`Sam Lee she/her`). Separators before the name
    /// are skipped (`• Anna Smith •`); when nothing with a letter is left, `text` is returned as it was (with
    /// `originalWhenEmpty` false, what is left). Two strangers whose names both end `| Student` or `(she/her)` do not
    /// share a family name. Name fields get `dashes: false`: a spaced hyphen may join two family names there.
    package static func withoutDecorations(
        _ text: String, dashes: Bool = true, originalWhenEmpty: Bool = true
    ) -> String {
        guard isDecorated(text) else { return text }
        // Brackets first (what they hold may look like a tagline: `(he/him) - Baker`).
        var unbracketed: [Character] = []
        var inside: [Character] = []
        var depth = 0
        for character in text {
            switch character {
            case "(", "[", "{":
                depth += 1
                inside.append(character)
            case ")", "]", "}":
                guard depth > 0 else {
                    unbracketed.append(character)
                    continue
                }
                depth -= 1
                if depth == 0 {
                    inside.removeAll()
                    unbracketed.append(" ")
                } else {
                    inside.append(character)
                }
            default:
                if depth > 0 { inside.append(character) } else { unbracketed.append(character) }
            }
        }
        unbracketed += inside
        // A tagline ends the name, once the name has begun.
        var kept = ""
        var seenLetter = false
        for (index, character) in unbracketed.enumerated() {
            let previous = index > 0 ? unbracketed[index - 1] : " "
            let next = index + 1 < unbracketed.count ? unbracketed[index + 1] : " "
            let insideWord = previous.isLetter && next.isLetter
            let separates: Bool
            switch character {
            case "|", "•": separates = true
            case "·", "–", "—": separates = !insideWord
            case "-": separates = dashes && previous.isWhitespace && next.isWhitespace
            default: separates = false
            }
            if separates {
                if seenLetter { break }
                kept.append(" ")
                continue
            }
            if character.isLetter { seenLetter = true }
            kept.append(character)
        }
        if kept.contains("/") {
            kept = kept.split(separator: " ").filter { word in
                !word.contains("/")
                    || !word.lowercased().split(separator: "/").allSatisfy { pronouns.contains(String($0)) }
            }.joined(separator: " ")
        }
        var trimmed = Substring(kept)
        while trimmed.first?.isWhitespace == true { trimmed.removeFirst() }
        while trimmed.last?.isWhitespace == true { trimmed.removeLast() }
        return trimmed.contains(where: \.isLetter) || !originalWhenEmpty ? String(trimmed) : text
    }

    /// Whether `text` may hold a decoration ``withoutDecorations(_:dashes:)`` removes, byte by byte (most names hold
    /// none, and this runs for every name of the store). It may say yes where nothing is removed, never the reverse.
    private static func isDecorated(_ text: String) -> Bool {
        var previous: UInt8 = 0
        var beforePrevious: UInt8 = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "|"), UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: "/"):
                return true
            // `•` (E2 80 A2), `–` (E2 80 93), `—` (E2 80 94), `·` (C2 B7).
            case 0xA2, 0x93, 0x94: if previous == 0x80 && beforePrevious == 0xE2 { return true }
            case 0xB7: if previous == 0xC2 { return true }
            // A hyphen after anything but an ASCII letter or digit (a space of any kind, an accented letter).
            case UInt8(ascii: "-"):
                let inWord =
                    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(previous | 0x20)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(previous)
                if !inWord { return true }
            default: break
            }
            beforePrevious = previous
            previous = byte
        }
        return false
    }

    static let pronouns: Set<String> = [
        "he", "him", "his", "she", "her", "hers", "they", "them", "theirs", "xe", "xem",
    ]

    static func words(_ text: String, dropTitles: Bool, dropSuffixes: Bool) -> [String] {
        var words = NameText.tokens(withoutDecorations(text, dashes: false)).filter { word in
            // A number is no name word (ASCII first: most words are, and their numbers are digits).
            if word.utf8.allSatisfy({ $0 < 0x80 }) {
                return !word.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            }
            return !word.unicodeScalars.allSatisfy { $0.properties.numericType != nil }
        }
        if dropTitles { while words.count > 1, let first = words.first, titles.contains(first) { words.removeFirst() } }
        if dropSuffixes { while words.count > 1, let last = words.last, suffixes.contains(last) { words.removeLast() } }
        return words
    }

    static func dropParticles(_ words: [String]) -> [String] {
        guard words.count > 1 else { return words }
        let kept = words.filter { !particles.contains($0) }
        return kept.isEmpty ? [words[words.count - 1]] : kept
    }

    /// `JohnSmith` → `John Smith`; `nil` unless the word has two or more capitalised parts of two letters or more.
    static func splitCamelCase(_ word: String) -> String? {
        var parts: [String] = []
        var current = ""
        for character in word {
            if character.isUppercase, !current.isEmpty, current.last?.isLowercase == true {
                parts.append(current)
                current = ""
            }
            current.append(character)
        }
        parts.append(current)
        guard parts.count >= 2, parts.allSatisfy({ $0.count >= 2 && $0.first?.isUppercase == true }) else { return nil }
        return parts.joined(separator: " ")
    }

    static let titles: Set<String> = [
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "rev", "lord", "lady", "fr",
    ]
    static let suffixes: Set<String> = [
        "jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "dds", "mba", "cpa", "jnr", "snr",
    ]
    /// The particles as UTF-8: name fragments that explain handles (`delrosario` for Del Rosario, `thenishakumar`);
    /// and the `xx` people wrap a handle in (`xXdanielleXx` is Danielle's name, decorated).
    package static let particleWords: [[UInt8]] = (particles.sorted() + ["xx"]).map { Array($0.utf8) }

    static let particles: Set<String> = [
        "van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le", "dos", "das", "st", "ter",
        "ten", "bin", "ibn", "the", "of", "and",
    ]
}

/// How well two names agree, from a clash to the same name.
public enum NameAgreement: Int, Sendable, Hashable, Comparable, CaseIterable {
    /// The names differ (different given or family names, or different given names when a family name is
    /// missing): evidence of two people.
    case conflict
    /// Not enough to compare (nothing to compare, or a family name missing and the given names within a typo).
    case unknown
    /// Same given name, a family name missing on one side.
    case givenOnly
    /// Same family name and a given name shortened to its initial, or a typo in both.
    case initial
    /// Same name but for a typo in the given or family name.
    case typo
    /// Given and family names swapped.
    case swapped
    /// Same family name, given names related through a nickname (Bob and Robert).
    case nickname
    /// Same given and family names once folded.
    case exact

    /// Orders agreements from `conflict` to `exact`.
    public static func < (lhs: NameAgreement, rhs: NameAgreement) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Whether the names point to one person (exact, nickname, swapped or typo).
    public var isMatch: Bool { self >= .typo }
}
