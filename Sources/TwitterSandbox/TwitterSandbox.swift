internal import Hummingbird
public import Logging
internal import NIOCore
internal import ServerLimits
internal import TwitterOAuth

/// A local stand-in for Twitter's OAuth 1.0a endpoints, on a real HTTP server at 127.0.0.1.
///
/// It serves `POST /oauth/request_token`, `GET /oauth/authorize` and `GET /oauth/authenticate` (a consent page with a
/// choice of fake user), `POST /oauth/authorize` (the page's form), `POST /oauth/access_token`,
/// `GET /1.1/account/verify_credentials.json` and the control endpoint `POST /_sandbox/fail-next`. Every OAuth call
/// has its signature recomputed with `TwitterOAuth`'s signer, and failures answer as Twitter does (401 code 32, 89
/// or 135, 400 code 215, and 403 code 415 for a callback outside ``SandboxConfiguration/callbackURLs``).
///
/// ```swift
/// let sandbox = try TwitterSandbox(configuration: SandboxConfiguration(consumer: consumer), logger: logger)
/// try await withThrowingTaskGroup(of: Void.self) { group in
///     group.addTask { try await sandbox.run { port in print("http://127.0.0.1:\(port)/") } }
///     // … use it, then:
///     group.cancelAll()
/// }
/// ```
public struct TwitterSandbox: Sendable {
    /// The configuration the sandbox runs with.
    public let configuration: SandboxConfiguration
    private let logger: Logger

    /// Checks `configuration` and makes a sandbox; nothing listens until ``run(onReady:)``.
    /// - Parameters:
    ///   - configuration: Port, consumer credentials, users and options.
    ///   - logger: Where requests and refusals are logged (at info and debug, never with secrets or tokens);
    ///     silent by default.
    /// - Throws: ``SandboxError/invalidConfiguration(_:)`` for a port outside 0…65535, an empty list of users, empty
    ///   consumer credentials, or callback URLs Twitter's portal would not take (more than ten, not absolute
    ///   http(s), with a query or fragment).
    public init(
        configuration: SandboxConfiguration,
        logger: Logger = Logger(label: "TwitterSandbox", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws(SandboxError) {
        guard (0...65_535).contains(configuration.port) else {
            throw .invalidConfiguration("port \(configuration.port) is outside 0…65535")
        }
        guard !configuration.users.isEmpty else {
            throw .invalidConfiguration("at least one fake user is needed")
        }
        guard !configuration.consumer.key.isEmpty, !configuration.consumer.secret.isEmpty else {
            throw .invalidConfiguration("the consumer key and secret must not be empty")
        }
        guard configuration.callbackURLs.count <= SandboxConfiguration.maximumCallbackURLs else {
            throw .invalidConfiguration(
                "\(configuration.callbackURLs.count) callback URLs; an app registers at most "
                    + "\(SandboxConfiguration.maximumCallbackURLs) (give one with the query the app varies)")
        }
        for url in configuration.callbackURLs {
            if let problem = SandboxConfiguration.problem(withCallbackURL: url) {
                throw .invalidConfiguration("callback URL \(problem)")
            }
        }
        self.configuration = configuration
        self.logger = logger
    }

    /// Listens on 127.0.0.1 and serves until the surrounding task is cancelled, which stops it gracefully (requests
    /// under way are answered); state lives only for this run. Like the app's server
    /// (`AccountRoutes.http1Server`), it closes a connection idle, trickling its request or not reading its answer
    /// for ``SandboxConfiguration/connectionTimeout``, and one answered before its request's body came whole 2 s after
    /// the answer, and holds at most a quarter of the process's descriptor limit
    /// in connections (as `AccountRoutes.connectionLimit()`): others wait until one closes.
    /// - Parameter onReady: Called once with the bound port (useful when the configured port is 0).
    /// - Throws: what the server throws, untyped: NIO's `IOError` when the port cannot be taken (`errnoCode`
    ///   `EADDRINUSE` when another process listens there, `EACCES` for a port below 1024 without the privilege; port 0
    ///   takes a free one), and the server's other failures. A cancellation is the normal way to stop: it returns.
    public func run(onReady: @escaping @Sendable (_ port: Int) async -> Void = { _ in }) async throws {
        let service = SandboxService(configuration: configuration, state: SandboxState(), logger: logger)
        let router = Router()
        service.addRoutes(to: router)
        let logger = self.logger
        let timeout = configuration.connectionTimeout
        let application = Application(
            router: router,
            // (the app's server settings: idle, trickling and non-reading clients are closed)
            server: ServerLimits.http1Server(idleTimeout: timeout, requestReadTimeout: timeout, writeTimeout: timeout),
            configuration: ApplicationConfiguration(
                address: .hostname("127.0.0.1", port: configuration.port),
                serverName: "TwitterSandbox",
                // (fewer connections than descriptors: at the limit the process is stopped by libdispatch)
                availableConnectionsDelegate: ServerLimits.connectionLimit()
            ),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("Twitter sandbox listening", metadata: ["sandbox.port": "\(port)"])
                await onReady(port)
            },
            logger: logger
        )
        try await runStoppingGracefullyWhenCancelled(application, logger: logger)
    }
}
