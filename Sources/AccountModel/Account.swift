public import Foundation

/// An account as the store returns it: never a secret, never a password hash.
public struct Account: Hashable, Sendable, Identifiable {
    /// The public id.
    public var id: UserID
    /// The username, unique case-insensitively.
    public var username: String
    /// The email address as given (trimmed), unique case-insensitively.
    public var email: String?
    /// The given name.
    public var firstName: String?
    /// The family name.
    public var lastName: String?
    /// Whether the account has a local password (the hash itself is never part of this value).
    public var hasPassword: Bool
    /// Whether the account may sign in.
    public var status: AccountStatus
    /// When the account was created (microsecond precision).
    public var createdAt: Date
    /// When the account last changed.
    public var updatedAt: Date
    /// When the account last signed in, if ever.
    public var lastSignInAt: Date?
    /// The linked Twitter identity, if any.
    public var twitter: TwitterIdentity?
    /// When the person showed they read mail at ``email`` (a confirmation link, a password reset link, or Twitter's
    /// verified address kept at registration); `nil`: never, or the account has no email.
    public var emailVerifiedAt: Date?

    /// Whether the account has an email that its owner was shown to read.
    public var isEmailVerified: Bool { email != nil && emailVerifiedAt != nil }

    /// Makes an account value.
    public init(
        id: UserID, username: String, email: String?, firstName: String?, lastName: String?, hasPassword: Bool,
        status: AccountStatus, createdAt: Date, updatedAt: Date, lastSignInAt: Date?, twitter: TwitterIdentity?,
        emailVerifiedAt: Date? = nil
    ) {
        self.id = id
        self.username = username
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.hasPassword = hasPassword
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.lastSignInAt = lastSignInAt
        self.twitter = twitter
        self.emailVerifiedAt = emailVerifiedAt
    }
}

/// Whether an account may sign in.
public enum AccountStatus: String, Sendable, Hashable, CaseIterable {
    /// The account may sign in.
    case active
    /// An operator disabled the account.
    case disabled
}

/// A Twitter identity linked to an account.
public struct TwitterIdentity: Hashable, Sendable {
    /// The stable Twitter user id.
    public var userID: TwitterUserID
    /// The screen name when last seen (it can change; the id does not).
    public var screenName: String
    /// The display name when last seen.
    public var name: String
    /// The raw `verify_credentials` JSON as Twitter sent it, when known.
    public var profileJSON: [UInt8]?
    /// When the identity was linked.
    public var linkedAt: Date
    /// When Twitter last vouched for it (sign-in or link).
    public var lastSeenAt: Date

    /// Makes an identity value.
    public init(
        userID: TwitterUserID, screenName: String, name: String, profileJSON: [UInt8]?, linkedAt: Date,
        lastSeenAt: Date
    ) {
        self.userID = userID
        self.screenName = screenName
        self.name = name
        self.profileJSON = profileJSON
        self.linkedAt = linkedAt
        self.lastSeenAt = lastSeenAt
    }
}
