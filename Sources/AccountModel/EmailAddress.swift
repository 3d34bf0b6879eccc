/// A syntactically valid email address, surrounding whitespace trimmed, case kept as given.
///
/// Uniqueness is case-insensitive; the provider-aware normalised mailbox comes from `AccountMatching`.
public struct EmailAddress: Hashable, Sendable, CustomStringConvertible {
    /// The most bytes an address may have (RFC 5321: 254 in a path).
    public static let maximumLength = 254

    /// The trimmed address.
    public let rawValue: String

    /// Trims surrounding whitespace from `text` and validates it; the error names the email field.
    public init(validating text: String) throws(FieldError) {
        let trimmed = EmailAddress.trim(text)
        if let problem = EmailAddress.problem(withTrimmed: trimmed) {
            throw FieldError(.email, problem)
        }
        rawValue = trimmed
    }

    /// Wraps an address read back from the store.
    package init(uncheckedRawValue: String) {
        rawValue = uncheckedRawValue
    }

    /// `text` without leading or trailing whitespace (Unicode white space and newlines).
    public static func trim(_ text: String) -> String {
        var scalars = Substring(text).unicodeScalars[...]
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }

    /// What is wrong with an already trimmed address, or `nil` when it is valid.
    public static func problem(withTrimmed text: String) -> String? {
        if text.isEmpty { return "is required" }
        if text.utf8.count > maximumLength { return "must be at most \(maximumLength) bytes" }
        if text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) {
            return "must not contain spaces or control characters"
        }
        guard let at = text.lastIndex(of: "@") else { return "must contain '@'" }
        let local = text[..<at]
        let domain = text[text.index(after: at)...]
        if local.isEmpty { return "needs a mailbox name before '@'" }
        if local.utf8.count > 64 { return "has a mailbox name longer than 64 bytes" }
        if local.contains("@") || local.contains("\"") { return "must contain exactly one '@' and no quotes" }
        if local.hasPrefix(".") || local.hasSuffix(".") || local.contains("..") {
            return "has a mailbox name with a misplaced '.'"
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        if labels.count < 2 { return "needs a domain with a dot after '@', such as example.org" }
        for label in labels {
            if label.isEmpty || label.utf8.count > 63 { return "has an invalid domain" }
            if label.hasPrefix("-") || label.hasSuffix("-") { return "has an invalid domain" }
            let invalid = label.unicodeScalars.contains { scalar in
                scalar.value < 0x80 && !(scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-")
            }
            if invalid { return "has an invalid domain" }
        }
        return nil
    }

    public var description: String { rawValue }
}
