import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import Registration
import TestSupport
import Testing
import TwitterOAuth

/// Changing, setting and removing a password on the account page, against a real server and a real SQLite file.
struct PasswordSettingsRoutesTests {
    static let password = PasswordResetRoutesTests.password
    static let newPassword = PasswordResetRoutesTests.newPassword
    /// What a wrong current password is told.
    static let wrong = "The current password is not correct."

    /// Ada signed up with a password, then Zoë's Twitter linked to her account, in the returned browser.
    static func signUpAdaAndLinkZoe(_ app: WebApp) async throws -> Browser {
        var browser = app.browser()
        _ = try await browser.submit(
            "/signup", to: "/signup", [("username", "ada"), ("email", "ada@example.org"), ("password", password)])
        let arrival = try await browser.viaTwitter("/account/twitter/link", as: WebApp.zoe, startPage: "/account")
        let confirm = try await browser.get(try #require(arrival.location))
        let linked = try await browser.post(
            "/register/link",
            [("csrf_token", try #require(confirm.csrfToken)), ("draft", try #require(confirm.hiddenValue("draft")))])
        #expect(linked.location == "/account?notice=linked")
        return browser
    }

    /// 山田 太郎 registered through Twitter (no password), signed in in the returned browser.
    static func registerTaro(_ app: WebApp) async throws -> Browser {
        var browser = app.browser()
        let arrival = try await browser.viaTwitter("/register/twitter", as: WebApp.yamada)
        let done = try await browser.finishRegistration(
            after: arrival,
            [("username", "taro"), ("email", "taro@example.jp"), ("first_name", "太郎"), ("last_name", "山田")])
        #expect(done.status == 303 && done.location == "/account?notice=registered")
        return browser
    }

    static func logIn(_ app: WebApp, _ login: String, _ password: String) async throws -> (Browser, Page) {
        var browser = app.browser()
        let page = try await browser.submit("/login", to: "/login", [("login", login), ("password", password)])
        return (browser, page)
    }

    static func events(_ app: WebApp, _ kind: String) -> Int {
        countQuery(app.databasePath, "SELECT count(*) FROM account_events WHERE kind = '\(kind)'")
    }

    @Test func aPasswordIsChangedWithTheCurrentOneAndEveryOtherSessionEnds() async throws {
        try await WebApp.run { app in
            // Given ada, signed up with email, signed in here and in another browser
            var browser = try await PasswordResetRoutesTests.signUpAda(app)
            var (other, _) = try await Self.logIn(app, "ada", Self.password)
            #expect(try await other.get("/whoami").text == "ada")
            let page = try await browser.get("/account")
            #expect(page.text.contains(#"id="change-password-form""#))
            // (no Twitter account is linked, so the password cannot be removed)
            #expect(!page.text.contains(#"id="remove-password-form""#))

            // When she gives a wrong current password, or a new one that is too short
            let wrong = try await browser.submit(
                "/account", to: "/account/password",
                [("current_password", "not my password"), ("new_password", Self.newPassword)])
            let short = try await browser.submit(
                "/account", to: "/account/password", [("current_password", Self.password), ("new_password", "short")])
            // Then she is told why on the account page, and nothing changed
            #expect(wrong.status == 401 && wrong.text.contains("The current password is not correct."))
            #expect(short.status == 422 && short.text.contains("The new password must be at least 10 characters"))
            #expect(Self.events(app, "password_changed") == 0)
            #expect(try await other.get("/whoami").text == "ada")

            // When she gives both right
            let done = try await browser.submit(
                "/account", to: "/account/password",
                [("current_password", Self.password), ("new_password", Self.newPassword)])
            // Then the password is changed, the other browser is signed out, and this one is not
            #expect(done.status == 303 && done.location == "/account?notice=password_changed")
            #expect(
                try await browser.get("/account?notice=password_changed").text.contains("Your password was changed"))
            #expect(try await other.get("/whoami").text == "nobody")
            #expect(try await browser.get("/whoami").text == "ada")
            #expect(Self.events(app, "password_changed") == 1)
            #expect(try await Self.logIn(app, "ada", Self.password).1.status == 401)
            #expect(try await Self.logIn(app, "ada", Self.newPassword).1.status == 303)
            // And no log line holds either password
            let log = app.logLines.value.joined(separator: "\n")
            expectAbsent(Self.password, named: "the old password", in: log)
            expectAbsent(Self.newPassword, named: "the new password", in: log)
        }
    }

    @Test func anAccountMadeThroughTwitterGetsAPasswordOnlySoonAfterSigningIn() async throws {
        try await WebApp.run { app in
            // Given taro, registered through Twitter a moment ago, signed in here and in another browser
            var browser = try await Self.registerTaro(app)
            var other = app.browser()
            _ = try await other.viaTwitter("/login/twitter", as: WebApp.yamada)
            #expect(try await other.get("/whoami").text == "taro")
            let page = try await browser.get("/account")
            #expect(page.text.contains(#"id="add-password-form""#) && !page.text.contains("change-password-form"))

            // When he sets a password that is too short
            let short = try await browser.submit("/account", to: "/account/password/add", [("new_password", "short")])
            #expect(short.status == 422 && short.text.contains("must be at least 10 characters"))
            // When ten minutes and a second have passed since this browser signed in
            app.clock.advance(by: 10 * 60 + 1)
            let form = try await browser.get("/account")
            // Then the page asks him to log in with Twitter again, and a posted password is refused
            #expect(form.text.contains(#"id="password-sign-in-again""#) && !form.text.contains("add-password-form"))
            let late = try await browser.post(
                "/account/password/add",
                [("csrf_token", try #require(form.csrfToken)), ("new_password", Self.password)])
            #expect(late.status == 403 && late.text.contains("log in with Twitter again first"))
            #expect(try await Self.logIn(app, "taro", Self.password).1.status == 401)
            #expect(Self.events(app, "password_added") == 0)

            // When he logs in with Twitter again, and sets one
            let again = try await browser.viaTwitter("/login/twitter", as: WebApp.yamada, startPage: "/account")
            #expect(again.status == 303 && again.location == "/account?notice=signed_in")
            let set = try await browser.submit(
                "/account", to: "/account/password/add", [("new_password", Self.password)])
            // Then he can log in with it too, and the other browser is signed out
            #expect(set.status == 303 && set.location == "/account?notice=password_added")
            #expect(try await Self.logIn(app, "taro@example.jp", Self.password).1.status == 303)
            #expect(try await other.get("/whoami").text == "nobody")
            #expect(try await browser.get("/whoami").text == "taro")
            #expect(Self.events(app, "password_added") == 1)
            // And a second one cannot be set over it: the page offers a change now
            let later = try await browser.get("/account")
            #expect(later.text.contains(#"id="change-password-form""#) && later.text.contains("remove-password-form"))
            let over = try await browser.post(
                "/account/password/add",
                [("csrf_token", try #require(later.csrfToken)), ("new_password", Self.newPassword)])
            #expect(over.status == 303 && over.location == "/account")
            #expect(try await Self.logIn(app, "taro", Self.newPassword).1.status == 401)

            // When he removes it, first with a wrong password
            let wrong = try await browser.submit(
                "/account", to: "/account/password/remove", [("current_password", "not my password")])
            #expect(wrong.status == 401 && wrong.text.contains("The current password is not correct."))
            // (within 7 days of linking Twitter, refused: whoever guessed the password could keep the account so)
            let soon = try await browser.submit(
                "/account", to: "/account/password/remove", [("current_password", Self.password)])
            #expect(soon.status == 409 && soon.text.contains("The password cannot be removed until"))
            #expect(Self.events(app, "password_removed") == 0)
            try backdateTwitterLinks(of: app.store)
            let removed = try await browser.submit(
                "/account", to: "/account/password/remove", [("current_password", Self.password)])
            // Then he logs in with Twitter only
            #expect(removed.status == 303 && removed.location == "/account?notice=password_removed")
            #expect(try await Self.logIn(app, "taro", Self.password).1.status == 401)
            #expect(Self.events(app, "password_removed") == 1)
        }
    }

    /// Removing the password ends the sessions it let in, as changing it does: whoever signed in with it (a person who
    /// removes a password they think was seen, to log in with Twitter only) is signed out, and this browser is not.
    @Test func removingThePasswordEndsEveryOtherSession() async throws {
        try await WebApp.run { app in
            // Given taro, registered through Twitter, with a password, signed in with it in another browser
            var browser = try await Self.registerTaro(app)
            let set = try await browser.submit(
                "/account", to: "/account/password/add", [("new_password", Self.password)])
            #expect(set.status == 303)
            var (other, signedIn) = try await Self.logIn(app, "taro", Self.password)
            #expect(signedIn.status == 303)
            #expect(try await other.get("/whoami").text == "taro")
            // When he removes the password here (a week after linking Twitter)
            try backdateTwitterLinks(of: app.store)
            let removed = try await browser.submit(
                "/account", to: "/account/password/remove", [("current_password", Self.password)])
            // Then the browser that signed in with it is signed out, and this one is not
            #expect(removed.status == 303 && removed.location == "/account?notice=password_removed")
            #expect(try await other.get("/whoami").text == "nobody")
            #expect(try await browser.get("/whoami").text == "taro")
            let taro = try #require(try await app.store.account(.username("taro")))
            let event = try #require(try await app.store.events(for: taro.id).first)
            #expect(event.kind == .passwordRemoved && event.details["sessions"] == "1")
        }
    }

    /// Someone holding a session (left open, or stolen) cannot guess the current password through the account page
    /// without limit: the forms count wrong guesses as sign-ins do (10 within 15 minutes, both forms together), then
    /// refuse even the right password (429, `Retry-After`) with nothing changed. Before, every guess was checked, as
    /// fast as requests could be sent at once (the 1 s floor holds back each answer, not how many are asked).
    @Test func guessesAtTheCurrentPasswordAreLimitedAsSignInsAre() async throws {
        try await WebApp.run { app in
            // Given ada, signed in
            var browser = try await PasswordResetRoutesTests.signUpAda(app)
            // When ten wrong current passwords are sent through the two forms
            for guess in 0..<10 {
                let action = guess.isMultiple(of: 2) ? "/account/password" : "/account/password/remove"
                let wrong = try await browser.submit(
                    "/account", to: action,
                    [("current_password", "guess number \(guess)"), ("new_password", Self.newPassword)])
                #expect(wrong.status == 401)
            }
            // Then the right one is refused too, and nothing changes
            let right = try await browser.submit(
                "/account", to: "/account/password",
                [("current_password", Self.password), ("new_password", Self.newPassword)])
            #expect(right.status == 429 && right.response.headerValue("retry-after") != nil)
            #expect(right.text.contains("Too many wrong passwords"))
            #expect(Self.events(app, "password_changed") == 0)
            #expect(try await Self.logIn(app, "ada", Self.password).1.status == 303)
            // And once the window has passed, the right one changes it
            app.clock.advance(by: 15 * 60 + 1)
            let later = try await browser.submit(
                "/account", to: "/account/password",
                [("current_password", Self.password), ("new_password", Self.newPassword)])
            #expect(later.status == 303 && later.location == "/account?notice=password_changed")
        }
    }

    /// The new password and the end of the other sessions are written together: when ending the sessions fails, the
    /// password is not changed either (before, it was changed in one transaction and the sessions ended in another,
    /// so a failure between left the new password with the old password's sessions, and a 500 that could not be
    /// tried again, the current password being the new one by then).
    @Test func aChangedPasswordNeverLeavesTheOtherSessionsBehind() async throws {
        try await WebApp.run { app in
            // Given ada, signed in here and in another browser, and a store that fails to end sessions
            var browser = try await PasswordResetRoutesTests.signUpAda(app)
            var (other, _) = try await Self.logIn(app, "ada", Self.password)
            let form = try await browser.get("/account")
            try executeSQL(
                app.databasePath,
                "CREATE TRIGGER keep_sessions BEFORE DELETE ON browser_sessions BEGIN SELECT RAISE(ABORT, 'no'); END")
            // When she changes her password
            let failed = try await browser.post(
                "/account/password",
                [
                    ("csrf_token", try #require(form.csrfToken)), ("current_password", Self.password),
                    ("new_password", Self.newPassword),
                ])
            try executeSQL(app.databasePath, "DROP TRIGGER keep_sessions")
            // Then it fails as a whole: the old password still works, and nothing says it changed
            #expect(failed.status == 500)
            #expect(Self.events(app, "password_changed") == 0)
            #expect(try await Self.logIn(app, "ada", Self.password).1.status == 303)
            #expect(try await other.get("/whoami").text == "ada")
            // And tried again, it goes through, and the other browser is signed out
            let done = try await browser.submit(
                "/account", to: "/account/password",
                [("current_password", Self.password), ("new_password", Self.newPassword)])
            #expect(done.status == 303 && done.location == "/account?notice=password_changed")
            #expect(try await other.get("/whoami").text == "nobody")
            #expect(try await browser.get("/whoami").text == "ada")
        }
    }

    @Test func theOnlyWayInCannotBeRemoved() async throws {
        try await WebApp.run { app in
            var browser = try await PasswordResetRoutesTests.signUpAda(app)
            let page = try await browser.get("/account")
            let refused = try await browser.post(
                "/account/password/remove",
                [("csrf_token", try #require(page.csrfToken)), ("current_password", Self.password)])
            #expect(refused.status == 303 && refused.location == "/account?notice=last_password_method")
            #expect(
                try await browser.get("/account?notice=last_password_method").text.contains(
                    "only way to sign in (no Twitter account is linked), so it cannot be removed"))
            #expect(try await Self.logIn(app, "ada", Self.password).1.status == 303)
            #expect(Self.events(app, "password_removed") == 0)
        }
    }
}

extension PasswordSettingsRoutesTests {
    /// A linked Twitter account is a way in that outlives a password reset and "sign out everywhere": from a session
    /// that is not a recent sign-in (left open, or stolen), linking one asks for the current password, checked and
    /// counted as on the password forms.
    @Test func linkingTwitterFromAnOldSessionAsksForTheCurrentPassword() async throws {
        try await WebApp.run { app in
            // Given ada, signed in 11 minutes ago with her password
            var browser = app.browser()
            _ = try await browser.submit(
                "/signup", to: "/signup",
                [("username", "ada"), ("email", "ada@example.org"), ("password", Self.password)])
            app.clock.advance(by: 11 * 60)
            // Then the account page asks for the password with the link
            let page = try await browser.get("/account")
            #expect(
                page.text.contains("id=\"link-twitter-form\"") && page.text.contains("id=\"link_current_password\""))
            // And without it, or with a wrong one, nothing is begun
            let pending = "SELECT count(*) FROM pending_authorizations"
            // (a form read while the session was recent, without the field: asked for, neither refused as wrong nor
            // counted and audited as a failed check, until session 61)
            let noLongerRecent = "Your sign-in is more than 10 minutes old: enter your current password to go on."
            for (fields, said) in [([], noLongerRecent), ([("current_password", "not her password")], Self.wrong)] {
                let refused = try await browser.submit("/account", to: "/account/twitter/link", fields)
                #expect(refused.status == 401 && refused.location == nil)
                #expect(refused.text.contains("id=\"twitter-error\">\(said)"), "\(refused.text)")
                #expect(countQuery(app.databasePath, pending) == 0)
            }
            #expect(Self.events(app, "password_check_failed") == 1)
            // And with it, the link goes through; the password counts as signing in again (a new session id, and the
            // confirmation does not ask for it again)
            let oldSession = try #require(browser.sessionID)
            let arrival = try await browser.viaTwitter(
                "/account/twitter/link", as: WebApp.zoe, startPage: "/account",
                fields: [("current_password", Self.password)])
            do {  // (the ids compared into a Bool: a failing #expect prints its operands, and an id is the session)
                let holds = browser.sessionID != nil && browser.sessionID != oldSession
                #expect(holds)
            }
            var stale = app.browser()
            stale.cookies["accounts_session"] = oldSession
            #expect(try await stale.get("/account").location == "/login?notice=sign_in_first")
            let confirm = try await browser.get(try #require(arrival.location))
            #expect(!confirm.text.contains("current_password"))
            let linked = try await browser.post(
                "/register/link",
                [
                    ("csrf_token", try #require(confirm.csrfToken)),
                    ("draft", try #require(confirm.hiddenValue("draft"))),
                ]
            )
            #expect(linked.status == 303 && linked.location == "/account?notice=linked")
            #expect(try await app.store.account(.username("ada"))?.twitter?.userID == TwitterUserID(WebApp.zoe))
        }
    }

    /// The password checked at a link's begin gives the session a new id; should the begin then fail in the store, the
    /// answer still hands the browser that id, which signs it in (a 500 that signed its owner out, until session 61's
    /// second reader: the old id ended with the rotation, and the error page set no cookie).
    @Test func aLinkWhoseBeginFailsAfterThePasswordKeepsTheBrowserSignedIn() async throws {
        try await WebApp.run { app in
            var browser = app.browser()
            _ = try await browser.submit(
                "/signup", to: "/signup",
                [("username", "ada"), ("email", "ada@example.org"), ("password", Self.password)])
            app.clock.advance(by: 11 * 60)
            let before = try #require(browser.sessionID)
            try executeSQL(
                app.databasePath,
                """
                CREATE TRIGGER refuse_pending BEFORE INSERT ON pending_authorizations
                BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END
                """)

            let failed = try await browser.submit(
                "/account", to: "/account/twitter/link", [("current_password", Self.password)])

            #expect(failed.status == 500, "\(failed.status)")
            #expect(countQuery(app.databasePath, "SELECT count(*) FROM pending_authorizations") == 0)
            do {  // (the ids compared into a Bool: a failing #expect prints its operands, and an id is the session)
                let holds = browser.sessionID != nil && browser.sessionID != before
                #expect(holds)
            }
            let account = try await browser.get("/account")
            #expect(
                account.status == 200 && account.text.contains("ada"), "\(account.status) \(account.location ?? "")")
        }
    }

    /// A link begun from a recent sign-in and confirmed after the session stopped being one asks for the password at
    /// the confirmation: until session 61 such a link, left at Twitter's consent page by its owner, could be approved
    /// from the browser's history with another Twitter account and confirmed, without the password, up to 25 minutes
    /// after the sign-in.
    @Test func aLinkConfirmedAfterTheSignInStoppedBeingRecentAsksForThePassword() async throws {
        try await WebApp.run { app in
            // Given ada, who signed up and began "Link Twitter account" at once (a recent sign-in: no password)
            var browser = app.browser()
            _ = try await browser.submit(
                "/signup", to: "/signup",
                [("username", "ada"), ("email", "ada@example.org"), ("password", Self.password)])
            let begin = try await browser.submit("/account", to: "/account/twitter/link", [])
            let authorize = try #require(begin.location.flatMap(URL.init(string:)))
            let token = try #require(
                URLComponents(url: authorize, resolvingAgainstBaseURL: false)?.queryItems?.first {
                    $0.name == "oauth_token"
                }?.value)
            // When, 11 minutes later, someone approves it at Twitter with another Twitter account
            app.clock.advance(by: 11 * 60)
            _ = try await app.sandbox.browse(authorize)
            let decision = try await app.sandbox.submitConsent(token: token, userID: WebApp.zoe, action: "authorize")
            let arrival = try await browser.get(try #require(decision.headerValue("location")))
            let confirm = try await browser.get(try #require(arrival.location))
            // Then the confirmation asks for the password
            #expect(confirm.status == 200 && confirm.text.contains("id=\"confirm_link_current_password\""))
            let draft = try #require(confirm.hiddenValue("draft"))
            let csrf = try #require(confirm.csrfToken)
            // And without it, or with a wrong one, nothing is linked
            let noLongerRecent = "Your sign-in is more than 10 minutes old: enter your current password to go on."
            for (fields, said) in [([], noLongerRecent), ([("current_password", "not her password")], Self.wrong)] {
                let refused = try await browser.post(
                    "/register/link", [("csrf_token", csrf), ("draft", draft)] + fields)
                #expect(refused.status == 401, "\(refused.status)")
                #expect(refused.text.contains("id=\"link-error\">\(said)"), "\(refused.text)")
                #expect(refused.text.contains("id=\"confirm_link_current_password\""))
                #expect(try await app.store.account(.username("ada"))?.twitter == nil)
            }
            // (only the wrong password was a failed check)
            #expect(Self.events(app, "password_check_failed") == 1)
            // And with it, the link goes through
            let linked = try await browser.post(
                "/register/link", [("csrf_token", csrf), ("draft", draft), ("current_password", Self.password)])
            #expect(linked.status == 303 && linked.location == "/account?notice=linked")
            #expect(try await app.store.account(.username("ada"))?.twitter?.userID == TwitterUserID(WebApp.zoe))
        }
    }

    /// Wrong passwords sent with a link count towards the account's cool-down of current-password checks.
    @Test func wrongPasswordsSentWithALinkAreThrottled() async throws {
        try await WebApp.run { app in
            var browser = app.browser()
            _ = try await browser.submit(
                "/signup", to: "/signup",
                [("username", "ada"), ("email", "ada@example.org"), ("password", Self.password)])
            app.clock.advance(by: 11 * 60)
            for _ in 0..<10 {
                let refused = try await browser.submit(
                    "/account", to: "/account/twitter/link", [("current_password", "a wrong guess")])
                #expect(refused.status == 401)
            }
            let throttled = try await browser.submit(
                "/account", to: "/account/twitter/link", [("current_password", Self.password)])
            #expect(throttled.status == 429 && throttled.response.headerValue("retry-after") != nil)
            #expect(throttled.text.contains("Too many wrong passwords."))
            #expect(countQuery(app.databasePath, "SELECT count(*) FROM pending_authorizations") == 0)
        }
    }
}

extension PasswordSettingsRoutesTests {
    /// The password asked for with "Link Twitter account" from an old session is not skipped by starting the Twitter
    /// flow as a sign-up or log-in instead (`/register/twitter`, `/login/twitter`): the draft it leaves is not linked
    /// to the signed-in account by `/register/link` (or `/register/existing`) unless the session is a recent sign-in.
    @Test func anOldSessionCannotLinkTwitterThroughASignUpOrLogInDraft() async throws {
        for action in ["/register/twitter", "/login/twitter"] {
            try await WebApp.run { app in
                // Given ada, signed in 11 minutes ago with her password (a session left open, or stolen)
                var browser = app.browser()
                _ = try await browser.submit(
                    "/signup", to: "/signup",
                    [("username", "ada"), ("email", "ada@example.org"), ("password", Self.password)])
                app.clock.advance(by: 11 * 60)
                // When its holder starts a Twitter sign-up (or log-in) from it, with their own Twitter account
                let arrival = try await browser.viaTwitter(action, as: WebApp.zoe, startPage: "/account")
                let location = try #require(arrival.location)
                let draft = try #require(location.split(separator: "draft=").last.map(String.init))
                // Then neither page offers to link that draft to the signed-in account without the password (the
                // draft matches no account: the existing-account page sends it to the registration form)
                let existing = try await browser.get("/register/existing?draft=\(draft)")
                #expect(existing.status == 303 && existing.location == "/register/details?draft=\(draft)")
                let confirm = try await browser.get("/register/link?draft=\(draft)")
                #expect(confirm.status == 303 && confirm.location == "/register/existing?draft=\(draft)")
                // And posting the link links nothing
                let csrf = try #require(try await browser.get("/account").csrfToken)
                let linked = try await browser.post("/register/link", [("csrf_token", csrf), ("draft", draft)])
                #expect(linked.status == 303 && linked.location == "/register/existing?draft=\(draft)")
                #expect(try await app.store.account(.username("ada"))?.twitter == nil)
            }
        }
    }
}

extension PasswordSettingsRoutesTests {
    /// Unlinking ends every other session and takes a way in away: from a session that is not a recent sign-in (left
    /// open, or stolen), it asks for the current password, checked and counted as on the password forms.
    @Test func unlinkingTwitterFromAnOldSessionAsksForTheCurrentPassword() async throws {
        try await WebApp.run { app in
            // Given ada, with a password and Twitter linked, and another session of hers
            var browser = try await Self.signUpAdaAndLinkZoe(app)
            var other = app.browser()
            _ = try await other.submit("/login", to: "/login", [("login", "ada"), ("password", Self.password)])
            let sessions = "SELECT count(*) FROM browser_sessions WHERE user_id IS NOT NULL"
            #expect(countQuery(app.databasePath, sessions) == 2)
            // When 11 minutes pass
            app.clock.advance(by: 11 * 60)
            // Then the account page asks for the password with "Unlink Twitter"
            let page = try await browser.get("/account")
            #expect(
                page.text.contains("id=\"unlink-twitter-form\"")
                    && page.text.contains("id=\"unlink_current_password\""))
            // And without it, or with a wrong one, nothing is unlinked and no session ends
            let noLongerRecent = "Your sign-in is more than 10 minutes old: enter your current password to go on."
            for (fields, said) in [([], noLongerRecent), ([("current_password", "not her password")], Self.wrong)] {
                let refused = try await browser.submit("/account", to: "/account/twitter/unlink", fields)
                #expect(refused.status == 401 && refused.location == nil)
                #expect(refused.text.contains("id=\"twitter-error\">\(said)"), "\(refused.text)")
                #expect(try await app.store.account(.username("ada"))?.twitter != nil)
                #expect(countQuery(app.databasePath, sessions) == 2)
            }
            #expect(Self.events(app, "password_check_failed") == 1)
            // And with it, Twitter is unlinked and the other session ends
            let unlinked = try await browser.submit(
                "/account", to: "/account/twitter/unlink", [("current_password", Self.password)])
            #expect(unlinked.status == 303 && unlinked.location == "/account?notice=unlinked")
            #expect(try await app.store.account(.username("ada"))?.twitter == nil)
            #expect(countQuery(app.databasePath, sessions) == 1)
        }
    }
}

extension PasswordSettingsRoutesTests {
    /// A session dated ahead of this server's clock (signed in by a server whose clock runs ahead, or before this
    /// clock was set back) is no recent sign-in beyond a minute's allowance: an hour ahead it would have let whoever
    /// holds it add a password for the whole hour and the ten minutes after, with no password asked.
    @Test(arguments: [(-3600.0, false), (-30.0, true)])
    func aSessionDatedAheadOfTheClockIsRecentOnlyWithinAMinute(setBack: TimeInterval, stillRecent: Bool)
        async throws
    {
        try await WebApp.run { app in
            // Given taro, registered through Twitter (no password), signed in here
            var browser = try await Self.registerTaro(app)
            // When the clock is set back
            app.clock.advance(by: setBack)
            let form = try await browser.get("/account")
            let added = try await browser.post(
                "/account/password/add",
                [("csrf_token", try #require(form.csrfToken)), ("new_password", Self.password)])
            if stillRecent {
                // Then half a minute's skew still lets him set one
                #expect(form.text.contains(#"id="add-password-form""#))
                #expect(added.status == 303 && added.location == "/account?notice=password_added")
                #expect(Self.events(app, "password_added") == 1)
            } else {
                // Then an hour's asks him to log in with Twitter again, and a posted password is refused
                #expect(form.text.contains(#"id="password-sign-in-again""#) && !form.text.contains("add-password-form"))
                #expect(added.status == 403 && added.text.contains("log in with Twitter again first"))
                #expect(Self.events(app, "password_added") == 0)
                #expect(try await Self.logIn(app, "taro", Self.password).1.status == 401)
            }
        }
    }
}
