import AccountCrypto
import AccountMatching
import AccountModel
import AccountStore
import Foundation
import Hummingbird
import Logging
import Registration

extension AccountRoutes {
    // MARK: - Home

    func home(_ request: Request) async throws -> Response {
        let visit = try await visit(request)
        let code = request.uri.queryParameters["notice"].map(String.init)
        return page(
            visit, title: "Welcome", notice: Pages.notice(code),
            body: Pages.home(account: visit.account, csrf: visit.csrf, offersTwitter: registration != nil))
    }

    // MARK: - Begin

    /// `POST /register/twitter`, `/login/twitter`, `/account/twitter/link`: a request token, then off to Twitter
    /// (`/login/twitter` with `force_login=1`: to Twitter's log-in form, for another Twitter account than the one the
    /// browser is signed in to there).
    ///
    /// A link adds a way into the account that outlives a password reset and "sign out everywhere", so a session
    /// that is not a recent sign-in (``Configuration/recentSignIn``) must send the account's current password
    /// (`current_password`, checked and counted as on the password forms): a session left open, or stolen, cannot
    /// link its holder's Twitter account. The password checked counts as signing in again: the session goes on
    /// under a new id, a recent sign-in, as the link's confirmation asks (``link(_:)``).
    func beginTwitter(
        _ request: Request, context: some RequestContext, purpose: AuthorizationPurpose
    ) async throws -> Response {
        let registration = try twitterFlow()
        let started = ContinuousClock.now
        var (visit, form) = try await postedVisit(request)
        let client = clientKey(request, context: context)
        var signedInUser: UserID?
        if purpose == .link {
            let (_, account) = try signedInVisit(visit)
            if account.twitter != nil { return redirect(visit, to: "/account?notice=already_linked") }
            if !isRecentSignIn(visit) {
                // (a form read while the session was recent has no password field: asked for, not refused as wrong)
                if form["current_password"] == nil {
                    return try await accountPage(
                        visit, account, twitterError: signInNoLongerRecent, errorField: "link_current_password",
                        status: .unauthorized)
                }
                // (before the check: a sign-in it lets through opens no session if the account's sessions end
                // meanwhile)
                let mark = try await store.eventMark()
                do {
                    try await local.confirmPassword(for: account.id, current: Secret(form["current_password"] ?? ""))
                } catch {
                    // (an account without a password has nothing to check: it is refused as a wrong one)
                    let checked = error == .noPassword ? .wrongPassword : error
                    guard
                        let refusal = try await currentPasswordRefusal(
                            checked, visit, account, started: started, on: .twitter, field: "link_current_password")
                    else { throw error }
                    return refusal
                }
                // (the pending authorization is bound to the new id; the old one signs nobody in from now on)
                visit.session = try await signIn(visit, as: account, checkedAfter: mark)
            }
            signedInUser = account.id
        }
        do {
            let url = try await registration.begin(
                purpose: purpose, browserSession: visit.session.id, signedInUser: signedInUser,
                callbackURL: visit.origin.callbackURL(under: configuration.mountPath), client: client?.key,
                network: client?.network, forceLogin: purpose == .signIn && form["force_login"] == "1")
            return redirect(visit, to: url.absoluteString)
        } catch {
            return failure(error, visit: visit)
        }
    }

    // MARK: - Callback

    /// `GET /register/twitter/callback`: bound to the session that began the flow; any failed check goes back to `/`.
    func callback(_ request: Request) async throws -> Response {
        let registration = try twitterFlow()
        let visit = try await visit(request)
        // (before the checks: a sign-in they let through opens no session if the account's sessions end meanwhile)
        let mark = try await store.eventMark()
        let outcome: CallbackOutcome
        do {
            outcome = try await registration.handleCallback(
                queryString: request.uri.query ?? "", browserSession: visit.session.id)
        } catch {
            return failure(error, visit: visit)
        }
        switch outcome {
        case .signedIn(let account):
            let session = try await signIn(visit, as: account, checkedAfter: mark)
            return redirect(visit, to: "/account?notice=signed_in", session: session)
        case .needsDetails(let draft):
            return redirect(visit, to: "/register/details?draft=\(draft.id)")
        case .matchesExistingAccount(_, let draft):
            return redirect(visit, to: "/register/existing?draft=\(draft.id)")
        case .readyToLink(let draft):
            return redirect(visit, to: "/register/link?draft=\(draft.id)")
        case .restart(let reason):
            logger.info("twitter callback refused; starting over", metadata: ["web.reason": "\(reason.rawValue)"])
            return home(visit, notice: reason.rawValue)
        }
    }

