import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import Registration
import TestSupport
import Testing
import TwitterOAuth

/// "Forgot your password?" through the routes, against a real server on 127.0.0.1 and a real SQLite file.
struct PasswordResetRoutesTests {
    static let password = "correct horse battery"
    static let newPassword = "a brand new passphrase"

    /// Routes that mail reset links into `outbox`, on `https://accounts.example`.
    static func configuration(_ outbox: Locked<[AccountRoutes.PasswordResetMail]>) -> AccountRoutes.Configuration {
        var routes = AccountRoutes.Configuration()
        routes.passwordReset = AccountRoutes.PasswordResetDelivery(baseURL: URL(string: "https://accounts.example/")!) {
            mail in outbox.withLock { $0.append(mail) }
        }
        return routes
    }

    /// The mails in `outbox` once `count` have arrived (they go out after the answer); fails the test when they have
    /// not within a minute.
    static func mails<Mail: Sendable>(_ outbox: Locked<[Mail]>, count: Int) async throws -> [Mail] {
        let arrived = try await eventually { outbox.withLock { $0.count } >= count }
        let mails = outbox.withLock { $0 }
        try #require(arrived, "\(mails.count) of \(count) mails arrived")
        return mails
    }

    /// A browser in which ada signed up with email (`ada`, `ada@example.org`, ``password``), still signed in.
    static func signUpAda(_ app: WebApp) async throws -> Browser {
        var browser = app.browser()
        _ = try await browser.submit(
            "/signup", to: "/signup", [("username", "ada"), ("email", "ada@example.org"), ("password", Self.password)])
        return browser
    }

