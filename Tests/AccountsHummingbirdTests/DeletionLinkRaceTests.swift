import AccountCrypto
import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import TestSupport
import Testing
import TwitterOAuth

/// "Delete account" revokes the Twitter access token the deletion's own transaction removed (`AccountDeletion.
/// credential`): a Twitter account linked while the password was being checked (another tab) goes with the account,
/// and its token is revoked too, though the account the route read before the deletion had no Twitter identity.
extension PasswordSettingsRoutesTests {
    @Test func aTwitterAccountLinkedWhileTheDeletionChecksThePasswordIsRevokedWithIt() async throws {
        try await WebApp.run { app in
            // Given ada, signed up with a password, with Zoë's Twitter sign-in approved and waiting to be confirmed
            var browser = app.browser()
            _ = try await browser.submit(
                "/signup", to: "/signup",
                [("username", "ada"), ("email", "ada@example.org"), ("password", Self.password)])
            let arrival = try await browser.viaTwitter("/account/twitter/link", as: WebApp.zoe, startPage: "/account")
            let confirm = try await browser.get(try #require(arrival.location))
            let draft = try #require(confirm.hiddenValue("draft"))
            let csrf = try #require(confirm.csrfToken)
            let offered = try #require(try await app.store.draft(id: draft)).credential
            // When she deletes the account in one tab while confirming the link in another, as another instance of
            // the app holds the write lock: the deletion reads the account (no Twitter account yet) and waits to count
            // its password check; the link reaches its write after it, and lands before the deletion's own
            let lock = try WriteLockHolder(path: app.databasePath)
            let deletion = Task { [browser] in
                var tab = browser
                return try await tab.post(
                    "/account/delete", [("csrf_token", csrf), ("confirm", "yes"), ("current_password", Self.password)])
            }
            try #require(try await writesReached(1, in: app.store), "the deletion never reached its write")
            let linking = Task { [browser] in
                var tab = browser
                return try await tab.post("/register/link", [("csrf_token", csrf), ("draft", draft)])
            }
            try #require(try await writesReached(2, in: app.store), "the link never reached its write")
            try lock.release()
            let linked = try await linking.value
            #expect(linked.location == "/account?notice=linked")
            let deleted = try await deletion.value
            // Then the account goes, with the Twitter identity and its token
            #expect(deleted.location == "/?notice=account_deleted")
            #expect(try await app.store.account(.username("ada")) == nil)
            #expect(try await app.store.credential(for: TwitterUserID(WebApp.zoe)) == nil)
            // And the token it held is revoked at Twitter, as a deletion of an account linked before the page does
            try await Self.expectRevoked(offered, of: WebApp.zoe, app)
        }
    }
}
