import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Registration

/// Why a password sign-in did not go through, as the page says it.
struct SignInProblem: Error {
    var message: String
    var status: HTTPResponse.Status
    /// When the cool-down ends (sent as `Retry-After`).
    var retryAfter: Date?
}

extension AccountRoutes {
    // MARK: - Email sign-up

    /// `GET /signup`.
    func signUpPage(_ request: Request) async throws -> Response {
        let visit = try await visit(request)
        return page(
            visit, title: "Sign up",
            body: Pages.signUp(
                values: [:], errors: [], csrf: visit.csrf,
                minimumPasswordLength: local.passwordPolicy.minimumLength))
    }

    /// `POST /signup`: every field error at once with the input kept (never the password); success signs in. Over
    /// ``Configuration/signUpsPerClient`` or ``Configuration/signUpsPerNetwork``, 429 with `Retry-After`, and nothing
    /// is checked or written.
    func signUp(_ request: Request, context: some RequestContext) async throws -> Response {
        let (visit, form) = try await postedVisit(request)
        if let (retryAfter, scope) = signUpRefusal(request, context: context, visit: visit) {
            return retrying(
                page(
                    visit, title: "Too many requests", status: .tooManyRequests,
                    body: Pages.tooManySignUps(retryAfter: retryAfter, scope: scope)),
                after: retryAfter)
        }
        let values: [Field: String] = [
            .username: form["username"] ?? "", .email: form["email"] ?? "", .firstName: form["first_name"] ?? "",
            .lastName: form["last_name"] ?? "",
        ]
        let signUp = SignUpForm(
            username: values[.username]!, email: values[.email]!, password: Secret(form["password"] ?? ""),
            firstName: values[.firstName], lastName: values[.lastName])
        let mark = try await store.eventMark()
        let account: Account
        do {
            account = try await local.signUp(signUp)
        } catch {
            guard case .invalid(let errors) = error else { throw error }
            return page(
                visit, title: Pages.title("Sign up", problems: errors.count), status: .unprocessableContent,
                body: Pages.signUp(
                    values: values, errors: errors, csrf: visit.csrf,
                    minimumPasswordLength: local.passwordPolicy.minimumLength))
        }
        let session = try await signIn(visit, as: account, checkedAfter: mark)
        mailEmailConfirmation(for: account.id)
        return redirect(visit, to: "/account?notice=registered", session: session)
    }

    // MARK: - Password log-in

    /// `GET /login`.
    func logInPage(_ request: Request) async throws -> Response {
        let visit = try await visit(request)
        let code = request.uri.queryParameters["notice"].map(String.init)
        return page(
            visit, title: "Log in", notice: Pages.notice(code),
            body: Pages.logIn(
                login: "", error: nil, csrf: visit.csrf, offersReset: configuration.passwordReset != nil,
                offersTwitter: registration != nil))
    }

    /// `POST /login`: `login` (username or email) and `password`; success rotates the session. Over
    /// ``Configuration/logInsPerClient`` or ``Configuration/logInsPerNetwork``, 429 with `Retry-After`, and nothing is
    /// checked or written.
    func logIn(_ request: Request, context: some RequestContext) async throws -> Response {
        let (visit, form) = try await postedVisit(request)
        let login = form["login"] ?? ""
        if let refusal = logInRefusal(request, context: context, visit: visit) {
            return retrying(
                page(
                    visit, title: Pages.title("Log in", problems: 1), status: .tooManyRequests,
                    body: Pages.logIn(
                        login: login, error: refusal.message, csrf: visit.csrf,
                        offersReset: configuration.passwordReset != nil, offersTwitter: registration != nil)),
                after: refusal.retryAfter)
        }
        let mark = try await store.eventMark()
        switch try await passwordSignIn(login: login, password: form["password"] ?? "") {
        case .success(let account):
            let session = try await signIn(visit, as: account, checkedAfter: mark)
            return redirect(visit, to: "/account?notice=signed_in", session: session)
        case .failure(let problem):
            return retrying(
                page(
                    visit, title: Pages.title("Log in", problems: 1), status: problem.status,
                    body: Pages.logIn(
                        login: login, error: problem.message, csrf: visit.csrf,
                        offersReset: configuration.passwordReset != nil, offersTwitter: registration != nil)),
                after: problem.retryAfter)
        }
    }

