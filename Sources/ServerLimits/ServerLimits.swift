import HTTPTypes
package import HummingbirdCore
package import NIOCore
import NIOHTTPTypes
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The limits the app's server (`AccountRoutes.http1Server`) and the sandbox's put on each connection: one
/// implementation for both.
package enum ServerLimits {
    /// An HTTP/1.1 server that closes a connection with no request under way for `idleTimeout`, one whose request
    /// body is not complete `requestReadTimeout` after its head, one whose answer has waited on a client that
    /// does not read for `writeTimeout` (the connection's outbound buffer full, and none of it taken, all that time),
    /// and one answered before its request's body came whole, once the answer is out (``EarlyAnswerClose``).
    ///
    /// With `perClient`, a client (the `key` its address gives; an address without one is not counted) holds at most
    /// `maximum` connections at once: one beyond it is closed as soon as it is taken, before anything is read from it.
    package static func http1Server(
        idleTimeout: Duration, requestReadTimeout: Duration, writeTimeout: Duration,
        perClient: (maximum: Int, key: @Sendable (SocketAddress) -> String?)? = nil
    ) -> HTTPServerBuilder {
        let readLimit = TimeAmount(requestReadTimeout)
        let writeLimit = TimeAmount(writeTimeout)
        let ledger = perClient.map { ConnectionsPerClient(maximum: $0.maximum, key: $0.key) }
        let idleLimit = TimeAmount(idleTimeout)
        return .http1(
            configuration: HTTP1Channel.Configuration(
                additionalChannelHandlers: (ledger.map { [ConnectionsPerClientLimit(ledger: $0)] } ?? [])
                    + [
                        IdleDeadline(limit: idleLimit), RequestReadDeadline(limit: readLimit),
                        WriteDeadline(limit: writeLimit), EarlyAnswerClose(linger: TimeAmount(earlyAnswerLinger)),
                    ],
                // (Hummingbird's own idle timeout would time a request's body too: IdleDeadline says why not)
                idleTimeout: nil))
    }

    /// How long a connection answered before its request's body came whole stays open after the answer, dropping what
    /// the client still sends, unless the client closes first (``EarlyAnswerClose``).
    package static let earlyAnswerLinger: Duration = .seconds(2)

    /// The most connections one server holds open at once: a quarter of the process's descriptor limit
    /// (`ulimit -n`, read now), at least 1. A server at its cap takes no more connections (they wait in the listen
    /// queue) until one of its own closes, so that the process never runs out of descriptors: at the limit, anything
    /// else that needs one fails, libdispatch's thread-pool monitor included, which cannot open
    /// `/proc/<tid>/stat` then and stops the process (SIGILL, "workq: registered worker exited prematurely").
    /// A quarter leaves half the limit to the rest of a process that runs two servers (`accounts demo`).
    package static func maximumConnections(descriptorLimit: Int = currentDescriptorLimit()) -> Int {
        max(1, descriptorLimit / 4)
    }

    /// The process's descriptor limit: `RLIMIT_NOFILE`'s soft limit (1,048,576 when unlimited or unreadable).
    package static func currentDescriptorLimit() -> Int {
        var limit = rlimit()
        #if canImport(Glibc)
            let read = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        #else
            let read = getrlimit(RLIMIT_NOFILE, &limit)
        #endif
        guard read == 0, limit.rlim_cur != rlim_t.max else { return 1 << 20 }
        return Int(clamping: limit.rlim_cur)
    }

    /// What `ApplicationConfiguration.availableConnectionsDelegate` takes to hold a server to `maximum` connections
    /// (by default ``maximumConnections(descriptorLimit:)``).
    package static func connectionLimit(maximum: Int = maximumConnections()) -> MaximumAvailableConnections {
        MaximumAvailableConnections(maximum)
    }
}

/// The connections each client holds open on one server: what ``ConnectionsPerClientLimit`` counts in.
final class ConnectionsPerClient: Sendable {
    let maximum: Int
    let key: @Sendable (SocketAddress) -> String?
    private let open = Mutex<[String: Int]>([:])

    init(maximum: Int, key: @escaping @Sendable (SocketAddress) -> String?) {
        self.maximum = max(1, maximum)
        self.key = key
    }

    /// Counts a connection in for `client`: false (and nothing counted) when it holds `maximum` already.
    func take(_ client: String) -> Bool {
        open.withLock { open in
            let held = open[client, default: 0]
            guard held < maximum else { return false }
            open[client] = held + 1
            return true
        }
    }

    /// Counts one of `client`'s connections out.
    func release(_ client: String) {
        open.withLock { open in
            let held = open[client, default: 0]
            open[client] = held > 1 ? held - 1 : nil
        }
    }
}

