public import Foundation

/// A server-side browser session as the store keeps it: the SHA-256 of the id in the browser's cookie (never the id
/// itself), the signed-in account if any, the session's CSRF token and its lifetimes.
public struct BrowserSession: Sendable, Hashable {
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

    /// Makes a session value.
    public init(
        tokenHash: String, user: UserID?, csrfToken: String, createdAt: Date, lastSeenAt: Date, idleExpiresAt: Date,
        expiresAt: Date
    ) {
        self.tokenHash = tokenHash
        self.user = user
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.idleExpiresAt = idleExpiresAt
        self.expiresAt = expiresAt
    }

    /// Whether the session is still usable at `date` (neither lifetime has run out).
    public func isLive(at date: Date) -> Bool {
        date < idleExpiresAt && date < expiresAt
    }
}
