import AccountCrypto
import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import TestSupport
import Testing
import TwitterOAuth

/// "Where you're signed in" on the account page: each browser signed in to the account, what it is, and a button that
/// signs out any other one.
struct SessionListRoutesTests {
    static let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    static let iPhone =
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        + "Version/17.5 Mobile/15E148 Safari/604.1"

    static func logIn(_ app: WebApp, as userAgent: String) async throws -> Browser {
        var browser = app.browser()
        browser.extraHeaders = [HTTPHeader(name: "User-Agent", value: userAgent)]
        let page = try await browser.submit(
            "/login", to: "/login", [("login", "ada"), ("password", PasswordResetRoutesTests.password)])
        #expect(page.location == "/account?notice=signed_in" || page.location == "/account", "\(page.status)")
        return browser
    }

    @Test func theAccountPageListsEachBrowserAndSignsOutAnother() async throws {
        try await WebApp.run { app in
            // Given Ada signed in on a Linux Firefox and on an iPhone
            var signUp = try await PasswordResetRoutesTests.signUpAda(app)
            _ = try await signUp.submit("/account", to: "/sign-out", [])
            var laptop = try await Self.logIn(app, as: Self.firefox)
            var phone = try await Self.logIn(app, as: Self.iPhone)

            // Then the laptop's account page lists both, itself marked, the phone with a "Sign out" button
            let page = try await laptop.get("/account")
            #expect(page.text.contains(#"<td class="session-device">Firefox on Linux</td>"#))
            #expect(page.text.contains(#"<td class="session-device">Safari on iPhone</td>"#))
            #expect(page.text.components(separatedBy: #"id="this-session""#).count == 2)
            let buttons = page.text.matches(of: /id="end-session-([0-9a-f]{16})"/).map { String($0.output.1) }
            #expect(buttons.count == 1)
            // (the page names no session id, nor its full hash)
            let phoneID = try #require(phone.sessionID)
            #expect(!page.text.contains(phoneID))
            #expect(!page.text.contains(SHA256.hexDigest(Array(phoneID.utf8))))

            // When the laptop signs the phone out
            let ended = try await laptop.post(
                "/account/sessions/end", [("csrf_token", try #require(page.csrfToken)), ("session", buttons[0])])
            #expect(ended.location == "/account?notice=session_ended")

            // Then the phone is signed out, the laptop is not, and the trail says which browser ended
            #expect(try await phone.get("/whoami").text == "nobody")
            #expect(try await laptop.get("/whoami").text == "ada")
            let after = try await laptop.get("/account?notice=session_ended")
            #expect(after.text.contains("That browser is signed out."))
            #expect(!after.text.contains("Safari on iPhone</td><td>"))
            #expect(after.text.contains("<td>device: <bdi>Safari on iPhone</bdi></td>"))

            // And the same button again, or one naming the laptop itself, ends nothing
            let again = try await laptop.post(
                "/account/sessions/end", [("csrf_token", try #require(after.csrfToken)), ("session", buttons[0])])
            #expect(again.location == "/account?notice=session_not_found")
            let ownHandle = String(SHA256.hexDigest(Array(try #require(laptop.sessionID).utf8)).prefix(16))
            let own = try await laptop.post(
                "/account/sessions/end", [("csrf_token", try #require(after.csrfToken)), ("session", ownHandle)])
            #expect(own.location == "/account?notice=session_not_found")
            #expect(try await laptop.get("/whoami").text == "ada")
        }
    }

    /// A sign-in whose account had every session ended while it was checked opens none, and the trail says so after
    /// the sign-in's own `signed_in` event (without it, that event would stand alone, as if a session had opened).
    @Test func aSignInRefusedBecauseSessionsEndedMeanwhileIsInTheTrail() async throws {
        try await WebApp.run { app in
            let (refused, after) = try await Self.logInOfAdaWhileHerSessionsEnd(app)
            var browser = after
            #expect(refused.location == "/login?notice=sessions_ended")
            #expect(try await browser.get("/whoami").text == "nobody")
            let kinds = try await app.store.events(
                for: try #require(try await app.store.account(.username("ada"))).id, limit: 3)
            #expect(kinds.map(\.kind) == [.signInRefused, .signedIn, .sessionsRevoked])
            let refusal = kinds.first { $0.kind == .signInRefused }
            #expect(refusal?.details == ["reason": "sessions_ended"])
        }
    }

    /// Ada signs up and out, then logs in with her password while every session of hers ends: another instance of
    /// the app over the same file holds the write lock, and once the log-in waits for it commits "sign out
    /// everywhere" (a `sessions_revoked` event), then `alsoCommitting`. The log-in's answer, and the browser after it.
    static func logInOfAdaWhileHerSessionsEnd(_ app: WebApp, alsoCommitting more: String = "") async throws
        -> (Page, Browser)
    {
        var ada = try await PasswordResetRoutesTests.signUpAda(app)
        _ = try await ada.submit("/account", to: "/sign-out", [])
        var browser = app.browser()
        let csrf = try #require(try await browser.get("/login").csrfToken)
        let holder = try CommittingLockHolder(path: app.databasePath)
        let loggingIn = Task { [browser] in
            var posting = browser
            let page = try await posting.post(
                "/login", [("csrf_token", csrf), ("login", "ada"), ("password", PasswordResetRoutesTests.password)])
            return (page, posting)
        }
        try #require(try await writesReached(1, in: app.store), "the log-in never reached its write")
        try holder.commit(
            """
            INSERT INTO account_events (kind, subject, actor, details, occurred_at)
            SELECT 'sessions_revoked', public_id, 'user', '{"sessions":"0"}', \(TwoDevicesTests.momentAfter(app))
            FROM users WHERE username = 'ada';
            """ + more)
        return try await loggingIn.value
    }

    /// Another account's session cannot be ended through one's own page, even with its handle.
    @Test func anotherAccountsSessionIsNotEnded() async throws {
        try await WebApp.run { app in
            var ada = try await PasswordResetRoutesTests.signUpAda(app)
            var eve = app.browser()
            _ = try await eve.submit(
                "/signup", to: "/signup",
                [("username", "eve"), ("email", "eve@example.org"), ("password", PasswordResetRoutesTests.password)])
            let adasHandle = String(SHA256.hexDigest(Array(try #require(ada.sessionID).utf8)).prefix(16))
            let before = try databaseDump(app.databasePath)
            let refused = try await eve.submit("/account", to: "/account/sessions/end", [("session", adasHandle)])
            #expect(refused.location == "/account?notice=session_not_found")
            #expect(try await ada.get("/whoami").text == "ada")
            #expect(try databaseDump(app.databasePath) == before)
        }
    }

    @Test(
        arguments: [
            (firefox, "Firefox on Linux"),
            (iPhone, "Safari on iPhone"),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
                    + "Safari/537.36 Edg/126.0.0.0", "Edge on Windows"
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
                    + "Chrome/126.0.0.0 Safari/537.36", "Chrome on macOS"
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.71 "
                    + "Mobile Safari/537.36", "Chrome on Android"
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
                    + "SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36", "Samsung Internet on Android"
            ),
            (
                "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0 "
                    + "Mobile/15E148 Safari/604.1", "Chrome on iPad"
            ),
            (
                "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
                    + "Safari/537.36 OPR/111.0.0.0", "Opera on ChromeOS"
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36",
                "Chrome on Linux"
            ),
            ("curl/8.5.0", "curl"),
            ("Mozilla/5.0 (Windows NT 10.0) SomethingNew/1.0", "A browser on Windows"),
            ("SomethingNew/1.0", nil),
            ("", nil),
        ] as [(String, String?)])
    func aUserAgentBecomesACoarseLabel(userAgent: String, label: String?) {
        #expect(DeviceLabel.from(userAgent: userAgent) == label)
    }

    /// The rules' tokens are found in an ASCII header byte by byte (String's search cost about 50 µs a sign-in), and
    /// only where `String.contains` finds them; other headers are searched by `String.contains` itself.
    @Test func aHeaderIsSearchedAsStringSearchesIt() {
        let texts = [
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Linux", "Linu", "xLinuxy",
            "Firefox/\r\nLinux", "a\r\nLinux\r\n", "Linux\u{301} Firefox/", "\u{301}Linux", "Zoë on Linux",
            "Windows🐦", "", "Mac OS X", "Mac  OS X", "CrOSCrOS", "x\r\n/", "\r\nL",
        ]
        // (tokens as the rules have them: no carriage return or line feed)
        let tokens = ["Linux", "Firefox/", "Mac OS X", "CrOS", "Windows", "L", "x", "/"]
        for text in texts {
            for token in tokens {
                #expect(
                    DeviceLabel.Text(text).contains(token) == text.contains(token),
                    "\(text.debugDescription) \(token.debugDescription)")  // lint: no secret (a user agent's word)
            }
        }
    }

    /// "Sign out" beside another browser on the account page is the way to end one stolen (or forgotten) session.
    /// "Sign out everywhere" ends a change of address asked for from the sessions it ends ("one asked for … from a
    /// session they sign out no longer takes the address"); signing out that one browser must too, or a session that
    /// asked, soon after its sign-in, to move an account made through Twitter to its holder's address still takes the
    /// address days after its owner signed it out.
    @Test func signingOutAnotherBrowserEndsTheChangeOfAddressItAskedFor() async throws {
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        try await WebApp.run(configuration: EmailVerificationRoutesTests.configuration(outbox)) { app in
            // Given Zoë, registered through Twitter (no password), on her laptop
            var laptop = app.browser()
            let arrival = try await laptop.viaTwitter("/register/twitter", as: WebApp.zoe)
            let done = try await laptop.finishRegistration(
                after: arrival, [("username", "zoe"), ("email", "zoe@example.com")])
            #expect(done.status == 303)
            // And a second browser signed in to her account, which asks soon after signing in (no password to give) to
            // move the account to another address
            var other = app.browser()
            let signedIn = try await other.viaTwitter("/login/twitter", as: WebApp.zoe)
            #expect(signedIn.status == 303)
            #expect(try await other.get("/whoami").text == "zoe")
            let asked = try await other.submit("/account", to: "/account/email", [("new_email", "thief@evil.example")])
            #expect(asked.location == "/account?notice=email_change_sent")
            let mail = try #require(
                try await EmailVerificationRoutesTests.mails(outbox, count: 1).first { $0.changesAddress })
            #expect(mail.to == "thief@evil.example")
            // When Zoë signs that browser out from her account page
            let page = try await laptop.get("/account")
            let buttons = page.text.matches(of: /id="end-session-([0-9a-f]{16})"/).map { String($0.output.1) }
            #expect(buttons.count == 1)
            let ended = try await laptop.post(
                "/account/sessions/end", [("csrf_token", try #require(page.csrfToken)), ("session", buttons[0])])
            #expect(ended.location == "/account?notice=session_ended")
            #expect(try await other.get("/whoami").text == "nobody")
            // Then the change it asked for no longer takes the address
            var thief = app.browser()
            let link = try await thief.get(try EmailVerificationRoutesTests.path(of: mail))
            #expect(link.status == 400, "the change link asked for from the ended session still works")
            if link.status == 200 {
                _ = try await EmailVerificationRoutesTests.confirm(link, in: &thief)
            }
            #expect(try await app.store.account(.username("zoe"))?.email == "zoe@example.com")
        }
    }
}