    /// "Sign in to link" offers "Forgot your password?" as the log-in page does when resets are mailed: the person
    /// asked for the password of an account they made long ago may not remember it.
    @Test(arguments: [true, false]) func theSignInToLinkPageOffersAPasswordReset(mailsResets: Bool) async throws {
        let outbox = Locked<[AccountRoutes.PasswordResetMail]>([])
        let configuration = mailsResets ? Self.configuration(outbox) : AccountRoutes.Configuration()
        try await WebApp.run(configuration: configuration) { app in
            var owner = try await Self.signUpAda(app)
            _ = try await owner.submit("/account", to: "/sign-out", [])
            var browser = app.browser()
            let arrival = try await browser.viaTwitter("/register/twitter", as: WebApp.ada)
            let existing = try await browser.get(try #require(arrival.location))
            #expect(existing.text.contains("This email already has an account"))
            // (without reset mails there is no such link)
            #expect(existing.text.contains(#"<a href="/password/forgot" id="forgot-password">"#) == mailsResets)
        }
    }

    @Test func aForgottenPasswordIsReplacedThroughTheMailedLinkOnce() async throws {
        let outbox = Locked<[AccountRoutes.PasswordResetMail]>([])
        try await WebApp.run(configuration: Self.configuration(outbox)) { app in
            // Given ada, signed up with email, and signed in in another browser
            var browser = try await Self.signUpAda(app)
            _ = try await browser.submit("/account", to: "/sign-out", [])
            var other = app.browser()
            let signedIn = try await other.submit(
                "/login", to: "/login", [("login", "ada"), ("password", Self.password)])
            #expect(signedIn.status == 303)

            // When she follows "Forgot your password?" and gives her address written another way
            let login = try await browser.get("/login")
            #expect(login.text.contains(#"<a href="/password/forgot" id="forgot-password">"#))
            let sent = try await browser.submit(
                "/password/forgot", to: "/password/forgot", [("email", " ADA@example.org")])
            // Then the page says the same as for an address nobody uses
            var stranger = app.browser()
            let unknown = try await stranger.submit(
                "/password/forgot", to: "/password/forgot", [("email", "nobody@example.org")])
            #expect(sent.status == 200 && unknown.status == 200)
            #expect(sent.text.contains("If an account uses that address, we sent it a link"))
            #expect(sent.text.contains("works once, for 1 hour"))
            #expect(
                sent.text.replacing(/csrf_token" value="[0-9a-f]+"/, with: "")
                    == unknown.text.replacing(/csrf_token" value="[0-9a-f]+"/, with: ""))
            // And one mail goes to her, with a link on the configured address, not the request's host
            let mails = try await Self.mails(outbox, count: 1)
            await app.routes.finishMails()
            #expect(outbox.withLock { $0.count } == 1)
            let mail = try #require(mails.first)
            #expect(mail.to == "ada@example.org" && mail.username == "ada")
            let link = mail.link.revealed
            let onTheServer = link.hasPrefix("https://accounts.example/password/reset?token=")
            #expect(
                onTheServer, "the mailed link is not on https://accounts.example/password/reset (it is not printed)")
            let token = String(link.dropFirst("https://accounts.example/password/reset?token=".count))
            #expect(token.count == 64)
            expectAbsent(token, named: "the reset token", in: "\(mail)", String(reflecting: mail))

            // When she opens it and chooses a password that is too short
            let path = "/password/reset?token=\(token)"
            let form = try await browser.get(path)
            #expect(form.status == 200 && form.text.contains("<strong>ada</strong>"))
            #expect(form.response.headerValue("referrer-policy") == "strict-origin")
            let short = try await browser.submit(
                path, to: "/password/reset", [("token", token), ("password", "short")])
            // Then she is told why, and the link still works
            #expect(short.status == 422 && short.text.contains("must be at least 10 characters"))
            #expect(try await browser.get(path).status == 200)

            // When she chooses a good one
            let done = try await browser.submit(
                path, to: "/password/reset", [("token", token), ("password", Self.newPassword)])
            // Then this browser is signed in with it, the other browser is signed out, and only the new password works
            #expect(done.status == 303 && done.location == "/account?notice=password_reset")
            let stale = try await other.get("/account")
            #expect(stale.status == 303 && stale.location == "/login?notice=sign_in_first")
            let notice = try await browser.get("/account?notice=password_reset")
            #expect(notice.status == 200 && notice.text.contains("Your password was changed, and you are signed in"))
            #expect(notice.text.contains("ada@example.org"))
            #expect(
                textQuery(
                    app.databasePath,
                    "SELECT details FROM account_events WHERE kind = 'signed_in' ORDER BY id DESC LIMIT 1")
                    == "{\"method\": \"password_reset\"}")
            let old = try await browser.submit("/login", to: "/login", [("login", "ada"), ("password", Self.password)])
            #expect(old.status == 401)
            let new = try await browser.submit(
                "/login", to: "/login", [("login", "ada@example.org"), ("password", Self.newPassword)])
            #expect(new.status == 303 && new.location == "/account?notice=signed_in")

            // And the link works once; a made-up one never
            for tried in [path, "/password/reset?token=" + String(repeating: "0", count: 64), "/password/reset"] {
                var fresh = app.browser()
                let page = try await fresh.get(tried)
                #expect(page.status == 400 && page.text.contains("This link does not work"), "\(tried)")
            }
            let again = try await stranger.submit(
                "/password/forgot", to: "/password/reset", [("token", token), ("password", "yet another passphrase")])
            #expect(again.status == 400)
            #expect(
                countQuery(app.databasePath, "SELECT count(*) FROM account_events WHERE kind = 'password_reset'") == 1)
            // And no log line holds the token
            expectAbsent(token, named: "the reset token", in: app.logLines.value.joined(separator: "\n"))
        }
    }

