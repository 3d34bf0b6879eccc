package import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// The limits the app's server (`AccountRoutes.http1Server`) and the sandbox's put on each connection: one
/// implementation for both.
package enum ServerLimits {
    /// An HTTP/1.1 server that closes a connection with no request under way for `idleTimeout`, one whose request
    /// body is not complete `requestReadTimeout` after its head, and one whose answer has waited on a client that
    /// does not read for `writeTimeout` (the connection's outbound buffer full all that time).
    package static func http1Server(
        idleTimeout: Duration, requestReadTimeout: Duration, writeTimeout: Duration
    ) -> HTTPServerBuilder {
        let readLimit = TimeAmount(requestReadTimeout)
        let writeLimit = TimeAmount(writeTimeout)
        return .http1(
            configuration: HTTP1Channel.Configuration(
                additionalChannelHandlers: [RequestReadDeadline(limit: readLimit), WriteDeadline(limit: writeLimit)],
                idleTimeout: TimeAmount(idleTimeout)))
    }
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

/// Closes the connection when it stays unwritable for `limit`: its outbound buffer is over NIO's high-water mark
/// (64 KiB, on top of the kernel's socket buffers) and has not drained to the low one (32 KiB) since. A client that
/// reads, however slowly, takes 32 KiB within each `limit`; one that stopped reading holds the server's answer (and,
/// as HummingbirdCore then reads no further requests from it, its connection) until this closes it.
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
            deadline = context.eventLoop.assumeIsolated().scheduleTask(in: limit) { context.close(promise: nil) }
        }
        context.fireChannelWritabilityChanged()
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
