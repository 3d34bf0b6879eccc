import AccountCrypto
import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import TestSupport
import Testing

/// A browser whose session ends while its request is under way changes nothing and goes to
/// `/login?notice=sessions_ended` (README, "Sessions"): signing other browsers out included; its own sign-out still
/// clears its cookie.
struct EndedSessionWritesTests {
    static let password = PasswordResetRoutesTests.password

    /// Ada signed up on her laptop, and signed in on a phone (someone else's hands, say); the phone's account page.
    static func laptopAndPhone(_ app: WebApp) async throws -> (laptop: Browser, phone: Browser, phonePage: Page) {
        let laptop = try await PasswordResetRoutesTests.signUpAda(app)
        var (phone, _) = try await PasswordSettingsRoutesTests.logIn(app, "ada", Self.password)
        #expect(try await phone.get("/whoami").text == "ada")
        let page = try await phone.get("/account")
        return (laptop, phone, page)
    }

    /// The SQL of the laptop's "Sign out" beside the phone on the account page (`endBrowserSession`), as another
    /// instance of the app commits it.
    static func signOutSQL(_ app: WebApp, sessionOf browser: Browser) throws -> String {
        let hash = SHA256.hexDigest(Array(try #require(browser.sessionID).utf8))
        return """
            DELETE FROM browser_sessions WHERE token_hash = '\(hash)';
            INSERT INTO account_events (kind, subject, actor, details, occurred_at)
            SELECT 'session_ended', public_id, 'user', '{}', \(TwoDevicesTests.momentAfter(app))
            FROM users WHERE username = 'ada';
            """
    }

    /// "Sign out" beside another browser (`POST /account/sessions/end`) runs on behalf of the asking session: a phone
    /// that the laptop has just signed out, whose own "Sign out [laptop]" was already under way, ends nothing, so the
    /// person who evicted the phone stays signed in (and the trail credits no ended session with a sign-out).
    @Test func aBrowserSignedOutMeanwhileCannotEndAnotherBrowsersSession() async throws {
        try await WebApp.run { app in
            let (laptop, phone, page) = try await Self.laptopAndPhone(app)
            let csrf = try #require(page.csrfToken)
            let handles = page.text.matches(of: /id="end-session-([0-9a-f]{16})"/).map { String($0.output.1) }
            #expect(handles.count == 1)
            let laptopHandle = try #require(handles.first)
            let eventsBefore = PasswordSettingsRoutesTests.events(app, "session_ended")

            // When the phone presses "Sign out" beside the laptop while the laptop's "Sign out" beside the phone lands
            // (on another instance of the app: it holds the write lock, and commits once the phone's request has read
            // its session and waits to write)
            let holder = try CommittingLockHolder(path: app.databasePath)
            let ending = Task { [phone] in
                var browser = phone
                return try await browser.post(
                    "/account/sessions/end", [("csrf_token", csrf), ("session", laptopHandle)])
            }
            try #require(try await writesReached(1, in: app.store), "the sign-out never reached its write")
            try holder.commit(try Self.signOutSQL(app, sessionOf: phone))
            let ended = try await ending.value

            // Then the phone is signed out, and nothing it asked for after that was done: the laptop stays signed in
            var phoneAfter = phone
            #expect(try await phoneAfter.get("/whoami").text == "nobody")
            var laptopAfter = laptop
            let laptopUser = try await laptopAfter.get("/whoami").text
            let answer = "\(ended.status) \(ended.location ?? "")"
            #expect(
                laptopUser == "ada",
                "a browser signed out meanwhile ended the session of the browser that signed it out (\(answer))")
            #expect(ended.location == "/login?notice=sessions_ended", "\(answer)")
            // (only the laptop's own "Sign out" is in the trail)
            #expect(PasswordSettingsRoutesTests.events(app, "session_ended") == eventsBefore + 1)
        }
    }

    /// The same race for "Sign out everywhere" (`POST /account/sign-out-everywhere`): the phone's request, under way
    /// when the laptop signed the phone out, ends no session and writes no `sessions_revoked` event.
    @Test func aBrowserSignedOutMeanwhileCannotSignEveryBrowserOut() async throws {
        try await WebApp.run { app in
            let (laptop, phone, page) = try await Self.laptopAndPhone(app)
            let csrf = try #require(page.csrfToken)

            let holder = try CommittingLockHolder(path: app.databasePath)
            let signingOut = Task { [phone] in
                var browser = phone
                return try await browser.post("/account/sign-out-everywhere", [("csrf_token", csrf)])
            }
            try #require(try await writesReached(1, in: app.store), "the sign-out never reached its write")
            try holder.commit(try Self.signOutSQL(app, sessionOf: phone))
            let answer = try await signingOut.value

            var laptopAfter = laptop
            let laptopUser = try await laptopAfter.get("/whoami").text
            let said = "\(answer.status) \(answer.location ?? "")"
            #expect(
                laptopUser == "ada",
                "a browser signed out meanwhile signed every browser of the account out (\(said))")
            #expect(answer.location == "/login?notice=sessions_ended", "\(said)")
            #expect(PasswordSettingsRoutesTests.events(app, "sessions_revoked") == 0)
        }
    }