/// Closes a connection whose client holds ``ConnectionsPerClient/maximum`` others already, at once and with a reset,
/// before it reads a request; counts the others in while they are open.
final class ConnectionsPerClientLimit: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    let ledger: ConnectionsPerClient
    /// The client this connection is counted in for, until it closes.
    private var counted: String?
    private var refused = false

    init(ledger: ConnectionsPerClient) {
        self.ledger = ledger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard let client = context.channel.remoteAddress.flatMap(ledger.key) else { return }
        if ledger.take(client) {
            counted = client
        } else {
            refused = true
            if context.channel.isActive { refuse(context) }
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        if refused { return refuse(context) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if refused { return }
        context.fireChannelRead(data)
    }

    private func refuse(_ context: ChannelHandlerContext) {
        // (set at once: this runs on the channel's event loop)
        _ = (context.channel as? any SocketOptionProvider)?.setSoLinger(linger(l_onoff: 1, l_linger: 0))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        releaseCount()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        releaseCount()
    }

    private func releaseCount() {
        if let client = counted { ledger.release(client) }
        counted = nil
    }
}

@available(*, unavailable)
extension ConnectionsPerClientLimit: Sendable {}

/// Closes the connection when no request is under way for `limit`: from its start until its first request's head
/// comes (headers count only once complete), and from the end of each answer, once its request's body has come whole
/// too, until the next head. A request under way is bounded by ``RequestReadDeadline`` (its body) and
/// ``WriteDeadline`` (its answer) instead. Its body's bytes are not timed one by one, as Hummingbird's idle timeout
/// does: that sees a byte only once the server reads it. Under heavy load an event loop ran 1.3 s late, then ran the
/// due idle timer before reading the bytes that had waited for it, and closed as idle a body trickling in a byte every
/// 100 ms. A server that stopped reading while its handler caught up (NIO's async channel reads no more while 10 parts
/// wait unread) would do the same. Nor does it cut off an answer its client is still reading: a handler writes its
/// answer's end long before a slow reader has it, and Hummingbird's idle timeout closed the connection, and dropped
/// the rest of a large answer, `limit` after that.
final class IdleDeadline: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let limit: TimeAmount
    private var deadline: Scheduled<Void>?
    /// A request's head has come and its body's end not yet.
    private var isReadingRequest = false
    /// The requests whose answers have not ended yet.
    private var unansweredRequests = 0

    init(limit: TimeAmount) {
        self.limit = limit
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            isReadingRequest = true
            unansweredRequests += 1
            disarm()
        case .end:
            isReadingRequest = false
            armWhenIdle(context)
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            unansweredRequests = max(0, unansweredRequests - 1)
            armWhenIdle(context)
        }
        context.write(data, promise: promise)
    }

    /// Starts the timeout when no request is under way.
    private func armWhenIdle(_ context: ChannelHandlerContext) {
        if !isReadingRequest && unansweredRequests == 0 { arm(context) }
    }

    /// Closes the connection `limit` from now, unless the last answer is still on its way out then: written whole by
    /// its handler, it waits in the connection's buffer while the client reads it. Then it checks again a `limit`
    /// later, and closes once the client has taken none of it in a whole `limit` (`buffered`: what waited at the check
    /// before), with a reset, as ``WriteDeadline`` does. (Progress is seen as the kernel takes more of the answer,
    /// which it does only once a part of its socket buffer is free again.)
    private func arm(_ context: ChannelHandlerContext, buffered: Int? = nil) {
        deadline?.cancel()
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: limit) {
            self.deadline = nil
            let now = (try? context.channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
            if now == 0 {
                context.close(promise: nil)
            } else if buffered.map({ now < $0 }) ?? true {
                self.arm(context, buffered: now)
            } else {
                // (the client stopped reading: a plain close would leave the kernel's share of the answer queued)
                closeWithReset(context)
            }
        }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }
}

@available(*, unavailable)
extension IdleDeadline: Sendable {}

/// Closes the connection with a reset (`SO_LINGER` 0): the kernel drops at once the answer's bytes it still holds,
/// where a plain close would leave them queued behind a client that stopped reading, on a socket without a
/// descriptor that the connection cap does not count. It must run on the channel's event loop (the option is set at
/// once).
private func closeWithReset(_ context: ChannelHandlerContext) {
    _ = (context.channel as? any SocketOptionProvider)?.setSoLinger(linger(l_onoff: 1, l_linger: 0))
    context.close(promise: nil)
}

/// Closes the connection when a request's body is not complete `limit` after its head.
final class RequestReadDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    let limit: TimeAmount
    private var deadline: Scheduled<Void>?

    init(limit: TimeAmount) {
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            deadline?.cancel()
            deadline = context.eventLoop.assumeIsolated().scheduleTask(in: limit) { context.close(promise: nil) }
        case .end:
            deadline?.cancel()
            deadline = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }
}

@available(*, unavailable)
extension RequestReadDeadline: Sendable {}

