/// A form or record field, named in validation errors.
public enum Field: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The username (`username`).
    case username
    /// The email address (`email`).
    case email
    /// The given name (`first_name`).
    case firstName = "first_name"
    /// The family name (`last_name`).
    case lastName = "last_name"
    /// A password typed in a form (files carry only `password_hash`).
    case password
    /// The linked Twitter identity's numeric id (`twitter_id`; `twitter.id` in JSON Lines).
    case twitterUserID = "twitter_id"
    /// The linked Twitter identity's screen name, its @handle (`twitter_screen_name`).
    case screenName = "twitter_screen_name"
    /// The linked Twitter identity's display name (`twitter_name`).
    case displayName = "twitter_name"
    /// When the account was created (`created_at`), in import and export files.
    case createdAt = "created_at"
    /// A password hash in an import file (`password_hash`: scrypt or Django's pbkdf2_sha256).
    case passwordHash = "password_hash"
    /// The terms-of-service box of a registration form, when the service requires it (`terms`).
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

    /// `field: problem`, e.g. `username: must be 1 to 30 characters`.
    public var description: String { "\(field): \(problem)" }
}
