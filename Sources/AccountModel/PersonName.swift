/// The rules for a person's given or family name (and a Twitter display name): at most 100 characters, no NUL, no
/// control characters. Registration forms and imports apply the same rules.
public enum PersonName: Sendable {
    /// The most characters a name may have.
    public static let maximumLength = 100
    /// The most bytes (UTF-8) a name may have: a character may be any number of code points (a run of Hangul
    /// leading jamo is one), and a hundred such characters of hundreds of kilobytes are no name.
    public static let maximumBytes = 1_000

    /// What is wrong with `name`, or `nil` when it is acceptable.
    public static func problem(with name: String) -> String? {
        if name.utf8.contains(0) { return "must not contain a NUL character" }
        if name.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            // Printable ASCII (the usual case): one character a byte, no control characters.
            return name.utf8.count > maximumLength ? "must be at most \(maximumLength) characters" : nil
        }
        if name.utf8.count > maximumBytes { return "must be at most \(maximumBytes) bytes (UTF-8)" }
        if name.count > maximumLength { return "must be at most \(maximumLength) characters" }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "must not contain control characters"
        }
        return nil
    }

    /// `name` made to keep these rules, as the store keeps a name it did not choose (a Twitter display name): white
    /// space trimmed at both ends (Unicode's, as imports trim), control characters that are white space (tab, line
    /// breaks) made a space (`Ann\tLee` is two words, `Ann Lee`), the others and NUL dropped, then cut to
    /// ``maximumLength`` characters and ``maximumBytes`` bytes. What it returns passes ``problem(with:)`` (or is
    /// empty), so that an export of what the store holds imports again.
    public static func storable(_ name: String) -> String {
        let trimmed = EmailAddress.trim(name)
        if problem(with: trimmed) == nil { return trimmed }
        var kept = String.UnicodeScalarView()
        for scalar in trimmed.unicodeScalars {
            if scalar.properties.generalCategory != .control {
                kept.append(scalar)
            } else if scalar.properties.isWhitespace, kept.last.map({ !$0.properties.isWhitespace }) ?? false {
                kept.append(" ")
            }
        }
        var result = ""
        var bytes = 0
        for character in String(kept) {
            let size = character.utf8.count
            if result.count == maximumLength || bytes + size > maximumBytes { break }
            result.append(character)
            bytes += size
        }
        return EmailAddress.trim(result)
    }
}
