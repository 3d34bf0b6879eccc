import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import Registration
import TestSupport
import Testing
import TwitterOAuth

/// An app that has no Twitter credentials yet: `AccountRoutes` made without a `RegistrationService`. Email sign-up and
/// password sign-in work as ever; the Twitter routes do not exist, no page offers Twitter, and forms may lead only to
/// the site itself. An account that has a Twitter identity from before still sees it, and may unlink it.
struct WithoutTwitterRoutesTests {
    static let password = "correct horse battery"

    /// Signs `browser` up as `username` with ``password`` and checks that it lands signed in.
    static func signUp(_ browser: inout Browser, _ username: String) async throws {
        let signedUp = try await browser.submit(
            "/signup", to: "/signup",
            [("username", username), ("email", "\(username)@example.org"), ("password", password)])
        #expect(signedUp.location == "/account?notice=registered", "sign-up: \(signedUp.status) \(signedUp.text)")
    }

    @Test func anAppWithoutTwitterSignsUpSignsInAndSignsOutAndOffersNoTwitter() async throws {
        try await WebApp.run(twitter: false) { app in
            var browser = app.browser()

            // The home page offers email sign-up and log-in only, and its forms may lead only to the site
            let home = try await browser.get("/")
            #expect(home.status == 200)
            #expect(home.text.contains("id=\"signup-link\"") && home.text.contains("id=\"login-link\""))
            #expect(!home.text.contains("Twitter"), "\(home.text)")
            let policy = try #require(home.response.headerValue("content-security-policy"))
            #expect(policy.contains("; form-action 'self'; "), "\(policy)")
            #expect(!policy.contains("127.0.0.1") && !policy.contains("x.com"), "\(policy)")

            // Sign-up, sign-out and log-in work as with Twitter
            try await Self.signUp(&browser, "ada")
            #expect(try await browser.get("/whoami").text == "ada")
            let account = try await browser.get("/account")
            #expect(account.status == 200)
            #expect(!account.text.contains("Twitter"), "no Twitter section, button or note: \(account.text)")
            #expect(!account.text.contains("/account/twitter/link") && !account.text.contains("remove-password"))
            #expect(account.response.headerValue("content-security-policy")?.contains("form-action 'self';") == true)
            let signedOut = try await browser.submit("/account", to: "/sign-out", [])
            #expect(signedOut.location == "/?notice=signed_out")
            #expect(try await browser.get("/whoami").text == "nobody")
            let logInPage = try await browser.get("/login")
            #expect(logInPage.status == 200 && !logInPage.text.contains("Twitter"), "\(logInPage.text)")
            let signUpPage = try await browser.get("/signup")
            #expect(signUpPage.status == 200 && !signUpPage.text.contains("Twitter"), "\(signUpPage.text)")
            let logIn = try await browser.submit(
                "/login", to: "/login", [("login", "Ada@Example.org"), ("password", Self.password)])
            #expect(logIn.location == "/account?notice=signed_in", "log-in: \(logIn.status) \(logIn.text)")
            #expect(try await browser.get("/whoami").text == "ada")

            // And the audit trail is written as ever
            let ada = try #require(try await app.store.account(.username("ada")))
            let trail = try await app.store.events(for: ada.id, limit: 10).map(\.kind.rawValue)
            for kind in ["created", "signed_in"] { #expect(trail.contains(kind), "\(kind) in \(trail)") }
        }
    }

    @Test func theTwitterRoutesOfAnAppWithoutTwitterAnswerAsRoutesThatDoNotExist() async throws {
        try await WebApp.run(twitter: false) { app in
            var browser = app.browser()
            try await Self.signUp(&browser, "ada")
            let token = try #require(try await browser.get("/account").csrfToken)
            // What a route that does not exist answers here
            let unknownGET = try await browser.get("/no-such-page")
            let unknownPOST = try await browser.post("/no-such-page", [("csrf_token", token)])
            #expect(unknownGET.status == 404 && unknownPOST.status == 404)

            for path in [
                "/register/twitter", "/login/twitter", "/account/twitter/link", "/register/complete",
                "/register/existing", "/register/link", "/account/password/remove",
            ] {
                let answer = try await browser.post(
                    path, [("csrf_token", token), ("draft", "x"), ("current_password", Self.password)])
                #expect(answer.status == 404, "POST \(path): \(answer.status) \(answer.text)")
                #expect(answer.text == unknownPOST.text, "POST \(path) answers as an unknown route")
            }
            for path in [
                AccountRoutes.callbackPath + "?oauth_token=t&oauth_verifier=v", "/register/details?draft=x",
                "/register/existing?draft=x", "/register/link?draft=x",
            ] {
                let answer = try await browser.get(path)
                #expect(answer.status == 404, "GET \(path): \(answer.status) \(answer.text)")
                #expect(answer.text == unknownGET.text, "GET \(path) answers as an unknown route")
            }
            // Nothing was begun, and the password is still there
            #expect(countQuery(app.databasePath, "SELECT count(*) FROM pending_authorizations") == 0)
            #expect(try await app.store.account(.username("ada"))?.hasPassword == true)
            #expect(try await browser.get("/whoami").text == "ada")
        }
    }

    @Test func anAccountLinkedBeforeSeesItsTwitterIdentityAndMayUnlinkItWithItsPassword() async throws {
        var configuration = AccountRoutes.Configuration()
        configuration.recentSignIn = 60
        try await WebApp.run(configuration: configuration, twitter: false) { app in
            var browser = app.browser()
            try await Self.signUp(&browser, "ada")
            let ada = try #require(try await app.store.account(.username("ada")))
            // Linked while the app had Twitter (or by an import), with its access token
            _ = try await app.store.linkTwitter(
                NewTwitterIdentity(
                    userID: TwitterUserID(WebApp.ada), screenName: "ada_l", name: "Ada L", profileJSON: nil),
                credential: TwitterCredential(token: "1-token", secret: Secret("token secret")), to: .id(ada.id))
            // Past the recent sign-in, unlinking asks for the password
            app.clock.advance(by: 120)

            // The account page lists the identity, with "Unlink Twitter" and its password field; nothing to link
            let page = try await browser.get("/account")
            #expect(page.text.contains("id=\"twitter-screen-name\" dir=\"auto\">ada_l<"), "\(page.text)")
            #expect(page.text.contains("id=\"unlink-twitter-form\"") && page.text.contains("unlink_current_password"))
            #expect(!page.text.contains("/account/twitter/link") && !page.text.contains("/login/twitter"))
            #expect(!page.text.contains("remove-password"), "no Twitter sign-in to keep: the password stays")

            // A wrong password changes nothing
            let wrong = try await browser.submit(
                "/account", to: "/account/twitter/unlink", [("current_password", "not the password")])
            #expect(wrong.status == 401, "\(wrong.status) \(wrong.text)")
            #expect(try await app.store.account(.id(ada.id))?.twitter?.screenName == "ada_l")
            #expect(try await app.store.credential(for: TwitterUserID(WebApp.ada)) != nil)

            // The right one unlinks it, keeps this browser signed in, and removes the token from the store
            let unlinked = try await browser.submit(
                "/account", to: "/account/twitter/unlink", [("current_password", Self.password)])
            #expect(unlinked.location == "/account?notice=unlinked", "\(unlinked.status) \(unlinked.text)")
            #expect(try await app.store.account(.id(ada.id))?.twitter == nil)
            #expect(try await app.store.credential(for: TwitterUserID(WebApp.ada)) == nil)
            #expect(try await browser.get("/whoami").text == "ada")
            let trail = try await app.store.events(for: ada.id, limit: 10).map(\.kind.rawValue)
            #expect(trail.first == "unlinked", "\(trail)")
            // The token could not be revoked at Twitter (no client): the log says so, without the token
            let lines = app.logLines.value
            #expect(lines.contains { $0.contains("not revoked") }, "\(lines)")
            let logsToken = lines.contains { $0.contains("1-token") || $0.contains("token secret") }
            #expect(!logsToken, "a log line holds the access token or its secret")
            // And the page has no Twitter section left
            let after = try await browser.get("/account?notice=unlinked")
            #expect(!after.text.contains("twitter-identity") && !after.text.contains("/account/twitter/link"))
        }
    }

    @Test func anAccountWhoseOnlyWayInIsTwitterCannotUnlinkIt() async throws {
        try await WebApp.run(twitter: false) { app in
            var browser = app.browser()
            try await Self.signUp(&browser, "ada")
            let ada = try #require(try await app.store.account(.username("ada")))
            _ = try await app.store.linkTwitter(
                NewTwitterIdentity(
                    userID: TwitterUserID(WebApp.ada), screenName: "ada_l", name: "Ada L", profileJSON: nil),
                credential: nil, to: .id(ada.id))
            // (its password removed as an app might, keeping this browser's session)
            let kept = try #require(try await app.store.browserSessions(of: ada.id, limit: 5).first?.tokenHash)
            try backdateTwitterLinks(of: app.store)
            try await LocalAccounts(store: app.store).removePassword(
                for: ada.id, current: Secret(Self.password), endingSessionsBut: kept)

            // The page shows the identity and says nothing of logging in with Twitter again
            let page = try await browser.get("/account")
            #expect(page.text.contains("id=\"twitter-screen-name\" dir=\"auto\">ada_l<"), "\(page.text)")
            #expect(!page.text.contains("/login/twitter") && !page.text.contains("/account/twitter/link"))

            // Unlinking is refused: the account would keep no way in
            let refused = try await browser.submit("/account", to: "/account/twitter/unlink", [])
            #expect(refused.location == "/account?notice=last_sign_in_method", "\(refused.status) \(refused.text)")
            #expect(try await app.store.account(.id(ada.id))?.twitter?.screenName == "ada_l")
        }
    }
}
