import AccountCrypto
import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import TestSupport
import Testing
import TwitterOAuth

/// One person, two browsers: what one device does to the other's session, forms and unfinished work.
struct TwoDevicesTests {
    static let password = PasswordResetRoutesTests.password

    /// Microseconds a second ahead of the test clock (which stands still): an event written with it came after any
    /// request under way began.
    static func momentAfter(_ app: WebApp) -> Int64 {
        Int64((app.clock.now.timeIntervalSince1970 + 1) * 1_000_000)
    }

    /// A password log-in under way when "sign out everywhere" lands from another instance of the app over the same
    /// file opens no session, also when that instance's clock is a minute behind: its `sessions_revoked` event is
    /// dated before the log-in began, yet it was recorded after the log-in's checks began.
    @Test func aLogInCheckedBeforeSignOutEverywhereOnAnInstanceWhoseClockIsBehindOpensNoSession() async throws {
        try await WebApp.run { app in
            // Given ada, signed up on her laptop, and a phone on the log-in page
            _ = try await PasswordResetRoutesTests.signUpAda(app)
            var phone = app.browser()
            let csrf = try #require(try await phone.get("/login").csrfToken)

            // When the phone logs in with her password while "Sign out everywhere" lands from another instance whose
            // clock is a minute behind (it holds the write lock, and commits once the log-in, under way, waits for it
            // to count the attempt)
            let holder = try CommittingLockHolder(path: app.databasePath)
            let loggingIn = Task { [phone] in
                var browser = phone
                return try await browser.post(
                    "/login", [("csrf_token", csrf), ("login", "ada"), ("password", Self.password)])
            }
            try #require(try await writesReached(1, in: app.store), "the log-in never reached its write")
            let minuteBehind = Int64((app.clock.now.timeIntervalSince1970 - 60) * 1_000_000)
            try holder.commit(
                """
                DELETE FROM browser_sessions WHERE user_id = (SELECT id FROM users WHERE username = 'ada');
                INSERT INTO account_events (kind, subject, actor, details, occurred_at)
                SELECT 'sessions_revoked', public_id, 'user', '{"sessions":"0"}', \(minuteBehind)
                FROM users WHERE username = 'ada';
                """)
            let answer = try await loggingIn.value

            // Then no session is opened, and the phone is told to log in again
            let said = "\(answer.status) \(answer.location ?? "")"
            #expect(answer.location == "/login?notice=sessions_ended", "\(said)")
            let ada = try #require(try await app.store.account(.username("ada")))
            #expect(try await app.store.browserSessionCount(of: ada.id) == 0, "\(said)")
        }
    }

