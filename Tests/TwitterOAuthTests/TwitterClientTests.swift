import Foundation
import Testing
import TwitterOAuth

struct TwitterClientTests {
    static let consumer = ConsumerCredentials(key: "consumer-key", secret: "CONSUMER-SECRET-xyz")

    static func client(_ transport: StubTransport, baseURL: String = "https://api.x.com") -> TwitterClient {
        TwitterClient(
            consumer: consumer,
            baseURL: URL(string: baseURL)!,
            transport: transport,
            nonce: { "fixed-nonce" },
            timestamp: { 1_700_000_000 }
        )
    }

    /// Recomputes the signature of a recorded request, as a server would.
    static func signatureIsValid(_ request: StubTransport.Sent, tokenSecret: String) throws -> Bool {
        let header = try #require(request.header("Authorization"))
        let parameters = try #require(OAuthAuthorizationHeader.parse(header))
        let signature = try #require(parameters.first(named: "oauth_signature"))
        let baseString = OAuthSigner.signatureBaseString(
            method: request.method,
            url: request.url,
            parameters: parameters.filter { $0.name != "oauth_signature" }
        )
        let expected = OAuthSigner.signature(
            baseString: baseString,
            consumerSecret: consumer.secret,
            tokenSecret: tokenSecret
        )
        return signature == expected
    }

    @Test func requestTokenSendsASignedCallbackAndReadsTheToken() async throws {
        // Given
        let transport = StubTransport(
            status: 200,
            body: "oauth_token=REQ-TOKEN&oauth_token_secret=REQ-SECRET&oauth_callback_confirmed=true"
        )
        // When
        let token = try await Self.client(transport).requestToken(callback: "https://app.example/cb?x=1")
        // Then
        #expect(token == RequestToken(token: "REQ-TOKEN", secret: "REQ-SECRET"))
        let request = try #require(transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.url.absoluteString == "https://api.x.com/oauth/request_token")
        let header = try #require(request.header("Authorization"))
        #expect(header.contains("oauth_callback=\"https%3A%2F%2Fapp.example%2Fcb%3Fx%3D1\""))
        #expect(try Self.signatureIsValid(request, tokenSecret: ""))
    }

    @Test func worksTheSameOnTheTwitterDotComBaseURL() async throws {
        let transport = StubTransport(
            status: 200,
            body: "oauth_token=a&oauth_token_secret=b&oauth_callback_confirmed=true"
        )
        _ = try await Self.client(transport, baseURL: "https://api.twitter.com/").requestToken(callback: "oob")
        #expect(transport.requests.first?.url.absoluteString == "https://api.twitter.com/oauth/request_token")
    }

