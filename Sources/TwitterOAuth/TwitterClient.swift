import AccountCrypto
public import Foundation

/// Twitter's (X's) OAuth 1.0a sign-in: request token, authorization URL, access token and the signed-in profile.
///
/// A `Sendable` value: keep one per app and share it. Every call is signed with the consumer credentials; HTTP goes
/// through an ``HTTPTransport`` (``AsyncHTTPClientTransport/shared`` by default). Errors are ``TwitterError``s.
///
/// ```swift
/// let twitter = TwitterClient(consumer: ConsumerCredentials(key: key, secret: secret))
/// let requestToken = try await twitter.requestToken(callback: "https://app.example/register/twitter/callback")
/// // redirect the browser to twitter.authenticationURL(for: requestToken), then on the callback:
/// if case .authorized(let token, let verifier) = try TwitterCallback(url: callbackURL),
///     ConstantTime.equals(token, requestToken.token)
/// {
///     let accessToken = try await twitter.accessToken(requestToken: requestToken, verifier: verifier)
///     let profile = try await twitter.verifyCredentials(accessToken: accessToken)
/// }
/// ```
public struct TwitterClient: Sendable {
    /// `https://api.x.com`; `https://api.twitter.com` serves the same endpoints.
    public static let defaultBaseURL = URL(string: "https://api.x.com")!
    /// 1 MiB: larger responses are refused without being read.
    public static let defaultMaximumResponseBodySize = 1 << 20

    /// Where the endpoints live (`/oauth/…`, `/1.1/…` are appended).
    public let baseURL: URL
    /// The total time allowed for each call, connection to last byte.
    public let timeout: Duration
    /// The largest response body, in bytes, that a call will read.
    public let maximumResponseBodySize: Int
    private let signer: OAuthSigner
    private let transport: any HTTPTransport

    /// Makes a client.
    /// - Parameters:
    ///   - consumer: The app's consumer key and secret.
    ///   - baseURL: The API origin, by default ``defaultBaseURL``; point it at a `TwitterSandbox` in tests.
    ///   - transport: How requests are sent, by default ``AsyncHTTPClientTransport/shared``.
    ///   - timeout: The total time allowed per call (default 30 s).
    ///   - maximumResponseBodySize: The response-size cap (default ``defaultMaximumResponseBodySize``).
    ///   - nonce: The `oauth_nonce` source (default: secure random).
    ///   - timestamp: The `oauth_timestamp` source in Unix seconds (default: the system clock).
    public init(
        consumer: ConsumerCredentials,
        baseURL: URL = TwitterClient.defaultBaseURL,
        transport: any HTTPTransport = AsyncHTTPClientTransport.shared,
        timeout: Duration = .seconds(30),
        maximumResponseBodySize: Int = TwitterClient.defaultMaximumResponseBodySize,
        nonce: (@Sendable () -> String)? = nil,
        timestamp: @escaping @Sendable () -> Int64 = OAuthSigner.currentTimestamp
    ) {
        self.baseURL = baseURL
        self.timeout = timeout
        self.maximumResponseBodySize = maximumResponseBodySize
        self.signer = OAuthSigner(consumer: consumer, nonce: nonce, timestamp: timestamp)
        self.transport = transport
    }

    /// The consumer key this client signs with.
    public var consumerKey: String { signer.consumer.key }

