/// A form or record field, named in validation errors.
public enum Field: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case username
    case email
    case firstName = "first_name"
    case lastName = "last_name"
    case password
    case twitterUserID = "twitter_id"
    case screenName = "twitter_screen_name"
    case displayName = "twitter_name"
    case createdAt = "created_at"
    case passwordHash = "password_hash"
    case terms

    /// The field's name as forms, files and messages spell it.
    public var description: String { rawValue }
}

/// One invalid field and what is wrong with it, in words a person can act on.
public struct FieldError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field at fault.
    public let field: Field
    /// What is wrong, as a sentence fragment ("must be 1 to 30 characters").
    public let problem: String

    /// Makes an error for `field`.
    public init(_ field: Field, _ problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String { "\(field): \(problem)" }
}
