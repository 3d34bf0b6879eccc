import AccountCrypto
public import AccountModel
public import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Registration

extension AccountRoutes {
    /// How email confirmation links are mailed (``Configuration/emailVerification``).
    public struct EmailVerificationDelivery: Sendable {
        /// The app's address as people reach it (`https://app.example`; no query), to which
        /// ``Configuration/mountPath`` and `/email/confirm` are added: links are built on it, never on the request's
        /// `Host` header.
        public var baseURL: URL
        /// Sends one mail. It runs in a task of its own, after the answer; a failure is logged by its type only.
        public var send: @Sendable (EmailVerificationMail) async throws -> Void
        /// Tells the old address that the account's address was changed (no link: if it was not its owner's doing,
        /// they know to act), in a task of its own after the answer, when the old address was confirmed (an
        /// unconfirmed one may be a typo, or someone else's); `nil` (the default): no such mail.
        public var notifyChange: (@Sendable (EmailChangeNotice) async throws -> Void)?

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

        public var description: String {
            "email \(changesAddress ? "change" : "confirmation") mail to \(to) for \(username), link <redacted>"
        }
    }

    /// The notice to an account's old address that its address was changed. Holds no secret.
    public struct EmailChangeNotice: Sendable, CustomStringConvertible {
        /// The old address, where the notice goes.
        public let to: String
        /// The account's username.
        public let username: String
        /// The account's address now.
        public let newAddress: String
        /// When it changed.
        public let changedAt: Date

        public var description: String { "email change notice to \(to) for \(username)" }
    }

    // MARK: - Sending a link

    /// Issues a confirmation link for `user`'s address and mails it, in a task of its own (the answer does not wait);
    /// nothing when confirmation is not configured, the address is confirmed already or the account has none, or
    /// ``LocalAccounts/maximumEmailVerifications`` links went out within the hour.
    func mailEmailConfirmation(for user: UserID) {
        let local = local
        mailEmailLink(for: user) { () async throws(LocalAccountError) -> EmailVerification? in
            try await local.requestEmailVerification(for: user)
        }
    }

    /// Mails the link `issue` makes (if any), in a task of its own.
    func mailEmailLink(
        for user: UserID, issue: @escaping @Sendable () async throws(LocalAccountError) -> EmailVerification?
    ) {
        guard let delivery = configuration.emailVerification else { return }
        let (logger, mountPath) = (logger, configuration.mountPath)
        let started = resetMails.start {
            let verification: EmailVerification?
            do {
                verification = try await issue()
            } catch {
                logger.error("email confirmation request failed", metadata: ["web.error": "\(error)"])
                return
            }
            guard let verification else { return }
            var base = Substring(delivery.baseURL.absoluteString)
            while base.hasSuffix("/") { base = base.dropLast() }
            base += mountPath
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
        if !started { logger.warning("email confirmation dropped: too many mails under way") }
    }

    /// `POST /account/email/confirm`: mails the signed-in account a new confirmation link.
    func sendEmailConfirmation(_ request: Request) async throws -> Response {
        let (visit, account) = try signedInVisit(try await postedVisit(request).0)
        guard account.email != nil, !account.isEmailVerified else { return redirect(visit, to: "/account") }
        mailEmailConfirmation(for: account.id)
        return redirect(visit, to: "/account?notice=confirmation_sent")
    }

    /// `POST /account/email`: `new_email` and, for an account with a password, `current_password`. Mails a link to
    /// the new address; the account's address changes when it is followed. An account without a password (made
    /// through Twitter) may ask only within ``Configuration/recentSignIn`` of signing in (403 otherwise).
    func changeEmail(_ request: Request) async throws -> Response {
        let started = ContinuousClock.now
        let (visit, form) = try await postedVisit(request)
        let (_, account) = try signedInVisit(visit)
        let newEmail = form["new_email"] ?? ""
        let current = form["current_password"].map(Secret.init)
        // Checked here, before the mail's task: a refusal is the person's to see.
        let verification: EmailVerification?
        do {
            // With no password to check, only a recent sign-in vouches for the person (the library checks which, on
            // the record it issues the link against).
            verification = try await local.requestEmailChange(
                for: account.id, to: newEmail, current: current, passwordRequired: !isRecentSignIn(visit))
        } catch {
            if case .noPassword = error {
                return try await accountPage(
                    visit, account,
                    emailError: "To change your address, log in with Twitter again first: it can be changed only soon "
                        + "after signing in.", status: .forbidden)
            }
            if let refusal = try await currentPasswordRefusal(error, visit, account, started: started, on: .email) {
                return refusal
            }
            guard case .invalid(let problems) = error else { throw error }
            return try await accountPage(
                visit, account, problem: "The new address " + problems.map(\.problem).joined(separator: "; "),
                on: .email, status: .unprocessableContent)
        }
        if let verification {
            mailEmailLink(for: account.id) { () async throws(LocalAccountError) -> EmailVerification? in verification }
        }
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
                token: token, csrf: visit.csrf))
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
        let account: Account
        do {
            account = try await local.verifyEmail(token: token)
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
        logger.info(changes ? "email changed" : "email confirmed", metadata: ["account.id": "\(account.id)"])
        // Only a confirmed old address is told: an unconfirmed one may be a typo, or someone else's.
        if changes, let old = target?.account.email, target?.account.isEmailVerified == true, let new = account.email,
            let notify = configuration.emailVerification?.notifyChange
        {
            let notice = EmailChangeNotice(
                to: old, username: account.username, newAddress: new, changedAt: account.updatedAt)
            let logger = logger
            let started = resetMails.start {
                do {
                    try await notify(notice)
                } catch {
                    logger.error(
                        "email change notice failed",
                        metadata: ["account.id": "\(account.id)", "web.error": "\(type(of: error))"])
                }
            }
            if !started { logger.warning("email change notice dropped: too many mails under way") }
        }
        let notice = changes ? "email_changed" : "email_confirmed"
        return redirect(visit, to: visit.account?.id == account.id ? "/account?notice=\(notice)" : "/?notice=\(notice)")
    }
}