/// Closes the connection when it stays unwritable (its outbound buffer over NIO's high-water mark, 64 KiB on top of
/// the kernel's socket buffers) and none of what it buffers is sent for `limit`. A client that reads, however slowly,
/// lets some of the buffer go within each `limit`, so it is not cut, even when one write of the answer (a large page
/// made in one piece) keeps the buffer above the low-water mark for the whole transfer; one that stopped reading holds
/// the server's answer (and, as HummingbirdCore then reads no further requests from it, its connection) until this
/// closes it, `limit` to twice `limit` after it stopped. It closes with a reset (`SO_LINGER` 0): the kernel drops the
/// answer's bytes it holds (megabytes on a large answer) at once. A plain close left them queued, the socket without
/// a descriptor waiting on the client's closed window for as long as the client stayed connected, and uncounted by
/// the server's connection cap.
final class WriteDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    let limit: TimeAmount
    private var deadline: Scheduled<Void>?

    init(limit: TimeAmount) {
        self.limit = limit
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            deadline?.cancel()
            deadline = nil
        } else if deadline == nil {
            arm(context: context, buffered: Self.bufferedBytes(context))
        }
        context.fireChannelWritabilityChanged()
    }

    /// Checks `limit` from now whether any of the `buffered` bytes the connection holds were sent meanwhile: if so it
    /// checks again a `limit` later, else (the client took nothing in all that time) it closes the connection.
    private func arm(context: ChannelHandlerContext, buffered: Int?) {
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: limit) {
            self.deadline = nil
            guard !context.channel.isWritable else { return }
            let now = Self.bufferedBytes(context)
            if let before = buffered, let now, now < before {
                self.arm(context: context, buffered: now)
            } else {
                closeWithReset(context)
            }
        }
    }

    /// The bytes the connection holds that the kernel has not taken yet, `nil` when the channel cannot tell.
    private static func bufferedBytes(_ context: ChannelHandlerContext) -> Int? {
        try? context.channel.syncOptions?.getOption(.bufferedWritableBytes)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }
}

@available(*, unavailable)
extension WriteDeadline: Sendable {}

/// Closes the connection after an answer sent before its request's body had come whole: a form refused (413) once
/// the first `maximumFormBytes` were read, a refusal made from the headers alone (400 or 421 for the Host, 404) while
/// the body is still on its way. Hummingbird would read and drop the rest of the body to keep the connection for
/// another request, for as long as the client sent it: a client sending a 100 MB form kept the server reading it all,
/// or until the read timeout cut it. Once the answer is written the server drops whatever the client still sends for
/// at most `linger`, or until the client closes, then closes. The linger lets the answer reach a client busy sending:
/// a close with the client's bytes unread sends a reset at once, which may drop an answer still on its way (the
/// kernel discards what it has not sent yet; some clients, what they have not read yet), and AsyncHTTPClient, sending
/// a 16 MiB form, then failed the request ("I/O on closed channel") instead of giving the 413.
///
/// An answer is early when its head is written before its request's end was read, and its request's end has still
/// not been read when the answer's end is written: a request whose body has come whole, read by its handler or not
/// (a small form arrives with its headers), keeps its connection, and so does one whose body comes whole within the
/// linger (its next request is answered as on any connection).
final class EarlyAnswerClose: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let linger: TimeAmount
    /// The requests whose end has been read.
    private var requestsEnded = 0
    /// The answers whose (final) head has been written: the requests answered or being answered, in order.
    private var answersBegun = 0
    /// The answer being written came early: the connection closes after it.
    private var closesAfterAnswer = false
    /// The early answer has been written whole: what the client still sends is dropped until the close.
    private var isLingering = false
    private var deadline: Scheduled<Void>?

    init(linger: TimeAmount) {
        self.linger = linger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else {
            // (the rest of an early-answered body: dropped)
            if !isLingering { context.fireChannelRead(data) }
            return
        }
        requestsEnded += 1
        if isLingering {
            // The body came whole after all, within the linger: the connection goes on as any other (closed now, it
            // would drop the client's next request unanswered, as the answer said nothing of a close).
            isLingering = false
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status.kind != .informational:
            answersBegun += 1
            // (no `Connection: close` is added: AsyncHTTPClient, meeting one in an answer that comes while it still
            // sends the body, fails the request, "I/O on closed channel", where without it it reads the answer)
            if requestsEnded < answersBegun { closesAfterAnswer = true }
        case .end where closesAfterAnswer && requestsEnded < answersBegun:
            closesAfterAnswer = false
            isLingering = true
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.assumeIsolated().whenComplete { result in
                // (unless the body came whole while the answer went out)
                guard case .success = result else { return context.close(promise: nil) }
                if self.isLingering { self.closeAfterLinger(context) }
            }
            if let promise { written.futureResult.cascade(to: promise) }
            context.write(data, promise: written)
            return
        case .end:
            // (an early answer whose request's body came whole while it went out keeps its connection)
            closesAfterAnswer = false
        default:
            break
        }
        context.write(data, promise: promise)
    }

    /// Closes the connection `linger` from now, the answer sent.
    private func closeAfterLinger(_ context: ChannelHandlerContext) {
        guard deadline == nil else { return }
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: linger) { context.close(promise: nil) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // (the client closed its side: nothing more to wait for)
        if isLingering, let event = event as? ChannelEvent, event == .inputClosed { return context.close(promise: nil) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // (the rest of a body cut off, or not HTTP: dropped with it)
        if isLingering { return context.close(promise: nil) }
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }
}

@available(*, unavailable)
extension EarlyAnswerClose: Sendable {}