    // MARK: - Registration form

    /// `GET /register/details?draft=…`: the form, pre-filled from the draft.
    func detailsPage(_ request: Request) async throws -> Response {
        let visit = try await visit(request)
        let draft = try await openDraft(request.uri.queryParameters["draft"].map(String.init), visit: visit)
        return registrationPage(
            visit, draft: draft, values: draft.fields, termsAccepted: false, errors: [], status: .ok)
    }

    /// `POST /register/complete`: one transaction makes the account; field errors come back all at once, input kept.
    /// Counted as an email sign-up is (``Configuration/signUpsPerClient``): both say whether an address has an
    /// account.
    func complete(_ request: Request, context: some RequestContext) async throws -> Response {
        let registration = try twitterFlow()
        let (visit, form) = try await postedVisit(request)
        let draft = try await openDraft(form["draft"], visit: visit)
        if let refused = addressCheckRefusal(
            request, context: context, visit: visit, back: "/register/details?draft=\(draft.id)")
        {
            return refused
        }
        let values: [Field: String] = [
            .username: form["username"] ?? "", .email: form["email"] ?? "", .firstName: form["first_name"] ?? "",
            .lastName: form["last_name"] ?? "",
        ]
        let submitted = RegistrationForm(
            username: values[.username]!, email: values[.email]!, firstName: values[.firstName]!,
            lastName: values[.lastName]!, acceptedTerms: form["terms"] != nil)
        let mark = try await store.eventMark()
        let outcome: CompletionOutcome
        do {
            outcome = try await registration.complete(
                draftID: draft.id, form: submitted, browserSession: visit.session.id)
        } catch {
            return failure(error, visit: visit)
        }
        switch outcome {
        case .registered(let account):
            let session = try await signIn(visit, as: account, checkedAfter: mark)
            if account.email != nil, !account.isEmailVerified { mailEmailConfirmation(for: account.id) }
            return redirect(visit, to: "/account?notice=registered", session: session)
        case .signedIn(let account):
            let session = try await signIn(visit, as: account, checkedAfter: mark)
            return redirect(visit, to: "/account?notice=signed_in", session: session)
        case .invalid(let errors):
            return registrationPage(
                visit, draft: draft, values: values, termsAccepted: submitted.acceptedTerms, errors: errors,
                status: .unprocessableContent)
        }
    }

    func registrationPage(
        _ visit: Visit, draft: DraftView, values: [Field: String], termsAccepted: Bool, errors: [FieldError],
        status: HTTPResponse.Status
    ) -> Response {
        page(
            visit, title: Pages.title("Finish registering", problems: errors.count), status: status,
            body: Pages.registration(
                draft: draft, values: values, errors: errors,
                required: (registration?.configuration.requiredFields ?? []).union([.username]),
                terms: registration?.configuration.requiresTerms == true ? termsAccepted : nil, csrf: visit.csrf))
    }

    // MARK: - Existing account: sign in, then link

