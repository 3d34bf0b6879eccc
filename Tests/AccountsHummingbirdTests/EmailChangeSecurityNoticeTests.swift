import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import TestSupport
import Testing

/// A change of an account's address is a change of one of its ways in (a reset link goes to the address), so an app
/// that asks for security notices hears of it at the old, confirmed address, whether or not it also set
/// `EmailVerificationDelivery.notifyChange`.
struct EmailChangeSecurityNoticeTests {
    static let password = PasswordResetRoutesTests.password

    @Test func anAddressChangeIsToldToTheOldConfirmedAddressWithSecurityNoticesAlone() async throws {
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        let notices = Locked<[AccountRoutes.SecurityNotice]>([])
        // Security notices on, and email links mailed, but no `notifyChange`
        var configuration = EmailVerificationRoutesTests.configuration(outbox)
        configuration.securityNotice = { notice in notices.withLock { $0.append(notice) } }
        try await WebApp.run(configuration: configuration) { app in
            // Given Ada, whose address is confirmed
            var browser = try await PasswordResetRoutesTests.signUpAda(app)
            let first = try await EmailVerificationRoutesTests.mails(outbox, count: 1)[0]
            let confirmPage = try await browser.get(try EmailVerificationRoutesTests.path(of: first))
            _ = try await EmailVerificationRoutesTests.confirm(confirmPage, in: &browser)
            #expect(try await app.store.account(.username("ada"))?.isEmailVerified == true)
            // When whoever holds her password moves the account to another address
            let sent = try await browser.submit(
                "/account", to: "/account/email",
                [("new_email", "ada@new.example"), ("current_password", Self.password)])
            #expect(sent.location == "/account?notice=email_change_sent")
            let mail = try await EmailVerificationRoutesTests.mails(outbox, count: 2)[1]
            let confirm = try await browser.get(try EmailVerificationRoutesTests.path(of: mail))
            let done = try await EmailVerificationRoutesTests.confirm(confirm, in: &browser)
            #expect(done.location == "/account?notice=email_changed")
            #expect(try await app.store.account(.username("ada"))?.email == "ada@new.example")
            // Then the old address, the one its owner reads, is told (a reset to it no longer finds the account)
            await app.routes.finishMails()
            let told = notices.value
            #expect(
                told.contains {
                    $0.to == "ada@example.org" && $0.username == "ada" && $0.change == .emailChanged
                        && $0.newAddress == "ada@new.example"
                },
                "security notices sent: \(told.map { "\($0.change.rawValue) to \($0.to)" })")
        }
    }
}
