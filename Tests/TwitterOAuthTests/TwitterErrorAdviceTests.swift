import Foundation
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
        #expect(!text.contains("CONSUMER-SECRET-xyz"), "\(text)")
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
                    + "TwitterClient's `timeout:` (or the `timeout:` of invalidateToken(_:secret:timeout:))")
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

    @Test func aRefusedConnectionNamesTheHostAndWhatToCheck() async throws {
        // (a port that was listening a moment ago and is closed now: the connection is refused)
        let server = try MisbehavingServer(script: { _ in [.close] })
        let baseURL = server.baseURL
        server.stop()
        let error = await Self.failure(baseURL)
        guard case .connectionFailed(let host, let reason) = error else {
            Issue.record("expected connectionFailed, got \(String(describing: error))")
            return
        }
        #expect(host == "127.0.0.1")
        let text = error?.description ?? ""
        #expect(
            text
                == "could not reach Twitter at 127.0.0.1: \(reason); check the network, and that TwitterClient's "
                + "`baseURL:` names a Twitter API origin, then retry")
        Self.expectNoSecretOrFlag(text)
    }
}