    /// `GET /register/existing?draft=…`: "this email already has an account — sign in to link" (or, when that account
    /// is linked to another Twitter account, sign in and unlink that one first).
    func existingPage(_ request: Request) async throws -> Response {
        let registration = try twitterFlow()
        let visit = try await visit(request)
        let draft = try await openDraft(request.uri.queryParameters["draft"].map(String.init), visit: visit)
        if let account = visit.account, mayLink(draft, to: account, visit) {
            return redirect(visit, to: "/register/link?draft=\(draft.id)")
        }
        // A draft that matches no account (opened by its URL) has nothing to sign in to: the form, not a page saying an
        // account uses its address.
        let match: Account?
        do {
            match = try await registration.matchingAccount(draftID: draft.id, browserSession: visit.session.id)
        } catch {
            return failure(error, visit: visit)
        }
        guard let match else { return redirect(visit, to: "/register/details?draft=\(draft.id)") }
        let shape = try await existingMatch(match, for: draft)
        // (the Twitter account's address as the login only when it is the account's: another address of its mailbox
        // signs in to nothing)
        return page(
            visit, title: "Sign in to link",
            body: Pages.existing(
                draft: draft, login: shape.sameAddress ? draft.fields[.email] ?? "" : "", error: nil, match: shape,
                csrf: visit.csrf, offersReset: configuration.passwordReset != nil))
    }

    /// How "This email already has an account" describes `match`, the account sharing the mailbox of `draft`'s Twitter
    /// address: whether it holds another Twitter account already, and whether its address is that address (letter
    /// case aside) or only another of its mailbox.
    /// And whether any account holds that address itself (another than `match`: a disabled one, say): the page says
    /// the address is free to register with only when none does.
    func existingMatch(_ match: Account?, for draft: DraftView) async throws -> Pages.ExistingMatch {
        let key = draft.twitterEmail.map { Mailbox.uniquenessKey(EmailAddress.trim($0)) }
        let sameAddress = key != nil && match?.email.map { Mailbox.uniquenessKey($0) } == key
        var addressFree = false
        if !sameAddress, let address = draft.twitterEmail {
            addressFree = try await store.account(email: EmailAddress.trim(address)) == nil
        }
        return Pages.ExistingMatch(
            hasTwitter: match?.twitter != nil, sameAddress: sameAddress, addressFree: addressFree,
            // (an unconfirmed address is mailed a reset link only when the routes mail them)
            opensWithPassword: match.map {
                $0.hasPassword || (!$0.isEmailVerified && configuration.passwordReset != nil)
            } ?? true)
    }

    /// How "This email already has an account" describes the account sharing the draft's mailbox now.
    private func existingMatch(_ draft: DraftView, visit: Visit) async throws -> Pages.ExistingMatch {
        let registration = try twitterFlow()
        let match: Account?
        do {
            match = try await registration.matchingAccount(draftID: draft.id, browserSession: visit.session.id)
        } catch {
            throw Refusal(response: failure(error, visit: visit))
        }
        return try await existingMatch(match, for: draft)
    }

    /// `POST /register/existing`: password sign-in; the new session carries the draft over; then the link page.
    /// Counted with `POST /login` towards ``Configuration/logInsPerClient``: a draft lasts an hour and is not used up
    /// by a wrong password. The login may name any account: one that does not share the mailbox of the draft's Twitter
    /// email is signed in without the draft (``RegistrationService/carryDraft(_:from:to:for:)`` refuses it, so no draft
    /// is planted on another account), and its account page says that nothing was linked.
    func signInToLink(_ request: Request, context: some RequestContext) async throws -> Response {
        let (visit, form) = try await postedVisit(request)
        let draft = try await openDraft(form["draft"], visit: visit)
        let login = form["login"] ?? ""
        if let refusal = logInRefusal(request, context: context, visit: visit) {
            return retrying(
                page(
                    visit, title: Pages.title("Sign in to link", problems: 1), status: .tooManyRequests,
                    body: Pages.existing(
                        draft: draft, login: login, error: refusal.message,
                        match: try await existingMatch(draft, visit: visit), csrf: visit.csrf,
                        offersReset: configuration.passwordReset != nil)),
                after: refusal.retryAfter)
        }
        let mark = try await store.eventMark()
        switch try await passwordSignIn(login: login, password: form["password"] ?? "") {
        case .success(let account):
            let session = try await signIn(visit, as: account, checkedAfter: mark)
            switch await carry(draft, from: visit, to: session, for: account) {
            case .carried:
                return redirect(visit, to: "/register/link?draft=\(draft.id)", session: session)
            case .refused:
                return redirect(visit, to: "/account?notice=link_not_carried", session: session)
            case .closed:
                return redirect(visit, to: "/account?notice=registration_closed", session: session)
            }
        case .failure(let problem):
            return retrying(
                page(
                    visit, title: Pages.title("Sign in to link", problems: 1), status: problem.status,
                    body: Pages.existing(
                        draft: draft, login: login, error: problem.message,
                        match: try await existingMatch(draft, visit: visit), csrf: visit.csrf,
                        offersReset: configuration.passwordReset != nil)),
                after: problem.retryAfter)
        }
    }

