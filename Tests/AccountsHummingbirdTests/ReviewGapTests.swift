import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import Registration
import TestSupport
import Testing
import TwitterOAuth

extension AccountRoutesTests {
    /// The clients of one IPv6 /48 share `signUpsPerNetwork`: a new /64 each time does not escape it, another /48 is
    /// not held, and a refusal writes nothing.
    @Test func signUpsOverTheNetworksLimitAre429() async throws {
        var routes = AccountRoutes.Configuration()
        routes.signUpsPerNetwork = RegistrationService.Rate(2, per: 3600)
        try routes.trustProxies()
        try await WebApp.run(configuration: routes) { app in
            func signUp(_ name: String, from address: String) async throws -> Page {
                try await PasswordResetRoutesTests.signUp(app, name, from: address)
            }
            #expect(try await signUp("ada", from: "2001:db8:7:1::1").status == 303)
            #expect(try await signUp("bob", from: "2001:db8:7:2::1").status == 303)
            let refused = try await signUp("carl", from: "2001:db8:7:3::1")
            #expect(refused.status == 429 && refused.response.headerValue("retry-after") == "1800")
            #expect(refused.text.contains("from your network"))
            #expect(countQuery(app.databasePath, "SELECT count(*) FROM users") == 2)
            #expect(try await signUp("dan", from: "2001:db8:8:1::1").status == 303)
        }
    }
}

extension PasswordSettingsRoutesTests {
    /// Wrong passwords sent with "Unlink Twitter" from an old session count with the password forms' towards the
    /// 429 (README: "checked and counted as with a link").
    @Test func wrongPasswordsSentWithAnUnlinkAreThrottled() async throws {
        try await WebApp.run { app in
            var browser = try await Self.signUpAdaAndLinkZoe(app)
            app.clock.advance(by: 11 * 60)
            for _ in 0..<10 {
                let refused = try await browser.submit(
                    "/account", to: "/account/twitter/unlink", [("current_password", "a wrong guess")])
                #expect(refused.status == 401)
            }
            let throttled = try await browser.submit(
                "/account", to: "/account/twitter/unlink", [("current_password", Self.password)])
            #expect(throttled.status == 429 && throttled.response.headerValue("retry-after") != nil)
            #expect(throttled.text.contains("id=\"twitter-error\">Too many wrong passwords."))
            #expect(try await app.store.account(.username("ada"))?.twitter != nil)
            let change = try await browser.submit(
                "/account", to: "/account/password",
                [("current_password", Self.password), ("new_password", Self.newPassword)])
            #expect(change.status == 429)
        }
    }
}

extension EmailVerificationRoutesTests {
    /// A sign-up while `maximumInFlight` mails are under way is made and signed in; its link is not sent, and that is
    /// logged (`email confirmation mail dropped: too many mails under way`).
    @Test func aSignUpWhileTheMailerIsBusyIsMadeAndItsDroppedLinkLogged() async throws {
        let gate = Locked(false)
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        let routes = EmailVerificationRoutesTests.oneMailAtATime(until: gate, outbox: outbox)
        try await WebApp.run(configuration: routes) { app in
            _ = try await PasswordResetRoutesTests.signUpAda(app)
            var bob = app.browser()
            let signedUp = try await bob.submit(
                "/signup", to: "/signup",
                [("username", "bob"), ("email", "bob@example.org"), ("password", Self.password)])
            #expect(signedUp.location == "/account?notice=registered")
            #expect(
                app.logLines.value.contains { $0.contains("email confirmation mail dropped: too many mails under way") }
            )
            gate.withLock { $0 = true }
            await app.routes.finishMails()
            #expect(outbox.value.map(\.to) == ["ada@example.org"])
            #expect(try await bob.get("/account").text.contains("id=\"send-confirmation\""))
        }
    }
}
