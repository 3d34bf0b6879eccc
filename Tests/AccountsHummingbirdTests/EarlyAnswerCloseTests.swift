import AccountsHummingbird
import Foundation
import TestSupport
import Testing

/// ``AccountRoutes/http1Server(idleTimeout:requestReadTimeout:writeTimeout:connectionsPerClient:)`` closes a
/// connection answered before its request's body came whole, once the answer is out, instead of reading and dropping
/// the rest of the body to keep it. The app here has 600 s timeouts: a server that kept such a connection holds it for
/// that long. (Until session 55 a form refused with 413 once its first 64 KiB were read had the rest of its 100 MB read
/// and dropped, and the connection was kept.)
struct EarlyAnswerCloseTests {
    /// A 100 MB form sent steadily (64 KiB every 10 ms at most) is refused with 413, and the server closes the
    /// connection after the linger (2 s): the client meets a reset (or the end of the stream, then a reset as it
    /// sends on), far from the 600 s read timeout and long before the body is all sent.
    @Test func aFormTooLargeClosesItsConnectionAfterTheAnswer() async throws {
        try await WebApp.run { app in
            // Given a client sending a form of 100 MB, declared by its length
            let port = try #require(app.base.port)
            let piece = [UInt8](repeating: UInt8(ascii: "a"), count: 64 << 10)
            let pieces = 1600
            // When it goes on sending after the answer, up to 60 s after it
            let outcome = try await SlowClient.sendPastTheAnswer(
                port: port,
                head: "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: \(piece.count * pieces)\r\n\r\n",
                piece: piece, pieces: pieces, every: .milliseconds(10), for: .seconds(60))
            // Then the answer is a 413
            #expect(outcome.answer.hasPrefix("HTTP/1.1 413"), "\(outcome)")
            // And the server closes the connection after it, refusing the rest of the body
            #expect(outcome.refused != nil, "\(outcome)")
            #expect(outcome.sentAfterAnswer < piece.count * pieces / 2, "\(outcome)")
        }
    }

    /// The same with a body sent in chunks that never end (`Transfer-Encoding: chunked`): no length tells the server
    /// how much is to come.
    @Test func aChunkedFormTooLargeClosesItsConnectionAfterTheAnswer() async throws {
        try await WebApp.run { app in
            // Given a client sending a form in chunks of 64 KiB, without end
            let port = try #require(app.base.port)
            let piece =
                Array("10000\r\n".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 64 << 10) + Array("\r\n".utf8)
            // When it goes on sending after the answer, up to 60 s after it
            let outcome = try await SlowClient.sendPastTheAnswer(
                port: port,
                head: "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n",
                piece: piece, pieces: nil, every: .milliseconds(10), for: .seconds(60))
            // Then the answer is a 413, after which the server closes the connection
            #expect(outcome.answer.hasPrefix("HTTP/1.1 413"), "\(outcome)")
            #expect(outcome.refused != nil, "\(outcome)")
        }
    }

    /// An HTTP client that sends a form of 16 MiB whole (AsyncHTTPClient, the browser of these tests) sees the 413,
    /// not a reset: the server drops the rest of the body for a while after its answer instead of closing at once
    /// (closed at once, AsyncHTTPClient failed the request: "I/O on closed channel").
    @Test func aClientSendingTheWholeFormSeesThe413() async throws {
        try await WebApp.run { app in
            // Given a browser on the log-in page
            var browser = app.browser()
            let form = try await browser.get("/login")
            let token = try #require(form.csrfToken)
            // When it posts a form of 16 MiB
            let answer = try await browser.post(
                "/login", [("csrf_token", token), ("login", String(repeating: "a", count: 16 << 20))])
            // Then it is told the form is too large
            #expect(answer.status == 413)
        }
    }

