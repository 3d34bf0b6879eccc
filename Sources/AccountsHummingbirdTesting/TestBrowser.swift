public import Foundation
public import TwitterOAuth

/// A browser for an app's own tests of the routes it mounts (`AccountRoutes`), over real HTTP: it keeps the cookies
/// each origin sets and sends them back to that origin only, posts forms as a browser does (URL-encoded, with the
/// `Origin` of the page), takes a form's CSRF token from the page that shows it, and drives the consent page of a
/// `TwitterSandbox` for "Log in with Twitter".
///
/// Redirects are not followed: each answer comes back as it is, so that a test sees every `Location`; ``follow(_:)``
/// goes where one points. It depends on no test framework: a step that cannot be done (a form without a CSRF token, an
/// answer without a `Location`, a server that does not answer) throws ``TestBrowserError``, whose message names the
/// page and never a cookie, token or query.
///
/// ```swift
/// var browser = TestBrowser(baseURL: URL(string: "http://127.0.0.1:\(port)")!)
/// let signUp = try await browser.submit(form: "/signup", to: "/signup", [("username", "ada"), …])
/// let account = try await browser.follow(signUp)   // GET /account?notice=registered, signed in
/// ```
///
/// Cookies are kept per origin (scheme, host and port; a browser keeps them per host, so this is stricter than one),
/// so that the app's and the sandbox's, both on 127.0.0.1, stay apart. `Set-Cookie` is read as RFC 6265 §5.2 reads it
/// (whitespace around names and values trimmed, a `Max-Age` that is not a number ignored, `Expires` in any of its date
/// forms); a cookie set empty, with a `Max-Age` of 0 or less, or (without a valid `Max-Age`) an `Expires` date passed
/// is dropped. `Path`, `Domain` and `Secure` are not looked at, except that a `__Host-` cookie without `Secure` and
/// `Path=/` or with a `Domain`, and a `__Secure-` one without `Secure`, are refused as browsers refuse them. Forms go
/// as browsers send them: a space as `+`, other reserved characters percent-encoded. Each request asks for a
/// connection of its own (`Connection: close`): a server closes idle connections, and a request sent on one as it
/// closes would fail where a real browser tries again.
public struct TestBrowser: Sendable {
    /// The app's URL: scheme, host and port, such as `http://127.0.0.1:8080`. Paths given to the browser start with
    /// `/` and are taken relative to it.
    public let baseURL: URL
    /// Sent with every request, after the browser's own (`Accept: text/html`, `Cookie`, the form's fields): an app
    /// behind a proxy gets `X-Forwarded-Proto` or `X-Forwarded-For` here.
    public var extraHeaders: [HTTPHeader] = []
    /// The `Origin` sent with the forms posted to the app, when it is not the app's own (`baseURL`'s origin): the
    /// `https://…` origin a browser has in front of a TLS proxy, or another site's, to see a cross-site post refused.
    public var formOrigin: String?
    /// How long each request may take: 120 s by default (a test process on a loaded machine can be slow to answer).
    public var timeout: Duration = .seconds(120)
    /// The largest answer body read: 1 MiB by default.
    public var maximumBodySize = 1 << 20

    private let transport: any HTTPTransport
    /// The cookies, by origin, then by name.
    private var jar: [String: [String: String]] = [:]

    /// A browser with no cookies for the app at `baseURL`.
    /// - Parameters:
    ///   - baseURL: The app's scheme, host and port, such as `http://127.0.0.1:8080`.
    ///   - transport: How requests are sent: the process-wide `AsyncHTTPClientTransport.shared` by default.
    public init(baseURL: URL, transport: any HTTPTransport = AsyncHTTPClientTransport.shared) {
        self.baseURL = baseURL
        self.transport = transport
    }

