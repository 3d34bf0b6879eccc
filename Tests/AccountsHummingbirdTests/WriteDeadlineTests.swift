import AccountsHummingbird
import Foundation
import Hummingbird
import Logging
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// ``AccountRoutes/http1Server(idleTimeout:requestReadTimeout:writeTimeout:)``'s write timeout ends only the
/// connections whose client has stopped reading.
struct WriteDeadlineTests {
    /// A client that reads a large answer steadily, but for longer than the write timeout in all, gets all of it: the
    /// timeout counts from the last time the client took any of the answer, not from when the answer began to wait.
    @Test func aClientThatReadsALargeAnswerSlowlyGetsAllOfIt() async throws {
        let size = 16 << 20
        try await Self.withLargeAnswer(size: size, writeTimeout: .seconds(2)) { port in
            // Given a client with a 64 KiB receive window that asks for a 16 MiB answer
            // When it reads at most 64 KiB every 10 ms (never pausing as long as the 2 s write timeout; 256 reads at
            // least)
            let (received, took) = await onOwnThread {
                Self.readSlowly(port: port, path: "/big", limit: .seconds(60))
            }
            // Then it read for longer than the write timeout (counted from the answer's first bytes), and got the
            // whole answer
            #expect(took > .seconds(2), "took \(took)")
            #expect(received >= size, "got \(received) of \(size) bytes in \(took)")
        }
    }

    /// A client that reads a large answer steadily for longer than the idle timeout gets all of it: the answer's end,
    /// written by its handler at once, does not start the idle timeout while the answer is still on its way out.
    @Test func aClientStillReadingItsAnswerIsNotClosedAsIdle() async throws {
        let size = 16 << 20
        try await Self.withLargeAnswer(size: size, idleTimeout: .seconds(1), writeTimeout: .seconds(2)) { port in
            // Given a client with a 64 KiB receive window that asks for a 16 MiB answer, on a server that closes
            // connections idle for 1 s
            // When it reads at most 64 KiB every 10 ms (256 reads at least, 2.5 s or more in all)
            let (received, took) = await onOwnThread {
                Self.readSlowly(port: port, path: "/big", limit: .seconds(60))
            }
            // Then it read for longer than the idle timeout, and got the whole answer
            #expect(took > .seconds(1), "took \(took)")
            #expect(received >= size, "got \(received) of \(size) bytes in \(took)")
        }
    }

    /// A client that asks for a large answer and reads none of it is closed one to two write timeouts (2 s) after the
    /// answer began to wait on it. The time is counted from when the first bytes reached the client, which is when
    /// the server wrote the whole answer at once and its buffer went over the high-water mark.
    @Test func aClientThatReadsNothingOfItsAnswerIsClosedWithinTwoTimeouts() async throws {
        try await Self.withLargeAnswer(size: 16 << 20, writeTimeout: .seconds(2)) { port in
            // Given a client with a 4 KiB receive window
            // When it asks for a 16 MiB answer and never reads (waiting up to 5 min for the answer to begin: the
            // handler that makes it runs on the cooperative pool, which other tests may hold that long)
            let outcome = try await SlowClient.askWithoutReading(
                port: port, request: "GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", for: .seconds(300))
            // Then the answer began to come
            #expect(outcome.answered != nil, "\(outcome)")
            // And the server closed the connection no sooner than one write timeout after, and within two (the 6 s
            // beyond them allow for the event loop's thread waiting on a machine busy with other tests)
            let closed = try #require(outcome.closedAfterAnswer, "\(outcome)")
            #expect(closed > .milliseconds(1_900) && closed < .seconds(10), "\(outcome)")
        }
    }

    /// A client that asks for a large answer and reads none of it, on a server whose idle timeout (1 s) is far below
    /// its write timeout (120 s), is reset one to two idle timeouts after the answer's end was written: the idle
    /// timeout sees that the client took none of the answer's bytes in a whole timeout. A plain close would leave the
    /// kernel's share of the answer queued behind the client's closed window, so the client would never see the
    /// connection end (and the server's socket would linger, uncounted by its connection cap).
    @Test func aClientThatReadsNothingOfItsAnswerIsResetByTheIdleTimeout() async throws {
        try await Self.withLargeAnswer(size: 16 << 20, idleTimeout: .seconds(1), writeTimeout: .seconds(120)) { port in
            // Given a client with a 4 KiB receive window
            // When it asks for a 16 MiB answer and never reads (waiting up to 5 min for the answer to begin)
            let outcome = try await SlowClient.askWithoutReading(
                port: port, request: "GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", for: .seconds(300))
            // Then the answer began to come
            #expect(outcome.answered != nil, "\(outcome)")
            // And the client saw the connection end (a reset: its window is full, so a FIN would wait behind the
            // answer's bytes) well before the write timeout (the 60 s allow for a machine busy with other tests)
            let closed = try #require(outcome.closedAfterAnswer, "\(outcome)")
            #expect(closed < .seconds(60), "\(outcome)")
        }
    }

    /// Runs `body` with the port of an app whose `GET /big` answers `size` bytes written at once, served by
    /// ``AccountRoutes/http1Server(idleTimeout:requestReadTimeout:writeTimeout:)`` (10 s read timeout, and
    /// `idleTimeout`).
    private static func withLargeAnswer(
        size: Int, idleTimeout: Duration = .seconds(10), writeTimeout: Duration,
        _ body: @escaping @Sendable (Int) async throws -> Void
    ) async throws {
        let router = Router()
        router.get("/big") { _, _ in
            Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(repeating: 0x61, count: size)))
        }
        try await withLocalServer(
            router: router,
            server: AccountRoutes.http1Server(
                idleTimeout: idleTimeout, requestReadTimeout: .seconds(10), writeTimeout: writeTimeout),
            body)
    }

    /// Sends a GET for `path` on a socket with a 64 KiB receive buffer and reads the answer 64 KiB at a time with a
    /// 10 ms pause between reads, until the server closes the connection, a read waits 30 s, or `limit` after the
    /// answer's first bytes: the bytes read (head and body), and how long it read from the first bytes on (zero when
    /// none came). The first bytes may wait up to five minutes: the server's handler makes the answer on the test
    /// process's cooperative pool, which other tests may hold that long; once the answer is written (at once, in one
    /// piece) its bytes come from the server's event loop, and a server that closes the connection ends the read at
    /// once all the same.
    static func readSlowly(port: Int, path: String, limit: Duration) -> (received: Int, took: Duration) {
        guard let socket = try? SlowClient.connectedSocket(port: port, receiveBufferBytes: 65_536) else {
            return (-1, .zero)
        }
        defer { close(socket) }
        func waitAtMost(seconds: Int) {
            var timeout = timeval(tv_sec: seconds, tv_usec: 0)
            _ = setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
        waitAtMost(seconds: 300)
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count
        else { return (-1, .zero) }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var total = 0
        var firstBytes: ContinuousClock.Instant?
        while firstBytes.map({ ContinuousClock.now - $0 < limit }) ?? true {
            let got = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if got <= 0 { break }
            if firstBytes == nil {
                firstBytes = ContinuousClock.now
                waitAtMost(seconds: 30)
            }
            total += got
            usleep(10_000)
        }
        return (total, firstBytes.map { ContinuousClock.now - $0 } ?? .zero)
    }
}
