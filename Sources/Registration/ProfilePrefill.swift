import AccountMatching
import AccountModel

/// Turns a Twitter profile into pre-filled form fields.
enum ProfilePrefill {
    /// Splits a display name into given and family names.
    ///
    /// What people add to a name on Twitter is left out: a tagline (`Anna Baker | Pastry chef`), words in brackets and
    /// pronouns (`(she/her)`), and words without a letter (emoji, flags). Surrounding and repeated spaces are ignored;
    /// control characters separate words when they are white space (a tab, a line break) and are dropped otherwise
    /// (a form's name may hold none).
    /// One word is a given name only. With several words the last is the family name, except in Chinese, Japanese
    /// and Korean names ("山田 太郎"), written family name first. A name in a script without spaces ("山田太郎")
    /// cannot be split safely: it becomes the given name, and the family name is left for the person to fill in.
    static func splitName(_ displayName: String) -> (first: String?, last: String?) {
        let words = PersonName.withoutDecorations(displayName, dashes: true, originalWhenEmpty: false)
            .split(whereSeparator: { $0.isWhitespace }).map(withoutControlCharacters)
            .filter { $0.contains(where: \.isLetter) }
        guard let firstWord = words.first else { return (nil, nil) }
        guard words.count > 1 else { return (firstWord, nil) }
        if words.allSatisfy(isEastAsian) {
            return (words.dropFirst().joined(separator: " "), firstWord)
        }
        return (words.dropLast().joined(separator: " "), words.last)
    }

    /// `word` without its control characters (a word holds no white space: the split took it).
    static func withoutControlCharacters(_ word: Substring) -> String {
        var kept = String.UnicodeScalarView()
        for scalar in word.unicodeScalars where scalar.properties.generalCategory != .control { kept.append(scalar) }
        return String(kept)
    }

    static func isEastAsian(_ word: String) -> Bool {
        word.unicodeScalars.contains { scalar in
            switch scalar.value {
            case 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7AF, 0xF900...0xFAFF, 0x20000...0x2FFFF:
                return true
            default:
                return false
            }
        }
    }

    /// A valid username made from a screen name: characters outside the allowed set dropped, at most 30, and a
    /// fallback when nothing is left. Uniqueness is the caller's (it appends a number).
    static func baseUsername(from screenName: String) -> String {
        let allowed = screenName.unicodeScalars.filter { scalar in
            scalar.isASCII
                && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                    || "_.-".unicodeScalars.contains(scalar))
        }
        var candidate = String(String.UnicodeScalarView(allowed))
        if Username.problem(with: candidate) != nil { candidate = "user" }
        return String(candidate.prefix(Username.maximumLength))
    }

    /// `base`, or `base` with `_2` … `_9` appended, or with `_` and five random digits (kept within 30 characters):
    /// the first of at most 12 for which `isFree` holds, or `nil` (the person chooses one). Bounded, so that someone
    /// who takes `zoe`, `zoe_2`, … `zoe_1000` cannot make every callback of a `zoe` cost a thousand reads.
    static func freeUsername(base: String, isFree: (String) async throws -> Bool) async rethrows -> String? {
        func withSuffix(_ suffix: String) -> String {
            String(base.prefix(Username.maximumLength - suffix.count)) + suffix
        }
        let candidates =
            [base] + (2...9).map { withSuffix("_\($0)") }
            + (0..<3).map { _ in withSuffix("_\(Int.random(in: 10_000...99_999))") }
        for candidate in candidates where try await isFree(candidate) { return candidate }
        return nil
    }
}
