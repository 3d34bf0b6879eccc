import Foundation
import HTTPTypes
import Hummingbird
public import HummingbirdCore
import NIOCore
import ServerLimits

extension AccountRoutes {
    /// An HTTP/1.1 server for the app's `Application(router:server:)` that closes the connections slow or idle
    /// clients hold open (Hummingbird's default server keeps every connection until the client closes it):
    ///
    /// - one with no request under way for `idleTimeout`: a keep-alive connection left idle, one opened and never
    ///   used, or one whose request headers come in a byte at a time (they count only once complete);
    /// - one whose request body is not complete `requestReadTimeout` after its headers: a form trickled in, or one
    ///   that stopped coming (the idle timeout does not time a request under way: a server whose threads run late
    ///   reads a body's bytes late, and would take a body trickling in for one that stopped);
    /// - one whose client has stopped reading its answers for `writeTimeout`: the answer waiting for it (over 64 KiB
    ///   beyond what the kernel's socket buffers hold) has had none of its bytes taken in that time (checked every
    ///   `writeTimeout`, so the close comes one to two `writeTimeout`s after the client stopped). It closes with a
    ///   reset, so that the kernel drops what it held of the answer at once instead of keeping it queued for as long
    ///   as the client stays connected. A client that reads, however slowly, is never cut, even from a large answer
    ///   made in one piece. A large page, or requests sent one after another without reading the answers, otherwise
    ///   hold the connection forever: the idle timeout never applies while an answer is being written.
    ///
    /// An answer sent before its request's body came whole (a form over ``Configuration/maximumFormBytes`` refused with
    /// 413 as it arrives, a 400, 421 or 404 made from the headers alone) closes the connection: the server drops what
    /// the client still sends for 2 seconds, or until the client closes, then closes it. The rest of the body is not
    /// read: a client sending a 100 MB form holds the connection 2 seconds after the 413, not for as long as it takes
    /// to send the rest or `requestReadTimeout`. A request whose body has come whole keeps its connection.
    ///
    /// A request whose body has arrived is never cut short, however long its answer takes to make. Behind a proxy
    /// that buffers requests (nginx), the proxy's own timeouts do this for the clients; the app's still bound the
    /// proxy's connections.
    ///
    /// ```swift
    /// let application = Application(router: router, server: AccountRoutes.http1Server(), configuration: …)
    /// ```
    /// - Parameters:
    ///   - idleTimeout: How long a connection may wait for its next request: 30 seconds.
    ///   - requestReadTimeout: How long a request's body may take to arrive after its headers: 30 seconds.
    ///   - writeTimeout: How long an answer may wait on a client that does not read it: 30 seconds.
    ///   - connectionsPerClient: The most connections one client may hold open at once (at least 1: a smaller number
    ///     counts as 1), none by default. A client is the peer's address as the routes' limits count it: an IPv4
    ///     address, an IPv6 /64, an IPv6 address that carries an IPv4 one as that IPv4 address. A connection beyond
    ///     it is closed (reset) as soon as it is taken, before a request is read; the client's others go on. Set it
    ///     only where browsers connect to the app directly: behind a proxy, every connection comes from the proxy
    ///     (its own limit does this: nginx `limit_conn`). Browsers open about 6 connections to a site; 16 leaves
    ///     room for a few behind one address.
    public static func http1Server(
        idleTimeout: Duration = .seconds(30), requestReadTimeout: Duration = .seconds(30),
        writeTimeout: Duration = .seconds(30), connectionsPerClient: Int? = nil
    ) -> HTTPServerBuilder {
        ServerLimits.http1Server(
            idleTimeout: idleTimeout, requestReadTimeout: requestReadTimeout, writeTimeout: writeTimeout,
            perClient: connectionsPerClient.map { ($0, connectionClientKey) })
    }

    /// The client a connection from `address` counts for under `connectionsPerClient`: what ``clientKey(_:context:)``
    /// makes of the peer's address.
    @Sendable static func connectionClientKey(_ address: SocketAddress) -> String? {
        address.ipAddress.flatMap { addressBytes(Substring($0)) }.map { clientKey(bytes: $0).key }
    }

    /// Holds the app's server to `maximum` open connections, by default a quarter of the process's descriptor limit
    /// (`ulimit -n`, read when called): give it to the `ApplicationConfiguration` as its
    /// `availableConnectionsDelegate`. A server at its cap takes no new connection (it waits in the listen queue)
    /// until one of its own closes, so that the process never runs out of descriptors, as it does without a cap when
    /// clients open more connections than it may hold: then the database, requests to Twitter and mails fail, and on
    /// Linux libdispatch stops the process (SIGILL: its thread-pool monitor cannot open `/proc/…/stat`).
    ///
    /// ```swift
    /// ApplicationConfiguration(address: …, availableConnectionsDelegate: AccountRoutes.connectionLimit())
    /// ```
    /// - Parameter maximum: The most connections open at once (at least 1); `nil` for a quarter of `ulimit -n`.
    public static func connectionLimit(maximum: Int? = nil) -> MaximumAvailableConnections {
        ServerLimits.connectionLimit(maximum: max(1, maximum ?? ServerLimits.maximumConnections()))
    }
}

/// Adds `Strict-Transport-Security` to every answer of the routes to a request that came over HTTPS
/// (``AccountRoutes/Configuration/strictTransportSecurity``).
struct StrictTransportSecurity<Context: RequestContext>: RouterMiddleware {
    let value: String
    let scheme: AccountRoutes.SchemePolicy

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        if AccountRoutes.cameOverHTTPS(request, scheme: scheme) {
            response.headers[.strictTransportSecurity] = value
        }
        return response
    }
}

extension AccountRoutes {
    /// Whether the browser used HTTPS: always with ``SchemePolicy/https``; otherwise the request's scheme, or the
    /// first value of `X-Forwarded-Proto` (dropped beforehand from peers that are no trusted proxy).
    static func cameOverHTTPS(_ request: Request, scheme: SchemePolicy) -> Bool {
        switch scheme {
        case .https: return true
        case .automatic:
            let forwarded = request.headers[HTTPField.Name("X-Forwarded-Proto")!]?
                .split(separator: ",").first?.trimmingCharacters(in: .whitespaces).lowercased()
            return request.head.scheme?.lowercased() == "https" || forwarded == "https"
        }
    }
}
