import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

struct DemoConnectionsPerClientTests {
    static let request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

    /// Browsers connect to `accounts demo` directly, so it caps the connections one address holds (README, "Slow
    /// clients": 16): with sixteen from 127.0.0.1 open and answered, a seventeenth is closed unanswered, and once one
    /// of the sixteen closes, a new one is answered.
    @Test func theSeventeenthConnectionFromOneAddressIsRefused() async throws {
        try await withTemporaryDirectory { dir in
            // Given the demo with its defaults
            let server = try ServerProcess(
                accountsExecutable(), ["demo", "--port", "0", "--database", dir + "/demo.sqlite"])
            defer { server.kill() }
            let base = try #require(URL(string: try await server.firstLine()))
            let port = try #require(base.port)
            // (the clients keep time on a thread of their own, off the cooperative pool)
            let seen = await onOwnThread {
                Result {
                    // Given sixteen connections from 127.0.0.1, each answered
                    var held: [SlowClient] = []
                    var answered = 0
                    for _ in 0..<16 {
                        let client = try SlowClient(port: port)
                        held.append(client)
                        if Self.answer(client, within: .seconds(20))?.hasPrefix("HTTP/1.1 ") == true { answered += 1 }
                    }
                    // When a seventeenth asks
                    let seventeenth = try SlowClient(port: port)
                    let seventeenthAnswer = Self.answer(seventeenth, within: .seconds(20))
                    // And after one of the sixteen closes, another asks
                    held.removeFirst()
                    var afterClose: String?
                    let started = ContinuousClock.now
                    while afterClose == nil && ContinuousClock.now - started < .seconds(20) {
                        afterClose = Self.answer(try SlowClient(port: port), within: .seconds(5))
                    }
                    withExtendedLifetime(held) {}
                    return (answered, seventeenthAnswer, afterClose)
                }
            }
            let (answered, seventeenthAnswer, afterClose) = try seen.get()
            #expect(answered == 16, "of the first sixteen connections, \(answered) were answered")
            // Then the seventeenth is closed without an answer
            #expect(seventeenthAnswer == nil, "the seventeenth connection got: \(seventeenthAnswer ?? "")")
            // And a connection after a close is answered
            #expect(afterClose?.hasPrefix("HTTP/1.1 ") == true, "no connection was answered after a close")
        }
    }

    /// Behind a trusted proxy (`--client-address-header`, `--trusted-proxy`) every connection comes from the proxy,
    /// so the demo does not cap one address's connections: twenty from 127.0.0.1 at once are all answered.
    @Test func behindATrustedProxyConnectionsAreNotCapped() async throws {
        try await withTemporaryDirectory { dir in
            let server = try ServerProcess(
                accountsExecutable(),
                [
                    "demo", "--port", "0", "--database", dir + "/demo.sqlite", "--client-address-header",
                    "X-Forwarded-For", "--trusted-proxy", "127.0.0.1",
                ])
            defer { server.kill() }
            let base = try #require(URL(string: try await server.firstLine()))
            let port = try #require(base.port)
            let answered = await onOwnThread {
                Result {
                    let held = try (0..<20).map { _ in try SlowClient(port: port) }
                    return held.filter { Self.answer($0, within: .seconds(20))?.hasPrefix("HTTP/1.1 ") == true }.count
                }
            }
            #expect(try answered.get() == 20)
        }
    }

    /// Sends ``request`` on `client` and returns the start of the answer once its status line came (nil when the
    /// server closed the connection first, or nothing came within `limit`).
    static func answer(_ client: SlowClient, within limit: Duration) -> String? {
        guard client.send(request) else { return nil }
        var received = ""
        let started = ContinuousClock.now
        while ContinuousClock.now - started < limit {
            received += client.receivedText()
            if received.contains("\r\n") { return received }
            if client.isHungUpUnread && received.isEmpty { return nil }
            usleep(5_000)
        }
        return nil
    }
}
