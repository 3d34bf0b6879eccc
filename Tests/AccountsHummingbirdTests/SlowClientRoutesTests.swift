import AccountsHummingbird
import Foundation
import TestSupport
import Testing

struct SlowClientRoutesTests {
    /// On ``AccountRoutes/http1Server(idleTimeout:requestReadTimeout:)``, a connection that sends nothing, and one
    /// whose headers come a byte at a time, are closed after the idle timeout; one whose form body keeps coming, a
    /// byte every 100 ms (each well within the idle timeout), is closed after the read timeout.
    @Test func idleAndTricklingConnectionsAreClosedAfterTheirTimeouts() async throws {
        try await WebApp.run(idleTimeout: .seconds(1), requestReadTimeout: .seconds(2)) { app in
            // Given a client that sends nothing, one that trickles its headers, and one that trickles a form body
            let port = try #require(app.base.port)
            // When they go on for up to 10 s
            let closed = try await SlowClient.trickleThree(port: port, every: .milliseconds(100), for: .seconds(10))
            // Then each is closed, after its own timeout
            #expect(closed.keys.sorted() == ["body", "headers", "idle"], "closed: \(closed)")
            #expect(closed["idle"].map { $0 >= .milliseconds(800) } == true, "\(closed)")
            #expect(closed["headers"].map { $0 >= .milliseconds(800) } == true, "\(closed)")
            #expect(closed["body"].map { $0 >= .milliseconds(1800) } == true, "\(closed)")
        }
    }

    /// A request whose body has arrived is answered however long the answer takes: a wrong password's answer waits
    /// out `failureFloor` (3 s), past both timeouts, and still comes.
    @Test func aSlowAnswerIsNotCutShort() async throws {
        try await WebApp.run(failureFloor: .seconds(3), idleTimeout: .seconds(1), requestReadTimeout: .seconds(1)) {
            app in
            var browser = app.browser()
            let refused = try await browser.submit(
                "/login", to: "/login", [("login", "nobody"), ("password", "not the password")])
            #expect(refused.status == 401)
        }
    }

    /// A form of 100 MB is refused with 413 once the first 64 KiB (`maximumFormBytes`) are read: the answer comes
    /// while the client has sent a few hundred KiB of it, and the rest is never held in memory.
    @Test func aHugeFormIsRefusedBeforeItArrives() async throws {
        try await WebApp.run { app in
            let client = try SlowClient(port: try #require(app.base.port))
            #expect(
                client.send(
                    "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                        + "Content-Length: 104857600\r\n\r\n"))
            let chunk = String(repeating: "a", count: 16 << 10)
            var sent = 0
            var answer = ""
            let started = ContinuousClock.now
            while !answer.contains("\r\n\r\n") && sent < 1 << 20 && ContinuousClock.now - started < .seconds(30) {
                if client.send(chunk) { sent += chunk.utf8.count }
                answer += client.receivedText()
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(answer.hasPrefix("HTTP/1.1 413"), "after \(sent) bytes: \(answer.prefix(200))")
            #expect(sent < 1 << 20)
        }
    }
}