    @Test(arguments: ["oauth_callback_confirmed=false", "", "oauth_callback_confirmed=TRUE"])
    func requestTokenRefusesAnUnconfirmedCallback(confirmation: String) async {
        let transport = StubTransport(status: 200, body: "oauth_token=a&oauth_token_secret=b&" + confirmation)
        await #expect(throws: TwitterError.callbackNotConfirmed) {
            try await Self.client(transport).requestToken(callback: "https://app.example/cb")
        }
    }

    @Test func buildsAuthenticateAndAuthorizeURLs() {
        let client = Self.client(StubTransport(status: 500, body: ""))
        let token = RequestToken(token: "tok en", secret: "s")
        #expect(
            client.authenticationURL(for: token).absoluteString
                == "https://api.x.com/oauth/authenticate?oauth_token=tok%20en"
        )
        #expect(
            client.authorizationURL(for: token).absoluteString
                == "https://api.x.com/oauth/authorize?oauth_token=tok%20en"
        )
        #expect(
            client.authenticationURL(for: token, forceLogin: true).absoluteString
                == "https://api.x.com/oauth/authenticate?oauth_token=tok%20en&force_login=true"
        )
    }

    @Test func accessTokenSendsTheVerifierSignedWithTheRequestTokenSecret() async throws {
        // Given
        let transport = StubTransport(
            status: 200,
            body: "oauth_token=123-AT&oauth_token_secret=AT-SECRET&user_id=1234567890123456789&screen_name=zoe"
        )
        // When
        let accessToken = try await Self.client(transport).accessToken(
            requestToken: RequestToken(token: "REQ", secret: "REQ-SECRET"),
            verifier: "VERIFIER"
        )
        // Then
        #expect(accessToken.userID == 1_234_567_890_123_456_789)
        #expect(accessToken.screenName == "zoe")
        let secretRead = accessToken.secret == "AT-SECRET"
        #expect(secretRead, "the access token's secret is not the one answered")
        let request = try #require(transport.requests.first)
        let header = try #require(request.header("Authorization"))
        let parameters = try #require(OAuthAuthorizationHeader.parse(header))
        #expect(parameters.first(named: "oauth_verifier") == "VERIFIER")
        #expect(parameters.first(named: "oauth_token") == "REQ")
        #expect(try Self.signatureIsValid(request, tokenSecret: "REQ-SECRET"))
    }

    @Test func verifyCredentialsAsksForEmailWithoutStatusAndKeepsTheJSON() async throws {
        // Given
        let json = #"{"id":1234567890123456789, "id_str":"1234567890123456789","name":"Zoë","screen_name":"zoe"}"#
        let transport = StubTransport(status: 200, body: json)
        // When
        let profile = try await Self.client(transport).verifyCredentials(
            accessToken: AccessToken(token: "AT", secret: "AT-SECRET", userID: 1, screenName: "zoe")
        )
        // Then
        #expect(profile.id == 1_234_567_890_123_456_789)
        #expect(profile.rawJSON == Array(json.utf8))
        let request = try #require(transport.requests.first)
        #expect(request.method == "GET")
        #expect(
            request.url.absoluteString
                == "https://api.x.com/1.1/account/verify_credentials.json?include_email=true&skip_status=true"
        )
        #expect(try Self.signatureIsValid(request, tokenSecret: "AT-SECRET"))
    }

    static let errorCases: [(Int, [HTTPHeader], String, TwitterError)] = [
        (
            401, [], #"{"errors":[{"code":32,"message":"Could not authenticate you."}]}"#,
            .rejected(status: 401, errors: [TwitterAPIError(code: 32, message: "Could not authenticate you.")])
        ),
        (
            // (at `request_token` any 401 refuses the app's set-up: 32 first, Twitter's own code after it)
            401, [], #"{"errors":[{"code":89,"message":"Invalid or expired token."}]}"#,
            .rejected(
                status: 401,
                errors: [
                    TwitterAPIError(
                        code: 32, message: "request_token refused with 401: the app's consumer key, secret or clock"),
                    TwitterAPIError(code: 89, message: "Invalid or expired token."),
                ])
        ),
        (
            401, [], #"{"errors":[{"code":135,"message":"Timestamp out of bounds."}]}"#,
            .rejected(status: 401, errors: [TwitterAPIError(code: 135, message: "Timestamp out of bounds.")])
        ),
        (
            400, [], #"{"errors":[{"code":215,"message":"Bad Authentication data."}]}"#,
            .rejected(status: 400, errors: [TwitterAPIError(code: 215, message: "Bad Authentication data.")])
        ),
        (
            429,
            [
                HTTPHeader(name: "x-rate-limit-limit", value: "15"),
                HTTPHeader(name: "X-Rate-Limit-Remaining", value: "0"),
                HTTPHeader(name: "x-rate-limit-reset", value: "1700000900"),
            ],
            #"{"errors":[{"code":88,"message":"Rate limit exceeded"}]}"#,
            .rateLimited(RateLimit(limit: 15, remaining: 0, reset: Date(timeIntervalSince1970: 1_700_000_900)))
        ),
        (429, [], "", .rateLimited(RateLimit(limit: nil, remaining: nil, reset: nil))),
        (500, [], #"{"errors":[{"code":131,"message":"Internal error"}]}"#, .serverError(status: 500)),
        (503, [], "<html>Over capacity</html>", .serverError(status: 503)),
        (404, [], "not json", .unexpectedStatus(404)),
        (403, [], #"{"errors":[]}"#, .unexpectedStatus(403)),
    ]

    @Test(arguments: errorCases)
    func mapsErrorAnswersToTypedErrors(status: Int, headers: [HTTPHeader], body: String, expected: TwitterError) async {
        let transport = StubTransport(status: status, body: body, headers: headers)
        await #expect(throws: expected) {
            try await Self.client(transport).requestToken(callback: "oob")
        }
    }

    @Test func keepsOnlyTheFirstFewOfAThousandErrors() async {
        let entries = (1...1_000).map { #"{"code":\#($0),"message":"m\#($0)"}"# }.joined(separator: ",")
        let transport = StubTransport(status: 400, body: #"{"errors":[\#(entries)]}"#)
        await #expect(
            throws: TwitterError.rejected(
                status: 400, errors: (1...5).map { TwitterAPIError(code: $0, message: "m\($0)") })
        ) {
            try await Self.client(transport).requestToken(callback: "oob")
        }
    }

    @Test func exposesTheFirstTwitterErrorCode() {
        let error = TwitterError.rejected(status: 401, errors: [TwitterAPIError(code: 89, message: "x")])
        #expect(error.apiErrorCode == TwitterAPIError.invalidOrExpiredToken)
        #expect(TwitterError.timedOut.apiErrorCode == nil)
    }

    @Test(arguments: [
        "oauth_token=abc&oauth_tok",
        "oauth_token=abc&oauth_token_secret=",
        "oauth_token=%ZZ&oauth_token_secret=b&oauth_callback_confirmed=true",
        "<html>hello</html>",
    ])
    func refusesTruncatedOrMalformedFormBodies(body: String) async {
        let transport = StubTransport(status: 200, body: body)
        let error = await #expect(throws: TwitterError.self) {
            try await Self.client(transport).requestToken(callback: "oob")
        }
        guard case .malformedResponse = error else {
            Issue.record("expected malformedResponse, got \(String(describing: error))")
            return
        }
    }

    @Test func refusesAnAccessTokenAnswerWithANonNumericUserID() async {
        let transport = StubTransport(
            status: 200,
            body: "oauth_token=a&oauth_token_secret=b&user_id=12.5&screen_name=zoe"
        )
        await #expect(
            throws: TwitterError.malformedResponse("access_token: user_id is not a 64-bit unsigned decimal integer")
        ) {
            try await Self.client(transport).accessToken(
                requestToken: RequestToken(token: "r", secret: "s"),
                verifier: "v"
            )
        }
    }

    @Test func passesTransportFailuresThrough() async {
        let transport = StubTransport { _ throws(TwitterError) in throw .timedOut }
        await #expect(throws: TwitterError.timedOut) {
            try await Self.client(transport).requestToken(callback: "oob")
        }
    }
}
