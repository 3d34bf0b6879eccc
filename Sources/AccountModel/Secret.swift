/// Secret text (a token secret, a verifier, a password) that never prints itself.
///
/// `description`, `debugDescription` and reflection show `<redacted>`; read ``revealed`` only where the secret is
/// used, never where it is logged.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The secret itself.
    public let revealed: String

    /// Wraps `text`.
    public init(_ text: String) {
        revealed = text
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "Secret(<redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
