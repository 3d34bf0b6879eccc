import Foundation
import TestSupport
import Testing
import TwitterOAuth

/// Second reader (web security): the demo listens on loopback only, so every page it serves should be for a browser
/// that asked for 127.0.0.1 (or localhost). A page on another site whose name the attacker points at 127.0.0.1 (DNS
/// rebinding) is, to the browser, the same origin as the demo under that name: it can read the demo's pages and
/// their CSRF tokens and post its forms, unless the demo refuses a `Host` it does not serve.
struct DemoHostHeaderTests {
    @Test func theLoopbackDemoRefusesAHostNameItDoesNotServe() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/demo.sqlite"
            let server = try ServerProcess(accountsExecutable(), ["demo", "--port", "0", "--database", database])
            defer { _ = server.stop() }
            let base = try #require(URL(string: try server.firstLine()))
            let port = try #require(base.port)
            let rebound = "rebind.attacker.example:\(port)"

            // A page of the attacker's site, resolved to 127.0.0.1, asks for the home page under its own name
            let home = try await AsyncHTTPClientTransport.shared.send(
                method: "GET", url: base, headers: [HTTPHeader(name: "Host", value: rebound)], body: [],
                timeout: .seconds(60), maximumResponseBodySize: 1 << 20)
            // Then it is refused, as a malformed Host is (400), or as misdirected (421)
            #expect([400, 421].contains(home.status), "the demo served \(home.status) to Host \(rebound)")

            // And if it was served, its form goes through from the attacker's origin: an account is made
            let text = String(decoding: home.body, as: UTF8.self)
            if home.status == 200, let cookie = home.headerValue("set-cookie")?.prefix(while: { $0 != ";" }),
                let marker = text.range(of: "name=\"csrf_token\" value=\"")
            {
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
            }
        }
    }
}
