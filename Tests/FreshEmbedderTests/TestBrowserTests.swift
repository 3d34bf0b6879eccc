import AccountStore
import AccountsHummingbirdTesting
import Foundation
import Hummingbird
import Testing
import TwitterOAuth

/// `AccountsHummingbirdTesting`'s `TestBrowser` and `TestPage`, as an app testing the routes it mounts uses them, on
/// the app of ``EmbeddedApp`` (a real server at 127.0.0.1, a `TwitterSandbox` in the process).
struct TestBrowserTests {
    static let ada: [(String, String)] = [
        ("username", "ada"), ("email", "ada@example.org"), ("password", "correct horse battery"),
    ]

    @Test func cookiesGoBackOnlyToTheOriginThatSetThem() async throws {
        try await EmbeddedApp.run { app in
            try await OtherSite.run { other in
                // Given a browser holding the app's session cookie, the sandbox's (from its consent) and another
                // site's, all three on 127.0.0.1
                var browser = app.browser()
                let arrival = try await browser.useTwitter(
                    .approve(userID: FreshEmbedderTests.zoe), sandbox: app.sandboxBase, action: "/register/twitter")
                #expect(arrival.location?.hasPrefix("/register/details?draft=") == true, "\(arrival)")
                #expect(try await browser.get(other.absoluteString + "/set").status == 200)
                #expect(browser.cookieNames() == ["accounts_session"])
                #expect(browser.cookieNames(for: app.sandboxBase) == ["twitter_sandbox_session"])
                #expect(browser.cookieNames(for: other) == ["elsewhere"])

                // When it asks each for what it was sent, then each got its own cookies only
                #expect(try await browser.get("/cookies-seen").text == "accounts_session")
                #expect(try await browser.get(other.absoluteString + "/cookies-seen").text == "elsewhere")
                #expect(try await browser.get(app.base.absoluteString + "/cookies-seen").text == "accounts_session")
            }
        }
    }

    /// A cookie deleted with an `Expires` in the past (and no `Max-Age`) is forgotten, as a browser forgets it; kept,
    /// it would be sent again, and a test of a sign-out that ends a session that way would pass on a browser still
    /// signed in.
    @Test func aCookieExpiredByItsExpiresDateIsForgotten() async throws {
        try await OtherSite.run { other throws in
            var browser = TestBrowser(baseURL: other)
            #expect(try await browser.get("/set").status == 200)
            #expect(browser.cookieNames() == ["elsewhere"])
            #expect(try await browser.get("/forget").status == 200)
            #expect(browser.cookieNames().isEmpty)
            #expect(try await browser.get("/cookies-seen").text == "")
        }
    }

    /// A form goes as a browser sends it (`application/x-www-form-urlencoded`): a space as `+`, and `+`, `&`, `=` and
    /// anything outside RFC 3986's unreserved characters percent-encoded.
    @Test func aFormIsEncodedAsABrowserEncodesIt() async throws {
        try await OtherSite.run { other throws in
            var browser = TestBrowser(baseURL: other)
            let echoed = try await browser.post("/echo", form: [("a b", "c d+e&f=g"), ("zoë", "~._-")])
            #expect(echoed.text == "a+b=c+d%2Be%26f%3Dg&zo%C3%AB=~._-")
        }
    }

