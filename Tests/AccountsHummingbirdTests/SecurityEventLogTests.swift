import AccountsHummingbird
import Foundation
import Registration
import TestSupport
import Testing
import TwitterOAuth

/// The security events an operator traces (failed log-ins, a login's cool-down, refused forms and Twitter callbacks)
/// each give one log line naming the client as the routes compute it, and never the typed login or password.
@Suite struct SecurityEventLogTests {
    static let password = "correct horse battery"

    /// A failed password log-in (a wrong password or an unknown login) is one info line naming the client, without
    /// the login as typed (attacker text, perhaps someone's address) or the password.
    @Test func aFailedLogInIsOneInfoLineNamingTheClient() async throws {
        var routes = AccountRoutes.Configuration()
        try routes.trustProxies()
        try await WebApp.run(configuration: routes) { app in
            // Given ada's account
            _ = try await PasswordResetRoutesTests.signUp(app, "ada", from: "192.0.2.1")
            let hostile = "nobody\n2026-01-01T00:00:00Z critical forged line \u{1B}[2J"
            for (login, password) in [("ada", "wrong guess 1"), (hostile, "wrong guess 2")] {
                // When a client at 198.51.100.7 fails to log in
                var browser = PasswordResetRoutesTests.client(app, "198.51.100.7")
                let before = app.logLines.value.count
                let page = try await browser.submit("/login", to: "/login", [("login", login), ("password", password)])
                // Then exactly one info line says so, naming the client and nothing typed
                #expect(page.status == 401)
                let lines = Array(app.logLines.value.dropFirst(before))
                let failed = lines.filter { $0.contains("log-in failed") }
                #expect(failed.count == 1, "\(lines)")
                #expect(failed.allSatisfy { $0.hasPrefix("info ") && $0.contains("198.51.100.7") }, "\(failed)")
                let leaks = lines.contains { $0.contains(password) || $0.contains("forged") || $0.contains("\u{1B}") }
                #expect(!leaks, "a log line holds the password tried, the forged text or an escape character")
            }
        }
    }

    /// A log-in refused because its login is cooling down after repeated failures (the lockout that guards one
    /// account) is one line naming the client and when the cool-down ends; the password, right or not, is not logged.
    @Test func aLogInRefusedDuringItsLoginsCoolDownIsOneLineNamingTheClient() async throws {
        var routes = AccountRoutes.Configuration()
        try routes.trustProxies()
        try await WebApp.run(configuration: routes) { app in
            // Given ada's account, whose login failed 10 times
            _ = try await PasswordResetRoutesTests.signUp(app, "ada", from: "192.0.2.1")
            for attempt in 1...10 {
                var guesser = PasswordResetRoutesTests.client(app, "198.51.100.\(attempt)")
                let page = try await guesser.submit(
                    "/login", to: "/login", [("login", "ada"), ("password", "guess \(attempt)")])
                #expect(page.status == 401)
            }
            // When ada's own password is tried from another address
            let before = app.logLines.value.count
            var browser = PasswordResetRoutesTests.client(app, "203.0.113.9")
            let page = try await browser.submit(
                "/login", to: "/login", [("login", "ada"), ("password", Self.password)])
            // Then it is refused, and one line says why, naming the client
            #expect(page.status == 429)
            let lines = Array(app.logLines.value.dropFirst(before))
            let refused = lines.filter { $0.contains("log-in refused: too many failures for this login") }
            #expect(refused.count == 1, "\(lines)")
            #expect(refused.allSatisfy { $0.hasPrefix("info ") && $0.contains("203.0.113.9") }, "\(refused)")
            let logged = lines.contains { $0.contains(Self.password) }
            #expect(!logged, "a log line holds the password")
            #expect(page.response.headerValue("retry-after") != nil)
        }
    }

    /// A form refused by the CSRF check, and a Twitter callback refused (opened directly, replayed), are each one
    /// info line naming the client.
    @Test func refusedFormsAndCallbacksNameTheClient() async throws {
        var routes = AccountRoutes.Configuration()
        try routes.trustProxies()
        try await WebApp.run(configuration: routes) { app in
            var browser = PasswordResetRoutesTests.client(app, "198.51.100.7")
            _ = try await browser.get("/login")
            // When a form comes without its CSRF token
            var before = app.logLines.value.count
            let refused = try await browser.post("/login", [("login", "ada"), ("password", "x")])
            // Then one line says so, naming the client
            #expect(refused.status == 403)
            var lines = Array(app.logLines.value.dropFirst(before)).filter { $0.contains("CSRF check failed") }
            #expect(lines.count == 1 && lines.allSatisfy { $0.contains("198.51.100.7") }, "\(lines)")
            // When a callback arrives that no sign-in of this browser began
            before = app.logLines.value.count
            _ = try await browser.get("/register/twitter/callback?oauth_token=x&oauth_verifier=y")
            // Then one line says so, naming the client
            lines = Array(app.logLines.value.dropFirst(before)).filter { $0.contains("twitter callback refused") }
            #expect(lines.count == 1 && lines.allSatisfy { $0.contains("198.51.100.7") }, "\(lines)")
        }
    }

    /// A sign-in with Twitter to a linked account is one info line, naming the account and the client.
    @Test func aTwitterSignInIsOneInfoLineNamingTheAccountAndTheClient() async throws {
        try await WebApp.run { app in
            // Given taro, registered through Twitter and signed out
            var browser = try await PasswordSettingsRoutesTests.registerTaro(app)
            _ = try await browser.submit("/account", to: "/sign-out", [])
            // When taro logs in with Twitter
            let before = app.logLines.value.count
            let page = try await browser.viaTwitter("/login/twitter", as: WebApp.yamada)
            // Then one info line says so
            #expect(page.location == "/account?notice=signed_in")
            let lines = Array(app.logLines.value.dropFirst(before)).filter {
                $0.hasPrefix("info ") && $0.contains("signed in")
            }
            #expect(lines.count == 1, "\(lines)")
            #expect(lines.allSatisfy { $0.contains("account.id") && $0.contains("127.0.0.1") }, "\(lines)")
        }
    }
}
