import Foundation

/// Usernames, Twitter screen names and email local parts, compared as the handles people pick for themselves.
///
/// A handle is compared in its normalised form (``normalize(_:)``: folded, letters and digits only, so
/// `John.Smith_84` is `johnsmith84`), split into its letters (`johnsmith`) and its digits (`84`). Edit distances are
/// counted on UTF-8 bytes, which is exact for usernames and screen names (ASCII).
///
/// A shared handle is only evidence when it holds more than the names explain: `jsmith` says little about two people
/// called John Smith, since both could have picked it; `jsmith84` or `sk8erboi` says more. ``surprise(_:by:nicknames:)``
/// measures what a handle holds beyond its owners' names, initials and nicknames.
public enum Handle: Sendable {
    /// `text` folded, with everything but letters and digits removed.
    public static func normalize(_ text: String) -> String {
        NameText.alphanumerics(text)
    }

    /// Appends `text` (UTF-8) normalised as ``normalize(_:)`` does to `output`.
    package static func appendNormalized(_ text: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        NameText.appendAlphanumerics(text, to: &output)
    }

    /// Appends the handle in a normalised mailbox's local part (UTF-8) to `output`, as ``fromMailbox(_:)`` finds it;
    /// `false`, with `output` as it was, when there is none.
    package static func appendFromMailbox(_ mailbox: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) -> Bool {
        guard let at = mailbox.lastIndex(of: UInt8(ascii: "@")) else { return false }
        // A tag after `+` is the address's, not the person's handle (`laura_haselaar+news@aol.com`), even where the
        // provider does not document plus-addressing and the mailbox keeps it.
        var end = at
        if let plus = mailbox[..<at].firstIndex(of: UInt8(ascii: "+")), plus > mailbox.startIndex { end = plus }
        let start = output.count
        appendNormalized(UnsafeBufferPointer(rebasing: mailbox[..<end]), to: &output)
        let length = output.count - start
        if length == 0
            || (length <= longestRoleName
                && roleNames.contains(String(decoding: output[start...], as: UTF8.self)))
        {
            output.removeSubrange(start...)
            return false
        }
        return true
    }

    /// Whether `short` ends in the number `19` or `20` (no other digit before them) and the `extra` digits added make
    /// it 19xx or 20xx: `anitak19` and `anitak1975` are two numbers, an age or a year cut short and a year of birth.
    private static func completesYear(_ short: UnsafeBufferPointer<UInt8>, _ extra: Int) -> Bool {
        guard extra == 2, short.count >= 3, !isDigit(short[short.count - 3]) else { return false }
        let tens = short[short.count - 2]
        let ones = short[short.count - 1]
        return (tens == UInt8(ascii: "1") && ones == UInt8(ascii: "9"))
            || (tens == UInt8(ascii: "2") && ones == UInt8(ascii: "0"))
    }

    private static let longestRoleName = roleNames.map(\.utf8.count).max() ?? 0

    /// The handle in a normalised mailbox's local part (before a `+` tag), or `nil` for role addresses (`info@`,
    /// `admin@`, …) that say nothing about a person.
    public static func fromMailbox(_ mailbox: String) -> String? {
        var mailbox = mailbox
        var handle: [UInt8] = []
        guard mailbox.withUTF8({ appendFromMailbox($0, to: &handle) }) else { return nil }
        return String(decoding: handle, as: UTF8.self)
    }

