import AccountCrypto
import AccountMatching
public import AccountModel
public import AccountStore
public import Foundation
public import Logging
public import TwitterOAuth

/// Registration and sign-in with Twitter: begin, handle the callback, complete the form, link and unlink.
///
/// It recognises people who already have an account, never creates a second account for one Twitter id, never links
/// on email alone, and otherwise turns the Twitter profile into a server-side draft that asks only for what is still
/// missing. Browser sessions are opaque strings from the app; only their SHA-256 is stored.
///
/// ```swift
/// let registration = RegistrationService(store: store, twitter: TwitterClient(consumer: consumer),
///                                        configuration: .init(callbackURL: "https://app.example/register/twitter/callback"))
/// let redirect = try await registration.begin(purpose: .register, browserSession: session.id)
/// // … Twitter sends the person back to the callback:
/// switch try await registration.handleCallback(query: request.queryItems, browserSession: session.id) {
/// case .signedIn(let account): …
/// case .needsDetails(let draft): showForm(draft)
/// case .matchesExistingAccount(let candidate, let draft): askToSignInThenLink(candidate, draft)
/// case .readyToLink(let draft): askToConfirmLink(draft)
/// case .restart(let reason): startOver(message: reason.message)
/// }
/// ```
public struct RegistrationService: Sendable {
    /// Settings of the flow.
    public struct Configuration: Sendable {
        /// The absolute URL of the app's callback route (Twitter appends `oauth_token` and `oauth_verifier`), for a
        /// ``RegistrationService/begin(purpose:browserSession:signedInUser:callbackURL:client:network:forceLogin:)``
        /// not given one. `AccountRoutes` always gives one, on the scheme, host and port the browser used, so an app
        /// that mounts them never has this one sent to Twitter.
        public var callbackURL: String
        /// How long a pending authorization is accepted: 15 minutes. This and ``draftLifetime`` are used as a year at
        /// most, and as their default when not above 0 (NaN included).
        public var pendingLifetime: TimeInterval = 15 * 60
        /// How long a registration draft is kept: 1 hour.
        public var draftLifetime: TimeInterval = 60 * 60
        /// Live pending authorizations per browser session: 5 (older ones are dropped first).
        public var pendingPerSession = 5
        /// Pending authorizations in all: 100,000 (older ones are dropped first).
        public var pendingTotal = 100_000
        /// How many Twitter authorizations one client (the `client` given to `begin`) may begin: 30 per 10 minutes
        /// (a burst of 30, then one every 20 s), room for an office behind one address; `nil`, no limit. Each begin
        /// costs a call to Twitter's `request_token` (the app's quota) and a pending authorization; without a limit,
        /// anyone fetching fresh browser sessions could spend the quota and push everyone's pending authorizations
        /// out past ``pendingTotal``.
        public var beginsPerClient: Rate? = Rate(30, per: 10 * 60)
        /// How many the clients of one network (the `network` given to `begin`: `AccountRoutes` passes an IPv6
        /// client's /48) may begin together: 300 per 10 minutes, ten clients' worth; `nil`, no limit. A /48 holds
        /// 65,536 /64s, and tunnel brokers hand them out for free: without this, one person could begin as that
        /// many clients, leaving only ``beginsInAll`` to stop them, and spend it for everyone.
        public var beginsPerNetwork: Rate? = Rate(300, per: 10 * 60)
        /// How many all clients together may begin: 1,000 a minute (a burst of 1,000, then one every 60 ms); `nil`,
        /// no limit. At this rate the authorizations begun within ``pendingLifetime`` (at most 16,000) stay below
        /// ``pendingTotal``, so a flood from many addresses delays new begins
        /// (``RegistrationError/throttled(retryAfter:scope:)``) but drops nobody's pending one.
        public var beginsInAll: Rate? = Rate(1_000, per: 60)
        /// The fields a registration needs; `username` always. Default: username and email.
        public var requiredFields: Set<Field> = [.username, .email]
        /// Whether the person must accept the terms.
        public var requiresTerms = false
        /// The time ``RegistrationService/revokeAccess(_:)`` gives Twitter (5 s): the person waits for the unlink's or
        /// the deletion's page meanwhile.
        public var revocationTimeout: Duration = .seconds(5)

        /// Settings with the defaults above.
        public init(callbackURL: String) {
            self.callbackURL = callbackURL
        }
    }

    let store: AccountStore
    let twitter: TwitterClient
    /// The settings.
    public let configuration: Configuration
    /// The origin (`https://api.x.com`, a sandbox's `http://127.0.0.1:PORT`) of the Twitter pages `begin` sends a
    /// browser to: a page whose form leads there names it in its CSP `form-action`.
    public var twitterWebOrigin: String {
        let base = twitter.baseURL
        guard let scheme = base.scheme?.lowercased(), let host = base.host?.lowercased() else { return "'none'" }
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(scheme)://\(bracketed)" + (base.port.map { ":\($0)" } ?? "")
    }
    let logger: Logger
    /// Shared by every copy of this service (not by other services over the same store).
    let beginThrottle: RequestThrottle

