import Foundation
import TestSupport
import Testing
import TwitterOAuth

/// What an app's log reader can do about a time-out, an oversized answer, an unexpected status or a failed connection:
/// each message names what was at fault and the `TwitterClient` parameter that governs it (never a CLI flag), got from
/// the real transport against a server on 127.0.0.1.
struct TwitterErrorAdviceTests {
    static let consumer = ConsumerCredentials(key: "consumer-key", secret: "CONSUMER-SECRET-xyz")

    static func failure(
        _ baseURL: URL, timeout: Duration = .seconds(300), maximumResponseBodySize: Int = 1 << 20
    ) async -> TwitterError? {
        let client = TwitterClient(
            consumer: consumer, baseURL: baseURL, transport: AsyncHTTPClientTransport.shared, timeout: timeout,
            maximumResponseBodySize: maximumResponseBodySize)
        do throws(TwitterError) {
            _ = try await client.requestToken(callback: "https://app.example/cb")
            return nil
        } catch {
            return error
        }
    }

    static func expectNoSecretOrFlag(_ text: String) {
        expectAbsent("CONSUMER-SECRET-xyz", named: "the consumer secret", in: text)
        #expect(!text.contains("--"), "\(text)")
        #expect(!text.contains("accounts "), "\(text)")
    }

    @Test func aTimeOutNamesTheClientsTimeoutParameter() async throws {
        try await MisbehavingServer.with(script: { _ in [.pause(.seconds(60)), .close] }) { server in
            let error = await Self.failure(server.baseURL, timeout: .seconds(1))
            #expect(error == .timedOut)
            let text = error?.description ?? ""
            #expect(
                text
                    == "Twitter did not answer within the time allowed; check the network, or allow longer with "
                    + "TwitterClient's `timeout:` (or the `timeout:` of invalidateToken(_:secret:timeout:)), and for "
                    + "making the connection with the transport's connect timeout (10 s for "
                    + "AsyncHTTPClientTransport.shared; AsyncHTTPClientTransport.withTransport(connectTimeout:) sets "
                    + "another)")
            Self.expectNoSecretOrFlag(text)
        }
    }

    @Test func anOversizedAnswerNamesTheLimitAndItsParameter() async throws {
        try await MisbehavingServer.with(script: { _ in
            [.send(MisbehavingServer.response(body: String(repeating: "a", count: 5_000))), .close]
        }) { server in
            let error = await Self.failure(server.baseURL, maximumResponseBodySize: 1_000)
            #expect(error == .responseTooLarge(limit: 1_000))
            let text = error?.description ?? ""
            #expect(
                text
                    == "Twitter's response is larger than the 1000-byte limit and was not read; Twitter's answers take "
                    + "a few kilobytes, so check that TwitterClient's `baseURL:` is a Twitter API origin, or raise "
                    + "its `maximumResponseBodySize:`")
            Self.expectNoSecretOrFlag(text)
        }
    }

    @Test func anUnexpectedStatusSaysWhatToCheck() async throws {
        try await MisbehavingServer.with(script: { _ in
            [.send(MisbehavingServer.response("404 Not Found", body: "<html>no such page</html>")), .close]
        }) { server in
            let error = await Self.failure(server.baseURL)
            #expect(error == .unexpectedStatus(404))
            let text = error?.description ?? ""
            #expect(
                text
                    == "Twitter answered with unexpected HTTP status 404 and no error list; check that TwitterClient's "
                    + "`baseURL:` is a Twitter API origin (redirects are not followed), else retry later")
            #expect(!text.contains("no such page"), "the body stays out of the message")
            Self.expectNoSecretOrFlag(text)
        }
    }

    /// A port where nothing listens refuses each of the four calls at once, and the error says so: not a failure
    /// after the whole connect timeout or call `timeout:` (the HTTP client's pool would try to connect again and again
    /// until then), nor a dump of NIO's error types. With a transport that would wait 600 s for a connection, and the
    /// shared one (10 s connect timeout; its calls are not timed, as a loaded machine can take seconds over them).
    @Test func aRefusedConnectionFailsAtOnceSayingItWasRefused() async throws {
        let baseURL = URL(string: "http://127.0.0.1:\(try refusedPort())")!
        try await AsyncHTTPClientTransport.withTransport(connectTimeout: .seconds(600)) { transport in
            await Self.expectRefusedAtOnce(
                baseURL, transport: transport, "a 600 s connect timeout", within: .seconds(300))
        }
        await Self.expectRefusedAtOnce(baseURL, transport: AsyncHTTPClientTransport.shared, "the shared transport")
    }

    /// Calls each of the four endpoints at `baseURL`, where nothing listens, with a 600 s timeout, expecting each to
    /// fail as refused, in less than `bound` when one is given (half the timeout: a machine busy with the other tests
    /// has kept a call waiting 180 s for its turn to run).
    static func expectRefusedAtOnce(
        _ baseURL: URL, transport: any HTTPTransport, _ label: String, within bound: Duration? = nil
    ) async {
        let client = TwitterClient(consumer: consumer, baseURL: baseURL, transport: transport, timeout: .seconds(600))
        let requestToken = RequestToken(token: "request-token", secret: "REQUEST-SECRET-xyz")
        let accessToken = AccessToken(token: "access-token", secret: "ACCESS-SECRET-xyz", userID: 12, screenName: "ann")
        let expected =
            "could not reach Twitter at 127.0.0.1: connection refused; check the network, and that TwitterClient's "
            + "`baseURL:` names a Twitter API origin, then retry"
        let calls: [(name: String, call: () async throws(TwitterError) -> Void)] = [
            (
                "request_token",
                { () async throws(TwitterError) in
                    _ = try await client.requestToken(callback: "https://app.example/cb")
                }
            ),
            (
                "access_token",
                { () async throws(TwitterError) in
                    _ = try await client.accessToken(requestToken: requestToken, verifier: "VERIFIER-xyz")
                }
            ),
            (
                "verify_credentials",
                { () async throws(TwitterError) in
                    _ = try await client.verifyCredentials(accessToken: accessToken)
                }
            ),
            (
                "invalidate_token",
                { () async throws(TwitterError) in
                    try await client.invalidateToken(
                        "access-token", secret: "ACCESS-SECRET-xyz", timeout: .seconds(600))
                }
            ),
        ]
        for (name, call) in calls {
            let clock = ContinuousClock()
            let start = clock.now
            var failure: TwitterError?
            do throws(TwitterError) {
                try await call()
            } catch {
                failure = error
            }
            let elapsed = clock.now - start
            let text = failure.map(\.description) ?? "no error"
            #expect(
                failure == .connectionFailed(host: "127.0.0.1", reason: "connection refused"),
                "\(label), \(name): \(text)")
            #expect(text == expected, "\(label), \(name)")
            if let bound {
                #expect(elapsed < bound, "\(label), \(name) took \(elapsed) of its 600 s timeout")
            }
            for (secret, secretName) in [
                ("REQUEST-SECRET-xyz", "the request token secret"), ("ACCESS-SECRET-xyz", "the access token secret"),
                ("VERIFIER-xyz", "the verifier"),
            ] {
                expectAbsent(secret, named: "\(secretName) (\(label), \(name))", in: text)
            }
            Self.expectNoSecretOrFlag(text)
        }
    }
}
