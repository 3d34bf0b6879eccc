import Foundation
import Synchronization
import Testing
import TwitterOAuth

/// The real transport against a server on 127.0.0.1 that closes a kept-alive connection just as the client uses it
/// again, as servers that close idle connections do when their idle timeout and the client's next request meet.
struct ClosedKeepAliveConnectionTests {
    static let consumer = ConsumerCredentials(key: "consumer-key", secret: "CONSUMER-SECRET-xyz")
    static let requestToken = RequestToken(token: "REQ", secret: "REQ-SECRET-abc")
    static let verifier = "VERIFIER-ghi"

    static let requestTokenAnswer = "oauth_token=REQ&oauth_token_secret=REQ-SECRET-abc&oauth_callback_confirmed=true"
    static let accessTokenAnswer = "oauth_token=AT&oauth_token_secret=AT-SECRET-def&user_id=42&screen_name=zoe"

    /// The form answer of `request_token` or `access_token`, by the request's path.
    static func answer(to request: MisbehavingServer.Received, keepAlive: Bool) -> [UInt8] {
        let body = request.requestLine.contains("request_token") ? requestTokenAnswer : accessTokenAnswer
        return MisbehavingServer.response(
            headers: ["Content-Type: application/x-www-form-urlencoded"], body: body, keepAlive: keepAlive)
    }

    /// A client of `server` over `transport`; the generous timeout is for a machine starved by a parallel test run.
    static func client(_ server: MisbehavingServer, _ transport: AsyncHTTPClientTransport) -> TwitterClient {
        TwitterClient(consumer: consumer, baseURL: server.baseURL, transport: transport, timeout: .seconds(300))
    }

    /// Whether `error` says the request went out and its answer was lost.
    static func isAnswerLost(_ error: TwitterError) -> Bool {
        if case .answerLost = error { return true }
        return false
    }

    /// Sends one `GET /` through `transport`, with the result or the error.
    static func get(
        _ server: MisbehavingServer, _ transport: AsyncHTTPClientTransport, timeout: Duration = .seconds(300)
    ) async -> Result<HTTPTransportResponse, TwitterError> {
        do throws(TwitterError) {
            return .success(
                try await transport.send(
                    method: "GET", url: server.baseURL, headers: [], body: [], timeout: timeout,
                    maximumResponseBodySize: 1024))
        } catch {
            return .failure(error)
        }
    }

    /// A sign-in whose `access_token` call goes out on the connection `request_token` left open, which the server
    /// closes (FIN) or resets (RST) on reading it without answering, is resent once on a new connection and succeeds.
    /// (On a machine so loaded that the pool's 4 idle seconds pass between the calls, the first `access_token` goes
    /// out on a new connection instead: dropped there, it is not resent, and fails with `answerLost`.)
    @Test(arguments: ["close", "reset"])
    func aRequestOnAConnectionClosedUnderItIsResentOnANewOne(closing: String) async throws {
        // Given: `request_token` is answered with keep-alive; the first `access_token` is dropped unanswered
        let accessTokenRequests = Counter()
        try await MisbehavingServer.with(script: { request in
            if request.requestLine.contains("access_token") && accessTokenRequests.next() == 0 {
                return [closing == "reset" ? .reset : .close]
            }
            return [.send(Self.answer(to: request, keepAlive: true)), .readNext]
        }) { server in
            try await AsyncHTTPClientTransport.withTransport(connectTimeout: .seconds(2)) { transport in
                let client = Self.client(server, transport)
                // When
                _ = try await client.requestToken(callback: "https://example.com/callback")
                let result: Result<AccessToken, TwitterError>
                do throws(TwitterError) {
                    result = .success(
                        try await client.accessToken(requestToken: Self.requestToken, verifier: Self.verifier))
                } catch {
                    result = .failure(error)
                }
                // Then
                let requests = server.requests
                if requests.count == 2 && requests[1].position == 0 {
                    // (the loaded machine's case: a new connection, dropped, is not resent)
                    guard case .failure(let error) = result, Self.isAnswerLost(error) else {
                        Issue.record("expected answerLost on a new connection, got \(result)")
                        return
                    }
                    return
                }
                #expect(try result.get().screenName == "zoe")
                try #require(requests.count == 3, "requests: \(requests.map(\.requestLine))")
                #expect(requests[1].connection == 0 && requests[1].position == 1)
                #expect(requests[2].connection != requests[1].connection, "the resend went out on the same connection")
                #expect(requests[2].position == 0)
                #expect(requests[1].requestLine == requests[2].requestLine)
                #expect(requests[1].header("Authorization") == requests[2].header("Authorization"))
            }
        }
    }

