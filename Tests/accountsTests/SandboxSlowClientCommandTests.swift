import Foundation
import TestSupport
import Testing
import TwitterOAuth

/// `accounts sandbox` against clients that hold connections open.
struct SandboxSlowClientCommandTests {
    /// `accounts sandbox` closes connections that slow or idle clients hold open: one that sends nothing, one that
    /// sends its headers a byte a second, and one whose form body never ends are each closed within about 30 seconds.
    @Test func theSandboxClosesIdleAndTricklingConnections() async throws {
        // Given the sandbox with its defaults
        let server = try ServerProcess(accountsExecutable(), ["sandbox", "--port", "0"])
        defer { server.kill() }
        let base = try #require(URL(string: try await server.firstLine()))
        let port = try #require(base.port)

        // When one client sends nothing, another trickles its headers, and a third trickles a form body
        let closed = try await SlowClient.trickleThree(
            port: port, every: .seconds(1), for: .seconds(42), bodyPath: "/oauth/request_token")

        // Then each is closed by the sandbox, after its timeout (30 s) and within a margin
        #expect(closed.keys.sorted() == ["body", "headers", "idle"], "closed so far: \(closed)")
        for (name, after) in closed {
            #expect(after >= .seconds(25), "\(name) closed after \(after), before its timeout")
        }
    }
}