    /// README ("Sessions"): a sign-in whose checks began before every session of the account was ended opens none,
    /// "since whatever let it in was checked before that". A Twitter link ("a way in that outlives a password reset and
    /// 'sign out everywhere'") confirmed on the phone while the laptop signs out everywhere is the same race: the
    /// phone's session and token were checked before the sign-out, and the link lands after it. The person who just
    /// ended every session (a stolen one among them) is left with the thief's Twitter account linked.
    @Test func aTwitterLinkConfirmedWhileAnotherDeviceSignsOutEverywhereIsNotMade() async throws {
        try await WebApp.run { app in
            // Given ada, signed up on her laptop and signed in on a phone, which has Zoë's Twitter sign-in approved
            // and waiting on the "Link" page
            _ = try await PasswordResetRoutesTests.signUpAda(app)
            var (phone, _) = try await PasswordSettingsRoutesTests.logIn(app, "ada", Self.password)
            let arrival = try await phone.viaTwitter("/account/twitter/link", as: WebApp.zoe, startPage: "/account")
            let confirm = try await phone.get(try #require(arrival.location))
            let draft = try #require(confirm.hiddenValue("draft"))
            let csrf = try #require(confirm.csrfToken)

            // When the phone presses "Link" while "Sign out everywhere" lands from the laptop (on another instance
            // of the app over the same file: it holds the write lock, and commits once the phone's request has
            // read its session and waits to write)
            let holder = try CommittingLockHolder(path: app.databasePath)
            let linking = Task { [phone] in
                var browser = phone
                return try await browser.post("/register/link", [("csrf_token", csrf), ("draft", draft)])
            }
            try #require(try await writesReached(1, in: app.store), "the link never reached its write")
            try holder.commit(
                """
                DELETE FROM browser_sessions WHERE user_id = (SELECT id FROM users WHERE username = 'ada');
                INSERT INTO account_events (kind, subject, actor, details, occurred_at)
                SELECT 'sessions_revoked', public_id, 'user', '{"sessions":"2"}', \(Self.momentAfter(app))
                FROM users WHERE username = 'ada';
                """)
            let linked = try await linking.value

            // Then the phone's session is gone, and so is the link it was confirming: the phone is told to log in
            #expect(linked.location == "/login?notice=sessions_ended")
            #expect(try await phone.get("/whoami").text == "nobody")
            let ada = try #require(try await app.store.account(.username("ada")))
            let linkedAfterSignOut = ada.twitter != nil
            let answer = "\(linked.status) \(linked.location ?? "")"
            #expect(
                !linkedAfterSignOut,
                "a session ended by 'sign out everywhere' linked a Twitter account after the sign-out (\(answer))")
        }
    }