    /// A service over `store`, talking to Twitter (or the sandbox) through `twitter`.
    public init(
        store: AccountStore, twitter: TwitterClient, configuration: Configuration,
        logger: Logger = Logger(label: "accounts.registration", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.store = store
        self.twitter = twitter
        self.configuration = configuration
        self.logger = logger
        self.beginThrottle = RequestThrottle(
            perClient: configuration.beginsPerClient, perNetwork: configuration.beginsPerNetwork,
            inAll: configuration.beginsInAll)
    }

    /// What the store keeps instead of a browser-session id: its SHA-256, so the table holds no live session ids.
    static func binding(_ browserSession: String) -> String {
        SHA256.hexDigest(Array("accounts/browser-session/v1:\(browserSession)".utf8))
    }

    // MARK: - Begin

    /// Gets a request token, saves the pending authorization (secret sealed, single use, expiring, bound to this
    /// browser session) and returns the URL to send the browser to (`/oauth/authenticate`).
    /// - Parameters:
    ///   - purpose: register, sign in, or link (to `signedInUser`, required then).
    ///   - browserSession: the app's session id for this browser.
    ///   - signedInUser: the signed-in account, for ``AuthorizationPurpose/link``.
    ///   - callbackURL: overrides the configured callback (the host and port the browser used).
    ///   - client: who is asking, for ``Configuration/beginsPerClient``: the address the request came from
    ///     (`AccountRoutes` passes the peer's IP address, an IPv6 one cut to its /64). `nil` counts the browser
    ///     session as the client, which a script that drops its cookies escapes; only ``Configuration/beginsInAll``
    ///     holds it then.
    ///   - network: the network `client` belongs to, for ``Configuration/beginsPerNetwork`` (`AccountRoutes` passes
    ///     an IPv6 client's /48); `nil`, none.
    ///   - forceLogin: have Twitter show its log-in form even to a person signed in there who approved the app before
    ///     (`force_login=true`), who is otherwise sent straight back as that Twitter account: for a sign-in meant for
    ///     another Twitter account than the one just used.
    /// - Throws: ``RegistrationError/throttled(retryAfter:scope:)`` over a limit, and ``RegistrationError/store(_:)``
    ///   with ``StoreError/closed(path:)`` on a closed store, before Twitter is asked anything.
    public func begin(
        purpose: AuthorizationPurpose, browserSession: String, signedInUser: UserID? = nil, callbackURL: String? = nil,
        client: String? = nil, network: String? = nil, forceLogin: Bool = false
    ) async throws(RegistrationError) -> URL {
        if purpose == .link && signedInUser == nil { throw .notSignedIn }
        let clientKey = client.map { "client:" + $0 } ?? "session:" + RegistrationService.binding(browserSession)
        let askedAt = store.currentDate
        if case .refused(let retryAfter, let scope) = beginThrottle.admit(
            client: clientKey, network: network, at: askedAt)
        {
            // One line a minute per limit at most, counting the refusals it stands for: a flood is one request a
            // line otherwise.
            if let refusals = beginThrottle.refusalsToLog(scope, at: askedAt) {
                logger.warning(
                    "twitter authorization refused: too many begun",
                    metadata: [
                        "registration.throttle": "\(scope.rawValue)", "registration.refusals": "\(refusals)",
                        "registration.purpose": "\(purpose.rawValue)",
                    ])
            }
            throw .throttled(retryAfter: retryAfter, scope: scope)
        }
        // A closed store could not keep the request token: Twitter is not asked for one (a shutdown is not held by
        // its round trip, and the app's request-token quota is not spent for nothing).
        do {
            try store.checkOpen()
        } catch {
            throw .store(error)
        }
        let requestToken: RequestToken
        do {
            requestToken = try await twitter.requestToken(callback: callbackURL ?? configuration.callbackURL)
        } catch {
            throw .twitter(error)
        }
        let now = store.currentDate
        let pending = PendingAuthorization(
            requestToken: requestToken.token, requestTokenSecret: Secret(requestToken.secret),
            browserSession: RegistrationService.binding(browserSession), purpose: purpose,
            linkUser: purpose == .link ? signedInUser : nil, createdAt: now,
            expiresAt: now.addingTimeInterval(configuration.pendingAuthorizationLifetime))
        do {
            try await store.savePendingAuthorization(
                pending, perSessionLimit: configuration.pendingPerSession, totalLimit: configuration.pendingTotal)
        } catch {
            throw .store(error)
        }
        logger.info("twitter authorization started", metadata: ["registration.purpose": "\(purpose.rawValue)"])
        return twitter.authenticationURL(for: requestToken, forceLogin: forceLogin)
    }

    // MARK: - Callback

    /// Turns Twitter's callback into an outcome (see ``CallbackOutcome``).
    ///
    /// Failed checks (no pending authorization, token mismatch — compared in constant time —, another browser
    /// session, expired, already used, `denied`, a missing parameter) give ``CallbackOutcome/restart(_:)`` and write
    /// nothing; so does a verifier Twitter refuses, or a profile it refuses for the access token just issued
    /// (``RestartReason/refusedByTwitter``), which uses the pending authorization up. Other Twitter failures throw ``RegistrationError/twitter(_:)``; one before the access token
    /// was issued leaves the pending authorization usable.
    public func handleCallback(
        query: [String: String], browserSession: String
    ) async throws(RegistrationError) -> CallbackOutcome {
        let binding = RegistrationService.binding(browserSession)
        let callback: TwitterCallback
        do {
            callback = try TwitterCallback(parameters: query)
        } catch {
            return .restart(.missingParameter)
        }
        let token: String
        let verifier: String
        switch callback {
        case .denied: return .restart(.denied)
        case .authorized(let given, let givenVerifier):
            token = given
            verifier = givenVerifier
        }
        let pending: PendingAuthorization
        do {
            let live = try await store.livePendingRequestTokens(browserSession: binding)
            // Every live candidate is compared, in constant time, so timing tells nothing about which one matched;
            // only the match's secret is opened.
            var matched: String?
            for candidate in live where ConstantTime.equals(candidate, token) { matched = candidate }
            guard let matched, let found = try await store.pendingAuthorization(requestToken: matched) else {
                return .restart(try await restartReason(token: token, binding: binding))
            }
            pending = found
        } catch {
            throw .store(error)
        }

        do {
            // Single use, claimed before the token goes to Twitter: of callbacks racing with one token, exactly one
            // gets past this line, and the others restart as replays. (Claimed after the exchange, a replay arriving
            // with the first reached Twitter, which refused the used token, and looked like Twitter trouble.)
            guard try await store.consumePendingAuthorization(requestToken: pending.requestToken) else {
                return .restart(.alreadyUsed)
            }
        } catch {
            throw .store(error)
        }
        let accessToken: AccessToken
        do {
            accessToken = try await twitter.accessToken(
                requestToken: RequestToken(token: pending.requestToken, secret: pending.requestTokenSecret.revealed),
                verifier: verifier)
        } catch {
            // Twitter could not be reached or was unavailable (time-out, 5xx, rate limit, an answer that did not
            // parse): the pending authorization is usable again, for a retry of the callback. One Twitter refused
            // (a used token, a wrong verifier) stays used: retrying it would only be refused again.
            switch error {
            case .rejected where error.isSetupProblem && error.apiErrorCode != TwitterAPIError.couldNotAuthenticate:
                // Refused for the app's set-up (its clock, 135; the app suspended, 416; 215, 417), which no callback
                // can cause: the operator's problem to show as one (``RegistrationError/isTwitterSetupProblem``),
                // and the pending authorization usable again once it is fixed. (Code 32 stays a refusal below: it is
                // also what a wrong verifier gets.)
                _ = try? await store.releasePendingAuthorization(requestToken: pending.requestToken)
                throw .twitter(error)
            case .rejected, .unexpectedStatus(400..<500):
                // Twitter refused this callback's token and verifier, which it issued to no one else: a forged or
                // altered callback, like a replayed one, is started again, not shown as Twitter trouble. Its OAuth
                // endpoints say so with a 401 whose body is plain text, not an error list ("Error processing your
                // OAuth request: Invalid oauth_verifier parameter"): a 4xx is a refusal whatever its body.
                // (a notice, not a warning: any client can send a made-up verifier at will)
                logger.notice(
                    "Twitter refused the callback's verifier", metadata: ["twitter.error": .stringConvertible(error)])
                return .restart(.refusedByTwitter)
            default:
                _ = try? await store.releasePendingAuthorization(requestToken: pending.requestToken)
                throw .twitter(error)
            }
        }
        let profile: TwitterProfile
        do {
            profile = try await twitter.verifyCredentials(accessToken: accessToken)
        } catch {
            switch error {
            case .rejected(401, []), .unexpectedStatus(401),
                .rejected where Self.refusesTheToken(error.apiErrorCode):
                // Twitter refused the access token it had just issued (revoked at once: 89, or a bare 401; the
                // account locked, 326, or suspended, 64): a refusal of this person's token, like a refused verifier.
                // The pending authorization is used up, so "try again in a moment" would only restart as
                // `already_used`: the person starts again. (Any other 4xx, a 403 or 404 from a proxy, the app's access
                // level or permissions, its set-up, stays Twitter trouble for the operator to see: those the operator
                // must fix, `TwitterError.isSetupProblem`, get the "unavailable" page, not "try again".)
                logger.notice(
                    "Twitter refused the new access token's verify_credentials",
                    metadata: ["twitter.error": .stringConvertible(error)])
                return .restart(.refusedByTwitter)
            default:
                throw .twitter(error)
            }
        }
        // The profile must be the one the access token was issued for: a cache between the app and Twitter that keys
        // on the URL alone (the same for everyone; only the Authorization header differs) could hand over someone
        // else's, and this account would be signed in to theirs.
        guard profile.id == accessToken.userID else {
            throw .twitter(
                .malformedResponse(
                    "verify_credentials: the profile's id_str is not the user_id the access token was issued for"))
        }
        return try await outcome(for: profile, accessToken: accessToken, pending: pending, binding: binding)
    }

    /// Whether a `verify_credentials` refusal's Twitter error code says the new access token, or its account, is
    /// refused (89 invalid or expired, 326 locked, 64 suspended), rather than the app.
    private static func refusesTheToken(_ code: Int?) -> Bool {
        code == TwitterAPIError.invalidOrExpiredToken || code == 326 || code == 64
    }

    /// `handleCallback` with the raw query string of the callback URL.
    public func handleCallback(queryString: String, browserSession: String) async throws(RegistrationError)
        -> CallbackOutcome
    {
        var parameters: [String: String] = [:]
        for pair in queryString.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            let value =
                parts.count > 1
                ? (String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "") : ""
            if parameters[name] == nil { parameters[name] = value }
        }
        return try await handleCallback(query: parameters, browserSession: browserSession)
    }