    /// An `access_token` on a new connection that the server closes (FIN) or resets (RST) once it has read the
    /// request, without answering, is not sent again: the server may have issued the access token and spent the
    /// verifier, which a resend would find used. The call fails with `answerLost`, which names the host and neither
    /// the verifier nor a secret.
    @Test(arguments: ["close", "reset"])
    func aNewConnectionDroppedAfterTheRequestIsNotResent(closing: String) async throws {
        try await MisbehavingServer.with(script: { _ in [closing == "reset" ? .reset : .close] }) { server in
            try await AsyncHTTPClientTransport.withTransport(connectTimeout: .seconds(2)) { transport in
                let client = Self.client(server, transport)
                // When
                let error = await #expect(throws: TwitterError.self) {
                    try await client.accessToken(requestToken: Self.requestToken, verifier: Self.verifier)
                }
                // Then
                try await Task.sleep(for: .milliseconds(300))
                #expect(server.requests.count == 1, "attempts: \(server.requests.count)")
                guard let error, Self.isAnswerLost(error) else {
                    Issue.record("expected answerLost, got \(String(describing: error))")
                    return
                }
                let description = String(describing: error)
                #expect(description.contains("127.0.0.1"), "\(description)")
                for secret in [Self.verifier, Self.requestToken.secret, Self.consumer.secret] {
                    #expect(!description.contains(secret), "a secret is in the error: \(description)")
                }
            }
        }
    }

    /// An answer that has begun when the connection is reset ("HTTP/1.1 2", then an RST) is not resent, on a new
    /// connection or on a reused one: the server read the request and was answering it. The call fails with
    /// `answerLost`. (The reset comes 300 ms after the bytes, once the client has read them: a kernel drops the
    /// bytes it has not handed over when a reset comes.)
    @Test(arguments: ["new connection", "reused connection"])
    func aResetAfterPartOfTheStatusLineIsNotResent(connection: String) async throws {
        let reused = connection == "reused connection"
        let cut: [MisbehavingServer.Step] = [
            .send(Array("HTTP/1.1 2".utf8)), .pause(.milliseconds(300)), .reset,
        ]
        // (the first request is answered, the next cut: on a machine so loaded that the pool's 4 idle seconds pass
        // between the two, the second goes out on a new connection, and is not resent either)
        let answered = Counter()
        try await MisbehavingServer.with(script: { request in
            if reused && answered.next() == 0 {
                return [.send(MisbehavingServer.response(body: "ok", keepAlive: true)), .readNext]
            }
            return cut
        }) { server in
            try await AsyncHTTPClientTransport.withTransport(connectTimeout: .seconds(2)) { transport in
                // Given
                if reused { _ = try await Self.get(server, transport).get() }
                // When
                let result = await Self.get(server, transport)
                // Then
                try await Task.sleep(for: .milliseconds(600))
                let requests = server.requests
                #expect(
                    requests.count == (reused ? 2 : 1), "requests: \(requests.map { ($0.connection, $0.position) })")
                guard case .failure(let error) = result, Self.isAnswerLost(error) else {
                    Issue.record("expected answerLost, got \(result)")
                    return
                }
            }
        }
    }

    /// An answer cut short, in its head or in its body, is not resent: the server has read and answered the request,
    /// and a resent `access_token` would spend the verifier twice.
    @Test(arguments: ["half a head", "half a body"])
    func anAnswerCutShortIsNotResent(cut: String) async throws {
        let partial: [UInt8] =
            switch cut {
            case "half a head": Array("HTTP/1.1 200 OK\r\nContent-Ty".utf8)
            default: Array("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\noauth_token=AT".utf8)
            }
        try await MisbehavingServer.with(script: { _ in [.send(partial), .close] }) { server in
            try await AsyncHTTPClientTransport.withTransport(connectTimeout: .seconds(2)) { transport in
                // When
                let result = await Self.get(server, transport)
                // Then
                guard case .failure(.connectionFailed) = result else {
                    Issue.record("expected connectionFailed, got \(result)")
                    return
                }
                try await Task.sleep(for: .milliseconds(300))
                #expect(server.requests.count == 1, "attempts: \(server.requests.count)")
            }
        }
    }

    /// The resend shares the call's total timeout: a first attempt dropped unanswered on a reused connection and a
    /// second one left unanswered (for 30 s) end in `timedOut` after the call's 1 s, with no third attempt.
    @Test func theResendSharesTheCallsTimeout() async throws {
        try await MisbehavingServer.with(script: { request in
            if request.connection == 0 && request.position == 0 {
                return [.send(MisbehavingServer.response(body: "ok", keepAlive: true)), .readNext]
            }
            return request.connection == 0 ? [.close] : [.pause(.seconds(30)), .close]
        }) { server in
            try await AsyncHTTPClientTransport.withTransport(connectTimeout: .seconds(2)) { transport in
                // Given
                _ = try await Self.get(server, transport).get()
                // When
                let result = await Self.get(server, transport, timeout: .seconds(1))
                // Then
                guard case .failure(.timedOut) = result else {
                    Issue.record("expected timedOut, got \(result)")
                    return
                }
                // (2 when the 1 s passed before the resend went out, as on a machine loaded by a parallel test run)
                #expect((2...3).contains(server.requests.count), "requests: \(server.requests.count)")
            }
        }
    }

    /// The transport closes a pooled connection after 4 idle seconds, before a server with the 5 s keep-alive timeout
    /// of Apache httpd or Node.js closes it under a new request.
    @Test func aPooledConnectionIsClosedAfterFourIdleSeconds() async throws {
        try await MisbehavingServer.with(script: { request in
            [.send(MisbehavingServer.response(body: "ok", keepAlive: true)), .readNext]
        }) { server in
            try await AsyncHTTPClientTransport.withTransport(connectTimeout: .seconds(2)) { transport in
                // Given
                _ = try await Self.get(server, transport).get()
                // When
                let deadline = ContinuousClock.now + .milliseconds(4_800)
                while server.idleConnectionsClosedByClient == 0 && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(100))
                }
                // Then
                #expect(server.idleConnectionsClosedByClient == 1, "the client kept its idle connection open")
            }
        }
    }
}

/// A count shared with a server's script, which runs on the server's threads.
private final class Counter: Sendable {
    private let value = Atomic<Int>(0)

    /// The count so far, then one more.
    func next() -> Int { value.add(1, ordering: .sequentiallyConsistent).oldValue }
}
