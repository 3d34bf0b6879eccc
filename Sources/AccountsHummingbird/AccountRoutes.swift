public import AccountModel
public import AccountStore
public import Foundation
public import Hummingbird
public import Logging
public import Registration

/// The pages and routes that wire ``RegistrationService`` and ``LocalAccounts`` into a Hummingbird app: register and
/// log in with Twitter, the registration form, email sign-up, password log-in, sign-out, and an account page with
/// link/unlink, recent audit events and "sign out everywhere". Sessions live in the account store. Made without a
/// `RegistrationService` (`registration: nil`), they are email sign-up and password log-in only, until Twitter is
/// added over the same store.
///
/// ```swift
/// let routes = AccountRoutes(
///     store: store, registration: registration, local: LocalAccounts(store: store), logger: logger)
/// let router = Router(context: AccountsRequestContext.self)  // knows each request's peer address
/// routes.addRoutes(to: router)
/// router.get("/hello") { request, context in
///     let account = try await routes.signedInAccount(request, context: context)
///     return "Hello, \(account?.username ?? "stranger")"
/// }
/// ```
public struct AccountRoutes: Sendable {
    /// Settings of the routes and their sessions.
    public struct Configuration: Sendable {
        /// The session cookie's name: `accounts_session`, with the `__Host-` prefix over HTTPS (browsers then take
        /// the cookie only from this host itself: a sibling subdomain cannot plant one). Letters, digits and
        /// RFC 6265's other token characters, at most 64, without a prefix of its own: the routes stop the app at
        /// start with a message naming the value otherwise (a name with a space or `;` never came back).
        public var cookieName = "accounts_session"
        /// A session nobody used for this long ends: 1 hour. Above 0 (`.infinity`: never, stored as the year 9999);
        /// the routes stop the app at start naming the value otherwise (`.nan`, 0, a negative).
        public var idleLifetime: TimeInterval = 60 * 60
        /// A session ends this long after it was made (sign-in makes a new one), however much it is used: 12 hours.
        /// Above 0, as ``idleLifetime``.
        public var absoluteLifetime: TimeInterval = 12 * 60 * 60
        /// How often a session's last use is written back (each write pushes the idle expiry on): 60 seconds. 0 or
        /// more (not `.nan`). At most a tenth of ``idleLifetime`` is used, so a session ends after between nine
        /// tenths of its idle lifetime and all of it without a request, never while in use.
        public var touchInterval: TimeInterval = 60
        /// How the app tells that the browser used HTTPS (for `Secure` cookies and callback URLs); with
        /// ``trustedProxies``, `X-Forwarded-Proto` is believed only from them.
        public var scheme: SchemePolicy = .automatic
        /// The host names (lowercase, without a port; an IPv6 address in brackets) the app answers under: a request
        /// whose `Host` names another gets 421 Misdirected Request and nothing else. `nil` (the default): any, for an
        /// app behind a proxy that checks it. Set it when browsers reach the app directly: a page of another site
        /// whose name its owner points at the app's address (DNS rebinding) is then not the app's origin, and cannot
        /// read its pages and forms. The routes check their own requests; the app's own routes are checked only with
        /// ``AccountRoutes/hostCheck()`` added to the router. (`accounts demo` sets `127.0.0.1`, `localhost`, `[::1]`
        /// and the names of its `--allowed-host`.) An entry no `Host` can match (`localhost:8080`, `App.example`, `::1` without brackets)
        /// stops the app when the routes are made, naming it: it would answer every request with 421.
        public var allowedHosts: Set<String>?
        /// How recently someone must have signed in to give their account a password when it has none (made through
        /// Twitter), to change its address or delete it without one, and to link or unlink Twitter (begun or
        /// confirmed) without sending the current password: 10 minutes. Nothing else vouches for them then, so a
        /// session left open, or stolen, cannot add a way in that outlives it. A sign-in dated more than a minute
        /// ahead of this server's clock (another server's clock ahead, or this one set back since) is not recent.
        /// 0 to a day: another value (NaN) stops the app when the routes are made, naming it.
        public var recentSignIn: TimeInterval = 10 * 60
        /// How many audit events the account page lists: 10.
        public var eventsShown = 10
        /// The largest form body accepted: 64 KiB. A larger one is refused (413) as it arrives, never collected whole.
        public var maximumFormBytes = 64 << 10
        /// The `Strict-Transport-Security` header of every answer of the routes to a request that came over HTTPS (as
        /// ``scheme`` tells): `max-age=31536000`, a year in which a browser that reached the site over HTTPS uses
        /// nothing else for its host, so no network can serve it a plain-HTTP page or read its cookie. Add
        /// `includeSubDomains` (and `preload`) only when every subdomain is served over HTTPS; `nil` sends none (a
        /// proxy in front that sends its own). An answer over plain HTTP never carries it.
        public var strictTransportSecurity: String? = "max-age=31536000"
        /// The name shown in page titles and headings.
        public var siteName = "accounts"
        /// A header holding the browser's address, added by a proxy in front of the app (`X-Forwarded-For`, or
        /// `Forwarded` read by its `for=` parameters), from which the client is taken for
        /// ``RegistrationService/Configuration/beginsPerClient``: its last address, or with ``trustedProxies`` the
        /// last one no trusted proxy holds. A port after an address is dropped; without the header, or with no IP
        /// address where one is needed, the peer's address counts (with ``trustedProxies``, the trusted proxy's that
        /// wrote what could not be read). `nil` (the default) counts the peer's address
        /// (``AccountsRequestContext``). Without ``trustedProxies``, set it only when every request comes through a
        /// proxy that adds it: otherwise a client writes the header itself and picks a fresh address for every
        /// request. A value that is no header name (`"X-Forwarded-For "`, `"X-Forwarded-For:"`, `""`) stops the app
        /// when the routes are made, naming it: no request would carry it, and every client behind the proxy would
        /// count as the proxy.
        public var clientAddressHeader: String?
        /// The proxies in front of the app (``AddressRange/loopbackAndPrivate``, or their own addresses), whose
        /// ``clientAddressHeader`` is believed: the header is read only on requests whose peer is one of them, from its
        /// last address back past the addresses of trusted proxies, so a chain of proxies (a CDN, then a load
        /// balancer) names the browser, and a browser that reaches the app directly, or writes the header itself,
        /// counts as its own address. A peer with no IP address (a Unix-domain socket, a context that is no
        /// `RemoteAddressRequestContext`) is never trusted: the header is not read, and each browser session counts.
        /// Empty (the default): the header's last address counts, from any peer. Without `clientAddressHeader` it is
        /// not used for the client's address.
        ///
        /// When not empty, `X-Forwarded-Proto` (``SchemePolicy/automatic``) is also believed only from these peers:
        /// from any other, the routes drop it, so a browser that reaches the app directly cannot make it set its cookie
        /// `Secure`, or build its callback URL on `https`, by writing the header itself.
        public var trustedProxies: [AddressRange] = []
        /// How many email sign-ups (`POST /signup`, accepted or not) one client may make: 20 an hour (a burst of 20,
        /// then one every 3 minutes); `nil`, no limit. The client is the one ``clientAddressHeader`` names (else the
        /// peer's address; a peer with no address counts by browser session). Each sign-up hashes a password and,
        /// with ``emailVerification``, mails a link to whatever address was typed (`name+1@…` as much as
        /// `name@…`), so this bounds what one client can make the app do, and the mail it can send a stranger.
        /// Twitter registrations (`POST /register/complete`) and changes of address (`POST /account/email`) count
        /// too: each answers, as sign-up does, whether an address already has an account, and that answer must not
        /// come faster through them.
        public var signUpsPerClient: RegistrationService.Rate? = RegistrationService.Rate(20, per: 60 * 60)
        /// How many the clients of one network (an IPv6 client's /48) may make together: 200 an hour; `nil`, no
        /// limit.
        public var signUpsPerNetwork: RegistrationService.Rate? = RegistrationService.Rate(200, per: 60 * 60)
        /// How many password log-ins (`POST /login`, whether they sign in or not) one client may attempt: 30 per 10
        /// minutes (a burst of 30, then one every 20 s), as ``RegistrationService/Configuration/beginsPerClient`` for
        /// Twitter; `nil`, no limit. The client is taken as for ``signUpsPerClient``. ``LocalAccounts`` cools down each
        /// login identifier after its failures, but a client that names another login each time (an unknown one too)
        /// is not held by that, and each attempt costs a password check and writes to the store: this bounds what one
        /// client can make the app do, and how many accounts it can try a password on. Every attempt counts, a
        /// successful one too (given back, one account's right password would buy a guess at another's).
        public var logInsPerClient: RegistrationService.Rate? = RegistrationService.Rate(30, per: 10 * 60)
        /// How many the clients of one network (an IPv6 client's /48) may attempt together: 300 per 10 minutes; `nil`,
        /// no limit.
        public var logInsPerNetwork: RegistrationService.Rate? = RegistrationService.Rate(300, per: 10 * 60)
        /// "Forgot your password?": where reset links point and how they are mailed. `nil` (the default) offers no
        /// reset: the routes `/password/forgot` and `/password/reset` are not added, and the log-in page has no link.
        public var passwordReset: PasswordResetDelivery?
        /// Email confirmation: where confirmation links point and how they are mailed. With it, an email sign-up (and a
        /// Twitter registration with an address other than Twitter's own) is mailed a link, the account page says
        /// whether the address is confirmed and offers a new link, and `/email/confirm` is added. `nil` (the
        /// default): none of this; ``Account/emailVerifiedAt`` is still set by password resets and by Twitter's
        /// address at registration.
        public var emailVerification: EmailVerificationDelivery?
        /// Tells an account's confirmed address when one of its ways in changes (its password changed, reset, added or
        /// removed, Twitter linked or unlinked) or the account is deleted: its owner learns of what they did not do.
        /// Each ``SecurityNotice`` (which holds no secret) is sent in a task of its own after the answer, at most 64
        /// at once (more are dropped, and the drops logged); a failure is logged by its type only. An address not
        /// confirmed gets nothing: it may be a typo, or someone else's. `nil` (the default): no notices.
        public var securityNotice: (@Sendable (SecurityNotice) async throws -> Void)?
        /// The path the routes are added under, which every link, form and redirect they make starts with: `""` (the
        /// default: `/login`, `/account`, …) or segments such as `/accounts` (`/accounts/login`, and `/accounts/` for
        /// the home page). Each segment is letters `A`–`Z`, `a`–`z`, digits and `.`, `_`, `~`, `-`; anything else
        /// stops the app when the routes are made (a programmer's error). The session cookie stays on `Path=/`, so
        /// ``AccountRoutes/signedInAccount(_:)`` works on every route of the app.
        public var mountPath = ""

