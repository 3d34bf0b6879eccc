import Foundation
import Synchronization
import TestSupport
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
    /// closes (FIN) or resets (RST) on reading it without answering, is resent once on a new connection and succeeds,
    /// signed anew: a nonce of its own, which Twitter would not refuse as replayed (until session 62 the transport
    /// sent the same bytes again, and a server that had read the first got its nonce twice: error 32, "not set up").
    /// (On a machine so loaded that the pool's 4 idle seconds pass between the calls, the first `access_token` goes
    /// out on a new connection instead, and the server drops it there: the same failure, resent the same way.)
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
            try await AsyncHTTPClientTransport.withTransport(connectTimeout: .seconds(60)) { transport in
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
                #expect(try result.get().screenName == "zoe")
                let requests = server.requests
                try #require(requests.count == 3, "requests: \(requests.map(\.requestLine))")
                #expect(requests[1].connection == 0 || requests[1].position == 0)
                #expect(requests[2].connection != requests[1].connection, "the resend went out on the same connection")
                #expect(requests[2].position == 0)
                #expect(requests[1].requestLine == requests[2].requestLine)
                let nonces = [requests[1], requests[2]].map { Self.nonce(in: $0.header("Authorization") ?? "") }
                #expect(nonces[0] != nil && nonces[1] != nil && nonces[0] != nonces[1], "nonces: \(nonces)")
            }
        }
    }

    /// The `oauth_nonce` of an `Authorization` header.
    static func nonce(in authorization: String) -> String? {
        guard let range = authorization.range(of: #"oauth_nonce=""#) else { return nil }
        return String(authorization[range.upperBound...].prefix { $0 != "\"" })
    }

    /// The transport itself does not send a request again: a connection closed before the answer is
    /// `closedBeforeAnswer`, for the client to sign anew and resend.
    @Test func theTransportReportsAConnectionClosedBeforeTheAnswer() async throws {
        try await MisbehavingServer.with(script: { _ in [.close] }) { server in
            try await AsyncHTTPClientTransport.withTransport(connectTimeout: .seconds(60)) { transport in
                let result = await Self.get(server, transport)
                guard case .failure(.closedBeforeAnswer(let host)) = result else {
                    Issue.record("expected closedBeforeAnswer, got \(result)")
                    return
                }
                #expect(host == "127.0.0.1")
                try await Task.sleep(for: .milliseconds(300))
                #expect(server.requests.count == 1, "attempts: \(server.requests.count)")
            }
        }
    }

    /// A server that closes every connection on reading the request, without answering, is asked twice, no more: the
    /// second failure is `closedBeforeAnswer`, and names neither verifier nor secrets.
    @Test func aServerThatNeverAnswersIsAskedTwiceThenConnectionFailed() async throws {
        try await MisbehavingServer.with(script: { _ in [.close] }) { server in
            try await AsyncHTTPClientTransport.withTransport(connectTimeout: .seconds(60)) { transport in
                let client = Self.client(server, transport)
                // When
                let error = await #expect(throws: TwitterError.self) {
                    try await client.accessToken(requestToken: Self.requestToken, verifier: Self.verifier)
                }
                // Then
                guard case .closedBeforeAnswer(let host) = error else {
                    Issue.record("expected closedBeforeAnswer, got \(String(describing: error))")
                    return
                }
                #expect(host == "127.0.0.1")
                try await Task.sleep(for: .milliseconds(300))
                #expect(server.requests.count == 2, "attempts: \(server.requests.count)")
                let description = String(describing: error)
                expectAbsent(Self.verifier, named: "the verifier", in: description)
                expectAbsent(Self.requestToken.secret, named: "the request token secret", in: description)
                expectAbsent(Self.consumer.secret, named: "the consumer secret", in: description)
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
            try await AsyncHTTPClientTransport.withTransport(connectTimeout: .seconds(60)) { transport in
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

    /// The transport closes a pooled connection after 4 idle seconds, before a server with the 5 s keep-alive timeout
    /// of Apache httpd or Node.js closes it under a new request.
    @Test func aPooledConnectionIsClosedAfterFourIdleSeconds() async throws {
        try await MisbehavingServer.with(script: { request in
            [.send(MisbehavingServer.response(body: "ok", keepAlive: true)), .readNext]
        }) { server in
            try await AsyncHTTPClientTransport.withTransport(connectTimeout: .seconds(60)) { transport in
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

    /// On a reused keep-alive connection too, an answer cut short by a close (FIN), in its status line or in its
    /// head, is not resent: the server read the request and was answering it. (The parser fails on the cut head,
    /// which tells it from a connection closed before any byte of the answer.)
    @Test(arguments: ["half a status line", "half a head"])
    func anAnswerCutShortOnAReusedConnectionIsNotResent(cut: String) async throws {
        let partial = Array((cut == "half a head" ? "HTTP/1.1 200 OK\r\nContent-Ty" : "HTTP/1.1 2").utf8)
        let answered = Counter()
        try await MisbehavingServer.with(script: { _ in
            if answered.next() == 0 {
                return [.send(MisbehavingServer.response(body: "ok", keepAlive: true)), .readNext]
            }
            return [.send(partial), .pause(.milliseconds(300)), .close]
        }) { server in
            try await AsyncHTTPClientTransport.withTransport(connectTimeout: .seconds(60)) { transport in
                // Given a connection that carried one answered request
                _ = try await Self.get(server, transport).get()
                // When the next request on it gets part of an answer, then a close
                let result = await Self.get(server, transport)
                // Then it fails and is not sent again
                guard case .failure(let error) = result else {
                    Issue.record("expected a failure, got \(result)")
                    return
                }
                try await Task.sleep(for: .milliseconds(600))
                #expect(server.requests.count == 2, "requests: \(server.requests.count), error: \(error)")
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

/// The resend after a connection closed before the answer gets what is left of the call's timeout, not a new one: a
/// transport that records each attempt's timeout. (No sleep in it: in a loaded test run a 2 s sleep took 94 s, and the
/// call's time was gone before the resend.)
struct ResendTimeoutTests {
    struct RecordingTransport: HTTPTransport {
        let timeouts = Locked<[Duration]>([])

        func send(
            method: String, url: URL, headers: [HTTPHeader], body: [UInt8], timeout: Duration,
            maximumResponseBodySize: Int
        ) async throws(TwitterError) -> HTTPTransportResponse {
            let first = timeouts.withLock {
                $0.append(timeout)
                return $0.count == 1
            }
            throw first ? .closedBeforeAnswer(host: "api.example") : .timedOut
        }
    }

    @Test func theResendGetsWhatIsLeftOfTheCallsTimeout() async throws {
        let transport = RecordingTransport()
        let client = TwitterClient(
            consumer: ClosedKeepAliveConnectionTests.consumer, baseURL: URL(string: "https://api.example")!,
            transport: transport, timeout: .seconds(3600))
        await #expect(throws: TwitterError.timedOut) {
            try await client.requestToken(callback: "https://example.com/callback")
        }
        let timeouts = transport.timeouts.value
        try #require(timeouts.count == 2, "attempts: \(timeouts)")
        #expect(timeouts[0] == .seconds(3600))
        #expect(timeouts[1] > .zero && timeouts[1] < .seconds(3600), "the resend got \(timeouts[1]) of 3600 s")
    }
}
