/// A valid username: 1–30 ASCII letters, digits, `_`, `.` or `-`, with at least one letter or digit.
///
/// Usernames are unique case-insensitively; the case given is kept for display.
public struct Username: Hashable, Sendable, CustomStringConvertible {
    /// The most characters a username may have.
    public static let maximumLength = 30

    /// The username as given.
    public let rawValue: String

    /// Validates `text`; the error names the username field and says what is wrong.
    public init(validating text: String) throws(FieldError) {
        if let problem = Username.problem(with: text) {
            throw FieldError(.username, problem)
        }
        rawValue = text
    }

    /// Wraps a username read back from the store.
    package init(uncheckedRawValue: String) {
        rawValue = uncheckedRawValue
    }

    /// What is wrong with `text` as a username, or `nil` when it is valid.
    public static func problem(with text: String) -> String? {
        let bytes = Array(text.utf8)
        if bytes.isEmpty { return "is required" }
        if bytes.contains(0) { return "must not contain a NUL character" }
        if bytes.count > maximumLength { return "must be at most \(maximumLength) characters" }
        var hasAlphanumeric = false
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                hasAlphanumeric = true
            case UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
                continue
            default:
                return "may contain only ASCII letters, digits, '_', '.' and '-'"
            }
        }
        return hasAlphanumeric ? nil : "must contain at least one letter or digit"
    }

    /// The username as stored (`rawValue`).
    public var description: String { rawValue }
}
