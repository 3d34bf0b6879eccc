package import Logging
package import ServiceLifecycle

/// Runs `service` until it returns, or until the task running this is cancelled, which stops it gracefully: a server
/// stops taking connections and answers the requests under way, where cancelling it outright had HummingbirdCore log
/// "Waiting on child channel: CancellationError()" at error level on every ordinary stop. What the service throws is
/// thrown (a port in use, say).
///
/// Used by ``TwitterSandbox/run(onReady:)`` and by `accounts demo` for its app.
package func runStoppingGracefullyWhenCancelled(_ service: some Service, logger: Logger) async throws {
    let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [service], logger: logger))
    // The group runs in a task of its own, which cancelling this one does not reach: only the graceful shutdown does.
    let running = Task { try await group.run() }
    try await withTaskCancellationHandler {
        try await running.value
    } onCancel: {
        Task { await group.triggerGracefulShutdown() }
    }
}