    private func restartReason(token: String, binding: String) async throws(StoreError) -> RestartReason {
        guard let known = try await store.pendingAuthorizationState(requestToken: token) else {
            let live = try await store.livePendingRequestTokens(browserSession: binding)
            return live.isEmpty ? .noPendingAuthorization : .tokenMismatch
        }
        if !ConstantTime.equals(known.browserSession, binding) { return .otherBrowserSession }
        if known.consumed { return .alreadyUsed }
        return .expired
    }

    private func outcome(
        for profile: TwitterProfile, accessToken: AccessToken, pending: PendingAuthorization, binding: String
    ) async throws(RegistrationError) -> CallbackOutcome {
        let twitterID = TwitterUserID(profile.id)
        let identity = NewTwitterIdentity(
            userID: twitterID, screenName: profile.screenName, name: profile.name, profileJSON: profile.rawJSON)
        let credential = TwitterCredential(token: accessToken.token, secret: Secret(accessToken.secret))
        do {
            let linkedTo = try store.accountID(twitterUserID: twitterID)
            if pending.purpose == .link {
                guard let user = pending.linkUser else { return .restart(.noPendingAuthorization) }
                if let linkedTo {
                    guard linkedTo == user else { throw RegistrationError.twitterLinkedToAnotherAccount }
                    if let account = try await store.recordTwitterSignIn(identity, credential: credential) {
                        return .signedIn(account)
                    }
                }
                guard let account = try await store.account(.id(user)) else { throw RegistrationError.notSignedIn }
                if account.twitter != nil { throw RegistrationError.accountAlreadyLinked }
                let draft = try await saveDraft(
                    profile: profile, credential: credential, pending: pending, binding: binding, fields: [:])
                return .readyToLink(draft)
            }
            if linkedTo != nil, let account = try await store.recordTwitterSignIn(identity, credential: credential) {
                logger.debug("signed in with twitter", metadata: ["account.id": "\(account.id)"])
                return .signedIn(account)
            }
            let fields = try await prefill(profile)
            // (every lookup before the draft is written: one that fails leaves no draft behind)
            var sharing: [Account] = []
            if let email = profile.email { sharing = try await store.accounts(sharingMailboxWith: email) }
            let draft = try await saveDraft(
                profile: profile, credential: credential, pending: pending, binding: binding, fields: fields)
            if let candidate = RegistrationService.candidate(among: sharing, address: profile.email) {
                return .matchesExistingAccount(candidate: candidate, draft: draft)
            }
            return .needsDetails(draft)
        } catch let error as RegistrationError {
            throw error
        } catch StoreError.accountDisabled {
            // The store recorded the refusal; the person starts again (an operator must enable the account).
            logger.info("twitter sign-in refused: account disabled")
            return .restart(.accountDisabled)
        } catch let error as StoreError {
            throw .store(error)
        } catch {
            throw .store(.database(path: "", code: -1, message: "\(type(of: error))"))
        }
    }

