import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import Registration
import TestSupport
import Testing
import TwitterOAuth

/// A proxy that does not pass the browser's `Host` (nginx's `proxy_pass` alone sends the upstream's address) makes
/// every form's `Origin` another host: each is refused (403), and a warning names the cause, once a minute.
struct ProxySetupRoutesTests {
    static let password = "correct horse battery"

    @Test func aProxyThatRewritesHostIsNamedInAWarningOnceAMinute() async throws {
        var configuration = AccountRoutes.Configuration()
        configuration.clientAddressHeader = "X-Forwarded-For"
        configuration.trustedProxies = [try AccountRoutes.AddressRange("127.0.0.1")]
        try await WebApp.run(configuration: configuration) { app in
            // Given a browser on https://app.example, reaching the app through a trusted TLS proxy that sends
            // X-Forwarded-Proto but passes the upstream's Host (127.0.0.1:PORT)
            var browser = app.browser()
            browser.forwardedProto = "https"
            browser.forwardedFor = "203.0.113.9"
            browser.pageOrigin = "https://app.example"
            // When it signs up, twice
            let form = [("username", "ann"), ("email", "ann@example.org"), ("password", Self.password)]
            let refused = try await browser.submit("/signup", to: "/signup", form)
            let again = try await browser.submit("/signup", to: "/signup", form)
            // Then both are refused, and one warning names the Host header and the fix
            #expect(refused.status == 403)
            #expect(again.status == 403)
            let warnings = app.logLines.value.filter { $0.hasPrefix("warning ") && $0.contains("Host header") }
            #expect(warnings.count == 1, "\(app.logLines.value)")
            #expect(warnings.first?.contains("proxy_set_header Host $host") == true)
            #expect(try await app.store.accountCount() == 0)
        }
    }

    @Test func aCrossSiteFormWithoutAProxyIsRefusedWithoutTheProxyWarning() async throws {
        try await WebApp.run { app in
            var browser = app.browser()
            browser.pageOrigin = "https://evil.example"
            let refused = try await browser.submit(
                "/signup", to: "/signup",
                [("username", "ann"), ("email", "ann@example.org"), ("password", Self.password)])
            #expect(refused.status == 403)
            #expect(!app.logLines.value.contains { $0.contains("Host header") }, "\(app.logLines.value)")
        }
    }
}
