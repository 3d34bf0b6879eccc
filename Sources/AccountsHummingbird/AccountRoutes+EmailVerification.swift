import AccountCrypto
import AccountMatching
public import AccountModel
import AccountStore
public import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Registration

extension AccountRoutes {
    /// How email confirmation links are mailed (``Configuration/emailVerification``).
    public struct EmailVerificationDelivery: Sendable {
        /// The app's address as people reach it (`https://app.example`: http or https, no query or fragment, else the
        /// routes stop the app at start), to which ``Configuration/mountPath`` and `/email/confirm` are added: links
        /// are built on it, never on the request's `Host` header.
        public var baseURL: URL
        /// Sends one mail. It runs in a task of its own, after the answer; a failure is logged by its type only.
        public var send: @Sendable (EmailVerificationMail) async throws -> Void
        /// Tells the old address that the account's address was changed (no link: if it was not its owner's doing,
        /// they know to act), in a task of its own after the answer, when the old address was confirmed (an
        /// unconfirmed one may be a typo, or someone else's); `nil` (the default): no such mail.
        public var notifyChange: (@Sendable (EmailChangeNotice) async throws -> Void)?
        /// Mails being issued and sent at once (a slow mail server holds each for as long as it takes): 64 (less than
        /// 1 counts as 1). Past it, a request for a change of address or a new link is answered 503 with
        /// `Retry-After`, and changes nothing; the link of a sign-up is not sent (it is logged: the account page
        /// offers another).
        public var maximumInFlight = 64

        /// Links on `baseURL`, sent by `send`.
        public init(baseURL: URL, send: @escaping @Sendable (EmailVerificationMail) async throws -> Void) {
            self.baseURL = baseURL
            self.send = send
        }
    }

    /// A link that confirms an account's email address, for the app to mail. `description` never shows the link.
    public struct EmailVerificationMail: Sendable, CustomStringConvertible {
        /// The address to confirm, and to send the mail to.
        public let to: String
        /// The account's username.
        public let username: String
        /// Whether following the link makes ``to`` the account's address (a change the person asked for), rather
        /// than confirming the address it has.
        public let changesAddress: Bool
        /// The link (`<baseURL><mountPath>/email/confirm?token=…`): a secret until it is used or expires.
        public let link: Secret
        /// When the link stops working.
        public let expiresAt: Date

        /// Makes a mail as the routes do (an app's tests of its mailer build one with it).
        public init(to: String, username: String, changesAddress: Bool, link: Secret, expiresAt: Date) {
            self.to = to
            self.username = username
            self.changesAddress = changesAddress
            self.link = link
            self.expiresAt = expiresAt
        }

        /// The mail's kind, recipient and account; never the link.
        public var description: String {
            "email \(changesAddress ? "change" : "confirmation") mail to \(to) for \(username), link <redacted>"
        }
    }

    /// The notice to an account's old address that its address was changed, with the link that undoes the change.
    /// `description` never shows the link.
    public struct EmailChangeNotice: Sendable, CustomStringConvertible {
        /// The old address, where the notice goes.
        public let to: String
        /// The account's username.
        public let username: String
        /// The account's address now.
        public let newAddress: String
        /// ``newAddress`` as to write it in the notice: with its domain's IDNA ASCII form beside it when that differs
        /// (``Mailbox/shownWithASCIIDomain(_:)``), so that a look-alike of the old address's domain in another script
        /// does not pass for it.
        public var newAddressShown: String { Mailbox.shownWithASCIIDomain(newAddress) }
        /// When it changed.
        public let changedAt: Date
        /// The link that undoes the change (`<baseURL><mountPath>/email/undo?token=…`): it makes ``to`` the account's
        /// address again, with a password chosen on its page, and signs out every browser (whoever changed the
        /// address knew the password). A secret until it is used or expires; `nil` in a notice made without one.
        public let undoLink: Secret?
        /// When ``undoLink`` stops working.
        public let undoExpiresAt: Date?

        /// Makes a notice as the routes do (an app's tests of its mailer build one with it).
        public init(
            to: String, username: String, newAddress: String, changedAt: Date, undoLink: Secret? = nil,
            undoExpiresAt: Date? = nil
        ) {
            self.to = to
            self.username = username
            self.newAddress = newAddress
            self.changedAt = changedAt
            self.undoLink = undoLink
            self.undoExpiresAt = undoExpiresAt
        }

