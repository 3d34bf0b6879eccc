import Foundation
import TestSupport
import Testing
import TwitterOAuth
import TwitterSandbox

/// Each way the sandbox refuses a request, seen through the client as the typed error Twitter's answer maps to.
struct SandboxRefusalTests {
    static let zoe: UInt64 = 1_234_567_890_123_456_789

    @Test func wrongConsumerSecretIsCode32() async throws {
        try await SandboxHarness.run { sandbox in
            let client = sandbox.client(
                consumer: ConsumerCredentials(key: sandbox.consumer.key, secret: "wrong-secret")
            )
            let error = await #expect(throws: TwitterError.self) {
                try await client.requestToken(callback: SandboxHarness.callback)
            }
            #expect(
                error
                    == .rejected(
                        status: 401,
                        errors: [TwitterAPIError(code: 32, message: "Could not authenticate you.")]
                    )
            )
            expectAbsent("wrong-secret", named: "the wrong consumer secret", in: String(describing: error))
            expectAbsent(sandbox.consumer.secret, named: "the consumer secret", in: String(describing: error))
        }
    }

    @Test func unknownConsumerKeyIsCode32() async throws {
        try await SandboxHarness.run { sandbox in
            let client = sandbox.client(
                consumer: ConsumerCredentials(key: "someone-else", secret: sandbox.consumer.secret)
            )
            let error = await #expect(throws: TwitterError.self) {
                try await client.requestToken(callback: SandboxHarness.callback)
            }
            #expect(error?.apiErrorCode == 32)
        }
    }

    @Test func replayedNonceIsCode32() async throws {
        try await SandboxHarness.run { sandbox in
            // Given: a client that repeats its nonce and timestamp
            let now = OAuthSigner.currentTimestamp()
            let client = sandbox.client(nonce: { "same-nonce" }, timestamp: { now })
            _ = try await client.requestToken(callback: SandboxHarness.callback)
            // When / Then
            let error = await #expect(throws: TwitterError.self) {
                try await client.requestToken(callback: SandboxHarness.callback)
            }
            #expect(error?.apiErrorCode == TwitterAPIError.couldNotAuthenticate)
            #expect(error.map { if case .rejected(401, _) = $0 { true } else { false } } == true)
        }
    }

    // +400, not +310: a request held up by a busy machine arrives with less skew than it was signed with.
    @Test(arguments: [-310, 400, -86_400])
    func timestampSkewIsCode135(offset: Int64) async throws {
        try await SandboxHarness.run { sandbox in
            let client = sandbox.client(timestamp: { OAuthSigner.currentTimestamp() + offset })
            let error = await #expect(throws: TwitterError.self) {
                try await client.requestToken(callback: SandboxHarness.callback)
            }
            #expect(
                error
                    == .rejected(status: 401, errors: [TwitterAPIError(code: 135, message: "Timestamp out of bounds.")])
            )
        }
    }

    /// A timestamp far from any clock is refused as out of bounds; it must not overflow the sandbox's arithmetic (it
    /// did: `Int64.min` stopped the process, and with it `accounts demo`).
    @Test(arguments: [Int64.min, Int64.min + 1, Int64.max, 0])
    func aTimestampFarFromAnyClockIsCode135(timestamp: Int64) async throws {
        try await SandboxHarness.run { sandbox in
            let client = sandbox.client(timestamp: { timestamp })
            let error = await #expect(throws: TwitterError.self) {
                try await client.requestToken(callback: SandboxHarness.callback)
            }
            #expect(
                error
                    == .rejected(status: 401, errors: [TwitterAPIError(code: 135, message: "Timestamp out of bounds.")])
            )
            // The sandbox still answers.
            _ = try await sandbox.client().requestToken(callback: SandboxHarness.callback)
        }
    }

    @Test func reusedRequestTokenIsCode89() async throws {
        try await SandboxHarness.run { sandbox in
            // Given: a request token already exchanged
            let client = sandbox.client()
            let requestToken = try await client.requestToken(callback: SandboxHarness.callback)
            let (callback, _) = try await sandbox.approve(requestToken, as: Self.zoe, client: client)
            guard case .authorized(_, let verifier) = callback else {
                Issue.record("expected an approval")
                return
            }
            _ = try await client.accessToken(requestToken: requestToken, verifier: verifier)
            // When / Then
            let error = await #expect(throws: TwitterError.self) {
                try await client.accessToken(requestToken: requestToken, verifier: verifier)
            }
            #expect(
                error
                    == .rejected(status: 401, errors: [TwitterAPIError(code: 89, message: "Invalid or expired token.")])
            )
        }
    }

    @Test func concurrentExchangesOfOneRequestTokenYieldOneAccessToken() async throws {
        try await SandboxHarness.run { sandbox in
            // Given
            let client = sandbox.client()
            let requestToken = try await client.requestToken(callback: SandboxHarness.callback)
            let (callback, _) = try await sandbox.approve(requestToken, as: Self.zoe, client: client)
            guard case .authorized(_, let verifier) = callback else {
                Issue.record("expected an approval")
                return
            }
            // When: four exchanges at once
            let outcomes = await withTaskGroup(of: Result<AccessToken, TwitterError>.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        do throws(TwitterError) {
                            return .success(
                                try await client.accessToken(requestToken: requestToken, verifier: verifier)
                            )
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            // Then
            let refusals = outcomes.compactMap { if case .failure(let error) = $0 { error } else { nil } }
            #expect(outcomes.count - refusals.count == 1)
            #expect(refusals.allSatisfy { $0.apiErrorCode == 89 })
        }
    }

    @Test func unapprovedOrUnknownRequestTokenIsCode89() async throws {
        try await SandboxHarness.run { sandbox in
            let client = sandbox.client()
            let requestToken = try await client.requestToken(callback: SandboxHarness.callback)
            for token in [requestToken, RequestToken(token: "unknown", secret: "x")] {
                let error = await #expect(throws: TwitterError.self) {
                    try await client.accessToken(requestToken: token, verifier: "v")
                }
                #expect(error?.apiErrorCode == 89)
            }
        }
    }

    @Test func wrongVerifierIsRefused() async throws {
        try await SandboxHarness.run { sandbox in
            let client = sandbox.client()
            let requestToken = try await client.requestToken(callback: SandboxHarness.callback)
            _ = try await sandbox.approve(requestToken, as: Self.zoe, client: client)
            let error = await #expect(throws: TwitterError.self) {
                try await client.accessToken(requestToken: requestToken, verifier: "not-the-verifier")
            }
            #expect(error?.apiErrorCode == 32)
        }
    }

    /// An `access_token` call without `oauth_verifier`, or with an empty one, is refused as a wrong verifier is: 401,
    /// code 32 (Twitter answers both 401, "Invalid oauth_verifier parameter"), not 400, code 215; and the approved
    /// request token still exchanges with its verifier after.
    @Test(arguments: [nil, ""] as [String?])
    func aMissingVerifierIsCode32(verifier given: String?) async throws {
        try await SandboxHarness.run { sandbox in
            // Given: an approved request token
            let client = sandbox.client()
            let requestToken = try await client.requestToken(callback: SandboxHarness.callback)
            let (callback, _) = try await sandbox.approve(requestToken, as: Self.zoe, client: client)
            guard case .authorized(_, let verifier) = callback else {
                Issue.record("expected an approval, got \(callback)")
                return
            }
            // When: the exchange signed without the verifier (or with an empty one)
            let url = sandbox.baseURL.appending(path: "oauth/access_token")
            let header = OAuthSigner(consumer: sandbox.consumer).authorizationHeader(
                method: "POST", url: url, token: requestToken.token, tokenSecret: requestToken.secret,
                protocolParameters: given.map { [OAuthParameter(name: "oauth_verifier", value: $0)] } ?? [])
            let response = try await sandbox.transport.send(
                method: "POST", url: url, headers: [HTTPHeader(name: "Authorization", value: header)], body: [],
                timeout: SandboxHarness.answerTimeout, maximumResponseBodySize: 1 << 20)
            // Then (compared, never printed: an access token's answer holds its secret)
            let isCode32 =
                String(decoding: response.body, as: UTF8.self)
                == #"{"errors":[{"code":32,"message":"Could not authenticate you."}]}"#
            #expect(response.status == 401 && isCode32, "answered \(response.status)")
            #expect(try await client.accessToken(requestToken: requestToken, verifier: verifier).userID == Self.zoe)
        }
    }

    @Test func badAccessTokenIsCode89() async throws {
        try await SandboxHarness.run { sandbox in
            let client = sandbox.client()
            let error = await #expect(throws: TwitterError.self) {
                try await client.verifyCredentials(
                    accessToken: AccessToken(token: "1-forged", secret: "forged", userID: 1, screenName: "x")
                )
            }
            #expect(error?.apiErrorCode == 89)
        }
    }

    @Test func tamperedAccessTokenSecretIsCode32() async throws {
        try await SandboxHarness.run { sandbox in
            let client = sandbox.client()
            let good = try await sandbox.signIn(as: Self.zoe, client: client)
            let tampered = AccessToken(
                token: good.token,
                secret: good.secret + "x",
                userID: good.userID,
                screenName: ""
            )
            let error = await #expect(throws: TwitterError.self) {
                try await client.verifyCredentials(accessToken: tampered)
            }
            #expect(error?.apiErrorCode == 32)
        }
    }

    @Test(arguments: [
        "",
        "OAuth oauth_consumer_key=\"k\"",
        "OAuth oauth_consumer_key=\"k\", oauth_nonce=\"n\", oauth_signature=\"s\", oauth_timestamp=\"1\"",
        "Basic dXNlcjpwYXNz",
    ])
    func missingOAuthParametersAreCode215(authorization: String) async throws {
        try await SandboxHarness.run { sandbox in
            let headers = authorization.isEmpty ? [] : [HTTPHeader(name: "Authorization", value: authorization)]
            let response = try await sandbox.transport.send(
                method: "POST",
                url: sandbox.baseURL.appending(path: "oauth/request_token"),
                headers: headers,
                body: [],
                timeout: SandboxHarness.answerTimeout,
                maximumResponseBodySize: 1 << 20
            )
            #expect(response.status == 400)
            #expect(
                String(decoding: response.body, as: UTF8.self)
                    == #"{"errors":[{"code":215,"message":"Bad Authentication data."}]}"#
            )
        }
    }

    /// A protocol parameter given twice within the Authorization header is refused as one given in the header and the
    /// query is: Twitter takes no such header, and the sandbox took the first copy while the signature covered both
    /// (two `oauth_nonce`s, swapped, even replayed a request under the other nonce).
    @Test func aParameterTwiceInTheHeaderIsCode215() async throws {
        try await SandboxHarness.run { sandbox in
            let url = sandbox.baseURL.appending(path: "oauth/request_token")
            let header = OAuthSigner(consumer: sandbox.consumer).authorizationHeader(
                method: "POST", url: url,
                protocolParameters: [
                    OAuthParameter(name: "oauth_callback", value: SandboxHarness.callback),
                    OAuthParameter(name: "oauth_callback", value: "oob"),
                ])
            let response = try await sandbox.transport.send(
                method: "POST", url: url, headers: [HTTPHeader(name: "Authorization", value: header)], body: [],
                timeout: SandboxHarness.answerTimeout, maximumResponseBodySize: 1 << 20)
            // (compared, never printed: a request token's answer holds its secret)
            let isRefusal =
                String(decoding: response.body, as: UTF8.self)
                == #"{"errors":[{"code":215,"message":"Bad Authentication data."}]}"#
            #expect(response.status == 400 && isRefusal, "answered \(response.status)")
        }
    }

    /// A parameter given twice is logged by its name as sent (percent-encoded), never decoded: a name holding `%0A`
    /// would otherwise start a forged line in the sandbox's log (swift-log's default handler prints metadata as it
    /// is). Until session 58 the decoded name was logged.
    @Test func aParameterNameGivenTwiceIsLoggedEncoded() async throws {
        let lines = Locked<[String]>([])
        try await SandboxHarness.run(logger: capturingLogger(lines)) { sandbox in
            let url = sandbox.baseURL.appending(path: "oauth/request_token")
            let forged = "oauth_x%0Aforged%20line"
            let response = try await sandbox.transport.send(
                method: "POST", url: url,
                headers: [HTTPHeader(name: "Authorization", value: #"OAuth \#(forged)="1", \#(forged)="1""#)],
                body: [], timeout: SandboxHarness.answerTimeout, maximumResponseBodySize: 1 << 20)
            #expect(response.status == 400)
        }
        let logged = lines.value
        #expect(logged.contains { $0.contains("oauth_x%0Aforged%20line given twice") }, "\(logged)")
        #expect(!logged.contains { $0.contains("\n") }, "\(logged)")
    }

    /// The signer leaves a query that does not decode out of the base string (the server cannot have read it); the
    /// sandbox must not then accept the request with its query unsigned, as Twitter does not. Nor one that gives a
    /// protocol parameter the header gives too (which would count?) or the signature (which signs the query).
    @Test(arguments: [
        "oauth/request_token?x=%FF", "oauth/request_token?y=1&x=%C3%28", "oauth/request_token?oauth_callback=oob",
        "oauth/request_token?oauth_signature=x",
    ])
    func aQueryTheSandboxCannotTakeIsCode215(path: String) async throws {
        try await SandboxHarness.run { sandbox in
            let url = URL(string: sandbox.baseURL.absoluteString + "/" + path)!
            let header = OAuthSigner(consumer: sandbox.consumer).authorizationHeader(
                method: "POST", url: url,
                protocolParameters: [OAuthParameter(name: "oauth_callback", value: SandboxHarness.callback)])
            let response = try await sandbox.transport.send(
                method: "POST", url: url, headers: [HTTPHeader(name: "Authorization", value: header)], body: [],
                timeout: SandboxHarness.answerTimeout, maximumResponseBodySize: 1 << 20)
            #expect(response.status == 400, "\(String(decoding: response.body, as: UTF8.self))")
            #expect(
                String(decoding: response.body, as: UTF8.self)
                    == #"{"errors":[{"code":215,"message":"Bad Authentication data."}]}"#)
        }
    }

    /// OAuth 1.0a (RFC 5849 3.5) lets a client send `oauth_*` parameters in the query or a form body, and Twitter's
    /// own examples do (`POST /oauth/request_token?oauth_callback=…`): signed like any other, they are served (the
    /// sandbox read `oauth_callback` from the `Authorization` header only and answered 400, code 215).
    @Test(arguments: [true, false])
    func anOAuthCallbackInTheSignedQueryOrBodyIsAccepted(inQuery: Bool) async throws {
        try await SandboxHarness.run { sandbox in
            let callback = OAuthParameter(name: "oauth_callback", value: "oob")
            let url = URL(
                string: sandbox.baseURL.absoluteString + "/oauth/request_token" + (inQuery ? "?oauth_callback=oob" : "")
            )!
            let header = OAuthSigner(consumer: sandbox.consumer).authorizationHeader(
                method: "POST", url: url, formParameters: inQuery ? [] : [callback])
            let response = try await sandbox.transport.send(
                method: "POST", url: url,
                headers: [HTTPHeader(name: "Authorization", value: header)]
                    + (inQuery ? [] : [HTTPHeader(name: "Content-Type", value: "application/x-www-form-urlencoded")]),
                body: inQuery ? [] : Array("oauth_callback=oob".utf8),
                timeout: SandboxHarness.answerTimeout, maximumResponseBodySize: 1 << 20)
            let body = String(decoding: response.body, as: UTF8.self)
            #expect(response.status == 200, "\(body)")
            #expect(body.contains("oauth_callback_confirmed=true"), "\(body)")
        }
    }
}