    /// The value of the cookie called `name` that the app set (`nil` if none): the session cookie is
    /// `accounts_session` unless the app names it otherwise, and `__Host-accounts_session` when the app takes the
    /// browser to be on HTTPS (an `X-Forwarded-Proto: https` from a trusted proxy, in ``extraHeaders``): check the name
    /// the app uses, or a test that the cookie is gone passes whatever happens. A secret: compare it, never print it.
    public func cookie(_ name: String) -> String? {
        jar[Self.origin(of: baseURL)]?[name]
    }

    /// The names of the cookies the browser holds for `url`'s origin (the app's by default), sorted.
    public func cookieNames(for url: URL? = nil) -> [String] {
        (jar[Self.origin(of: url ?? baseURL)] ?? [:]).keys.sorted()
    }

    /// Forgets every cookie, as closing a private window does.
    public mutating func clearCookies() {
        jar = [:]
    }

    /// GETs `path` (a path of the app, such as `/account?notice=registered`, or an absolute URL) and keeps the cookies
    /// the answer sets.
    public mutating func get(_ path: String) async throws(TestBrowserError) -> TestPage {
        try await send("GET", path, form: nil)
    }

    /// POSTs `form` URL-encoded to `path` (a path of the app or an absolute URL), with the `Origin` of a page of the
    /// same site (``formOrigin`` when set and `path` is the app's), and keeps the cookies the answer sets. The form is
    /// sent as given: to take a page's CSRF token first, use ``submit(form:to:_:)``.
    public mutating func post(_ path: String, form: [(String, String)]) async throws(TestBrowserError) -> TestPage {
        try await send("POST", path, form: form)
    }

    /// What a person does with a form: GETs `page`, takes its CSRF token (the hidden `csrf_token` field), and POSTs
    /// it with `fields` to `action`; the answer to the POST. Throws ``TestBrowserError/noCSRFToken(page:status:)`` when
    /// the page has none (not signed in, say, where the form needs it), and then posts nothing.
    public mutating func submit(
        form page: String, to action: String, _ fields: [(String, String)]
    ) async throws(TestBrowserError) -> TestPage {
        let shown = try await get(page)
        guard let token = shown.csrfToken else {
            throw .noCSRFToken(page: TestPage.shown(page), status: shown.status)
        }
        return try await post(action, form: [("csrf_token", token)] + fields)
    }

    /// Goes to the `Location` of `page` (resolved against the URL `page` came from) as a browser does: after a 307 or
    /// 308 with the method and form of the request `page` answers, and its `Origin` (`null` when a site of another
    /// origin than that `Origin` redirects it to yet another, as the Fetch standard has it); after any other status
    /// (301, 302, 303…) with a GET. Throws ``TestBrowserError/noRedirect(page:status:)`` when it has no `Location`.
    /// A page made with ``TestPage/init(url:response:)`` counts as the answer to a GET.
    public mutating func follow(_ page: TestPage) async throws(TestBrowserError) -> TestPage {
        guard let target = page.redirectURL else {
            throw .noRedirect(page: TestPage.shown(page.url), status: page.status)
        }
        guard page.status == 307 || page.status == 308 else {
            return try await send("GET", target.absoluteString, form: nil)
        }
        let request = page.request
        var origin = request.origin
        if let sent = origin, Self.origin(of: target) != Self.origin(of: page.url), sent != Self.origin(of: page.url) {
            origin = "null"
        }
        return try await send(request.method, target.absoluteString, form: request.form, origin: origin)
    }

    /// What a person choosing at the sandbox's consent page does.
    public enum TwitterConsent: Sendable, Hashable {
        /// "Authorize app" as the sandbox's user with this id (one of its users: `SandboxUser.builtIn` by default).
        case approve(userID: UInt64)
        /// "Cancel".
        case cancel
    }