    /// `GET /register/link?draft=…`: confirm linking the draft's Twitter identity to the signed-in account (with the
    /// current password when the session is no longer a recent sign-in: ``link(_:)``).
    func linkPage(_ request: Request) async throws -> Response {
        let visit = try await visit(request)
        let draft = try await openDraft(request.uri.queryParameters["draft"].map(String.init), visit: visit)
        guard let account = visit.account, mayLink(draft, to: account, visit) else {
            return redirect(visit, to: "/register/existing?draft=\(draft.id)")
        }
        // Confirming could only be refused: an account links one Twitter account.
        if account.twitter != nil { return redirect(visit, to: "/account?notice=already_linked") }
        return page(
            visit, title: "Link Twitter",
            body: Pages.confirmLink(
                draft: draft, account: account, csrf: visit.csrf, asksPassword: !isRecentSignIn(visit)))
    }

    /// `POST /register/link`: links, in one transaction, and shows the account.
    ///
    /// The link is what adds the way in, so it is there that the session must be a recent sign-in
    /// (``Configuration/recentSignIn``) or send the current password (`current_password`, checked and counted as on
    /// the password forms). A link begun from a recent sign-in can be finished long after it (Twitter's consent page
    /// stays open for the pending authorization's life, the draft for an hour): until session 61 such a link, begun and
    /// left at Twitter's page by its owner, could be approved from the browser's history with another Twitter account
    /// and confirmed by whoever used the browser 25 minutes later, without the password.
    func link(_ request: Request) async throws -> Response {
        let registration = try twitterFlow()
        let started = ContinuousClock.now
        let (visit, form) = try await postedVisit(request)
        let (_, account) = try signedInVisit(visit)
        let draftID = form["draft"] ?? ""
        let draft = try await registration.draft(draftID, browserSession: visit.session.id)
        if let draft, !mayLink(draft, to: account, visit) {
            return redirect(visit, to: "/register/existing?draft=\(draft.id)")
        }
        if let draft, account.twitter == nil, !isRecentSignIn(visit) {
            // (a confirmation read while the session was recent has no password field: asked for, not refused as a
            // wrong one, counted and audited)
            guard form["current_password"] != nil else {
                return page(
                    visit, title: Pages.title("Link Twitter", problems: 1), status: .unauthorized,
                    body: Pages.confirmLink(
                        draft: draft, account: account, csrf: visit.csrf, asksPassword: true,
                        error: signInNoLongerRecent))
            }
            do {
                try await local.confirmPassword(for: account.id, current: Secret(form["current_password"] ?? ""))
            } catch {
                return try await linkPasswordRefusal(error, visit, account, draft, started: started)
            }
        }
        do {
            let outcome = try await forSession(visit) { () async throws(RegistrationError) in
                try await registration.linkOutcome(draftID: draftID, to: account.id, browserSession: visit.session.id)
            }
            switch outcome {
            case .linked(let linked):
                logger.info("twitter linked", metadata: ["account.id": "\(account.id)"])
                sendSecurityNotice(.twitterLinked, for: account, twitterScreenName: linked.twitter?.screenName)
            case .linkedMeanwhile:
                // (a double click's second confirmation: the first linked it, and told the owner)
                logger.info("twitter link confirmed again: linked already", metadata: ["account.id": "\(account.id)"])
            }
            return redirect(visit, to: "/account?notice=linked")
        } catch {
            return failure(error, visit: visit)
        }
    }

