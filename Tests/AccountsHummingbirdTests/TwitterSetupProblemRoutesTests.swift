import AccountsHummingbird
import Foundation
import TestSupport
import Testing
import TwitterOAuth

/// A site whose Twitter app is set up wrong (here: the callback URL it sends is not registered for the app) tells the
/// person Twitter sign-in is unavailable and how else to get in, and tells the operator what to fix; nothing is
/// written.
struct TwitterSetupProblemRoutesTests {
    static let registered = "https://accounts.example/register/twitter/callback"

    @Test(arguments: ["/login/twitter", "/register/twitter"])
    func anUnregisteredCallbackURLIsAnUnavailablePageAndAnErrorForTheOperator(action: String) async throws {
        try await WebApp.run(sandboxCallbackURLs: [Self.registered]) { app in
            var browser = app.browser()
            let page = try await browser.submit("/", to: action, [])
            // Then the person is told, with a way in that does not need Twitter
            #expect(page.status == 503)
            #expect(page.text.contains(#"id="twitter-misconfigured""#))
            #expect(page.text.contains(#"href="/login""#))
            #expect(!page.text.contains("try again in a moment"))
            // And the operator's log says which URL to register, at error level, without the consumer secret
            let callback = "\(app.base.absoluteString)/register/twitter/callback"
            let lines = app.logLines.value.filter { $0.contains("not set up correctly") }
            #expect(lines.count == 1)
            #expect(lines.first?.hasPrefix("error ") == true, "\(lines)")
            #expect(lines.first?.contains("Twitter refused the callback URL \(callback)") == true, "\(lines)")
            #expect(lines.first?.contains("developer portal") == true)
            let leaks = app.logLines.value.contains { $0.contains(app.sandbox.consumer.secret) }
            #expect(!leaks)
            // And nothing is written
            #expect(countQuery(app.databasePath, "SELECT count(*) FROM pending_authorizations") == 0)
            #expect(countQuery(app.databasePath, "SELECT count(*) FROM users") == 0)
        }
    }

    /// A request naming another host (a forged `Host`) asks Twitter for a callback there, which Twitter refuses: the
    /// registered callback URLs are what keep a sign-in from returning elsewhere.
    @Test func aForgedHostGetsTheSameRefusal() async throws {
        try await WebApp.run(sandboxCallbackURLs: [Self.registered]) { app in
            var browser = app.browser()
            let home = try await browser.get("/")
            let token = try #require(home.csrfToken)
            browser.extraHeaders = [HTTPHeader(name: "Host", value: "evil.example")]
            let page = try await browser.post("/login/twitter", [("csrf_token", token)], origin: "http://evil.example")
            #expect(page.status == 503)
            #expect(app.logLines.value.contains { $0.contains("http://evil.example/register/twitter/callback") })
            #expect(countQuery(app.databasePath, "SELECT count(*) FROM pending_authorizations") == 0)
        }
    }

    /// Twitter trouble that a retry may cure still gets the 502 page saying so.
    @Test func aTwitterOutageIsStillTheTryAgainPage() async throws {
        try await WebApp.run { app in
            #expect(
                try await app.sandbox.failNext(#"{"endpoint": "request_token", "mode": "server_error", "status": 503}"#)
                    == 200)
            var browser = app.browser()
            let page = try await browser.submit("/", to: "/login/twitter", [])
            #expect(page.status == 502)
            #expect(page.text.contains("try again in a moment"))
            #expect(!app.logLines.value.contains { $0.contains("not set up correctly") })
        }
    }
}