    /// A stranger can keep a login in its cool-down for as long as they like (ten wrong guesses every window), and
    /// the log-in page then refuses its owner too. The reset link gets the owner in: the browser that chose the new
    /// password is signed in (a `signed_in` event, method `password_reset`), with no trip through the log-in page
    /// the stranger keeps locked. Until session 63 the reset sent the person to that page, and they stayed out.
    @Test func aResetSignsInItsOwnerWhileAStrangerKeepsTheLogInCoolingDown() async throws {
        let outbox = Locked<[AccountRoutes.PasswordResetMail]>([])
        try await WebApp.run(configuration: Self.configuration(outbox)) { app in
            var ada = try await Self.signUpAda(app)
            _ = try await ada.submit("/account", to: "/sign-out", [])
            // Given a stranger's ten wrong guesses at her login, a minute apart (under every per-client limit)
            var stranger = app.browser()
            for _ in 0..<10 {
                let wrong = try await stranger.submit(
                    "/login", to: "/login", [("login", "ada@example.org"), ("password", "a wrong guess")])
                #expect(wrong.status == 401)
                app.clock.advance(by: 60)
            }
            // (her right password is refused now)
            let refused = try await ada.submit(
                "/login", to: "/login", [("login", "ada@example.org"), ("password", Self.password)])
            #expect(refused.status == 429)

            // When she asks for a link and chooses a new password with it, while the stranger guesses on
            _ = try await ada.submit("/password/forgot", to: "/password/forgot", [("email", "ada@example.org")])
            let mail = try #require(try await Self.mails(outbox, count: 1).first)
            let path = String(mail.link.revealed.dropFirst("https://accounts.example".count))
            _ = try await ada.get(path)
            for _ in 0..<10 {
                _ = try await stranger.submit(
                    "/login", to: "/login", [("login", "ada@example.org"), ("password", "a wrong guess")])
            }
            let token = String(path.dropFirst("/password/reset?token=".count))
            let done = try await ada.submit(
                path, to: "/password/reset", [("token", token), ("password", Self.newPassword)])

            // Then she is signed in, in this browser, on her account page
            #expect(done.status == 303 && done.location == "/account?notice=password_reset")
            let account = try await ada.get("/account")
            #expect(account.status == 200 && account.text.contains("ada@example.org"))
            // And the sign-in is in the audit trail, after the reset
            let kinds = try await app.store.events(for: try #require(try await app.store.account(.username("ada"))).id)
                .map(\.kind.rawValue)
            #expect(Array(kinds.prefix(2)) == ["signed_in", "password_reset"], "\(kinds)")
            #expect(
                textQuery(
                    app.databasePath,
                    "SELECT details FROM account_events WHERE kind = 'signed_in' ORDER BY id DESC LIMIT 1")
                    == "{\"method\": \"password_reset\"}")
            // And the stranger's later guesses do not end her session
            for _ in 0..<10 {
                _ = try await stranger.submit(
                    "/login", to: "/login", [("login", "ada@example.org"), ("password", "a wrong guess")])
            }
            #expect(try await ada.get("/account").status == 200)
        }
    }