        /// The defaults above.
        public init() {}
    }

    /// How the app learns whether the browser used HTTPS.
    public enum SchemePolicy: Sendable, Hashable {
        /// HTTPS when the request's scheme says so or a proxy in front sent `X-Forwarded-Proto: https` (its first
        /// value); with ``Configuration/trustedProxies``, only a peer among them, otherwise any peer.
        case automatic
        /// Always HTTPS (a TLS-terminating proxy that sends no `X-Forwarded-Proto`).
        case https
    }

    /// The callback path Twitter sends the browser back to (under the host and port the browser used).
    public static let callbackPath = "/register/twitter/callback"

    let store: AccountStore
    /// The Twitter flow; `nil` for routes without Twitter (``init(store:registration:local:configuration:logger:)``).
    let registration: RegistrationService?
    let local: LocalAccounts
    let configuration: Configuration
    /// The logger given to ``init(store:registration:local:configuration:logger:)``; handlers log through ``logger``.
    let baseLogger: Logger
    /// Every page's `Content-Security-Policy`.
    let contentSecurityPolicy: String
    let sessions: BrowserSessions
    /// Limits "Forgot your password?" requests (``PasswordResetDelivery/requestsPerClient``), when reset is offered.
    let resetThrottle: RequestThrottle?
    /// Limits email sign-ups (``Configuration/signUpsPerClient``).
    let signUpThrottle: RequestThrottle
    /// Limits password log-ins (``Configuration/logInsPerClient``).
    let logInThrottle: RequestThrottle
    /// The reset links being issued and mailed.
    let resetMails: MailQueue
    /// The confirmation and change links being issued and mailed, and the change notices being sent.
    let emailMails: MailQueue
    /// The security notices being sent (``Configuration/securityNotice``).
    let noticeMails: MailQueue
    /// Limits the log lines a client can cause at will.
    let logLimiter = LogLimiter()