    @Test func aSandboxThatRemembersTheApprovalSendsTheBrowserStraightBack() async throws {
        try await EmbeddedApp.run(rememberApprovals: true) { app in
            // Given a browser that approved the app at the sandbox
            var browser = app.browser()
            let first = try await browser.signInWithTwitter(
                as: FreshEmbedderTests.zoe, sandbox: app.sandboxBase, action: "/register/twitter")
            #expect(first.location?.hasPrefix("/register/details?draft=") == true, "\(first)")

            // When it goes through Twitter again, then its sandbox cookie goes back to the sandbox, which passes it
            // through without a consent page: approving carries on, cancelling cannot
            let second = try await browser.signInWithTwitter(
                as: FreshEmbedderTests.zoe, sandbox: app.sandboxBase, action: "/register/twitter")
            #expect(second.location?.hasPrefix("/register/details?draft=") == true, "\(second)")
            do throws(TestBrowserError) {
                _ = try await browser.useTwitter(.cancel, sandbox: app.sandboxBase, action: "/register/twitter")
                Issue.record("cancelled with no consent page to cancel on")
            } catch {
                #expect(
                    error.description.contains("remembered this browser's approval")
                        && error.description.contains("give it a browser of its own"), "\(error)")
            }

            // A browser of its own is asked, and cancels
            var fresh = app.browser()
            let cancelled = try await fresh.useTwitter(.cancel, sandbox: app.sandboxBase, action: "/register/twitter")
            #expect(cancelled.location == "/?notice=denied", "\(cancelled)")
            #expect(try await app.store.accountCount() == 0)
        }
    }

    @Test func cancellingAtTheConsentPageLandsOnTheAppsRestartPage() async throws {
        try await EmbeddedApp.run { app in
            var browser = app.browser()
            let cancelled = try await browser.useTwitter(
                .cancel, sandbox: app.sandboxBase, action: "/register/twitter")
            #expect(cancelled.status == 303 && cancelled.location == "/?notice=denied", "\(cancelled)")
            let restart = try await browser.follow(cancelled)
            #expect(restart.url.absoluteString == app.base.absoluteString + "/?notice=denied")
            #expect(restart.status == 200 && restart.text.contains("You cancelled signing in with Twitter."))
            #expect(try await app.store.accountCount() == 0)
        }
    }

    @Test func aFormWithoutACSRFTokenThrowsNamingThePageAndPostsNothing() async throws {
        try await EmbeddedApp.run { app in
            var browser = app.browser()
            // A page with no form (its query not shown: it may hold a draft id)
            do throws(TestBrowserError) {
                _ = try await browser.submit(form: "/hello?draft=not-for-logs", to: "/signup", Self.ada)
                Issue.record("submitted a form without its CSRF token")
            } catch {
                #expect(error == .noCSRFToken(page: "/hello?…", status: 200))
                #expect(error.description.hasPrefix("no CSRF token in the page at /hello?… (it answered 200)"))
                #expect(!error.description.contains("not-for-logs"))
            }
            // A page that needs a session, to a signed-out browser
            do throws(TestBrowserError) {
                _ = try await browser.submit(form: "/account", to: "/signup", Self.ada)
                Issue.record("submitted a form without its CSRF token")
            } catch {
                #expect(error == .noCSRFToken(page: "/account", status: 303))
            }
            let accounts = try await app.store.accountCount()
            #expect(accounts == 0, "nothing was posted")
        }
    }

    @Test func followGoesToTheLocationAndThrowsWithoutOne() async throws {
        try await EmbeddedApp.run { app in
            var browser = app.browser()
            let signUp = try await browser.submit(form: "/signup", to: "/signup", Self.ada)
            let account = try await browser.follow(signUp)
            #expect(account.url.absoluteString == app.base.absoluteString + "/account?notice=registered")
            #expect(account.status == 200 && account.csrfToken != nil)
            do throws(TestBrowserError) {
                _ = try await browser.follow(account)
                Issue.record("followed an answer without a Location")
            } catch {
                #expect(error == .noRedirect(page: app.base.absoluteString + "/account?…", status: 200))
            }
        }
    }

    @Test func formsCarryTheAppsOriginOrTheOneGiven() async throws {
        try await EmbeddedApp.run { app in
            var browser = app.browser()
            browser.formOrigin = "http://elsewhere.example"
            let refused = try await browser.submit(form: "/signup", to: "/signup", Self.ada)
            #expect(refused.status == 403, "\(refused)")
            #expect(try await app.store.accountCount() == 0)
            browser.formOrigin = nil
            let taken = try await browser.submit(form: "/signup", to: "/signup", Self.ada)
            #expect(taken.location == "/account?notice=registered", "\(taken)")
        }
    }

    @Test func printedBrowsersPagesAndErrorsShowNoSecret() async throws {
        try await EmbeddedApp.run { app in
            var browser = app.browser()
            let account = try await browser.follow(try await browser.submit(form: "/signup", to: "/signup", Self.ada))
            let session = try #require(browser.cookie("accounts_session"))
            let csrf = try #require(account.csrfToken)
            var dumped = ""
            dump(browser, to: &dumped)
            dump(account, to: &dumped)
            let printed = [
                String(describing: browser), String(reflecting: browser), String(describing: account),
                String(reflecting: account), dumped,
            ]
            // (the texts are not shown on failure: they would show the secret)
            let hidesSession = printed.allSatisfy { !$0.contains(session) }
            let hidesCSRF = printed.allSatisfy { !$0.contains(csrf) }
            #expect(hidesSession, "the session cookie's value printed")
            #expect(hidesCSRF, "the CSRF token printed")
            let expected = "TestBrowser(\(app.base.absoluteString), cookies: [accounts_session])"
            let printedAsExpected = String(describing: browser) == expected
            #expect(printedAsExpected, "printed otherwise (not shown: it may hold a secret)")

            // A Twitter step that goes wrong (the app's client points at another sandbox) names the page it was sent
            // to without its query, which holds the request token
            var other = app.browser()
            do throws(TestBrowserError) {
                _ = try await other.useTwitter(
                    .approve(userID: FreshEmbedderTests.ada), sandbox: URL(string: "http://127.0.0.1:9")!,
                    action: "/register/twitter")
                Issue.record("went to a sandbox other than the one given")
            } catch {
                // (a Bool each, so that a failure does not print the message: it may hold the token)
                let message = error.description
                let namesTheRedirect = message.contains(
                    "with a redirect to \(app.sandboxBase.absoluteString)/oauth/authenticate?…")
                let namesTheSandbox = message.contains("not a redirect to the sandbox at http://127.0.0.1:9")
                let showsTheToken = message.contains("oauth_token")
                #expect(namesTheRedirect && namesTheSandbox, "the message names where the app sent the browser")
                #expect(!showsTheToken, "the request token printed")
            }
        }
    }

    @Test func hiddenValuesAreReadAsABrowserSubmitsThem() {
        let html = #"""
            <form><input type="hidden" value="a&amp;b&#39;c&#x22;d" name='draft'>
            <INPUT name=plain value=x1><input name="empty"></form>
            """#
        let page = TestPage(
            url: URL(string: "http://127.0.0.1:9/")!,
            response: HTTPTransportResponse(status: 200, headers: [], body: Array(html.utf8)))
        #expect(page.hiddenValue("draft") == "a&b'c\"d")
        #expect(page.hiddenValue("plain") == "x1")
        #expect(page.hiddenValue("empty") == "")
        #expect(page.hiddenValue("csrf_token") == nil && page.csrfToken == nil)
    }
}

/// How `TestBrowser` reads `Set-Cookie` (RFC 6265 §5.1.1 and §5.2, and the `__Host-`/`__Secure-` prefixes of RFC
/// 6265bis), follows redirects and reads tags, each where it could let an app's test pass on what a browser does
/// otherwise. The cookies come from ``OtherSite``'s `/answer`, which sends the `Set-Cookie` fields it is given.
struct TestBrowserAsABrowserTests {
    static let past = "Expires=Thu, 01 Jan 1970 00:00:00 GMT"

    /// A browser at `other` holding the cookie `s=x`.
    static func holdingS(_ other: URL) async throws -> TestBrowser {
        var browser = TestBrowser(baseURL: other)
        #expect(try await browser.get(OtherSite.answer("s=x; Path=/")).status == 200)
        #expect(browser.cookieNames() == ["s"])
        return browser
    }

    /// A `Max-Age` that is not an optional `-` followed by digits is ignored (RFC 6265 §5.2.2), so a past `Expires`
    /// beside it still deletes the cookie; a valid one wins over `Expires`, the last valid one counting.
    @Test func aBadMaxAgeIsIgnoredSoAPastExpiresStillDeletes() async throws {
        try await OtherSite.run { other throws in
            for maxAge in ["Max-Age=", "Max-Age=abc", "Max-Age=1d", "Max-Age=+5", "Max-Age=--1", "Max-Age=0x10"] {
                var browser = try await Self.holdingS(other)
                _ = try await browser.get(OtherSite.answer("s=gone; Path=/; \(maxAge); \(Self.past)"))
                #expect(browser.cookieNames().isEmpty, "\(maxAge)")
                #expect(try await browser.get("/cookie-header").text == "", "\(maxAge)")
            }
            for (attributes, kept) in [
                ("Max-Age=0; Max-Age=abc", false), ("Max-Age=-1", false), ("Max-Age=-99999999999999999999", false),
                ("Max-Age=60; \(Self.past)", true), ("\(Self.past); Max-Age=60", true),
                ("Max-Age=99999999999999999999", true),
            ] {
                var browser = try await Self.holdingS(other)
                _ = try await browser.get(OtherSite.answer("s=y; Path=/; \(attributes)"))
                #expect(browser.cookie("s") == (kept ? "y" : nil), "\(attributes)")
            }
        }
    }

    /// Whitespace around a cookie's name and value, and around an attribute's name and value, is trimmed (RFC 6265
    /// §5.2).
    @Test func whitespaceAroundNamesValuesAndEqualsSignsIsTrimmed() async throws {
        try await OtherSite.run { other throws in
            for deletion in [
                "s=gone; Max-Age = 0", "s=gone;max-age =0", "s=gone ; Expires = Thu, 01 Jan 1970 00:00:00 GMT",
            ] {
                var browser = try await Self.holdingS(other)
                _ = try await browser.get(OtherSite.answer(deletion))
                #expect(browser.cookieNames().isEmpty, "\(deletion)")
            }
            var browser = TestBrowser(baseURL: other)
            _ = try await browser.get(OtherSite.answer(" t = x ; Path = /"))
            #expect(browser.cookieNames() == ["t"])
            #expect(browser.cookie("t") == "x")
            #expect(try await browser.get("/cookie-header").text == "t=x")
        }
    }

    /// `Expires` is read as RFC 6265 §5.1.1 reads a date: IMF-fixdate, the dashed form (PHP's, among others), RFC
    /// 850's two-digit year and asctime's all delete when past and keep when not; a date that cannot be read is
    /// ignored.
    @Test func everyDateFormOfRFC6265IsRead() async throws {
        try await OtherSite.run { other throws in
            for date in [
                "Thu, 01 Jan 1970 00:00:01 GMT", "Thu, 01-Jan-1970 00:00:01 GMT", "Thursday, 01-Jan-70 00:00:01 GMT",
                "Thu Jan  1 00:00:01 1970", "Fri, 01-Jan-99 00:00:00 GMT", "1 jan 2001 10:00:00",
            ] {
                var browser = try await Self.holdingS(other)
                _ = try await browser.get(OtherSite.answer("s=gone; Path=/; Expires=\(date)"))
                #expect(browser.cookieNames().isEmpty, "past: \(date)")
            }
            for date in [
                "Fri, 01 Jan 2100 00:00:00 GMT", "Fri, 01-Jan-2100 00:00:00 GMT", "Friday, 01-Jan-60 00:00:00 GMT",
                "Fri Jan  1 00:00:00 2100", "soon", "Thu, 31 Feb 1970 00:00:00 GMT", "Thu, 01 Jan 1970 24:00:00 GMT",
            ] {
                var browser = try await Self.holdingS(other)
                _ = try await browser.get(OtherSite.answer("s=y; Path=/; Expires=\(date)"))
                #expect(browser.cookie("s") == "y", "future or unreadable: \(date)")
            }
        }
    }

    /// A `__Host-` cookie without `Secure`, without `Path=/` or with a `Domain`, and a `__Secure-` one without
    /// `Secure`, are refused (RFC 6265bis §4.1.3): neither kept nor, when they delete, deleting. `Secure` over plain
    /// http is accepted (how an app behind a TLS proxy is tested).
    @Test func prefixedCookiesABrowserRefusesAreNotKept() async throws {
        try await OtherSite.run { other throws in
            var browser = TestBrowser(baseURL: other)
            for refused in [
                "__Host-a=x; Path=/", "__Host-a=x; Secure", "__Host-a=x; Secure; Path=/app",
                "__Host-a=x; Secure; Path=/; Domain=127.0.0.1", "__host-a=x; Path=/", "__Secure-a=x; Path=/",
                "__SECURE-a=x",
            ] {
                _ = try await browser.get(OtherSite.answer(refused))
                #expect(browser.cookieNames().isEmpty, "\(refused)")
            }
            _ = try await browser.get(
                OtherSite.answer("__Host-a=x; Secure; Path=/", "__Secure-b=y; secure; Path=/app; Domain=127.0.0.1"))
            #expect(browser.cookieNames() == ["__Host-a", "__Secure-b"])
            // (a deletion without `Secure` is refused as well: a browser keeps the cookie)
            _ = try await browser.get(OtherSite.answer("__Host-a=; Path=/; Max-Age=0", "__Secure-b=; Max-Age=0"))
            #expect(browser.cookieNames() == ["__Host-a", "__Secure-b"])
            _ = try await browser.get(OtherSite.answer("__Host-a=; Secure; Path=/; Max-Age=0"))
            #expect(browser.cookieNames() == ["__Secure-b"])
        }
    }

    /// `follow(_:)` repeats the method and the body for 307 and 308, with the first request's `Origin` (`null` when a
    /// site other than the form's redirects it to a third, as the Fetch standard says); after 301, 302 and 303 it GETs.
    @Test func followRepeatsAPostAfter307And308AndGETsAfterTheOthers() async throws {
        try await OtherSite.run { other throws in
            try await OtherSite.run { third throws in
                var browser = TestBrowser(baseURL: other)
                let origin = other.absoluteString
                for (status, seen) in [
                    (307, "POST a=b+c Origin: \(origin)"), (308, "POST a=b+c Origin: \(origin)"),
                    (303, "GET  Origin: -"),
                    (302, "GET  Origin: -"), (301, "GET  Origin: -"),
                ] {
                    let moved = try await browser.post("/moved?status=\(status)", form: [("a", "b c")])
                    #expect(moved.status == status && moved.location == "/seen")
                    #expect(try await browser.follow(moved).text == seen, "\(status)")
                }
                // (to another origin, the form's own `Origin`; from a site other than the form's to a third, `null`)
                let elsewhere = "/moved?status=307&to=\(third.absoluteString)/seen"
                let across = try await browser.post(elsewhere, form: [("a", "b")])
                #expect(try await browser.follow(across).text == "POST a=b Origin: \(origin)")
                browser.formOrigin = "http://forms.example"
                let tainted = try await browser.post(elsewhere, form: [("a", "b")])
                #expect(try await browser.follow(tainted).text == "POST a=b Origin: null")
                let back = try await browser.post("/moved?status=308", form: [("a", "b")])
                #expect(try await browser.follow(back).text == "POST a=b Origin: http://forms.example")
                browser.formOrigin = nil
                let got = try await browser.get("/moved?status=307")
                #expect(try await browser.follow(got).text == "GET  Origin: -")
            }
        }
    }

    /// A `>` inside a quoted attribute value does not end the tag, and spaces may stand around `=`, as in HTML.
    @Test func aQuotedGreaterThanSignDoesNotEndATag() {
        let html = #"""
            <form><input type="hidden" name="next" value="a>b"><input value='c>d' name="before" type=hidden>
            <input name = "spaced" value = "e f"><input name=last value=g>
            """#
        let page = TestPage(
            url: URL(string: "http://127.0.0.1:9/")!,
            response: HTTPTransportResponse(status: 200, headers: [], body: Array(html.utf8)))
        #expect(page.hiddenValue("next") == "a>b")
        #expect(page.hiddenValue("before") == "c>d")
        #expect(page.hiddenValue("spaced") == "e f")
        #expect(page.hiddenValue("last") == "g")
    }
}

/// Another site on 127.0.0.1: `/set` sets a cookie `elsewhere`, `/cookies-seen` names those of
/// ``EmbeddedApp/cookieNames`` it was sent.
enum OtherSite {
    /// The path of `/answer` sending `fields` as its `Set-Cookie` fields.
    static func answer(_ fields: String...) -> String {
        "/answer?"
            + fields.map { "set=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") }
            .joined(separator: "&")
    }

    static func moved(_ request: Request) -> Response {
        let status = request.uri.queryParameters["status"].flatMap { Int($0) } ?? 303
        let target = request.uri.queryParameters["to"].map(String.init) ?? "/seen"
        return Response(status: HTTPResponse.Status(code: status), headers: [.location: target])
    }

    static func seen(_ request: Request) async throws -> String {
        var request = request
        let body = try await request.collectBody(upTo: 1 << 16)
        return "\(request.method.rawValue) \(String(buffer: body)) Origin: \(request.headers[.origin] ?? "-")"
    }

    static func run(_ body: (URL) async throws -> Void) async throws {
        let router = Router()
        router.get("/set") { _, _ in
            var response = Response(status: .ok)
            response.setCookie(Cookie(name: "elsewhere", value: "other-site-value", path: "/"))
            return response
        }
        router.get("/cookies-seen") { request, _ in
            EmbeddedApp.cookieNames.filter { request.cookies[$0] != nil }.joined(separator: " ")
        }
        router.get("/forget") { _, _ in
            // (deleted the common way: an `Expires` in the past, no `Max-Age`)
            Response(
                status: .ok,
                headers: [.setCookie: "elsewhere=gone; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT"])
        }
        router.get("/answer") { request, _ in  // answers with each `set` parameter as a `Set-Cookie` field
            var response = Response(status: .ok)
            response.headers[values: .setCookie] = request.uri.queryParameters[values: "set"].map(String.init)
            return response
        }
        router.get("/cookie-header") { request, _ in request.headers[.cookie] ?? "" }
        // `/moved?status=…&to=…` redirects (303 to `/seen` by default); `/seen` tells the method, body and `Origin`
        router.get("/moved") { request, _ in OtherSite.moved(request) }
        router.post("/moved") { request, _ in OtherSite.moved(request) }
        router.get("/seen") { request, _ in try await OtherSite.seen(request) }
        router.post("/seen") { request, _ in try await OtherSite.seen(request) }
        router.post("/echo") { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 16)
            return String(buffer: body)
        }
        let (ports, ready) = AsyncStream<Int>.makeStream()
        let application = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in ready.yield(channel.localAddress?.port ?? 0) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { ready.finish() }
                try await application.run()
            }
            var port = ports.makeAsyncIterator()
            let base = URL(string: "http://127.0.0.1:\(try #require(await port.next()))")!
            do {
                try await body(base)
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }
}
