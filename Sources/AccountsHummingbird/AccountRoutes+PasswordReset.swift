import AccountCrypto
public import AccountModel
import AccountStore
public import Foundation
import HTTPTypes
import Hummingbird
import Logging
public import Registration

extension AccountRoutes {
    /// Where "Forgot your password?" links point, and how they are sent (``Configuration/passwordReset``).
    public struct PasswordResetDelivery: Sendable {
        /// The app's address as people reach it (`https://app.example`: http or https, no query or fragment, else the
        /// routes stop the app at start), to which ``Configuration/mountPath`` and `/password/reset` are added: links
        /// are built on it, never on the request's `Host` header, which whoever asks for a link could set to their
        /// own site and so receive the token when the person clicks.
        public var baseURL: URL
        /// Sends one mail. It runs in a task of its own, after the link is issued, while the answer goes out without
        /// waiting, so neither its time nor its failures tell the asker anything; a failure is logged by its type
        /// only.
        public var send: @Sendable (PasswordResetMail) async throws -> Void
        /// How many links one client (its address, taken as for Twitter sign-ins: see
        /// ``Configuration/clientAddressHeader``) may ask for, whatever the addresses it gives: 10 per 15 minutes;
        /// `nil`, no limit. Over it the answer is 429 with `Retry-After`, whether or not an account uses the address.
        /// Each request for a known address writes to the store and sends a mail; ``LocalAccounts`` already limits
        /// the links per account, and this limits what one client can make the app do.
        public var requestsPerClient: RegistrationService.Rate? = RegistrationService.Rate(10, per: 15 * 60)
        /// How many the clients of one network (an IPv6 client's /48) may ask for together: 100 per 15 minutes;
        /// `nil`, no limit.
        public var requestsPerNetwork: RegistrationService.Rate? = RegistrationService.Rate(100, per: 15 * 60)
        /// How many everyone together may ask for: 600 a minute; `nil`, no limit.
        public var requestsInAll: RegistrationService.Rate? = RegistrationService.Rate(600, per: 60)
        /// Links being issued and mailed at once (a slow mail server holds each for as long as it takes), past which
        /// requests are dropped, issuing nothing, and logged: 64 (less than 1 counts as 1). The answer is the usual one all the same: only
        /// requests for known addresses hold a place for long (the mail), so an answer that said "busy" would tell
        /// whether the addresses asked for before had accounts.
        public var maximumInFlight = 64

        /// Links on `baseURL`, sent by `send`.
        public init(baseURL: URL, send: @escaping @Sendable (PasswordResetMail) async throws -> Void) {
            self.baseURL = baseURL
            self.send = send
        }
    }

    /// A link to choose a new password, for the app to mail. `description` never shows the link.
    public struct PasswordResetMail: Sendable, CustomStringConvertible {
        /// The account's email address.
        public let to: String
        /// The account's username (for the greeting: the person may not remember it).
        public let username: String
        /// The link (`<baseURL><mountPath>/password/reset?token=…`): a secret until it is used or expires.
        public let link: Secret
        /// When the link stops working.
        public let expiresAt: Date

        /// Makes a mail as the routes do (an app's tests of its mailer build one with it).
        public init(to: String, username: String, link: Secret, expiresAt: Date) {
            self.to = to
            self.username = username
            self.link = link
            self.expiresAt = expiresAt
        }

        /// The recipient and account; never the link.
        public var description: String { "password reset mail to \(to) for \(username), link <redacted>" }
    }

    // MARK: - Forgot password

    /// `GET /password/forgot`.
    func forgotPasswordPage(_ request: Request) async throws -> Response {
        let visit = try await visit(request)
        return page(
            visit, title: "Forgot your password?", body: Pages.forgotPassword(email: "", error: nil, csrf: visit.csrf))
    }

