import AccountCrypto
import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import TestSupport
import Testing
import TwitterOAuth

/// "Delete account" on the account page, against a real server and a real SQLite file.
extension PasswordSettingsRoutesTests {
    @Test func theAccountPageDeletesTheAccountWithThePasswordAndEveryOneOfItsSessions() async throws {
        try await WebApp.run { app in
            // Given ada, with a password and Zoë's Twitter linked, signed in on two browsers
            var browser = try await Self.signUpAdaAndLinkZoe(app)
            let ada = try #require(try await app.store.account(.username("ada")))
            var laptop = app.browser()
            _ = try await laptop.submit("/login", to: "/login", [("login", "ada"), ("password", Self.password)])
            let page = try await browser.get("/account")
            #expect(page.text.contains("id=\"delete-account-form\"") && page.text.contains("delete_current_password"))
            let before = try databaseDump(app.databasePath)
            // When she sends the form without ticking the box, or with a wrong password
            let unticked = try await browser.submit(
                "/account", to: "/account/delete", [("current_password", Self.password)])
            #expect(unticked.status == 422 && unticked.text.contains("id=\"delete-error\">Tick the box"))
            let wrong = try await browser.submit(
                "/account", to: "/account/delete", [("confirm", "yes"), ("current_password", "a wrong guess")])
            #expect(wrong.status == 401 && wrong.text.contains("id=\"delete-error\">The current password is not"))
            // Then nothing changed but the count of wrong passwords, and its record
            let dump = {
                try databaseDump(app.databasePath).split(separator: "\n").filter {
                    !$0.contains("current-password:") && !$0.contains("password_check_failed")
                }
            }
            #expect(try dump() == before.split(separator: "\n").filter { !$0.contains("current-password:") })
            #expect(try await app.store.events(for: ada.id).first?.kind == .passwordCheckFailed)
            // When she ticks it and gives the password
            let deleted = try await browser.submit(
                "/account", to: "/account/delete", [("confirm", "yes"), ("current_password", Self.password)])
            // Then the account is gone, with every session of it, and this browser is sent home signed out
            #expect(deleted.status == 303 && deleted.location == "/?notice=account_deleted")
            #expect(deleted.response.headerValue("set-cookie")?.contains("Max-Age=0") == true)
            #expect(try await app.store.account(.id(ada.id)) == nil)
            #expect(
                countQuery(app.databasePath, "SELECT count(*) FROM browser_sessions WHERE user_id IS NOT NULL") == 0)
            #expect(try await browser.get("/?notice=account_deleted").text.contains("Your account was deleted"))
            #expect(try await laptop.get("/account").location?.hasPrefix("/login") == true)
            let events = try await app.store.events(for: ada.id)
            #expect(events.first?.kind == .deleted && events.first?.actor == "user")
            // And Zoë's Twitter account is free: signing in with it starts a new registration
            var zoe = app.browser()
            let arrival = try await zoe.viaTwitter("/login/twitter", as: WebApp.zoe)
            #expect(arrival.location?.hasPrefix("/register/details?draft=") == true)
        }
    }

    @Test func anAccountWithoutAPasswordIsDeletedOnlySoonAfterSigningIn() async throws {
        try await WebApp.run { app in
            // Given taro, made through Twitter (no password), his sign-in 11 minutes old
            var browser = try await Self.registerTaro(app)
            let taro = try #require(try await app.store.account(.username("taro")))
            #expect(!(try await browser.get("/account").text.contains("delete_current_password")))
            app.clock.advance(by: 11 * 60)
            let old = try await browser.get("/account")
            #expect(old.text.contains("id=\"delete-sign-in-again\"") && !old.text.contains("delete-account-form"))
            // When he asks to delete it
            let refused = try await browser.post(
                "/account/delete", [("csrf_token", try #require(old.csrfToken)), ("confirm", "yes")])
            // Then it is refused, the account kept
            #expect(refused.status == 403 && refused.text.contains("log in with Twitter again first"))
            #expect(try await app.store.account(.id(taro.id)) != nil)
            // When he logs in with Twitter again and asks once more
            let again = try await browser.viaTwitter("/login/twitter", as: WebApp.yamada, startPage: "/account")
            #expect(again.location == "/account?notice=signed_in")
            let stored = try #require(try await app.store.credential(for: TwitterUserID(WebApp.yamada)))
            let deleted = try await browser.submit("/account", to: "/account/delete", [("confirm", "yes")])
            #expect(deleted.location == "/?notice=account_deleted")
            #expect(try await app.store.account(.id(taro.id)) == nil)
            // And the access token the store held is revoked at Twitter, not only deleted here
            try await Self.expectRevoked(stored, of: WebApp.yamada, app)
        }
    }

    /// "Download your data": the signed-in account as a JSON attachment, with its Twitter profile and every event as
    /// the page shows it; never a hash, a token or an operator's note. Signed out, it is the log-in page.
    @Test func theAccountPageOffersTheAccountsDataAsJSON() async throws {
        try await WebApp.run { app in
            var browser = try await Self.signUpAdaAndLinkZoe(app)
            let ada = try #require(try await app.store.account(.username("ada")))
            _ = try await app.store.setAccountStatus(.id(ada.id), to: .disabled, reason: "ticket 4711, suspected fraud")
            _ = try await app.store.setAccountStatus(.id(ada.id), to: .active)
            browser.extraHeaders = [HTTPHeader(name: "User-Agent", value: SessionListRoutesTests.firefox)]
            _ = try await browser.submit("/login", to: "/login", [("login", "ada"), ("password", Self.password)])
            let page = try await browser.get("/account")
            #expect(page.text.contains("id=\"download-data\""))

            let data = try await browser.get("/account/data")

            #expect(data.status == 200)
            #expect(data.response.headerValue("content-type") == "application/json; charset=utf-8")
            #expect(data.response.headerValue("content-disposition") == "attachment; filename=\"account-data.json\"")
            #expect(data.response.headerValue("cache-control") == "no-store")
            let json = try #require(
                try JSONSerialization.jsonObject(with: Data(data.response.body)) as? [String: Any])
            #expect(json["id"] as? String == ada.id.rawValue && json["username"] as? String == "ada")
            #expect(json["email"] as? String == "ada@example.org" && json["has_password"] as? Bool == true)
            let twitter = try #require(json["twitter"] as? [String: Any])
            #expect(twitter["screen_name"] as? String == "zoe_angstrom" && twitter["has_credential"] as? Bool == true)
            let profile = try #require(twitter["profile"] as? [String: Any])
            #expect(profile["id_str"] as? String == String(WebApp.zoe))
            let events = try #require(json["events"] as? [[String: Any]])
            let kinds = events.compactMap { $0["kind"] as? String }
            #expect(kinds.last == "created" && kinds.contains("linked") && kinds.contains("disabled"))
            #expect(events.count == (try await app.store.events(for: ada.id, limit: 1000)).count)
            // And where the account is signed in, and the browsers it signed in from (never a session id or hash)
            let sessions = try #require(json["sessions"] as? [[String: Any]])
            #expect(sessions.count == 1 && sessions[0]["device"] as? String == "Firefox on Linux")
            #expect(sessions[0]["signed_in_at"] is String && sessions[0]["last_active_at"] is String)
            #expect(Set(sessions[0].keys) == ["device", "signed_in_at", "last_active_at"])
            let devices = try #require(json["devices"] as? [[String: Any]])
            // (her sign-up's browser sent no User-Agent)
            #expect(devices.map { $0["device"] as? String } == ["An unknown browser", "Firefox on Linux"])
            let sessionID = try #require(browser.sessionID)
            expectAbsent(sessionID, named: "the session's id", in: data.text)
            expectAbsent(SHA256.hexDigest(Array(sessionID.utf8)), named: "the session's id's hash", in: data.text)
            let credential = try #require(try await app.store.credential(for: TwitterUserID(WebApp.zoe)))
            // (named, not shown, when found: a failure prints no token)
            for (name, secret) in [
                ("a password hash", "scrypt"), ("the ticket", "4711"), ("the suspicion", "suspected fraud"),
                ("the access token", credential.token), ("its secret", credential.secret.revealed),
            ] {
                let found = data.text.contains(secret)
                #expect(!found, "\(name) is in the download")
            }

            var stranger = app.browser()
            let refused = try await stranger.get("/account/data")
            #expect(refused.status == 303 && refused.location == "/login?notice=sign_in_first")
        }
    }

    /// `credential` of the Twitter user `userID` is refused by the sandbox (code 89), the sandbox invalidated a token
    /// of that user it had issued (a token it never issued is refused with 89 too: a credential read wrongly would
    /// pass), and the log says it was revoked without naming it.
    static func expectRevoked(_ credential: TwitterCredential, of userID: UInt64, _ app: WebApp) async throws {
        let token = AccessToken(
            token: credential.token, secret: credential.secret.revealed, userID: userID, screenName: "")
        let refusal: TwitterError?
        do {
            _ = try await app.sandbox.client().verifyCredentials(accessToken: token)
            refusal = nil
        } catch {
            refusal = error
        }
        guard case .rejected(let status, let errors) = refusal else {
            Issue.record(
                "the stored access token still works at Twitter, or another error: \(String(describing: refusal))")
            return
        }
        #expect(status == 401 && errors.map(\.code) == [89])
        let invalidated = app.sandboxLogLines.withLock { $0 }.filter { $0.contains("access token invalidated") }
        #expect(
            invalidated.contains { $0.contains("(key: \"sandbox.user_id\", value: \(userID))") },
            "the sandbox invalidated no token of \(userID): \(invalidated)")
        let lines = app.logLines.withLock { $0 }
        #expect(lines.contains { $0.contains("twitter access token revoked") })
        let leaked = lines.contains { $0.contains(credential.token) || $0.contains(credential.secret.revealed) }
        #expect(!leaked, "a log line holds the token or its secret")
    }
}