        /// The recipient and account; never the undo link.
        public var description: String {
            "email change notice to \(to) for \(username)\(undoLink == nil ? "" : ", undo link <redacted>")"
        }
    }

    // MARK: - Sending a link

    /// Issues a confirmation link for `user`'s address and mails it, in a task of its own (the answer does not wait);
    /// nothing when confirmation is not configured, the address is confirmed already or the account has none, or
    /// ``LocalAccounts/maximumEmailVerifications`` links went out within the hour. `false` when
    /// ``EmailVerificationDelivery/maximumInFlight`` mails are under way: nothing is issued then (it is logged).
    @discardableResult
    func mailEmailConfirmation(for user: UserID) -> Bool {
        guard configuration.emailVerification != nil else { return true }
        guard emailMails.reserve() else {
            logDroppedEmailMail("email confirmation")
            return false
        }
        let local = local
        mailEmailLink(for: user) { () async throws(LocalAccountError) -> EmailVerification? in
            try await local.requestEmailVerification(for: user)
        }
        return true
    }

    /// `baseURL` and ``Configuration/mountPath`` of email links, without a trailing slash (empty when email links are
    /// not configured).
    func linkBase() -> String {
        guard let delivery = configuration.emailVerification else { return "" }
        var base = Substring(delivery.baseURL.absoluteString)
        while base.hasSuffix("/") { base = base.dropLast() }
        return String(base) + configuration.mountPath
    }

    /// Mails the link `issue` makes (if any), in a task of its own, in the place taken in ``emailMails`` for it.
    func mailEmailLink(
        for user: UserID, issue: @escaping @Sendable () async throws(LocalAccountError) -> EmailVerification?
    ) {
        guard let delivery = configuration.emailVerification else {
            emailMails.release()
            return
        }
        let (logger, base) = (logger, linkBase())
        emailMails.startInReservedPlace {
            let verification: EmailVerification?
            do {
                verification = try await issue()
            } catch {
                logger.error("email confirmation request failed", metadata: ["web.error": "\(error)"])
                return
            }
            guard let verification else { return }
            let mail = EmailVerificationMail(
                to: verification.email, username: verification.account.username,
                changesAddress: verification.changesAddress,
                link: Secret(base + "/email/confirm?token=" + verification.token.revealed),
                expiresAt: verification.expiresAt)
            do {
                try await delivery.send(mail)
                logger.info("email confirmation mail sent", metadata: ["account.id": "\(user)"])
            } catch {
                logger.error(
                    "email confirmation mail failed",
                    metadata: ["account.id": "\(user)", "web.error": "\(type(of: error))"])
            }
        }
    }

    /// Logs that a mail of `kind` was not sent because ``EmailVerificationDelivery/maximumInFlight`` mails are under
    /// way (one line a minute at most for each kind).
    func logDroppedEmailMail(_ kind: String) {
        if let dropped = emailMails.refusalsToLog(kind, at: store.currentDate) {
            logger.warning(
                "\(kind) mail dropped: too many mails under way",
                metadata: ["web.limit": "\(emailMails.limit)", "web.dropped": "\(dropped)"])
        }
    }

    /// The account page answering 503 with `Retry-After: 60`, when a mail the request needs cannot be sent now.
    func mailsBusyPage(_ visit: Visit, _ account: Account, typedEmail: String? = nil) async throws -> Response {
        retrying(
            try await accountPage(
                visit, account,
                emailError: "Too many mails are being sent just now, so none was sent and nothing changed. Try again "
                    + "in a minute.", typedEmail: typedEmail, status: .serviceUnavailable),
            after: store.currentDate.addingTimeInterval(60))
    }

    /// `POST /account/email/confirm`: mails the signed-in account a new confirmation link (503 when
    /// ``EmailVerificationDelivery/maximumInFlight`` mails are under way). Counted as an email sign-up is
    /// (``Configuration/signUpsPerClient``; 429 past it): both mail an address the client typed.
    func sendEmailConfirmation(_ request: Request, context: some RequestContext) async throws -> Response {
        let (visit, account) = try signedInVisit(try await postedVisit(request).0)
        guard account.email != nil, !account.isEmailVerified else { return redirect(visit, to: "/account") }
        if let refused = addressCheckRefusal(request, context: context, visit: visit, back: "/account") {
            return refused
        }
        guard mailEmailConfirmation(for: account.id) else { return try await mailsBusyPage(visit, account) }
        return redirect(visit, to: "/account?notice=confirmation_sent")
    }

