internal import AccountCrypto
internal import Foundation
internal import HTTPTypes
internal import Hummingbird
internal import Logging
internal import NIOCore
internal import TwitterOAuth

/// The sandbox's request handlers: OAuth checks in Twitter's order, Twitter's answers and the consent page.
struct SandboxService: Sendable {
    let configuration: SandboxConfiguration
    let state: SandboxState
    let logger: Logger

    static let sessionCookie = "twitter_sandbox_session"
    private static let maximumRequestBody = 64 << 10

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in self.indexPage() }
        router.post("/oauth/request_token") { request, _ in try await self.requestToken(request) }
        router.get("/oauth/authorize") { request, _ in try await self.consentPage(request, endpoint: .authorize) }
        router.get("/oauth/authenticate") { request, _ in
            try await self.consentPage(request, endpoint: .authenticate)
        }
        router.post("/oauth/authorize") { request, _ in try await self.consentDecision(request) }
        router.post("/oauth/access_token") { request, _ in try await self.accessToken(request) }
        router.get("/1.1/account/verify_credentials.json") { request, _ in try await self.verifyCredentials(request) }
        router.post("/1.1/oauth/invalidate_token") { request, _ in try await self.invalidateToken(request) }
        router.post("/1.1/oauth/invalidate_token.json") { request, _ in try await self.invalidateToken(request) }
        if configuration.enablesControlEndpoint {
            router.post("/_sandbox/fail-next") { request, _ in try await self.failNext(request) }
        }
    }

    // MARK: - OAuth endpoints

    func requestToken(_ request: Request) async throws -> Response {
        // (each endpoint judges a request at its arrival, before a `slow` failure's wait: see `authenticate`)
        let arrival = configuration.now()
        if let response = try await injectedFailure(for: .requestToken) { return response }
        var request = request
        let body = try await request.collectBody(upTo: Self.maximumRequestBody)
        let oauth: AuthenticatedRequest
        switch await authenticate(request, body: body, token: .none, endpoint: .requestToken, now: arrival) {
        case .failure(let refusal): return refusal.response
        case .success(let authenticated): oauth = authenticated
        }
        guard let callback = oauth.parameters.first(named: "oauth_callback"), Self.isValidCallback(callback) else {
            return refuse(.badAuthenticationData, endpoint: .requestToken, reason: "oauth_callback missing or invalid")
        }
        guard configuration.approves(callback: callback) else {
            logger.info(
                "request refused",
                metadata: [
                    "sandbox.endpoint": "request_token", "sandbox.twitter_code": "415",
                    "sandbox.reason": "callback URL not registered", "sandbox.callback": "\(callback)",
                ])
            return Self.callbackNotApproved()
        }
        let pending = await state.issueRequestToken(callback: callback, now: arrival)
        logger.info("request token issued", metadata: ["sandbox.endpoint": "request_token"])
        return Self.formResponse([
            ("oauth_token", pending.token),
            ("oauth_token_secret", pending.secret),
            ("oauth_callback_confirmed", "true"),
        ])
    }

    func accessToken(_ request: Request) async throws -> Response {
        let arrival = configuration.now()
        if let response = try await injectedFailure(for: .accessToken) { return response }
        var request = request
        let body = try await request.collectBody(upTo: Self.maximumRequestBody)
        let oauth: AuthenticatedRequest
        switch await authenticate(request, body: body, token: .request, endpoint: .accessToken, now: arrival) {
        case .failure(let refusal): return refusal.response
        case .success(let authenticated): oauth = authenticated
        }
        guard case .request(let pending) = oauth.token,
            case .approved(let userID, let verifier) = pending.decision
        else {
            return refuse(.invalidToken, endpoint: .accessToken, reason: "request token not approved")
        }
        guard let given = oauth.parameters.first(named: "oauth_verifier"),
            ConstantTime.equals(given, verifier)
        else {
            return refuse(.couldNotAuthenticate, endpoint: .accessToken, reason: "oauth_verifier does not match")
        }
        guard let user = configuration.users.first(where: { $0.id == userID }) else {
            return refuse(.invalidToken, endpoint: .accessToken, reason: "the approving user no longer exists")
        }
        guard await state.markExchanged(pending.token) else {
            return refuse(.invalidToken, endpoint: .accessToken, reason: "request token already exchanged")
        }
        let issued = await state.accessToken(for: userID)
        logger.info(
            "access token issued",
            metadata: ["sandbox.endpoint": "access_token", "sandbox.user_id": "\(userID)"]
        )
        return Self.formResponse([
            ("oauth_token", issued.token),
            ("oauth_token_secret", issued.secret),
            ("user_id", String(user.id)),
            ("screen_name", user.screenName),
        ])
    }

    func verifyCredentials(_ request: Request) async throws -> Response {
        let arrival = configuration.now()
        if let response = try await injectedFailure(for: .verifyCredentials) { return response }
        let oauth: AuthenticatedRequest
        switch await authenticate(
            request, body: ByteBuffer(), token: .access, endpoint: .verifyCredentials, now: arrival)
        {
        case .failure(let refusal): return refusal.response
        case .success(let authenticated): oauth = authenticated
        }
        guard case .access(let issued) = oauth.token,
            let user = configuration.users.first(where: { $0.id == issued.userID })
        else {
            return refuse(.invalidToken, endpoint: .verifyCredentials, reason: "no such user")
        }
        let includeEmail = request.uri.queryParameters["include_email"].map { $0 == "true" || $0 == "1" } ?? false
        return Self.jsonResponse(ProfileJSON.encode(user, includeEmail: includeEmail))
    }

    /// `POST /1.1/oauth/invalidate_token`, signed with the access token to revoke: it stops working at once (code 89
    /// after), and the user's next approval issues a new one.
    func invalidateToken(_ request: Request) async throws -> Response {
        let arrival = configuration.now()
        if let response = try await injectedFailure(for: .invalidateToken) { return response }
        var request = request
        let body = try await request.collectBody(upTo: Self.maximumRequestBody)
        let oauth: AuthenticatedRequest
        switch await authenticate(request, body: body, token: .access, endpoint: .invalidateToken, now: arrival) {
        case .failure(let refusal): return refusal.response
        case .success(let authenticated): oauth = authenticated
        }
        guard case .access(let issued) = oauth.token, await state.invalidate(issued.token) else {
            return refuse(.invalidToken, endpoint: .invalidateToken, reason: "access token unknown")
        }
        logger.info(
            "access token invalidated",
            metadata: ["sandbox.endpoint": "invalidate_token", "sandbox.user_id": "\(issued.userID)"])
        return Self.jsonResponse(Array("{\"access_token\":\"\(issued.token)\"}".utf8))
    }

    // MARK: - Consent page

    func consentPage(_ request: Request, endpoint: SandboxEndpoint) async throws -> Response {
        let now = configuration.now()
        if let response = try await injectedFailure(for: endpoint) { return response }
        let lifetime = configuration.requestTokenLifetime.timeInterval
        guard let token = request.uri.queryParameters["oauth_token"].map(String.init),
            let pending = await state.pendingAuthorization(token, now: now, lifetime: lifetime),
            pending.decision == .undecided
        else {
            return Self.htmlResponse(ConsentPage.invalidToken(), status: .forbidden)
        }
        let signedIn = await state.signedInUser(session: request.cookies[Self.sessionCookie]?.value)
        let forceLogin = request.uri.queryParameters["force_login"] == "true"
        if endpoint == .authenticate, configuration.rememberApprovals, !forceLogin, let userID = signedIn,
            await state.hasApproved(userID: userID)
        {
            logger.info(
                "approval remembered",
                metadata: ["sandbox.endpoint": "authenticate", "sandbox.user_id": "\(userID)"]
            )
            return await approve(pending, userID: userID, session: nil)
        }
        let page = ConsentPage.render(
            requestToken: pending.token,
            users: configuration.users,
            selectedUserID: signedIn ?? configuration.users[0].id
        )
        return Self.htmlResponse(page, status: .ok)
    }

    func consentDecision(_ request: Request) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: Self.maximumRequestBody)
        guard let form = FormEncoding.decode(bytes: Array(buffer: body)),
            let token = form.first(named: "oauth_token"),
            let action = form.first(named: "action")
        else {
            return Self.htmlResponse(ConsentPage.message("The form is incomplete."), status: .badRequest)
        }
        let lifetime = configuration.requestTokenLifetime.timeInterval
        guard let pending = await state.pendingAuthorization(token, now: configuration.now(), lifetime: lifetime),
            pending.decision == .undecided
        else {
            return Self.htmlResponse(ConsentPage.invalidToken(), status: .forbidden)
        }
        switch action {
        case "cancel":
            guard await state.decide(token, decision: .denied) else {
                return Self.htmlResponse(ConsentPage.invalidToken(), status: .forbidden)
            }
            logger.info("authorization denied", metadata: ["sandbox.endpoint": "authorize"])
            // (a PIN sign-in has no callback to go back to: a page says so, as approving one shows the PIN)
            if pending.callback == "oob" {
                return Self.htmlResponse(
                    ConsentPage.message("You cancelled: the app was not authorized. You can close this page."),
                    status: .ok)
            }
            return Self.redirect(to: pending.callback, adding: [("denied", token)])
        case "authorize":
            guard let userID = form.first(named: "user_id").flatMap({ UInt64($0) }),
                configuration.users.contains(where: { $0.id == userID })
            else {
                return Self.htmlResponse(ConsentPage.message("Choose one of the listed users."), status: .badRequest)
            }
            let session = await state.signIn(userID: userID, approved: true)
            logger.info(
                "authorization approved",
                metadata: ["sandbox.endpoint": "authorize", "sandbox.user_id": "\(userID)"]
            )
            return await approve(pending, userID: userID, session: session)
        default:
            return Self.htmlResponse(ConsentPage.message("Unknown action."), status: .badRequest)
        }
    }

    /// Records the approval and sends the browser to the callback (or shows the PIN for `oob`).
    private func approve(
        _ pending: SandboxState.PendingAuthorization,
        userID: UInt64,
        session: String?
    ) async -> Response {
        // (a PIN is typed by a person: Twitter's are seven digits; a callback's verifier is copied by the browser)
        let verifier = pending.callback == "oob" ? RandomToken.digits(count: 7) : RandomToken.alphanumeric(count: 32)
        guard await state.decide(pending.token, decision: .approved(userID: userID, verifier: verifier)) else {
            return Self.htmlResponse(ConsentPage.invalidToken(), status: .forbidden)
        }
        var response: Response
        if pending.callback == "oob" {
            response = Self.htmlResponse(ConsentPage.pin(verifier), status: .ok)
        } else {
            response = Self.redirect(
                to: pending.callback,
                adding: [("oauth_token", pending.token), ("oauth_verifier", verifier)]
            )
        }
        if let session {
            response.setCookie(
                Cookie(name: Self.sessionCookie, value: session, path: "/", httpOnly: true, sameSite: .lax)
            )
        }
        return response
    }

    // MARK: - Control endpoint

    /// `POST /_sandbox/fail-next`: JSON only, and never from a web page. A form or a `text/plain` body is what any
    /// page a developer opens may post to a loopback port without asking (no CORS preflight), which would queue
    /// failures in their sandbox; `application/json` from another origin needs a preflight the sandbox does not
    /// answer, and a browser names the page's origin in `Origin`, which tools such as curl and the tests do not send.
    func failNext(_ request: Request) async throws -> Response {
        if request.headers[.origin] != nil {
            return Self.controlError(
                "control requests from web pages are refused (the request carries an Origin header)",
                status: .forbidden)
        }
        let contentType = request.headers[.contentType] ?? ""
        let mediaType = contentType.prefix { $0 != ";" }.trimmingCharacters(in: .whitespaces).lowercased()
        guard mediaType == "application/json" else {
            let sent = contentType.isEmpty ? "none was sent" : "not '\(mediaType)'"
            return Self.controlError(
                "send a JSON object with Content-Type: application/json (\(sent))", status: .unsupportedMediaType)
        }
        var request = request
        let body = try await request.collectBody(upTo: Self.maximumRequestBody)
        guard let object = try? JSONDecoder().decode([String: ControlValue].self, from: Data(Array(buffer: body)))
        else {
            return Self.controlError("send a JSON object: {endpoint, mode, …}")
        }
        let fields = object.mapValues(\.text)
        switch SandboxFailure.parse(fields, now: configuration.now()) {
        case .failure(let error):
            return Self.controlError(error.reason)
        case .success(let (endpoint, failure)):
            await state.enqueue(failure, for: endpoint)
            logger.info(
                "failure queued",
                metadata: ["sandbox.endpoint": "\(endpoint.rawValue)", "sandbox.mode": "\(fields["mode"] ?? "")"]
            )
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            let text = "{\"queued\":{\"endpoint\":\"\(endpoint.rawValue)\",\"mode\":\"\(fields["mode"] ?? "")\"}}"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
    }

    /// A JSON scalar in a control request, read as text.
    private enum ControlValue: Decodable {
        case text(String)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Bool.self) {
                self = .text(value ? "true" : "false")
            } else if let value = try? container.decode(Int64.self) {
                self = .text(String(value))
            } else {
                self = .text(try container.decode(String.self))
            }
        }

        var text: String {
            switch self {
            case .text(let value): value
            }
        }
    }

    private static func controlError(_ reason: String, status: HTTPResponse.Status = .badRequest) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let body = (try? encoder.encode(["error": reason])) ?? Data("{}".utf8)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    // MARK: - Injected failures

    /// The injected failure's response, or nil to answer normally (after the delay of a `slow` failure).
    private func injectedFailure(for endpoint: SandboxEndpoint) async throws -> Response? {
        guard let failure = await state.nextFailure(for: endpoint) else { return nil }
        logger.info("injected failure", metadata: ["sandbox.endpoint": "\(endpoint.rawValue)"])
        switch failure {
        case .rateLimit(let limit, let remaining, let reset):
            var response = Self.twitterError(.rateLimitExceeded)
            response.headers[HTTPField.Name("x-rate-limit-limit")!] = String(limit)
            response.headers[HTTPField.Name("x-rate-limit-remaining")!] = String(remaining)
            response.headers[HTTPField.Name("x-rate-limit-reset")!] = String(reset)
            return response
        case .serverError(let status):
            var response = Self.twitterError(.internalError)
            response.status = HTTPResponse.Status(code: status)
            return response
        case .slow(let delay):
            try await configuration.sleep(delay)
            return nil
        case .malformed:
            if endpoint == .verifyCredentials {
                let user = configuration.users[0]
                let json = ProfileJSON.encode(user, includeEmail: true)
                return Self.jsonResponse(Array(json.prefix(json.count / 2)))
            }
            if endpoint == .invalidateToken { return Self.jsonResponse(Array(#"{"access_tok"#.utf8)) }
            return Self.formResponse([("oauth_token", RandomToken.alphanumeric(count: 27)), ("oauth_tok", "")])
        case .oversized(let size, let chunked):
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            let body = ResponseBody(contentLength: chunked ? nil : size) { writer in
                let chunk = ByteBuffer(repeating: UInt8(ascii: " "), count: 64 << 10)
                var left = size
                while left > 0 {
                    let count = min(left, chunk.readableBytes)
                    try await writer.write(chunk.getSlice(at: 0, length: count)!)
                    left -= count
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: headers, body: body)
        }
    }

    // MARK: - Signature checks

    enum TokenKind {
        case none, request, access
    }

    enum VerifiedToken {
        case none
        case request(SandboxState.PendingAuthorization)
        case access(SandboxState.IssuedAccessToken)
    }

    struct AuthenticatedRequest {
        let parameters: [OAuthParameter]
        let token: VerifiedToken
    }

    struct Refusal: Error {
        let response: Response
    }

    /// Twitter's checks in order: parameters present (215), method and consumer (32), timestamp (135), token (89),
    /// signature (32), nonce not replayed (32). `now` is when the request arrived: the time its timestamp, its
    /// request token's age and its nonce are judged at, however long a `slow` failure then held it.
    private func authenticate(
        _ request: Request,
        body: ByteBuffer,
        token kind: TokenKind,
        endpoint: SandboxEndpoint,
        now: Date
    ) async -> Result<AuthenticatedRequest, Refusal> {
        func refusal(_ error: TwitterErrorCode, _ reason: String) -> Result<AuthenticatedRequest, Refusal> {
            .failure(Refusal(response: refuse(error, endpoint: endpoint, reason: reason)))
        }
        guard let header = request.headers[.authorization],
            let headerParameters = OAuthAuthorizationHeader.parse(header)
        else {
            return refusal(.badAuthenticationData, "no OAuth Authorization header")
        }
        var bodyParameters: [OAuthParameter] = []
        // (the media type without its parameters, case ignored: RFC 9110 §8.3.1)
        let mediaType = (request.headers[.contentType] ?? "").prefix { $0 != ";" }
            .trimmingCharacters(in: .whitespaces).lowercased()
        if mediaType == "application/x-www-form-urlencoded" {
            guard let form = FormEncoding.decode(bytes: Array(buffer: body)) else {
                return refusal(.badAuthenticationData, "the form body does not parse")
            }
            bodyParameters = form
        }
        // A query that does not decode (a bad escape, bytes that are not UTF-8) is left out of the signature base
        // string by the signer; Twitter signs what it received and refuses, so the sandbox refuses too rather than
        // accept a request whose query no signature covers.
        var queryParameters: [OAuthParameter] = []
        if let query = request.uri.query, !query.isEmpty {
            guard let decoded = FormEncoding.decode(query) else {
                return refusal(.badAuthenticationData, "the query string does not decode")
            }
            queryParameters = decoded
        }
        // RFC 5849 3.5 lets `oauth_*` parameters travel in the query or the form body too, and Twitter's own
        // examples do (`POST /oauth/request_token?oauth_callback=…`, `…/access_token?oauth_verifier=…`): those count
        // as protocol parameters. The signature itself stays in the header, and no parameter may come twice.
        var parameters: [OAuthParameter] = []
        for parameter in headerParameters {
            // (within the header too: the signature covers both copies, and the sandbox would read the first)
            guard parameters.first(named: parameter.name) == nil else {
                return refusal(.badAuthenticationData, "\(PercentEncoding.encode(parameter.name)) given twice")
            }
            parameters.append(parameter)
        }
        for parameter in queryParameters + bodyParameters where parameter.name.hasPrefix("oauth_") {
            guard parameter.name != "oauth_signature" else {
                return refusal(.badAuthenticationData, "oauth_signature outside the Authorization header")
            }
            guard parameters.first(named: parameter.name) == nil else {
                return refusal(.badAuthenticationData, "\(PercentEncoding.encode(parameter.name)) given twice")
            }
            parameters.append(parameter)
        }
        var required = [
            "oauth_consumer_key", "oauth_nonce", "oauth_signature", "oauth_signature_method", "oauth_timestamp",
        ]
        if kind != .none { required.append("oauth_token") }
        for name in required where (parameters.first(named: name) ?? "").isEmpty {
            return refusal(.badAuthenticationData, "\(name) missing")
        }
        let value = { (name: String) in parameters.first(named: name) ?? "" }
        guard value("oauth_signature_method") == "HMAC-SHA1" else {
            return refusal(.couldNotAuthenticate, "unsupported oauth_signature_method")
        }
        if let version = parameters.first(named: "oauth_version"), version != "1.0" {
            return refusal(.couldNotAuthenticate, "unsupported oauth_version")
        }
        guard ConstantTime.equals(value("oauth_consumer_key"), configuration.consumer.key) else {
            return refusal(.couldNotAuthenticate, "unknown consumer key")
        }
        guard let timestamp = Int64(value("oauth_timestamp")) else {
            return refusal(.badAuthenticationData, "oauth_timestamp is not an integer")
        }
        let nowSeconds = Int64(now.timeIntervalSince1970.rounded(.down))
        let tolerance = Int64(configuration.timestampTolerance.components.seconds)
        // A timestamp far from any clock (`-9223372036854775808`) must not overflow the subtraction.
        let (offset, overflow) = nowSeconds.subtractingReportingOverflow(timestamp)
        guard !overflow, offset.magnitude <= tolerance.magnitude else {
            return refusal(
                .timestampOutOfBounds,
                overflow ? "oauth_timestamp is out of range" : "oauth_timestamp off by \(offset) s")
        }
        let verified: VerifiedToken
        let tokenSecret: String
        switch kind {
        case .none:
            verified = .none
            tokenSecret = ""
        case .request:
            let lifetime = configuration.requestTokenLifetime.timeInterval
            guard let pending = await state.pendingAuthorization(value("oauth_token"), now: now, lifetime: lifetime),
                case .approved = pending.decision
            else {
                return refusal(.invalidToken, "request token unknown, expired, refused or used")
            }
            verified = .request(pending)
            tokenSecret = pending.secret
        case .access:
            guard let issued = await state.accessToken(value("oauth_token")) else {
                return refusal(.invalidToken, "access token unknown")
            }
            verified = .access(issued)
            tokenSecret = issued.secret
        }
        // (the query's parameters reach the base string through the URL, the body's and the header's from here)
        let signed = headerParameters.filter { $0.name != "oauth_signature" && $0.name != "realm" }
        let host = request.head.authority ?? "127.0.0.1"
        guard let url = URL(string: "http://\(host)\(request.uri.string)") else {
            return refusal(.badAuthenticationData, "the request URL does not parse")
        }
        let baseString = OAuthSigner.signatureBaseString(
            method: request.method.rawValue,
            url: url,
            parameters: signed + bodyParameters
        )
        let expected = OAuthSigner.signature(
            baseString: baseString,
            consumerSecret: configuration.consumer.secret,
            tokenSecret: tokenSecret
        )
        guard ConstantTime.equals(value("oauth_signature"), expected) else {
            return refusal(.couldNotAuthenticate, "signature does not match")
        }
        let fresh = await state.useNonce(
            value("oauth_nonce"),
            timestamp: timestamp,
            consumerKey: configuration.consumer.key,
            now: nowSeconds,
            tolerance: tolerance
        )
        guard fresh else {
            return refusal(.couldNotAuthenticate, "nonce already used")
        }
        return .success(AuthenticatedRequest(parameters: parameters, token: verified))
    }

    // MARK: - Responses

    /// Twitter's error answers: status, code and message.
    enum TwitterErrorCode {
        case couldNotAuthenticate, invalidToken, timestampOutOfBounds, badAuthenticationData
        case rateLimitExceeded, internalError

        var status: HTTPResponse.Status {
            switch self {
            case .couldNotAuthenticate, .invalidToken, .timestampOutOfBounds: .unauthorized
            case .badAuthenticationData: .badRequest
            case .rateLimitExceeded: .tooManyRequests
            case .internalError: .internalServerError
            }
        }

        var code: Int {
            switch self {
            case .couldNotAuthenticate: 32
            case .invalidToken: 89
            case .timestampOutOfBounds: 135
            case .badAuthenticationData: 215
            case .rateLimitExceeded: 88
            case .internalError: 131
            }
        }

        var message: String {
            switch self {
            case .couldNotAuthenticate: "Could not authenticate you."
            case .invalidToken: "Invalid or expired token."
            case .timestampOutOfBounds: "Timestamp out of bounds."
            case .badAuthenticationData: "Bad Authentication data."
            case .rateLimitExceeded: "Rate limit exceeded"
            case .internalError: "Internal error"
            }
        }
    }

    private func refuse(_ error: TwitterErrorCode, endpoint: SandboxEndpoint, reason: String) -> Response {
        logger.info(
            "request refused",
            metadata: [
                "sandbox.endpoint": "\(endpoint.rawValue)",
                "sandbox.twitter_code": "\(error.code)",
                "sandbox.reason": "\(reason)",
            ]
        )
        return Self.twitterError(error)
    }

    static func twitterError(_ error: TwitterErrorCode) -> Response {
        let text = "{\"errors\":[{\"code\":\(error.code),\"message\":\"\(error.message)\"}]}"
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(
            status: error.status,
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: text))
        )
    }

    /// Twitter's answer to an unregistered callback: 403 and an XML error list, as its OAuth endpoints send it.
    static func callbackNotApproved() -> Response {
        let text =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><errors><error code=\"415\">Callback URL not approved for "
            + "this client application. Approved callback URLs can be adjusted in your application settings"
            + "</error></errors>"
        var headers = HTTPFields()
        headers[.contentType] = "application/xml;charset=utf-8"
        return Response(status: .forbidden, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func formResponse(_ pairs: [(String, String)]) -> Response {
        let text = FormEncoding.encode(pairs.map { OAuthParameter(name: $0.0, value: $0.1) })
        var headers = HTTPFields()
        headers[.contentType] = "application/x-www-form-urlencoded; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func jsonResponse(_ bytes: [UInt8]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func htmlResponse(_ html: String, status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    static func redirect(to callback: String, adding pairs: [(String, String)]) -> Response {
        let query = FormEncoding.encode(pairs.map { OAuthParameter(name: $0.0, value: $0.1) })
        let separator = callback.contains("?") ? "&" : "?"
        var headers = HTTPFields()
        headers[.location] = callback + separator + query
        headers[.cacheControl] = "no-store"
        return Response(status: .found, headers: headers)
    }

    static func isValidCallback(_ callback: String) -> Bool {
        if callback == "oob" { return true }
        // A URL is printable ASCII (RFC 3986): a space, a line break or raw UTF-8, which `URLComponents` takes and
        // escapes, would be copied into the redirect's `Location` as it was.
        guard callback.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else { return false }
        guard let components = URLComponents(string: callback), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", components.host?.isEmpty == false, components.fragment == nil
        else { return false }
        return true
    }

    private func indexPage() -> Response {
        Self.htmlResponse(ConsentPage.index(users: configuration.users), status: .ok)
    }
}

extension Duration {
    /// The duration in seconds, as Foundation counts time.
    var timeInterval: TimeInterval {
        TimeInterval(components.seconds) + TimeInterval(components.attoseconds) / 1e18
    }
}