    private func prefill(_ profile: TwitterProfile) async throws(StoreError) -> [Field: String] {
        var fields: [Field: String] = [:]
        let base = ProfilePrefill.baseUsername(from: profile.screenName)
        do {
            fields[.username] = try await ProfilePrefill.freeUsername(base: base) { candidate in
                try await store.account(.username(candidate)) == nil
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw .database(path: "", code: -1, message: "\(type(of: error))")
        }
        if let email = profile.email, (try? EmailAddress(validating: email)) != nil { fields[.email] = email }
        let (first, last) = ProfilePrefill.splitName(profile.name)
        fields[.firstName] = first
        fields[.lastName] = last
        return fields
    }

    private func saveDraft(
        profile: TwitterProfile, credential: TwitterCredential, pending: PendingAuthorization, binding: String,
        fields: [Field: String]
    ) async throws(StoreError) -> DraftView {
        let now = store.currentDate
        let draft = RegistrationDraft(
            id: RegistrationService.newDraftID(), browserSession: binding, purpose: pending.purpose,
            // (as every stored screen name: control characters dropped, a NUL too, at which SQLite text read back ends)
            twitterUserID: TwitterUserID(profile.id), screenName: PersonName.storable(profile.screenName),
            credential: credential,
            profileJSON: profile.rawJSON,
            fields: Dictionary(uniqueKeysWithValues: fields.map { ($0.key.rawValue, $0.value) }),
            linkUser: pending.linkUser, createdAt: now,
            expiresAt: now.addingTimeInterval(configuration.registrationDraftLifetime))
        // (as many drafts a session as it may have sign-ins under way: each of them may come back to one)
        try await store.saveDraft(
            draft, perSessionLimit: max(AccountStore.draftsPerSession, configuration.pendingPerSession))
        return view(of: draft, fields: fields)
    }

    /// The stored binding of a browser-session id (for tools that make drafts directly, such as test workers).
    package static func bindingForTests(_ browserSession: String) -> String {
        binding(browserSession)
    }

    static func newDraftID() -> String {
        SecureRandom.bytes(count: 16).map { String(format: "%02x", $0) }.joined()
    }

    /// Of the accounts sharing a Twitter profile's mailbox, the one offered to link: the active one whose address is
    /// the profile's `address` itself (letter case aside), else an active one that can still take a Twitter identity,
    /// else an active one, else the first (a disabled account refuses every sign-in, and a link). The account with the
    /// address itself comes first: the person cannot register with that address, and the page must not send them to
    /// another address of the mailbox (`a.da@gmail.com` for `ada@gmail.com`) saying theirs is free (until session 63
    /// the accounts were taken in username order).
    static func candidate(among sharing: [Account], address: String?) -> Account? {
        let key = address.map { Mailbox.uniquenessKey(EmailAddress.trim($0)) }
        if let key,
            let exact = sharing.first(where: { $0.status == .active && $0.email.map(Mailbox.uniquenessKey) == key })
        {
            return exact
        }
        return sharing.first(where: { $0.status == .active && $0.twitter == nil })
            ?? sharing.first(where: { $0.status == .active }) ?? sharing.first
    }

    /// The account ``CallbackOutcome/matchesExistingAccount(candidate:draft:)`` offered for the draft `draftID`, looked
    /// up again: the one sharing the normalised mailbox of the draft's Twitter profile, preferring the active one whose
    /// address is the profile's itself, then an active one that can still take a Twitter identity. For a page shown after the callback (sign in to link), which must say so when
    /// the account is already linked to another Twitter account (``Account/twitter`` set: linking to it would be
    /// refused with ``RegistrationError/accountAlreadyLinked`` until that one is unlinked). `nil` when the profile has
    /// no email address or no account shares its mailbox any more; ``RegistrationError/draftNotFound`` (or expired, or
    /// from another browser session) as with ``draft(_:browserSession:)``.
    public func matchingAccount(draftID: String, browserSession: String) async throws(RegistrationError)
        -> Account?
    {
        let draft = try await openDraft(draftID, browserSession: browserSession)
        guard let email = (try? TwitterProfile(json: draft.profileJSON))?.email else { return nil }
        do {
            return RegistrationService.candidate(
                among: try await store.accounts(sharingMailboxWith: email), address: email)
        } catch {
            throw .store(error)
        }
    }

    // MARK: - Drafts

    /// The draft `draftID` of this browser session, for rendering the form; `nil` when it is unknown, expired or from
    /// another browser session. A draft the store cannot read (its key gone from the ring, say) throws
    /// ``RegistrationError/store(_:)``.
    public func draft(_ draftID: String, browserSession: String) async throws(RegistrationError) -> DraftView? {
        let draft: RegistrationDraft
        do throws(RegistrationError) {
            draft = try await openDraft(draftID, browserSession: browserSession)
        } catch .draftNotFound, .draftExpired, .draftFromOtherBrowserSession {
            return nil
        }
        return view(of: draft, fields: RegistrationService.fields(of: draft))
    }

    func openDraft(_ draftID: String, browserSession: String) async throws(RegistrationError)
        -> RegistrationDraft
    {
        let stored: RegistrationDraft?
        do {
            stored = try await store.draft(id: draftID)
        } catch {
            throw .store(error)
        }
        guard let draft = stored else { throw .draftNotFound }
        guard ConstantTime.equals(draft.browserSession, RegistrationService.binding(browserSession)) else {
            throw .draftFromOtherBrowserSession
        }
        guard draft.expiresAt > store.currentDate else { throw .draftExpired }
        return draft
    }

    static func fields(of draft: RegistrationDraft) -> [Field: String] {
        var fields: [Field: String] = [:]
        for (name, value) in draft.fields {
            if let field = Field(rawValue: name) { fields[field] = value }
        }
        return fields
    }

    /// The draft as the app shows it; what it lacks (``missing(in:)``) only for a registration's draft: a link's is
    /// never completed through the form, and linking needs none of its fields.
    private func view(of draft: RegistrationDraft, fields: [Field: String]) -> DraftView {
        let profile = try? TwitterProfile(json: draft.profileJSON)
        return DraftView(
            id: draft.id, twitterUserID: draft.twitterUserID, screenName: draft.screenName,
            twitterName: profile?.name ?? draft.screenName, fields: fields,
            missing: draft.purpose == .link ? [] : missing(in: fields),
            expiresAt: draft.expiresAt, linkUser: draft.linkUser, twitterEmail: profile?.email)
    }

    /// What a draft with `fields` still lacks: their ``problems(in:)``, and the terms when they must be accepted (a
    /// draft never has them: the person accepts them on the form).
    func missing(in fields: [Field: String]) -> [FieldError] {
        problems(in: fields) + (configuration.requiresTerms ? [FieldError(.terms, "must be accepted")] : [])
    }

    /// Required fields that are empty or invalid.
    func problems(in fields: [Field: String]) -> [FieldError] {
        var problems: [FieldError] = []
        let required = configuration.requiredFields.union([.username])
        for field in [Field.username, .email, .firstName, .lastName] {
            let value = fields[field]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if value.isEmpty {
                if required.contains(field) { problems.append(FieldError(field, "is required")) }
                continue
            }
            switch field {
            case .username:
                if let problem = Username.problem(with: value) { problems.append(FieldError(field, problem)) }
            case .email:
                if let problem = EmailAddress.problem(withTrimmed: EmailAddress.trim(value)) {
                    problems.append(FieldError(field, problem))
                } else if let problem = mailboxProblem(EmailAddress.trim(value)) {
                    problems.append(problem)
                }
            default:
                problems += nameProblems(value, field)
            }
        }
        return problems
    }

    // MARK: - Complete

    /// Validates the form and, in one transaction, writes the account, its Twitter identity, the sealed credential
    /// and the audit events, and deletes the draft.
    ///
    /// Field problems (all at once, the draft kept) come back as ``CompletionOutcome/invalid(_:)``. A draft cannot be
    /// completed twice (``RegistrationError/draftNotFound``), from another browser session, or after it expired. When
    /// another tab or server registered this Twitter person first, that account is signed in instead.
    public func complete(
        draftID: String, form: RegistrationForm, browserSession: String
    ) async throws(RegistrationError) -> CompletionOutcome {
        try await complete(draftID: draftID, form: form, browserSession: browserSession, retried: false)
    }

    /// ``complete(draftID:form:browserSession:)``; `retried` once the account that took the Twitter id first was found
    /// unlinked from it before its sign-in landed (so a flapping link cannot loop).
    private func complete(
        draftID: String, form: RegistrationForm, browserSession: String, retried: Bool
    ) async throws(RegistrationError) -> CompletionOutcome {
        let draft = try await openDraft(draftID, browserSession: browserSession)
        // A draft begun with "Link Twitter account" is for ``link(draftID:to:browserSession:)`` only: completed, it
        // would make a second account of the person who asked to link Twitter to the one they are signed in to.
        guard draft.purpose != .link else { throw .draftNotFound }
        let profile = try? TwitterProfile(json: draft.profileJSON)
        let identity = NewTwitterIdentity(
            userID: draft.twitterUserID, screenName: draft.screenName, name: profile?.name ?? draft.screenName,
            profileJSON: draft.profileJSON)
        // Registered meanwhile (another tab of the same person, a double submit, another server): whatever the form
        // says, that account is signed in; its username and address are this form's, so they would be "taken".
        // (Unlinked again before that sign-in landed, the id is free: this form registers it.)
        if try isLinked(draft.twitterUserID), let outcome = try await signInInstead(identity, draft: draft) {
            return outcome
        }
        var fields: [Field: String] = [
            .username: form.username.trimmingCharacters(in: .whitespacesAndNewlines),
            .email: EmailAddress.trim(form.email),
            // Trimmed as imports trim (Unicode's white space, line separators too), so an export imports again.
            .firstName: EmailAddress.trim(form.firstName),
            .lastName: EmailAddress.trim(form.lastName),
        ]
        fields = fields.filter { !$0.value.isEmpty }
        var errors = problems(in: fields)
        if configuration.requiresTerms && !form.acceptedTerms { errors.append(FieldError(.terms, "must be accepted")) }
        do {
            if let username = fields[.username], !errors.contains(where: { $0.field == .username }),
                try await store.account(.username(username)) != nil
            {
                errors.append(FieldError(.username, "is already taken"))
            }
            if let email = fields[.email], !errors.contains(where: { $0.field == .email }),
                try await store.account(email: email) != nil
            {
                errors.append(FieldError(.email, "already belongs to an account; sign in to it to link Twitter"))
            }
        } catch {
            throw .store(error)
        }
        guard errors.isEmpty, let usernameText = fields[.username] else {
            return .invalid(errors.sorted(by: fieldOrder))
        }
        let new: NewAccount
        do {
            let email = try fields[.email].map { text throws(FieldError) in try EmailAddress(validating: text) }
            // Twitter gives an address only when its owner confirmed it there: kept as it is (letter case aside, and no
            // wider folding: `straße` is not `strasse`), it is confirmed here.
            var confirmedByTwitter = false
            if let email, let twitterEmail = profile?.email {
                confirmedByTwitter = email.rawValue.lowercased() == EmailAddress.trim(twitterEmail).lowercased()
            }
            new = NewAccount(
                username: try Username(validating: usernameText), email: email, firstName: fields[.firstName],
                lastName: fields[.lastName], emailVerified: confirmedByTwitter)
        } catch {
            return .invalid([error])
        }
        do {
            let account = try await store.createAccount(
                new, linking: identity, credential: draft.credential, consumingDraft: draft.id,
                obtainedAt: draft.createdAt)
            return .registered(account)
        } catch .duplicate(.twitterUserID) {
            // The same Twitter person finished first in another tab or on another server: sign that account in (or,
            // when it was unlinked again meanwhile, try once more: the id is free).
            if let outcome = try await signInInstead(identity, draft: draft) { return outcome }
            guard !retried else { throw .twitterLinkedToAnotherAccount }
            return try await complete(draftID: draftID, form: form, browserSession: browserSession, retried: true)
        } catch .duplicate(let field) {
            // A submit of the same draft that landed first took this very username or address with the Twitter id.
            if try isLinked(draft.twitterUserID), let outcome = try await signInInstead(identity, draft: draft) {
                return outcome
            }
            // (an address reserved for an undo link reads as any taken one, as the check above words it)
            return .invalid([
                FieldError(
                    field,
                    field == .email
                        ? "already belongs to an account; sign in to it to link Twitter" : "is already taken")
            ])
        } catch {
            throw .store(error)
        }
    }

    /// Whether an account holds the Twitter id `twitterUserID`.
    private func isLinked(_ twitterUserID: TwitterUserID) throws(RegistrationError) -> Bool {
        do {
            return try store.accountID(twitterUserID: twitterUserID) != nil
        } catch {
            throw .store(error)
        }
    }

    /// Signs in the account that holds the draft's Twitter id (registered by another tab or server) and deletes the
    /// draft. The draft's token and profile, as old as the draft, replace the stored ones only when those are older.
    /// `nil` when no account holds the id any more (unlinked since it was seen linked): the draft is kept.
    private func signInInstead(_ identity: NewTwitterIdentity, draft: RegistrationDraft)
        async throws(RegistrationError) -> CompletionOutcome?
    {
        do {
            if let account = try await store.recordTwitterSignIn(
                identity, credential: draft.credential, consumingDraft: draft.id, obtainedAt: draft.createdAt)
            {
                return .signedIn(account)
            }
        } catch .accountDisabled {
            throw .accountDisabled
        } catch {
            throw .store(error)
        }
        return nil
    }

    // MARK: - Link and unlink

    /// Links the draft's Twitter identity (and credential) to `user`, the signed-in account, and deletes the draft,
    /// in one transaction. Use after ``CallbackOutcome/readyToLink(_:)``, or after
    /// ``CallbackOutcome/matchesExistingAccount(candidate:draft:)`` once the person signed in with their password.
    /// Refused with ``RegistrationError/accountDisabled`` when the account was disabled meanwhile.
    ///
    /// A linked Twitter account is a way in that outlives a password reset: link a draft that was not begun as a link
    /// by this account (``DraftView/linkUser``) only for a session that has just signed in (with the password, for a
    /// match), and ask for the password before beginning a link from an older one, as `AccountsHummingbird` does. A
    /// draft begun as a link needs the same when it is confirmed: a session that signed in (or gave the password)
    /// recently *then*, or the password with the confirmation (a link begun and left at Twitter's consent page could be
    /// approved there, from the browser's history, with another Twitter account, and confirmed later by whoever uses
    /// the browser).
    public func link(draftID: String, to user: UserID, browserSession: String) async throws(RegistrationError)
        -> Account
    {
        try await linkOutcome(draftID: draftID, to: user, browserSession: browserSession).account
    }

    /// What ``linkOutcome(draftID:to:browserSession:)`` did.
    public enum LinkOutcome: Sendable, Hashable {
        /// The Twitter account is linked to the account now, with a `linked` event.
        case linked(Account)
        /// The draft's Twitter account was linked to this very account meanwhile, by a confirmation sent with this one
        /// (a double click, another tab, another server): nothing more was done, and no second `linked` event was
        /// recorded. Not to be told as a new link (no second security notice).
        case linkedMeanwhile(Account)

        /// The account, with its Twitter identity.
        public var account: Account {
            switch self {
            case .linked(let account), .linkedMeanwhile(let account): account
            }
        }
    }

    /// ``link(draftID:to:browserSession:)``, saying whether this call linked the Twitter account or found it linked to
    /// `user` already by a confirmation that landed first: two confirmations sent at once both open the draft before
    /// either links, and the second's link fails on the Twitter id then taken. It is answered as linked
    /// (``LinkOutcome/linkedMeanwhile(_:)``), its draft deleted, and not as
    /// ``RegistrationError/twitterLinkedToAnotherAccount`` (until session 64 "That Twitter account is already linked
    /// to another account", of the account it had just been linked to). Linked to another account, or `user` holding
    /// another Twitter account, it is refused as before.
    public func linkOutcome(draftID: String, to user: UserID, browserSession: String) async throws(RegistrationError)
        -> LinkOutcome
    {
        let draft = try await openDraft(draftID, browserSession: browserSession)
        if let linkUser = draft.linkUser, linkUser != user { throw .notSignedIn }
        let profile = try? TwitterProfile(json: draft.profileJSON)
        let identity = NewTwitterIdentity(
            userID: draft.twitterUserID, screenName: draft.screenName, name: profile?.name ?? draft.screenName,
            profileJSON: draft.profileJSON)
        do {
            return .linked(
                try await store.linkTwitter(
                    identity, credential: draft.credential, to: .id(user), consumingDraft: draft.id,
                    obtainedAt: draft.createdAt))
        } catch .alreadyLinked {
            if let account = try await linkedMeanwhile(draft, to: user) { return .linkedMeanwhile(account) }
            throw .accountAlreadyLinked
        } catch .duplicate(.twitterUserID) {
            if let account = try await linkedMeanwhile(draft, to: user) { return .linkedMeanwhile(account) }
            throw .twitterLinkedToAnotherAccount
        } catch .accountDisabled {
            throw .accountDisabled
        } catch {
            throw .store(error)
        }
    }

    /// `user`'s account when it holds `draft`'s Twitter id (linked by a confirmation that landed first), having deleted
    /// the draft (a second draft of the same Twitter account, approved twice, is as used as the first); else `nil`.
    private func linkedMeanwhile(_ draft: RegistrationDraft, to user: UserID) async throws(RegistrationError)
        -> Account?
    {
        do {
            guard let account = try await store.account(.id(user)), account.twitter?.userID == draft.twitterUserID
            else { return nil }
            try await store.deleteDraft(id: draft.id)
            return account
        } catch {
            throw .store(error)
        }
    }

    /// Removes the account's Twitter identity; refused when it is the person's last way to sign in
    /// (``RegistrationError/store(_:)`` with ``StoreError/lastSignInMethod(_:)``) and when the account is disabled
    /// (``RegistrationError/accountDisabled``).
    ///
    /// Every session of the account but `endingSessionsBut`'s (the hash of the browser session that asked; `nil`: every
    /// one, until session 41 none) ends in the same transaction: whoever signed in through the Twitter account is
    /// signed out with it. With `rekeying`, the kept session goes on under that new id and CSRF token, in the same
    /// transaction (a copy of its old cookie signs nobody in from then on).
    ///
    /// Then the stored access token the unlink's own transaction deleted with the identity is revoked at Twitter too
    /// (``revokeAccess(_:)``, awaited, best effort: a failure is logged, and the unlink stands).
    public func unlink(
        _ user: UserID, endingSessionsBut keptSession: String? = nil, rekeying rekey: BrowserSessionRekey? = nil
    ) async throws(RegistrationError) -> Account {
        let account: Account
        let credential: TwitterCredential?
        do {
            (account, credential) = try await store.unlinkTwitterTakingCredential(
                from: .id(user), endingSessionsBut: keptSession, rekeying: rekey)
        } catch .accountDisabled {
            throw .accountDisabled
        } catch {
            throw .store(error)
        }
        if let credential { await revokeAccess(credential) }
        return account
    }

    /// The stored access token of `user`'s Twitter identity, read before the identity goes; `nil` when there is none
    /// or it cannot be read or opened (a closed store included; logged: it is then not revoked).
    public func storedCredential(of user: UserID) async -> TwitterCredential? {
        do {
            guard let twitter = try await store.account(.id(user))?.twitter else { return nil }
            return try await store.credential(for: twitter.userID)
        } catch {
            logger.warning(
                "could not read the stored Twitter token to revoke", metadata: ["store.error": "\(error)"])
            return nil
        }
    }

    /// Asks Twitter to invalidate `credential` (`POST /1.1/oauth/invalidate_token`), so that the token stops working
    /// rather than only its stored copy going: for an unlinked or deleted account. Best effort: `false`, logged as a
    /// warning (without the token), when Twitter could not be reached within ``Configuration/revocationTimeout`` or
    /// refused; a token Twitter no longer knows (code 89, revoked by the person already) counts as revoked.
    @discardableResult
    public func revokeAccess(_ credential: TwitterCredential) async -> Bool {
        do {
            try await twitter.invalidateToken(
                credential.token, secret: credential.secret.revealed, timeout: configuration.revocationTimeout)
            logger.info("twitter access token revoked")
            return true
        } catch .rejected(_, let errors) where errors.contains(where: { $0.code == 89 }) {
            logger.info("twitter access token was already invalid")
            return true
        } catch {
            logger.warning(
                "could not revoke the twitter access token", metadata: ["twitter.error": .stringConvertible(error)])
            return false
        }
    }

    /// Deletes the registration drafts of `browserSession` (a person's Twitter sign-in that was not finished: a new
    /// person's form, a match offered to an account, a link to confirm) and revokes their access tokens at Twitter,
    /// unless the Twitter account is linked to an account by now (Twitter gives one app the same token again, so the
    /// draft's may be that account's). For a person deleting their account: what their Twitter sign-in left in this
    /// browser goes with it. Returns how many drafts went.
    @discardableResult
    public func discardDrafts(browserSession: String) async throws(RegistrationError) -> Int {
        do {
            return await revoking(
                try await store.deleteDrafts(browserSession: RegistrationService.binding(browserSession)))
        } catch {
            throw .store(error)
        }
    }

    /// Deletes the registration drafts a match with `account` was offered from (a Twitter profile whose address shares
    /// its mailbox, made since the account was, in any browser session: the person may have signed in through the
    /// log-in form since) and revokes their tokens as ``discardDrafts(browserSession:)`` does. For an account its
    /// owner deleted: what their Twitter sign-in left goes with it. None for an account without an address or whose
    /// address was not confirmed (``Account/isEmailVerified``): such an account proves nothing of the mailbox, and
    /// deleting one must not throw away another person's registration. Returns how many drafts went.
    @discardableResult
    public func discardDrafts(offeredTo account: Account) async throws(RegistrationError) -> Int {
        do {
            return await revoking(try await store.deleteDrafts(offeredTo: account))
        } catch {
            throw .store(error)
        }
    }

    /// Revokes at Twitter the tokens of the drafts that were to be linked to a deleted account
    /// (``AccountDeletion/draftCredentials``: a "Link Twitter account" approved and not confirmed yet, perhaps in
    /// another browser), unless that Twitter account is linked to an account by now. Best effort, as
    /// ``revokeAccess(_:)``. Returns how many drafts there were.
    @discardableResult
    public func revokeDraftTokens(of deletion: AccountDeletion) async -> Int {
        await revoking(deletion.draftCredentials.map { ($0.key, $0.value) })
    }

    /// Revokes the tokens of `drafts` (deleted), each Twitter account's once, unless it is linked by now; their count.
    private func revoking(_ drafts: [(twitterUserID: TwitterUserID, credential: TwitterCredential?)]) async -> Int {
        var revoked: [TwitterUserID] = []
        for draft in drafts where !revoked.contains(draft.twitterUserID) {
            guard let credential = draft.credential, (try? isLinked(draft.twitterUserID)) == false else { continue }
            await revokeAccess(credential)
            revoked.append(draft.twitterUserID)
        }
        return drafts.count
    }

    /// Removes expired pending authorizations and drafts, and does the rest of ``AccountStore/purgeExpired()``:
    /// expired sessions, ended links, old failed sign-ins, and a rebuild of the file (`VACUUM`, holding the write lock
    /// for about a second per 100 MB) after deletions. Call it daily at a quiet hour, not on every request.
    public func purge() async throws(RegistrationError) -> AccountStore.PurgeReport {
        do {
            return try await store.purgeExpired()
        } catch {
            throw .store(error)
        }
    }
}
