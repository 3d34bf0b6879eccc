/// The fields of an account that duplicate detection compares, as the store reads them in bulk.
///
/// Lighter than ``Account``: no times, no password flag, no raw Twitter profile.
public struct MatchableAccount: Sendable, Hashable {
    /// The public id.
    public var id: UserID
    /// The username.
    public var username: String
    /// The email address as stored, if any.
    public var email: String?
    /// The stored normalised mailbox of `email` (`AccountMatching.Mailbox`), if any.
    public var emailMailbox: String?
    /// The version of the mailbox rules that made `emailMailbox`.
    public var emailRulesVersion: Int?
    /// The given name.
    public var firstName: String?
    /// The family name.
    public var lastName: String?
    /// The linked Twitter identity's screen name, if any.
    public var twitterScreenName: String?
    /// The linked Twitter identity's display name, if any.
    public var twitterName: String?
    /// The linked Twitter identity's user id, if any: what tells two Twitter accounts apart when a screen name was
    /// given up by one and taken by the other. Shown by the duplicate report, never compared.
    public var twitterUserID: TwitterUserID?

    /// Makes a value.
    public init(
        id: UserID, username: String, email: String? = nil, emailMailbox: String? = nil, emailRulesVersion: Int? = nil,
        firstName: String? = nil, lastName: String? = nil, twitterScreenName: String? = nil, twitterName: String? = nil,
        twitterUserID: TwitterUserID? = nil
    ) {
        self.id = id
        self.username = username
        self.email = email
        self.emailMailbox = emailMailbox
        self.emailRulesVersion = emailRulesVersion
        self.firstName = firstName
        self.lastName = lastName
        self.twitterScreenName = twitterScreenName
        self.twitterName = twitterName
        self.twitterUserID = twitterUserID
    }
}