    /// `POST /oauth/request_token`: obtains a request token for a sign-in that will come back to `callback`.
    /// - Throws: ``TwitterError/callbackNotApproved(callback:)`` when Twitter refuses `callback` as not registered for
    ///   the app (error 415); ``TwitterError/callbackNotConfirmed`` unless Twitter answers
    ///   `oauth_callback_confirmed=true`; ``TwitterError/rejected(status:errors:)`` with code 32 for a 401 whatever
    ///   its body (only the app's set-up can be refused there); any other ``TwitterError`` for refusals, rate limits
    ///   and transport failures.
    public func requestToken(callback: String) async throws(TwitterError) -> RequestToken {
        let body: [UInt8]
        do {
            body = try await call(
                method: "POST",
                path: "/oauth/request_token",
                protocolParameters: [OAuthParameter(name: "oauth_callback", value: callback)]
            )
        } catch {
            if case .rejected(_, let errors) = error,
                errors.contains(where: { $0.code == TwitterAPIError.callbackNotApproved })
            {
                throw .callbackNotApproved(callback: callback)
            }
            if case .rejected(401, let errors) = error, !error.isSetupProblem {
                // A code in the body (89 "invalid or expired token" when the consumer pair was regenerated) refuses
                // the app just the same: error 32 first, Twitter's own codes kept after it.
                throw .rejected(
                    status: 401,
                    errors: [
                        TwitterAPIError(
                            code: TwitterAPIError.couldNotAuthenticate,
                            message: "request_token refused with 401: the app's consumer key, secret or clock")
                    ] + errors)
            }
            if case .unexpectedStatus(401) = error {
                // No user token goes with this call: a 401 can only refuse the app's consumer pair, signature or
                // clock, whatever the body says it in (plain text, or the code-less `<hash>` form): error 32.
                throw .rejected(
                    status: 401,
                    errors: [
                        TwitterAPIError(
                            code: TwitterAPIError.couldNotAuthenticate,
                            message: "request_token refused with 401 and no error code")
                    ])
            }
            throw error
        }
        let form = try Self.form(body, endpoint: "request_token")
        let token = try Self.required("oauth_token", in: form, endpoint: "request_token")
        let secret = try Self.required("oauth_token_secret", in: form, endpoint: "request_token")
        guard form.first(named: "oauth_callback_confirmed") == "true" else { throw .callbackNotConfirmed }
        return RequestToken(token: token, secret: secret)
    }

    /// `POST /oauth/request_token` with a callback URL; see ``requestToken(callback:)-(String)``.
    public func requestToken(callback: URL) async throws(TwitterError) -> RequestToken {
        try await requestToken(callback: callback.absoluteString)
    }

    /// `GET /oauth/authenticate?oauth_token=…`: "Sign in with Twitter", which skips the consent page for a person who
    /// already approved this app.
    /// - Parameter forceLogin: Ask Twitter to show its login form even when the person is signed in.
    public func authenticationURL(for requestToken: RequestToken, forceLogin: Bool = false) -> URL {
        browserURL(path: "/oauth/authenticate", requestToken: requestToken, forceLogin: forceLogin)
    }

    /// `GET /oauth/authorize?oauth_token=…`: the consent page, shown every time.
    /// - Parameter forceLogin: Ask Twitter to show its login form even when the person is signed in.
    public func authorizationURL(for requestToken: RequestToken, forceLogin: Bool = false) -> URL {
        browserURL(path: "/oauth/authorize", requestToken: requestToken, forceLogin: forceLogin)
    }

    /// `POST /oauth/access_token`: exchanges an approved request token and its verifier for the user's access token.
    /// - Throws: ``TwitterError/rejected(status:errors:)`` with code 89 for an unknown, refused or already used
    ///   request token; any other ``TwitterError`` as for every call.
    public func accessToken(requestToken: RequestToken, verifier: String) async throws(TwitterError) -> AccessToken {
        let body = try await call(
            method: "POST",
            path: "/oauth/access_token",
            token: requestToken.token,
            tokenSecret: requestToken.secret,
            protocolParameters: [OAuthParameter(name: "oauth_verifier", value: verifier)]
        )
        let form = try Self.form(body, endpoint: "access_token")
        let token = try Self.required("oauth_token", in: form, endpoint: "access_token")
        let secret = try Self.required("oauth_token_secret", in: form, endpoint: "access_token")
        let userID = try Self.required("user_id", in: form, endpoint: "access_token")
        let screenName = try Self.required("screen_name", in: form, endpoint: "access_token")
        guard let id = UInt64(userID) else {
            throw .malformedResponse("access_token: user_id is not a 64-bit unsigned decimal integer")
        }
        return AccessToken(token: token, secret: secret, userID: id, screenName: screenName)
    }