    /// Issuing a link writes (a row, an event, a sync to disk) only for an address with an account, so only then is
    /// it slower, and only then can it fail: the answer does not wait for it.
    @Test func theAnswerDoesNotWaitForTheLinkSoItsFailureTellsNothing() async throws {
        let outbox = Locked<[AccountRoutes.PasswordResetMail]>([])
        try await WebApp.run(configuration: Self.configuration(outbox)) { app in
            _ = try await Self.signUpAda(app)
            // Given a store that cannot write a link (as when the disk is full)
            try executeSQL(
                app.databasePath,
                """
                CREATE TRIGGER no_room BEFORE INSERT ON password_resets
                BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END
                """)
            // When a stranger asks for a link for ada's address and for one nobody uses
            var stranger = app.browser()
            let known = try await stranger.submit(
                "/password/forgot", to: "/password/forgot", [("email", "ada@example.org")])
            let unknown = try await stranger.submit(
                "/password/forgot", to: "/password/forgot", [("email", "nobody@example.org")])
            // Then the answers are the same
            #expect(known.status == 200 && unknown.status == 200)
            #expect(
                known.text.replacing(/csrf_token" value="[0-9a-f]+"/, with: "")
                    == unknown.text.replacing(/csrf_token" value="[0-9a-f]+"/, with: ""))
            // And the failure is logged after the answer, and no mail goes out
            try await eventually {
                app.logLines.value.contains(where: { $0.contains("password reset request failed") })
            }
            #expect(app.logLines.value.contains(where: { $0.contains("password reset request failed") }))
            #expect(outbox.withLock { $0.isEmpty })
        }
    }

    /// The answer goes out while the store cannot write the link yet (another connection holds the write lock): it
    /// does not wait for the link, whose writing and syncing only an address with an account costs.
    @Test func theAnswerGoesOutBeforeTheLinkIsWritten() async throws {
        let outbox = Locked<[AccountRoutes.PasswordResetMail]>([])
        try await WebApp.run(configuration: Self.configuration(outbox)) { app in
            var browser = try await Self.signUpAda(app)
            let form = try await browser.get("/password/forgot")
            let csrf = try #require(form.csrfToken)
            // Given another connection holding the database's write lock
            let lock = try WriteLockHolder(path: app.databasePath)
            // When ada asks for a link
            let started = ContinuousClock.now
            let sent = try await browser.post("/password/forgot", [("csrf_token", csrf), ("email", "ada@example.org")])
            // Then the answer comes at once (the store would wait up to its 30-second busy timeout), before any link
            #expect(sent.status == 200 && sent.text.contains("If an account uses that address"))
            #expect(ContinuousClock.now - started < .seconds(25))
            #expect(outbox.withLock { $0.isEmpty })
            // And once the lock is let go, the link is written and mailed
            try lock.release()
            #expect(try await Self.mails(outbox, count: 1).count == 1)
        }
    }

    @Test func withoutADeliveryThereIsNoResetAndTheLogInPageOffersNone() async throws {
        try await WebApp.run { app async throws in
            var browser = app.browser()
            let login = try await browser.get("/login")
            #expect(login.status == 200 && !login.text.contains("/password/forgot"))
            let forgot = try await browser.get("/password/forgot")
            #expect(forgot.status == 404)
            let reset = try await browser.get("/password/reset?token=00")
            #expect(reset.status == 404)
        }
    }

    @Test func aFailingMailerIsLoggedByTypeAndTheAnswerIsTheSame() async throws {
        struct SMTPDown: Error, CustomStringConvertible {
            let link: String
            var description: String { "could not send \(link)" }
        }
        let attempts = Locked(0)
        var routes = AccountRoutes.Configuration()
        routes.passwordReset = AccountRoutes.PasswordResetDelivery(baseURL: URL(string: "https://accounts.example")!) {
            mail in
            attempts.withLock { $0 += 1 }
            throw SMTPDown(link: mail.link.revealed)
        }
        try await WebApp.run(configuration: routes) { app in
            var browser = try await Self.signUpAda(app)
            let sent = try await browser.submit(
                "/password/forgot", to: "/password/forgot", [("email", "ada@example.org")])
            #expect(sent.status == 200 && sent.text.contains("If an account uses that address"))
            try await eventually { app.logLines.value.contains(where: { $0.contains("password reset mail failed") }) }
            let log = app.logLines.value.joined(separator: "\n")
            #expect(attempts.withLock { $0 } == 1)
            #expect(log.contains("password reset mail failed") && log.contains("SMTPDown"))
            #expect(!log.contains("token="))
        }
    }

    /// A browser that reaches the app through a trusted proxy on 127.0.0.1, which says it is `address`.
    static func client(_ app: WebApp, _ address: String) -> Browser {
        var browser = app.browser()
        browser.forwardedFor = address
        return browser
    }

    /// `name` signs up (as `name@example.org`) from a client at `address`; the answer.
    static func signUp(_ app: WebApp, _ name: String, from address: String) async throws -> Page {
        var browser = client(app, address)
        return try await browser.submit(
            "/signup", to: "/signup", [("username", name), ("email", "\(name)@example.org"), ("password", password)])
    }

    @Test func requestsOverTheClientsLimitAre429AndIssueNothing() async throws {
        let outbox = Locked<[AccountRoutes.PasswordResetMail]>([])
        var routes = Self.configuration(outbox)
        routes.passwordReset?.requestsPerClient = RegistrationService.Rate(2, per: 600)
        try routes.trustProxies()
        try await WebApp.run(configuration: routes) { app in
            _ = try await Self.signUpAda(app)
            // Given a client that asked for two links for ada
            var asker = Self.client(app, "198.51.100.7")
            for _ in 0..<2 {
                let sent = try await asker.submit(
                    "/password/forgot", to: "/password/forgot", [("email", "ada@example.org")])
                #expect(sent.status == 200)
            }
            _ = try await Self.mails(outbox, count: 2)
            // When it asks again, for ada or for an address nobody uses
            for email in ["ada@example.org", "nobody@example.org"] {
                let refused = try await asker.submit("/password/forgot", to: "/password/forgot", [("email", email)])
                // Then it is told to wait (one more every 300 s), whoever the address belongs to
                #expect(refused.status == 429, "\(email)")
                #expect(refused.response.headerValue("retry-after") == "300", "\(email)")
                #expect(refused.text.contains("Too many password reset links were asked for from your address"))
            }
            // And nothing more was issued or mailed
            await app.routes.finishMails()
            #expect(outbox.withLock { $0.count } == 2)
            #expect(countQuery(app.databasePath, "SELECT count(*) FROM password_resets") == 2)
            #expect(
                countQuery(
                    app.databasePath, "SELECT count(*) FROM account_events WHERE kind = 'password_reset_requested'")
                    == 2)
            // And another client is not held back by it
            var other = Self.client(app, "198.51.100.8")
            let sent = try await other.submit(
                "/password/forgot", to: "/password/forgot", [("email", "ada@example.org")])
            #expect(sent.status == 200)
            #expect(try await Self.mails(outbox, count: 3).count == 3)
            // And the first may ask again once its interval has passed
            app.clock.advance(by: 300)
            let later = try await asker.submit(
                "/password/forgot", to: "/password/forgot", [("email", "nobody@example.org")])
            #expect(later.status == 200)
            // And the refusals were logged, without the addresses asked for
            let log = app.logLines.value.joined(separator: "\n")
            #expect(log.contains("password reset refused: too many asked for"))
            #expect(!log.contains("nobody@example.org"))
        }
    }

    @Test func theNetworksAndTheSitesLimitsCountEveryClient() async throws {
        let outbox = Locked<[AccountRoutes.PasswordResetMail]>([])
        var routes = Self.configuration(outbox)
        routes.passwordReset?.requestsPerClient = nil
        routes.passwordReset?.requestsPerNetwork = RegistrationService.Rate(2, per: 600)
        routes.passwordReset?.requestsInAll = RegistrationService.Rate(3, per: 600)
        try routes.trustProxies()
        try await WebApp.run(configuration: routes) { app in
            func ask(_ address: String) async throws -> Page {
                var browser = Self.client(app, address)
                return try await browser.submit(
                    "/password/forgot", to: "/password/forgot", [("email", "nobody@example.org")])
            }
            // Two clients of one IPv6 /48 use up its allowance; a third of it is refused for the network
            #expect(try await ask("2001:db8:1:1::1").status == 200)
            #expect(try await ask("2001:db8:1:2::1").status == 200)
            let network = try await ask("2001:db8:1:3::1")
            #expect(network.status == 429 && network.text.contains("asked for from your network"))
            // Another network's client gets the site's last one, and then everyone is refused for the site
            #expect(try await ask("198.51.100.7").status == 200)
            let site = try await ask("203.0.113.9")
            #expect(site.status == 429 && site.text.contains("asked for on this site right now"))
        }
    }

    @Test func withTooManyLinksUnderWayARequestIsDroppedUnseenAndShutdownWaitsForThem() async throws {
        let outbox = Locked<[AccountRoutes.PasswordResetMail]>([])
        let entered = Locked(0)
        let gate = Locked(false)
        var routes = AccountRoutes.Configuration()
        var delivery = AccountRoutes.PasswordResetDelivery(baseURL: URL(string: "https://accounts.example")!) {
            mail in
            // A mail server that takes its time
            entered.withLock { $0 += 1 }
            while !gate.value { try await Task.sleep(for: .milliseconds(5)) }
            outbox.withLock { $0.append(mail) }
        }
        delivery.maximumInFlight = 1
        routes.passwordReset = delivery
        try await WebApp.run(configuration: routes) { app in
            var browser = try await Self.signUpAda(app)
            // Given one link under way, its mail held up
            let first = try await browser.submit(
                "/password/forgot", to: "/password/forgot", [("email", "ada@example.org")])
            #expect(first.status == 200)
            try await eventually { entered.value > 0 }
            #expect(entered.value == 1)
            // When another is asked for
            let busy = try await browser.submit(
                "/password/forgot", to: "/password/forgot", [("email", "ada@example.org")])
            // Then nothing is issued, and the log says so, but the answer is the usual one: a "busy" answer would
            // tell that the address asked for first has an account, since only such requests hold a place for long
            #expect(busy.status == 200 && busy.text.contains(#"id="reset-sent""#))
            #expect(
                busy.text.replacing(/csrf_token" value="[0-9a-f]+"/, with: "")
                    == first.text.replacing(/csrf_token" value="[0-9a-f]+"/, with: ""))
            try await Task.sleep(for: .milliseconds(50))
            #expect(countQuery(app.databasePath, "SELECT count(*) FROM password_resets") == 1)
            #expect(app.logLines.value.contains { $0.contains("password reset dropped: too many links under way") })

            // When the app waits for its mails at shutdown
            let finished = Locked(false)
            let waiting = Task {
                await app.routes.finishMails()
                finished.withLock { $0 = true }
            }
            // (a waiter whose task is cancelled stops waiting)
            let cancelled = Task { await app.routes.finishMails() }
            cancelled.cancel()
            await cancelled.value
            try await Task.sleep(for: .milliseconds(100))
            // Then it waits while the mail is held up, and returns once it is sent
            #expect(!finished.value)
            gate.withLock { $0 = true }
            await waiting.value
            #expect(finished.value && outbox.withLock { $0.count } == 1)
            // And with nothing under way, a new request goes through, and waiting returns at once
            let again = try await browser.submit(
                "/password/forgot", to: "/password/forgot", [("email", "ada@example.org")])
            #expect(again.status == 200)
            #expect(try await Self.mails(outbox, count: 2).count == 2)
            await app.routes.finishMails()
        }
    }
}
