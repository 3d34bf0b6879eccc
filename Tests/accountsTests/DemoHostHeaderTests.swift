import Foundation
import TestSupport
import Testing
import TwitterOAuth

/// The demo listens on loopback only, so it serves only a browser that asked for 127.0.0.1, localhost or [::1]. A page
/// on another site whose name the attacker points at 127.0.0.1 (DNS rebinding) is, to the browser, the same origin as
/// the demo under that name: it could read the demo's pages and their CSRF tokens and post its forms, were a `Host`
/// the demo does not serve not refused.
struct DemoHostHeaderTests {
    /// Runs `accounts demo` with `arguments` besides its port and database, asks for its home page with `headers`,
    /// and returns the answer and everything the demo wrote to stderr (after it stopped).
    static func askDemo(
        _ arguments: [String] = [], headers: (_ port: Int) -> [HTTPHeader],
        then body: (HTTPTransportResponse, URL) async throws -> Void = { _, _ in }
    ) async throws -> (response: HTTPTransportResponse, log: String) {
        try await withTemporaryDirectory { dir in
            let server = try ServerProcess(
                accountsExecutable(), ["demo", "--port", "0", "--database", dir + "/demo.sqlite"] + arguments)
            defer { server.kill() }
            let base = try #require(URL(string: try await server.firstLine()))
            let port = try #require(base.port)
            let home = try await AsyncHTTPClientTransport.shared.send(
                method: "GET", url: base, headers: headers(port), body: [], timeout: .seconds(60),
                maximumResponseBodySize: 1 << 20)
            try await body(home, base)
            _ = await server.stop()
            return (home, server.stderrText.withLock { $0 })
        }
    }

    @Test func theLoopbackDemoRefusesAHostNameItDoesNotServe() async throws {
        var rebound = ""
        // A page of the attacker's site, resolved to 127.0.0.1, asks for the home page under its own name
        let (home, log) = try await Self.askDemo(
            headers: { port in
                rebound = "rebind.attacker.example:\(port)"
                return [HTTPHeader(name: "Host", value: rebound)]
            },
            then: { home, base in
                // (and if it was served, its form would go through from the attacker's origin: an account is made)
                let text = String(decoding: home.body, as: UTF8.self)
                guard home.status == 200, let cookie = home.headerValue("set-cookie")?.prefix(while: { $0 != ";" }),
                    let marker = text.range(of: "name=\"csrf_token\" value=\"")
                else { return }
                let csrf = text[marker.upperBound...].prefix { $0 != "\"" }
                let signUp = try await AsyncHTTPClientTransport.shared.send(
                    method: "POST", url: base.appending(path: "signup"),
                    headers: [
                        HTTPHeader(name: "Host", value: rebound),
                        HTTPHeader(name: "Origin", value: "http://\(rebound)"),
                        HTTPHeader(name: "Content-Type", value: "application/x-www-form-urlencoded"),
                        HTTPHeader(name: "Cookie", value: String(cookie)),
                    ],
                    body: Array(
                        "csrf_token=\(csrf)&username=planted&email=planted%40example.org&password=correct+horse+battery"
                            .utf8), timeout: .seconds(60), maximumResponseBodySize: 1 << 20)
                #expect(signUp.status != 303, "a form posted from http://\(rebound) made an account")
            })
        // Then it is refused as misdirected, and the log names the host and the setting
        #expect(home.status == 421, "the demo served \(home.status) to Host \(rebound)")
        #expect(log.contains("web.host=\(rebound)") && log.contains("allowedHosts"), "\(log)")
    }

    /// `--client-address-header NAME` without `--trusted-proxy`: the header is believed from anyone, the rebound page
    /// included (it is same-origin to itself and may send it), so it does not lift the check. A request with the
    /// header (through a proxy passing the browser's `Host`, or forged) and one without (a rebinding page straight to
    /// the loopback port) both keep to the loopback names, and the log says which setting refused them.
    @Test(arguments: [true, false])
    func aClientAddressHeaderAloneKeepsTheLoopbackNames(withTheHeader: Bool) async throws {
        let (home, log) = try await Self.askDemo(
            ["--client-address-header", "X-Forwarded-For"],
            headers: { _ in
                [HTTPHeader(name: "Host", value: "accounts.example.org")]
                    + (withTheHeader ? [HTTPHeader(name: "X-Forwarded-For", value: "203.0.113.7")] : [])
            })
        #expect(home.status == 421)
        #expect(log.contains("allowedHosts"), "\(log)")
    }

    /// `--trusted-proxy 127.0.0.1` keeps the loopback names too: a browser on this machine also connects from
    /// 127.0.0.1, so a rebound page reaching the demo directly has a trusted peer. Were any host served behind the
    /// proxy, the page would read the demo's pages and post its forms, and escape every per-client limit with an
    /// `X-Forwarded-For` of its own choosing on each request (same-origin, it may send one).
    @Test(arguments: [true, false])
    func aTrustedProxyKeepsTheLoopbackNames(withTheHeader: Bool) async throws {
        let (home, log) = try await Self.askDemo(
            ["--client-address-header", "X-Forwarded-For", "--trusted-proxy", "127.0.0.1"],
            headers: { port in
                [HTTPHeader(name: "Host", value: "rebind.example.com:\(port)")]
                    + (withTheHeader ? [HTTPHeader(name: "X-Forwarded-For", value: "203.0.113.7")] : [])
            })
        #expect(home.status == 421, "the demo behind --trusted-proxy served \(home.status) to a rebound Host")
        #expect(log.contains("web.host=rebind.example.com:") && log.contains("allowedHosts"), "\(log)")
    }

    /// Behind `--trusted-proxy` the proxy's own host name is served when given with `--allowed-host`, beside the
    /// loopback names; any other name is still refused.
    @Test func aTrustedProxysHostIsServed() async throws {
        let (home, _) = try await Self.askDemo(
            [
                "--client-address-header", "X-Forwarded-For", "--trusted-proxy", "127.0.0.1", "--allowed-host",
                "accounts.example.org", "--allowed-host", "www.accounts.example.org",
            ],
            headers: { _ in
                [
                    HTTPHeader(name: "Host", value: "accounts.example.org"),
                    HTTPHeader(name: "X-Forwarded-For", value: "203.0.113.7"),
                ]
            },
            then: { _, base in
                func status(host: String?) async throws -> Int {
                    try await AsyncHTTPClientTransport.shared.send(
                        method: "GET", url: base,
                        headers: host.map { [HTTPHeader(name: "Host", value: $0)] } ?? [], body: [],
                        timeout: .seconds(60), maximumResponseBodySize: 1 << 20
                    ).status
                }
                let withAPort = try await status(host: "www.accounts.example.org:443")
                let loopback = try await status(host: nil)
                let other = try await status(host: "rebind.example.com")
                #expect(withAPort == 200)
                #expect(loopback == 200, "the loopback address the demo printed")
                #expect(other == 421)
            })
        #expect(home.status == 200)
    }
}