    /// `GET /1.1/account/verify_credentials.json?include_email=true&skip_status=true`: the signed-in user's profile,
    /// with the JSON kept byte for byte.
    /// - Throws: ``TwitterError/rejected(status:errors:)`` with code 89 for a revoked or unknown access token,
    ///   ``TwitterError/malformedResponse(_:)`` for JSON that does not decode; any other ``TwitterError``.
    public func verifyCredentials(accessToken: AccessToken) async throws(TwitterError) -> TwitterProfile {
        let body = try await call(
            method: "GET",
            path: "/1.1/account/verify_credentials.json",
            query: [
                OAuthParameter(name: "include_email", value: "true"),
                OAuthParameter(name: "skip_status", value: "true"),
            ],
            token: accessToken.token,
            tokenSecret: accessToken.secret
        )
        return try TwitterProfile(json: body)
    }

    /// `POST /1.1/oauth/invalidate_token`: revokes an access token, signed with that token, so that it stops working
    /// (Twitter issues a new one at the person's next sign-in). For the stored token of an account that unlinks
    /// Twitter or is deleted: deleting the copy leaves the token itself valid until the person revokes the app at
    /// Twitter.
    /// - Parameter timeout: the time allowed for this call, instead of ``timeout`` (a revocation made while a person
    ///   waits for a page should not wait as long as a sign-in may).
    /// - Throws: ``TwitterError/rejected(status:errors:)`` with code 89 for a token that is already invalid or
    ///   unknown; ``TwitterError/malformedResponse(_:)`` for a 2xx answer that is not Twitter's
    ///   `{"access_token": <the token>}` (a captive portal's page, a proxy's, a cut body, an error list): the token
    ///   was not seen to be revoked; any other ``TwitterError`` as for every call.
    public func invalidateToken(_ token: String, secret: String, timeout: Duration? = nil) async throws(TwitterError) {
        let body = try await call(
            method: "POST", path: "/1.1/oauth/invalidate_token", token: token, tokenSecret: secret,
            timeout: timeout)
        // (an error list in a 2xx is no answer of Twitter's to this call: not read as a refusal, whose code 89 the
        // callers count as revoked already)
        if Self.apiErrors(in: body, Redaction(secrets: [token])) != nil {
            throw .malformedResponse("invalidate_token: a 2xx answer carrying an error list, not Twitter's answer")
        }
        // (the token is not quoted: neither what came back nor what was sent)
        guard let answer = try? JSONDecoder().decode(InvalidatedToken.self, from: Data(body)) else {
            throw .malformedResponse("invalidate_token: the answer is not Twitter's {\"access_token\": …}")
        }
        guard ConstantTime.equals(answer.accessToken, token) else {
            throw .malformedResponse("invalidate_token: the answer names another access token than the one sent")
        }
    }

