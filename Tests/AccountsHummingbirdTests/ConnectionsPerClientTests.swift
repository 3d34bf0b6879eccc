import AccountsHummingbird
import Foundation
import Hummingbird
import Logging
import TestSupport
import Testing

/// ``AccountRoutes/http1Server(idleTimeout:requestReadTimeout:writeTimeout:connectionsPerClient:)``'s cap on the
/// connections one client holds.
struct ConnectionsPerClientTests {
    /// With `connectionsPerClient: 3`, a client holding three connections has a fourth closed at once, unanswered,
    /// while its three go on and another address is answered; once one of the three closes, the client may open
    /// another.
    @Test func aClientBeyondItsConnectionsIsClosedAndOthersAreAnswered() async throws {
        try await Self.withServer(connectionsPerClient: 3) { port in
            // (the clients keep time on a thread of their own; what they saw is checked here. The server counts and
            // refuses connections on its event loop, at once; its answers are made on the test process's cooperative
            // pool, which the tests beside this one may hold for minutes: each answer may take that long)
            let seen = try await onOwnThread {
                Result {
                    // Given a client at 127.0.0.1 holding three keep-alive connections, each answered once
                    var held: [SlowClient] = []
                    var first: [String?] = []
                    for _ in 0..<3 {
                        held.append(try SlowClient(port: port))
                        first.append(Self.answer(held[held.count - 1], within: Self.answerWait))
                    }
                    // When it opens a fourth and asks on it
                    let fourth = try SlowClient(port: port)
                    fourth.send(Self.request)
                    let fourthClosed = Self.waitUntil(.seconds(60)) { fourth.isHungUpUnread }
                    let fourthGot = fourth.receivedText()
                    let again = held.map { Self.answer($0, within: Self.answerWait) }
                    let other = Self.answer(try SlowClient(port: port, source: "127.0.0.2"), within: Self.answerWait)
                    // (once one of the three closes, a new connection of the client should be taken, then answered)
                    held.removeFirst()
                    var afterClose: String?
                    let started = ContinuousClock.now
                    while afterClose == nil && ContinuousClock.now - started < .seconds(60) {
                        let next = try SlowClient(port: port)
                        guard !Self.waitUntil(.seconds(1), { next.isHungUpUnread }) else { continue }
                        afterClose = Self.answer(next, within: Self.answerWait)
                    }
                    withExtendedLifetime(held) {}
                    return (first, fourthClosed, fourthGot, again, other, afterClose)
                }
            }
            .get()
            let (first, fourthClosed, fourthGot, again, other, afterClose) = seen
            #expect(first.allSatisfy { $0?.hasPrefix("HTTP/1.1 200") == true }, "\(first)")
            // Then the server closes the fourth without an answer
            #expect(fourthClosed, "the fourth connection is still open")
            #expect(fourthGot.isEmpty, "the fourth connection got: \(fourthGot)")
            // And the three are still answered
            #expect(again.allSatisfy { $0?.hasPrefix("HTTP/1.1 200") == true }, "\(again)")
            // And another address is answered
            #expect(other?.hasPrefix("HTTP/1.1 200") == true, "\(String(describing: other))")
            // And once one of the three closed, a new connection of the client is answered
            #expect(afterClose?.hasPrefix("HTTP/1.1 200") == true, "no new connection was answered after a close")
        }
    }

    /// Without `connectionsPerClient`, one client's connections are not counted: twenty at once are all answered.
    @Test func withoutACapEveryConnectionIsAnswered() async throws {
        try await Self.withServer(connectionsPerClient: nil) { port in
            let answers = try await onOwnThread {
                Result {
                    // (all asked at once, and their answers awaited together)
                    let clients = try (0..<20).map { _ in try SlowClient(port: port) }
                    for client in clients { client.send(Self.request) }
                    var received = [String](repeating: "", count: clients.count)
                    let started = ContinuousClock.now
                    while received.contains(where: { !$0.hasSuffix("ok") })
                        && ContinuousClock.now - started < Self.answerWait
                    {
                        for (index, client) in clients.enumerated() { received[index] += client.receivedText() }
                        usleep(5_000)
                    }
                    return received
                }
            }
            .get()
            #expect(answers.allSatisfy { $0.hasPrefix("HTTP/1.1 200") }, "\(answers)")
        }
    }

    static let request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

    /// How long a client waits for an answer: five minutes (see the first test).
    static let answerWait = Duration.seconds(300)

    /// Sends ``request`` on `client` and returns what came back once a whole answer did (nil when none came within
    /// `limit` or the server closed the connection).
    static func answer(_ client: SlowClient, within limit: Duration) -> String? {
        guard client.send(request) else { return nil }
        var received = ""
        let started = ContinuousClock.now
        while ContinuousClock.now - started < limit {
            received += client.receivedText()
            if received.hasSuffix("ok") { return received }
            if received.isEmpty && client.isHungUpUnread { return nil }
            usleep(5_000)
        }
        return nil
    }

    /// Whether `condition` held within `limit`, checked every 5 ms.
    static func waitUntil(_ limit: Duration, _ condition: () -> Bool) -> Bool {
        let started = ContinuousClock.now
        while ContinuousClock.now - started < limit {
            if condition() { return true }
            usleep(5_000)
        }
        return false
    }

    /// Runs `body` with the port of an app on 127.0.0.1 whose `GET /` answers `ok`, served by
    /// ``AccountRoutes/http1Server(idleTimeout:requestReadTimeout:writeTimeout:connectionsPerClient:)`` with
    /// `connectionsPerClient` (a client bound to 127.0.0.2 reaches it from another address).
    static func withServer(
        connectionsPerClient: Int?, _ body: @escaping @Sendable (Int) async throws -> Void
    ) async throws {
        let router = Router()
        router.get("/") { _, _ in "ok" }
        // (a connection waiting its turn to ask is not closed as idle)
        try await withLocalServer(
            router: router,
            server: AccountRoutes.http1Server(idleTimeout: .seconds(900), connectionsPerClient: connectionsPerClient),
            body)
    }
}
