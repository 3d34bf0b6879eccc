// Package.swift (the tests' target): .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), and
// .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0") beside Hummingbird
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

extension GracefulStopSample {
    /// README "Mounting the routes": an app's server in a test, stopped gracefully rather than cancelled.
    func run() async throws {
        let (ports, ready) = AsyncStream<Int>.makeStream()
        let application = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in ready.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let server = ServiceGroup(services: [application], logger: logger)  // no signals: the test stops it
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { ready.finish() }
                try await server.run()
            }
            var announced = ports.makeAsyncIterator()
            guard let port = await announced.next() else { return try await group.waitForAll() }  // its error
            try await visit(port)  // the test's requests to http://127.0.0.1:\(port)
            await server.triggerGracefulShutdown()  // not group.cancelAll(): answers what is under way, then returns
            try await group.waitForAll()
        }
    }
}
