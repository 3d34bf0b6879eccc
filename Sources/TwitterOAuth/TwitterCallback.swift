public import Foundation

/// What Twitter sends the browser back with: an approval (`oauth_token` + `oauth_verifier`) or a refusal (`denied`).
public enum TwitterCallback: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The person approved: exchange `token` and `verifier` with ``TwitterClient/accessToken(requestToken:verifier:)``.
    case authorized(token: String, verifier: String)
    /// The person pressed Cancel; `requestToken` is the token they refused.
    case denied(requestToken: String)

    /// Reads the callback from decoded query parameters.
    /// - Throws: ``TwitterError/missingCallbackParameter(_:)`` when neither `denied` nor both `oauth_token` and
    ///   `oauth_verifier` are present and non-empty.
    public init(parameters: [String: String]) throws(TwitterError) {
        if let denied = parameters["denied"], !denied.isEmpty {
            self = .denied(requestToken: denied)
            return
        }
        guard let token = parameters["oauth_token"], !token.isEmpty else {
            throw .missingCallbackParameter("oauth_token")
        }
        guard let verifier = parameters["oauth_verifier"], !verifier.isEmpty else {
            throw .missingCallbackParameter("oauth_verifier")
        }
        self = .authorized(token: token, verifier: verifier)
    }

    /// Reads the callback from a raw query string such as `oauth_token=…&oauth_verifier=…` (a leading `?` is allowed).
    /// - Throws: ``TwitterError/missingCallbackParameter(_:)``, or ``TwitterError/malformedResponse(_:)`` for a query
    ///   whose escapes do not decode.
    public init(query: String) throws(TwitterError) {
        let text = query.hasPrefix("?") ? String(query.dropFirst()) : query
        guard let parameters = FormEncoding.decode(text) else {
            throw .malformedResponse("the callback query has a malformed percent-escape")
        }
        var first: [String: String] = [:]
        for parameter in parameters where first[parameter.name] == nil {
            first[parameter.name] = parameter.value
        }
        try self.init(parameters: first)
    }

    /// Reads the callback from the full callback URL the browser was sent to.
    /// - Throws: as ``init(query:)``.
    public init(url: URL) throws(TwitterError) {
        let query = URLComponents(url: url, resolvingAgainstBaseURL: true)?.percentEncodedQuery ?? ""
        try self.init(query: query)
    }

    /// The case and token; the verifier is hidden.
    public var description: String {
        switch self {
        case .authorized(let token, _): "TwitterCallback.authorized(token: \(token), verifier: <redacted>)"
        case .denied(let token): "TwitterCallback.denied(requestToken: \(token))"
        }
    }

    /// Same as ``description``.
    public var debugDescription: String { description }

    /// The token; the verifier as `<redacted>` (`dump`, the debugger).
    public var customMirror: Mirror {
        switch self {
        case .authorized(let token, _):
            Mirror(self, children: ["token": token, "verifier": redacted], displayStyle: .enum)
        case .denied(let token): Mirror(self, children: ["requestToken": token], displayStyle: .enum)
        }
    }
}