    /// Routes over `store`, registering through `registration` and signing in with passwords through `local`.
    /// - Parameters:
    ///   - store: The account store (it also keeps the sessions; migration 8 makes their table).
    ///   - registration: The Twitter flow; its configured callback URL is replaced per request by one on the host and
    ///     port the browser used. `nil` for an app without Twitter credentials: the Twitter routes (and "Remove
    ///     password", which would leave only Twitter to log in with) are not added, so they answer as any route that
    ///     does not exist (404); no page offers Twitter; `form-action` is `'self'` alone. An account with a Twitter
    ///     identity from before still sees it on its account page and may unlink it (the store's token is deleted,
    ///     but cannot be revoked at Twitter without a client). Pass a `RegistrationService` later, over the same
    ///     store, to add Twitter: nothing to migrate.
    ///   - local: Email sign-up and password sign-in.
    ///   - configuration: Session lifetimes, cookie and HTTPS settings.
    ///   - logger: Where the routes log: info for routine events, error for what an operator must act on (a database
    ///     migrated past this build, a Twitter set-up problem, a mail not sent, a request failed); never session ids,
    ///     tokens or passwords.
    public init(
        store: AccountStore, registration: RegistrationService?, local: LocalAccounts,
        configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "accounts.web", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.store = store
        self.registration = registration
        self.local = local
        precondition(
            Self.isValidMountPath(configuration.mountPath),
            "AccountRoutes.Configuration.mountPath must be empty or segments such as /accounts, each of letters, digits "
                + "and . _ ~ - (it is \"\(configuration.mountPath)\")")
        precondition(
            Self.isValidCookieName(configuration.cookieName),
            "AccountRoutes.Configuration.cookieName must be 1 to 64 letters, digits and ! # $ % & ' * + - . ^ _ ` | ~, "
                + "without a __Host- or __Secure- prefix, which the routes add over HTTPS (it is \""
                + Self.printable(configuration.cookieName) + "\")")
        for (name, value) in [
            ("idleLifetime", configuration.idleLifetime), ("absoluteLifetime", configuration.absoluteLifetime),
        ] {
            precondition(
                value > 0, "AccountRoutes.Configuration.\(name) must be above 0 seconds (it is \(value))")
        }
        // A link base with a query or fragment puts the token where the routes never read it (`…/#x/password/reset?…`).
        for (name, url) in [
            ("passwordReset", configuration.passwordReset?.baseURL),
            ("emailVerification", configuration.emailVerification?.baseURL),
        ] {
            guard let url else { continue }
            let parts = URLComponents(url: url, resolvingAgainstBaseURL: true)
            precondition(
                ["http", "https"].contains(parts?.scheme?.lowercased() ?? "") && parts?.host?.isEmpty == false
                    && parts?.query == nil && parts?.fragment == nil,
                "AccountRoutes.Configuration.\(name).baseURL must be an http or https address with a host and no query "
                    + "or fragment, such as https://app.example (it is \"\(url.absoluteString)\")")
        }
        precondition(
            Self.isValidClientAddressHeader(configuration.clientAddressHeader),
            "AccountRoutes.Configuration.clientAddressHeader must be nil or a header name such as X-Forwarded-For or "
                + "Forwarded, without spaces or a colon: no request carries \""
                + Self.printable(configuration.clientAddressHeader ?? "") + "\"")
        for host in (configuration.allowedHosts ?? []).sorted() {
            precondition(
                Self.isValidAllowedHost(host),
                "AccountRoutes.Configuration.allowedHosts must hold host names as requests name them, lowercase and "
                    + "without a port, such as app.example, 127.0.0.1 or [::1]: no request matches \""
                    + Self.printable(host) + "\"")
        }
        precondition(
            (0...86_400).contains(configuration.recentSignIn),
            "AccountRoutes.Configuration.recentSignIn must be 0 to 86400 seconds (a day) (it is "
                + "\(configuration.recentSignIn))")
        precondition(
            configuration.touchInterval >= 0,
            "AccountRoutes.Configuration.touchInterval must be 0 or more seconds (it is \(configuration.touchInterval))"
        )
        self.configuration = configuration
        self.baseLogger = logger
        // `form-action` also governs where a form's answer redirects: "Log in with Twitter" posts here and is sent on
        // to Twitter's authorization page, so Twitter's origin is the one other place a form may lead (none without
        // Twitter).
        let formAction =
            ["'self'"] + (registration.map { Self.formActionSources(twitterOrigin: $0.twitterWebOrigin) } ?? [])
        self.contentSecurityPolicy =
            "default-src 'none'; style-src 'unsafe-inline'; form-action \(formAction.joined(separator: " "))"
            + "; frame-ancestors 'none'; base-uri 'none'"
        self.sessions = BrowserSessions(store: store, configuration: configuration, logger: logger)
        let delivery = configuration.passwordReset
        self.resetThrottle = delivery.map {
            RequestThrottle(perClient: $0.requestsPerClient, perNetwork: $0.requestsPerNetwork, inAll: $0.requestsInAll)
        }
        self.signUpThrottle = RequestThrottle(
            perClient: configuration.signUpsPerClient, perNetwork: configuration.signUpsPerNetwork, inAll: nil)
        self.logInThrottle = RequestThrottle(
            perClient: configuration.logInsPerClient, perNetwork: configuration.logInsPerNetwork, inAll: nil)
        self.resetMails = MailQueue(limit: max(1, delivery?.maximumInFlight ?? 1))
        self.emailMails = MailQueue(limit: max(1, configuration.emailVerification?.maximumInFlight ?? 1))
        self.noticeMails = MailQueue(limit: Self.maximumSecurityNoticesInFlight)
    }

