import AccountCrypto
import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import Hummingbird
import Logging
import Registration
import TestSupport
import Testing
import TwitterOAuth
import TwitterSandbox

/// The routes on a real server at 127.0.0.1, over a real database file, talking to a real sandbox.
struct WebApp: Sendable {
    static let zoe: UInt64 = 1_234_567_890_123_456_789
    static let yamada: UInt64 = 9_007_199_254_740_993
    static let ada: UInt64 = 783_214
    static let mallory: UInt64 = 666
    static let users =
        SandboxUser.builtIn + [
            SandboxUser(
                id: mallory, screenName: "m<script>", name: "<script>alert(\"x\")</script> & Co", email: nil)
        ]

    let base: URL
    let store: AccountStore
    let sandbox: SandboxHarness
    let clock: TestClock
    let directory: String
    let logLines: Locked<[String]>
    /// The sandbox's log (what Twitter did: "access token invalidated" for a token it had issued).
    let sandboxLogLines: Locked<[String]>
    let routes: AccountRoutes
    /// Whether browsers ask for a new connection for every request (`Connection: close`): set when the server closes
    /// idle connections within seconds, so that a request is never sent on a connection the server is closing (on a
    /// busy machine a form's GET and POST can be that far apart).
    var closesConnections = false

    var databasePath: String { directory + "/accounts.sqlite" }

    func browser() -> Browser {
        Browser(app: self)
    }

    /// Runs `body` with a fresh app (sandbox, database, server), then stops everything as the README's shutdown
    /// sample tells apps to: the server first, then a wait for the mails asked for (``stop(routes:store:failed:)``),
    /// and the store last. `twitter: false` makes the routes without a `RegistrationService`, as an app without
    /// Twitter credentials does (the sandbox still runs: the browsers send their requests through its client).
    static func run(
        configuration: AccountRoutes.Configuration = AccountRoutes.Configuration(),
        twitter: Bool = true,
        registration registrationConfiguration: RegistrationService.Configuration = RegistrationService.Configuration(
            callbackURL: "http://invalid.example/callback"),
        failureFloor: Duration = .zero,
        passwordPolicy: PasswordPolicy = PasswordPolicy(),
        sandboxCallbackURLs: [String] = [],
        idleTimeout: Duration = .seconds(600),
        requestReadTimeout: Duration = .seconds(600),
        writeTimeout: Duration = .seconds(600),
        _ body: (WebApp) async throws -> Void
    ) async throws {
        var sandboxConfiguration = SandboxConfiguration(
            consumer: SandboxConfiguration.generateConsumerCredentials(), users: users)
        sandboxConfiguration.callbackURLs = sandboxCallbackURLs
        let sandboxLines = Locked<[String]>([])
        try await SandboxHarness.run(configuration: sandboxConfiguration, logger: capturingLogger(sandboxLines)) {
            sandbox in
            try await withTemporaryDirectory { dir in
                let clock = TestClock(Date())
                let store = try makeStore(in: dir, now: clock.closure)
                let lines = Locked<[String]>([])
                let logger = capturingLogger(lines)
                let registration = RegistrationService(
                    store: store, twitter: sandbox.client(),
                    configuration: registrationConfiguration, logger: logger)
                var local = LocalAccounts(
                    store: store, hasher: PasswordHasher(parameters: .init(log2N: 10, r: 8, p: 1)),
                    failureFloor: failureFloor)
                local.passwordPolicy = passwordPolicy
                let routes = AccountRoutes(
                    store: store, registration: twitter ? registration : nil, local: local,
                    configuration: configuration, logger: logger)
                let router = Router(context: AccountsRequestContext.self)
                router.add(middleware: routes.hostCheck())  // (as README's mounting sample: the app's routes too)
                routes.addRoutes(to: router)
                router.get("/whoami") { request, context in
                    try await routes.signedInAccount(request, context: context)?.username ?? "nobody"
                }
                router.get("/app-csrf") { request, context in  // an app page's own "Sign out" form needs it
                    try await routes.csrfToken(request, context: context) ?? "none"
                }
                let (ports, continuation) = AsyncStream<Int>.makeStream()
                let application = Application(
                    router: router,
                    server: AccountRoutes.http1Server(
                        idleTimeout: idleTimeout, requestReadTimeout: requestReadTimeout, writeTimeout: writeTimeout),
                    configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
                    onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
                    logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
                do {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            defer { continuation.finish() }
                            try await application.run()
                        }
                        var iterator = ports.makeAsyncIterator()
                        let port = try #require(await iterator.next())
                        let app = WebApp(
                            base: URL(string: "http://127.0.0.1:\(port)")!, store: store, sandbox: sandbox,
                            clock: clock, directory: dir, logLines: lines, sandboxLogLines: sandboxLines,
                            routes: routes,
                            closesConnections: idleTimeout < .seconds(60))
                        do {
                            try await body(app)
                        } catch {
                            group.cancelAll()
                            throw error
                        }
                        group.cancelAll()
                    }
                } catch {
                    await stop(routes: routes, store: store, failed: true)
                    throw error
                }
                await stop(routes: routes, store: store, failed: false)
            }
        }
    }

    /// Stops the app whose server has stopped as the README's shutdown sample does: waits for the mails asked for
    /// (``AccountRoutes/finishMails()``), 30 seconds at most, then closes the store, so that no test closes the store
    /// under a link still being issued. Mails still under way after the wait fail a test that had passed (its mailer
    /// is held up: let it go before the test ends).
    static func stop(routes: AccountRoutes, store: AccountStore, failed: Bool) async {
        let finished = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await routes.finishMails()
                return !Task.isCancelled
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(30))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !finished && !failed {
            Issue.record("mails were still under way 30 s after the test ended; the store was closed under them")
        }
        try? store.close()
    }
}