    /// `POST /sign-out` from a browser with no stored session (ended, or never signed in) only clears the cookie
    /// (README), also when the session ends between the route's two reads of it (here by a trigger on the write that
    /// notes its use, as another device's "Sign out" landing just then): not a 403 "This form has expired" that
    /// leaves the dead cookie in place.
    @Test func aSignOutWhoseSessionEndsAsItIsReadStillSignsOut() async throws {
        try await WebApp.run { app in
            var ada = try await PasswordResetRoutesTests.signUpAda(app)
            let page = try await ada.get("/account")
            let csrf = try #require(page.csrfToken)
            // (a minute later: this request's first read of the session writes its use back)
            app.clock.advance(by: 61)
            try executeSQL(
                app.databasePath,
                """
                CREATE TRIGGER end_session_as_it_is_used AFTER UPDATE OF last_seen_at ON browser_sessions
                BEGIN DELETE FROM browser_sessions WHERE id = NEW.id; END;
                """)
            let signedOut = try await ada.post("/sign-out", [("csrf_token", csrf)])
            try executeSQL(app.databasePath, "DROP TRIGGER end_session_as_it_is_used")

            #expect(try await ada.get("/whoami").text == "nobody")
            #expect(
                signedOut.location == "/?notice=signed_out",
                "a sign-out whose session ended as it was read: \(signedOut.status) \(signedOut.location ?? "")")
            #expect(signedOut.setCookies.contains { $0.hasPrefix("accounts_session=;") || $0.contains("Max-Age=0") })
        }
    }

    /// A password form refused from a session that ends while the current password is checked (the owner signing
    /// that browser out) is answered as every other write of an ended session is, `/login?notice=sessions_ended`: not
    /// with the account page (its address, recent events and live sessions) handed to a browser whose session has
    /// ended, whether the current password was wrong or the new one is refused by the policy.
    @Test(arguments: [(current: "a wrong guess", new: PasswordResetRoutesTests.newPassword), (Self.password, "short")])
    func aPasswordFormRefusedAsItsSessionEndsGetsNoAccountPage(current: String, new: String) async throws {
        try await WebApp.run { app in
            let (_, phone, page) = try await Self.laptopAndPhone(app)
            let csrf = try #require(page.csrfToken)
            let hash = SHA256.hexDigest(Array(try #require(phone.sessionID).utf8))
            // (the check's first write, which counts it, is the moment the other device's sign-out lands)
            try executeSQL(
                app.databasePath,
                """
                CREATE TRIGGER end_session_while_checked AFTER INSERT ON sign_in_failures
                BEGIN DELETE FROM browser_sessions WHERE token_hash = '\(hash)'; END;
                """)
            var browser = phone
            let refused = try await browser.post(
                "/account/password", [("csrf_token", csrf), ("current_password", current), ("new_password", new)])
            try executeSQL(app.databasePath, "DROP TRIGGER end_session_while_checked")

            #expect(try await browser.get("/whoami").text == "nobody")
            // (a wrong guess is still recorded, as ActingSessionAuditTests requires)
            let guesses = PasswordSettingsRoutesTests.events(app, "password_check_failed")
            #expect(guesses == (current == Self.password ? 0 : 1))
            let shown = refused.text.contains("ada@example.org") || refused.text.contains("end-session-")
            #expect(!shown, "an ended session was shown the account page (\(refused.status))")
            #expect(refused.location == "/login?notice=sessions_ended", "\(refused.status)")
        }
    }
}
