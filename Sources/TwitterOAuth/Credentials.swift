import AccountCrypto

/// An app's consumer key and consumer secret (Twitter calls them the API key and API key secret).
///
/// The description, `dump` and the debugger show the key and hide the secret, so the value is safe to log or
/// interpolate.
public struct ConsumerCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The consumer (API) key; public, it is sent with every request.
    public let key: String
    /// The consumer (API) secret; never sent, never shown.
    public let secret: String

    /// Makes consumer credentials from a key and its secret.
    public init(key: String, secret: String) {
        self.key = key
        self.secret = secret
    }

    /// Whether both hold the same key and secret, the secrets compared in constant time (``ConstantTime``).
    public static func == (lhs: Self, rhs: Self) -> Bool {
        ConstantTime.equals(lhs.secret, rhs.secret) && lhs.key == rhs.key
    }

    /// `ConsumerCredentials(key: …, secret: <redacted>)`.
    public var description: String { "ConsumerCredentials(key: \(key), secret: <redacted>)" }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// The key, and the secret as `<redacted>` (`dump`, the debugger).
    public var customMirror: Mirror { Mirror(self, children: ["key": key, "secret": redacted], displayStyle: .struct) }
}

/// A temporary credential from `POST /oauth/request_token`: the token goes to the browser, the secret stays here.
public struct RequestToken: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The request token (`oauth_token`); public, it travels in the authorization URL.
    public let token: String
    /// The request token secret (`oauth_token_secret`); signs the access-token request.
    public let secret: String

    /// Makes a request token from the token and its secret.
    public init(token: String, secret: String) {
        self.token = token
        self.secret = secret
    }

    /// Whether both hold the same token and secret, compared in constant time (``ConstantTime``).
    public static func == (lhs: Self, rhs: Self) -> Bool {
        let secrets = ConstantTime.equals(lhs.secret, rhs.secret)
        let tokens = ConstantTime.equals(lhs.token, rhs.token)
        return secrets && tokens
    }

    /// `RequestToken(token: …, secret: <redacted>)`.
    public var description: String { "RequestToken(token: \(token), secret: <redacted>)" }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// The token, and the secret as `<redacted>` (`dump`, the debugger).
    public var customMirror: Mirror {
        Mirror(self, children: ["token": token, "secret": redacted], displayStyle: .struct)
    }
}

/// A user's token credentials from `POST /oauth/access_token`, with the account they belong to.
public struct AccessToken: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The access token (`oauth_token`).
    public let token: String
    /// The access token secret (`oauth_token_secret`).
    public let secret: String
    /// The Twitter user id (`user_id`), exact as a 64-bit integer.
    public let userID: UInt64
    /// The user's screen name (`screen_name`) at the time of sign-in.
    public let screenName: String

    /// Makes an access token from its parts.
    public init(token: String, secret: String, userID: UInt64, screenName: String) {
        self.token = token
        self.secret = secret
        self.userID = userID
        self.screenName = screenName
    }

    /// Whether both are the same, the token and its secret compared in constant time (``ConstantTime``).
    public static func == (lhs: Self, rhs: Self) -> Bool {
        let secrets = ConstantTime.equals(lhs.secret, rhs.secret)
        let tokens = ConstantTime.equals(lhs.token, rhs.token)
        return secrets && tokens && lhs.userID == rhs.userID && lhs.screenName == rhs.screenName
    }

    /// The user id and screen name; the token and its secret are hidden.
    public var description: String {
        "AccessToken(userID: \(userID), screenName: \(screenName), token: <redacted>, secret: <redacted>)"
    }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// The user id and screen name; the token and its secret as `<redacted>` (`dump`, the debugger).
    public var customMirror: Mirror {
        Mirror(
            self, children: ["userID": userID, "screenName": screenName, "token": redacted, "secret": redacted],
            displayStyle: .struct)
    }
}

/// What `dump` and the debugger show in place of a secret.
let redacted = "<redacted>"
