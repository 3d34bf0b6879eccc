public import AccountModel

/// One account as the import and export files carry it. It never holds a token or token secret.
public struct AccountRecord: Sendable, Hashable {
    /// A linked Twitter identity as the files carry it: no credentials, no profile JSON.
    public struct Twitter: Sendable, Hashable {
        /// The stable Twitter user id, exact.
        public var id: TwitterUserID
        /// The screen name.
        public var screenName: String
        /// The display name.
        public var name: String

        /// Makes an identity value.
        public init(id: TwitterUserID, screenName: String, name: String) {
            self.id = id
            self.screenName = screenName
            self.name = name
        }
    }

    /// The username.
    public var username: Username
    /// The email address (trimmed), if any.
    public var email: EmailAddress?
    /// The given name (trimmed, never empty), if any.
    public var firstName: String?
    /// The family name (trimmed, never empty), if any.
    public var lastName: String?
    /// The creation time; `nil` on import means "the time of the import".
    public var createdAt: TransferTimestamp?
    /// The linked Twitter identity, if any.
    public var twitter: Twitter?
    /// A stored password hash (`scrypt$…` or Django's `pbkdf2_sha256$…`), checked for format; redacted when printed.
    public var passwordHash: Secret?

    /// Makes a record.
    public init(
        username: Username, email: EmailAddress? = nil, firstName: String? = nil, lastName: String? = nil,
        createdAt: TransferTimestamp? = nil, twitter: Twitter? = nil, passwordHash: Secret? = nil
    ) {
        self.username = username
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.createdAt = createdAt
        self.twitter = twitter
        self.passwordHash = passwordHash
    }
}
