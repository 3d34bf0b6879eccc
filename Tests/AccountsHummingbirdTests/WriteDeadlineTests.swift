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
        let router = Router()
        router.get("/big") { _, _ in
            Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(repeating: 0x61, count: size)))
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = Application(
            router: router,
            server: AccountRoutes.http1Server(
                idleTimeout: .seconds(10), requestReadTimeout: .seconds(10), writeTimeout: .seconds(2)),
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { continuation.finish() }
                try await application.run()
            }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            // Given a client with a 64 KiB receive window that asks for a 16 MiB answer
            // When it reads at most 64 KiB every 10 ms (never pausing as long as the 2 s write timeout; 256 reads at
            // least)
            let (received, took) = await withCheckedContinuation { done in
                Thread.detachNewThread {
                    let started = ContinuousClock.now
                    let received = Self.readSlowly(port: port, path: "/big", limit: .seconds(60))
                    done.resume(returning: (received, ContinuousClock.now - started))
                }
            }
            // Then it took longer than the write timeout, and got the whole answer
            #expect(took > .seconds(2), "took \(took)")
            #expect(received >= size, "got \(received) of \(size) bytes in \(took)")
            group.cancelAll()
        }
    }

    /// Sends a GET for `path` on a socket with a 64 KiB receive buffer and reads the answer 64 KiB at a time with a
    /// 10 ms pause between reads, until the server closes the connection, a read waits 30 s, or `limit`: the bytes
    /// read (head and body).
    static func readSlowly(port: Int, path: String, limit: Duration) -> Int {
        guard let socket = try? SlowClient.connectedSocket(port: port, receiveBufferBytes: 65_536) else { return -1 }
        defer { close(socket) }
        // (a long wait for each read: the test process's threads may be busy with other tests for seconds before
        // the server's handler runs; a server that closes the connection ends the read at once all the same)
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        _ = setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count
        else { return -1 }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var total = 0
        let started = ContinuousClock.now
        while ContinuousClock.now - started < limit {
            let got = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if got <= 0 { break }
            total += got
            usleep(10_000)
        }
        return total
    }
}