/// A browser's view of the app: a cookie jar, requests that do not follow redirects, and the sandbox's consent page.
struct Browser: Sendable {
    let app: WebApp
    var cookies: [String: String] = [:]
    /// Sent with every request as `X-Forwarded-Proto` when set.
    var forwardedProto: String?
    /// Sent with every request as `X-Forwarded-For` when set.
    var forwardedFor: String?
    /// Sent with every request, after the others (a header may come more than once).
    var extraHeaders: [HTTPHeader] = []
    /// The `Origin` of the pages this browser posts from, when it is not the app's as the browser reaches it (`https`
    /// when `forwardedProto` says so: a browser talking HTTPS to a proxy in front of the app).
    var pageOrigin: String?

    var sessionID: String? { cookies["accounts_session"] }

    /// GETs `path` (or an absolute URL) and keeps the cookies it sets.
    mutating func get(_ path: String) async throws -> Page {
        try await send("GET", path, body: [], extraHeaders: [])
    }

    /// POSTs a form; `origin` is sent as the `Origin` header (the app's own by default, as a browser does).
    mutating func post(_ path: String, _ fields: [(String, String)], origin: String? = nil) async throws -> Page {
        let body = fields.map { PercentEncodingForTests.encode($0.0) + "=" + PercentEncodingForTests.encode($0.1) }
            .joined(separator: "&")
        let defaultOrigin =
            pageOrigin
            ?? (forwardedProto == "https"
                ? app.base.absoluteString.replacing("http://", with: "https://") : app.base.absoluteString)
        let originHeader = HTTPHeader(name: "Origin", value: origin ?? defaultOrigin)
        return try await send(
            "POST", path, body: Array(body.utf8),
            extraHeaders: [
                HTTPHeader(name: "Content-Type", value: "application/x-www-form-urlencoded"), originHeader,
            ])
    }

    /// POSTs a form with the CSRF token of the page `path` (fetched first, as a person would).
    mutating func submit(_ formPage: String, to action: String, _ fields: [(String, String)]) async throws -> Page {
        let page = try await get(formPage)
        let token = try #require(page.csrfToken, "no CSRF token on \(formPage)")
        return try await post(action, [("csrf_token", token)] + fields)
    }

    mutating func send(
        _ method: String, _ path: String, body: [UInt8], extraHeaders: [HTTPHeader]
    ) async throws -> Page {
        let url = path.hasPrefix("http") ? URL(string: path)! : URL(string: app.base.absoluteString + path)!
        var headers = [HTTPHeader(name: "Accept", value: "text/html")] + extraHeaders
        if url.port == app.base.port, !cookies.isEmpty {
            headers.append(
                HTTPHeader(
                    name: "Cookie",
                    value: cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                        .joined(separator: "; ")))
        }
        if let forwardedProto { headers.append(HTTPHeader(name: "X-Forwarded-Proto", value: forwardedProto)) }
        if let forwardedFor { headers.append(HTTPHeader(name: "X-Forwarded-For", value: forwardedFor)) }
        headers += self.extraHeaders
        if app.closesConnections && url.port == app.base.port {
            headers.append(HTTPHeader(name: "Connection", value: "close"))
        }
        let response = try await app.sandbox.transport.send(
            method: method, url: url, headers: headers, body: body, timeout: .seconds(60),
            maximumResponseBodySize: 1 << 20)
        let page = Page(response: response)
        if url.port == app.base.port {
            for cookie in page.setCookies {
                let pair = cookie.prefix { $0 != ";" }
                guard let equals = pair.firstIndex(of: "=") else { continue }
                let name = String(pair[..<equals])
                let value = String(pair[pair.index(after: equals)...])
                if value.isEmpty || cookie.lowercased().contains("max-age=0") {
                    cookies[name] = nil
                } else {
                    cookies[name] = value
                }
            }
        }
        return page
    }

