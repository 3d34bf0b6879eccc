import Foundation
import TestSupport
import Testing
import TwitterOAuth

/// The client over the real transport against a server on 127.0.0.1 that misbehaves (`MisbehavingServer`).
struct HostileServerTests {
    static let consumer = ConsumerCredentials(key: "consumer-key", secret: "CONSUMER-SECRET-xyz")

    static func client(_ server: MisbehavingServer, timeout: Duration = .seconds(10)) -> TwitterClient {
        TwitterClient(
            consumer: consumer, baseURL: server.baseURL, transport: AsyncHTTPClientTransport.shared, timeout: timeout)
    }

    static let profile = #"{"id":1234567890123456789,"id_str":"1234567890123456789","screen_name":"zoe","name":"Zoë"}"#

    /// JSON between systems is UTF-8 (RFC 8259 §8.1), and `rawJSON` is kept byte for byte, stored, and later written
    /// into UTF-8 JSON (the account's "Download your data"): a body in UTF-16, UTF-32 or with a byte-order mark is
    /// Foundation-decodable, but not a profile that may be kept as it is.
    @Test(arguments: ["UTF-16", "UTF-32LE", "UTF-8 with BOM"])
    func aProfileThatIsNotPlainUTF8IsRefused(encoding: String) async throws {
        let body: [UInt8] =
            switch encoding {
            case "UTF-16": Array(Self.profile.data(using: .utf16)!)
            case "UTF-32LE": Array(Self.profile.data(using: .utf32LittleEndian)!)
            default: [0xEF, 0xBB, 0xBF] + Array(Self.profile.utf8)
            }
        try await MisbehavingServer.with(script: { _ in
            [.send(MisbehavingServer.response(headers: ["Content-Type: application/json"], body: body)), .close]
        }) { server in
            let result: Result<TwitterProfile, TwitterError>
            do throws(TwitterError) {
                result = .success(
                    try await Self.client(server).verifyCredentials(
                        accessToken: AccessToken(token: "AT", secret: "AT-SECRET", userID: 1, screenName: "zoe")))
            } catch {
                result = .failure(error)
            }
            switch result {
            case .success(let profile):
                // (refusing the body is one fix; keeping it as plain UTF-8 JSON, the BOM dropped, is another)
                let plain =
                    String(validating: profile.rawJSON, as: UTF8.self) != nil
                    && !profile.rawJSON.starts(with: [0xEF, 0xBB, 0xBF])
                #expect(
                    plain, "a \(encoding) body was kept as rawJSON \(profile.rawJSON.prefix(4))…, not plain UTF-8 JSON")
            case .failure(let error):
                guard case .malformedResponse = error else {
                    Issue.record("expected malformedResponse, got \(error)")
                    return
                }
            }
        }
    }

    /// "No secret, token secret or verifier appears in an error or a description" (README), even when the server puts
    /// the one it was sent into its error message: the verifier at `access_token`, the access token at
    /// `invalidate_token`.
    @Test func anEchoedVerifierOrTokenStaysOutOfTheErrorDescription() async throws {
        let verifier = "VERIFIER-ghi"
        let accessToken = "ACCESS-TOKEN-jkl"
        try await MisbehavingServer.with(script: { request in
            let echoed = request.requestLine.contains("access_token") ? verifier : accessToken
            return [
                .send(
                    MisbehavingServer.response(
                        "401 Unauthorized", headers: ["Content-Type: application/json"],
                        body: #"{"errors":[{"code":89,"message":"Invalid or expired token \#(echoed)"}]}"#)),
                .close,
            ]
        }) { server in
            let client = Self.client(server)
            let refused = await #expect(throws: TwitterError.self) {
                try await client.accessToken(
                    requestToken: RequestToken(token: "REQ", secret: "REQ-SECRET-abc"), verifier: verifier)
            }
            #expect(refused?.apiErrorCode == 89)
            expectAbsent(verifier, named: "the verifier", in: String(describing: refused))
            let revocation = await #expect(throws: TwitterError.self) {
                try await client.invalidateToken(accessToken, secret: "ACCESS-SECRET-def")
            }
            #expect(revocation?.apiErrorCode == 89)
            expectAbsent(accessToken, named: "the access token", in: String(describing: revocation))
        }
    }

    /// A revocation counts only when the answer is Twitter's `{"access_token": <the token sent>}`: a 2xx from a
    /// captive portal or a proxy, a cut body (the sandbox's `malformed_json`), another token, or Twitter's error list
    /// in a 200 is not a token revoked (until session 62 any 2xx was, and `accounts users delete
    /// --revoke-twitter-token` said "revoked at Twitter" of a token still working there). No answer quotes the token.
    @Test(arguments: [
        "<html><body>Captive portal: please log in</body></html>", #"{"access_tok"#, #"{"access_token":"OTHER"}"#,
        #"{"errors":[{"code":89,"message":"Invalid or expired token ACCESS-TOKEN-jkl"}]}"#, "",
        #"{"access_token":"ACCESS-TOKEN-jkl"}"#,
    ])
    func aRevocationCountsOnlyWhenTwitterNamesTheTokenRevoked(answer: String) async throws {
        let accessToken = "ACCESS-TOKEN-jkl"
        try await MisbehavingServer.with(script: { _ in
            [.send(MisbehavingServer.response(headers: ["Content-Type: application/json"], body: answer)), .close]
        }) { server in
            let result: Result<Void, TwitterError>
            do throws(TwitterError) {
                try await Self.client(server).invalidateToken(accessToken, secret: "ACCESS-SECRET-def")
                result = .success(())
            } catch {
                result = .failure(error)
            }
            switch (answer, result) {
            case (#"{"access_token":"ACCESS-TOKEN-jkl"}"#, .success): break
            // (an error list in a 200 too: its code 89 would otherwise count as revoked already)
            case (_, .failure(.malformedResponse)) where answer != #"{"access_token":"ACCESS-TOKEN-jkl"}"#: break
            default: Issue.record("answer \(answer): \(result)")
            }
            if case .failure(let error) = result {
                expectAbsent(accessToken, named: "the access token", in: String(describing: error))
            }
        }
    }

    /// `x-rate-limit-reset` is Unix seconds; a value that is no instant (`nan`, `inf`, a number past any calendar)
    /// is no reset time: `RateLimit.reset` nil, not a `Date` whose interval traps `Int(…)` or prints as year -4712.
    @Test(arguments: ["nan", "inf", "-inf", "1e300"])
    func aRateLimitResetThatIsNoInstantIsLeftOut(reset: String) async throws {
        try await MisbehavingServer.with(script: { _ in
            [
                .send(
                    MisbehavingServer.response(
                        "429 Too Many Requests",
                        headers: [
                            "x-rate-limit-limit: 15", "x-rate-limit-remaining: 0", "x-rate-limit-reset: \(reset)",
                        ],
                        body: #"{"errors":[{"code":88,"message":"Rate limit exceeded"}]}"#)),
                .close,
            ]
        }) { server in
            // (the answer is read without handing the error to an expectation: Swift Testing describes the values it
            // captures, and `Date.description` traps on a non-finite date, which ends the whole test process)
            var seconds: Double?
            var limitHeader: Int?
            do throws(TwitterError) {
                _ = try await Self.client(server).requestToken(callback: "https://app.example/cb")
                Issue.record("a 429 was taken as a request token")
            } catch {
                guard case .rateLimited(let limit) = error else {
                    Issue.record("expected rateLimited, got \(error)")
                    return
                }
                seconds = limit.reset?.timeIntervalSince1970
                limitHeader = limit.limit
            }
            #expect(limitHeader == 15)
            let isInstant = seconds.map { $0.isFinite && abs($0) < 1e11 } ?? true
            #expect(isInstant, "x-rate-limit-reset: \(reset) became a Date \(String(describing: seconds)) s from 1970")
        }
    }

    // MARK: - What holds (kept so it stays so)

    /// A 3xx is an answer, not a hop: the Authorization header (token, verifier, signature) goes nowhere else.
    @Test func aRedirectIsNotFollowed() async throws {
        try await MisbehavingServer.with(script: { _ in
            [
                .send(
                    MisbehavingServer.response(body: "oauth_token=T&oauth_token_secret=S&oauth_callback_confirmed=true")
                ), .close,
            ]
        }) { elsewhere in
            try await MisbehavingServer.with(script: { _ in
                [
                    .send(
                        MisbehavingServer.response(
                            "307 Temporary Redirect",
                            headers: ["Location: \(elsewhere.baseURL.absoluteString)/oauth/request_token"], body: "")),
                    .close,
                ]
            }) { server in
                await #expect(throws: TwitterError.unexpectedStatus(307)) {
                    try await Self.client(server).requestToken(callback: "https://app.example/cb")
                }
                #expect(elsewhere.requests.isEmpty)
            }
        }
    }

    /// The total time-out covers a body that trickles in forever, and a body over the cap without a length is
    /// refused part-way.
    @Test func aTricklingBodyTimesOutAndAnEndlessChunkedOneIsCut() async throws {
        try await MisbehavingServer.with(script: { _ in
            [
                .send(Array("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".utf8)),
                .drip(byte: UInt8(ascii: "a"), count: 100_000, chunk: 1, every: .milliseconds(50)),
            ]
        }) { server in
            let start = ContinuousClock.now
            await #expect(throws: TwitterError.timedOut) {
                try await Self.client(server, timeout: .seconds(1)).requestToken(callback: "https://app.example/cb")
            }
            // (100,000 bytes at one each 50 ms take 83 minutes, which a time-out that each byte restarted would wait
            // out: well under that, the total time-out ended the wait. The time-out's timer runs on the cooperative
            // pool, which the whole suite on two cores kept busy for 50 s once and for 385 s another time: 20 minutes
            // leave room for that and still catch a wait for the whole body)
            #expect(ContinuousClock.now - start < .seconds(1_200))
        }
        let chunk = Array("8000\r\n".utf8) + [UInt8](repeating: 97, count: 0x8000) + Array("\r\n".utf8)
        try await MisbehavingServer.with(script: { _ in
            [.send(Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".utf8))]
                + Array(repeating: .send(chunk), count: 64) + [.send(Array("0\r\n\r\n".utf8)), .close]
        }) { server in
            // (a long time-out: under the whole suite's load 2 MiB can take longer than 10 s to arrive)
            await #expect(throws: TwitterError.responseTooLarge(limit: TwitterClient.defaultMaximumResponseBodySize)) {
                try await Self.client(server, timeout: .seconds(300)).requestToken(callback: "https://app.example/cb")
            }
        }
    }
}