    /// `POST /account/email`: `new_email` and, for an account with a password, `current_password`. Mails a link to
    /// the new address; the account's address changes when it is followed. An account without a password (made
    /// through Twitter) may ask only within ``Configuration/recentSignIn`` of signing in (403 otherwise). Counted as
    /// an email sign-up is (``Configuration/signUpsPerClient``; 429 past it): both say whether an address has an
    /// account.
    func changeEmail(_ request: Request, context: some RequestContext) async throws -> Response {
        let started = ContinuousClock.now
        let (visit, form) = try await postedVisit(request)
        let (_, account) = try signedInVisit(visit)
        if let refused = addressCheckRefusal(request, context: context, visit: visit, back: "/account") {
            return refused
        }
        let newEmail = form["new_email"] ?? ""
        let current = form["current_password"].map(Secret.init)
        // A place for the mail is taken first: a link issued that could not be mailed would still end the older one.
        guard emailMails.reserve() else {
            logDroppedEmailMail("email change")
            return try await mailsBusyPage(visit, account, typedEmail: newEmail)
        }
        var reserved = true
        defer { if reserved { emailMails.release() } }
        // Checked here, before the mail's task: a refusal is the person's to see.
        let verification: EmailVerification?
        do {
            // With no password to check, only a recent sign-in vouches for the person (the library checks which, on
            // the record it issues the link against).
            verification = try await forSession(visit) { () async throws(LocalAccountError) in
                try await local.requestEmailChange(
                    for: account.id, to: newEmail, current: current, passwordRequired: !isRecentSignIn(visit))
            }
        } catch {
            // Nothing was issued: the place goes back now, not after the wait a wrong password gets (failureFloor),
            // or a few wrong passwords would hold every place and drop everyone else's links meanwhile.
            reserved = false
            emailMails.release()
            if case .noPassword = error {
                return try await accountPage(
                    visit, account,
                    emailError: "To change your address, log in with Twitter again first: it can be changed only soon "
                        + "after signing in.", status: .forbidden)
            }
            if let refusal = try await currentPasswordRefusal(
                error, visit, account, started: started, on: .email, field: "email_current_password",
                typedEmail: newEmail)
            {
                return refusal
            }
            guard case .invalid(let problems) = error else { throw error }
            return try await accountPage(
                visit, account, problem: "The new address " + problems.map(\.problem).joined(separator: "; "),
                on: .email, field: "new_email", status: .unprocessableContent, typedEmail: newEmail)
        }
        guard let verification else {
            // Past the account's links an hour: nothing was issued, and the person is told so, not that a link is on
            // its way.
            return redirect(visit, to: "/account?notice=email_change_limited")
        }
        reserved = false
        mailEmailLink(for: account.id) { () async throws(LocalAccountError) -> EmailVerification? in verification }
        logger.info("email change asked for", metadata: ["account.id": "\(account.id)"])
        return redirect(visit, to: "/account?notice=email_change_sent")
    }

    // MARK: - Following a link

    /// `GET /email/confirm?token=…`: a page with one button that confirms the address (a GET changes nothing, so a
    /// mail scanner that fetches links does not use them up), or a page saying the link does not work (400).
    func emailConfirmationPage(_ request: Request) async throws -> Response {
        let visit = try await visit(request)
        let token = request.uri.queryParameters["token"].map(String.init) ?? ""
        guard let target = try await local.emailLinkTarget(token: Secret(token)) else {
            return page(
                visit, title: "Link not valid", status: .badRequest, body: Pages.confirmationLinkNotValid())
        }
        var response = page(
            visit, title: "Confirm your email address",
            body: Pages.confirmEmail(
                username: target.account.username, email: target.email, changesAddress: target.changesAddress,
                offersReset: configuration.passwordReset != nil, token: token, csrf: visit.csrf))
        // As on the reset page: the form sends only the origin as the referrer, never this URL with its token.
        response.headers[HTTPField.Name("Referrer-Policy")!] = "strict-origin"
        return response
    }