    /// Starts a Twitter flow with the button on `/` that posts to `action`, approves (or cancels) on the sandbox's
    /// consent page as `userID`, and follows the redirect back to the app's callback.
    mutating func viaTwitter(
        _ action: String, as userID: UInt64?, startPage: String = "/", fields: [(String, String)] = [],
        alteringCallback alter: (String) -> String = { $0 }
    ) async throws -> Page {
        let begin = try await submit(startPage, to: action, fields)
        #expect(begin.status == 303, "begin answered \(begin.status): \(begin.text)")
        let authorize = try #require(begin.location.flatMap(URL.init(string:)))
        let token = try #require(
            URLComponents(url: authorize, resolvingAgainstBaseURL: false)?.queryItems?.first {
                $0.name == "oauth_token"
            }?
            .value)
        let consent = try await app.sandbox.browse(authorize)
        #expect(consent.status == 200)
        let decision = try await app.sandbox.submitConsent(
            token: token, userID: userID, action: userID == nil ? "cancel" : "authorize")
        let callback = try #require(decision.headerValue("location"))
        return try await get(alter(callback))
    }

    /// Links the Twitter account `userID` to the signed-in account from the account page: "Link Twitter account"
    /// (with `fields`, such as the current password), the sandbox's consent, then "Link" on the confirm page; the
    /// answer to that.
    mutating func linkTwitter(_ userID: UInt64, _ fields: [(String, String)] = []) async throws -> Page {
        let arrival = try await viaTwitter("/account/twitter/link", as: userID, startPage: "/account", fields: fields)
        let confirm = try await get(try #require(arrival.location))
        return try await post(
            "/register/link",
            [("csrf_token", try #require(confirm.csrfToken)), ("draft", try #require(confirm.hiddenValue("draft")))])
    }

    /// Fills in and sends the registration form a Twitter arrival (`viaTwitter`) led to, with `fields` besides the
    /// form's own token and draft; the answer.
    mutating func finishRegistration(after arrival: Page, _ fields: [(String, String)]) async throws -> Page {
        let form = try await get(try #require(arrival.location))
        return try await post(
            "/register/complete",
            [("csrf_token", try #require(form.csrfToken)), ("draft", try #require(form.hiddenValue("draft")))] + fields)
    }
}

/// One response, with helpers to read it.
struct Page: Sendable {
    let response: HTTPTransportResponse

    var status: Int { response.status }
    var text: String { String(decoding: response.body, as: UTF8.self) }
    var location: String? { response.headerValue("location") }
    var setCookies: [String] {
        response.headers.filter { $0.name.lowercased() == "set-cookie" }.map(\.value)
    }

    /// The value of the first hidden `csrf_token` field.
    var csrfToken: String? { hiddenValue("csrf_token") }

    /// The value of the first hidden field called `name`.
    func hiddenValue(_ name: String) -> String? {
        let marker = "name=\"\(name)\" value=\""
        guard let start = text.range(of: marker) else { return nil }
        let rest = text[start.upperBound...]
        return String(rest.prefix { $0 != "\"" })
    }

    /// The `draft` query value of the redirect location.
    var draftInLocation: String? {
        location.flatMap { URLComponents(string: $0)?.queryItems?.first { $0.name == "draft" }?.value }
    }
}

extension AccountRoutes.Configuration {
    /// Behind proxies in `range` (127.0.0.1 by default: the test server's peer) that name the client in
    /// `X-Forwarded-For`, as ``Browser/forwardedFor`` sends it.
    mutating func trustProxies(_ range: String = "127.0.0.1") throws {
        clientAddressHeader = "X-Forwarded-For"
        trustedProxies = [try AccountRoutes.AddressRange(range)]
    }
}