    /// Twitter's own origins: its authorization page (`api.x.com`, the old `api.twitter.com`) may send a browser on to
    /// the others (to log in at `x.com`), and browsers apply `form-action` to every redirect after a form.
    static let twitterWebOrigins = [
        "https://api.x.com", "https://api.twitter.com", "https://x.com", "https://twitter.com",
    ]

    /// Where a form may lead besides this site: Twitter's origins when the client talks to Twitter, else the one it
    /// talks to (a sandbox, a test server).
    package static func formActionSources(twitterOrigin: String) -> [String] {
        twitterWebOrigins.contains(twitterOrigin) ? twitterWebOrigins : [twitterOrigin]
    }

    /// Adds every route (see README, "Web routes") to `router`, under ``Configuration/mountPath``.
    ///
    /// `router` is the app's `Router`, or a group without a path of its own (`router.group()`, to give these routes a
    /// middleware of the app's). A group under a path stops the app at this call: the routes' links, redirects and
    /// Twitter callback would all miss that path. Set ``Configuration/mountPath`` instead.
    public func addRoutes<Context: RequestContext>(to router: some RouterMethods<Context>) {
        let groupPath = Self.groupPath(of: router)
        precondition(
            groupPath.isEmpty,
            "AccountRoutes.addRoutes(to:) was given a router group under \(groupPath): the routes' links, redirects and "
                + "Twitter callback would miss it. Pass the router itself and set "
                + "AccountRoutes.Configuration.mountPath = \"\(groupPath)\" instead.")
        if configuration.mountPath.isEmpty && configuration.trustedProxies.isEmpty
            && configuration.strictTransportSecurity == nil
        {
            addRoutes(under: router)
        } else {
            // (the group's middleware runs for these routes only, not for the app's own; the gate first, so that
            // `Strict-Transport-Security` follows the same `X-Forwarded-Proto` as the routes)
            let group = router.group(RouterPath(configuration.mountPath))
            if !configuration.trustedProxies.isEmpty {
                group.add(middleware: ForwardedProtoGate<Context>(trustedProxies: configuration.trustedProxies))
            }
            if let value = configuration.strictTransportSecurity {
                group.add(middleware: StrictTransportSecurity<Context>(value: value, scheme: configuration.scheme))
            }
            addRoutes(under: group)
        }
    }