    /// `POST /email/confirm`: `token`; confirms the address, then the account page (or the home page when the browser
    /// is not signed in to that account).
    func confirmEmail(_ request: Request) async throws -> Response {
        let (visit, form) = try await postedVisit(request)
        let token = Secret(form["token"] ?? "")
        let target = try await local.emailLinkTarget(token: token)
        let changes = target?.changesAddress ?? false
        // Only a confirmed old address is told: an unconfirmed one may be a typo, or someone else's. The notice is what
        // tells its owner that whoever had the password moved the account elsewhere, so its place is taken before
        // anything changes: with none free the answer is 503, the address stays, and the link keeps working. Whether
        // the old address is confirmed is asked again in the transaction that changes it: one confirmed after the look
        // above (its own link followed meanwhile) is not changed without a place either.
        // The old address hears of it through `notifyChange`, else through the `emailChanged` security notice: either
        // carries the undo link, so a place in its queue is taken the same way.
        let notify = configuration.emailVerification?.notifyChange
        let securityNotice = notify == nil ? configuration.securityNotice : nil
        let guardsNotice = changes && (notify != nil || securityNotice != nil)
        let queue = notify != nil ? emailMails : noticeMails
        var reserved = false
        defer { if reserved { queue.release() } }
        func takePlace() -> Bool {
            guard queue.reserve() else {
                if notify != nil {
                    logDroppedEmailMail("email change notice")
                } else if let dropped = noticeMails.refusalsToLog("email_changed", at: store.currentDate) {
                    logger.warning(
                        "security notice dropped: too many under way",
                        metadata: ["web.limit": "\(noticeMails.limit)", "web.dropped": "\(dropped)"])
                }
                return false
            }
            reserved = true
            return true
        }
        let busy = {
            self.retrying(
                self.page(visit, title: "Try again in a minute", status: .serviceUnavailable, body: Pages.mailsBusy()),
                after: self.store.currentDate.addingTimeInterval(60))
        }
        if guardsNotice && target?.account.email != nil && target?.account.isEmailVerified == true {
            guard takePlace() else { return busy() }
        }
        // The notice carries a link that undoes the change: issued with it, in the change's transaction, when the
        // change moves the account off a confirmed address (the one the notice goes to).
        let outcome: EmailLinkOutcome
        do throws(LocalAccountError) {
            if let followed = try await local.followEmailLink(
                token: token, unlessConfirmedAddressChanges: guardsNotice && !reserved, issuingUndo: guardsNotice)
            {
                outcome = followed
            } else {
                // Confirmed since the look above: it is told too.
                guard takePlace() else { return busy() }
                guard
                    let followed = try await local.followEmailLink(
                        token: token, unlessConfirmedAddressChanges: false, issuingUndo: guardsNotice)
                else { throw .invalidVerificationLink }
                outcome = followed
            }
        } catch {
            switch error {
            case .invalidVerificationLink:
                return page(
                    visit, title: "Link not valid", status: .badRequest, body: Pages.confirmationLinkNotValid())
            case .invalid:
                return page(
                    visit, title: "Address taken", status: .conflict, body: Pages.changedAddressTaken())
            default:
                throw error
            }
        }
        let account = outcome.account
        logger.info(changes ? "email changed" : "email confirmed", metadata: ["account.id": "\(account.id)"])
        let undoLink = outcome.undo.map { Secret(linkBase() + "/email/undo?token=" + $0.token.revealed) }
        // A place is held only for a change of a confirmed address; the notice goes to the address the change's own
        // transaction replaced (confirmed: it issued the undo link), whatever an earlier look said.
        if reserved, let old = outcome.replacedAddress, let new = account.email, outcome.undo != nil {
            reserved = false
            let logger = logger
            if let notify {
                let notice = EmailChangeNotice(
                    to: old, username: account.username, newAddress: new, changedAt: account.updatedAt,
                    undoLink: undoLink, undoExpiresAt: outcome.undo?.expiresAt)
                emailMails.startInReservedPlace {
                    do {
                        try await notify(notice)
                    } catch {
                        logger.error(
                            "email change notice failed",
                            metadata: ["account.id": "\(account.id)", "web.error": "\(type(of: error))"])
                    }
                }
            } else if let securityNotice {
                let notice = SecurityNotice(
                    to: old, username: account.username, change: .emailChanged, newAddress: new,
                    changedAt: account.updatedAt, undoLink: undoLink, undoExpiresAt: outcome.undo?.expiresAt)
                noticeMails.startInReservedPlace {
                    do {
                        try await securityNotice(notice)
                    } catch {
                        logger.error(
                            "security notice failed",
                            metadata: [
                                "account.id": "\(account.id)", "web.notice": "email_changed",
                                "web.error": "\(type(of: error))",
                            ])
                    }
                }
            }
        }
        let notice = changes ? "email_changed" : "email_confirmed"
        return redirect(visit, to: visit.account?.id == account.id ? "/account?notice=\(notice)" : "/?notice=\(notice)")
    }
}