    /// The same race for a change of address: README promises that signing out another browser from the account page
    /// ends "a change of address under way (its link)", since the link "does not say which session asked for it", so a
    /// stolen session of an account made through Twitter cannot move it to its holder's address. A change asked for
    /// by the phone while the laptop signs it out is issued after the sign-out, and takes the address.
    @Test func aChangeOfAddressAskedForWhileAnotherDeviceSignsThatBrowserOutDoesNotTakeTheAddress() async throws {
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        try await WebApp.run(configuration: EmailVerificationRoutesTests.configuration(outbox)) { app in
            // Given Zoë, registered through Twitter (no password) on her laptop, and signed in on a second browser
            var laptop = app.browser()
            let arrival = try await laptop.viaTwitter("/register/twitter", as: WebApp.zoe)
            let done = try await laptop.finishRegistration(
                after: arrival, [("username", "zoe"), ("email", "zoe@example.com")])
            #expect(done.status == 303)
            var other = app.browser()
            _ = try await other.viaTwitter("/login/twitter", as: WebApp.zoe)
            #expect(try await other.get("/whoami").text == "zoe")
            let form = try await other.get("/account")
            let csrf = try #require(form.csrfToken)
            let otherHash = SHA256.hexDigest(Array(try #require(other.sessionID).utf8))

            // When that browser asks to move the account to another address while the laptop's "Sign out" beside it
            // lands (on another instance: it commits once the request has read its session and waits to write)
            let holder = try CommittingLockHolder(path: app.databasePath)
            let asking = Task { [other] in
                var browser = other
                return try await browser.post(
                    "/account/email", [("csrf_token", csrf), ("new_email", "thief@evil.example")])
            }
            try #require(try await writesReached(1, in: app.store), "the change never reached its write")
            try holder.commit(
                """
                DELETE FROM browser_sessions WHERE token_hash = '\(otherHash)';
                UPDATE email_verifications SET expires_at = \(Self.momentAfter(app))
                WHERE kind = 'change' AND expires_at > \(Self.momentAfter(app));
                INSERT INTO account_events (kind, subject, actor, details, occurred_at)
                SELECT 'session_ended', public_id, 'user', '{}', \(Self.momentAfter(app))
                FROM users WHERE username = 'zoe';
                """)
            let asked = try await asking.value
            #expect(try await other.get("/whoami").text == "nobody")

            // Then the change was either refused for the ended session or sent (the race either way), nothing else
            let answers = ["/login?notice=sessions_ended", "/account?notice=email_change_sent"]
            #expect(answers.contains(asked.location ?? ""), "\(asked.status) \(asked.location ?? "")")
            // And no change link issued after the sign-out takes the address
            if asked.location == "/account?notice=email_change_sent" {
                let mail = try #require(
                    try await EmailVerificationRoutesTests.mails(outbox, count: 1).first { $0.changesAddress })
                var thief = app.browser()
                let link = try await thief.get(try EmailVerificationRoutesTests.path(of: mail))
                #expect(link.status == 400, "a change asked for by a session signed out meanwhile still works")
                if link.status == 200 {
                    _ = try await EmailVerificationRoutesTests.confirm(link, in: &thief)
                }
            }
            #expect(try await app.store.account(.username("zoe"))?.email == "zoe@example.com")
        }
    }

    /// README: "Delete account" revokes the Twitter token the account held and discards the Twitter sign-ins left
    /// unfinished for it, "revoking their tokens unless that Twitter account is linked to an account by now", because
    /// "deleting the stored copy alone would leave the token working until the person revokes the app in Twitter's
    /// settings". A "Link Twitter account" left on its confirm page in the phone is such a sign-in: the deletion made
    /// on the laptop removes its draft (the foreign key cascades) but leaves its token working at Twitter.
    @Test func deletingTheAccountOnOneDeviceRevokesTheTwitterLinkLeftUnfinishedOnAnother() async throws {
        try await WebApp.run { app in
            // Given ada, signed up on her laptop, and on her phone "Link Twitter account" approved as Zoë at Twitter,
            // left on the confirm page
            var laptop = try await PasswordResetRoutesTests.signUpAda(app)
            var (phone, _) = try await PasswordSettingsRoutesTests.logIn(app, "ada", Self.password)
            let arrival = try await phone.viaTwitter("/account/twitter/link", as: WebApp.zoe, startPage: "/account")
            let draftID = try #require(arrival.draftInLocation)
            let draft = try #require(try await app.store.draft(id: draftID))
            #expect(draft.linkUser != nil)

            // When she deletes the account on the laptop
            let deleted = try await laptop.submit(
                "/account", to: "/account/delete", [("confirm", "yes"), ("current_password", Self.password)])
            #expect(deleted.location == "/?notice=account_deleted")
            #expect(try await app.store.account(.username("ada")) == nil)
            #expect(try await app.store.draft(id: draftID) == nil)

            // Then the token Twitter issued for that unfinished link no longer works (Zoë's Twitter account is linked
            // to no account)
            #expect(try await app.store.account(twitterUserID: TwitterUserID(WebApp.zoe)) == nil)
            try await PasswordSettingsRoutesTests.expectRevoked(draft.credential, of: WebApp.zoe, app)
        }
    }

    /// README: a session ends after "idle 1 hour (no request for that long ends it; use is written back at most once
    /// a minute)"; `idleLifetime` is configurable ("Above 0"). With an idle lifetime shorter than the touch interval
    /// (60 s by default), use is never written back in time: a browser that makes a request every 20 seconds is signed
    /// out 30 seconds after it signed in.
    @Test func aSessionInUseOutlivesAnIdleLifetimeShorterThanTheTouchInterval() async throws {
        var configuration = AccountRoutes.Configuration()
        configuration.idleLifetime = 30
        try await WebApp.run(configuration: configuration) { app in
            var browser = try await PasswordResetRoutesTests.signUpAda(app)
            #expect(try await browser.get("/whoami").text == "ada")
            var signedOutAfter: Int?
            for step in 1...4 {
                app.clock.advance(by: 20)
                if try await browser.get("/whoami").text != "ada" {
                    signedOutAfter = step * 20
                    break
                }
            }
            #expect(
                signedOutAfter == nil,
                "used every 20 s, the session still idled out \(signedOutAfter ?? 0) s after sign-in (idle: 30 s)")
        }
    }
}
