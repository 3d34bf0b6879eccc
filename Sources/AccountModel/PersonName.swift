/// The rules for a person's given or family name (and a Twitter display name): at most 100 characters, no NUL, no
/// control characters. Registration forms and imports apply the same rules.
public enum PersonName: Sendable {
    /// The most characters a name may have.
    public static let maximumLength = 100

    /// What is wrong with `name`, or `nil` when it is acceptable.
    public static func problem(with name: String) -> String? {
        if name.utf8.contains(0) { return "must not contain a NUL character" }
        if name.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            // Printable ASCII (the usual case): one character a byte, no control characters.
            return name.utf8.count > maximumLength ? "must be at most \(maximumLength) characters" : nil
        }
        if name.count > maximumLength { return "must be at most \(maximumLength) characters" }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "must not contain control characters"
        }
        return nil
    }
}