    /// Whether `name` can name the session cookie: an RFC 6265 token (a cookie with a space or `;` in its name
    /// would never come back), at most 64 bytes, without the prefixes the routes add themselves.
    static func isValidCookieName(_ name: String) -> Bool {
        guard (1...64).contains(name.utf8.count), !name.hasPrefix("__Host-"), !name.hasPrefix("__Secure-") else {
            return false
        }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            default: return "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }

    /// The path of the groups `router` is inside (`/a/b` for `router.group("a").group("b")`); empty for a router, a
    /// group without a path, or a kind of `RouterMethods` whose layout this does not know. Hummingbird keeps a group's
    /// path to itself, so it is read by reflection: `path` and `parent`, up to the router.
    package static func groupPath(of router: Any) -> String {
        var parts: [String] = []
        var current: Any? = router
        var depth = 0
        while let node = current, depth < 64 {
            let mirror = Mirror(reflecting: node)
            if let path = mirror.descendant("path") as? RouterPath {
                let text = path.description
                if text != "/" && !text.isEmpty { parts.append(text.hasPrefix("/") ? text : "/" + text) }
            }
            current = mirror.descendant("parent")
            depth += 1
        }
        return parts.reversed().joined()
    }

    /// `text` for a start-up message: each scalar that is not printable ASCII (a control character, non-ASCII) as `?`.
    static func printable(_ text: String) -> String {
        text.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 ? String($0) : "?" }.joined()
    }

    /// Whether `host` can match a request's host as the routes compare it (``Configuration/allowedHosts``): a valid
    /// `Host` without a port, lowercase (an IPv6 address in brackets).
    package static func isValidAllowedHost(_ host: String) -> Bool {
        Origin.isValidAuthority(host) && Origin.host(of: host) == host && host == host.lowercased()
    }