    /// An answer made from the headers alone, its body still on its way (a POST to a page that does not exist: 404),
    /// closes the connection too.
    @Test func aRefusalBeforeTheBodyClosesItsConnection() async throws {
        try await WebApp.run { app in
            // Given a client posting 100 MB to a page that does not exist
            let port = try #require(app.base.port)
            let piece = [UInt8](repeating: UInt8(ascii: "a"), count: 64 << 10)
            let pieces = 1600
            // When it goes on sending after the answer, up to 60 s after it
            let outcome = try await SlowClient.sendPastTheAnswer(
                port: port,
                head:
                    "POST /no-such-page HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(piece.count * pieces)\r\n\r\n",
                piece: piece, pieces: pieces, every: .milliseconds(10), for: .seconds(60))
            // Then the answer is a 404, after which the server closes the connection
            #expect(outcome.answer.hasPrefix("HTTP/1.1 404"), "\(outcome)")
            #expect(outcome.refused != nil, "\(outcome)")
        }
    }

    /// A request whose body has come whole keeps its connection: a log-in form whose body comes 200 ms after its
    /// headers (read by the route before it answers), and a small body that came with its headers to a page that does
    /// not exist (never read by a route), are each followed by a request for the home page on the same connection,
    /// and both are answered.
    @Test func aRequestWhoseBodyCameWholeKeepsItsConnection() async throws {
        try await WebApp.run { app in
            // Given a browser's session and its form's token
            var browser = app.browser()
            let form = try await browser.get("/login")
            let token = try #require(form.csrfToken)
            let session = try #require(browser.sessionID)
            let port = try #require(app.base.port)
            let body = "csrf_token=\(PercentEncodingForTests.encode(token))&login=nobody&password=not+the+password"
            // When a client posts the log-in form (its body apart), then asks for the home page on one connection,
            // and another posts a small body to a page that does not exist, then asks for the home page
            let answers = try await onOwnThread { () -> Result<[[String]], any Error> in
                Result {
                    let login = try Self.answers(
                        port: port,
                        [
                            "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: accounts_session=\(session)\r\n"
                                + "Content-Type: application/x-www-form-urlencoded\r\n"
                                + "Content-Length: \(body.utf8.count)\r\n\r\n",
                            body, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                        ])
                    let missing = try Self.answers(
                        port: port,
                        [
                            "POST /no-such-page HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello",
                            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                        ])
                    // (its body 200 ms after its headers, and the 404: the body comes whole after the answer)
                    let late = try Self.answers(
                        port: port,
                        [
                            "POST /no-such-page HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\n", "hello",
                            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                        ])
                    return [login, missing, late]
                }
            }.get()
            // Then each connection answered both its requests (the last one too: its body came whole within the 2 s
            // after its early answer, so the connection goes on; closing it then dropped the next request unanswered,
            // the answer having said nothing of a close)
            #expect(answers[0].map { $0.prefix(12) } == ["HTTP/1.1 401", "HTTP/1.1 200"], "\(answers[0])")
            #expect(answers[1].map { $0.prefix(12) } == ["HTTP/1.1 404", "HTTP/1.1 200"], "\(answers[1])")
            #expect(answers[2].map { $0.prefix(12) } == ["HTTP/1.1 404", "HTTP/1.1 200"], "\(answers[2])")
        }
    }

    /// Sends `parts` on one connection to `port`, 200 ms apart, and returns the heads of the answers that came
    /// whole (by their `Content-Length`) within 60 s, until the server closed the connection or all were answered.
    /// A part that is not a request (a body sent apart) expects no answer of its own.
    private static func answers(port: Int, _ parts: [String]) throws -> [String] {
        let client = try SlowClient(port: port)
        var received = ""
        var heads: [String] = []
        let expected = parts.filter { $0.hasPrefix("GET ") || $0.hasPrefix("POST ") }.count
        for part in parts {
            guard client.send(part) else { return heads }
            Thread.sleep(forTimeInterval: 0.2)
        }
        let started = ContinuousClock.now
        while heads.count < expected && ContinuousClock.now - started < .seconds(60) {
            let hungUp = client.isHungUpUnread
            received += client.receivedText()
            while let end = received.range(of: "\r\n\r\n") {
                let head = String(received[..<end.lowerBound])
                let length =
                    head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                let rest = received[end.upperBound...]
                guard rest.utf8.count >= length else { break }
                heads.append(head + "\r\n\r\n")
                received = String(Substring(rest.utf8.dropFirst(length)))
            }
            if hungUp { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return heads
    }
}