    /// The answer to a current password that did not check out on the link's confirmation: the confirmation again,
    /// saying why (a wrong one after ``LocalAccounts/failureFloor``, 401; too many, 429 with `Retry-After`).
    func linkPasswordRefusal(
        _ error: LocalAccountError, _ visit: Visit, _ account: Account, _ draft: DraftView,
        started: ContinuousClock.Instant
    ) async throws -> Response {
        let confirmation = { (problem: String, status: HTTPResponse.Status) in
            self.page(
                visit, title: Pages.title("Link Twitter", problems: 1), status: status,
                body: Pages.confirmLink(
                    draft: draft, account: account, csrf: visit.csrf, asksPassword: true, error: problem))
        }
        switch error {
        case .store(.sessionEnded):
            return sessionEndedResponse()
        case .wrongPassword, .noPassword:
            // (an account without a password has nothing to check: it is refused as a wrong one)
            try? await Task.sleep(until: started + local.failureFloor, clock: .continuous)
            return confirmation("The current password is not correct.", .unauthorized)
        case .throttled(let retryAfter):
            return retrying(
                confirmation(
                    "Too many wrong passwords. Try again after \(Pages.timestamp(retryAfter)) UTC.", .tooManyRequests),
                after: retryAfter)
        default:
            throw error
        }
    }

    /// What a form sent without `current_password` from a session no longer a recent sign-in is told: the page was
    /// read while it was one, so it had no field for it.
    var signInNoLongerRecent: String {
        "Your sign-in is more than \(Int((configuration.recentSignIn / 60).rounded())) minutes old: enter your current "
            + "password to go on."
    }

    // MARK: - Helpers

    /// The Twitter flow. The routes that use it are added only with one
    /// (``init(store:registration:local:configuration:logger:)``); a handler that found none would answer as a route
    /// that does not exist.
    func twitterFlow() throws(Refusal) -> RegistrationService {
        guard let registration else { throw Refusal(response: Response(status: .notFound)) }
        return registration
    }

    /// Revokes `credential`, a token the store has just deleted (with an unlink, a deletion, or a reset or undo that
    /// unlinked), at Twitter: best effort (``RegistrationService/revokeAccess(_:)``). Without Twitter there is no
    /// client to ask: the token is gone from the store only, and the log says so (never the token).
    func revokeAtTwitter(_ credential: TwitterCredential) async {
        guard let registration else {
            logger.info("twitter access token deleted from the store, not revoked at Twitter: no Twitter client")
            return
        }
        await registration.revokeAccess(credential)
    }

    /// Unlinks `user`'s Twitter identity, ending every other session of the account in the same transaction
    /// (``RegistrationService/unlink(_:endingSessionsBut:rekeying:)``, which revokes its token), the kept one under
    /// `rekey`'s new id; without Twitter, through the store, which refuses it on the same grounds (the last way in, a
    /// disabled account).
    func unlinkTwitter(
        _ user: UserID, endingSessionsBut kept: String, rekeying rekey: BrowserSessionRekey
    ) async throws(RegistrationError) -> Account {
        if let registration { return try await registration.unlink(user, endingSessionsBut: kept, rekeying: rekey) }
        do {
            let (account, credential) = try await store.unlinkTwitterTakingCredential(
                from: .id(user), endingSessionsBut: kept, rekeying: rekey)
            if let credential { await revokeAtTwitter(credential) }
            return account
        } catch .accountDisabled {
            throw .accountDisabled
        } catch {
            throw .store(error)
        }
    }

    /// Whether this visit may link `draft`'s Twitter account to `account`, the signed-in one: a link begun from the
    /// account page (whose begin asked a session that is not a recent sign-in for the password), or a session that is
    /// a recent sign-in (``Configuration/recentSignIn``; "sign in to link" makes one). The draft of a sign-up or
    /// log-in through Twitter begun from an old session would otherwise link without the password.
    func mayLink(_ draft: DraftView, to account: Account, _ visit: Visit) -> Bool {
        draft.linkUser == account.id || isRecentSignIn(visit)
    }

    /// The draft `id` of this browser session, or a refusal that sends the person back to `/`.
    func openDraft(_ id: String?, visit: Visit) async throws -> DraftView {
        let registration = try twitterFlow()
        guard let id, !id.isEmpty, let draft = try await registration.draft(id, browserSession: visit.session.id)
        else {
            throw Refusal(response: home(visit, notice: "registration_closed"))
        }
        return draft
    }

