import AccountCrypto
import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import Registration
import TestSupport
import Testing
import TwitterOAuth

/// The routes over real HTTP on 127.0.0.1, against the sandbox, on a real database file.
struct AccountRoutesTests {
    static let password = "correct horse battery"

    // MARK: - Home and cookies

    @Test func homePageOffersTheFourWaysInAndSetsAStrictSessionCookie() async throws {
        try await WebApp.run { app in
            // When a browser without a cookie opens /
            var browser = app.browser()
            let home = try await browser.get("/")

            // Then it sees the four ways in
            #expect(home.status == 200)
            for control in ["Register with Twitter", "Log in with Twitter", "Sign up with email", ">Log in<"] {
                #expect(home.text.contains(control), "\(control)")
            }
            // And gets an HttpOnly, SameSite=Lax, host-wide cookie, not Secure over plain HTTP
            let cookie = try #require(home.setCookies.first { $0.hasPrefix("accounts_session=") })
            let attributes = Set(
                cookie.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
            #expect(
                attributes.contains("httponly") && attributes.contains("samesite=lax") && attributes.contains("path=/"))
            #expect(!attributes.contains("secure"))
            // With a 256-bit random visitor id, of which the database keeps nothing until someone signs in
            let id = try #require(browser.sessionID)
            #expect(id.count == 65 && id.hasPrefix("v") && id.dropFirst().allSatisfy(\.isHexDigit))
            let dump = try databaseDump(app.databasePath)
            #expect(!dump.contains(id) && !dump.contains(SHA256.hexDigest(Array(id.utf8))))
            #expect(countQuery(app.databasePath, "SELECT count(*) FROM browser_sessions") == 0)
            #expect(home.response.headerValue("content-security-policy")?.contains("default-src 'none'") == true)
            // And forms may lead only here and to Twitter's authorization page (the sandbox's origin here), where
            // "Log in with Twitter" is sent on
            let sandboxOrigin = try #require(
                app.sandbox.baseURL.absoluteString.wholeMatch(of: /http:\/\/127\.0\.0\.1:\d+/))
            #expect(
                home.response.headerValue("content-security-policy")?.contains(
                    "; form-action 'self' \(sandboxOrigin.output);")
                    == true, "\(home.response.headerValue("content-security-policy") ?? "")")
        }
    }

    @Test func behindAnHTTPSProxyTheCookieIsSecureAndTheCallbackIsHTTPS() async throws {
        try await WebApp.run { app in
            // Given requests that a TLS-terminating proxy marks with X-Forwarded-Proto: https
            var browser = app.browser()
            browser.forwardedProto = "https"

            // Then the session cookie is Secure
            let home = try await browser.get("/")
            let cookie = try #require(home.setCookies.first)
            // (its attributes, without its value, the session's id: a failure prints them)
            let attributes = cookie.drop { $0 != ";" }.lowercased()
            #expect(attributes.contains("; secure"))

            // And the callback given to Twitter uses https and the host and port the browser used
            let begin = try await browser.post(
                "/register/twitter", [("csrf_token", try #require(home.csrfToken))],
                origin: "https://\(app.base.host!):\(app.base.port!)")
            let authorize = try #require(begin.location.flatMap(URL.init(string:)))
            let token = try #require(
                URLComponents(url: authorize, resolvingAgainstBaseURL: false)?.queryItems?.first {
                    $0.name == "oauth_token"
                }?.value)
            let decision = try await app.sandbox.submitConsent(token: token, userID: WebApp.zoe, action: "authorize")
            let callback = try #require(decision.headerValue("location"))
            #expect(callback.hasPrefix("https://127.0.0.1:\(app.base.port!)/register/twitter/callback?"))
        }
    }

    /// Ada signs up in a browser whose requests say `X-Forwarded-Proto: https`: the browser and the sign-up's answer.
    private func signUpAdaSayingHTTPS(_ app: WebApp, pageOrigin: String? = nil) async throws -> (Browser, Page) {
        var browser = app.browser()
        browser.forwardedProto = "https"
        browser.pageOrigin = pageOrigin
        let signedUp = try await browser.submit(
            "/signup", to: "/signup", [("username", "ada"), ("email", "ada@example.org"), ("password", Self.password)])
        #expect(signedUp.location == "/account?notice=registered")
        return (browser, signedUp)
    }

    /// Over HTTPS the session cookie is `__Host-accounts_session` (host-only, `Secure`, `Path=/`): a sibling
    /// subdomain can set a plain `accounts_session` for the whole domain, or for the callback's path, but not that
    /// one, and a plain one is not read over HTTPS.
    @Test func overHTTPSTheSessionCookieIsHostOnlyAndAPlantedPlainOneIsIgnored() async throws {
        try await WebApp.run { app in
            var (browser, signedUp) = try await signUpAdaSayingHTTPS(app)
            let cookie = try #require(signedUp.setCookies.first)
            // (its name and attributes, without its value, the session's id: a failure prints them)
            let name = cookie.prefix { $0 != "=" }
            #expect(name == "__Host-accounts_session")
            let attributes = cookie.drop { $0 != ";" }.lowercased()
            #expect(
                attributes.contains("; secure") && attributes.contains("; path=/") && !attributes.contains("domain"))
            let id = try #require(browser.cookies["__Host-accounts_session"])
            #expect(browser.cookies["accounts_session"] == nil)
            #expect(try await browser.get("/whoami").text == "ada")
            #expect(try await browser.get("/account").status == 200)

            // A cookie under the plain name (as a sibling subdomain could plant one) names no session over HTTPS
            var planted = app.browser()
            planted.forwardedProto = "https"
            planted.cookies["accounts_session"] = id
            #expect(try await planted.get("/whoami").text == "nobody")
            #expect(try await planted.get("/account").location == "/login?notice=sign_in_first")
        }
    }

    /// With trusted proxies set, `X-Forwarded-Proto` is their word only: a browser that reaches the app directly
    /// and writes the header itself gets no `Secure` cookie and no `https` callback; a trusted proxy's header counts.
    @Test func withTrustedProxiesOnlyTheyCanSayTheBrowserUsedHTTPS() async throws {
        for (trusted, believed) in [("10.0.0.0/8", false), ("127.0.0.1", true)] {
            var routes = AccountRoutes.Configuration()
            try routes.trustProxies(trusted)
            try await WebApp.run(configuration: routes) { app in
                // Given a request from 127.0.0.1 saying X-Forwarded-Proto: https, with the trusted proxies at `trusted`
                var browser = app.browser()
                browser.forwardedProto = "https"
                let home = try await browser.get("/")
                // Then the cookie is Secure, and the callback https, only when 127.0.0.1 is a trusted proxy
                let cookie = try #require(home.setCookies.first)
                // (its attributes, without its value, the session's id: a failure prints them)
                let attributes = cookie.drop { $0 != ";" }.lowercased()
                #expect(attributes.contains("; secure") == believed, "trusted \(trusted): \(attributes)")
                let begin = try await browser.post(
                    "/register/twitter", [("csrf_token", try #require(home.csrfToken))],
                    origin: "\(believed ? "https" : "http")://\(app.base.host!):\(app.base.port!)")
                let authorize = try #require(begin.location.flatMap(URL.init(string:)))
                let token = try #require(
                    URLComponents(url: authorize, resolvingAgainstBaseURL: false)?.queryItems?.first {
                        $0.name == "oauth_token"
                    }?.value)
                let decision = try await app.sandbox.submitConsent(
                    token: token, userID: WebApp.zoe, action: "authorize")
                // (compared without its query: a failure shows no token or verifier)
                let callback = try #require(decision.headerValue("location")).prefix { $0 != "?" }
                let scheme = believed ? "https" : "http"
                #expect(callback == "\(scheme)://127.0.0.1:\(app.base.port!)/register/twitter/callback")
                // And the app's own routes are not behind the routes' middleware
                #expect(try await browser.get("/whoami").text == "nobody")
            }
        }
    }

    /// The app's own routes agree with the routes on who is signed in behind trusted proxies: a browser reaching the
    /// app from a peer that is none of them, saying `X-Forwarded-Proto: https`, gets the plain cookie from the routes,
    /// and `signedInAccount(_:context:)` reads that one (before, it believed the header and looked for the `__Host-`
    /// cookie: "nobody" on `/whoami` while `/account` showed Ada's account).
    @Test func behindTrustedProxiesTheAppsOwnRoutesSeeWhoTheRoutesSee() async throws {
        var routes = AccountRoutes.Configuration()
        try routes.trustProxies("10.0.0.0/8")
        try await WebApp.run(configuration: routes) { app in
            // (its pages are plain HTTP: it writes the header itself)
            var (browser, _) = try await signUpAdaSayingHTTPS(app, pageOrigin: app.base.absoluteString)
            #expect(try await browser.get("/account").status == 200)
            #expect(try await browser.get("/whoami").text == "ada")
        }
    }

    // MARK: - Limits on Twitter sign-ins

    /// A Twitter sign-in begun from `address` in a fresh browser (its own session cookie).
    private func beginFromFreshBrowser(_ app: WebApp, forwardedFor address: String? = nil) async throws -> Page {
        var browser = app.browser()
        browser.forwardedFor = address
        return try await browser.submit("/", to: "/login/twitter", [])
    }

    @Test func twitterSignInsCountByTheAddressTheProxyNamesAnIPv6OneByItsSlash64() async throws {
        var routes = AccountRoutes.Configuration()
        routes.clientAddressHeader = "X-Forwarded-For"
        var registration = RegistrationService.Configuration(callbackURL: "http://invalid.example/callback")
        registration.beginsPerClient = RegistrationService.Rate(2, per: 600)
        registration.beginsInAll = nil
        try await WebApp.run(configuration: routes, registration: registration) { app in
            let pending = { countQuery(app.databasePath, "SELECT count(*) FROM pending_authorizations") }
            // Given two sign-ins begun from one /64, the second through two proxies (the last address counts)
            #expect(try await beginFromFreshBrowser(app, forwardedFor: "2001:db8:1:2::1").status == 303)
            #expect(try await beginFromFreshBrowser(app, forwardedFor: "10.9.9.9, 2001:DB8:1:2::ffff").status == 303)
            // When a third comes from another address of that /64, in yet another browser
            let refused = try await beginFromFreshBrowser(app, forwardedFor: "2001:db8:1:2:aaaa::5")
            // Then it is told to wait (429, Retry-After: one every 300 s), and nothing is pending for it
            #expect(refused.status == 429)
            // (whole seconds, rounded up: the store keeps microseconds, and the clock started at no whole second)
            let retryAfter = try #require(refused.response.headerValue("retry-after").flatMap { Int($0) })
            #expect((300...301).contains(retryAfter))
            #expect(refused.text.contains("Too many sign-ins with Twitter were started from your address"))
            #expect(pending() == 2)
            // And the next /64 is another client
            #expect(try await beginFromFreshBrowser(app, forwardedFor: "2001:db8:1:3::1").status == 303)
            // And an IPv4-mapped IPv6 address is its IPv4 address
            #expect(try await beginFromFreshBrowser(app, forwardedFor: "198.51.100.7").status == 303)
            #expect(try await beginFromFreshBrowser(app, forwardedFor: "::ffff:198.51.100.7").status == 303)
            #expect(try await beginFromFreshBrowser(app, forwardedFor: "198.51.100.7").status == 429)
            #expect(pending() == 5)
            // And a port after the address, brackets, or the address inside a NAT64 one change nothing
            #expect(try await beginFromFreshBrowser(app, forwardedFor: "198.51.100.7:4711").status == 429)
            #expect(try await beginFromFreshBrowser(app, forwardedFor: "64:ff9b::198.51.100.7").status == 429)
            #expect(try await beginFromFreshBrowser(app, forwardedFor: "[2001:db8:1:2::77]:443").status == 429)
            // And a request without the header, or with no address last in it, counts as the peer, not the session
            #expect(try await beginFromFreshBrowser(app).status == 303)
            #expect(try await beginFromFreshBrowser(app, forwardedFor: "198.51.100.9, unknown").status == 303)
            #expect(try await beginFromFreshBrowser(app, forwardedFor: "010.0.0.1").status == 429)
            #expect(try await beginFromFreshBrowser(app, forwardedFor: "2001:db8:1:2:+a::1").status == 429)
            #expect(pending() == 7)
            // And the log names the limit, not the address, in one line for the seven refusals of this minute
            let log = app.logLines.value.joined(separator: "\n")
            #expect(app.logLines.value.filter { $0.contains("too many begun") }.count == 1)
            #expect(!log.contains("198.51.100.7") && !log.contains("2001:db8"))
            // And a minute on, the next refusal's line counts itself and the six not logged
            app.clock.advance(by: 60)
            #expect(try await beginFromFreshBrowser(app, forwardedFor: "198.51.100.7").status == 429)
            let lines = app.logLines.value.filter { $0.contains("too many begun") }
            #expect(lines.count == 2)
            #expect(lines.last?.contains(#"key: "registration.refusals", value: 7)"#) == true, "\(lines.last ?? "")")
        }
    }

    @Test func theSlash64sOfOneSlash48ShareTheNetworksLimitIPv4AddressesHaveNone() async throws {
        var routes = AccountRoutes.Configuration()
        routes.clientAddressHeader = "X-Forwarded-For"
        var registration = RegistrationService.Configuration(callbackURL: "http://invalid.example/callback")
        registration.beginsPerClient = RegistrationService.Rate(2, per: 600)
        registration.beginsPerNetwork = RegistrationService.Rate(3, per: 600)
        registration.beginsInAll = nil
        try await WebApp.run(configuration: routes, registration: registration) { app in
            // Given three /64s of one /48, one sign-in begun from each
            for address in ["2001:db8:5:1::1", "2001:db8:5:2::1", "2001:db8:5:3::1"] {
                #expect(try await beginFromFreshBrowser(app, forwardedFor: address).status == 303)
            }
            // When a fourth /64 of it begins one
            let refused = try await beginFromFreshBrowser(app, forwardedFor: "2001:db8:5:ffff::1")
            // Then the /48 is full (429, one more every 200 s)
            #expect(refused.status == 429)
            #expect(refused.text.contains("Too many sign-ins with Twitter were started from your network"))
            let retryAfter = try #require(refused.response.headerValue("retry-after").flatMap { Int($0) })
            #expect((200...201).contains(retryAfter))
            // And another /48 is another network, and IPv4 addresses (one /24 here) belong to none
            #expect(try await beginFromFreshBrowser(app, forwardedFor: "2001:db8:6:1::1").status == 303)
            for last in 1...4 {
                #expect(try await beginFromFreshBrowser(app, forwardedFor: "198.51.100.\(last)").status == 303)
            }
            #expect(countQuery(app.databasePath, "SELECT count(*) FROM pending_authorizations") == 8)
        }
    }

    @Test func withoutAProxyHeaderTwitterSignInsCountByThePeersAddressNotTheSession() async throws {
        var registration = RegistrationService.Configuration(callbackURL: "http://invalid.example/callback")
        registration.beginsPerClient = RegistrationService.Rate(2, per: 600)
        try await WebApp.run(registration: registration) { app in
            // Given two sign-ins begun from 127.0.0.1, each in a fresh browser
            #expect(try await beginFromFreshBrowser(app).status == 303)
            #expect(try await beginFromFreshBrowser(app).status == 303)
            // When a third browser on that address begins one, an X-Forwarded-For it wrote itself ignored
            let refused = try await beginFromFreshBrowser(app, forwardedFor: "192.0.2.77")
            // Then it is refused: dropping the cookie does not make a new client
            #expect(refused.status == 429)
            #expect(countQuery(app.databasePath, "SELECT count(*) FROM pending_authorizations") == 2)
        }
    }

    /// The status of a sign-in begun in a fresh browser sending `headers`: 303 let through, 429 refused.
    private func beginStatus(_ app: WebApp, _ headers: [(String, String)]) async throws -> Int {
        var browser = app.browser()
        browser.extraHeaders = headers.map { HTTPHeader(name: $0.0, value: $0.1) }
        return try await browser.submit("/", to: "/login/twitter", []).status
    }

    /// Limits of one sign-in per client and no other limit.
    private static let oneBeginPerClient: RegistrationService.Configuration = {
        var registration = RegistrationService.Configuration(callbackURL: "http://invalid.example/callback")
        registration.beginsPerClient = RegistrationService.Rate(1, per: 600)
        registration.beginsPerNetwork = nil
        registration.beginsInAll = nil
        return registration
    }()

    @Test func behindTrustedProxiesTheFirstAddressNoTrustedProxyHoldsIsTheClient() async throws {
        var routes = AccountRoutes.Configuration()
        routes.clientAddressHeader = "X-Forwarded-For"
        // The app's peer is 127.0.0.1: a proxy on the same host, then a load balancer in 10.1.0.0/16
        routes.trustedProxies = [
            try AccountRoutes.AddressRange("127.0.0.1"), try AccountRoutes.AddressRange("10.1.0.0/16"),
        ]
        try await WebApp.run(configuration: routes, registration: Self.oneBeginPerClient) { app async throws in
            let xff = "X-Forwarded-For"
            // Given a browser at 203.0.113.5 that begins a sign-in through the load balancer and the proxy
            #expect(try await beginStatus(app, [(xff, "203.0.113.5, 10.1.2.3")]) == 303)
            // When it tries again writing an address of its own before its real one, or one of the load balancer's
            // range, or sends the header twice
            #expect(try await beginStatus(app, [(xff, "198.51.100.1, 203.0.113.5, 10.1.2.3")]) == 429)
            #expect(try await beginStatus(app, [(xff, "10.1.9.9, 203.0.113.5, 10.1.2.3")]) == 429)
            #expect(try await beginStatus(app, [(xff, "192.0.2.1"), (xff, "203.0.113.5"), (xff, "10.1.2.4")]) == 429)
            // Then it is still 203.0.113.5, refused; another address is another client
            #expect(try await beginStatus(app, [(xff, "203.0.113.6, 10.1.2.3")]) == 303)
            // And with every address trusted, the first counts
            #expect(try await beginStatus(app, [(xff, "10.1.7.7, 10.1.2.3")]) == 303)
            #expect(try await beginStatus(app, [(xff, "10.1.7.7")]) == 429)
            // And an address that cannot be read counts the trusted hop that wrote it: here the proxy (127.0.0.1),
            // which no browser can then begin as any more
            #expect(try await beginStatus(app, [(xff, "203.0.113.7, unknown")]) == 303)
            #expect(try await beginStatus(app, []) == 429)
            #expect(try await beginStatus(app, [(xff, "garbage")]) == 429)
            // And the load balancer's unreadable entry counts the load balancer, whatever came before it
            #expect(try await beginStatus(app, [(xff, "203.0.113.8, _hidden, 10.1.5.5")]) == 303)
            #expect(try await beginStatus(app, [(xff, "10.1.5.5")]) == 429)
            #expect(countQuery(app.databasePath, "SELECT count(*) FROM pending_authorizations") == 5)
        }
    }

    @Test func aPeerThatIsNoTrustedProxyIsTheClientWhateverItsHeaderSays() async throws {
        var routes = AccountRoutes.Configuration()
        routes.clientAddressHeader = "X-Forwarded-For"
        routes.trustedProxies = [try AccountRoutes.AddressRange("192.0.2.0/24"), try AccountRoutes.AddressRange("::1")]
        try await WebApp.run(configuration: routes, registration: Self.oneBeginPerClient) { app async throws in
            // Given a browser reaching the app directly from 127.0.0.1, no trusted proxy
            #expect(try await beginStatus(app, [("X-Forwarded-For", "203.0.113.5")]) == 303)
            // When it sends another address in the header
            // Then it is still 127.0.0.1
            #expect(try await beginStatus(app, [("X-Forwarded-For", "203.0.113.6")]) == 429)
            #expect(try await beginStatus(app, []) == 429)
            #expect(countQuery(app.databasePath, "SELECT count(*) FROM pending_authorizations") == 1)
        }
    }

    @Test func theForwardedHeaderIsReadByItsForParameters() async throws {
        var routes = AccountRoutes.Configuration()
        routes.clientAddressHeader = "Forwarded"
        routes.trustedProxies = AccountRoutes.AddressRange.loopbackAndPrivate
        try await WebApp.run(configuration: routes, registration: Self.oneBeginPerClient) { app async throws in
            // Given a sign-in begun by 2001:db8:cafe::17, quoted with its port as RFC 7239 writes it
            #expect(try await beginStatus(app, [("Forwarded", #"for="[2001:db8:cafe::17]:4711";proto=https"#)]) == 303)
            // When the same /64 comes through another proxy, the parameter written in other case and order
            #expect(
                try await beginStatus(app, [("Forwarded", "proto=http;For=\"[2001:db8:cafe::99]\", for=10.0.0.2")])
                    == 429)
            // Then it is refused; a browser writing `for=` of its own before it does not escape
            #expect(try await beginStatus(app, [("forwarded", "for=192.0.2.1, for=\"[2001:db8:cafe::1]\"")]) == 429)
            // And an IPv4 client is another, and `X-Forwarded-For` is not read
            #expect(try await beginStatus(app, [("Forwarded", "for=192.0.2.60;by=10.0.0.1")]) == 303)
            #expect(
                try await beginStatus(app, [("Forwarded", "for=192.0.2.60"), ("X-Forwarded-For", "192.0.2.61")]) == 429)
            // And an obfuscated port is dropped as a number is, after an IPv6 address as after an IPv4 one
            #expect(try await beginStatus(app, [("Forwarded", #"for="[2001:db8:beef::1]:_p-1""#)]) == 303)
            #expect(try await beginStatus(app, [("Forwarded", #"for="[2001:db8:beef::2]:4711""#)]) == 429)
            #expect(try await beginStatus(app, [("Forwarded", #"for="192.0.2.60:_p-1""#)]) == 429)
            // And an obfuscated identifier counts the proxy that wrote it
            #expect(try await beginStatus(app, [("Forwarded", "for=_gazonk")]) == 303)
            #expect(try await beginStatus(app, [("Forwarded", "for=unknown")]) == 429)
            #expect(countQuery(app.databasePath, "SELECT count(*) FROM pending_authorizations") == 4)
        }
    }

    @Test func aTrustedProxyWrittenInIPv4MappedFormIsTrustedOnAnIPv4Socket() async throws {
        var routes = AccountRoutes.Configuration()
        routes.clientAddressHeader = "X-Forwarded-For"
        // The app listens on 127.0.0.1, so its peer is 127.0.0.1 as 4 bytes, not ::ffff:127.0.0.1
        routes.trustedProxies = [try AccountRoutes.AddressRange("::ffff:127.0.0.0/104")]
        try await WebApp.run(configuration: routes, registration: Self.oneBeginPerClient) { app async throws in
            // Given a sign-in begun by 203.0.113.5 through the proxy
            #expect(try await beginStatus(app, [("X-Forwarded-For", "203.0.113.5")]) == 303)
            // When 203.0.113.6 begins one, then 203.0.113.5 again
            // Then the first is let through, the second refused: the proxy is trusted
            #expect(try await beginStatus(app, [("X-Forwarded-For", "203.0.113.6")]) == 303)
            #expect(try await beginStatus(app, [("X-Forwarded-For", "203.0.113.5")]) == 429)
        }
    }

    @Test func aCharacterJoiningTheProxysCommaDoesNotHideTheClient() async throws {
        var routes = AccountRoutes.Configuration()
        try routes.trustProxies()
        try await WebApp.run(configuration: routes, registration: Self.oneBeginPerClient) { app async throws in
            // Given a sign-in begun by 203.0.113.5 through the proxy
            #expect(try await beginStatus(app, [("X-Forwarded-For", "203.0.113.5")]) == 303)
            // When it ends a header of its own with U+0600, a prepend character: one `Character` with the comma the
            // proxy adds after it
            // Then it is still 203.0.113.5, refused, not the proxy, which still has its own begin
            #expect(try await beginStatus(app, [("X-Forwarded-For", "x\u{600}, 203.0.113.5")]) == 429)
            #expect(try await beginStatus(app, []) == 303)
        }
    }

    @Test func aQuotedStringInForwardedIsOneValueAndOneLeftOpenSwallowsNothing() async throws {
        var routes = AccountRoutes.Configuration()
        routes.clientAddressHeader = "Forwarded"
        routes.trustedProxies = [try AccountRoutes.AddressRange("127.0.0.1")]
        try await WebApp.run(configuration: routes, registration: Self.oneBeginPerClient) { app async throws in
            // Given sign-ins begun by 192.0.2.9 and 192.0.2.10
            #expect(try await beginStatus(app, [("Forwarded", "for=192.0.2.9")]) == 303)
            #expect(try await beginStatus(app, [("Forwarded", "for=192.0.2.10")]) == 303)
            // When a proxy's element quotes text a browser at 203.0.113.5 chose, with a comma and `for=` in it
            // Then the client is 203.0.113.5, let through, refused the second time
            let quoting = #"proto=http;host="a,for=192.0.2.9;x=";for=203.0.113.5"#
            #expect(try await beginStatus(app, [("Forwarded", quoting)]) == 303)
            #expect(try await beginStatus(app, [("Forwarded", "for=203.0.113.5")]) == 429)
            // And a quoted string a browser leaves open before the proxy's element, or an escaped quote, swallows
            // nothing
            #expect(try await beginStatus(app, [("Forwarded", #"for="192.0.2.1, for=192.0.2.10"#)]) == 429)
            #expect(try await beginStatus(app, [("Forwarded", #"x="\", for=192.0.2.10"#)]) == 429)
            #expect(try await beginStatus(app, [("Forwarded", #"x="\\", for=192.0.2.11"#)]) == 303)
            // And a quoted address is read with its escapes undone
            #expect(try await beginStatus(app, [("Forwarded", #"for="[2001:db8:\:1]""#)]) == 303)
            #expect(try await beginStatus(app, [("Forwarded", #"for="[2001:db8::1]""#)]) == 429)
        }
    }

    @Test func aTrustedProxyRangeIsReadAsWrittenOrRefusedNamingTheText() throws {
        // Given ranges as an operator writes them
        let written = [
            "10.0.0.0/8", "192.0.2.1", "2001:db8::/32", "::1", "2001:DB8:0:0:1::/80", "0.0.0.0/0", "::/0",
            "::FFFF:a00:0/104", "::ffff:0:0/96", "172.16.0.0/12",
        ]
        // Then each reads back in CIDR notation (RFC 5952 for IPv6)
        #expect(
            try written.map { try AccountRoutes.AddressRange($0).description } == [
                "10.0.0.0/8", "192.0.2.1/32", "2001:db8::/32", "::1/128", "2001:db8:0:0:1::/80", "0.0.0.0/0", "::/0",
                "::ffff:10.0.0.0/104", "::ffff:0.0.0.0/96", "172.16.0.0/12",
            ])
        #expect(
            AccountRoutes.AddressRange.loopbackAndPrivate.map(\.description) == [
                "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "::1/128", "fc00::/7",
            ])
        // And text that is no range is refused, the error naming it and saying what is wrong
        let refusals: [(String, AccountRoutes.AddressRangeError)] = [
            ("10.0.0.0/33", .badPrefixLength("10.0.0.0/33", maximum: 32)),
            ("2001:db8::/129", .badPrefixLength("2001:db8::/129", maximum: 128)),
            ("10.0.0.0/", .badPrefixLength("10.0.0.0/", maximum: 32)),
            ("10.0.0.0/+8", .badPrefixLength("10.0.0.0/+8", maximum: 32)),
            ("10.1.2.3/8", .bitsPastThePrefix("10.1.2.3/8", range: "10.0.0.0/8")),
            ("2001:db8::1/64", .bitsPastThePrefix("2001:db8::1/64", range: "2001:db8::/64")),
            ("10.0.0.256", .notAnAddress("10.0.0.256")),
            ("localhost", .notAnAddress("localhost")),
            ("fe80::1%eth0", .notAnAddress("fe80::1%eth0")),
            ("", .notAnAddress("")),
        ]
        for (text, expected) in refusals {
            #expect(throws: expected) { try AccountRoutes.AddressRange(text) }
        }
        #expect(
            AccountRoutes.AddressRangeError.bitsPastThePrefix("10.1.2.3/8", range: "10.0.0.0/8").description
                == #""10.1.2.3/8" has address bits set past its prefix: the range is written 10.0.0.0/8"#)
    }

    /// Signs Ada up with email (`ada`, `ada@example.org`, ``password``) in `browser`, then signs out.
    private func signUpAdaThenSignOut(_ browser: inout Browser) async throws {
        _ = try await browser.submit(
            "/signup", to: "/signup", [("username", "ada"), ("email", "ada@example.org"), ("password", Self.password)])
        _ = try await browser.submit("/account", to: "/sign-out", [])
    }

    /// `+news@gmail.com` passes the address rules but has no mailbox once Gmail's `+tag` is removed: the sign-up page
    /// names the email (422, input kept), not "Something went wrong" (500).
    @Test func signUpWithAnAddressThatHasNoMailboxLeftNamesTheEmail() async throws {
        try await WebApp.run { app in
            var browser = app.browser()
            let page = try await browser.submit(
                "/signup", to: "/signup",
                [("username", "ada"), ("email", "+news@gmail.com"), ("password", Self.password)])
            #expect(page.status == 422)
            #expect(page.text.contains("id=\"email-error\">has no mailbox name once the provider"))
            #expect(page.text.contains("value=\"+news@gmail.com\""))
            #expect(try await app.store.accountCount() == 0)
        }
    }

    @Test func aPasswordCoolDownAnswers429WithRetryAfter() async throws {
        try await WebApp.run { app in
            var browser = app.browser()
            try await signUpAdaThenSignOut(&browser)
            // Given ten wrong passwords for ada, a minute apart
            for _ in 0..<10 {
                let wrong = try await browser.submit("/login", to: "/login", [("login", "ada"), ("password", "nope")])
                #expect(wrong.status == 401 && wrong.response.headerValue("retry-after") == nil)
                app.clock.advance(by: 60)
            }
            // When another comes
            let refused = try await browser.submit("/login", to: "/login", [("login", "ada"), ("password", "nope")])
            // Then the answer is 429, and Retry-After is when the first failure leaves the 15-minute window, 300 s on
            #expect(refused.status == 429 && refused.text.contains("Too many failed attempts"))
            // (whole seconds, rounded up: the store keeps microseconds, and the clock started at no whole second)
            let retryAfter = try #require(refused.response.headerValue("retry-after").flatMap { Int($0) })
            #expect((300...301).contains(retryAfter))
        }
    }

    // MARK: - CSRF

    enum Forgery: String, CaseIterable, Sendable {
        case missingToken, wrongToken, otherSessionsToken, foreignOrigin, sameHostOtherScheme
    }

    @Test(arguments: Forgery.allCases)
    func postsWithoutThisSessionsTokenAreRefusedAndChangeNothing(_ forgery: Forgery) async throws {
        try await WebApp.run { app in
            // Given a browser with a session and another browser with its own
            var browser = app.browser()
            let form = try await browser.get("/signup")
            var other = app.browser()
            let otherToken = try #require(try await other.get("/signup").csrfToken)
            let before = try databaseDump(app.databasePath)
            let fields = [
                ("username", "eve"), ("email", "eve@example.org"), ("password", Self.password),
            ]

            // When a sign-up is posted without this session's token (or from another site)
            let page: Page
            switch forgery {
            case .missingToken: page = try await browser.post("/signup", fields)
            case .wrongToken:
                page = try await browser.post("/signup", [("csrf_token", String(repeating: "0", count: 64))] + fields)
            case .otherSessionsToken: page = try await browser.post("/signup", [("csrf_token", otherToken)] + fields)
            case .foreignOrigin:
                page = try await browser.post(
                    "/signup", [("csrf_token", try #require(form.csrfToken))] + fields, origin: "http://evil.example")
            case .sameHostOtherScheme:
                page = try await browser.post(
                    "/signup", [("csrf_token", try #require(form.csrfToken))] + fields,
                    origin: "https://\(app.base.host!):\(app.base.port!)")
            }

            // Then it is refused and nothing changed
            #expect(page.status == 403)
            #expect(page.text.contains("This form has expired"))
            #expect(try databaseDump(app.databasePath) == before)
            #expect(try await app.store.accountCount() == 0)
        }
    }

    /// The `Origin` check compares the scheme too: a page served over plain HTTP, which anyone on the network can
    /// rewrite, cannot post to the HTTPS site; an HTTPS page posting to a request that arrived as plain HTTP is
    /// refused as well, and the log says how to fix the proxy set-up that usually causes it.
    @Test func theOriginsSchemeMustBeTheRequests() async throws {
        try await WebApp.run { app in
            let hostAndPort = "\(app.base.host!):\(app.base.port!)"
            // An HTTPS site (a trusted proxy says so) and a page of it over plain HTTP
            var https = app.browser()
            https.forwardedProto = "https"
            let form = try await https.get("/signup")
            let fields = [("username", "eve"), ("email", "eve@example.org"), ("password", Self.password)]
            let fromHTTP = try await https.post(
                "/signup", [("csrf_token", try #require(form.csrfToken))] + fields, origin: "http://\(hostAndPort)")
            #expect(fromHTTP.status == 403)
            #expect(!app.logLines.value.contains { $0.contains("TLS-terminating proxy") })
            // A plain-HTTP site and a page that says it is HTTPS: refused, with the likely cause in the log
            var plain = app.browser()
            let plainForm = try await plain.get("/signup")
            let fromHTTPS = try await plain.post(
                "/signup", [("csrf_token", try #require(plainForm.csrfToken))] + fields,
                origin: "https://\(hostAndPort)")
            #expect(fromHTTPS.status == 403)
            let warnings = app.logLines.value.filter { $0.contains("TLS-terminating proxy") }
            #expect(warnings.count == 1 && warnings[0].hasPrefix("warning "), "\(warnings)")
            #expect(try await app.store.accountCount() == 0)
            // While the same form with its own scheme's Origin goes through
            let signedUp = try await https.post("/signup", [("csrf_token", try #require(form.csrfToken))] + fields)
            #expect(signedUp.location == "/account?notice=registered")
        }
    }

    @Test func everyPostRouteChecksTheToken() async throws {
        try await WebApp.run { app in
            var browser = app.browser()
            _ = try await browser.get("/")
            let before = try databaseDump(app.databasePath)
            for path in [
                "/register/twitter", "/login/twitter", "/account/twitter/link", "/register/complete",
                "/register/existing",
                "/register/link", "/signup", "/login", "/sign-out", "/account/twitter/unlink",
                "/account/sign-out-everywhere", "/account/delete", "/account/sessions/end",
            ] {
                let page = try await browser.post(path, [("csrf_token", "forged")], origin: "http://evil.example")
                #expect(page.status == 403, "\(path)")
                // (Sign-out without a stored session checks only where the form came from: there is no session
                // to protect)
                if path != "/sign-out" {
                    #expect(try await browser.post(path, [("csrf_token", "forged")]).status == 403, "\(path)")
                }
            }
            do {  // (the ids compared into a Bool: a failing #expect prints its operands, and an id is the session)
                let holds = browser.sessionID != nil
                #expect(holds)
            }
            #expect(try databaseDump(app.databasePath) == before)
        }
    }

    // MARK: - Sign-in rotates the session

    @Test func pagesViewedWithoutSigningInWriteNothing() async throws {
        try await WebApp.run { app in
            let before = try databaseDump(app.databasePath)
            // Given a client that keeps no cookies, viewing pages
            var tokens: Set<String> = []
            for path in Array(repeating: ["/", "/login", "/signup"], count: 10).joined() {
                var crawler = app.browser()
                let page = try await crawler.get(path)
                do {  // (the ids compared into a Bool: a failing #expect prints its operands, and an id is the session)
                    let holds = page.status == 200 && crawler.sessionID != nil
                    #expect(holds, "\(path)")
                }
                tokens.insert(try #require(page.csrfToken))
            }
            // And a browser that keeps its cookie
            var browser = app.browser()
            let first = try await browser.get("/signup")
            let id = try #require(browser.sessionID)
            let second = try await browser.get("/login")
            // Then the database did not change: no session rows for visitors
            #expect(try databaseDump(app.databasePath) == before)
            // And each fresh visitor had a token of its own, while the browser keeps one id and one token
            #expect(tokens.count == 30)
            let token = try #require(second.csrfToken)
            let keepsItsToken = first.csrfToken == token && !tokens.contains(token)
            #expect(keepsItsToken, "the browser's CSRF token changed, or a fresh visitor was given it")
            do {  // (the ids compared into a Bool: a failing #expect prints its operands, and an id is the session)
                let holds = second.setCookies.isEmpty && browser.sessionID == id
                #expect(holds)
            }
            // And its forms work: signing up stores one session, under a new id
            let done = try await browser.submit(
                "/signup", to: "/signup",
                [("username", "ada"), ("email", "ada@example.org"), ("password", "correct horse battery")])
            #expect(done.status == 303 && done.location == "/account?notice=registered")
            do {  // (the ids compared into a Bool: a failing #expect prints its operands, and an id is the session)
                let holds = browser.sessionID != id
                #expect(holds)
            }
            #expect(countQuery(app.databasePath, "SELECT count(*) FROM browser_sessions") == 1)
            #expect(try await browser.get("/whoami").text == "ada")
        }
    }

    @Test func signingInRotatesTheSessionIdAndTheOldOneIsWorthless() async throws {
        try await WebApp.run { app in
            // Given an anonymous session
            var browser = app.browser()
            _ = try await browser.get("/")
            let anonymous = try #require(browser.sessionID)

            // When signing up (which signs in)
            let done = try await browser.submit(
                "/signup", to: "/signup",
                [("username", "ann"), ("email", "ann@example.org"), ("password", Self.password)])

            // Then the id changed, the new one is signed in, and the old one is not
            #expect(done.status == 303 && done.location == "/account?notice=registered")
            let signedIn = try #require(browser.sessionID)
            #expect(signedIn != anonymous)
            let account = try await browser.get("/account")
            #expect(account.status == 200)
            #expect(account.text.contains("Signed in as <strong id=\"username\">ann</strong>"))
            #expect(account.text.contains(">Sign out</button>"))
            var thief = app.browser()
            thief.cookies["accounts_session"] = anonymous
            let stolen = try await thief.get("/account")
            #expect(stolen.status == 303 && stolen.location == "/login?notice=sign_in_first")

            // And password log-in rotates again
            _ = try await browser.submit("/account", to: "/sign-out", [])
            do {  // (the ids compared into a Bool: a failing #expect prints its operands, and an id is the session)
                let holds = browser.sessionID == nil
                #expect(holds)
            }
            let login = try await browser.submit(
                "/login", to: "/login", [("login", "ANN@example.org"), ("password", Self.password)])
            #expect(login.status == 303)
            do {  // (the ids compared into a Bool: a failing #expect prints its operands, and an id is the session)
                let holds = browser.sessionID != nil && browser.sessionID != signedIn
                #expect(holds)
            }
            #expect(try await browser.get("/whoami").text == "ann")
        }
    }

    /// An account whose address is another of the mailbox of the Twitter account's address (here full-width letters,
    /// which NFKC folds: for Gmail, other dots or a `+tag`) is offered as a match, but the page says so: the Twitter
    /// account's address signs in to nothing and a reset asked for it reaches no account, and it is free to register
    /// with. Until session 63 the page said that account used that very address, filled it in as the login and sent
    /// the person to a reset that never came.
    @Test func aMatchByAnotherAddressOfTheMailboxSaysSoAndOffersNotTheTwitterAddress() async throws {
        try await WebApp.run { app in
            var stranger = app.browser()
            let signedUp = try await stranger.submit(
                "/signup", to: "/signup",
                [("username", "other"), ("email", "\u{FF41}da@example.org"), ("password", Self.password)])
            #expect(signedUp.location == "/account?notice=registered")
            var ada = app.browser()
            let arrival = try await ada.viaTwitter("/register/twitter", as: WebApp.ada)
            #expect(arrival.location?.hasPrefix("/register/existing?draft=") == true)
            let existing = try await ada.get(try #require(arrival.location))
            #expect(existing.text.contains("This mailbox already has an account"))
            #expect(existing.text.contains("uses an address that reaches the same mailbox as the email address"))
            #expect(existing.text.contains("id=\"match-other-address\""))
            #expect(existing.text.contains("The Twitter account's address is not taken"))
            #expect(!existing.text.contains("value=\"ada@example.org\""))
            #expect(existing.text.contains("(with this email address or another)"))
            // And the address is hers to register with
            let draft = try #require(arrival.draftInLocation)
            let details = try await ada.get("/register/details?draft=\(draft)")
            let done = try await ada.post(
                "/register/complete",
                [
                    ("csrf_token", try #require(details.csrfToken)), ("draft", draft), ("username", "ada"),
                    ("email", "ada@example.org"),
                ])
            #expect(done.location == "/account?notice=registered", "\(done.status) \(done.text)")
        }
    }

    /// When the mailbox holds the Twitter account's address itself and another address of it, the account with the
    /// address itself is the one offered, whatever the usernames' order: until session 63 `aaa` (the other address)
    /// was, and the page said the address was free to register with, which registration then refused.
    @Test func theAccountWithTheTwitterAddressItselfIsOfferedBeforeAnotherOfItsMailbox() async throws {
        try await WebApp.run { app in
            for (username, email) in [("zed", "ada@example.org"), ("aaa", "\u{FF41}da@example.org")] {
                var browser = app.browser()
                let made = try await browser.submit(
                    "/signup", to: "/signup", [("username", username), ("email", email), ("password", Self.password)])
                #expect(made.location == "/account?notice=registered")
            }
            var ada = app.browser()
            let arrival = try await ada.viaTwitter("/register/twitter", as: WebApp.ada)
            let existing = try await ada.get(try #require(arrival.location))
            #expect(existing.text.contains("This email already has an account"))
            #expect(existing.text.contains("value=\"ada@example.org\""))
            #expect(!existing.text.contains("match-other-address") && !existing.text.contains("is not taken"))
            #expect(existing.text.contains("(with another email address)"))
            // and signing in to it links there
            let draft = try #require(arrival.draftInLocation)
            let signedIn = try await ada.post(
                "/register/existing",
                [
                    ("csrf_token", try #require(existing.csrfToken)), ("draft", draft), ("login", "ada@example.org"),
                    ("password", Self.password),
                ])
            #expect(signedIn.location == "/register/link?draft=\(draft)")
        }
    }

    @Test func emailMatchThenPasswordSignInThenLinkCarriesTheDraftAcrossTheRotation() async throws {
        try await WebApp.run { app in
            // Given an email account with Ada's address, signed out
            var browser = app.browser()
            try await signUpAdaThenSignOut(&browser)

            // When Ada arrives through Twitter
            let arrival = try await browser.viaTwitter("/register/twitter", as: WebApp.ada)

            // Then she is asked to sign in to the existing account, with her Twitter email filled in
            #expect(arrival.status == 303)
            #expect(arrival.location?.hasPrefix("/register/existing?draft=") == true)
            let draft = try #require(arrival.draftInLocation)
            let existing = try await browser.get(try #require(arrival.location))
            #expect(existing.text.contains("This email already has an account"))
            #expect(existing.hiddenValue("draft") == draft)
            #expect(existing.text.contains("value=\"ada@example.org\""))
            #expect(!existing.text.contains("match-has-twitter") && !existing.text.contains("existing-login-twitter"))
            #expect(!existing.text.contains("match-other-address"))
            #expect(existing.text.contains("(with another email address)"))

            // A wrong password keeps her there
            let wrong = try await browser.post(
                "/register/existing",
                [
                    ("csrf_token", existing.csrfToken!), ("draft", draft), ("login", "ada"),
                    ("password", "nope nope nope"),
                ])
            #expect(wrong.status == 401 && wrong.text.contains("Wrong username, email or password."))

            // The right one signs her in on a new session id, which still owns the draft
            let before = browser.sessionID
            let signedIn = try await browser.post(
                "/register/existing",
                [("csrf_token", existing.csrfToken!), ("draft", draft), ("login", "ada"), ("password", Self.password)])
            #expect(signedIn.status == 303 && signedIn.location == "/register/link?draft=\(draft)")
            do {  // (the ids compared into a Bool: a failing #expect prints its operands, and an id is the session)
                let holds = browser.sessionID != before
                #expect(holds)
            }
            let confirm = try await browser.get(try #require(signedIn.location))
            #expect(confirm.status == 200 && confirm.text.contains("Link your Twitter account?"))

            // And confirming links Twitter to her account
            let linked = try await browser.post(
                "/register/link", [("csrf_token", confirm.csrfToken!), ("draft", draft)])
            #expect(linked.status == 303 && linked.location == "/account?notice=linked")
            let account = try #require(try await app.store.account(.username("ada")))
            #expect(account.twitter?.userID == TwitterUserID(WebApp.ada))
            #expect(try await app.store.accountCount() == 1)
            let page = try await browser.get("/account?notice=linked")
            #expect(page.text.contains("@<span id=\"twitter-screen-name\" dir=\"auto\">"))
            #expect(page.text.contains("class=\"event-kind\">linked<"))
        }
    }

    /// "Sign in to link" signs in whichever account the login and password name. Bob's does not use the address of
    /// Ada's Twitter account, so the draft stays behind (nothing is linked, as no draft is planted on an account
    /// that does not share its mailbox): the account page says he is signed in and nothing was linked, not that the
    /// registration expired or was started in another browser.
    @Test func signingInToLinkWithAnotherAccountSaysNothingWasLinked() async throws {
        try await WebApp.run { app in
            var browser = app.browser()
            try await signUpAdaThenSignOut(&browser)
            var bob = app.browser()
            _ = try await bob.submit(
                "/signup", to: "/signup",
                [("username", "bob"), ("email", "bob@example.org"), ("password", Self.password)])
            #expect(try await app.store.accountCount() == 2)

            let arrival = try await browser.viaTwitter("/register/twitter", as: WebApp.ada)
            #expect(arrival.location?.hasPrefix("/register/existing?draft=") == true)
            let draft = try #require(arrival.draftInLocation)
            let existing = try await browser.get(try #require(arrival.location))
            let before = browser.sessionID
            let signedIn = try await browser.post(
                "/register/existing",
                [
                    ("csrf_token", try #require(existing.csrfToken)), ("draft", draft), ("login", "bob"),
                    ("password", Self.password),
                ])

            #expect(signedIn.status == 303 && signedIn.location == "/account?notice=link_not_carried")
            do {  // (the ids compared into a Bool: a failing #expect prints its operands, and an id is the session)
                let holds = browser.sessionID != nil && browser.sessionID != before
                #expect(holds)
            }
            let account = try await browser.get(try #require(signedIn.location))
            #expect(account.status == 200)
            #expect(account.text.contains("Signed in as <strong id=\"username\">bob</strong>"))
            #expect(
                account.text.contains(
                    "You are signed in to this account, and nothing was linked: it does not use the email address of "
                        + "that Twitter account."))
            #expect(!account.text.contains("no longer open"))
            #expect(try await browser.get("/whoami").text == "bob")
            #expect(try await app.store.account(.username("ada"))?.twitter == nil)
            #expect(try await app.store.account(.username("bob"))?.twitter == nil)
            // (the draft was not carried: this session cannot link it)
            let link = try await browser.get("/register/link?draft=\(draft)")
            #expect(link.status == 303 && link.location == "/?notice=registration_closed")
        }
    }

    /// The account sharing Ada's mailbox holds Zoë's Twitter account already: the page says so before asking for the
    /// password, and signing in leads to the account page's "unlink it first", not to a confirmation that could only
    /// be refused. Nothing is linked.
    @Test func anEmailMatchThatHoldsAnotherTwitterAccountIsToldBeforeThePassword() async throws {
        try await WebApp.run { app in
            var owner = try await PasswordSettingsRoutesTests.signUpAdaAndLinkZoe(app)
            _ = try await owner.submit("/account", to: "/sign-out", [])

            var browser = app.browser()
            let arrival = try await browser.viaTwitter("/register/twitter", as: WebApp.ada)
            #expect(arrival.location?.hasPrefix("/register/existing?draft=") == true)
            let draft = try #require(arrival.draftInLocation)
            let existing = try await browser.get(try #require(arrival.location))
            #expect(existing.status == 200)
            #expect(existing.text.contains("id=\"match-has-twitter\""))
            #expect(existing.text.contains("is linked to another Twitter account"))
            #expect(existing.text.contains("id=\"existing-login-twitter\""))
            #expect(!existing.text.contains("zoe_angstrom"), "the other Twitter account is not named")
            // Its "Log in with Twitter" asks Twitter for its log-in form: the browser is signed in there as the
            // Twitter account it just used, which Twitter would otherwise send straight back here
            #expect(existing.text.contains(#"<input type="hidden" name="force_login" value="1">"#))
            let other = try await browser.post(
                "/login/twitter", [("csrf_token", try #require(existing.csrfToken)), ("force_login", "1")])
            #expect(other.status == 303 && other.location?.contains("force_login=true") == true)

            let signedIn = try await browser.post(
                "/register/existing",
                [
                    ("csrf_token", try #require(existing.csrfToken)), ("draft", draft), ("login", "ada"),
                    ("password", Self.password),
                ])
            #expect(signedIn.status == 303 && signedIn.location == "/register/link?draft=\(draft)")
            let link = try await browser.get(try #require(signedIn.location))
            #expect(link.status == 303 && link.location == "/account?notice=already_linked")
            let account = try await browser.get(try #require(link.location))
            #expect(account.text.contains("This account already has a linked Twitter account; unlink it first."))
            #expect(try await app.store.account(.username("ada"))?.twitter?.userID == TwitterUserID(WebApp.zoe))
            #expect(try await app.store.accountCount() == 1)
        }
    }

    // MARK: - Callback refusals

    @Test func badCallbacksSendThePersonBackToTheStartAndWriteNothing() async throws {
        try await WebApp.run { app in
            var browser = app.browser()
            _ = try await browser.get("/")

            // Opened directly, without parameters
            let direct = try await browser.get("/register/twitter/callback")
            #expect(direct.status == 303 && direct.location == "/?notice=missing_parameter")
            let home = try await browser.get(try #require(direct.location))
            #expect(
                home.text.contains(RestartReason.missingParameter.message.replacingOccurrences(of: "'", with: "&#39;")))

            // Cancelled at the consent page
            let cancelled = try await browser.viaTwitter("/register/twitter", as: nil)
            #expect(cancelled.status == 303 && cancelled.location == "/?notice=denied")
            #expect(try await browser.get("/?notice=denied").text.contains("You cancelled signing in with Twitter."))

            // A callback another browser session started
            var other = app.browser()
            let begin = try await other.submit("/", to: "/login/twitter", [])
            let authorize = try #require(begin.location.flatMap(URL.init(string:)))
            let token = try #require(
                URLComponents(url: authorize, resolvingAgainstBaseURL: false)?.queryItems?.first {
                    $0.name == "oauth_token"
                }?.value)
            let decision = try await app.sandbox.submitConsent(token: token, userID: WebApp.zoe, action: "authorize")
            let stolenCallback = try #require(decision.headerValue("location"))
            let before = try databaseDump(app.databasePath)
            let hijack = try await browser.get(stolenCallback)
            #expect(hijack.status == 303 && hijack.location == "/?notice=other_browser_session")
            // Without any cookie
            var stranger = app.browser()
            let noCookie = try await stranger.get(stolenCallback)
            #expect(noCookie.status == 303 && noCookie.location?.hasPrefix("/?notice=") == true)
            #expect(try await app.store.accountCount() == 0)
            #expect(
                try databaseDump(app.databasePath).contains("registration_drafts")
                    == before.contains("registration_drafts"))

            // The rightful browser still finishes, once; a replay goes back to the start
            let rightful = try await other.get(stolenCallback)
            #expect(rightful.status == 303 && rightful.location?.hasPrefix("/register/details?draft=") == true)
            let replay = try await other.get(stolenCallback)
            #expect(replay.status == 303 && replay.location == "/?notice=already_used")
            #expect(try await app.store.accountCount() == 0)

            // A draft id from another session, or made up, sends the person back too
            let draft = try #require(rightful.draftInLocation)
            let foreign = try await browser.get("/register/details?draft=\(draft)")
            #expect(foreign.status == 303 && foreign.location == "/?notice=registration_closed")
            let unknown = try await browser.get("/register/details?draft=nope")
            #expect(unknown.location == "/?notice=registration_closed")
        }
    }

    /// A callback with an altered verifier (the right token) is refused by Twitter: the person is sent back to start
    /// again, as with a replay, not shown a page saying Twitter did not answer; nothing is written.
    @Test func aForgedVerifierSendsThePersonBackToStartAgain() async throws {
        try await WebApp.run { app in
            var browser = app.browser()
            let forged = try await browser.viaTwitter("/register/twitter", as: WebApp.zoe) { callback in
                callback.replacingOccurrences(of: "oauth_verifier=", with: "oauth_verifier=x")
            }
            #expect(forged.status == 303 && forged.location == "/?notice=refused_by_twitter", "\(forged.status)")
            let home = try await browser.get(try #require(forged.location))
            #expect(home.text.contains("That sign-in with Twitter could not be completed. Please start again."))
            #expect(try await app.store.accountCount() == 0)
            #expect(countQuery(app.databasePath, "SELECT count(*) FROM registration_drafts") == 0)
            // (a notice: any client can send a made-up verifier, and refusals clients cause at will are no warnings)
            #expect(app.logLines.value.contains { $0.hasPrefix("notice Twitter refused the callback's verifier") })
        }
    }

    // MARK: - The registration form

    @Test func registrationFormShowsWhatTwitterGaveMarksWhatIsMissingAndKeepsInputWithEveryError() async throws {
        try await WebApp.run { app in
            // Given 山田 太郎, whose Twitter account has no email
            var browser = app.browser()
            let arrival = try await browser.viaTwitter("/register/twitter", as: WebApp.yamada)
            let form = try await browser.get(try #require(arrival.location))

            // Then the form is pre-filled from Twitter (editable), and the missing email is marked
            #expect(form.status == 200)
            #expect(form.text.contains("name=\"username\" value=\"yamada_taro\""))
            #expect(form.text.contains("id=\"username-from-twitter\""))
            #expect(
                form.text.contains("name=\"first_name\" value=\"太郎\"")
                    && form.text.contains("name=\"last_name\" value=\"山田\""))
            #expect(form.text.contains("id=\"email-missing\">missing: required"))
            #expect(!form.text.contains("id=\"email-from-twitter\""))

            // When submitted with two problems (and markup in a name)
            let draft = try #require(form.hiddenValue("draft"))
            let invalid = try await browser.post(
                "/register/complete",
                [
                    ("csrf_token", form.csrfToken!), ("draft", draft), ("username", "bad name!"), ("email", ""),
                    ("first_name", "<b>Taro</b>"), ("last_name", "山田"),
                ])

            // Then both errors show at once, the input is kept (escaped), and nothing is written
            #expect(invalid.status == 422)
            #expect(invalid.text.contains("id=\"username-error\""))
            #expect(invalid.text.contains("id=\"email-error\">is required"))
            #expect(invalid.text.contains("Please fix these 2 problems"))
            #expect(invalid.text.contains("name=\"username\" value=\"bad name!\""))
            #expect(invalid.text.contains("value=\"&lt;b&gt;Taro&lt;/b&gt;\""))
            #expect(!invalid.text.contains("<b>Taro"))
            #expect(try await app.store.accountCount() == 0)

            // And once fixed, the account is made and signed in
            let done = try await browser.post(
                "/register/complete",
                [
                    ("csrf_token", form.csrfToken!), ("draft", draft), ("username", "taro"),
                    ("email", "taro@example.jp"),
                    ("first_name", "太郎"), ("last_name", "山田"),
                ])
            #expect(done.status == 303 && done.location == "/account?notice=registered")
            let account = try await browser.get("/account")
            #expect(account.text.contains("id=\"account-username\">taro<"))
            #expect(account.text.contains("<code>9007199254740993</code>"))
            // A second submit of the same draft cannot make a second account
            let again = try await browser.post(
                "/register/complete",
                [
                    ("csrf_token", try #require(account.csrfToken)), ("draft", draft), ("username", "taro2"),
                    ("email", "taro2@example.jp"),
                ])
            #expect(again.status == 303)
            #expect(try await app.store.accountCount() == 1)
        }
    }

    @Test func logInWithTwitterContinuesIntoRegistrationThenSignsInWithoutANewAccount() async throws {
        try await WebApp.run { app in
            // A Twitter person with no account who chose "Log in with Twitter" lands on the registration form
            var browser = app.browser()
            let first = try await browser.viaTwitter("/login/twitter", as: WebApp.zoe)
            #expect(first.location?.hasPrefix("/register/details?draft=") == true)
            let form = try await browser.get(try #require(first.location))
            _ = try await browser.post(
                "/register/complete",
                [
                    ("csrf_token", form.csrfToken!), ("draft", form.hiddenValue("draft")!), ("username", "zoe"),
                    ("email", "zoe@example.com"), ("first_name", "Zoë"), ("last_name", "Ångström"),
                ])
            _ = try await browser.submit("/account", to: "/sign-out", [])

            // Logging in with Twitter again signs the same account in
            let again = try await browser.viaTwitter("/login/twitter", as: WebApp.zoe)
            #expect(again.status == 303 && again.location == "/account?notice=signed_in")
            #expect(try await browser.get("/whoami").text == "zoe")
            #expect(try await app.store.accountCount() == 1)
        }
    }

    @Test func pagesEscapeWhatTwitterSays() async throws {
        try await WebApp.run { app in
            var browser = app.browser()
            let arrival = try await browser.viaTwitter("/register/twitter", as: WebApp.mallory)
            let form = try await browser.get(try #require(arrival.location))
            #expect(form.status == 200)
            #expect(!form.text.contains("<script>"))
            #expect(form.text.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co"))
            // and isolate it, so that a name written right to left, or with a direction override, cannot reorder the
            // sentence around it (until session 63 `Mal\u{202E}…` reversed the screen name and what followed)
            #expect(
                form.text.contains(
                    "Twitter says you are <strong><bdi>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co</bdi>"
                        + "</strong> (@<bdi>m&lt;script&gt;</bdi>)"))
        }
    }

    // MARK: - Account page

    @Test func accountPageLinksAndUnlinksTwitterAndListsEvents() async throws {
        try await WebApp.run { app in
            var browser = app.browser()
            _ = try await browser.submit(
                "/signup", to: "/signup",
                [("username", "bob"), ("email", "bob@example.org"), ("password", Self.password)])

            // Link from the account page
            let arrival = try await browser.viaTwitter("/account/twitter/link", as: WebApp.zoe, startPage: "/account")
            #expect(arrival.location?.hasPrefix("/register/link?draft=") == true)
            let confirm = try await browser.get(try #require(arrival.location))
            let linked = try await browser.post(
                "/register/link", [("csrf_token", confirm.csrfToken!), ("draft", confirm.hiddenValue("draft")!)])
            #expect(linked.location == "/account?notice=linked")
            var page = try await browser.get("/account")
            #expect(page.text.contains("id=\"twitter-screen-name\" dir=\"auto\">zoe_angstrom<"))
            #expect(page.text.contains("id=\"unlink-twitter\""))
            // And someone signed in through that Twitter account in another browser
            var other = app.browser()
            let viaTwitter = try await other.viaTwitter("/login/twitter", as: WebApp.zoe)
            #expect(viaTwitter.location == "/account?notice=signed_in")
            #expect(try await other.get("/whoami").text == "bob")

            // Unlink: the sessions signed in through Twitter end with it, this one stays
            let stored = try #require(try await app.store.credential(for: TwitterUserID(WebApp.zoe)))
            let unlinked = try await browser.submit("/account", to: "/account/twitter/unlink", [])
            #expect(unlinked.location == "/account?notice=unlinked")
            // and the access token is revoked at Twitter, not only deleted here
            try await PasswordSettingsRoutesTests.expectRevoked(stored, of: WebApp.zoe, app)
            page = try await browser.get("/account")
            #expect(page.text.contains("No Twitter account is linked."))
            #expect(page.text.contains("sessions: <bdi>1</bdi>"))
            #expect(try await other.get("/whoami").text == "nobody")
            #expect(try await browser.get("/whoami").text == "bob")
            for kind in ["created", "linked", "unlinked"] {
                #expect(page.text.contains("class=\"event-kind\">\(kind)<"), "\(kind)")
            }
        }
    }

    /// Revoking the token at Twitter is best effort: when Twitter fails, the unlink stands (the stored copy is gone)
    /// and the failure is logged as a warning, without the token.
    @Test func anUnlinkStandsWhenTwitterCannotRevokeTheToken() async throws {
        try await WebApp.run { app in
            var browser = try await PasswordSettingsRoutesTests.signUpAdaAndLinkZoe(app)
            let stored = try #require(try await app.store.credential(for: TwitterUserID(WebApp.zoe)))
            _ = try await app.sandbox.failNext(
                #"{"endpoint": "invalidate_token", "mode": "server_error", "status": 503}"#)

            let unlinked = try await browser.submit("/account", to: "/account/twitter/unlink", [])

            #expect(unlinked.location == "/account?notice=unlinked")
            #expect(try await app.store.account(.username("ada"))?.twitter == nil)
            #expect(try await app.store.credential(for: TwitterUserID(WebApp.zoe)) == nil)
            let lines = app.logLines.withLock { $0 }
            #expect(lines.contains { $0.contains("could not revoke the twitter access token") })
            let leaked = lines.contains { $0.contains(stored.token) || $0.contains(stored.secret.revealed) }
            #expect(!leaked, "a log line holds the token or its secret")
            // (the token Twitter kept still works: the person can revoke the app in Twitter's settings)
            let token = AccessToken(
                token: stored.token, secret: stored.secret.revealed, userID: WebApp.zoe, screenName: "")
            #expect(try await app.sandbox.client().verifyCredentials(accessToken: token).id == WebApp.zoe)
        }
    }

    /// A Twitter that does not answer holds the unlink's page up for `revocationTimeout` only.
    @Test func aSlowTwitterHoldsTheUnlinkUpForTheRevocationTimeoutOnly() async throws {
        var registration = RegistrationService.Configuration(callbackURL: "http://invalid.example/callback")
        registration.revocationTimeout = .milliseconds(300)
        try await WebApp.run(registration: registration) { app in
            var browser = try await PasswordSettingsRoutesTests.signUpAdaAndLinkZoe(app)
            _ = try await app.sandbox.failNext(#"{"endpoint": "invalidate_token", "mode": "slow", "delay_ms": 40000}"#)
            let page = try await browser.get("/account")
            let started = ContinuousClock.now

            let unlinked = try await browser.post(
                "/account/twitter/unlink", [("csrf_token", try #require(page.csrfToken))])

            // (well under Twitter's 40 s, with room for the test task's resumption, seconds late on a loaded machine)
            #expect(ContinuousClock.now - started < .seconds(20), "the unlink waited for Twitter")
            #expect(unlinked.location == "/account?notice=unlinked")
            #expect(try await app.store.account(.username("ada"))?.twitter == nil)
            #expect(app.logLines.withLock { $0 }.contains { $0.contains("could not revoke the twitter access token") })
        }
    }

    @Test func signOutEverywhereEndsEverySessionOfTheAccount() async throws {
        try await WebApp.run { app in
            // Given one account signed in on two browsers
            var laptop = app.browser()
            _ = try await laptop.submit(
                "/signup", to: "/signup",
                [("username", "cy"), ("email", "cy@example.org"), ("password", Self.password)])
            var phone = app.browser()
            _ = try await phone.submit("/login", to: "/login", [("login", "cy"), ("password", Self.password)])
            #expect(try await phone.get("/whoami").text == "cy")
            let account = try #require(try await app.store.account(.username("cy")))
            #expect(try await app.store.browserSessionCount(of: account.id) == 2)

            // When the laptop signs out everywhere
            let out = try await laptop.submit("/account", to: "/account/sign-out-everywhere", [])

            // Then both are signed out, and the trail says so
            #expect(out.status == 303 && out.location == "/?notice=signed_out_everywhere")
            do {  // (the ids compared into a Bool: a failing #expect prints its operands, and an id is the session)
                let holds = laptop.sessionID == nil
                #expect(holds)
            }
            #expect(try await phone.get("/whoami").text == "nobody")
            #expect(try await app.store.browserSessionCount(of: account.id) == 0)
            let events = try await app.store.events(for: account.id)
            #expect(events.first?.kind == .sessionsRevoked && events.first?.details["sessions"] == "2")
        }
    }

    /// An operator's reason for disabling an account is for the audit trail, not for the person: the account page
    /// shows that the account was disabled and enabled, not the note ("suspected fraud, ticket 4711").
    @Test func theAccountPageDoesNotShowTheOperatorsReasonForDisablingIt() async throws {
        try await WebApp.run { app in
            // Given an account an operator disabled, with a reason, and enabled again
            var browser = app.browser()
            _ = try await browser.submit(
                "/signup", to: "/signup",
                [("username", "cy"), ("email", "cy@example.org"), ("password", Self.password)])
            let account = try #require(try await app.store.account(.username("cy")))
            _ = try await app.store.setAccountStatus(
                .id(account.id), to: .disabled, reason: "suspected fraud, ticket 4711")
            _ = try await app.store.setAccountStatus(.id(account.id), to: .active, reason: "cleared by legal")

            // When the person signs in and looks at the account page
            var again = app.browser()
            _ = try await again.submit("/login", to: "/login", [("login", "cy"), ("password", Self.password)])
            let page = try await again.get("/account")

            // Then the trail shows both events, without the operator's notes
            #expect(page.status == 200 && page.text.contains(">disabled<") && page.text.contains(">enabled<"))
            #expect(!page.text.contains("ticket 4711") && !page.text.contains("cleared by legal"), "\(page.text)")
            #expect(page.text.contains("sessions: <bdi>1</bdi>"))
        }
    }

    // MARK: - Expiry

    @Test func sessionsEndAfterTheIdleLifetimeAndAfterTheAbsoluteLifetimeAndPurgeRemovesThem() async throws {
        var configuration = AccountRoutes.Configuration()
        configuration.idleLifetime = 30 * 60
        configuration.absoluteLifetime = 2 * 60 * 60
        try await WebApp.run(configuration: configuration) { app in
            var browser = app.browser()
            _ = try await browser.submit(
                "/signup", to: "/signup",
                [("username", "dee"), ("email", "dee@example.org"), ("password", Self.password)])

            // Used every 20 minutes, the session lives on past the idle lifetime…
            for _ in 0..<5 {
                app.clock.advance(by: 20 * 60)
                #expect(try await browser.get("/whoami").text == "dee")
            }
            // …but not past the absolute one
            app.clock.advance(by: 21 * 60)
            #expect(try await browser.get("/whoami").text == "nobody")

            // Idle for longer than the idle lifetime ends a fresh one too
            let form = try await browser.get("/login")
            _ = try await browser.post(
                "/login", [("csrf_token", try #require(form.csrfToken)), ("login", "dee"), ("password", Self.password)])
            let account = try await browser.get("/account")
            #expect(try await browser.get("/whoami").text == "dee")
            app.clock.advance(by: 31 * 60)
            #expect(try await browser.get("/whoami").text == "nobody")
            // "Sign out" on a page left open then just says so
            let late = try await browser.post("/sign-out", [("csrf_token", try #require(account.csrfToken))])
            #expect(late.status == 303 && late.location == "/?notice=signed_out")
            do {  // (the ids compared into a Bool: a failing #expect prints its operands, and an id is the session)
                let holds = browser.sessionID == nil
                #expect(holds)
            }

            // And purge removes expired sessions (those a new session has not cleared away already)
            app.clock.advance(by: 3 * 60 * 60)
            let report = try await app.store.purgeExpired()
            #expect(report.browserSessions >= 1)
            let rows = try databaseDump(app.databasePath).split(separator: "\n").filter { $0.contains("csrf_token:") }
            #expect(rows.isEmpty)
        }
    }

    /// A signed-in id whose session ended is not used on as a visitor id: someone who copied the cookie while it was
    /// live would otherwise share the visitor state (here a Twitter sign-up under way) of the browser that still
    /// holds it.
    @Test func anEndedSessionsIdIsNotUsedOnAsAVisitorID() async throws {
        var configuration = AccountRoutes.Configuration()
        configuration.idleLifetime = 30 * 60
        try await WebApp.run(configuration: configuration) { app in
            // Given dee signed in, and someone who copied her cookie
            var browser = app.browser()
            _ = try await browser.submit(
                "/signup", to: "/signup",
                [("username", "dee"), ("email", "dee@example.org"), ("password", Self.password)])
            let signedInID = try #require(browser.sessionID)
            var copier = browser
            // When her session ends (left idle) and her browser is used again
            app.clock.advance(by: 31 * 60)
            let home = try await browser.get("/")
            // Then it gets a new visitor id, not the ended one
            let visitorID = try #require(browser.sessionID)
            #expect(home.setCookies.count == 1 && visitorID != signedInID && visitorID.hasPrefix("v"))
            // And a Twitter sign-up begun there is not open to the copied cookie
            let arrival = try await browser.viaTwitter("/register/twitter", as: WebApp.yamada)
            let location = try #require(arrival.location)
            #expect(location.hasPrefix("/register/details?draft="))
            #expect(try await browser.get(location).status == 200)
            let copied = try await copier.get(location)
            #expect(copied.status == 303 && copied.location == "/?notice=registration_closed")
            do {  // (the ids compared into a Bool: a failing #expect prints its operands, and an id is the session)
                let holds = copier.sessionID != signedInID && copier.sessionID != visitorID
                #expect(holds)
            }
            // And a visitor id is kept as it is
            let again = try await browser.get("/login")
            do {  // (the ids compared into a Bool: a failing #expect prints its operands, and an id is the session)
                let holds = again.setCookies.isEmpty && browser.sessionID == visitorID
                #expect(holds)
            }
        }
    }

    /// An audit event of a kind a newer version wrote (read by this one, say after a rollback) keeps its kind, never
    /// taken for another, and the account page shows the kind without its details, which may be an operator's.
    @Test func anEventOfAKindThisVersionDoesNotKnowKeepsItsKindAndHidesItsDetails() async throws {
        try await WebApp.run { app in
            var browser = app.browser()
            _ = try await browser.submit(
                "/signup", to: "/signup",
                [("username", "fay"), ("email", "fay@example.org"), ("password", Self.password)])
            let fay = try #require(try await app.store.account(.username("fay")))
            try executeSQL(
                app.databasePath,
                """
                INSERT INTO account_events (subject, kind, actor, details, occurred_at)
                VALUES ('\(fay.id.rawValue)', 'flagged_for_review', 'cli', '{"note": "ticket 4711, suspected fraud"}',
                        (SELECT max(occurred_at) FROM account_events) + 1)
                """)
            let events = try await app.store.events(for: fay.id)
            #expect(events.first?.kind == AccountEventKind(rawValue: "flagged_for_review"))
            #expect(events.first?.kind.isKnown == false && events.last?.kind == .created)
            let page = try await browser.get("/account")
            #expect(page.text.contains("<td class=\"event-kind\">flagged_for_review</td>"))
            #expect(!page.text.contains("ticket 4711"))
        }
    }

    // MARK: - Secrets stay out of logs and pages

    /// The log holds no session id (the visitor's before sign-up, nor the signed-in one), CSRF token or password,
    /// nor what a Twitter link hands the app: the request token, the verifier, the access token and its secret.
    @Test func logsNeverHoldSessionIdsTokensOrPasswords() async throws {
        try await WebApp.run { app in
            var browser = app.browser()
            _ = try await browser.get("/signup")
            let visitorID = try #require(browser.sessionID)
            let signup = try await browser.submit(
                "/signup", to: "/signup",
                [("username", "eve"), ("email", "eve@example.org"), ("password", Self.password)])
            #expect(signup.status == 303)
            let page = try await browser.get("/account")
            var callback = ""
            let arrival = try await browser.viaTwitter(
                "/account/twitter/link", as: WebApp.zoe, startPage: "/account",
                alteringCallback: {
                    callback = $0
                    return $0
                })
            let query = URLComponents(string: callback)?.queryItems ?? []
            let requestToken = try #require(query.first { $0.name == "oauth_token" }?.value)
            let verifier = try #require(query.first { $0.name == "oauth_verifier" }?.value)
            let draftID = try #require(arrival.draftInLocation)
            let draft = try #require(try await app.store.draft(id: draftID))
            _ = try await browser.get("/register/twitter/callback?oauth_token=x&oauth_verifier=y")
            let log = app.logLines.value.joined(separator: "\n")
            #expect(!log.isEmpty)
            do {  // (the ids compared into a Bool: a failing #expect prints its operands, and an id is the session)
                let holds = visitorID != browser.sessionID
                #expect(holds, "the sign-up kept the visitor's session id")
            }
            expectAbsent(visitorID, named: "the visitor's session id", in: log)
            expectAbsent(try #require(browser.sessionID), named: "the session id", in: log)
            expectAbsent(try #require(page.csrfToken), named: "the CSRF token", in: log)
            expectAbsent(Self.password, named: "the password", in: log)
            expectAbsent(requestToken, named: "the request token", in: log)
            expectAbsent(verifier, named: "the verifier", in: log)
            expectAbsent(draft.credential.token, named: "the access token", in: log)
            expectAbsent(draft.credential.secret.revealed, named: "the access token secret", in: log)
            expectAbsent(Self.password, named: "the password", in: page.text)
        }
    }

    // MARK: - Host header

    @Test(arguments: ["evil\"><x", "a b", "", "host:port", "[::1", "[１]", "[]", "[:::1]"])
    func malformedHostHeadersAreRefused(_ host: String) async throws {
        try await WebApp.run { app in
            let port = app.base.port!
            // A blocking socket must not hold one of the few cooperative threads the server's handlers need.
            let response = await onOwnThread { rawGET(port: port, path: "/", host: host) }
            #expect(response.hasPrefix("HTTP/1.1 400"), "\(response.prefix(40))")
            // (plain text, as the pages' headers say: never sniffed as anything else, never kept)
            let head = response.lowercased()
            #expect(head.contains("x-content-type-options: nosniff") && head.contains("cache-control: no-store"))
        }
    }
}

/// A GET with a hand-written Host header over a plain socket (HTTP clients refuse to send malformed ones): what the
/// server sent until it closed the connection. A server that neither answers nor closes within `limit` gets a text
/// saying so (with what it sent), which no expectation takes for an answer.
func rawGET(port: Int, path: String, host: String, limit: Duration = .seconds(60)) -> String {
    let descriptor = try! SlowClient.connectedSocket(port: port)
    defer { close(descriptor) }
    let request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n"
    _ = request.utf8CString.withUnsafeBufferPointer { send(descriptor, $0.baseAddress, $0.count - 1, 0) }
    let deadline = ContinuousClock.now + limit
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let left = deadline - ContinuousClock.now
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard left > .zero, poll(&entry, 1, Int32(left / .milliseconds(1)) + 1) != 0 else {
            return "no end of the answer within \(limit) from 127.0.0.1:\(port); received: "
                + String(decoding: received, as: UTF8.self)
        }
        let count = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
        if count <= 0 { break }
        received += buffer[0..<count]
    }
    return String(decoding: received, as: UTF8.self)
}

extension AccountRoutesTests {
    /// Email sign-ups count per client (and per network): over the limit, 429 with `Retry-After`, nothing checked or
    /// written; another client is not held; the allowance comes back with time.
    @Test func signUpsOverTheClientsLimitAre429AndWriteNothing() async throws {
        var routes = AccountRoutes.Configuration()
        routes.signUpsPerClient = RegistrationService.Rate(2, per: 3600)
        try routes.trustProxies()
        try await WebApp.run(configuration: routes) { app in
            func signUp(_ name: String, from address: String) async throws -> Page {
                try await PasswordResetRoutesTests.signUp(app, name, from: address)
            }
            let users = { countQuery(app.databasePath, "SELECT count(*) FROM users") }
            // Given two sign-ups from 198.51.100.7, one of them refused for its input
            #expect(try await signUp("ada", from: "198.51.100.7").location == "/account?notice=registered")
            #expect(try await signUp("no spaces", from: "198.51.100.7").status == 422)
            // When it signs up once more
            let refused = try await signUp("bob", from: "198.51.100.7")
            // Then it is told when to come back (one more every 30 minutes), and no account is made
            #expect(refused.status == 429 && refused.response.headerValue("retry-after") == "1800")
            #expect(
                refused.text.contains("id=\"sign-up-refused\">Too many accounts were signed up for from your address"))
            #expect(users() == 1)
            #expect(app.logLines.value.contains { $0.contains("sign-up refused: too many made") })
            // And another address is not held
            #expect(try await signUp("carl", from: "203.0.113.9").location == "/account?notice=registered")
            // And 30 minutes later the first may sign up once more
            app.clock.advance(by: 30 * 60)
            #expect(try await signUp("bob", from: "198.51.100.7").location == "/account?notice=registered")
            #expect(try await signUp("dan", from: "198.51.100.7").status == 429)
            #expect(users() == 3)
        }
    }
}

extension AccountRoutesTests {
    /// Password log-ins count per client (and per network), whatever login they name: each costs a password check
    /// and store writes, and the per-login cool-down does not hold a client that tries a new login each time. Over
    /// the limit, 429 with `Retry-After`, nothing checked or written, the right password too; another client is not
    /// held.
    /// "Sign in to link" checks a password too, and a wrong one does not use up the draft (it lasts an hour): its
    /// attempts count with `/login`'s towards `logInsPerClient`.
    @Test func signInToLinkAttemptsCountTowardsTheLogInLimit() async throws {
        var routes = AccountRoutes.Configuration()
        routes.logInsPerClient = RegistrationService.Rate(2, per: 600)
        try await WebApp.run(configuration: routes) { app in
            var owner = app.browser()
            try await signUpAdaThenSignOut(&owner)
            var browser = app.browser()
            let arrival = try await browser.viaTwitter("/register/twitter", as: WebApp.ada)
            let draft = try #require(arrival.draftInLocation)
            let existing = try await browser.get(try #require(arrival.location))
            func attempt(_ password: String) async throws -> Page {
                try await browser.post(
                    "/register/existing",
                    [
                        ("csrf_token", try #require(existing.csrfToken)), ("draft", draft), ("login", "ada"),
                        ("password", password),
                    ])
            }
            #expect(try await attempt("wrong password 1").status == 401)
            #expect(try await attempt("wrong password 2").status == 401)
            let failures = countQuery(app.databasePath, "SELECT count(*) FROM sign_in_failures")

            let refused = try await attempt(Self.password)

            #expect(refused.status == 429 && refused.response.headerValue("retry-after") == "300")
            #expect(refused.text.contains("This email already has an account"))
            #expect(refused.text.contains("Too many log-ins were attempted from your address"))
            #expect(countQuery(app.databasePath, "SELECT count(*) FROM sign_in_failures") == failures)
            #expect(try await app.store.account(.username("ada"))?.twitter == nil)
            // and /login from the same address is held by the same count
            var other = app.browser()
            let login = try await other.submit("/login", to: "/login", [("login", "ada"), ("password", Self.password)])
            #expect(login.status == 429)
        }
    }

    @Test func logInsOverTheClientsLimitAre429AndCheckNothing() async throws {
        var routes = AccountRoutes.Configuration()
        routes.logInsPerClient = RegistrationService.Rate(3, per: 600)
        try routes.trustProxies()
        try await WebApp.run(configuration: routes) { app in
            _ = try await PasswordResetRoutesTests.signUp(app, "ada", from: "192.0.2.1")
            func logIn(_ login: String, _ password: String, from address: String) async throws -> Page {
                var browser = PasswordResetRoutesTests.client(app, address)
                return try await browser.submit("/login", to: "/login", [("login", login), ("password", password)])
            }
            let failures = { countQuery(app.databasePath, "SELECT count(*) FROM sign_in_failures") }
            // Given a client at 198.51.100.7 that failed with two logins and signed in with a third
            #expect(try await logIn("nobody1", "wrong password", from: "198.51.100.7").status == 401)
            #expect(try await logIn("ada", Self.password, from: "198.51.100.7").status == 303)
            #expect(try await logIn("nobody2", "wrong password", from: "198.51.100.7").status == 401)
            // When it tries once more, with yet another login
            let before = failures()
            let refused = try await logIn("nobody3", "wrong password", from: "198.51.100.7")
            // Then it is told when to come back (one more every 200 s), and nothing is checked or counted
            #expect(refused.status == 429 && refused.response.headerValue("retry-after") == "200")
            #expect(refused.text.contains("Too many log-ins were attempted from your address"))
            #expect(failures() == before)
            #expect(app.logLines.value.contains { $0.contains("log-in refused: too many attempted") })
            // And the right password is refused as well until then
            #expect(try await logIn("ada", Self.password, from: "198.51.100.7").status == 429)
            // And another address is not held
            #expect(try await logIn("ada", Self.password, from: "203.0.113.9").status == 303)
            // And 200 s later the first may try once more
            app.clock.advance(by: 200)
            #expect(try await logIn("ada", Self.password, from: "198.51.100.7").status == 303)
            #expect(try await logIn("ada", Self.password, from: "198.51.100.7").status == 429)
        }
    }
}