    /// "Log in with Twitter" through an in-process `TwitterSandbox`: submits the Twitter button's form (the one posting
    /// to `action` on `page`, with `fields` besides its CSRF token), follows the app's redirect to the sandbox at
    /// `sandbox`, answers its consent page as `consent` says, and follows the sandbox's redirect back to the app's
    /// callback; the app's answer to the callback (a redirect to the account page, the registration form, or the
    /// restart page after a cancel).
    ///
    /// The same button flow serves "Register with Twitter" (`action: "/register/twitter"`) and "Link Twitter account"
    /// (`"/account/twitter/link"` on `/account`). Put a mount path in `page` and `action`. A sandbox that remembers
    /// this browser's approval (`rememberApprovals`) sends it straight back without a consent page: then
    /// `.approve(userID:)` goes on (as the remembered user), and `.cancel` throws.
    /// - Parameters:
    ///   - consent: Approve as a sandbox user, or cancel.
    ///   - sandbox: The sandbox's URL (`http://127.0.0.1:<the port its run(onReady:) told>`): the app's Twitter client
    ///     must be pointed at it.
    ///   - action: The path the Twitter button posts to: `/login/twitter` by default.
    ///   - page: The page showing the button: `/` by default.
    ///   - fields: Fields the form sends besides its CSRF token (the current password for a link, say).
    public mutating func useTwitter(
        _ consent: TwitterConsent, sandbox: URL, action: String = "/login/twitter", on page: String = "/",
        fields: [(String, String)] = []
    ) async throws(TestBrowserError) -> TestPage {
        let begin = try await submit(form: page, to: action, fields)
        let sandboxOrigin = Self.origin(of: sandbox)
        guard begin.status == 303 || begin.status == 302, let consentURL = begin.redirectURL,
            Self.origin(of: consentURL) == sandboxOrigin
        else {
            throw .twitterStep(
                "the Twitter button posting to \(TestPage.shown(begin.url)) answered \(begin.status)"
                    + (begin.redirectURL.map { " with a redirect to \(TestPage.shown($0))" } ?? " without a redirect")
                    + ", not a redirect to the sandbox at \(sandboxOrigin): is the app's TwitterClient pointed at it?")
        }
        let shown = try await get(consentURL.absoluteString)
        let decision: TestPage
        if shown.status == 302 {
            guard case .approve = consent else {
                throw .twitterStep(
                    "the sandbox at \(sandboxOrigin) remembered this browser's approval and sent it back without a "
                        + "consent page to cancel: give it a browser of its own")
            }
            decision = shown
        } else {
            guard shown.status == 200, let token = shown.hiddenValue("oauth_token") else {
                throw .twitterStep(
                    "the sandbox's consent page \(TestPage.shown(shown.url)) answered \(shown.status) without its "
                        + "form: its request token is unknown, expired or already used")
            }
            switch consent {
            case .approve(let userID):
                decision = try await post(
                    sandbox.appending(path: "oauth/authorize").absoluteString,
                    form: [("oauth_token", token), ("user_id", String(userID)), ("action", "authorize")])
            case .cancel:
                decision = try await post(
                    sandbox.appending(path: "oauth/authorize").absoluteString,
                    form: [("oauth_token", token), ("action", "cancel")])
            }
        }
        guard decision.status == 302, let callback = decision.redirectURL,
            Self.origin(of: callback) == Self.origin(of: baseURL)
        else {
            throw .twitterStep(
                "the sandbox's consent answered \(decision.status)"
                    + (decision.redirectURL.map { " with a redirect to \(TestPage.shown($0))" } ?? "")
                    + ", not a redirect back to the app at \(Self.origin(of: baseURL))"
                    + (decision.status == 400 ? ": is the user id one of the sandbox's users?" : ""))
        }
        return try await get(callback.absoluteString)
    }

    /// ``useTwitter(_:sandbox:action:on:fields:)`` approving as `userID` with the "Log in with Twitter" button
    /// (`/login/twitter` on `/`, or `action` on `page`).
    public mutating func signInWithTwitter(
        as userID: UInt64, sandbox: URL, action: String = "/login/twitter", on page: String = "/"
    ) async throws(TestBrowserError) -> TestPage {
        try await useTwitter(.approve(userID: userID), sandbox: sandbox, action: action, on: page)
    }

    // MARK: - Sending

