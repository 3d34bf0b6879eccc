import Foundation
import TestSupport
import Testing
import TwitterOAuth

struct DemoSlowClientTests {
    /// `accounts demo` closes connections that slow or idle clients hold open (README, "Before going live"): one that
    /// sends nothing, one that sends its headers a byte a second, and one whose form body never ends are each closed
    /// within about 30 seconds, while an ordinary request on a fresh connection is answered throughout.
    @Test func idleAndTricklingConnectionsAreClosed() async throws {
        try await withTemporaryDirectory { dir in
            // Given the demo with its defaults
            let server = try ServerProcess(
                accountsExecutable(), ["demo", "--port", "0", "--database", dir + "/demo.sqlite"])
            defer { server.kill() }
            let base = try #require(URL(string: try await server.firstLine()))
            let port = try #require(base.port)

            // When one client opens a connection and sends nothing, another trickles its headers, and a third sends
            // its headers and then trickles a form body that is never complete
            let closed = try await SlowClient.trickleThree(port: port, every: .seconds(1), for: .seconds(45))

            // Then each is closed by the demo, within the idle and read timeouts (30 s) and a margin
            #expect(closed.keys.sorted() == ["body", "headers", "idle"], "closed so far: \(closed)")
            for (name, after) in closed {
                #expect(after >= .seconds(25), "\(name) closed after \(after), before its timeout")
            }
            // And the demo still answers a browser
            let home = try await AsyncHTTPClientTransport.shared.send(
                method: "GET", url: base, headers: [], body: [], timeout: .seconds(60), maximumResponseBodySize: 1 << 20
            )
            #expect(home.status == 200)
        }
    }
}
