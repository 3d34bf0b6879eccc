/// Usernames, Twitter screen names and email local parts, compared as the handles people pick for themselves.
///
/// A handle is compared in its normalised form (``normalize(_:)``: folded, letters and digits only, so
/// `John.Smith_84` is `johnsmith84`), split into its letters (`johnsmith`) and its digits (`84`). Similarity is
/// measured on UTF-8 bytes, which is exact for usernames and screen names (ASCII).
///
/// A shared handle is only evidence when it is *distinctive*: `jsmith` says little about two people called John
/// Smith, since both could have picked it; `jsmith84` or `sk8erboi` says more. ``unexplained(_:by:nicknames:)``
/// counts what a handle holds beyond its owners' names, initials and nicknames.
public enum Handle: Sendable {
    /// `text` folded, with everything but letters and digits removed.
    public static func normalize(_ text: String) -> String {
        NameText.alphanumerics(text)
    }

    /// The handle in a normalised mailbox's local part, or `nil` for role addresses (`info@`, `admin@`, …) that
    /// say nothing about a person.
    public static func fromMailbox(_ mailbox: String) -> String? {
        guard let at = mailbox.lastIndex(of: "@") else { return nil }
        let handle = normalize(String(mailbox[..<at]))
        return handle.isEmpty || roleNames.contains(handle) ? nil : handle
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
        var words: [[UInt8]] = []
        var initials: Set<UInt8> = []
        let known = KnownNameWords(nicknames: nicknames)
        for name in names {
            for variant in nicknames.variants(of: name.given) { words.append(Array(variant.utf8)) }
            for word in name.middle + name.family { words.append(Array(word.utf8)) }
            for word in [name.given] + name.middle + name.family { if let first = word.utf8.first { initials.insert(first) } }
        }
        return unexplained(Array(handle.utf8), words: words, initials: initials, knownNames: known)
    }

    /// Whether an unexplained remainder makes a handle distinctive.
    ///
    /// With names to explain it: three unexplained letters, two digits, or two letters and a digit. With no names on
    /// either side: seven characters, or three letters and two digits.
    public static func isDistinctive(letters: Int, digits: Int, namesKnown: Bool) -> Bool {
        if namesKnown { return letters >= 3 || digits >= 2 || (letters >= 2 && digits >= 1) }
        return letters + digits >= 7 || (letters >= 3 && digits >= 2)
    }

    /// Local parts that belong to a role, not a person.
    public static let roleNames: Set<String> = [
        "info", "admin", "administrator", "contact", "hello", "hi", "mail", "email", "office", "support", "sales",
        "webmaster", "postmaster", "noreply", "donotreply", "team", "accounts", "account", "billing", "help", "me",
        "enquiries", "inquiries", "test", "user", "root", "abuse", "security", "jobs", "hr", "marketing", "news",
    ]

    /// The Jaro–Winkler score at or above which the letters of two handles with the same digits are similar.
    public static let similarityThreshold = 0.92

    package static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> HandleAgreement {
        if a.elementsEqual(b) { return a.isEmpty ? .different : .identical }
        return withLettersAndDigits(a) { lettersA, digitsA in
            withLettersAndDigits(b) { lettersB, digitsB in
                let digitsConflict = !digitsA.isEmpty && !digitsB.isEmpty && !digitsA.elementsEqual(digitsB)
                if lettersA.count >= 3 && lettersA.elementsEqual(lettersB) && !digitsConflict { return .sameLetters }
                // One is the other with a few characters added (`aadams99`, `theaadams99`; `amanda81`, `amanda816897`
                // as a taken username gets a number), or cut short (`susan_sorimita2` for `susan_sorimita2001`).
                let (short, long) = a.count <= b.count ? (a, b) : (b, a)
                let contained =
                    long.starts(with: short) || long[(long.count - short.count)...].elementsEqual(short)
                if short.count >= 5, contained, long.count - short.count <= 4 || short.count >= 10 {
                    return .extended
                }
                // `solar2001` and `solar24` are two people.
                if digitsConflict { return .different }
                if digitsA.elementsEqual(digitsB), lettersA.count >= 4, lettersB.count >= 4,
                    JaroWinkler.similarity(lettersA, lettersB) >= similarityThreshold
                {
                    return .similar
                }
                return .different
            }
        }
    }

    /// Calls `body` with the letters and the digits of `handle`, each in order.
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

    /// Greedy: at each position skip the longest name word (two letters or more) that starts there, else an
    /// initial, else count the character as unexplained. A handle that ends part-way through a name word (cut
    /// short, as screen names are at 15 characters) counts that end as explained.
    package static func unexplained(
        _ handle: [UInt8], words: [[UInt8]], initials: Set<UInt8>, knownNames: KnownNameWords
    ) -> (letters: Int, digits: Int) {
        var letters = 0
        var digits = 0
        var index = 0
        while index < handle.count {
            let byte = handle[index]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                digits += 1
                index += 1
                continue
            }
            var longest = knownNames.longestMatch(in: handle, at: index)
            for word in words where word.count >= 2 && word.count > longest && index + word.count <= handle.count {
                if handle[index..<(index + word.count)].elementsEqual(word) { longest = word.count }
            }
            if longest > 0 {
                index += longest
            } else if handle.count - index >= 2,
                words.contains(where: { $0.count > handle.count - index && $0.starts(with: handle[index...]) })
            {
                break
            } else {
                if !initials.contains(byte) { letters += 1 }
                index += 1
            }
        }
        return (letters, digits)
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
    /// The same digits and letters within a typo (`jsmtih84` and `jsmith84`).
    case similar
    /// The same normalised handle (`john.smith` and `john_smith`).
    case identical

    public static func < (lhs: HandleAgreement, rhs: HandleAgreement) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Given and family names anyone might put in a handle: every name of the nickname table and ``CommonNames``, four
/// letters or more (shorter ones, such as `al` or `ed`, would explain too much).
package struct KnownNameWords: Sendable {
    private let words: Set<[UInt8]>
    private let longest: Int

    package init(nicknames: Nicknames) {
        var words = Set<[UInt8]>()
        for name in nicknames.allNames + CommonNames.givenNames + CommonNames.familyNames where name.utf8.count >= 4 {
            words.insert(Array(name.utf8))
        }
        self.words = words
        longest = words.map(\.count).max() ?? 0
    }

    /// The length of the longest known name starting at `index` of `handle`, or 0.
    package func longestMatch(in handle: [UInt8], at index: Int) -> Int {
        var length = min(longest, handle.count - index)
        while length >= 4 {
            if words.contains(Array(handle[index..<(index + length)])) { return length }
            length -= 1
        }
        return 0
    }
}
