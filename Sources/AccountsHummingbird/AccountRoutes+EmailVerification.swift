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
        /// The link (`<baseURL><mountPath>/email/confirm?token=…`): a secret until it is used or expires.
        public let link: Secret
        /// When the link stops working.
        public let expiresAt: Date

        public var description: String { "email confirmation mail to \(to) for \(username), link <redacted>" }
    }

    // MARK: - Sending a link

    /// Issues a confirmation link for `user`'s address and mails it, in a task of its own (the answer does not wait);
    /// nothing when confirmation is not configured, the address is confirmed already or the account has none, or
    /// ``LocalAccounts/maximumEmailVerifications`` links went out within the hour.
    func mailEmailConfirmation(for user: UserID) {
        guard let delivery = configuration.emailVerification else { return }
        let (local, logger, mountPath) = (local, logger, configuration.mountPath)
        let started = resetMails.start {
            let verification: EmailVerification?
            do {
                verification = try await local.requestEmailVerification(for: user)
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

    // MARK: - Following a link

    /// `GET /email/confirm?token=…`: a page with one button that confirms the address (a GET changes nothing, so a
    /// mail scanner that fetches links does not use them up), or a page saying the link does not work (400).
    func emailConfirmationPage(_ request: Request) async throws -> Response {
        let visit = try await visit(request)
        let token = request.uri.queryParameters["token"].map(String.init) ?? ""
        guard let account = try await local.emailVerificationAccount(token: Secret(token)) else {
            return page(
                visit, title: "Link not valid", status: .badRequest, body: Pages.confirmationLinkNotValid())
        }
        var response = page(
            visit, title: "Confirm your email address",
            body: Pages.confirmEmail(
                username: account.username, email: account.email ?? "", token: token, csrf: visit.csrf))
        // As on the reset page: the form sends only the origin as the referrer, never this URL with its token.
        response.headers[HTTPField.Name("Referrer-Policy")!] = "strict-origin"
        return response
    }

    /// `POST /email/confirm`: `token`; confirms the address, then the account page (or the home page when the browser
    /// is not signed in to that account).
    func confirmEmail(_ request: Request) async throws -> Response {
        let (visit, form) = try await postedVisit(request)
        let account: Account
        do {
            account = try await local.verifyEmail(token: Secret(form["token"] ?? ""))
        } catch {
            guard case .invalidVerificationLink = error else { throw error }
            return page(
                visit, title: "Link not valid", status: .badRequest, body: Pages.confirmationLinkNotValid())
        }
        logger.info("email confirmed", metadata: ["account.id": "\(account.id)"])
        return redirect(
            visit, to: visit.account?.id == account.id ? "/account?notice=email_confirmed" : "/?notice=email_confirmed")
    }
}
