import AccountModel
import HTTPTypes
import Hummingbird
import Logging
import Registration

extension AccountRoutes {
    // MARK: - Undoing a change of address

    /// `GET /email/undo?token=…`: the page of the link mailed to an old address with the notice of a change (what it
    /// restores, and a new password to choose), or a page saying the link does not work (400). A GET changes nothing.
    func emailChangeUndoPage(_ request: Request) async throws -> Response {
        let visit = try await visit(request)
        let token = request.uri.queryParameters["token"].map(String.init) ?? ""
        guard let target = try await local.emailChangeUndoTarget(token: Secret(token)) else {
            return page(visit, title: "Link not valid", status: .badRequest, body: Pages.undoLinkNotValid())
        }
        return undoPage(visit, target, token: token, errors: [], unlinkTicked: false, status: .ok)
    }

    /// `POST /email/undo`: `token`, `password` and, to unlink a Twitter account linked before the change,
    /// `unlink_twitter` (its id); makes the old address the account's again with the new password, ends every session
    /// of the account (and unlinks the Twitter account linked since the change, or named, revoking its token at
    /// Twitter), tells the restored address (``SecurityNotice/Change/emailChangeUndone``, and
    /// ``SecurityNotice/Change/twitterUnlinked`` for a Twitter account unlinked), and signs this browser in on a new
    /// session (a `signed_in` event with method `email_change_undo`), as a password reset does.
    func undoEmailChange(_ request: Request) async throws -> Response {
        let (visit, form) = try await postedVisit(request)
        let token = form["token"] ?? ""
        let before = try await local.emailChangeUndoTarget(token: Secret(token))
        let outcome: EmailChangeUndoOutcome
        do {
            // ("not mine" ticked for the Twitter account linked before the change: its id, as the page showed it)
            outcome = try await local.undoEmailChange(
                token: Secret(token), newPassword: Secret(form["password"] ?? ""),
                unlinkingTwitter: form["unlink_twitter"].flatMap { TwitterUserID(decimal: $0) }, signingIn: true)
        } catch {
            switch error {
            case .invalid(let errors) where errors.contains(where: { $0.field == .email }):
                return page(visit, title: "Address taken", status: .conflict, body: Pages.undoAddressTaken())
            case .invalid(let errors):
                guard let before else {
                    return page(visit, title: "Link not valid", status: .badRequest, body: Pages.undoLinkNotValid())
                }
                // (the box ticked stays ticked, for the Twitter account the page named: the owner fixing the
                // password must not lose their "not mine" and leave a thief's Twitter account linked)
                let ticked = form["unlink_twitter"].map { $0 == before.twitter?.userID.decimalString } ?? false
                return undoPage(
                    visit, before, token: token, errors: errors, unlinkTicked: ticked, status: .unprocessableContent)
            case .invalidUndoLink:
                return page(visit, title: "Link not valid", status: .badRequest, body: Pages.undoLinkNotValid())
            default:
                throw error
            }
        }
        let account = outcome.account
        logger.info(
            "email change undone",
            metadata: ["account.id": "\(account.id)", "web.sessions": "\(outcome.sessionsEnded)"])
        // As after a reset: told once the change is made, in a task of its own (dropped, the undo standing, when too
        // many are under way). No place is taken before: whoever undid the change read the mail at that address and
        // sees the answer; refusing the undo for want of a place would keep a thief in the account longer.
        sendSecurityNotice(.emailChangeUndone, for: account)
        var notice = "email_change_undone"
        if let unlinked = outcome.unlinkedTwitter {
            logger.info("twitter unlinked: linked since the undone change", metadata: ["account.id": "\(account.id)"])
            sendSecurityNotice(.twitterUnlinked, for: account, twitterScreenName: unlinked.screenName)
            if let credential = outcome.unlinkedCredential { await revokeAtTwitter(credential) }
            notice = "email_change_undone_unlinked"
        }
        return try await signInAfterLink(visit, as: account, mark: outcome.signedIn, notice: notice)
    }

    /// The undo page for `target`, its form showing `errors`, "Also unlink the Twitter account" ticked when
    /// `unlinkTicked` (as the form sent it).
    private func undoPage(
        _ visit: Visit, _ target: EmailChangeUndoTarget, token: String, errors: [FieldError], unlinkTicked: Bool,
        status: HTTPResponse.Status
    ) -> Response {
        var response = page(
            visit, title: Pages.title("Undo the change of address", problems: errors.count), status: status,
            body: Pages.undoEmailChange(
                username: target.account.username, restores: target.restores, replacedBy: target.replacedBy,
                current: target.account.email, twitter: target.twitter, unlinksTwitter: target.unlinksTwitter,
                unlinkTicked: unlinkTicked, token: token, errors: errors, csrf: visit.csrf,
                minimumPasswordLength: local.passwordPolicy.minimumLength))
        // As on the reset page: the form sends only the origin as the referrer, never this URL with its token.
        response.headers[HTTPField.Name("Referrer-Policy")!] = "strict-origin"
        return response
    }
}
