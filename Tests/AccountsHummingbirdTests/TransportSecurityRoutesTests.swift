import AccountsHummingbird
import Foundation
import Testing
import TwitterOAuth

struct TransportSecurityRoutesTests {
    /// The `Strict-Transport-Security` value of `page`, or `nil` when it has none.
    static func hsts(_ page: Page) -> String? { page.response.headerValue("strict-transport-security") }

    /// Served over HTTPS (`scheme = .https`), every answer of the routes tells the browser to use HTTPS only, for a
    /// year: pages, redirects, refusals and plain-text errors alike; a browser that once reached the site over HTTPS
    /// then never sends its cookie, or a form, over plain HTTP where a network can read and rewrite it.
    @Test func overHTTPSEveryAnswerOfTheRoutesCarriesStrictTransportSecurity() async throws {
        var configuration = AccountRoutes.Configuration()
        configuration.scheme = .https
        try await WebApp.run(configuration: configuration) { app in
            var browser = app.browser()
            let origin = app.base.absoluteString.replacing("http://", with: "https://")
            browser.pageOrigin = origin
            let answers = [
                ("a page", try await browser.get("/")),
                ("a redirect", try await browser.get("/account")),
                ("a refused form", try await browser.post("/login", [("login", "x"), ("password", "y")])),
                ("a page not found", try await browser.get("/register/details?draft=nothing")),
            ]
            for (what, page) in answers {
                #expect(Self.hsts(page) == "max-age=31536000", "\(what) (\(page.status))")
            }
            #expect(answers.prefix(3).map(\.1.status) == [200, 303, 403])
        }
    }

    /// With the default `.automatic` scheme, a request that came over HTTPS (as a trusted proxy's
    /// `X-Forwarded-Proto: https` says) gets `Strict-Transport-Security`; one over plain HTTP does not (browsers ignore
    /// it there, and a site reached over plain HTTP must not be told to insist on HTTPS), and neither does one whose
    /// `X-Forwarded-Proto` comes from a peer that is not a trusted proxy.
    @Test func withTheAutomaticSchemeOnlyHTTPSRequestsCarryIt() async throws {
        var configuration = AccountRoutes.Configuration()
        try configuration.trustProxies("127.0.0.1")
        try await WebApp.run(configuration: configuration) { app in
            var plain = app.browser()
            let plainHome = try await plain.get("/")
            #expect(Self.hsts(plainHome) == nil)
            var proxied = app.browser()
            proxied.forwardedProto = "https"
            let proxiedHome = try await proxied.get("/")
            #expect(Self.hsts(proxiedHome) == "max-age=31536000")
            // (the app's own routes are the app's to decide)
            let appOwn = try await proxied.get("/whoami")
            #expect(Self.hsts(appOwn) == nil)
        }
        var untrusted = AccountRoutes.Configuration()
        try untrusted.trustProxies("10.0.0.0/8")
        try await WebApp.run(configuration: untrusted) { app in
            var browser = app.browser()
            browser.forwardedProto = "https"
            let home = try await browser.get("/")
            #expect(Self.hsts(home) == nil)
        }
    }

    /// `strictTransportSecurity` sets the value (`includeSubDomains` and `preload` are the operator's to add, since
    /// they bind every subdomain), and `nil` sends none.
    @Test func theValueIsConfigurableAndNilSendsNone() async throws {
        var configuration = AccountRoutes.Configuration()
        configuration.scheme = .https
        configuration.strictTransportSecurity = "max-age=63072000; includeSubDomains; preload"
        try await WebApp.run(configuration: configuration) { app in
            var browser = app.browser()
            let home = try await browser.get("/")
            #expect(Self.hsts(home) == "max-age=63072000; includeSubDomains; preload")
        }
        configuration.strictTransportSecurity = nil
        try await WebApp.run(configuration: configuration) { app in
            var browser = app.browser()
            let home = try await browser.get("/")
            #expect(Self.hsts(home) == nil)
        }
    }
}
