import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A client on a plain TCP socket to 127.0.0.1 that sends what it is told, when it is told: an idle connection, headers
/// a byte at a time, a body that never ends. Every call returns at once (the socket does not block), so a test can
/// hold many of them without holding a thread.
public final class SlowClient: Sendable {
    private let descriptor: Int32

    /// Connects to `port` on 127.0.0.1 (from `source`, another loopback address such as 127.0.0.2, when given); with
    /// `receiveBufferBytes`, the socket's receive buffer is set that small before connecting (so the server meets a
    /// full window soon after the client stops reading).
    public init(port: Int, source: String? = nil, receiveBufferBytes: Int32? = nil) throws {
        let descriptor = try Self.connectedSocket(port: port, source: source, receiveBufferBytes: receiveBufferBytes)
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        self.descriptor = descriptor
    }

    /// A blocking TCP socket connected to `port` on 127.0.0.1 (from `source` when given); the caller closes it.
    public static func connectedSocket(
        port: Int, source: String? = nil, receiveBufferBytes: Int32? = nil
    ) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw SlowClientError.socket(errno) }
        if var size = receiveBufferBytes {
            _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            let bound = withUnsafePointer(to: &local) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else {
                let code = errno
                close(descriptor)
                throw SlowClientError.connect(code)
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            close(descriptor)
            throw SlowClientError.connect(code)
        }
        return descriptor
    }

    deinit { close(descriptor) }

    /// Sends `text`; false when the server has closed the connection (or its buffers are full).
    @discardableResult
    public func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        let sent = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return sent == bytes.count
    }

    /// Sends as much of `bytes` as the connection takes without waiting: the count taken (0 when its buffers are
    /// full), or nil when the server has closed or reset the connection.
    public func sendSome(_ bytes: ArraySlice<UInt8>) -> Int? {
        let sent = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if sent >= 0 { return sent }
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : nil
    }

    /// Whether the server has reset or shut the connection, seen without reading what it sent (reading would let a
    /// server waiting for the client to read go on writing).
    public var isHungUpUnread: Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN) | 0x2000, revents: 0)  // 0x2000: POLLRDHUP
        guard poll(&entry, 1, 0) == 1 else { return false }
        return entry.revents & (Int16(POLLHUP) | Int16(POLLERR) | 0x2000) != 0
    }

    /// What the server has sent that was not read yet (nothing when it sent nothing), without waiting.
    public func receivedText() -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            guard count > 0 else { break }
            received += buffer[0..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Whether the server has closed the connection: end of stream or a reset (what it answered first is read and
    /// dropped).
    public var isClosedByServer: Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count > 0 { continue }
            if count == 0 { return true }
            return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR
        }
    }
}

extension SlowClient {
    /// Opens three connections to `port` and plays three slow clients on them, a step every `interval`: `idle` sends
    /// nothing, `headers` sends a request's headers a byte a step, `body` sends complete headers of a 60,000-byte
    /// form to `bodyPath` (a route that reads its body: one answered from the headers alone closes the connection
    /// 2 s after its answer) and then its body a byte a step. Stops when the server has closed all three, or `limit`
    /// after the start. Returns, for each one the server closed, when it did, timed from the moment before the server
    /// could start the timeout that closes it (``TrickleOutcome/closed``). The clients keep time on a thread of their
    /// own (``onOwnThread(_:)``): a step that waited for a thread of the busy cooperative pool would leave a trickling
    /// client silent past the server's idle timeout.
    public static func trickleThree(
        port: Int, every interval: Duration, for limit: Duration, bodyPath: String = "/login"
    ) async throws -> [String: Duration] {
        try await trickleThreeObserved(port: port, every: interval, for: limit, bodyPath: bodyPath).closed
    }

    /// What ``trickleThreeObserved(port:every:for:)`` saw.
    public struct TrickleOutcome: Sendable, CustomStringConvertible {
        /// For each client the server closed, when it did: `idle` and `headers` from just before they connected (the
        /// server's idle timeout cannot start before), `body` from just before it sent its headers (nor can the read
        /// timeout). Taken from one start after all three are set up, a client thread held up between its own setup
        /// and the start (a loaded machine) saw the server close them early by that much.
        public var closed: [String: Duration]
        /// For each trickling client (`headers`, `body`), the longest it went between two bytes it sent (`body` from
        /// its headers on): how long a thread held up left its connection silent. The time from its last byte
        /// to the moment it saw the server had closed is not counted: it ran past the close.
        public var longestSilence: [String: Duration]

        public var description: String { "closed after \(closed), longest silences \(longestSilence)" }
    }

