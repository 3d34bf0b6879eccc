public import Foundation

/// Why a Twitter authorization was started.
public enum AuthorizationPurpose: String, Sendable, Hashable, CaseIterable {
    /// Register a new account (an already linked id signs in instead).
    case register
    /// Sign in (an unknown id continues into registration).
    case signIn = "sign_in"
    /// Link a Twitter identity to the signed-in account.
    case link
}

/// A request token waiting for its callback: single use, expiring, bound to the browser session that started it.
public struct PendingAuthorization: Sendable, Hashable {
    /// The request token Twitter issued (public: it travels in the callback URL).
    public var requestToken: String
    /// The request-token secret (sealed at rest).
    public var requestTokenSecret: Secret
    /// The opaque browser-session binding the app passed in.
    public var browserSession: String
    /// Why it was started.
    public var purpose: AuthorizationPurpose
    /// For ``AuthorizationPurpose/link``: the signed-in account to link to.
    public var linkUser: UserID?
    /// When it was created.
    public var createdAt: Date
    /// When it stops being accepted.
    public var expiresAt: Date
    /// When its callback was accepted, if it was.
    public var consumedAt: Date?

    /// Makes a pending authorization.
    public init(
        requestToken: String, requestTokenSecret: Secret, browserSession: String, purpose: AuthorizationPurpose,
        linkUser: UserID?, createdAt: Date, expiresAt: Date, consumedAt: Date? = nil
    ) {
        self.requestToken = requestToken
        self.requestTokenSecret = requestTokenSecret
        self.browserSession = browserSession
        self.purpose = purpose
        self.linkUser = linkUser
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.consumedAt = consumedAt
    }
}

/// An access token granted by Twitter for one Twitter identity.
public struct TwitterCredential: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The access token (public half).
    public var token: String
    /// The access-token secret (sealed at rest).
    public var secret: Secret

    /// Makes a credential.
    public init(token: String, secret: Secret) {
        self.token = token
        self.secret = secret
    }

    /// `TwitterCredential(token: <redacted>, secret: <redacted>)`: with its secret, the token acts for the person.
    public var description: String { "TwitterCredential(token: <redacted>, secret: <redacted>)" }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// Both halves as `<redacted>` (`dump`, the debugger).
    public var customMirror: Mirror {
        Mirror(self, children: ["token": "<redacted>", "secret": "<redacted>"], displayStyle: .struct)
    }
}

/// A registration in progress, kept server-side: the Twitter profile, its credential and the pre-filled fields.
public struct RegistrationDraft: Sendable, Hashable {
    /// The draft's random id.
    public var id: String
    /// The opaque browser-session binding.
    public var browserSession: String
    /// Why the authorization was started.
    public var purpose: AuthorizationPurpose
    /// The Twitter user id the draft is for.
    public var twitterUserID: TwitterUserID
    /// The screen name Twitter reported.
    public var screenName: String
    /// The access token Twitter granted (secret sealed at rest).
    public var credential: TwitterCredential
    /// The raw `verify_credentials` JSON.
    public var profileJSON: [UInt8]
    /// Pre-filled form fields by name (`username`, `email`, `first_name`, `last_name`).
    public var fields: [String: String]
    /// For ``AuthorizationPurpose/link``: the account to link to.
    public var linkUser: UserID?
    /// When it was created.
    public var createdAt: Date
    /// When it stops being accepted.
    public var expiresAt: Date

    /// Makes a draft.
    public init(
        id: String, browserSession: String, purpose: AuthorizationPurpose, twitterUserID: TwitterUserID,
        screenName: String, credential: TwitterCredential, profileJSON: [UInt8], fields: [String: String],
        linkUser: UserID?, createdAt: Date, expiresAt: Date
    ) {
        self.id = id
        self.browserSession = browserSession
        self.purpose = purpose
        self.twitterUserID = twitterUserID
        self.screenName = screenName
        self.credential = credential
        self.profileJSON = profileJSON
        self.fields = fields
        self.linkUser = linkUser
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
