import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import Hummingbird
import HummingbirdTesting
import Registration
import TestSupport
import Testing
import TwitterOAuth

/// The routes added under a path of the app (`Configuration.mountPath`), against a real server on 127.0.0.1.
struct MountPathTests {
    /// Every `href` and form `action` of `page`.
    static func targets(_ page: Page) -> [String] {
        page.text.matches(of: /(?:href|action)="([^"]*)"/).map { String($0.output.1) }
    }

    /// Whether every link and form of `page` stays under `/accounts`.
    static func staysUnderMount(_ page: Page) -> Bool {
        let targets = targets(page)
        return !targets.isEmpty && targets.allSatisfy { $0.hasPrefix("/accounts/") }
    }

    @Test func underAMountPathEveryLinkFormAndRedirectStaysUnderIt() async throws {
        let outbox = Locked<[AccountRoutes.PasswordResetMail]>([])
        var configuration = PasswordResetRoutesTests.configuration(outbox)
        configuration.mountPath = "/accounts"
        try await WebApp.run(configuration: configuration) { app in
            // Given the routes under /accounts: the home page is there, not at the root
            var browser = app.browser()
            let home = try await browser.get("/accounts/")
            #expect(home.status == 200 && home.text.contains("Register with Twitter"))
            #expect(Self.staysUnderMount(home), "\(Self.targets(home))")
            #expect(try await browser.get("/login").status == 404)

            // When someone signs up with email
            let signUp = try await browser.get("/accounts/signup")
            #expect(Self.staysUnderMount(signUp), "\(Self.targets(signUp))")
            let done = try await browser.submit(
                "/accounts/signup", to: "/accounts/signup",
                [("username", "ada"), ("email", "ada@example.org"), ("password", PasswordResetRoutesTests.password)])
            // Then the redirect and the account page stay under it, and the app's own routes see the session
            #expect(done.status == 303 && done.location == "/accounts/account?notice=registered")
            let account = try await browser.get("/accounts/account?notice=registered")
            #expect(account.status == 200 && account.text.contains("Your account is ready"))
            #expect(Self.staysUnderMount(account), "\(Self.targets(account))")
            #expect(try await browser.get("/whoami").text == "ada")

            // When she signs out, and asks for a reset link
            let out = try await browser.submit("/accounts/account", to: "/accounts/sign-out", [])
            #expect(out.status == 303 && out.location == "/accounts/?notice=signed_out")
            let logIn = try await browser.get("/accounts/login")
            #expect(logIn.text.contains(#"<a href="/accounts/password/forgot" id="forgot-password">"#))
            let sent = try await browser.submit(
                "/accounts/password/forgot", to: "/accounts/password/forgot", [("email", "ada@example.org")])
            #expect(sent.status == 200 && Self.staysUnderMount(sent))
            // Then the mailed link is under it too, and works
            let mail = try #require(try await PasswordResetRoutesTests.mails(outbox, count: 1).first)
            let prefix = "https://accounts.example/accounts/password/reset?token="
            let underTheMount = mail.link.revealed.hasPrefix(prefix)
            #expect(underTheMount, "the mailed link is not under \(prefix) (it is not printed)")
            let path = "/accounts/password/reset?token=" + mail.link.revealed.dropFirst(prefix.count)
            let form = try await browser.get(path)
            #expect(form.status == 200 && Self.staysUnderMount(form))

            // When a new person registers through Twitter
            var other = app.browser()
            let callback = try await other.viaTwitter(
                "/accounts/register/twitter", as: WebApp.zoe, startPage: "/accounts/")
            // Then Twitter sent the browser back under the mount path, and on to the form there
            #expect(callback.status == 303)
            #expect(
                callback.location?.hasPrefix("/accounts/register/details?draft=") == true, "\(callback.location ?? "")")
            let details = try await other.get(try #require(callback.location))
            #expect(details.status == 200 && Self.staysUnderMount(details), "\(Self.targets(details))")
        }
    }

    /// Routes over `store` under `mountPath`, with `cookieName` and password reset links on `resetBase` (a Twitter
    /// client that is never called).
    @discardableResult
    static func makeRoutes(
        store: AccountStore, mountPath: String, cookieName: String = "accounts_session", resetBase: URL? = nil,
        clientAddressHeader: String? = nil
    ) -> AccountRoutes {
        var configuration = AccountRoutes.Configuration()
        configuration.mountPath = mountPath
        configuration.cookieName = cookieName
        configuration.clientAddressHeader = clientAddressHeader
        if let resetBase { configuration.passwordReset = .init(baseURL: resetBase) { _ in } }
        return AccountRoutes(
            store: store,
            registration: RegistrationService(
                store: store,
                twitter: TwitterClient(
                    consumer: ConsumerCredentials(key: "k", secret: "s"), baseURL: URL(string: "http://127.0.0.1:9")!),
                configuration: RegistrationService.Configuration(callbackURL: "http://127.0.0.1/callback")),
            local: LocalAccounts(store: store), configuration: configuration)
    }

    @Test(arguments: ["accounts", "/accounts/", "/a b", "/a/../b", "/a?x=1", "/\"onclick", "//evil.example"])
    func aMountPathThatIsNotPlainSegmentsStopsTheApp(_ mountPath: String) async throws {
        // (the directory is this process's: the child stops before it could remove one of its own)
        try await withTemporaryDirectory { (directory: String) async -> Void in
            await #expect(processExitsWith: .failure) { [mountPath, directory = directory as String] in
                let store = try makeStore(in: directory)
                MountPathTests.makeRoutes(store: store, mountPath: mountPath)
            }
        }
    }

    @Test func plainSegmentsAreTaken() async throws {
        try await withTemporaryDirectory { directory in
            let store = try makeStore(in: directory)
            defer { try? store.close() }
            for mountPath in ["", "/accounts", "/a/b.c/d_e~f-G9"] {
                MountPathTests.makeRoutes(store: store, mountPath: mountPath)
            }
        }
    }

    @Test(arguments: [
        "", "a b", "x;y", "sess=1", "__Host-x", "__Secure-x", "s\u{E9}ssion", String(repeating: "c", count: 65),
    ])
    func aCookieNameThatIsNoTokenStopsTheApp(_ cookieName: String) async throws {
        try await withTemporaryDirectory { (directory: String) async -> Void in
            await #expect(processExitsWith: .failure) { [cookieName, directory = directory as String] in
                let store = try makeStore(in: directory)
                MountPathTests.makeRoutes(store: store, mountPath: "", cookieName: cookieName)
            }
        }
    }

    /// A `clientAddressHeader` that is no header name (a trailing space from an environment variable, a colon, nothing)
    /// is never found in a request: behind a proxy every client would count as the proxy, one client's log-ins and
    /// sign-ups using up everyone's limit. The routes stop the app at start, naming the setting and the value.
    @Test(arguments: ["X-Forwarded-For ", "X-Forwarded-For:", "", "X Forwarded", "Forwarded\r\nX-Other"])
    func aClientAddressHeaderThatIsNoHeaderNameStopsTheApp(_ header: String) async throws {
        try await withTemporaryDirectory { (directory: String) async -> Void in
            let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
                [header, directory = directory as String] in
                let store = try makeStore(in: directory)
                MountPathTests.makeRoutes(store: store, mountPath: "", clientAddressHeader: header)
            }
            let said = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
            let shown = header.replacingOccurrences(of: "\r\n", with: "??")
            #expect(said.contains("clientAddressHeader") && said.contains("\"\(shown)\""), "\(said)")
        }
    }

    @Test func headerNamesAreTakenAsAClientAddressHeader() async throws {
        try await withTemporaryDirectory { directory in
            let store = try makeStore(in: directory)
            defer { try? store.close() }
            for header in [nil, "X-Forwarded-For", "Forwarded", "x-real-ip", "CF-Connecting-IP", "True-Client-IP"] {
                MountPathTests.makeRoutes(store: store, mountPath: "", clientAddressHeader: header)
            }
        }
    }

    /// A mail link's base with a query or fragment (or no host) would put the token where the routes never read it:
    /// the routes stop the app at start, naming the setting.
    @Test(arguments: ["https://app.example/#x", "https://app.example/?ref=mail", "mailto:app@example.org", "/relative"])
    func aMailLinkBaseThatIsNoPlainAddressStopsTheApp(_ base: String) async throws {
        try await withTemporaryDirectory { (directory: String) async -> Void in
            await #expect(processExitsWith: .failure) { [base, directory = directory as String] in
                let store = try makeStore(in: directory)
                MountPathTests.makeRoutes(store: store, mountPath: "", resetBase: URL(string: base)!)
            }
        }
    }

    @Test func plainMailLinkBasesAreTaken() async throws {
        try await withTemporaryDirectory { directory in
            let store = try makeStore(in: directory)
            defer { try? store.close() }
            for base in ["https://app.example", "http://127.0.0.1:8080/", "https://app.example/site"] {
                MountPathTests.makeRoutes(store: store, mountPath: "", resetBase: URL(string: base)!)
            }
        }
    }

    @Test func tokenCookieNamesAreTaken() async throws {
        try await withTemporaryDirectory { directory in
            let store = try makeStore(in: directory)
            defer { try? store.close() }
            for cookieName in ["accounts_session", "sid", "A.b-c_d~e!#$%&'*+^`|", String(repeating: "c", count: 64)] {
                MountPathTests.makeRoutes(store: store, mountPath: "", cookieName: cookieName)
            }
        }
    }

    // MARK: - A router group

    @Test func aGroupsPathIsReadThroughEveryGroupUpToTheRouter() {
        let router = Router(context: AccountsRequestContext.self)
        #expect(AccountRoutes.groupPath(of: router) == "")
        #expect(AccountRoutes.groupPath(of: router.group()) == "")
        #expect(AccountRoutes.groupPath(of: router.group("accounts")) == "/accounts")
        #expect(AccountRoutes.groupPath(of: router.group("/a").group().group("b/c")) == "/a/b/c")
    }

    @Test(arguments: ["accounts", "/a/b"])
    func aGroupUnderAPathStopsTheAppNamingTheMountPathToSet(_ path: String) async throws {
        try await withTemporaryDirectory { (directory: String) async -> Void in
            let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
                [path, directory = directory as String] in
                let store = try makeStore(in: directory)
                let router = Router(context: AccountsRequestContext.self)
                MountPathTests.makeRoutes(store: store, mountPath: "").addRoutes(to: router.group(RouterPath(path)))
            }
            let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
            #expect(message.contains("mountPath = \"/" + path.trimmingPrefix("/") + "\""), "\(message)")
        }
    }

    @Test func aGroupWithoutAPathServesTheRoutesWithTheGroupsMiddleware() async throws {
        try await withTemporaryDirectory { directory in
            let store = try makeStore(in: directory)
            defer { try? store.close() }
            let router = Router(context: AccountsRequestContext.self)
            let seen = Locked<[String]>([])
            let group = router.group().add(middleware: Recorder(seen: seen))
            MountPathTests.makeRoutes(store: store, mountPath: "/accounts").addRoutes(to: group)
            let app = Application(router: router)
            try await app.test(.router) { client in
                let home = try await client.execute(uri: "/accounts/login", method: .get)
                #expect(home.status == .ok)
            }
            #expect(seen.value == ["/accounts/login"])
        }
    }
}

/// Records the path of every request it passes on.
private struct Recorder<Context: RequestContext>: RouterMiddleware {
    let seen: Locked<[String]>

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        seen.withLock { $0.append(request.uri.path) }
        return try await next(request, context)
    }
}