    /// ``trickleThree(port:every:for:)``, with the longest pause of each trickling client.
    public static func trickleThreeObserved(
        port: Int, every interval: Duration, for limit: Duration, bodyPath: String = "/login"
    ) async throws -> TrickleOutcome {
        try await onOwnThread {
            Result { try trickleThreeBlocking(port: port, every: interval, for: limit, bodyPath: bodyPath) }
        }
        .get()
    }

    private static func trickleThreeBlocking(
        port: Int, every interval: Duration, for limit: Duration, bodyPath: String
    ) throws -> TrickleOutcome {
        var origin: [String: ContinuousClock.Instant] = [:]
        origin["idle"] = .now
        let idle = try SlowClient(port: port)
        origin["headers"] = .now
        let headers = try SlowClient(port: port)
        // (from its connection on: the server's idle timeout runs from then until its headers come)
        var lastSent: [String: ContinuousClock.Instant] = ["body": .now]
        let body = try SlowClient(port: port)
        origin["body"] = .now
        guard body.send("POST \(bodyPath) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 60000\r\n\r\n") else {
            throw SlowClientError.send(errno)
        }
        var outcome = TrickleOutcome(closed: [:], longestSilence: [:])
        /// Notes a byte `name` sent: how long it had been silent.
        func noteSilence(_ name: String) {
            let now = ContinuousClock.now
            if let last = lastSent[name] {
                outcome.longestSilence[name] = max(outcome.longestSilence[name] ?? .zero, now - last)
            }
            lastSent[name] = now
        }
        noteSilence("body")
        let header = Array("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + String(repeating: "a", count: 200))
        let started = ContinuousClock.now
        var step = 0
        while true {
            // (checked before the time is up, so that a test starved of threads still sees what closed)
            for (name, client) in [("idle", idle), ("headers", headers), ("body", body)]
            where outcome.closed[name] == nil && client.isClosedByServer {
                outcome.closed[name] = ContinuousClock.now - origin[name]!
            }
            if outcome.closed.count == 3 || ContinuousClock.now - started > limit { return outcome }
            if outcome.closed["headers"] == nil, headers.send(String(header[step % header.count])) {
                noteSilence("headers")
            }
            if outcome.closed["body"] == nil, body.send("a") { noteSilence("body") }
            step += 1
            sleepBlocking(interval)
        }
    }
}

extension SlowClient {
    /// What ``sendUntilAnswered(port:head:bodyBytes:for:)`` saw: the server's answer so far (empty when none came)
    /// and how many bytes of the body the client had sent when it came (all of them when it came only after).
    public struct SendOutcome: Sendable, CustomStringConvertible {
        public var answer: String
        public var bodyBytesSent: Int

        public var description: String { "after \(bodyBytesSent) bytes of the body: \(answer.prefix(200))" }
    }

    /// Connects to `port`, sends `head` and then a body of `bodyBytes` bytes (the letter a), as fast as the connection
    /// takes them, 64 KiB at a time, looking for an answer between two: it stops sending once the server's answer has
    /// begun to arrive, when all was sent, or when the server closed the connection, and waits for the answer's head
    /// then. Gives up `limit` after the start. How much it sends before the answer depends only on when the server
    /// answers and how much the connection holds unread (the kernel's socket buffers), not on how fast either side's
    /// threads run: a server that reads the whole body before answering gets all of it. It keeps time on a thread of
    /// its own, as ``trickleThree(port:every:for:)`` does.
    public static func sendUntilAnswered(
        port: Int, head: String, bodyBytes: Int, for limit: Duration
    ) async throws -> SendOutcome {
        try await onOwnThread {
            Result {
                let client = try SlowClient(port: port)
                guard client.send(head) else { throw SlowClientError.send(errno) }
                let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 64 << 10)
                var outcome = SendOutcome(answer: "", bodyBytesSent: 0)
                let started = ContinuousClock.now
                var open = true
                while !outcome.answer.contains("\r\n\r\n") && ContinuousClock.now - started < limit {
                    outcome.answer += client.receivedText()
                    guard outcome.answer.isEmpty, open, outcome.bodyBytesSent < bodyBytes else {
                        sleepBlocking(.milliseconds(5))
                        continue
                    }
                    let count = min(chunk.count, bodyBytes - outcome.bodyBytesSent)
                    guard let sent = client.sendSome(chunk[..<count]) else {
                        open = false
                        continue
                    }
                    outcome.bodyBytesSent += sent
                    if sent == 0 { sleepBlocking(.milliseconds(5)) }
                }
                return outcome
            }
        }
        .get()
    }
}

extension SlowClient {
    /// What ``sendPastTheAnswer(port:head:piece:pieces:every:for:)`` saw, the times from the moment the answer's head
    /// had come whole.
    public struct PastAnswerOutcome: Sendable, CustomStringConvertible {
        /// What the server sent (empty when it sent nothing).
        public var answer = ""
        /// The body's bytes the server took before its answer's head came, and after.
        public var sentBeforeAnswer = 0
        public var sentAfterAnswer = 0
        /// When the client read the end of the stream, after the answer (nil when it did not).
        public var endOfStream: Duration?
        /// When the server refused the client's bytes (a reset: the connection closed), after the answer (nil when
        /// it did not).
        public var refused: Duration?