    /// What became of the draft a "sign in to link" was for (``carry(_:from:to:for:)``).
    enum DraftCarry {
        /// The new session holds it: on to the link page.
        case carried
        /// Left behind: the account signed in does not share the mailbox of the draft's Twitter email (or the
        /// profile has none), so it is not this account's to link.
        case refused
        /// Gone meanwhile (expired, used, carried by another request's sign-in to another account), or the store
        /// failed: nothing to link. (Carried by a sign-in to the same account sent with this one, a double click, it
        /// is carried on to this request's session: ``RegistrationService/carryDraft(_:from:to:for:)``.)
        case closed
    }

    /// Moves `draft`, the draft a "sign in to link" was made for, from `visit`'s old session id to `new`, the id
    /// ``signIn(_:as:checkedAfter:sessionsEnded:)`` gave `account`, when `account` shares the mailbox of its Twitter email. Nothing
    /// else of the old id's (which another site on the host may have planted) follows the person in.
    func carry(
        _ draft: DraftView, from visit: Visit, to new: BrowserSessions.Current, for account: Account
    ) async -> DraftCarry {
        guard let registration else { return .closed }
        do {
            if try await registration.carryDraft(draft.id, from: visit.session.id, to: new.id, for: account.id) {
                return .carried
            }
            // Still open under the old id: refused for this account, not gone
            return try await registration.draft(draft.id, browserSession: visit.session.id) == nil ? .closed : .refused
        } catch {
            // The sign-in stands; the Twitter flow must be started again.
            logger.warning("could not carry the draft over to the new session", metadata: ["web.error": "\(error)"])
            return .closed
        }
    }

    /// Signs `account` in on a new session id, unless the account's sessions were ended by an event after `mark` (read
    /// before the sign-in's checks began: whatever let it in was checked before that), or it was disabled or deleted
    /// since: then a ``Refusal`` whose page says which (``refusedSignIn(_:)``). Nothing of the old id's moves with it
    /// (a "sign in to link" then moves its draft: ``carry(_:from:to:for:)``).
    /// `sessionsEnded`: where to send the person instead when the refusal is for the account's sessions ended
    /// meanwhile (a reset's own sign-in: the reset stands, and the page must not say nothing was changed).
    func signIn(
        _ visit: Visit, as account: Account, checkedAfter mark: AccountStore.EventMark, sessionsEnded: String? = nil
    ) async throws
        -> BrowserSessions.Current
    {
        let device = visit.device
        // A browser with no label counts as one device, "an unknown browser": sending no `User-Agent` must not be
        // the way to sign in unannounced.
        let seen = device ?? DeviceLabel.unknown
        let new: BrowserSessions.Current
        let sighting: AccountStore.DeviceSighting
        switch try await sessions.rotate(visit.session, to: account.id, checkedAfter: mark, device: device, seen: seen)
        {
        case .success(let rotated):
            (new, sighting) = rotated
        case .failure(let refusal):
            // (its `sign_in_refused` event is written in the transaction that refused the session)
            let why =
                switch refusal {
                case .disabled: "the account was disabled"
                case .deleted: "the account was deleted"
                case .sessionsEnded: "its sessions ended"
                }
            logger.info(
                "sign-in refused: \(why) meanwhile",
                metadata: ["account.id": "\(account.id)", "web.reason": "\(refusal.rawValue)"])
            let target =
                refusal == .sessionsEnded ? sessionsEnded ?? Self.refusedSignIn(refusal) : Self.refusedSignIn(refusal)
            throw Refusal(response: redirect(visit, to: target))
        }
        logger.info("signed in", metadata: ["account.id": "\(account.id)"])
        if sighting == .new {
            sendSecurityNotice(.newDevice, for: account, device: seen)
        }
        return new
    }