    /// `invalidate_token`'s answer: the token revoked.
    private struct InvalidatedToken: Decodable {
        let accessToken: String

        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token"
        }
    }

    // MARK: - Plumbing

    private func endpointURL(_ path: String, query: [OAuthParameter] = []) -> URL {
        var text = baseURL.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        text += path
        if !query.isEmpty {
            text += "?" + FormEncoding.encode(query)
        }
        // The base URL parsed, and the path and query are percent-encoded ASCII, so this cannot fail.
        return URL(string: text)!
    }

    private func browserURL(path: String, requestToken: RequestToken, forceLogin: Bool) -> URL {
        var query = [OAuthParameter(name: "oauth_token", value: requestToken.token)]
        if forceLogin {
            query.append(OAuthParameter(name: "force_login", value: "true"))
        }
        return endpointURL(path, query: query)
    }

    private func call(
        method: String,
        path: String,
        query: [OAuthParameter] = [],
        token: String? = nil,
        tokenSecret: String = "",
        protocolParameters: [OAuthParameter] = [],
        timeout: Duration? = nil
    ) async throws(TwitterError) -> [UInt8] {
        let url = endpointURL(path, query: query)
        // Signed for each attempt: a resend carries a nonce and timestamp of its own, which Twitter does not refuse
        // as replayed (error 32).
        func attempt(timeout: Duration) async throws(TwitterError) -> HTTPTransportResponse {
            let authorization = signer.authorizationHeader(
                method: method,
                url: url,
                token: token,
                tokenSecret: tokenSecret,
                protocolParameters: protocolParameters
            )
            let headers = [
                HTTPHeader(name: "Authorization", value: authorization),
                HTTPHeader(name: "Accept", value: "application/json, application/x-www-form-urlencoded"),
                HTTPHeader(name: "User-Agent", value: "accounts-TwitterOAuth/1"),
            ]
            return try await transport.send(
                method: method,
                url: url,
                headers: headers,
                body: [],
                timeout: timeout,
                maximumResponseBodySize: maximumResponseBodySize
            )
        }
        let allowed = timeout ?? self.timeout
        let started = ContinuousClock.now
        let response: HTTPTransportResponse
        do throws(TwitterError) {
            response = try await attempt(timeout: allowed)
        } catch {
            // The connection closed before any answer (a pooled one the server closed as it was handed out): once
            // more, within the time the call has left (see ``TwitterError/closedBeforeAnswer(host:)``).
            guard case .closedBeforeAnswer = error else { throw error }
            let left = allowed - (ContinuousClock.now - started)
            guard left > .zero else { throw .timedOut }
            response = try await attempt(timeout: left)
        }
        // Twitter's messages are shown and logged: one that repeats the call's token or verifier must not carry them.
        let redaction = Redaction(
            secrets: [token].compactMap { $0 }
                + protocolParameters.filter { $0.name != "oauth_callback" }.map(\.value))
        if let error = Self.error(for: response, redacting: redaction) {
            throw error
        }
        return response.body
    }

    /// The error a non-2xx response stands for, or nil for a 2xx one; Twitter's messages with `redaction` applied.
    package static func error(
        for response: HTTPTransportResponse, redacting redaction: Redaction = Redaction(secrets: [])
    ) -> TwitterError? {
        switch response.status {
        case 200..<300:
            return nil
        case 429:
            return .rateLimited(
                RateLimit(
                    limit: response.headerValue("x-rate-limit-limit").flatMap { Int($0) },
                    remaining: response.headerValue("x-rate-limit-remaining").flatMap { Int($0) },
                    reset: response.headerValue("x-rate-limit-reset").flatMap(Self.resetTime)
                )
            )
        case 500..<600:
            return .serverError(status: response.status)
        default:
            if let errors = apiErrors(in: response.body, redaction)
                ?? XMLErrorList.errors(in: response.body, redacting: redaction)
            {
                return .rejected(status: response.status, errors: errors)
            }
            return .unexpectedStatus(response.status)
        }
    }

    /// The most entries of Twitter's `errors` list kept in a ``TwitterError/rejected(status:errors:)``.
    package static let maximumReportedErrors = 5

    private struct ErrorList: Decodable {
        struct Entry: Decodable {
            let code: Int
            let message: String?
        }
        let errors: [Entry]
    }

    /// `x-rate-limit-reset`: Unix time in whole seconds, as Twitter documents it; `nil` for anything else (a `nan`
    /// or `1e300` made a `Date` whose `description` traps), or for a time outside the years 1970–9999.
    static func resetTime(_ header: String) -> Date? {
        guard let seconds = Int64(header), seconds >= 0, seconds < 253_402_300_800 else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    private static func apiErrors(in body: [UInt8], _ redaction: Redaction) -> [TwitterAPIError]? {
        guard let list = try? JSONDecoder().decode(ErrorList.self, from: Data(body)), !list.errors.isEmpty else {
            return nil
        }
        // The first few are all a person needs; a body of thousands would make one enormous log line.
        return list.errors.prefix(maximumReportedErrors).map {
            TwitterAPIError(code: $0.code, message: redaction.apply($0.message ?? ""))
        }
    }

    private static func form(_ body: [UInt8], endpoint: String) throws(TwitterError) -> [OAuthParameter] {
        guard let form = FormEncoding.decode(bytes: body) else {
            throw .malformedResponse("\(endpoint): the body is not a form-encoded (key=value&…) text")
        }
        return form
    }

    private static func required(
        _ name: String,
        in form: [OAuthParameter],
        endpoint: String
    ) throws(TwitterError) -> String {
        guard let value = form.first(named: name), !value.isEmpty else {
            throw .malformedResponse("\(endpoint): the body lacks \(name) (truncated or not an OAuth answer)")
        }
        return value
    }
}