        public var description: String {
            "\(sentBeforeAnswer) bytes of the body taken before the answer and \(sentAfterAnswer) after; end of "
                + "stream \(endOfStream.map { "after \($0)" } ?? "never"), refused "
                + "\(refused.map { "after \($0)" } ?? "never"); answer: \(answer.prefix(300))"
        }
    }

    /// Connects to `port`, sends `head`, then `piece` (a part of the body) `pieces` times (forever when nil), one every
    /// `interval` at most, reading what the server sends between two, and goes on past the server's answer: it stops
    /// when the server refuses its bytes (the connection closed), or `limit` after the answer's head came (after the
    /// start when none came). A server that reads and drops the rest of the body after its answer takes it all. It
    /// keeps time on a thread of its own, as ``trickleThree(port:every:for:)`` does.
    public static func sendPastTheAnswer(
        port: Int, head: String, piece: [UInt8], pieces: Int?, every interval: Duration, for limit: Duration
    ) async throws -> PastAnswerOutcome {
        try await onOwnThread {
            Result {
                let client = try SlowClient(port: port)
                guard client.send(head) else { throw SlowClientError.send(errno) }
                return client.sendPastTheAnswerBlocking(piece: piece, pieces: pieces, every: interval, for: limit)
            }
        }
        .get()
    }

    private func sendPastTheAnswerBlocking(
        piece: [UInt8], pieces: Int?, every interval: Duration, for limit: Duration
    ) -> PastAnswerOutcome {
        var outcome = PastAnswerOutcome()
        var received: [UInt8] = []
        var answered: ContinuousClock.Instant?
        var endOfStream: ContinuousClock.Instant?
        var refused: ContinuousClock.Instant?
        var pending = piece[...]
        var piecesLeft = pieces
        let started = ContinuousClock.now
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while refused == nil && ContinuousClock.now - (answered ?? started) < limit {
            // Read what came: the answer, the end of the stream, a reset
            while endOfStream == nil {
                let count = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                if count > 0 {
                    received += buffer[0..<count]
                } else if count == 0 {
                    endOfStream = .now
                } else {
                    if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR { refused = .now }
                    break
                }
            }
            outcome.answer = String(decoding: received, as: UTF8.self)
            if answered == nil, outcome.answer.contains("\r\n\r\n") { answered = .now }
            // Send the next piece, unless the body is all sent
            if refused == nil, piecesLeft.map({ $0 > 0 }) ?? true {
                guard let sent = sendSome(pending) else {
                    refused = .now
                    break
                }
                if answered == nil { outcome.sentBeforeAnswer += sent } else { outcome.sentAfterAnswer += sent }
                pending = pending.dropFirst(sent)
                if pending.isEmpty {
                    pending = piece[...]
                    piecesLeft = piecesLeft.map { $0 - 1 }
                }
            }
            sleepBlocking(interval)
        }
        let origin = answered ?? started
        outcome.endOfStream = endOfStream.map { max(.zero, $0 - origin) }
        outcome.refused = refused.map { max(.zero, $0 - origin) }
        return outcome
    }
}

extension SlowClient {
    /// Connects to `port` with a small receive buffer and sends `request` over and over (pipelined), never reading an
    /// answer, until the server closes or resets the connection, or `limit` after the start. Returns how long the
    /// server took to close it (nil when it did not) and how many requests were sent whole. It keeps time on a thread
    /// of its own, as ``trickleThree(port:every:for:)`` does.
    public static func pipelineWithoutReading(
        port: Int, request: String, for limit: Duration
    ) async throws -> (closedAfter: Duration?, requestsSent: Int) {
        try await onOwnThread {
            Result { try pipelineWithoutReadingBlocking(port: port, request: request, for: limit) }
        }
        .get()
    }

    private static func pipelineWithoutReadingBlocking(
        port: Int, request: String, for limit: Duration
    ) throws -> (closedAfter: Duration?, requestsSent: Int) {
        let client = try SlowClient(port: port, receiveBufferBytes: 4096)
        let bytes = Array(request.utf8)
        var pending = bytes[...]
        var sentBytes = 0
        let started = ContinuousClock.now
        while ContinuousClock.now - started < limit {
            if client.isHungUpUnread { return (ContinuousClock.now - started, sentBytes / bytes.count) }
            var progressed = false
            for _ in 0..<64 {
                guard let sent = client.sendSome(pending) else {
                    return (ContinuousClock.now - started, sentBytes / bytes.count)
                }
                guard sent > 0 else { break }
                progressed = true
                sentBytes += sent
                pending = pending.dropFirst(sent)
                if pending.isEmpty { pending = bytes[...] }
            }
            if !progressed { sleepBlocking(.milliseconds(50)) }
        }
        return (nil, sentBytes / bytes.count)
    }
}

