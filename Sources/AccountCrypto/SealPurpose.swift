/// The kind of row a sealed value belongs to; part of the associated data, so a value sealed for one purpose does not
/// open for another.
public struct SealPurpose: Sendable, Hashable, CustomStringConvertible {
    /// The string bound into the associated data, e.g. `"twitter-credential"`.
    public let rawValue: String

    /// A purpose with the given string; keep it stable, since changing it makes existing values unopenable.
    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    /// A linked Twitter account's OAuth token secret; the row key is the Twitter user id (`id_str`).
    public static let twitterCredential = SealPurpose("twitter-credential")

    /// A pending authorization's request-token secret; the row key is the request token.
    public static let pendingAuthorization = SealPurpose("pending-authorization")

    /// A registration draft's secrets; the row key is the draft id.
    public static let registrationDraft = SealPurpose("registration-draft")

    /// The raw string.
    public var description: String { rawValue }
}
