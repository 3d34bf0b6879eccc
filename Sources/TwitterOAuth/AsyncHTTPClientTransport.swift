public import AsyncHTTPClient
public import Foundation
internal import Logging
internal import NIOCore
internal import NIOHTTP1
internal import Synchronization

/// ``HTTPTransport`` over swift-server's async-http-client: pooled HTTP/1.1 and HTTP/2 with TLS, on SwiftNIO.
///
/// Use ``shared`` (a process-wide client that never needs shutting down), or
/// ``withTransport(connectTimeout:isolation:_:)`` for a client of your own that is shut down when the body returns.
/// The connect timeout belongs to the underlying `HTTPClient`; the total timeout is per request and covers the
/// response body too. Redirects are never followed.
///
/// A request is sent once more, within the same total timeout, only when it went out on a kept-alive connection that
/// had carried an earlier request and that connection closed or was reset before any byte of the answer arrived: a
/// server that closes idle keep-alive connections can close the pooled one just as it is handed to a request. On a
/// new connection such a close is never resent (the server read the request and may have acted on it: a verifier
/// works once) and fails with ``TwitterError/answerLost(host:)``. The clients made here keep a connection idle in the
/// pool for at most 4 s.
public struct AsyncHTTPClientTransport: HTTPTransport {
    private let client: HTTPClient

    /// Wraps a client you own and shut down yourself (its configuration sets the connect timeout and redirects).
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
                let response = try await Self.execute(request, on: client, deadline: deadline)
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
        } catch is AnswerLost {
            throw .answerLost(host: host)
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

    /// Sends `request` and waits for the head of its answer, sending it once more (on a new connection, unless another
    /// idle one is pooled) when it went out on a reused keep-alive connection that closed or was reset before any byte
    /// of the answer came.
    ///
    /// Only such a failure is resent: not a timeout, a cancellation, a failure to connect, an answer cut short (a part
    /// of the head makes the parser fail, or was read before a reset; a cut body fails later, in the body's stream),
    /// nor a close on a connection this request was the first on. The race the resend is for, a server closing an
    /// idle connection as it is reused, happens only on a reused connection, and there the server closed without
    /// reading the request. On a new connection the server read it, and may have acted on it: `request_token` may
    /// have issued a token, `access_token` spent the verifier (a resend would be refused with error 32 or 89, and the
    /// access token Twitter issued lost). That failure is ``TwitterError/answerLost(host:)``.
    ///
    /// Which connection a request went out on, and whether bytes of an answer came, is what async-http-client tells
    /// the request's logger (HTTP/1.1: `ahc-connection-id`, "Channel read complete caught"); a request over HTTP/2
    /// is told nothing, counts as never sent on a reused connection, and is not resent.
    private static func execute(
        _ request: HTTPClientRequest,
        on client: HTTPClient,
        deadline: NIODeadline
    ) async throws -> HTTPClientResponse {
        let first = AttemptWatch()
        do {
            return try await client.execute(request, deadline: deadline, logger: first.logger)
        } catch let error where closedBeforeAnswer(error) && !Task.isCancelled {
            guard first.reusedWithoutAnswerBytes(before: error) else {
                if first.wentOut { throw AnswerLost() }
                throw error
            }
            let second = AttemptWatch()
            do {
                return try await client.execute(request, deadline: deadline, logger: second.logger)
            } catch let error where closedBeforeAnswer(error) && !Task.isCancelled && second.wentOut {
                throw AnswerLost()
            }
        }
    }

    /// Whether `error` is the connection closing (`remoteConnectionClosed`) or being reset (`ECONNRESET`, `EPIPE`)
    /// while the request waited for the head of its answer.
    private static func closedBeforeAnswer(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError {
            return error == .remoteConnectionClosed
        }
        if let error = error as? IOError {
            return error.errnoCode == ECONNRESET || error.errnoCode == EPIPE
        }
        return false
    }

    /// A request went out on a connection that closed before any answer: ``TwitterError/answerLost(host:)``.
    private struct AnswerLost: Error {}

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
        return configuration
    }

    private static let sharedHTTPClient = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: configuration(connectTimeout: .seconds(10))
    )

    /// The error's type and a short description (connection errors name host and port, never headers or bodies).
    private static func reason(_ error: any Error) -> String {
        String(String(describing: error).prefix(200))
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

/// What one attempt of a request learns of its connection from async-http-client's request logger: the connection it
/// went out on, whether that connection had carried a request before, and whether bytes of an answer came on it.
private final class AttemptWatch: Sendable {
    private struct State {
        var connection: String?
        var reused = false
        var answerBytes = false
    }

    private let state = Mutex(State())

    /// A logger that tells this watch what async-http-client logs for the request (kept nowhere: the handler reads the
    /// connection id and the name of one event, never a message's other metadata, which can show body bytes).
    var logger: Logger {
        var logger = Logger(label: "AsyncHTTPClientTransport") { _ in ConnectionWatcher(attempt: self) }
        logger.logLevel = .trace
        return logger
    }

    /// Whether the request was handed to a connection (and so may have been read by the server).
    var wentOut: Bool { state.withLock { $0.connection != nil } }

    /// Whether the request went out on a connection that had carried an earlier request, and no answer byte came
    /// before `error`. (At the end of the stream a read completes too, so for a close, `remoteConnectionClosed`, that
    /// says nothing; there the parser tells, failing with an error of its own when part of a head had come.)
    func reusedWithoutAnswerBytes(before error: any Error) -> Bool {
        let closed = (error as? HTTPClientError) == .remoteConnectionClosed
        return state.withLock { $0.reused && (closed || !$0.answerBytes) }
    }

    /// Notes an event async-http-client logged for the request on `connection`.
    func saw(_ message: String, on connection: String) {
        state.withLock { state in
            if state.connection == nil {
                state.connection = connection
                state.reused = !ConnectionUse.firstUse(of: connection)
            }
            // (logged when the channel finished a read: bytes of the answer came, even those of a part the parser
            // has not completed yet, or the end of the stream; a reset alone is no read)
            if message == "Channel read complete caught" { state.answerBytes = true }
        }
    }
}

/// The connections that have carried a request, by async-http-client's connection id (unique in the process), with
/// when they last did: a request on one of them went out on a reused keep-alive connection.
private enum ConnectionUse {
    private static let lastUse = Mutex<[String: ContinuousClock.Instant]>([:])

    /// Records a use of `connection` and says whether it is its first. (Entries unused for 10 minutes are dropped
    /// once there are over 1,000: a connection idle that long is closed; were it not, its next request would count
    /// as a first one and not be resent, the safe side.)
    static func firstUse(of connection: String) -> Bool {
        let now = ContinuousClock.now
        return lastUse.withLock { uses in
            if uses.count > 1_000 {
                uses = uses.filter { now - $0.value < .seconds(600) }
            }
            return uses.updateValue(now, forKey: connection) == nil
        }
    }
}

/// The log handler of ``AttemptWatch/logger``: hands the connection id and message of each event to the watch.
private struct ConnectionWatcher: LogHandler {
    let attempt: AttemptWatch
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        guard let connection = metadata["ahc-connection-id"] else { return }
        attempt.saw(event.message.description, on: "\(connection)")
    }
}