    /// Sends `form` (if any) with the `Origin` given, or else with that of a page of `target`'s origin (``formOrigin``
    /// for the app's).
    private mutating func send(
        _ method: String, _ target: String, form: [(String, String)]?, origin pageOrigin: String? = nil
    ) async throws(TestBrowserError) -> TestPage {
        guard let url = URL(string: target, relativeTo: baseURL)?.absoluteURL, url.host != nil else {
            throw .badTarget(TestPage.shown(target))
        }
        let origin = Self.origin(of: url)
        var headers = [HTTPHeader(name: "Accept", value: "text/html"), HTTPHeader(name: "Connection", value: "close")]
        if let cookies = jar[origin], !cookies.isEmpty {
            headers.append(
                HTTPHeader(
                    name: "Cookie",
                    value: cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                        .joined(separator: "; ")))
        }
        var body: [UInt8] = []
        var sentOrigin: String?
        if let form {
            body = Array(form.map { Self.encode($0.0) + "=" + Self.encode($0.1) }.joined(separator: "&").utf8)
            let pageOrigin = pageOrigin ?? (origin == Self.origin(of: baseURL) ? formOrigin ?? origin : origin)
            headers.append(HTTPHeader(name: "Content-Type", value: "application/x-www-form-urlencoded"))
            headers.append(HTTPHeader(name: "Origin", value: pageOrigin))
            sentOrigin = pageOrigin
        }
        headers += extraHeaders
        let response: HTTPTransportResponse
        do {
            response = try await transport.send(
                method: method, url: url, headers: headers, body: body, timeout: timeout,
                maximumResponseBodySize: maximumBodySize)
        } catch {
            throw .requestFailed(method: method, page: TestPage.shown(url), reason: String(describing: error))
        }
        var page = TestPage(url: url, response: response)
        page.request = TestPage.Request(method: method, form: form, origin: sentOrigin)
        for field in page.setCookies {
            keep(field, from: origin)
        }
        return page
    }

    /// Keeps (or drops) the cookie of one `Set-Cookie` field, unless a browser would refuse it.
    private mutating func keep(_ field: String, from origin: String) {
        guard let cookie = SetCookie(field), !cookie.isRefusedForItsPrefix else { return }
        if cookie.value.isEmpty || cookie.isExpired(at: Date()) {
            jar[origin]?[cookie.name] = nil
        } else {
            jar[origin, default: [:]][cookie.name] = cookie.value
        }
    }

    /// `scheme://host[:port]`, the port left out when it is the scheme's default.
    static func origin(of url: URL) -> String {
        let scheme = url.scheme?.lowercased() ?? "http"
        var host = url.host?.lowercased() ?? ""
        if host.contains(":") && !host.hasPrefix("[") { host = "[" + host + "]" }
        let defaultPort = scheme == "https" ? 443 : 80
        guard let port = url.port, port != defaultPort else { return scheme + "://" + host }
        return scheme + "://" + host + ":" + String(port)
    }

    /// Form encoding as a browser does it (`application/x-www-form-urlencoded`): a space as `+`, everything else but
    /// RFC 3986's unreserved characters percent-encoded.
    static func encode(_ text: String) -> String {
        (text.addingPercentEncoding(withAllowedCharacters: unreservedAndSpace) ?? "").replacingOccurrences(
            of: " ", with: "+")
    }

    private static let unreservedAndSpace = CharacterSet(
        charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~ ")
}

extension TestBrowser: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `TestBrowser(http://127.0.0.1:8080, cookies: [accounts_session])`: the cookies' names, never their values.
    public var description: String {
        "TestBrowser(\(baseURL.absoluteString), cookies: [\(cookieNames().joined(separator: ", "))])"
    }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// The base URL and the names of the app's cookies (`dump`, the debugger): never a cookie's value.
    public var customMirror: Mirror {
        Mirror(self, children: ["baseURL": baseURL, "cookies": cookieNames()], displayStyle: .struct)
    }
}