    /// Whether `path` is `""` or `/segment…`, each segment of unreserved URL characters (RFC 3986), none `.` or `..`.
    static func isValidMountPath(_ path: String) -> Bool {
        guard !path.isEmpty else { return true }
        guard path.hasPrefix("/") else { return false }
        return path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).allSatisfy { segment in
            !segment.isEmpty && segment != "." && segment != ".."
                && segment.utf8.allSatisfy { byte in
                    switch byte {
                    case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"),
                        UInt8(ascii: "-"):
                        true
                    default: false
                    }
                }
        }
    }

    private func addRoutes<Context: RequestContext>(under router: some RouterMethods<Context>) {
        router.get("/") { request, context in await self.guarded(request, context) { try await self.home(request) } }
        if registration != nil { addTwitterRoutes(under: router) }
        router.get("/signup") { request, context in
            await self.guarded(request, context) { try await self.signUpPage(request) }
        }
        router.post("/signup") { request, context in
            await self.guarded(request, context) { try await self.signUp(request, context: context) }
        }
        router.get("/login") { request, context in
            await self.guarded(request, context) { try await self.logInPage(request) }
        }
        if let delivery = configuration.passwordReset {
            router.get("/password/forgot") { request, context in
                await self.guarded(request, context) { try await self.forgotPasswordPage(request) }
            }
            router.post("/password/forgot") { request, context in
                await self.guarded(request, context) {
                    try await self.forgotPassword(request, context: context, delivery: delivery)
                }
            }
            router.get("/password/reset") { request, context in
                await self.guarded(request, context) { try await self.resetPasswordPage(request) }
            }
            router.post("/password/reset") { request, context in
                await self.guarded(request, context) { try await self.resetPassword(request) }
            }
        }
        if configuration.emailVerification != nil {
            router.get("/email/confirm") { request, context in
                await self.guarded(request, context) { try await self.emailConfirmationPage(request) }
            }
            router.post("/email/confirm") { request, context in
                await self.guarded(request, context) { try await self.confirmEmail(request) }
            }
            router.get("/email/undo") { request, context in
                await self.guarded(request, context) { try await self.emailChangeUndoPage(request) }
            }
            router.post("/email/undo") { request, context in
                await self.guarded(request, context) { try await self.undoEmailChange(request) }
            }
            router.post("/account/email/confirm") { request, context in
                await self.guarded(request, context) { try await self.sendEmailConfirmation(request, context: context) }
            }
            router.post("/account/email") { request, context in
                await self.guarded(request, context) { try await self.changeEmail(request, context: context) }
            }
        }
        router.post("/login") { request, context in
            await self.guarded(request, context) { try await self.logIn(request, context: context) }
        }
        router.post("/sign-out") { request, context in
            await self.guarded(request, context) { try await self.signOut(request) }
        }
        router.get("/account") { request, context in
            await self.guarded(request, context) { try await self.accountPage(request) }
        }
        if configuration.mountPath.isEmpty {
            // W3C's "well-known URL for changing passwords": a password manager's "Change password" opens the
            // account page (the log-in page first, signed out). Under a mount path the site's root is the app's, which
            // adds it (README, "Mounting the routes").
            router.get("/.well-known/change-password") { request, context in
                await self.guarded(request, context) {
                    _ = try self.origin(of: request)  // (held to allowedHosts as every route is)
                    return self.redirect(nil, to: "/account")
                }
            }
        }
        router.get("/account/data") { request, context in
            await self.guarded(request, context) { try await self.accountData(request) }
        }
        router.post("/account/twitter/unlink") { request, context in
            await self.guarded(request, context) { try await self.unlink(request) }
        }
        router.post("/account/password") { request, context in
            await self.guarded(request, context) { try await self.changePassword(request) }
        }
        router.post("/account/password/add") { request, context in
            await self.guarded(request, context) { try await self.addPassword(request) }
        }
        if registration != nil {
            // (without Twitter to log in with, removing the password would leave no way in)
            router.post("/account/password/remove") { request, context in
                await self.guarded(request, context) { try await self.removePassword(request) }
            }
        }
        router.post("/account/sessions/end") { request, context in
            await self.guarded(request, context) { try await self.endSession(request) }
        }
        router.post("/account/sign-out-everywhere") { request, context in
            await self.guarded(request, context) { try await self.signOutEverywhere(request) }
        }
        router.post("/account/delete") { request, context in
            await self.guarded(request, context) { try await self.deleteAccount(request) }
        }
    }

    /// The routes of the Twitter flow: added only with a ``RegistrationService``.
    private func addTwitterRoutes<Context: RequestContext>(under router: some RouterMethods<Context>) {
        router.post("/register/twitter") { request, context in
            await self.guarded(request, context) {
                try await self.beginTwitter(request, context: context, purpose: .register)
            }
        }
        router.post("/login/twitter") { request, context in
            await self.guarded(request, context) {
                try await self.beginTwitter(request, context: context, purpose: .signIn)
            }
        }
        router.post("/account/twitter/link") { request, context in
            await self.guarded(request, context) {
                try await self.beginTwitter(request, context: context, purpose: .link)
            }
        }
        router.get(RouterPath(Self.callbackPath)) { request, context in
            await self.guarded(request, context) { try await self.callback(request) }
        }
        router.get("/register/details") { request, context in
            await self.guarded(request, context) { try await self.detailsPage(request) }
        }
        router.post("/register/complete") { request, context in
            await self.guarded(request, context) { try await self.complete(request, context: context) }
        }
        router.get("/register/existing") { request, context in
            await self.guarded(request, context) { try await self.existingPage(request) }
        }
        router.post("/register/existing") { request, context in
            await self.guarded(request, context) { try await self.signInToLink(request, context: context) }
        }
        router.get("/register/link") { request, context in
            await self.guarded(request, context) { try await self.linkPage(request) }
        }
        router.post("/register/link") { request, context in
            await self.guarded(request, context) { try await self.link(request) }
        }
    }

    /// The account signed in on this request's session, or `nil`; for the app's own routes, which pass their
    /// `context`: with ``Configuration/trustedProxies`` set, `X-Forwarded-Proto` (which names the session cookie,
    /// `__Host-` over HTTPS) is then believed only from them, as the routes believe it, so both agree on who is signed
    /// in.
    public func signedInAccount(_ request: Request, context: some RequestContext) async throws(StoreError) -> Account? {
        try await signedInAccount(
            ForwardedProtoGate<BasicRequestContext>.believed(
                request, peer: Self.peerAddress(context), trustedProxies: configuration.trustedProxies))
    }

    /// The account signed in on this request's session, or `nil`; for the app's own routes. Without the request's
    /// context it believes `X-Forwarded-Proto` from any peer, whatever ``Configuration/trustedProxies`` says: with
    /// them set, use ``signedInAccount(_:context:)``.
    public func signedInAccount(_ request: Request) async throws(StoreError) -> Account? {
        // (a request whose Host header the routes would refuse is signed in to nothing)
        guard let origin = try? origin(of: request),
            let session = try await sessions.load(request, secure: origin.isHTTPS), let user = session.record.user
        else { return nil }
        guard let account = try await session.accountOrRead(store, user), account.status == .active else {
            return nil
        }
        return account
    }

    /// The anti-forgery token of this request's session, or `nil` when the browser has none yet (it gets one on
    /// the first page of the routes it opens). For the app's own pages that post to the routes: a "Sign out" button
    /// is a form posting to `mountPath + "/sign-out"` with this token in a hidden `csrf_token` field. Like the
    /// routes, it believes `X-Forwarded-Proto` only from ``Configuration/trustedProxies`` (when set). Put it only in
    /// pages served to this browser, never in a URL or a log.
    public func csrfToken(_ request: Request, context: some RequestContext) async throws(StoreError) -> String? {
        let believed = ForwardedProtoGate<BasicRequestContext>.believed(
            request, peer: Self.peerAddress(context), trustedProxies: configuration.trustedProxies)
        guard let origin = try? origin(of: believed) else { return nil }
        let current = try await sessions.loadOrCreate(believed, secure: origin.isHTTPS)
        // (a session made just now has no cookie in the browser: its token would match nothing)
        return current.isNew ? nil : current.record.csrfToken
    }

    /// Runs `body` on behalf of the visit's browser session (``AccountStore/onBehalfOfSession(_:_:)``): a change it
    /// writes cannot land once that session has ended (signed out from another device, or every session ended by
    /// "sign out everywhere" or a password change or reset elsewhere) while this request was under way; its writes
    /// throw ``StoreError/sessionEnded`` instead, answered by ``sessionEndedResponse()``.
    func forSession<T, E: Error>(_ visit: Visit, _ body: () async throws(E) -> T) async throws(E) -> T {
        try await AccountStore.onBehalfOfSession(visit.session.record.tokenHash, body)
    }

    /// The store's error inside `error`, as the store or a service over it (local accounts, registration) throws it.
    static func storeError(in error: any Error) -> StoreError? {
        switch error {
        case let error as StoreError: error
        case LocalAccountError.store(let error), RegistrationError.store(let error): error
        default: nil
        }
    }

    /// Whether `error` says the browser session a change was asked from ended meanwhile.
    static func isSessionEnded(_ error: any Error) -> Bool {
        if case .sessionEnded = storeError(in: error) { return true }
        return false
    }

    /// Whether `error` is the store's refusal of a database that another process migrated past this build
    /// (``StoreError/schemaAhead(path:version:knownVersion:)``).
    static func isSchemaAhead(_ error: any Error) -> Bool {
        if case .schemaAhead = storeError(in: error) { return true }
        return false
    }

    /// The answer while the database is migrated past this build: every request until the app is restarted with the
    /// new build. 503 with `Retry-After`, so that a load balancer takes this instance out of rotation and the person,
    /// trying again, reaches one that runs the new build; the log says what to do (at most a line a minute, with the
    /// count of requests refused since the last).
    func schemaAheadResponse(_ error: any Error) -> Response {
        if let events = logLimiter.eventsToLog("schema-ahead", at: store.currentDate) {
            logger.error(
                "the database was migrated past this build: restart the app with the new build",
                metadata: ["web.error": "\(error)", "web.events": "\(events)"])
        }
        var response = htmlResponse(
            Pages.layout(
                site: configuration.siteName, mountPath: configuration.mountPath, title: "Being upgraded",
                account: nil, csrf: nil, notice: nil,
                body: """
                    <h1>This site is being upgraded</h1>
                    <p>Nothing was changed. Please try again in a minute.</p>
                    """),
            status: .serviceUnavailable)
        response.headers[.retryAfter] = "30"
        return response
    }

    /// The answer to a change whose session ended while it was under way: the change was not made, and the log-in
    /// page says this browser was signed out before it could be (and that a first of two clicks may have been).
    func sessionEndedResponse() -> Response {
        logger.info("change refused: its session ended meanwhile")
        return redirect(nil, to: "/login?notice=sessions_ended")
    }

    /// ``sessionEndedResponse()`` for `visit`, told apart by what ended its session since the visit's
    /// ``Visit/mark`` (the change is not made in any case):
    /// - the account is gone (deleted: by this browser's first click of a double "Delete", another tab, an operator):
    ///   the home page saying it was deleted, the cookie cleared;
    /// - the session lives on under a new id, given by a change of the account's ways in made from this very session
    ///   (the first of a double click, or another tab: the same cookie), and that change is the one this request asked
    ///   for (``Visit/change``): the account page with that change's notice; the browser holds the new id from the
    ///   first answer;
    /// - "sign out everywhere" asked, and the account's sessions were revoked meanwhile: as its own answer;
    /// - else ``sessionEndedResponse()``.
    ///
    /// Until session 64 every case got the log-in page saying "nothing was changed. Please log in again", after the
    /// first click had changed the password or deleted the account.
    func sessionEndedResponse(_ visit: Visit) async -> Response {
        guard let loaded = visit.session.loaded, let mark = visit.mark,
            let fate = try? await store.sessionFate(of: loaded, since: mark)
        else { return sessionEndedResponse() }
        let cleared = { (notice: String) -> Response in
            var response = self.redirect(nil, to: "/?notice=\(notice)")
            response.setCookie(self.sessions.clearingCookie(secure: visit.origin.isHTTPS))
            return response
        }
        if fate.accountGone {
            logger.info("change refused: the account was deleted meanwhile")
            return cleared("account_deleted")
        }
        let made = fate.eventsSince.compactMap { kind -> String? in
            if fate.rekeyed, let notice = Self.rekeyingNotices[kind] { return notice }
            if !fate.rekeyed, kind == .sessionsRevoked { return "signed_out_everywhere" }
            return nil
        }
        guard let change = visit.change, made.contains(change) else { return sessionEndedResponse() }
        logger.info("change refused: the same change was made from this session meanwhile")
        return change == "signed_out_everywhere"
            ? cleared(change) : redirect(nil, to: "/account?notice=\(change)")
    }

    /// The notice of each change of an account's ways in that keeps the session it was made from under a new id.
    static let rekeyingNotices: [AccountEventKind: String] = [
        .passwordChanged: "password_changed", .passwordAdded: "password_added", .passwordRemoved: "password_removed",
        .unlinked: "unlinked",
    ]

    /// The client a request being answered comes from, as ``clientKey(_:context:)`` computes it: every line the
    /// routes log while answering it carries it as `web.client`.
    @TaskLocal static var requestClient: String?

    /// The routes' logger, with `web.client` (the address ``clientKey(_:context:)`` takes) while a request is answered.
    var logger: Logger {
        guard let client = Self.requestClient else { return baseLogger }
        var logger = baseLogger
        logger[metadataKey: "web.client"] = "\(client)"
        return logger
    }

    /// ``guarded(_:)`` for a request from the client ``clientKey(_:context:)`` names: the lines logged meanwhile
    /// (and by the tasks it starts) name it.
    func guarded(
        _ request: Request, _ context: some RequestContext, _ body: () async throws -> Response
    ) async -> Response {
        await Self.$requestClient.withValue(clientKey(request, context: context)?.key) { await guarded(body) }
    }

    /// Runs a handler; anything it throws becomes a plain 500 page (the log gets the error's description, which never
    /// holds a secret).
    func guarded(_ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let refusal as Refusal {
            return refusal.response
        } catch  where Self.isSessionEnded(error) {
            return sessionEndedResponse()
        } catch  where Self.isSchemaAhead(error) {
            return schemaAheadResponse(error)
        } catch {
            logger.error("request failed", metadata: ["web.error": "\(error)"])
            return htmlResponse(
                Pages.layout(
                    site: configuration.siteName, mountPath: configuration.mountPath, title: "Something went wrong",
                    account: nil, csrf: nil, notice: nil,
                    body: """
                        <h1>Something went wrong</h1>
                        <p>The server could not finish this request. Please <a href="/">start again</a>.</p>
                        """),
                status: .internalServerError)
        }
    }
}
