import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import Registration
import TestSupport
import Testing
import TwitterOAuth

/// What any client, or a page of another site, can make the app do or say at will: no warning line per request, no
/// cookie replaced by a refused form, no answer under a host name the app does not serve.
struct ClientCausedEffectsTests {
    /// A Twitter sign-in begun in a fresh browser (its own session cookie).
    private func beginFromFreshBrowser(_ app: WebApp) async throws -> Page {
        var browser = app.browser()
        return try await browser.submit("/", to: "/login/twitter", [])
    }

    /// Over the limit on Twitter sign-ins begun, the log gets one line a minute per limit ("in one line a minute per
    /// limit at most", README "Mounting the routes"): a client that keeps asking must not be able to write a warning
    /// line per request, which is what `LogLimiter` and `refusalsToLog` are there to stop.
    @Test func refusedTwitterSignInsDoNotWriteAWarningLineEach() async throws {
        var registration = RegistrationService.Configuration(callbackURL: "http://invalid.example/callback")
        registration.beginsPerClient = RegistrationService.Rate(1, per: 600)
        registration.beginsInAll = nil
        try await WebApp.run(registration: registration) { app in
            // Given a client past its limit
            let first = try await beginFromFreshBrowser(app)
            #expect(first.status == 303)
            // When it asks ten more times
            for _ in 0..<10 {
                let refused = try await beginFromFreshBrowser(app)
                #expect(refused.status == 429)
            }
            // Then the warnings about it are the one line a minute the limit promises, not one a request
            let warnings = app.logLines.value.filter { $0.hasPrefix("warning ") }
            #expect(
                warnings.count <= 1,
                "\(warnings.count) warning lines for 10 refusals: \(warnings.map { String($0.prefix(90)) })")
            // (and that line is written: the first refusal's, at once)
            #expect(
                warnings.filter { $0.contains("twitter authorization refused: too many begun") }.count == 1,
                "\(warnings.map { String($0.prefix(90)) })")
        }
    }

    // MARK: - A form posted from another site

    /// What a browser does with a form that a page on another site submits to the app (a top-level POST
    /// navigation): it does not send the `SameSite=Lax` session cookie, and it keeps whatever cookie the answer sets
    /// (a top-level navigation may set a `Lax` cookie). Returns the answer; `browser`'s jar is updated as the
    /// browser's would be.
    private func crossSitePost(_ browser: inout Browser, _ path: String) async throws -> Page {
        var withoutCookie = browser
        withoutCookie.cookies = [:]
        let page = try await withoutCookie.post(path, [("csrf_token", "forged")], origin: "http://evil.example")
        for (name, value) in withoutCookie.cookies { browser.cookies[name] = value }
        for cookie in page.setCookies where cookie.lowercased().contains("max-age=0") {
            browser.cookies[String(cookie.prefix { $0 != "=" })] = nil
        }
        return page
    }

    /// README, Sessions: "`POST /sign-out` from a browser with no stored session … checking only `Origin`: a page
    /// from another site cannot clear the id that holds a visitor's Twitter sign-up in progress." The form is refused
    /// (403), but the refusal itself hands the browser a new visitor id: the cookie that held the sign-up is replaced
    /// all the same, and the registration is lost.
    @Test func aFormFromAnotherSiteDoesNotReplaceTheIdThatHoldsATwitterSignUp() async throws {
        try await WebApp.run { app in
            // Given a visitor half-way through registering with Twitter (the registration form is open)
            var browser = app.browser()
            let arrival = try await browser.viaTwitter("/register/twitter", as: WebApp.yamada)
            let details = try #require(arrival.location)
            #expect(try await browser.get(details).status == 200)
            let id = try #require(browser.sessionID)

            // When a page on another site submits a sign-out form (or any other) to the app
            let refused = try await crossSitePost(&browser, "/sign-out")

            // Then it is refused, and the browser still holds the id of its registration, whose form still opens
            // (the ids are compared, never printed)
            #expect(refused.status == 403)
            let setsCookie = !refused.setCookies.isEmpty
            #expect(!setsCookie, "the 403 answer to another site's form set a session cookie")
            let keptID = browser.sessionID == id
            #expect(keptID, "the visitor id was replaced by the answer to another site's form")
            let again = try await browser.get(details)
            #expect(again.status == 200, "the registration form answered \(again.status) \(again.location ?? "")")
        }
    }

    /// The same for a signed-in browser: a page elsewhere cannot sign it out (`POST /sign-out` needs this session's
    /// token), yet the 403 answer to its form replaces the session cookie with a new visitor id, which signs the
    /// person out of this browser just as well.
    @Test func aFormFromAnotherSiteDoesNotSignTheBrowserOut() async throws {
        try await WebApp.run { app in
            // Given a signed-in browser
            var browser = app.browser()
            let signedUp = try await browser.submit(
                "/signup", to: "/signup",
                [("username", "ada"), ("email", "ada@example.org"), ("password", "correct horse battery")])
            #expect(signedUp.status == 303)
            #expect(try await browser.get("/whoami").text == "ada")

            // When pages on another site submit forms to the app
            for path in ["/sign-out", "/account/delete", "/login"] {
                let refused = try await crossSitePost(&browser, path)
                #expect(refused.status == 403, "\(path)")
            }

            // Then they are refused, and the browser is still signed in
            let whoami = try await browser.get("/whoami").text
            #expect(whoami == "ada", "signed in as \(whoami) after another site's forms were refused")
            #expect(try await app.store.accountCount() == 1)
        }
    }

    /// With `allowedHosts` set, a request naming another host (a name pointed at the app's address by someone else:
    /// DNS rebinding) gets 421 and nothing else, on the app's own routes too (`hostCheck()`); the allowed names are
    /// served, with or without a port.
    @Test func aHostNameNotAllowedIsMisdirected() async throws {
        var configuration = AccountRoutes.Configuration()
        configuration.allowedHosts = ["127.0.0.1", "localhost", "[::1]"]
        try await WebApp.run(configuration: configuration) { app in
            for host in ["rebind.example.com", "rebind.example.com:8080", "127.0.0.2", "[::2]:80"] {
                var browser = app.browser()
                browser.extraHeaders = [HTTPHeader(name: "Host", value: host)]
                let refused = try await browser.get("/")
                #expect(refused.status == 421, "\(host)")
                #expect(refused.setCookies.isEmpty, "\(host)")
                // and so does the app's own route, through `hostCheck()` (until session 64 only the routes' own
                // paths were held to allowedHosts: the app's answered a rebound page as their origin)
                let own = try await browser.get("/whoami")
                #expect(own.status == 421 && own.text != "nobody", "\(host): \(own.status)")
            }
            for host in ["127.0.0.1", "LOCALHOST:8080", "[::1]:443"] {
                var browser = app.browser()
                browser.extraHeaders = [HTTPHeader(name: "Host", value: host)]
                #expect(try await browser.get("/").status == 200, "\(host)")
                #expect(try await browser.get("/whoami").text == "nobody", "\(host)")
            }
        }
    }
}
