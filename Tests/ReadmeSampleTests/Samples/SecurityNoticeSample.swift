import AccountModel
import AccountsHummingbird

extension MailSample {
    /// README "Security notices": how they are mailed.
    func securityNotice() -> AccountRoutes.Configuration {
        var web = AccountRoutes.Configuration()
        web.securityNotice = { notice in  // AccountRoutes.SecurityNotice: no secret in it but `undoLink`
            let undo = notice.undoLink.map {
                " If it was not you, undo it here (then choose a new password): \($0.revealed)"
            }
            try await smtp.send(
                to: notice.to, subject: "Security notice",
                body: "Hello \(notice.username). \(notice.change.sentence)"
                    + (undo ?? " If it was not you, reset your password."))
        }
        return web
    }
}