    /// Counts a password log-in attempt (`POST /login`, and "sign in to link") against ``Configuration/logInsPerClient``
    /// and ``Configuration/logInsPerNetwork`` before its password is checked, so that attempts sent at once cannot all
    /// pass: the message and time to show when it is over a limit (logged once a minute), `nil` when it may go on.
    func logInRefusal(_ request: Request, context: some RequestContext, visit: Visit) -> (
        message: String, retryAfter: Date
    )? {
        guard
            let (retryAfter, scope) = refusal(
                request, context: context, visit: visit, by: logInThrottle,
                logging: "log-in refused: too many attempted")
        else { return nil }
        return (
            "Too many log-ins were attempted \(Pages.asker(scope)). Try again after "
                + "\(Pages.timestamp(retryAfter)) UTC.", retryAfter
        )
    }

    /// Counts a request that answers whether an address has an account or mails one (an email sign-up, a Twitter
    /// registration, a change of address, a confirmation link again) against ``Configuration/signUpsPerClient`` and
    /// ``Configuration/signUpsPerNetwork``; past them, when to try again and whose limit it was (logged at most once a
    /// minute per scope).
    func signUpRefusal(
        _ request: Request, context: some RequestContext, visit: Visit
    ) -> (retryAfter: Date, scope: RegistrationService.ThrottleScope)? {
        refusal(request, context: context, visit: visit, by: signUpThrottle, logging: "sign-up refused: too many made")
    }

    /// ``signUpRefusal(_:context:visit:)`` for the forms other than sign-up that check or mail an address (a Twitter
    /// registration, a change of address, a confirmation link again): past a limit, the 429 page, whose link goes
    /// `back`.
    func addressCheckRefusal(
        _ request: Request, context: some RequestContext, visit: Visit, back: String
    ) -> Response? {
        guard let (retryAfter, scope) = signUpRefusal(request, context: context, visit: visit) else { return nil }
        return retrying(
            page(
                visit, title: "Too many requests", status: .tooManyRequests,
                body: Pages.tooManyAddressChecks(retryAfter: retryAfter, scope: scope, back: back)),
            after: retryAfter)
    }

    /// Counts this request against `throttle`, as its client (the address ``clientKey(_:context:)`` takes, else the
    /// browser session) and its client's network; past a limit, when to try again and whose limit it was, logged as
    /// `message` at most once a minute per scope with the number of refusals it stands for.
    func refusal(
        _ request: Request, context: some RequestContext, visit: Visit, by throttle: RequestThrottle,
        logging message: Logger.Message
    ) -> (retryAfter: Date, scope: RegistrationService.ThrottleScope)? {
        let now = store.currentDate
        let client = clientKey(request, context: context)
        let clientKey = client.map { "client:" + $0.key } ?? "session:" + SHA256.hexDigest(Array(visit.session.id.utf8))
        guard
            case .refused(let retryAfter, let scope) = throttle.admit(
                client: clientKey, network: client?.network, at: now)
        else { return nil }
        if let refusals = throttle.refusalsToLog(scope, at: now) {
            logger.warning(message, metadata: ["web.throttle": "\(scope.rawValue)", "web.refusals": "\(refusals)"])
        }
        return (retryAfter, scope)
    }

    /// `response` with `Retry-After` (whole seconds from now, 1 at least) when `date` is given.
    func retrying(_ response: Response, after date: Date?) -> Response {
        guard let date else { return response }
        var response = response
        // (whole seconds from 1 to a year: a time that far or farther, or no number, did trap `Int(…)`)
        let seconds = date.timeIntervalSince(store.currentDate).rounded(.up)
        response.headers[.retryAfter] = String(seconds.isFinite ? Int(min(max(seconds, 1), 31_536_000)) : 31_536_000)
        return response
    }

