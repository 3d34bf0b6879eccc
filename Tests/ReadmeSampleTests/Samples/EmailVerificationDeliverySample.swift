import AccountModel
import AccountsHummingbird
import Foundation

extension MailSample {
    /// README "Email confirmation": how confirmation links are mailed.
    func emailVerificationDelivery() -> AccountRoutes.Configuration {
        var web = AccountRoutes.Configuration()
        web.emailVerification = AccountRoutes.EmailVerificationDelivery(baseURL: URL(string: "https://app.example")!) {
            mail in
            try await smtp.send(
                to: mail.to, subject: "Confirm your address", body: "Hello \(mail.username): \(mail.link.revealed)")
        }
        return web
    }
}
