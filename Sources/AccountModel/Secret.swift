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

    /// Whether both hold the same text, byte for byte (UTF-8, no Unicode normalisation), compared in a time that
    /// depends on their lengths only, never on where they first differ: comparing a secret someone sent with one held
    /// tells them nothing through its timing.
    public static func == (lhs: Secret, rhs: Secret) -> Bool {
        var difference = lhs.revealed.utf8.count ^ rhs.revealed.utf8.count
        for (a, b) in zip(lhs.revealed.utf8, rhs.revealed.utf8) { difference |= Int(a ^ b) }
        return difference == 0
    }

    /// `<redacted>`.
    public var description: String { "<redacted>" }
    /// `Secret(<redacted>)`.
    public var debugDescription: String { "Secret(<redacted>)" }
    /// No children: `dump` and the debugger show no text.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
