import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A plain-socket HTTP/1.1 server on 127.0.0.1 that answers every request with a script of raw writes, pauses and
/// a close, for tests of the real transport against a server that misbehaves: wrong framing, slow bodies, redirects,
/// bodies that are not what they say.
///
/// Each connection reads the request head (up to the blank line), records it, then plays the script; a script that
/// ends with ``Step/readNext`` keeps the connection open for the next request (keep-alive). Nothing here is
/// production quality: it serves a handful of connections for one test and stops.
final class MisbehavingServer: Sendable {
    enum Step: Sendable {
        /// Writes these bytes.
        case send([UInt8])
        /// Waits (the connection stays open).
        case pause(Duration)
        /// Writes `count` bytes of `byte`, `chunk` at a time, pausing `every` between chunks; stops when the peer is gone.
        case drip(byte: UInt8, count: Int, chunk: Int, every: Duration)
        /// Closes the connection now.
        case close
        /// Resets the connection now (`SO_LINGER` 0: an RST, not a FIN).
        case reset
        /// Keeps the connection open: reads the next request on it and plays the script for that one.
        case readNext
    }

    /// One request as received: its request line and header lines.
    struct Received: Sendable {
        let requestLine: String
        let headers: [(name: String, value: String)]
        /// Which connection it came on: 0 for the first one accepted, 1 for the next.
        var connection = 0
        /// Its place on that connection: 0 for the first request, 1 for the one after it (keep-alive).
        var position = 0

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    let port: Int
    private let listener: Int32
    private let script: @Sendable (Received) -> [Step]
    private let received = Mutex<[Received]>([])
    /// Set when a write failed because the client had gone (it closed or reset the connection).
    private let clientWentAway = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    private let accepted = Atomic<Int>(0)
    private let idleCloses = Atomic<Int>(0)

    /// Starts a server that plays `script(request)` on each connection.
    init(script: @escaping @Sendable (Received) -> [Step]) throws {
        signal(SIGPIPE, SIG_IGN)
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        self.listener = fd
        self.script = script
        let thread = Thread { [self] in self.acceptLoop() }
        thread.start()
    }

    /// A server that answers every request with this one raw response, then closes.
    convenience init(raw: String) throws {
        try self.init { _ in [.send(Array(raw.utf8)), .close] }
    }

    /// `http://127.0.0.1:PORT`
    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    var requests: [Received] { received.withLock { $0 } }

    var sawClientGoAway: Bool { clientWentAway.load(ordering: .sequentiallyConsistent) }

    /// How many kept-alive connections the client closed while the server waited for their next request.
    var idleConnectionsClosedByClient: Int { idleCloses.load(ordering: .sequentiallyConsistent) }

    func stop() {
        guard !stopped.exchange(true, ordering: .sequentiallyConsistent) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    deinit { stop() }

    /// Runs `body` with a server, stopping it afterwards.
    @discardableResult
    static func with<Result>(
        script: @escaping @Sendable (Received) -> [Step],
        _ body: (MisbehavingServer) async throws -> Result
    ) async throws -> Result {
        let server = try MisbehavingServer(script: script)
        defer { server.stop() }
        return try await body(server)
    }

    /// A complete response: status line, headers (a `Content-Length` is added unless `headers` frame the body
    /// otherwise) and body; with `Connection: close` unless `keepAlive`.
    static func response(
        _ status: String = "200 OK", headers: [String] = [], body: [UInt8], keepAlive: Bool = false
    ) -> [UInt8] {
        var head = "HTTP/1.1 \(status)\r\n"
        let framed = headers.contains {
            $0.lowercased().hasPrefix("content-length:") || $0.lowercased().hasPrefix("transfer-encoding:")
        }
        for header in headers { head += header + "\r\n" }
        if !framed { head += "Content-Length: \(body.count)\r\n" }
        head += keepAlive ? "\r\n" : "Connection: close\r\n\r\n"
        return Array(head.utf8) + body
    }

    static func response(
        _ status: String = "200 OK", headers: [String] = [], body: String, keepAlive: Bool = false
    ) -> [UInt8] {
        response(status, headers: headers, body: Array(body.utf8), keepAlive: keepAlive)
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .sequentiallyConsistent) {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if stopped.load(ordering: .sequentiallyConsistent) { return }
                continue
            }
            let number = accepted.add(1, ordering: .sequentiallyConsistent).oldValue
            let thread = Thread { [self] in self.serve(connection, number: number) }
            thread.start()
        }
    }

    private func serve(_ connection: Int32, number: Int) {
        var lingering = linger(l_onoff: 0, l_linger: 0)
        defer {
            setsockopt(connection, SOL_SOCKET, SO_LINGER, &lingering, socklen_t(MemoryLayout<linger>.size))
            close(connection)
        }
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var position = 0
        while true {
            while Self.headEnd(pending) == nil {
                let count = read(connection, &buffer, buffer.count)
                if count <= 0 {
                    if position > 0 && pending.isEmpty { idleCloses.add(1, ordering: .sequentiallyConsistent) }
                    return
                }
                pending += buffer[0..<count]
                if pending.count > 64 << 10 { return }
            }
            let end = Self.headEnd(pending)!
            let head = Array(pending[..<end])
            pending.removeFirst(end)
            var request = Self.parse(head)
            request.connection = number
            request.position = position
            received.withLock { $0.append(request) }
            position += 1
            var readsNext = false
            for step in script(request) {
                switch step {
                case .send(let bytes):
                    if !write(all: bytes, to: connection) { return }
                case .pause(let duration):
                    Thread.sleep(forTimeInterval: Self.seconds(duration))
                case .drip(let byte, let count, let chunk, let every):
                    var left = count
                    let piece = [UInt8](repeating: byte, count: chunk)
                    while left > 0 {
                        if stopped.load(ordering: .sequentiallyConsistent) { return }
                        let size = min(chunk, left)
                        if !write(all: Array(piece[0..<size]), to: connection) { return }
                        left -= size
                        Thread.sleep(forTimeInterval: Self.seconds(every))
                    }
                case .close:
                    return
                case .reset:
                    lingering = linger(l_onoff: 1, l_linger: 0)
                    return
                case .readNext:
                    readsNext = true
                }
                if readsNext { break }
            }
            if !readsNext { return }
        }
    }

    private static func parse(_ head: [UInt8]) -> Received {
        let lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n").filter { !$0.isEmpty }
        return Received(
            requestLine: lines.first ?? "",
            headers: lines.dropFirst().compactMap { line in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (
                    String(line[..<colon]),
                    String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
                )
            })
    }

    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index..<(index + 4)].elementsEqual([13, 10, 13, 10]) {
            return index + 4
        }
        return nil
    }

    private func write(all bytes: [UInt8], to connection: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if written <= 0 {
                clientWentAway.store(true, ordering: .sequentiallyConsistent)
                return false
            }
            offset += written
        }
        return true
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
