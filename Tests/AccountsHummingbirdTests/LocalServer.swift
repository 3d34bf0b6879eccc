import Hummingbird
import HummingbirdCore
import Logging
import Testing

/// Serves `router` with `server` on a free port of 127.0.0.1, runs `body` with the port, then stops the server.
func withLocalServer(
    router: Router<BasicRequestContext>, server: HTTPServerBuilder, _ body: @Sendable (Int) async throws -> Void
) async throws {
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let application = Application(
        router: router, server: server,
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
        try await body(port)
        group.cancelAll()
    }
}