    /// How two normalised handles agree.
    public static func compare(_ first: String, _ second: String) -> HandleAgreement {
        let a = Array(first.utf8)
        let b = Array(second.utf8)
        return a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in compare(a, b) } }
    }

    /// What `handle` holds beyond the names: letters not covered by a name word, a nickname of a given name, an
    /// initial or a name anyone might use (``KnownNameWords``: `danielle`, `johnson`), and digits.
    public static func unexplained(
        _ handle: String, by names: [PersonName], nicknames: Nicknames = .english
    ) -> (letters: Int, digits: Int) {
        let (words, initials) = explainingWords(names, nicknames: nicknames)
        return unexplained(
            Array(handle.utf8), words: words, initials: initials, knownNames: nicknames.knownNameWords)
    }

    /// How surprising `handle` is once the names are taken into account, in bits: ``letterBits`` for each unexplained
    /// letter (at most ``maximumLetterBits`` in all), 5.6 for a number that could be a year of birth (two digits,
    /// 1930–2029, or three that begin a year: one in 50) or that people pick for being easy to remember (`123`,
    /// `777`, `007`), 3.3 for each other digit. Letters say nothing when the names
    /// are in a script the handle cannot spell (`山田 太郎`): only digits count then.
    ///
    /// A shared handle is evidence of one person when it is more surprising than the number of other people who
    /// could have picked it: the duplicate report asks for `log2(others) + 5` bits (see README).
    public static func surprise(_ handle: String, by names: [PersonName], nicknames: Nicknames = .english) -> Double {
        let remainder = unexplained(handle, by: names, nicknames: nicknames)
        let explainable = names.allSatisfy { name in
            ([name.given] + name.middle + name.family).allSatisfy { $0.utf8.allSatisfy { $0 < 0x80 } }
        }
        return surprise(
            letters: remainder.letters, digits: Array(handle.utf8).filter { $0 >= 48 && $0 <= 57 },
            lettersCount: explainable)
    }

    /// What an unexplained letter is worth, in bits: handles are made of words and name fragments, far from random
    /// letters (4.7 bits) but less predictable than running English text (about 2).
    public static let letterBits = 3.0

    /// What the unexplained letters of one handle are worth at most, in bits: about two words of a few thousand.
    /// `braveastro` is two common words, not ten letters picked one by one; counted letter by letter, a word handle
    /// that strangers happen to share (`anthonybraveastro`) would look like no one else could have made it.
    public static let maximumLetterBits = 24.0

    /// ``surprise(_:by:nicknames:)`` from the unexplained letters and the handle's digits.
    package static func surprise(letters: Int, digits: [UInt8], lettersCount: Bool) -> Double {
        var bits = lettersCount ? min(maximumLetterBits, Double(letters) * letterBits) : 0
        var packed: UInt64 = 0
        for digit in digits.prefix(16) { packed = packed << 4 | UInt64(digit - UInt8(ascii: "0")) }
        bits += digitBits(count: digits.count, packed: packed)
        return bits
    }

    /// ``surprise(letters:digits:lettersCount:)`` of the digits of `handle` alone, without gathering them.
    package static func digitSurprise(_ handle: UnsafeBufferPointer<UInt8>) -> Double {
        var count = 0
        var packed: UInt64 = 0
        for byte in handle where byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
            if count < 16 { packed = packed << 4 | UInt64(byte - UInt8(ascii: "0")) }
            count += 1
        }
        return digitBits(count: count, packed: packed)
    }

    /// The bits of `count` digits (the first 16 packed four bits each, the last in the low bits): a year-like or
    /// memorable number one in 50, others 3.3 bits a digit; a number written twice (`19951995`, `4242`) is worth it
    /// written once, and so is a year followed by its last two digits (`199090`: `mary1990` was taken).
    private static func digitBits(count: Int, packed: UInt64) -> Double {
        if count >= 4, count % 2 == 0, count <= 16 {
            let half = count / 2
            let low = packed & ((1 << UInt64(4 * half)) - 1)
            if packed >> UInt64(4 * half) == low { return digitBits(count: half, packed: low) }
        }
        if count == 6, packed & 0xFF == (packed >> 8) & 0xFF {
            let year = packed >> 8
            var value = 0
            for shift in stride(from: 12, through: 0, by: -4) { value = value * 10 + Int(year >> UInt64(shift) & 0xF) }
            if (1930...2029).contains(value) { return digitBits(count: 4, packed: year) }
        }
        var value = 0
        if count <= 4 {
            for shift in stride(from: 4 * (count - 1), through: 0, by: -4) {
                value = value * 10 + Int(packed >> UInt64(shift) & 0xF)
            }
        }
        let yearLike: Bool
        switch count {
        case 2: yearLike = true
        case 3: yearLike = value / 10 == 19 || value / 10 == 20
        case 4: yearLike = (1930...2029).contains(value)
        default: yearLike = false
        }
        return yearLike || isMemorable(count: count, packed: packed) ? yearBits : Double(count) * log2(10)
    }

    /// What a number that could be a year of birth is worth, in bits: one in 50.
    package static let yearBits = log2(50.0)

    /// Numbers people pick for being easy to remember, as common in handles as a year of birth: one digit repeated
    /// (`777`, `0000`), digits counting up or down (`123`, `4321`), and a few famous ones (`007`, `101`, `247`,
    /// `365`, `420`, `911`).
    private static func isMemorable(count: Int, packed: UInt64) -> Bool {
        guard (3...6).contains(count) else { return false }
        // Digit by digit from the last (no allocation: this runs for every handle judged).
        func digit(_ index: Int) -> Int { Int(packed >> UInt64(4 * (count - 1 - index)) & 0xF) }
        let step = digit(1) - digit(0)
        if abs(step) <= 1, (2..<count).allSatisfy({ digit($0) - digit($0 - 1) == step }) { return true }
        return count == 3 && [7, 101, 247, 365, 420, 911].contains(digit(0) * 100 + digit(1) * 10 + digit(2))
    }

    /// The surprise of the most surprising number (a whole run of two digits or more, once when written twice) that
    /// both handles hold, or `nil` when they hold none in common.
    package static func sharedNumberBits(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Double? {
        var best: Double?
        forEachNumber(in: a) { x in
            forEachNumber(in: b) { y in
                guard x.count == y.count, a[x].elementsEqual(b[y]) else { return }
                let bits = digitSurprise(UnsafeBufferPointer(rebasing: a[x]))
                if bits > (best ?? 0) { best = bits }
            }
        }
        return best
    }

    /// Calls `body` with each run of two digits or more in `text`, its first half only when it is a number written
    /// twice (`452452`, `19751975`). No allocation: this runs for millions of pairs.
    @inline(__always)
    package static func forEachNumber(in text: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        var index = 0
        while index < text.count {
            guard text[index] >= UInt8(ascii: "0") && text[index] <= UInt8(ascii: "9") else {
                index += 1
                continue
            }
            let first = index
            while index < text.count && text[index] >= UInt8(ascii: "0") && text[index] <= UInt8(ascii: "9") {
                index += 1
            }
            let length = index - first
            guard length >= 2 else { continue }
            let half = length / 2
            let doubled =
                length >= 4 && length % 2 == 0
                && text[first..<(first + half)].elementsEqual(text[(first + half)..<index])
            body(doubled ? first..<(first + half) : first..<index)
        }
    }

    /// Two digits, four from 1930 to 2029, or three that begin one (`196`, a year cut short).
    package static func isYearLike(_ digits: [UInt8]) -> Bool {
        if digits.count < 2 { return false }
        if digits.count == 2 { return true }
        if digits.count == 3 { return digits.starts(with: Array("19".utf8)) || digits.starts(with: Array("20".utf8)) }
        guard digits.count == 4, let year = Int(String(decoding: digits, as: UTF8.self)) else { return false }
        return (1930...2029).contains(year)
    }

    /// The words that explain handles made from `names`: each given name's nickname variants, middle and family
    /// names; and their initials.
    package static func explainingWords(_ names: [PersonName], nicknames: Nicknames) -> ([[UInt8]], ByteSet) {
        var words: [[UInt8]] = names.isEmpty ? [] : PersonName.particleWords
        var initials = ByteSet()
        for name in names {
            for variant in nicknames.variants(of: name.given) { words.append(Array(variant.utf8)) }
            for word in name.middle + name.family { words.append(Array(word.utf8)) }
            for word in [name.given] + name.middle + name.family {
                if let first = word.utf8.first, first < 0x80 { initials.insert(first) }
            }
        }
        return (words, initials)
    }

    /// Local parts that belong to a role, not a person.
    public static let roleNames: Set<String> = [
        "info", "admin", "administrator", "contact", "hello", "hi", "mail", "email", "office", "support", "sales",
        "webmaster", "postmaster", "noreply", "donotreply", "team", "accounts", "account", "billing", "help", "me",
        "enquiries", "inquiries", "test", "user", "root", "abuse", "security", "jobs", "hr", "marketing", "news",
    ]

    package static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> HandleAgreement {
        if a.elementsEqual(b) { return a.isEmpty ? .different : .identical }
        return withLettersAndDigits(a) { lettersA, digitsA in
            withLettersAndDigits(b) { lettersB, digitsB in
                let digitsConflict = !digitsA.isEmpty && !digitsB.isEmpty && !digitsA.elementsEqual(digitsB)
                if lettersA.count >= 3 && lettersA.elementsEqual(lettersB) && !digitsConflict { return .sameLetters }
                // One is the other with a few characters added (`aadams99`, `theaadams99`), or a screen name cut short
                // at 15 characters (`susan_sorimita2` for `susan_sorimita2001`).
                let (short, long) = a.count <= b.count ? (a, b) : (b, a)
                let extra = long.count - short.count
                let isPrefix = long.starts(with: short)
                let isSuffix = long[extra...].elementsEqual(short)
                let mayBeCut = ((screenNameLimit - 2)...screenNameLimit).contains(short.count) && isPrefix
                if short.count >= 5, isPrefix || isSuffix, extra <= 4 || mayBeCut {
                    // `hwarren3` and `hwarren344` carry different numbers, unless the shorter was cut short, or digits
                    // were added behind as a site suggests them when a handle is taken: three or four
                    // (`crimsonninja1976114` for `crimsonninja1976`), or one or two behind a number of two digits or
                    // more (`csmits957` for `csmits95`, `jrodriguez8829` for `jrodriguez88`).
                    let extendsNumber =
                        isPrefix
                        ? isDigit(short[short.count - 1]) && isDigit(long[short.count])
                        : isDigit(short[0]) && isDigit(long[extra - 1])
                    let suffixed =
                        isPrefix && long[short.count...].allSatisfy(isDigit)
                        && (extra >= 3 || (isDigit(short[short.count - 2]) && !completesYear(short, extra)))
                    if !extendsNumber || mayBeCut || suffixed { return .extended }
                    return .different
                }
                // A word in front and the rest cut at 15 (`thesilverrunner` for `silverrunner34`), or the end cut to
                // make room for a number behind (`jessesanderso_8` for `jessesanderson5`).
                if frontWordBeforeCut(a, b) != nil || frontWordBeforeCut(b, a) != nil { return .extended }
                if !digitsA.elementsEqual(digitsB), cutForNumber(a, b) != nil || cutForNumber(b, a) != nil {
                    return .extended
                }
                // `solar2001` and `solar24` are two people.
                if digitsConflict { return .different }
                // The edit distance is quadratic: letters longer than any real handle's are no typo of each other.
                if digitsA.elementsEqual(digitsB), lettersA.count >= 4, lettersB.count >= 4,
                    lettersA.count <= longestCompared, lettersB.count <= longestCompared,
                    editDistance(lettersA, lettersB) <= (min(lettersA.count, lettersB.count) >= 8 ? 2 : 1)
                {
                    return .similar
                }
                return .different
            }
        }
    }

    /// The longest normalised handle, in UTF-8 bytes, that is compared for typos, or explained by names. Usernames
    /// have at most 30 characters and email local parts 64 bytes, but a screen name (limited, as names are, in
    /// characters) can hold hundreds of thousands of bytes in one character (a run of Hangul leading jamo), and the
    /// comparisons that find typos and explain handles are quadratic or worse in the length. Longer handles are no
    /// typo of anything: ``compare(_:_:)`` never finds them ``HandleAgreement/similar``.
    public static let longestCompared = 64

    /// The most characters a Twitter screen name has: longer handles are cut there.
    package static let screenNameLimit = 15

    /// Words people put in front of a handle to find a free one (`thesilverrunner`, `realjsmith`, `itskaren`).
    /// None is the start of another, so the first that a handle starts with is the only one.
    package static let frontWords: [[UInt8]] = ["the", "real", "its", "iam", "im", "hey", "mr", "ms", "dr"]
        .map { Array($0.utf8) }

    /// The length of the word in front when `cut` is a front word followed by the start of `other` and ends at
    /// Twitter's 15 characters (13 to 15 once separators are gone: `the_silver_runn`), with 10 characters or more of
    /// `other` kept (as many as a handle-prefix block key holds); `nil` otherwise.
    package static func frontWordBeforeCut(
        _ cut: UnsafeBufferPointer<UInt8>, _ other: UnsafeBufferPointer<UInt8>
    ) -> Int? {
        guard ((screenNameLimit - 2)...screenNameLimit).contains(cut.count) else { return nil }
        for word in frontWords where cut.starts(with: word) {
            let rest = cut[word.count...]
            if rest.count >= 10, rest.count < other.count, other.starts(with: rest) { return word.count }
        }
        return nil
    }

    /// How many letters of `cut` are `other`'s first letters when `cut` is a screen name of Twitter's 15 characters
    /// (13 to 15 once separators are gone) that was cut short to make room for a number behind, the name itself
    /// being taken: `jessesanderso_8` for `jessesanderson5`, `nervousconc6590` for `nervousconcept2`. At least 10
    /// letters must be kept (as many as a handle-prefix block key holds), the number must have one to four digits,
    /// and `other` must go on with a letter where `cut` stops (`silverphrase841` is another number, not a cut);
    /// `nil` otherwise. The two handles share those letters and nothing more. (``compare(_:_:)`` asks only when the
    /// two carry different numbers, or one has none: with the same number they are a typo apart, `christophermi5` and
    /// `christophermil5`.)
    package static func cutForNumber(_ cut: UnsafeBufferPointer<UInt8>, _ other: UnsafeBufferPointer<UInt8>) -> Int? {
        guard ((screenNameLimit - 2)...screenNameLimit).contains(cut.count) else { return nil }
        var kept = cut.count
        while kept > 0 && isDigit(cut[kept - 1]) { kept -= 1 }
        guard (1...4).contains(cut.count - kept), kept >= 10, kept < other.count, !isDigit(other[kept]),
            !cut[..<kept].contains(where: isDigit), other.starts(with: cut[..<kept])
        else { return nil }
        return kept
    }

    package static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Optimal-string-alignment distance (Damerau–Levenshtein without repeated edits of one substring): insertions,
    /// deletions, substitutions and swaps of neighbours each cost one. Handles are judged by edits, not by
    /// Jaro–Winkler, whose prefix bonus would make `christopherhal` and `christopherfeli` look alike.
    package static func editDistance(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        let width = b.count + 1
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 3 * width) { rows in
            var before = 0
            var previous = width
            var current = 2 * width
            for j in 0...b.count { rows[previous + j] = j }
            for i in 1...a.count {
                rows[current] = i
                for j in 1...b.count {
                    let cost = a[i - 1] == b[j - 1] ? 0 : 1
                    var value = min(rows[previous + j] + 1, rows[current + j - 1] + 1, rows[previous + j - 1] + cost)
                    if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                        value = min(value, rows[before + j - 2] + 1)
                    }
                    rows[current + j] = value
                }
                (before, previous, current) = (previous, current, before)
            }
            return rows[previous + b.count]
        }
    }

    /// Calls `body` with the letters and the digits of `handle`, each in order. (Inlinable, so that callers in other
    /// modules get it specialised: it runs for every pair of handles compared.)
    @inlinable
    package static func withLettersAndDigits<T>(
        _ handle: UnsafeBufferPointer<UInt8>,
        _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> T
    ) -> T {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, handle.count)) { scratch in
            var letters = 0
            var digits = handle.count
            for byte in handle {
                if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                    digits -= 1
                    scratch[digits] = byte
                } else {
                    scratch[letters] = byte
                    letters += 1
                }
            }
            // Digits were written from the end backwards: put them back in order.
            scratch[digits..<handle.count].reverse()
            let base = UnsafeBufferPointer(scratch)
            return body(
                UnsafeBufferPointer(rebasing: base[0..<letters]),
                UnsafeBufferPointer(rebasing: base[digits..<handle.count]))
        }
    }

    /// The fewest letters of `handle` that no name word, known name or initial (at an end, or before a name) covers (dynamic programming over
    /// positions, so `charris` is `c` + `harris`, not `char` + three letters), and its digits. A handle that ends
    /// part-way through a name word (cut short, as screen names are at 15 characters) counts that end as explained.
    package static func unexplained(
        _ handle: [UInt8], words: [[UInt8]], initials: ByteSet, knownNames: KnownNameWords
    ) -> (letters: Int, digits: Int) {
        handle.withUnsafeBufferPointer { handle in
            unexplained(handle, words: words, initials: initials, knownNames: knownNames)
        }
    }

    /// ``unexplained(_:words:initials:knownNames:)`` over bytes in place.
    package static func unexplained(
        _ handle: UnsafeBufferPointer<UInt8>, words: [[UInt8]], initials: ByteSet, knownNames: KnownNameWords
    ) -> (letters: Int, digits: Int) {
        let count = handle.count
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: count + 1) { best in
            best.initialize(repeating: 0)
            return unexplained(handle, words: words, initials: initials, knownNames: knownNames, best: best)
        }
    }

    private static func unexplained(
        _ handle: UnsafeBufferPointer<UInt8>, words: [[UInt8]], initials: ByteSet, knownNames: KnownNameWords,
        best: UnsafeMutableBufferPointer<Int>
    ) -> (letters: Int, digits: Int) {
        let count = handle.count
        var digits = 0
        // The words' first bytes: most positions start none of them, and need no scan of the words.
        var firstBytes = ByteSet()
        for word in words where word.count >= 2 { firstBytes.insert(word[0]) }
        func nameStarts(at position: Int) -> Bool {
            guard position < count else { return false }
            if firstBytes.contains(handle[position]),
                words.contains(where: {
                    $0.count >= 2 && position + $0.count <= count
                        && handle[position..<(position + $0.count)].elementsEqual($0)
                })
            {
                return true
            }
            var found = false
            knownNames.forEachMatch(in: handle, at: position) { _ in found = true }
            return found
        }
        var index = count - 1
        while index >= 0 {
            let byte = handle[index]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                digits += 1
                best[index] = best[index + 1]
                index -= 1
                continue
            }
            // An initial explains a letter at either end of the handle or right before a name (`jsmith`, `smithj`,
            // `johnqsmith`); anywhere else it is just a letter.
            var cost = best[index + 1] + 1
            if initials.contains(byte) && (index == 0 || index == count - 1 || nameStarts(at: index + 1)) {
                cost = best[index + 1]
            }
            let startsWords = firstBytes.contains(byte)
            if startsWords {
                for word in words where word.count >= 2 && index + word.count <= count {
                    if handle[index..<(index + word.count)].elementsEqual(word) {
                        cost = min(cost, best[index + word.count])
                    }
                }
            }
            knownNames.forEachMatch(in: handle, at: index) { length in cost = min(cost, best[index + length]) }
            if startsWords, count - index >= 2,
                words.contains(where: { $0.count > count - index && $0.starts(with: handle[index...]) })
            {
                cost = 0
            }
            best[index] = cost
            index -= 1
        }
        return (best[0], digits)
    }
}

