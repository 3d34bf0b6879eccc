public import AccountModel
public import Foundation

/// An account to create: validated username and email, optional names and password hash.
public struct NewAccount: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The username.
    public var username: Username
    /// The email address, if any.
    public var email: EmailAddress?
    /// The given name.
    public var firstName: String?
    /// The family name.
    public var lastName: String?
    /// A password hash made by `AccountCrypto.PasswordHasher` (or an imported Django hash); never a password: the
    /// store refuses anything else (``StoreError/invalid(_:)`` naming `password_hash`, nothing written).
    public var passwordHash: String?
    /// The creation time; the store's clock when `nil`.
    public var createdAt: Date?
    /// Whether ``email`` is known to be read by the person (Twitter's verified address, kept at registration): the
    /// account is stored with ``Account/emailVerifiedAt`` set to its creation time.
    public var emailVerified: Bool

    /// Makes an account to create.
    public init(
        username: Username, email: EmailAddress? = nil, firstName: String? = nil, lastName: String? = nil,
        passwordHash: String? = nil, createdAt: Date? = nil, emailVerified: Bool = false
    ) {
        self.username = username
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.emailVerified = emailVerified
    }

    /// The username, and whether a password hash is set; the hash itself is never shown.
    public var description: String {
        "NewAccount(username: \(username), passwordHash: \(passwordHash == nil ? "none" : "<redacted>"))"
    }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// The fields, the password hash as `<redacted>` (`dump`, the debugger).
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "username": username, "email": email as Any, "firstName": firstName as Any,
                "lastName": lastName as Any, "passwordHash": passwordHash == nil ? "nil" : "<redacted>",
                "createdAt": createdAt as Any,
            ], displayStyle: .struct)
    }
}

/// A Twitter identity to link, as Twitter reported it.
public struct NewTwitterIdentity: Sendable {
    /// The stable Twitter user id.
    public var userID: TwitterUserID
    /// The screen name.
    public var screenName: String
    /// The display name.
    public var name: String
    /// The raw `verify_credentials` JSON, kept unchanged.
    public var profileJSON: [UInt8]?

    /// Makes an identity to link. The screen name and display name are kept as ``PersonName/storable(_:)`` makes
    /// them (trimmed, no control characters, at most 100 characters), as an import would take them, so that an
    /// export of the store imports again; the profile JSON keeps what Twitter sent. An empty display name is the
    /// screen name.
    public init(userID: TwitterUserID, screenName: String, name: String, profileJSON: [UInt8]?) {
        self.userID = userID
        self.screenName = PersonName.storable(screenName)
        let name = PersonName.storable(name)
        self.name = name.isEmpty ? self.screenName : name
        self.profileJSON = profileJSON
    }
}

/// How the store refers to one account in a call: by public id or by username.
public enum AccountReference: Sendable, Hashable, CustomStringConvertible {
    /// By public id.
    case id(UserID)
    /// By username (case-insensitive).
    case username(String)
    /// By email address, compared as sign-in compares it (surrounding space trimmed, case ignored).
    case email(String)

    /// Reads `text` as a public id when it is a UUID, as an email address when it holds an `@` (no username can),
    /// otherwise as a username (the CLI's rule).
    public init(_ text: String) {
        if let id = UserID(text) {
            self = .id(id)
        } else if text.contains("@") {
            self = .email(text)
        } else {
            self = .username(text)
        }
    }

    /// As messages show it: a public id bare, a username or address in single quotes.
    public var description: String {
        switch self {
        case .id(let id): return id.rawValue
        case .username(let name): return "'\(name)'"
        case .email(let address): return "'\(address)'"
        }
    }
}