    /// `POST /password/forgot`: `email`. The answer does not wait for the store or the mail: the link is issued and
    /// sent in a task of its own, so the answer is the same, in the same time, whether or not an account uses the
    /// address (issuing one writes and syncs the database; finding none does not). Requests over the client's,
    /// network's or site's limit get 429; with ``PasswordResetDelivery/maximumInFlight`` links under way, the request
    /// is dropped and logged, and the answer is the usual one.
    func forgotPassword(
        _ request: Request, context: some RequestContext, delivery: PasswordResetDelivery
    ) async throws -> Response {
        let (visit, form) = try await postedVisit(request)
        let email = (form["email"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !email.isEmpty else {
            return page(
                visit, title: Pages.title("Forgot your password?", problems: 1), status: .unprocessableContent,
                body: Pages.forgotPassword(
                    email: "", error: "Enter the email address of your account.", csrf: visit.csrf))
        }
        let now = store.currentDate
        if let resetThrottle,
            let (retryAfter, scope) = refusal(
                request, context: context, visit: visit, by: resetThrottle,
                logging: "password reset refused: too many asked for")
        {
            return retrying(
                page(
                    visit, title: "Too many requests", status: .tooManyRequests,
                    body: Pages.tooManyResetRequests(retryAfter: retryAfter, scope: scope)),
                after: retryAfter)
        }
        let (local, logger, mountPath) = (local, logger, configuration.mountPath)
        let started = resetMails.start {
            let reset: PasswordReset?
            do {
                reset = try await local.requestPasswordReset(email: email)
            } catch {
                logger.error("password reset request failed", metadata: ["web.error": "\(error)"])
                return
            }
            guard let reset, let to = reset.account.email else { return }
            var base = Substring(delivery.baseURL.absoluteString)
            while base.hasSuffix("/") { base = base.dropLast() }
            base += mountPath
            let mail = PasswordResetMail(
                to: to, username: reset.account.username,
                link: Secret(base + "/password/reset?token=" + reset.token.revealed), expiresAt: reset.expiresAt)
            do {
                try await delivery.send(mail)
                logger.info("password reset mail sent", metadata: ["account.id": "\(reset.account.id)"])
            } catch {
                logger.error(
                    "password reset mail failed",
                    metadata: ["account.id": "\(reset.account.id)", "web.error": "\(type(of: error))"])
            }
        }
        if !started, let dropped = resetMails.refusalsToLog(at: now) {
            logger.warning(
                "password reset dropped: too many links under way",
                metadata: ["web.limit": "\(resetMails.limit)", "web.dropped": "\(dropped)"])
        }
        return page(visit, title: "Check your email", body: Pages.resetSent(lifetime: local.resetLinkLifetime))
    }

    /// Returns when every mail asked for so far (password reset links, email confirmation and change links, change
    /// and security notices) has been issued and sent, or has failed (or when the calling task is cancelled). Mails go
    /// out in tasks of their own, after the answer; call this once the server has stopped taking requests, so that
    /// stopping the app does not drop mails it promised. Bound the wait (a mailer that never answers would hold the
    /// process):
    ///
    /// ```swift
    /// try await application.runService()   // until SIGINT or SIGTERM (`run()` handles no signal)
    /// await withTaskGroup(of: Void.self) { group in
    ///     group.addTask { await routes.finishMails() }
    ///     group.addTask { try? await Task.sleep(for: .seconds(10)) }
    ///     await group.next()
    ///     group.cancelAll()
    /// }
    /// ```
    public func finishMails() async {
        async let resets: Void = resetMails.waitUntilIdle()
        async let others: Void = emailMails.waitUntilIdle()
        async let notices: Void = noticeMails.waitUntilIdle()
        _ = await (resets, others, notices)
    }

    /// The old name of ``finishMails()``, which waits for every mail, not only reset links.
    @available(*, deprecated, renamed: "finishMails()")
    public func finishPasswordResetMails() async {
        await finishMails()
    }

    // MARK: - Choosing a new password

    /// `GET /password/reset?token=…`: the form, or a page saying the link does not work (400).
    func resetPasswordPage(_ request: Request) async throws -> Response {
        let visit = try await visit(request)
        let token = request.uri.queryParameters["token"].map(String.init) ?? ""
        guard let account = try await local.passwordResetAccount(token: Secret(token)) else {
            return page(visit, title: "Link not valid", status: .badRequest, body: Pages.resetLinkNotValid())
        }
        var response = page(
            visit, title: "Choose a new password",
            body: Pages.resetPassword(
                username: account.username, unlinking: Self.unlinkedByReset(account), token: token, errors: [],
                csrf: visit.csrf, minimumPasswordLength: local.passwordPolicy.minimumLength))
        // The page's own URL holds the token: its form sends only the origin as the referrer, so the token stays out
        // of `Referer` headers (and the logs that keep them). Not `no-referrer`: with it, browsers send `Origin: null`
        // with the form, which the CSRF check refuses.
        response.headers[HTTPField.Name("Referrer-Policy")!] = "strict-origin"
        return response
    }

    /// `POST /password/reset`: `token` and `password`; success ends every session of the account and signs this
    /// browser in on a new one (whoever followed the link mailed to the account chose its password: a stranger who
    /// keeps the login in its cool-down by wrong guesses cannot keep them out), a `signed_in` event with method
    /// `password_reset`. A reset that confirms the address for the first time also unlinks the Twitter account linked
    /// before (``LocalAccounts/resetPassword(token:newPassword:)``), whose access token is then revoked at Twitter,
    /// and says so.
    func resetPassword(_ request: Request) async throws -> Response {
        let (visit, form) = try await postedVisit(request)
        let token = form["token"] ?? ""
        // (for the form shown again: whose account, and what the reset would unlink)
        let before = try await local.passwordResetAccount(token: Secret(token))
        let outcome: PasswordResetOutcome
        do {
            outcome = try await local.resetPasswordReporting(
                token: Secret(token), newPassword: Secret(form["password"] ?? ""), signingIn: true)
        } catch {
            switch error {
            case .invalid(let errors):
                return page(
                    visit, title: Pages.title("Choose a new password", problems: errors.count),
                    status: .unprocessableContent,
                    body: Pages.resetPassword(
                        username: before?.username ?? "", unlinking: before.flatMap(Self.unlinkedByReset),
                        token: token, errors: errors, csrf: visit.csrf,
                        minimumPasswordLength: local.passwordPolicy.minimumLength))
            case .invalidResetLink:
                return page(visit, title: "Link not valid", status: .badRequest, body: Pages.resetLinkNotValid())
            default:
                throw error
            }
        }
        let account = outcome.account
        logger.info("password reset", metadata: ["account.id": "\(account.id)"])
        sendSecurityNotice(.passwordReset, for: account)
        var notice = "password_reset"
        // What the reset's own transaction unlinked, not what the account held when the form was read: a Twitter
        // account linked in between is unlinked too, and its token is the one to revoke.
        if let unlinked = outcome.unlinkedTwitter {
            logger.info(
                "twitter unlinked: linked before the address was confirmed", metadata: ["account.id": "\(account.id)"])
            sendSecurityNotice(.twitterUnlinked, for: account, twitterScreenName: unlinked.screenName)
            if let credential = outcome.unlinkedCredential { await revokeAtTwitter(credential) }
            notice = "password_reset_unlinked"
        }
        return try await signInAfterLink(visit, as: account, mark: outcome.signedIn, notice: notice)
    }

    /// Signs in the browser that followed a link mailed to `account` and chose its password (a reset, an undone change
    /// of address), on a new session id, after the link's own change ended every session of the account (`mark`, read
    /// in that change's transaction): `/account` with `notice`. A session the store refuses sends the person where a
    /// refused sign-in does (the account disabled or deleted meanwhile), or, when the account's sessions ended again
    /// since, to log in with `notice` + `_signed_out`, which says the change was made; the change stands.
    func signInAfterLink(
        _ visit: Visit, as account: Account, mark: AccountStore.EventMark?, notice: String
    ) async throws -> Response {
        let signedOut = "/login?notice=\(notice)_signed_out"
        guard let mark else { return redirect(visit, to: signedOut) }
        let session = try await signIn(visit, as: account, checkedAfter: mark, sessionsEnded: signedOut)
        return redirect(visit, to: "/account?notice=\(notice)", session: session)
    }

    /// The screen name of the Twitter account a reset of `account` would unlink: one linked while the address was not
    /// confirmed, as the reset confirms it.
    static func unlinkedByReset(_ account: Account) -> String? {
        account.isEmailVerified || account.email == nil ? nil : account.twitter?.screenName
    }
}
