import Foundation

/// The public identifier of an account: a lowercase UUID, used in URLs, reports and the CLI.
public struct UserID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The lowercase UUID text, e.g. `1b4e28ba-2fa1-11d2-883f-0016d3cca427`.
    public let rawValue: String

    /// Reads `text` as a public id; `nil` unless it is a UUID (any case; kept lowercase).
    public init?(_ text: String) {
        guard text.utf8.count == 36, let uuid = UUID(uuidString: text) else { return nil }
        rawValue = uuid.uuidString.lowercased()
    }

    /// A new random (version 4) public id.
    public static func random() -> UserID {
        UserID(uncheckedRawValue: UUID().uuidString.lowercased())
    }

    /// Wraps text already known to be a lowercase UUID (read back from the store).
    package init(uncheckedRawValue: String) {
        rawValue = uncheckedRawValue
    }

    public var description: String { rawValue }

    public static func < (lhs: UserID, rhs: UserID) -> Bool { lhs.rawValue < rhs.rawValue }
}
