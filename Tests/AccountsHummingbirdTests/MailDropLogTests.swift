import AccountModel
import AccountsHummingbird
import Foundation
import Registration
import TestSupport
import Testing

extension EmailVerificationRoutesTests {
    /// Routes whose mailer takes one mail at a time and sends nothing until `gate` opens (then into `outbox`).
    static func oneMailAtATime(
        until gate: Locked<Bool>, outbox: Locked<[AccountRoutes.EmailVerificationMail]>? = nil
    ) -> AccountRoutes.Configuration {
        var routes = AccountRoutes.Configuration()
        var delivery = AccountRoutes.EmailVerificationDelivery(baseURL: URL(string: "https://accounts.example/")!) {
            mail in
            while !gate.value { try await Task.sleep(for: .milliseconds(5)) }
            outbox?.withLock { $0.append(mail) }
        }
        delivery.maximumInFlight = 1
        routes.emailVerification = delivery
        return routes
    }

    /// A sign-up's link dropped while the mailer is busy is logged under its own name
    /// (`email confirmation mail dropped`, as the README says), even when a change of address was refused (503) for
    /// the same reason within the minute: the once-a-minute line is kept per kind of mail.
    @Test func aDroppedSignUpLinkIsLoggedUnderItsOwnNameAfterARefusedChange() async throws {
        let gate = Locked(false)
        let routes = Self.oneMailAtATime(until: gate)
        try await WebApp.run(configuration: routes) { app in
            // Given ada's link holding the one place
            var ada = try await PasswordResetRoutesTests.signUpAda(app)
            // And her change of address refused for it (503)
            let busy = try await ada.submit(
                "/account", to: "/account/email",
                [("new_email", "ada@new.example"), ("current_password", Self.password)])
            #expect(busy.status == 503)
            // When bob signs up within the minute
            var bob = app.browser()
            let signedUp = try await bob.submit(
                "/signup", to: "/signup",
                [("username", "bob"), ("email", "bob@example.org"), ("password", Self.password)])
            #expect(signedUp.location == "/account?notice=registered")
            gate.withLock { $0 = true }
            await app.routes.finishMails()
            // Then his link's drop is logged under its own name
            #expect(
                app.logLines.value.contains {
                    $0.contains("email confirmation mail dropped: too many mails under way")
                },
                "\(app.logLines.value.filter { $0.contains("dropped") })")
        }
    }
}

extension EmailVerificationRoutesTests {
    /// An account made through Twitter without an address has nothing to confirm: it takes no place among the mails
    /// under way, so a busy mailer logs no confirmation mail dropped for it.
    @Test func aTwitterRegistrationWithoutAnAddressTakesNoMailPlace() async throws {
        let gate = Locked(false)
        let routes = Self.oneMailAtATime(until: gate)
        var registration = RegistrationService.Configuration(callbackURL: "http://invalid.example/callback")
        registration.requiredFields = [.username]
        try await WebApp.run(configuration: routes, registration: registration) { app in
            // Given ada's link holding the one place
            _ = try await PasswordResetRoutesTests.signUpAda(app)
            // When Zoë registers through Twitter and leaves the address out
            var zoe = app.browser()
            let arrival = try await zoe.viaTwitter("/register/twitter", as: WebApp.zoe)
            let done = try await zoe.finishRegistration(after: arrival, [("username", "zoe"), ("email", "")])
            #expect(done.status == 303 && done.location == "/account?notice=registered")
            gate.withLock { $0 = true }
            await app.routes.finishMails()
            // Then no mail was dropped for her: she had none to send
            #expect(
                !app.logLines.value.contains { $0.contains("mail dropped") },
                "\(app.logLines.value.filter { $0.contains("dropped") })")
        }
    }
}