/// A set of bytes as a 256-bit mask: the initials that explain a handle's letters, looked up per letter.
package struct ByteSet: Sendable, Hashable {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    package init() {}

    /// The set of `bytes`.
    package init(_ bytes: some Sequence<UInt8>) {
        for byte in bytes { insert(byte) }
    }

    package mutating func insert(_ byte: UInt8) {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    package func contains(_ byte: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: return words.0 & bit != 0
        case 1: return words.1 & bit != 0
        case 2: return words.2 & bit != 0
        default: return words.3 & bit != 0
        }
    }

    package static func == (lhs: ByteSet, rhs: ByteSet) -> Bool {
        lhs.words == rhs.words
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}

/// How two handles agree, from different to identical.
public enum HandleAgreement: Int, Sendable, Hashable, Comparable, CaseIterable {
    /// Nothing in common worth the name.
    case different
    /// The same letters, digits on one side only (`photoguy` and `photoguy84`); different digits are different
    /// handles.
    case sameLetters
    /// One handle is the other with a few characters added in front or behind (`aadams99`, `theaadams99`), or cut
    /// short (Twitter screen names stop at 15 characters: `alexander_wrigh`, `alexander.wright1992`).
    case extended
    /// The same digits and letters within a typo or two (`jsmtih84` and `jsmith84`; edit distance 1, or 2 from eight
    /// letters).
    case similar
    /// The same normalised handle (`john.smith` and `john_smith`).
    case identical

    /// Orders agreements from `different` to `identical`.
    public static func < (lhs: HandleAgreement, rhs: HandleAgreement) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Given and family names anyone might put in a handle: every name of the nickname table and ``CommonNames``, four
/// letters or more (shorter ones, such as `al` or `ed`, would explain too much). A trie over `a`…`z`.
package struct KnownNameWords: Sendable {
    /// 26 child indexes per node (0: none); node 0 is the root.
    private var children: [Int32] = Array(repeating: 0, count: 26)
    private var terminal: [Bool] = [false]

    /// No names at all.
    package init() {}

    /// No names at all, shared.
    package static let none = KnownNameWords()

    /// The names of a nickname table (``Nicknames/knownNameWords`` holds them with its table), with the common given
    /// and family names.
    package init(names: [String]) {
        for name in names + CommonNames.givenNames + CommonNames.familyNames where name.utf8.count >= 4 {
            insert(Array(name.utf8))
        }
    }

    private mutating func insert(_ word: [UInt8]) {
        guard word.allSatisfy({ $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) else { return }
        var node = 0
        for byte in word {
            let slot = node * 26 + Int(byte - UInt8(ascii: "a"))
            if children[slot] == 0 {
                children[slot] = Int32(terminal.count)
                terminal.append(false)
                children.append(contentsOf: repeatElement(0, count: 26))
            }
            node = Int(children[slot])
        }
        terminal[node] = true
    }

    /// Calls `body` with the length of every known name that starts at `index` of `handle`.
    package func forEachMatch(in handle: UnsafeBufferPointer<UInt8>, at index: Int, _ body: (Int) -> Void) {
        var node = 0
        var position = index
        while position < handle.count {
            let byte = handle[position]
            guard byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") else { return }
            let next = Int(children[node * 26 + Int(byte - UInt8(ascii: "a"))])
            if next == 0 { return }
            node = next
            position += 1
            if terminal[node] { body(position - index) }
        }
    }
}