    /// A password sign-in; unknown login and wrong password give the same answer. A failure, and a refusal during the
    /// login's cool-down, is logged at info (with `web.client`, as every line of a request).
    func passwordSignIn(login: String, password: String) async throws -> Result<Account, SignInProblem> {
        guard !login.isEmpty, !password.isEmpty else {
            return .failure(
                SignInProblem(message: "Enter your username or email and your password.", status: .unauthorized))
        }
        // Each failure is one info line (anyone can cause them; the lines carry the client, never the login as typed,
        // which is the client's text and perhaps someone's address).
        switch try await local.signIn(login: login, password: Secret(password)) {
        case .signedIn(let account):
            return .success(account)
        case .invalidCredentials:
            logger.info("log-in failed: wrong username, email or password")
            return .failure(SignInProblem(message: "Wrong username, email or password.", status: .unauthorized))
        case .disabled:
            logger.info("log-in failed: the account is disabled")
            return .failure(SignInProblem(message: "Wrong username, email or password.", status: .unauthorized))
        case .throttled(let retryAfter):
            logger.info(
                "log-in refused: too many failures for this login",
                metadata: ["web.retry_after": "\(Pages.timestamp(retryAfter))"])
            return .failure(
                SignInProblem(
                    message: "Too many failed attempts. Try again after \(Pages.timestamp(retryAfter)) UTC.",
                    status: .tooManyRequests, retryAfter: retryAfter))
        }
    }

    // MARK: - Sign-out

    /// `POST /sign-out`: ends this session and clears the cookie. A browser with no stored session (it ended, or it
    /// never signed in) is just told it is signed out, without a CSRF check (there is no session to protect), unless
    /// the form came from another site's page: that is refused (403), so a page elsewhere cannot clear the id that
    /// holds a visitor's Twitter sign-up in progress.
    func signOut(_ request: Request) async throws -> Response {
        let origin = try origin(of: request)
        let signedOut = { () async throws -> Response in
            guard self.originMatches(request, origin) else {
                throw Refusal(response: try await self.csrfRefusal(request))
            }
            var response = self.redirect(nil, to: "/?notice=signed_out")
            response.setCookie(self.sessions.clearingCookie(secure: origin.isHTTPS))
            return response
        }
        if try await sessions.load(request, secure: origin.isHTTPS) == nil { return try await signedOut() }
        let visit: Visit
        do {
            (visit, _) = try await postedVisit(request)
        } catch let refusal as Refusal {
            // Its session ended between the two reads (another device signed it out): as for a browser with none.
            guard try await sessions.load(request, secure: origin.isHTTPS) == nil else { throw refusal }
            return try await signedOut()
        }
        try await sessions.end(visit.session)
        var response = redirect(nil, to: "/?notice=signed_out")
        response.setCookie(sessions.clearingCookie(secure: visit.origin.isHTTPS))
        return response
    }

    // MARK: - Account page

    /// `GET /account`: the account, its password (change, remove, or set), its Twitter identity with link/unlink,
    /// recent audit events, sign out everywhere.
    func accountPage(_ request: Request) async throws -> Response {
        let (visit, account) = try signedInVisit(try await visit(request))
        let code = request.uri.queryParameters["notice"].map(String.init)
        return try await accountPage(visit, account, notice: Pages.notice(code))
    }