extension SlowClient {
    /// Connects to `port` with a 4 KiB receive buffer, sends `request` once and reads none of the answer. Returns how
    /// long after sending the first bytes of the answer reached the client (nil when none came within `limit`), and
    /// how long after they did the server reset or shut the connection (nil when it did not within `limit` of them).
    /// It keeps time on a thread of its own, as ``trickleThree(port:every:for:)`` does.
    public static func askWithoutReading(
        port: Int, request: String, for limit: Duration
    ) async throws -> (answered: Duration?, closedAfterAnswer: Duration?) {
        try await onOwnThread {
            Result {
                let client = try SlowClient(port: port, receiveBufferBytes: 4096)
                guard client.send(request) else { throw SlowClientError.send(errno) }
                let started = ContinuousClock.now
                while !client.hasUnreadBytes {
                    if ContinuousClock.now - started > limit { return (nil, nil) }
                    sleepBlocking(.milliseconds(5))
                }
                let answered = ContinuousClock.now
                while !client.isHungUpUnread {
                    if ContinuousClock.now - answered > limit { return (answered - started, nil) }
                    sleepBlocking(.milliseconds(5))
                }
                return (answered - started, ContinuousClock.now - answered)
            }
        }
        .get()
    }

    /// Whether the server's answer has begun to arrive, seen without reading it.
    private var hasUnreadBytes: Bool {
        var byte: UInt8 = 0
        return recv(descriptor, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT)) == 1
    }

    /// Opens `clients` connections to `port` at once and, for `duration`, sends `request` four times over (pipelined)
    /// on each connection the server answers, as soon as it answered, so that the server stays busy with as many
    /// connections as it took. A connection the server has not taken yet waits in its listen queue with its first
    /// four requests. Returns how many answers came back; every connection is closed on return. It blocks the calling
    /// thread throughout: call it through ``onOwnThread(_:)``.
    public static func flood(port: Int, clients: Int, request: String, for duration: Duration) -> Int {
        var open: [SlowClient] = []
        for _ in 0..<clients {
            // (a listen queue that is full refuses the rest: they are not needed)
            guard let client = try? SlowClient(port: port) else { continue }
            open.append(client)
        }
        let burst = String(repeating: request, count: 4)
        var answers = 0
        for client in open { client.send(burst) }
        let started = ContinuousClock.now
        while ContinuousClock.now - started < duration {
            for client in open {
                let received = client.receivedText()
                guard !received.isEmpty else { continue }
                answers += received.components(separatedBy: "HTTP/1.1 ").count - 1
                client.send(burst)
            }
            usleep(5_000)
        }
        return answers
    }

    /// How long after the call a new connection to `port` got an answer to `request` (sent with
    /// `Connection: close` added to its headers), trying a new connection every second; nil when none answered within
    /// `limit`. It blocks the calling thread: call it through ``onOwnThread(_:)``.
    public static func firstAnswer(port: Int, request: String, within limit: Duration) -> Duration? {
        let closing = request.replacingOccurrences(of: "\r\n\r\n", with: "\r\nConnection: close\r\n\r\n")
        let started = ContinuousClock.now
        while ContinuousClock.now - started < limit {
            if let client = try? SlowClient(port: port), client.send(closing) {
                let tried = ContinuousClock.now
                var received = ""
                while ContinuousClock.now - tried < .seconds(1) && ContinuousClock.now - started < limit {
                    received += client.receivedText()
                    if received.hasPrefix("HTTP/1.1 ") { return ContinuousClock.now - started }
                    usleep(20_000)
                }
            } else {
                usleep(100_000)
            }
        }
        return nil
    }
}

/// Blocks the calling thread for `duration`.
private func sleepBlocking(_ duration: Duration) {
    let (seconds, attoseconds) = duration.components
    Thread.sleep(forTimeInterval: Double(seconds) + Double(attoseconds) / 1e18)
}

/// Runs `body` on a thread of its own, outside Swift's cooperative pool, and returns what it returns: a client that
/// keeps time (``SlowClient/flood(port:clients:request:for:)``) then keeps it while tests run side by side, where a
/// task of the pool may wait seconds for a thread on a 2-core machine.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread { continuation.resume(returning: body()) }
    }
}

/// Why a ``SlowClient`` could not connect (the `errno`).
public enum SlowClientError: Error, Equatable {
    case socket(Int32)
    case connect(Int32)
    case send(Int32)
}
