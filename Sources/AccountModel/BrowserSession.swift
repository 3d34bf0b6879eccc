public import Foundation

/// A server-side browser session as the store keeps it: the SHA-256 of the id in the browser's cookie (never the id
/// itself), the signed-in account if any, the session's CSRF token and its lifetimes. Its description and mirror
/// (`dump`, the debugger) show `<redacted>` for the CSRF token.
public struct BrowserSession: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// Lowercase hex SHA-256 of the cookie's session id.
    public var tokenHash: String
    /// The signed-in account; `nil` for an anonymous session (someone who has not signed in yet).
    public var user: UserID?
    /// The token every form of this session carries (compared in constant time on each POST).
    public var csrfToken: String
    /// When the session was made (sign-in makes a new one).
    public var createdAt: Date
    /// When the browser last used it (updated at most once a minute).
    public var lastSeenAt: Date
    /// When it ends if the browser stays away (last use plus the idle lifetime).
    public var idleExpiresAt: Date
    /// When it ends whatever its use (creation plus the absolute lifetime).
    public var expiresAt: Date
    /// What the browser is, as a coarse label read from its `User-Agent` at sign-in ("Firefox on Linux"); `nil` when
    /// not known. The header itself is never kept.
    public var device: String?

    /// Makes a session value.
    public init(
        tokenHash: String, user: UserID?, csrfToken: String, createdAt: Date, lastSeenAt: Date, idleExpiresAt: Date,
        expiresAt: Date, device: String? = nil
    ) {
        self.tokenHash = tokenHash
        self.user = user
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.idleExpiresAt = idleExpiresAt
        self.expiresAt = expiresAt
        self.device = device
    }

    /// A short name for the session that its account page can show and send back to end it: the first 16 hex digits
    /// of ``tokenHash`` (which is itself no way in: the cookie's id is, and its hash does not give it back).
    public var handle: String { String(tokenHash.prefix(Self.handleLength)) }

    /// The length of ``handle``.
    public static let handleLength = 16

    /// The session with its CSRF token as `<redacted>`: whoever reads the token in a log can post forms as the person.
    public var description: String {
        "BrowserSession(tokenHash: \(tokenHash), user: \(user.map(\.rawValue) ?? "none"), csrfToken: <redacted>, "
            + "createdAt: \(createdAt), lastSeenAt: \(lastSeenAt), idleExpiresAt: \(idleExpiresAt), "
            + "expiresAt: \(expiresAt), device: \(device ?? "unknown"))"
    }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// Every field but the CSRF token, which shows as `<redacted>` (`dump`, the debugger).
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "tokenHash": tokenHash, "user": user as Any, "csrfToken": "<redacted>", "createdAt": createdAt,
                "lastSeenAt": lastSeenAt, "idleExpiresAt": idleExpiresAt, "expiresAt": expiresAt,
                "device": device as Any,
            ], displayStyle: .struct)
    }

    /// Whether the session is still usable at `date` (neither lifetime has run out).
    public func isLive(at date: Date) -> Bool {
        date < idleExpiresAt && date < expiresAt
    }
}

/// The new id (its hash, as ``BrowserSession/tokenHash`` keeps it) and CSRF token of the browser session that asked
/// for a change of its account's ways in (a password changed, added or removed, Twitter unlinked). Given with the
/// change, they replace the session's in the change's own transaction: a copy of the old cookie (stolen, which may be
/// why the password changed) signs nobody in from the moment the change lands, whatever fails after it. Its
/// description and mirror show `<redacted>` for the CSRF token.
public struct BrowserSessionRekey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// Lowercase hex SHA-256 of the session's new id.
    public var tokenHash: String
    /// The session's new CSRF token.
    public var csrfToken: String

    /// Makes a rekey value.
    public init(tokenHash: String, csrfToken: String) {
        self.tokenHash = tokenHash
        self.csrfToken = csrfToken
    }

    /// The rekey with its CSRF token as `<redacted>`.
    public var description: String { "BrowserSessionRekey(tokenHash: \(tokenHash), csrfToken: <redacted>)" }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// The token hash, and the CSRF token as `<redacted>` (`dump`, the debugger).
    public var customMirror: Mirror {
        Mirror(self, children: ["tokenHash": tokenHash, "csrfToken": "<redacted>"], displayStyle: .struct)
    }
}