    /// Where a sign-in whose session the store refused sends the person (``signIn(_:as:checkedAfter:sessionsEnded:)``):
    /// the home page saying the account is disabled (an operator disabled it while the sign-in was checked) or was
    /// deleted, or the log-in page saying every session of it was ended meanwhile (a password reset, change, addition
    /// or removal, "sign out everywhere"), where logging in again opens one.
    static func refusedSignIn(_ refusal: AccountStore.SessionRefusal) -> String {
        switch refusal {
        case .disabled: "/?notice=\(RestartReason.accountDisabled.rawValue)"
        case .deleted: "/?notice=account_deleted"
        case .sessionsEnded: "/login?notice=sessions_ended"
        }
    }

    /// The response for a registration failure: a Twitter app set up wrong
    /// (``RegistrationError/isTwitterSetupProblem``) gets a 503 page and an error in the log, other Twitter trouble a
    /// 502 page, the rest a message on `/account` or `/`.
    func failure(_ error: RegistrationError, visit: Visit) -> Response {
        let signedIn = visit.account != nil
        if error.isTwitterSetupProblem {
            // Not Twitter's health nor the person's doing: this site's Twitter app is set up wrong (an unregistered
            // callback URL, a wrong consumer key, a clock off). Retrying cannot help, so the person is told to use
            // another way in, and the operator gets an error line saying what to fix.
            // (one line a minute: a request with a forged `Host` asks Twitter for a callback there, which it refuses
            // the same way, so anyone can cause this line)
            if let events = logLimiter.eventsToLog("twitter-setup", at: store.currentDate) {
                logger.error(
                    "Twitter sign-in is not set up correctly",
                    metadata: ["web.error": .stringConvertible(error), "web.events": "\(events)"])
            }
            return page(
                visit, title: "Twitter sign-in is unavailable", status: .serviceUnavailable,
                body: Pages.twitterMisconfigured(signedIn: signedIn))
        }
        if case .store(.sessionEnded) = error { return sessionEndedResponse() }
        if case .store(.schemaAhead) = error { return schemaAheadResponse(error) }
        switch error {
        case .twitter, .store:
            logger.warning("registration step failed", metadata: ["web.error": .stringConvertible(error)])
        case .throttled:
            break  // logged by the service, once a minute per limit: anyone can send these as fast as they like
        default:
            // what a client's request caused (a made-up or expired draft, another browser's): any client can cause
            // as many as it likes, so not a warning each
            logger.debug("registration step refused", metadata: ["web.error": "\(error)"])
        }
        switch error {
        case .twitter:
            return page(visit, title: "Twitter did not answer", status: .badGateway, body: Pages.twitterUnavailable())
        case .draftNotFound, .draftExpired, .draftFromOtherBrowserSession:
            return signedIn
                ? redirect(visit, to: "/account?notice=registration_closed")
                : home(visit, notice: "registration_closed")
        case .twitterLinkedToAnotherAccount:
            return signedIn
                ? redirect(visit, to: "/account?notice=twitter_taken") : home(visit, notice: "twitter_taken")
        case .accountAlreadyLinked:
            return redirect(visit, to: "/account?notice=already_linked")
        case .notSignedIn:
            return redirect(visit, to: "/login?notice=sign_in_first")
        case .accountDisabled:
            return home(visit, notice: RestartReason.accountDisabled.rawValue)
        case .throttled(let retryAfter, let scope):
            return retrying(
                page(
                    visit, title: "Too many sign-ins", status: .tooManyRequests,
                    body: Pages.tooManyTwitterSignIns(retryAfter: retryAfter, scope: scope)),
                after: retryAfter)
        case .store:
            var response = htmlResponse(
                Pages.layout(
                    site: configuration.siteName, mountPath: configuration.mountPath, title: "Something went wrong",
                    account: nil, csrf: nil, notice: nil,
                    body: "<h1>Something went wrong</h1>\n<p>Please <a href=\"/\">start again</a>.</p>"),
                status: .internalServerError)
            // (a session given a new id by this request, as a link's begin does once the password checks out: the
            // browser keeps it, or it is signed out, its old id ending with the rotation)
            if visit.session.isNew {
                response.setCookie(sessions.cookie(for: visit.session, secure: visit.origin.isHTTPS))
            }
            return response
        }
    }
}
