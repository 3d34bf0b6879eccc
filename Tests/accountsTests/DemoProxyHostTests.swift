import Foundation
import TestSupport
import Testing
import TwitterOAuth

/// `accounts demo --client-address-header NAME` without `--trusted-proxy` still listens on 127.0.0.1, where a page
/// whose name its owner points at 127.0.0.1 (DNS rebinding) reaches it directly: it keeps the loopback names, not
/// serving pages and CSRF tokens under the attacker's name.
struct DemoProxyHostTests {
    @Test func aRequestThatDidNotComeThroughTheProxyIsStillHeldToTheLoopbackNames() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/demo.sqlite"
            let server = try ServerProcess(
                accountsExecutable(),
                ["demo", "--port", "0", "--database", database, "--client-address-header", "X-Forwarded-For"])
            defer { _ = server.stop() }
            let base = try #require(URL(string: try server.firstLine()))
            let port = try #require(base.port)
            let rebound = "rebind.attacker.example:\(port)"

            // A rebinding page's request, straight to the loopback port (no X-Forwarded-For: no proxy on the way)
            let home = try await AsyncHTTPClientTransport.shared.send(
                method: "GET", url: base, headers: [HTTPHeader(name: "Host", value: rebound)], body: [],
                timeout: .seconds(60), maximumResponseBodySize: 1 << 20)

            // Then it is refused
            #expect([400, 421].contains(home.status), "the demo served \(home.status) to Host \(rebound)")
        }
    }
}
