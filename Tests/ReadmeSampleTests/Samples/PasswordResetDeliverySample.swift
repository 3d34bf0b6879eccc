import AccountModel
import AccountsHummingbird
import Foundation

extension MailSample {
    /// README "Forgot your password?": how reset links are mailed.
    func passwordResetDelivery() -> AccountRoutes.Configuration {
        var web = AccountRoutes.Configuration()
        web.passwordReset = AccountRoutes.PasswordResetDelivery(baseURL: URL(string: "https://app.example")!) { mail in
            try await smtp.send(
                to: mail.to, subject: "Your password", body: "Hello \(mail.username): \(mail.link.revealed)")
        }
        return web
    }
}
