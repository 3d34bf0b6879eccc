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
/// and its token is revoked too. The route once read the token before the deletion, only when the account it had
/// read for the page had a Twitter identity, as the password reset did until session 40.
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
            // (her password hash made dear to check, as an imported or older one may be: the check takes a while)
            let dear = try PasswordHasher(parameters: .init(log2N: 17, r: 8, p: 1)).hash(password: Self.password)
            try executeSQL(app.databasePath, "UPDATE users SET password_hash = '\(dear)' WHERE username = 'ada'")
            // When she deletes the account in one tab while confirming the link in another
            let deleting = browser
            let deletion = Task {
                var tab = deleting
                return try await tab.post(
                    "/account/delete", [("csrf_token", csrf), ("confirm", "yes"), ("current_password", Self.password)])
            }
            try await Task.sleep(for: .milliseconds(50))
            let linked = try await browser.post("/register/link", [("csrf_token", csrf), ("draft", draft)])
            #expect(linked.location == "/account?notice=linked")
            let stored = try #require(
                try await app.store.credential(for: TwitterUserID(WebApp.zoe)),
                "the link did not land before the deletion (the password check was quicker than expected)")
            let deleted = try await deletion.value
            // Then the account goes, with the Twitter identity and its token
            #expect(deleted.location == "/?notice=account_deleted")
            #expect(try await app.store.account(.username("ada")) == nil)
            #expect(try await app.store.credential(for: TwitterUserID(WebApp.zoe)) == nil)
            // And the token it held is revoked at Twitter, as a deletion of an account linked before the page does
            try await Self.expectRevoked(stored, of: WebApp.zoe, app)
        }
    }
}