    /// `GET /account/data`: "Download your data", the signed-in account as JSON (`AccountOverview.json`, with the
    /// Twitter profile and every audit event, their details as the page shows them), as an attachment. Never a hash,
    /// token or secret.
    func accountData(_ request: Request) async throws -> Response {
        let (_, account) = try signedInVisit(try await visit(request))
        guard let overview = try await store.accountOverview(.id(account.id), eventLimit: Int(Int32.max)) else {
            throw Refusal(response: redirect(nil, to: "/login?notice=sign_in_first"))
        }
        let sessions = try await store.browserSessions(of: account.id, limit: Int(Int32.max)).map { session in
            "{\"device\": \(Self.jsonString(session.device)), \"signed_in_at\": \(Self.jsonTime(session.createdAt)), "
                + "\"last_active_at\": \(Self.jsonTime(session.lastSeenAt))}"
        }
        let devices = try await store.signInDevices(of: account.id).map { device in
            "{\"device\": \(Self.jsonString(device.device)), \"first_seen_at\": \(Self.jsonTime(device.firstSeenAt)), "
                + "\"last_seen_at\": \(Self.jsonTime(device.lastSeenAt))}"
        }
        let json = overview.json(
            eventsKey: "events", includingProfile: true, details: Pages.shownDetails(of:),
            appending: [
                ("sessions", "[" + sessions.joined(separator: ", ") + "]"),
                ("devices", "[" + devices.joined(separator: ", ") + "]"),
            ])
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"account-data.json\""
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: json + "\n")))
    }

    /// `text` as a JSON string literal, or `null`.
    static func jsonString(_ text: String?) -> String {
        text.map(JSONString.literal) ?? "null"
    }

    /// `date` as the account files write times, a JSON string.
    static func jsonTime(_ date: Date) -> String {
        jsonString(AccountOverview.time(date))
    }

    /// The account page, with `passwordError` over the password forms when given (and so on), `errorField` the id of
    /// the input it is about.
    func accountPage(
        _ visit: Visit, _ account: Account, notice: String? = nil, passwordError: String? = nil,
        twitterError: String? = nil, emailError: String? = nil, typedEmail: String? = nil,
        deleteError: String? = nil, errorField: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        // A form refused (a wrong or refused password, a bad address, …) shows the page again: not to a browser whose
        // session ended while the form was checked (another device signed it out), which gets the log-in page.
        if status != .ok, try await !sessionLives(visit) { return await sessionEndedResponse(visit) }
        let events = try await store.events(for: account.id, limit: configuration.eventsShown)
        let sessions = try await store.browserSessions(of: account.id, limit: Pages.sessionsListed + 1)
        let offer: Pages.PasswordOffer =
            account.hasPassword
            // (without Twitter to log in with, a password removed would leave no way in)
            ? .change(canRemove: account.twitter != nil && registration != nil)
            : isRecentSignIn(visit) ? .add : .signInAgain(minutes: Int((configuration.recentSignIn / 60).rounded()))
        return page(
            visit,
            title: Pages.title(
                "Your account",
                problems: [passwordError, twitterError, emailError, deleteError].count { $0 != nil }),
            status: status, notice: notice,
            body: Pages.account(
                account, events: events, csrf: visit.csrf, password: offer, passwordError: passwordError,
                linkNeedsPassword: !isRecentSignIn(visit), twitterError: twitterError,
                offersConfirmation: configuration.emailVerification != nil, emailError: emailError,
                typedEmail: typedEmail, deleteError: deleteError, errorField: errorField,
                minimumPasswordLength: local.passwordPolicy.minimumLength, sessions: sessions,
                currentSession: visit.session.record.tokenHash, offersTwitter: registration != nil))
    }

    /// Whether this visit's session was made (by a sign-in) within ``Configuration/recentSignIn``. A session dated
    /// ahead of this clock (made by a server whose clock runs ahead, or before this one was set back) counts only
    /// within ``futureSignInAllowance``: taken as made now, it would stay "recent" until this clock caught up.
    func isRecentSignIn(_ visit: Visit) -> Bool {
        let age = store.currentDate.timeIntervalSince(visit.session.record.createdAt)
        return age >= -Self.futureSignInAllowance && age <= configuration.recentSignIn
    }

    /// How far ahead of this server's clock a session's sign-in may be dated and still count as recent: the skew
    /// between servers whose clocks are kept (NTP keeps them within milliseconds), with room to spare.
    static let futureSignInAllowance: TimeInterval = 60

    // MARK: - Password settings

    /// `POST /account/password`: `current_password` and `new_password`. Success ends every other session of the
    /// account (whoever signed in with the old password, or holds a stolen session); this one stays, under a new id.
    func changePassword(_ request: Request) async throws -> Response {
        let started = ContinuousClock.now
        let (visit, form) = try await postedVisit(request, change: "password_changed")
        let (_, account) = try signedInVisit(visit)
        // (this session goes on under a new id, given in the change's own transaction: a copy of the old cookie,
        // stolen, which may be why the password changes, signs nobody in once it lands)
        let (rekeyed, rekey) = sessions.rekeyed(visit.session)
        do {
            try await forSession(visit) { () async throws(LocalAccountError) in
                try await local.changePassword(
                    for: account.id, current: Secret(form["current_password"] ?? ""),
                    new: Secret(form["new_password"] ?? ""), endingSessionsBut: visit.session.record.tokenHash,
                    rekeying: rekey)
            }
        } catch {
            return try await passwordRefusal(error, visit, account, started: started, currentField: "current_password")
        }
        logger.info("password changed", metadata: ["account.id": "\(account.id)"])
        sendSecurityNotice(.passwordChanged, for: account)
        return redirect(visit, to: "/account?notice=password_changed", session: rekeyed)
    }

    /// `POST /account/password/add`: `new_password`, for an account without one, within
    /// ``Configuration/recentSignIn`` of signing in (403 otherwise). Success ends every other session of the account.
    func addPassword(_ request: Request) async throws -> Response {
        let started = ContinuousClock.now
        let (visit, form) = try await postedVisit(request, change: "password_added")
        let (_, account) = try signedInVisit(visit)
        guard isRecentSignIn(visit) else {
            return try await accountPage(
                visit, account,
                passwordError: "To set a password, log in with Twitter again first: a password can be set only "
                    + "soon after signing in.", status: .forbidden)
        }
        let (rekeyed, rekey) = sessions.rekeyed(visit.session)
        do {
            try await forSession(visit) { () async throws(LocalAccountError) in
                try await local.setPassword(
                    for: account.id, new: Secret(form["new_password"] ?? ""),
                    endingSessionsBut: visit.session.record.tokenHash, rekeying: rekey)
            }
        } catch {
            return try await passwordRefusal(error, visit, account, started: started, currentField: nil)
        }
        logger.info("password added", metadata: ["account.id": "\(account.id)"])
        sendSecurityNotice(.passwordAdded, for: account)
        return redirect(visit, to: "/account?notice=password_added", session: rekeyed)
    }

    /// `POST /account/password/remove`: `current_password`; refused when Twitter is the account's only other way in.
    /// Success ends every other session of the account (whoever signed in with the password); this one stays.
    func removePassword(_ request: Request) async throws -> Response {
        let started = ContinuousClock.now
        let (visit, form) = try await postedVisit(request, change: "password_removed")
        let (_, account) = try signedInVisit(visit)
        let (rekeyed, rekey) = sessions.rekeyed(visit.session)
        do {
            try await forSession(visit) { () async throws(LocalAccountError) in
                try await local.removePassword(
                    for: account.id, current: Secret(form["current_password"] ?? ""),
                    endingSessionsBut: visit.session.record.tokenHash, rekeying: rekey)
            }
        } catch {
            return try await passwordRefusal(
                error, visit, account, started: started, currentField: "remove_current_password")
        }
        logger.info("password removed", metadata: ["account.id": "\(account.id)"])
        sendSecurityNotice(.passwordRemoved, for: account)
        return redirect(visit, to: "/account?notice=password_removed", session: rekeyed)
    }

    /// `POST /account/delete`: `confirm=yes` (the box ticked) and, for an account with a password,
    /// `current_password`, checked and counted as on the password forms; an account without one (made through
    /// Twitter) only within ``Configuration/recentSignIn`` of signing in (403 otherwise). Success deletes the account,
    /// its sessions with it, and clears this browser's cookie.
    func deleteAccount(_ request: Request) async throws -> Response {
        let started = ContinuousClock.now
        let (visit, form) = try await postedVisit(request, change: "account_deleted")
        let (_, account) = try signedInVisit(visit)
        guard form["confirm"] == "yes" else {
            return try await accountPage(
                visit, account, problem: "Tick the box to confirm that the account is to be deleted for good.",
                on: .delete, field: "delete-confirm", status: .unprocessableContent)
        }
        guard account.hasPassword || isRecentSignIn(visit) else {
            return try await accountPage(
                visit, account,
                problem: "To delete this account, log in with Twitter again first: an account without a password "
                    + "can be deleted only soon after signing in.", on: .delete, status: .forbidden)
        }
        // The token to revoke at Twitter once the account is gone: the one the deletion's own transaction removed (a
        // Twitter account linked in another tab while the password was checked included).
        var deletion: AccountDeletion?
        do {
            deletion = try await forSession(visit) { () async throws(LocalAccountError) in
                try await local.deleteAccount(
                    for: account.id, current: account.hasPassword ? Secret(form["current_password"] ?? "") : nil)
            }
        } catch {
            if let refusal = try await currentPasswordRefusal(
                error, visit, account, started: started, on: .delete, field: "delete_current_password")
            {
                return refusal
            }
            switch error {
            case .hasPassword:
                // A password was set meanwhile (in another tab): the page now asks for it.
                return redirect(visit, to: "/account")
            case .store(.accountNotFound):
                break  // deleted meanwhile (another tab, an operator): it is gone all the same
            case .store(.addressChangeUndoable(_, let until)):
                // (the change may be a thief's: its undo link, at the former address, must go on working)
                return try await accountPage(
                    visit, account,
                    problem: "This account's email address was changed recently, and the change can still be undone "
                        + "from the link sent to the former address, so the account cannot be deleted until "
                        + "\(Pages.timestamp(until.addingTimeInterval(1))) UTC. Nothing was changed. If the former "
                        + "address is no longer yours, ask the site's operator.", on: .delete,
                    status: .conflict)
            default:
                throw error
            }
        }
        logger.info("account deleted by its owner", metadata: ["account.id": "\(account.id)"])
        sendSecurityNotice(.accountDeleted, for: account)
        if let credential = deletion?.credential { await revokeAtTwitter(credential) }
        if let registration {
            // A "Link Twitter account" approved at Twitter and left on its confirm page (in another browser, perhaps):
            // the deletion removed its draft; its token is revoked too.
            if let deletion { await registration.revokeDraftTokens(of: deletion) }
            // A Twitter sign-in that was not finished goes too: this browser's, and a match offered to this account
            // from any session (the person may have signed in through the log-in form since, under another session id).
            _ = try? await registration.discardDrafts(browserSession: visit.session.id)
            _ = try? await registration.discardDrafts(offeredTo: account)
        }
        var response = redirect(nil, to: "/?notice=account_deleted")
        response.setCookie(sessions.clearingCookie(secure: visit.origin.isHTTPS))
        return response
    }

    /// The answer to a refused password change, addition or removal: the account page saying why (a wrong current
    /// password after ``LocalAccounts/failureFloor``, as a failed sign-in, `currentField` its input; too many, 429 with
    /// `Retry-After`), or a notice.
    func passwordRefusal(
        _ error: LocalAccountError, _ visit: Visit, _ account: Account, started: ContinuousClock.Instant,
        currentField: String?
    ) async throws -> Response {
        if let currentField,
            let refusal = try await currentPasswordRefusal(
                error, visit, account, started: started, on: .password, field: currentField)
        {
            return refusal
        }
        switch error {
        case .invalid(let problems):
            return try await accountPage(
                visit, account, problem: "The new password " + problems.map(\.problem).joined(separator: "; "),
                on: .password, field: "new_password", status: .unprocessableContent)
        case .noPassword, .hasPassword:
            return redirect(visit, to: "/account")
        case .store(.lastSignInMethod):
            return redirect(visit, to: "/account?notice=last_password_method")
        case .store(.twitterLinkedRecently(_, let until)):
            return try await accountPage(
                visit, account,
                problem: "The password cannot be removed until \(Pages.timestamp(until.addingTimeInterval(1))) UTC: a "
                    + "Twitter account was linked to this account less than 7 days ago, and until then a password "
                    + "reset must be able to give the account back. Nothing was changed.", on: .password,
                status: .conflict)
        case .store(.accountDisabled):
            // Disabled while the change was under way: nothing was written, and the session has ended.
            return home(visit, notice: RestartReason.accountDisabled.rawValue)
        default:
            throw error
        }
    }

    /// The forms of the account page that can be refused with a message over them.
    enum AccountPageForm {
        case password, twitter, email, delete
    }

    /// The account page with `problem` over the form `form` (the change of address keeping `typedEmail`), about its
    /// input `field` (marked and focused; without one, the message takes the focus).
    func accountPage(
        _ visit: Visit, _ account: Account, problem: String, on form: AccountPageForm, field: String? = nil,
        status: HTTPResponse.Status, typedEmail: String? = nil
    ) async throws -> Response {
        switch form {
        case .password:
            try await accountPage(visit, account, passwordError: problem, errorField: field, status: status)
        case .twitter: try await accountPage(visit, account, twitterError: problem, errorField: field, status: status)
        case .email:
            try await accountPage(
                visit, account, emailError: problem, typedEmail: typedEmail, errorField: field, status: status)
        case .delete: try await accountPage(visit, account, deleteError: problem, errorField: field, status: status)
        }
    }

    /// The answer to a current password that did not check out on the account page (a change or removal of the
    /// password, a link begun from an older session, a change of address), over the form `form` whose input `field`
    /// took it: a wrong one after ``LocalAccounts/failureFloor``, as a failed sign-in (401); too many, 429 with
    /// `Retry-After`. `nil` for any other error.
    func currentPasswordRefusal(
        _ error: LocalAccountError, _ visit: Visit, _ account: Account, started: ContinuousClock.Instant,
        on form: AccountPageForm, field: String, typedEmail: String? = nil
    ) async throws -> Response? {
        switch error {
        case .store(.sessionEnded):
            return await sessionEndedResponse(visit)
        case .wrongPassword:
            try? await Task.sleep(until: started + local.failureFloor, clock: .continuous)
            return try await accountPage(
                visit, account, problem: "The current password is not correct.", on: form, field: field,
                status: .unauthorized, typedEmail: typedEmail)
        case .throttled(let retryAfter):
            return retrying(
                try await accountPage(
                    visit, account,
                    problem: "Too many wrong passwords. Try again after \(Pages.timestamp(retryAfter)) UTC.",
                    on: form, field: field, status: .tooManyRequests, typedEmail: typedEmail),
                after: retryAfter)
        default:
            return nil
        }
    }

    /// Whether `visit`'s browser session is still stored and live (not ended by another device meanwhile).
    func sessionLives(_ visit: Visit) async throws -> Bool {
        try await store.browserSession(tokenHash: visit.session.record.tokenHash) != nil
    }

    /// `POST /account/twitter/unlink`. Unlinking ends every other session and takes a way in away, so a session that
    /// is not a recent sign-in (``Configuration/recentSignIn``) must send the current password (`current_password`,
    /// checked and counted as on the password forms): a session left open, or stolen, cannot sign its owner out and
    /// leave them without their Twitter sign-in.
    func unlink(_ request: Request) async throws -> Response {
        let started = ContinuousClock.now
        let (visit, form) = try await postedVisit(request, change: "unlinked")
        let (_, account) = try signedInVisit(visit)
        // (an account without a password cannot be unlinked: Twitter is its only way in, said below)
        if account.twitter != nil, account.hasPassword, !isRecentSignIn(visit) {
            // (a page read while the session was recent has no password field: asked for, not refused as wrong)
            if form["current_password"] == nil {
                return try await accountPage(
                    visit, account, twitterError: signInNoLongerRecent, errorField: "unlink_current_password",
                    status: .unauthorized)
            }
            do {
                try await forSession(visit) { () async throws(LocalAccountError) in
                    try await local.confirmPassword(for: account.id, current: Secret(form["current_password"] ?? ""))
                }
            } catch LocalAccountError.noPassword {
                // the password was removed since the page was read: Twitter is now its only way in, and the unlink
                // below refuses that with its own message
            } catch {
                guard
                    let refusal = try await currentPasswordRefusal(
                        error, visit, account, started: started, on: .twitter, field: "unlink_current_password")
                else { throw error }
                return refusal
            }
        }
        let (rekeyed, rekey) = sessions.rekeyed(visit.session)
        do {
            _ = try await forSession(visit) { () async throws(RegistrationError) in
                try await unlinkTwitter(account.id, endingSessionsBut: visit.session.record.tokenHash, rekeying: rekey)
            }
        } catch {
            switch error {
            case .store(.lastSignInMethod): return redirect(visit, to: "/account?notice=last_sign_in_method")
            case .store(.notLinked): return redirect(visit, to: "/account")
            case .store(.sessionEnded): return await sessionEndedResponse(visit)
            default: return failure(error, visit: visit)
            }
        }
        logger.info("twitter unlinked", metadata: ["account.id": "\(account.id)"])
        sendSecurityNotice(.twitterUnlinked, for: account, twitterScreenName: account.twitter?.screenName)
        return redirect(visit, to: "/account?notice=unlinked", session: rekeyed)
    }

    /// `POST /account/sessions/end`: `session`, the handle of another session of the account, as the account page
    /// lists them; ends it (that browser is signed out at its next request). A handle of no live session of the
    /// account (another account's, one ended already, this browser's own) ends nothing.
    func endSession(_ request: Request) async throws -> Response {
        let (posted, form) = try await postedVisit(request)
        let (visit, account) = try signedInVisit(posted)
        // (asked from a browser signed out meanwhile, it ends nothing: the browser that signed it out stays in)
        let ended = try await forSession(visit) { () async throws(StoreError) in
            try await store.endBrowserSession(
                handle: form["session"] ?? "", of: account.id, keeping: visit.session.record.tokenHash)
        }
        guard ended else { return redirect(visit, to: "/account?notice=session_not_found") }
        logger.info("session ended from the account page", metadata: ["account.id": "\(account.id)"])
        return redirect(visit, to: "/account?notice=session_ended")
    }

    /// `POST /account/sign-out-everywhere`: revokes every session of the account (this one included).
    func signOutEverywhere(_ request: Request) async throws -> Response {
        let (visit, account) = try signedInVisit(try await postedVisit(request, change: "signed_out_everywhere").0)
        // (asked from a browser signed out meanwhile, it ends nothing: that browser is signed out already, and whoever
        // signed it out stays in; when that was this request's twin, a double click, it is told as its own answer)
        let count: Int
        do throws(StoreError) {
            count = try await forSession(visit) { () async throws(StoreError) in
                try await store.deleteBrowserSessions(of: account.id)
            }
        } catch .sessionEnded {
            return await sessionEndedResponse(visit)
        }
        logger.info("signed out everywhere", metadata: ["account.id": "\(account.id)", "web.sessions": "\(count)"])
        var response = redirect(nil, to: "/?notice=signed_out_everywhere")
        response.setCookie(sessions.clearingCookie(secure: visit.origin.isHTTPS))
        return response
    }
}
