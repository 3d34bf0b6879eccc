import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import TestSupport
import Testing
import TwitterOAuth

/// What a sign-in costs in waits for the disk: the store commits at `synchronous=FULL` by default, and on a busy disk
/// each such commit is milliseconds while the person waits. A sign-in writes what must survive a power failure (its
/// event, a rehashed password, the new session with the account's device list) in as few commits as that allows;
/// the attempt counted before the password is checked is synced by the commit after it.
struct SignInDiskWaitsTests {
    @Test func aPasswordSignInWaitsForTheDiskTwice() async throws {
        try await WebApp.run { app in
            var browser = try await PasswordResetRoutesTests.signUpAda(app)
            _ = try await browser.submit("/account", to: "/sign-out", [])
            let before = app.store.durableCommitCount
            let signedIn = try await browser.submit(
                "/login", to: "/login", [("login", "ada"), ("password", PasswordResetRoutesTests.password)])
            #expect(signedIn.location == "/account?notice=signed_in")
            // the sign-in (its event, the failures cleared) and the session with the device noted
            #expect(app.store.durableCommitCount - before == 2)
            #expect(try await browser.get("/whoami").text == "ada")
            // The device is noted in the session's transaction: the account lists it
            let account = try #require(try await app.store.account(.username("ada")))
            #expect(try await app.store.signInDevices(of: account.id).count == 1)
        }
    }

    @Test func aWrongPasswordWaitsForTheDiskOnce() async throws {
        try await WebApp.run { app in
            var browser = try await PasswordResetRoutesTests.signUpAda(app)
            _ = try await browser.submit("/account", to: "/sign-out", [])
            let before = app.store.durableCommitCount
            let refused = try await browser.submit(
                "/login", to: "/login", [("login", "ada"), ("password", "not the password at all")])
            #expect(refused.status == 401)
            #expect(app.store.durableCommitCount - before == 1)
            // And the attempt is counted all the same: the failure's event commit synced it
            #expect(countQuery(app.databasePath, "SELECT count(*) FROM sign_in_failures") == 1)
        }
    }

    @Test func aTwitterCallbackOfARegisteredPersonWaitsForTheDiskTwice() async throws {
        try await WebApp.run { app in
            var browser = app.browser()
            _ = try await browser.submit(
                "/signup", to: "/signup",
                [("username", "bob"), ("email", "bob@example.org"), ("password", PasswordResetRoutesTests.password)])
            #expect(try await browser.linkTwitter(WebApp.zoe).location == "/account?notice=linked")
            var other = app.browser()
            // (counted from the callback on: starting the sign-in waits for Twitter anyway)
            var before = 0
            let signedIn = try await other.viaTwitter(
                "/login/twitter", as: WebApp.zoe,
                alteringCallback: { callback in
                    before = app.store.durableCommitCount
                    return callback
                })
            #expect(signedIn.location == "/account?notice=signed_in")
            // the sign-in (its event, the token and profile Twitter gave) and the session with the device noted; the
            // pending authorization's claim is synced by the first
            #expect(app.store.durableCommitCount - before == 2)
            #expect(try await other.get("/whoami").text == "bob")
        }
    }
}
