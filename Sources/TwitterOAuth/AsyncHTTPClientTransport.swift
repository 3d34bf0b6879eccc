public import AsyncHTTPClient
public import Foundation
internal import NIOCore
internal import NIOHTTP1
internal import NIOPosix

/// ``HTTPTransport`` over swift-server's async-http-client: pooled HTTP/1.1 and HTTP/2 with TLS, on SwiftNIO.
///
/// Use ``shared`` (a process-wide client that never needs shutting down), or
/// ``withTransport(connectTimeout:isolation:_:)`` for a client of your own that is shut down when the body returns.
/// The connect timeout belongs to the underlying `HTTPClient`; the total timeout is per request and covers the
/// response body too. Redirects are never followed.
///
/// A request whose connection closes or is reset before any byte of the answer arrives throws
/// ``TwitterError/closedBeforeAnswer(host:)``, which ``TwitterClient`` answers by signing the request anew (a fresh
/// `oauth_nonce` and timestamp) and sending it once more, within the same total timeout: a server that closes idle
/// keep-alive connections can close the pooled one just as it is handed to a request. The clients made here keep a
/// connection idle in the pool for at most 4 s.
///
/// The clients made here do not try a failed connection again: a refused connection, a host name that does not
/// resolve or a failed TLS handshake ends the call at once with ``TwitterError/connectionFailed(host:reason:)``
/// (`connection refused`), where async-http-client's default would try again until the connect timeout or the call's
/// timeout, whichever is sooner. A connection attempt that fails ends every call then waiting for a connection to the
/// same host; calls under way on other connections go on. A refusal or an unknown host would fail those calls too;
/// a passing failure (a DNS server's momentary `EAI_AGAIN`, a reset TLS handshake) now fails them at once as well,
/// where the default would have tried again.
public struct AsyncHTTPClientTransport: HTTPTransport {
    private let client: HTTPClient

    /// Wraps a client you own and shut down yourself (its configuration sets the connect timeout and redirects).
    ///
    /// Set its `connectionPool.retryConnectionEstablishment` to `false`, as the clients made here do, for a refused
    /// connection to fail at once: with async-http-client's default, the call waits for the connect timeout or its
    /// own, whichever is sooner.
    public init(client: HTTPClient) {
        self.client = client
    }

    /// A transport over one process-wide client: 10 s connect timeout, no redirects, never shut down.
    public static var shared: AsyncHTTPClientTransport {
        AsyncHTTPClientTransport(client: sharedHTTPClient)
    }

    /// Runs `body` with a transport over a new client, shutting the client down when `body` returns or throws.
    /// - Parameters:
    ///   - connectTimeout: How long to wait for a TCP (and TLS) connection.
    ///   - body: The work that uses the transport.
    public static func withTransport<Result>(
        connectTimeout: Duration = .seconds(10),
        isolation: isolated (any Actor)? = #isolation,
        _ body: (AsyncHTTPClientTransport) async throws -> Result
    ) async throws -> Result {
        try await HTTPClient.withHTTPClient(configuration: configuration(connectTimeout: connectTimeout)) { client in
            try await body(AsyncHTTPClientTransport(client: client))
        }
    }

    /// Sends the request; see ``HTTPTransport/send(method:url:headers:body:timeout:maximumResponseBodySize:)``.
    public func send(
        method: String,
        url: URL,
        headers: [HTTPHeader],
        body: [UInt8],
        timeout: Duration,
        maximumResponseBodySize: Int
    ) async throws(TwitterError) -> HTTPTransportResponse {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = HTTPMethod(rawValue: method)
        for header in headers {
            request.headers.add(name: header.name, value: header.value)
        }
        if !body.isEmpty {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let host = url.host ?? "?"
        // (a "never" such as `.seconds(Int64.max)` overflows the clock's and NIO's nanoseconds: 68 years is never)
        let timeout = min(timeout, Self.longestTimeout)
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        do {
            return try await Self.withTimeout(timeout) { [client, request] in
                let response: HTTPClientResponse
                do {
                    response = try await client.execute(request, deadline: deadline)
                } catch let error where Self.closedBeforeAnswer(error) && !Task.isCancelled {
                    throw TwitterError.closedBeforeAnswer(host: host)
                }
                if let length = response.headers.first(name: "content-length").flatMap(Int.init),
                    length > maximumResponseBodySize
                {
                    throw TwitterError.responseTooLarge(limit: maximumResponseBodySize)
                }
                var collected: [UInt8] = []
                for try await chunk in response.body {
                    guard collected.count + chunk.readableBytes <= maximumResponseBodySize else {
                        throw TwitterError.responseTooLarge(limit: maximumResponseBodySize)
                    }
                    collected.append(contentsOf: chunk.readableBytesView)
                }
                return HTTPTransportResponse(
                    status: Int(response.status.code),
                    headers: response.headers.map { HTTPHeader(name: $0.name, value: $0.value) },
                    body: collected
                )
            }
        } catch let error as TwitterError {
            throw error
        } catch is TotalTimeoutExceeded {
            throw .timedOut
        } catch is CancellationError {
            throw .cancelled
        } catch let error as HTTPClientError {
            switch error {
            case .deadlineExceeded, .connectTimeout, .readTimeout, .writeTimeout, .getConnectionFromPoolTimeout,
                .tlsHandshakeTimeout:
                throw .timedOut
            case .cancelled:
                throw .cancelled
            default:
                throw .connectionFailed(host: host, reason: String(describing: error))
            }
        } catch {
            throw .connectionFailed(host: host, reason: Self.reason(error))
        }
    }

    /// Whether `error` is the connection closing (`remoteConnectionClosed`) or being reset (`ECONNRESET`, `EPIPE`)
    /// while the request waited for the head of its answer.
    ///
    /// Only such a failure is sent again (by ``TwitterClient``, signed anew): not a timeout, a cancellation, a failure
    /// to connect, or an answer cut short (a part of the head makes the parser fail instead, and a cut body fails
    /// later, in the body's stream). In the race this is for, the server closed the connection without reading the
    /// request. Had a server read one and then dropped the connection unanswered, the resend is a new request with
    /// its own nonce: `request_token` issues a second token (the first is never used), `verify_credentials` is a
    /// GET, `invalidate_token` a second time finds the token gone (code 89, counted as revoked), and `access_token`
    /// carries a verifier Twitter took already, which it refuses (code 89): the sign-in starts again, as it did
    /// without the resend. (Until session 62 the transport sent the same bytes again, the same nonce with them, which
    /// Twitter refuses as replayed, error 32: a set-up problem to the app, "trying again will not help".)
    private static func closedBeforeAnswer(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError {
            return error == .remoteConnectionClosed
        }
        if let error = error as? IOError {
            return error.errnoCode == ECONNRESET || error.errnoCode == EPIPE
        }
        return false
    }

    /// How long the clients made here keep an unused connection in their pool: 4 s, under the shortest keep-alive
    /// timeouts in common use (5 s: Apache httpd, Node.js), so the client, not the server, closes an idle connection,
    /// and no request meets a server closing it. The calls made back to back (`access_token`, then
    /// `verify_credentials`) still share a connection; the others are minutes apart, a person's visit to Twitter
    /// between them, and would have to connect again at a 60 s idle time too.
    static let pooledConnectionIdleTime = Duration.seconds(4)

    private static func configuration(connectTimeout: Duration) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: TimeAmount(connectTimeout))
        configuration.connectionPool.idleTimeout = TimeAmount(pooledConnectionIdleTime)
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        // (a refused connection fails the call at once, rather than being tried again until a timeout)
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }

    private static let sharedHTTPClient = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: configuration(connectTimeout: .seconds(10))
    )

    /// Why a connection failed, readable: `connection refused`, `no route to host`, `DNS lookup failed (Name or
    /// service not known)`; for another error, its description (which names host and port, never headers or bodies).
    /// Cut to 200 characters.
    private static func reason(_ error: any Error) -> String {
        let text: String
        switch error {
        case let error as NIOConnectionError:
            // (each address tried failed; a host with several addresses may fail differently at each: each reason once)
            if let dnsError = error.dnsAError ?? error.dnsAAAAError {
                text = "DNS lookup failed (\(dnsReason(dnsError)))"
            } else if error.connectionErrors.isEmpty {
                text = "no address to connect to"
            } else {
                var reasons: [String] = []
                for failure in error.connectionErrors {
                    let reason = reason(failure.error)
                    if !reasons.contains(reason) { reasons.append(reason) }
                }
                text = reasons.joined(separator: ", ")
            }
        case let error as IOError:
            // (`connection refused`, not `connect(descriptor:pointer:size:): Connection refused (errno: 111)`)
            let message = String(cString: strerror(error.errnoCode))
            text = message.prefix(1).lowercased() + message.dropFirst()
        default:
            text = String(describing: error)
        }
        return String(text.prefix(200))
    }

    /// `Name or service not known`, from NIO's `SocketAddressError.UnknownHost`; another error's description.
    private static func dnsReason(_ error: any Error) -> String {
        if let error = error as? SocketAddressError.UnknownHost { return error.errorDescription }
        return String(describing: error)
    }

    private struct TotalTimeoutExceeded: Error {}

    /// The longest time-out kept as given: `Int32.max` seconds (68 years); a longer one is cut to it.
    static let longestTimeout = Duration.seconds(Int32.max)

    /// Runs `operation`, cancelling it and throwing `TotalTimeoutExceeded` once `timeout` has passed.
    private static func withTimeout<Value: Sendable>(
        _ timeout: Duration,
        _ operation: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        try await withThrowingTaskGroup(of: Value.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw TotalTimeoutExceeded()
            }
            defer { group.cancelAll() }
            guard let value = try await group.next() else { throw CancellationError() }
            return value
        }
    }
}
