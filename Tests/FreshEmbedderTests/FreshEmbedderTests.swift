import AccountCrypto
import AccountModel
import AccountStore
import AccountsHummingbird
import AccountsHummingbirdTesting
import Foundation
import Hummingbird
import Registration
import Testing
import TwitterOAuth
import TwitterSandbox

/// An app new to this package, written from README.md alone ("Embedding the library", "Registering and signing in",
/// "Web: AccountsHummingbird", "Secrets at rest", "Twitter sandbox"): a keys file made in code, a store, the routes on
/// a Hummingbird app at 127.0.0.1 and a `TwitterSandbox` in the process, driven through one person's whole life with
/// the site by the `TestBrowser` of `AccountsHummingbirdTesting`. The target has no package access and no test helpers
/// of the package's: what it compiles against is what an app gets.
struct FreshEmbedderTests {
    static let zoe: UInt64 = 1_234_567_890_123_456_789  // Zoë Ångström, zoe@example.com
    static let ada: UInt64 = 783_214  // Ada Lovelace, ada@example.org

    @Test func aPersonsWholeJourneyThroughTheEmbeddedRoutes() async throws {
        try await EmbeddedApp.run { app in
            var browser = app.browser()

            // 1. A visitor signs up with email and lands on their account page, signed in.
            let signUp = try await browser.submit(
                form: "/signup", to: "/signup",
                [("username", "ada"), ("email", "ada@example.org"), ("password", "correct horse battery")])
            #expect(signUp.status == 303, "sign-up answered \(signUp.status): \(signUp.text)")
            #expect(signUp.location == "/account?notice=registered")
            #expect(try await browser.get("/hello").text == "Hello, ada")
            let ada = try #require(try await app.store.account(.username("ada")))
            #expect(ada.hasPassword && ada.twitter == nil && ada.email == "ada@example.org" && !ada.isEmailVerified)

            // 2. Sign out, then log in with the email address, any letter case.
            #expect(try await browser.submit(form: "/account", to: "/sign-out", []).location == "/?notice=signed_out")
            #expect(try await browser.get("/hello").text == "Hello, stranger")
            let logIn = try await browser.submit(
                form: "/login", to: "/login", [("login", "Ada@Example.org"), ("password", "correct horse battery")])
            #expect(logIn.location == "/account?notice=signed_in", "log-in answered \(logIn.status): \(logIn.text)")
            #expect(try await browser.get("/hello").text == "Hello, ada")
            #expect(try await browser.submit(form: "/account", to: "/sign-out", []).location == "/?notice=signed_out")

            // 3. Someone new registers with Twitter: consent at the sandbox, a pre-filled form, then an account.
            var zoeBrowser = app.browser()
            let arrival = try await zoeBrowser.useTwitter(
                .approve(userID: Self.zoe), sandbox: app.sandboxBase, action: "/register/twitter")
            let detailsPath = try #require(arrival.location, "callback answered \(arrival.status): \(arrival.text)")
            #expect(detailsPath.hasPrefix("/register/details?draft="))
            let form = try await zoeBrowser.get(detailsPath)
            #expect(form.status == 200)
            #expect(form.text.contains("value=\"zoe_angstrom\""), "the username suggested from the screen name")
            #expect(form.text.contains("value=\"zoe@example.com\""), "the address Twitter gave")
            let registered = try await zoeBrowser.post(
                "/register/complete",
                form: [
                    ("csrf_token", try #require(form.hiddenValue("csrf_token"))),
                    ("draft", try #require(form.hiddenValue("draft"))),
                    ("username", "zoe"), ("email", "zoe@example.com"), ("first_name", "Zoë"),
                    ("last_name", "Ångström"),
                ])
            #expect(registered.location == "/account?notice=registered", "complete: \(registered.text)")
            #expect(try await zoeBrowser.get("/hello").text == "Hello, zoe")
            let zoe = try #require(try await app.store.account(twitterUserID: TwitterUserID(Self.zoe)))
            #expect(zoe.username == "zoe" && !zoe.hasPassword && zoe.isEmailVerified)
            #expect(zoe.twitter?.screenName == "zoe_angstrom")
            #expect(try await app.store.credential(for: TwitterUserID(Self.zoe)) != nil, "the access token is kept")
            #expect(try await app.store.accountCount() == 2)

            // 4. Sign out; "Log in with Twitter" as the same person signs in to the same account, no second one.
            #expect(
                try await zoeBrowser.submit(form: "/account", to: "/sign-out", []).location == "/?notice=signed_out")
            let again = try await zoeBrowser.signInWithTwitter(as: Self.zoe, sandbox: app.sandboxBase)
            #expect(again.location == "/account?notice=signed_in", "Twitter log-in: \(again.status) \(again.text)")
            #expect(try await zoeBrowser.get("/hello").text == "Hello, zoe")
            #expect(try await app.store.accountCount() == 2)

            // 5. Ada registers with Twitter with the address of her email account: she proves it is hers with the
            // password, then confirms the link.
            let offer = try await browser.useTwitter(
                .approve(userID: Self.ada), sandbox: app.sandboxBase, action: "/register/twitter")
            let existingPath = try #require(offer.location, "callback answered \(offer.status): \(offer.text)")
            #expect(existingPath.hasPrefix("/register/existing?draft="))
            let wrong = try await browser.submit(
                form: existingPath, to: "/register/existing",
                [("draft", try #require(offer.draft)), ("login", "ada"), ("password", "not her password")])
            #expect(wrong.status == 401, "a wrong password is refused, the draft kept: \(wrong.status)")
            #expect(try await app.store.account(.username("ada"))?.twitter == nil)
            let proven = try await browser.submit(
                form: existingPath, to: "/register/existing",
                [("draft", try #require(offer.draft)), ("login", "ada"), ("password", "correct horse battery")])
            let confirmPath = try #require(proven.location, "sign in to link: \(proven.status) \(proven.text)")
            #expect(confirmPath.hasPrefix("/register/link?draft="))
            let confirm = try await browser.get(confirmPath)
            let linked = try await browser.post(
                "/register/link",
                form: [
                    ("csrf_token", try #require(confirm.hiddenValue("csrf_token"))),
                    ("draft", try #require(confirm.hiddenValue("draft"))),
                ])
            #expect(linked.location == "/account?notice=linked", "link: \(linked.status) \(linked.text)")
            let adaLinked = try #require(try await app.store.account(.username("ada")))
            #expect(adaLinked.id == ada.id && adaLinked.twitter?.userID == TwitterUserID(Self.ada))
            #expect(try await app.store.accountCount() == 2, "linked, not a new account")

            // 6. She unlinks it (she just signed in: no password asked); the token goes from the store, and Twitter
            // (the sandbox) no longer takes it.
            let stored = try #require(try await app.store.credential(for: TwitterUserID(Self.ada)))
            let token = AccessToken(
                token: stored.token, secret: stored.secret.revealed, userID: Self.ada, screenName: "ada")
            #expect(try await app.twitter.verifyCredentials(accessToken: token).screenName == "ada")
            let unlinked = try await browser.submit(form: "/account", to: "/account/twitter/unlink", [])
            #expect(unlinked.location == "/account?notice=unlinked", "unlink: \(unlinked.status) \(unlinked.text)")
            #expect(try await app.store.account(.username("ada"))?.twitter == nil)
            #expect(try await app.store.credential(for: TwitterUserID(Self.ada)) == nil)
            #expect(try await browser.get("/hello").text == "Hello, ada", "unlinking keeps this browser signed in")
            do throws(TwitterError) {
                _ = try await app.twitter.verifyCredentials(accessToken: token)
                Issue.record("the unlinked token still works at Twitter")
            } catch {
                #expect(error.apiErrorCode == 89, "revoked: \(error)")
            }

            // 7. The audit trail of her account, newest first.
            let trail = try await app.store.events(for: ada.id, limit: 50).map(\.kind.rawValue)
            #expect(trail.first == "unlinked")
            for kind in ["created", "signed_in", "linked", "unlinked"] {
                #expect(trail.contains(kind), "\(kind) in \(trail)")
            }
            #expect(trail.contains("sign_in_failed"), "the wrong password of step 5 is recorded: \(trail)")

            // 8. She deletes her account with her password: gone, this browser signed out.
            let deleted = try await browser.submit(
                form: "/account", to: "/account/delete",
                [("confirm", "yes"), ("current_password", "correct horse battery")])
            #expect(deleted.location == "/?notice=account_deleted", "delete: \(deleted.status) \(deleted.text)")
            #expect(try await app.store.account(.id(ada.id)) == nil)
            #expect(try await app.store.accountCount() == 1)
            #expect(try await browser.get("/hello").text == "Hello, stranger")
            let siteTrail = try await app.store.recentEvents(limit: 50)
            #expect(siteTrail.first?.kind == .deleted && siteTrail.first?.subject == ada.id)
            // Its trail stays, newest first, but no longer says who she was on Twitter.
            let kept = try await app.store.events(for: ada.id, limit: 50)
            #expect(kept.first?.kind == .deleted && kept.map(\.kind).contains(.linked))
            #expect(kept.allSatisfy { $0.details["screen_name"] == nil && $0.details["twitter_id"] == nil })

            // 9. Zoë, in her own browser, is still signed in and still herself.
            #expect(try await zoeBrowser.get("/hello").text == "Hello, zoe")
        }
    }
}

extension FreshEmbedderTests {
    /// README "Without Twitter": the same routes made without a `RegistrationService`, driven by the `TestBrowser`.
    @Test func anAppWithoutTwitterCredentialsSignsUpAndLogsInWithEmail() async throws {
        try await EmbeddedApp.run(withTwitter: false) { app in
            var browser = app.browser()
            let home = try await browser.get("/")
            #expect(home.status == 200 && !home.text.contains("Twitter"), "\(home.text)")
            let signUp = try await browser.submit(
                form: "/signup", to: "/signup",
                [("username", "ada"), ("email", "ada@example.org"), ("password", "correct horse battery")])
            #expect(signUp.location == "/account?notice=registered", "sign-up answered \(signUp.status)")
            let account = try await browser.follow(signUp)
            #expect(account.status == 200 && !account.text.contains("Twitter"), "\(account.text)")
            #expect(try await browser.submit(form: "/account", to: "/sign-out", []).location == "/?notice=signed_out")
            let logIn = try await browser.submit(
                form: "/login", to: "/login", [("login", "ada"), ("password", "correct horse battery")])
            #expect(logIn.location == "/account?notice=signed_in", "log-in answered \(logIn.status)")
            #expect(try await browser.get("/hello").text == "Hello, ada")
            // "Log in with Twitter" is a route that does not exist
            let token = try #require(try await browser.get("/account").hiddenValue("csrf_token"))
            #expect(try await browser.post("/login/twitter", form: [("csrf_token", token)]).status == 404)
            #expect(try await browser.get(AccountRoutes.callbackPath).status == 404)
        }
    }
}

/// The app: what README's "Mounting the routes" sample does, on 127.0.0.1 and a free port, with the sandbox in the
/// process as "Twitter sandbox" describes it.
struct EmbeddedApp: Sendable {
    let base: URL
    let store: AccountStore
    let sandboxBase: URL
    /// The app's client of the sandbox.
    let twitter: TwitterClient

    /// The cookies `/cookies-seen` looks for: the app's session, the sandbox's, and another site's.
    static let cookieNames = ["accounts_session", "elsewhere", "twitter_sandbox_session"]

    /// A browser with no cookies, at the app.
    func browser() -> TestBrowser { TestBrowser(baseURL: base) }

    /// Runs `body` with a fresh app and sandbox (one that remembers approvals when `rememberApprovals`), then stops
    /// them. `withTwitter: false`: the routes are made without a `RegistrationService`, as by an app that has no
    /// Twitter credentials yet (the sandbox runs all the same).
    static func run(
        rememberApprovals: Bool = false, withTwitter: Bool = true, _ body: (EmbeddedApp) async throws -> Void
    ) async throws {
        let directory = NSTemporaryDirectory() + "fresh-embedder-" + UUID().uuidString
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: directory) }

        // "Secrets at rest": a keys file, owner-only, one `id:base64` line (what `accounts keys generate` writes).
        let keysFile = directory + "/keys"
        let key = try SecretKey.generate(id: "k1")
        let created = FileManager.default.createFile(
            atPath: keysFile, contents: Data((key.unredactedKeysFileLine() + "\n").utf8),
            attributes: [.posixPermissions: 0o600])
        #expect(created, "the keys file was not written")
        let keyRing = try KeyRing.load(keysFile: keysFile, environment: [:])

        var storeConfiguration = StoreConfiguration(path: directory + "/accounts.sqlite")
        storeConfiguration.schemaPolicy = .applyPendingMigrations
        let store = try AccountStore(configuration: storeConfiguration, keyRing: keyRing)

        let consumer = SandboxConfiguration.generateConsumerCredentials()
        var sandboxConfiguration = SandboxConfiguration(consumer: consumer)
        sandboxConfiguration.rememberApprovals = rememberApprovals
        let sandbox = try TwitterSandbox(configuration: sandboxConfiguration)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                let (sandboxPorts, sandboxReady) = AsyncStream<Int>.makeStream()
                group.addTask {
                    defer { sandboxReady.finish() }
                    try await sandbox.run { port in sandboxReady.yield(port) }
                }
                var sandboxPort = sandboxPorts.makeAsyncIterator()
                let sandboxBase = URL(string: "http://127.0.0.1:\(try #require(await sandboxPort.next()))")!

                // (5 minutes for each call, and for the revocation of an unlinked token, rather than 30 s and 5 s:
                // this sandbox answers on the test process's cooperative pool, which the suites running beside it may
                // hold for longer on a loaded machine)
                let twitter = TwitterClient(consumer: consumer, baseURL: sandboxBase, timeout: .seconds(300))
                // (the routes call Twitter back on the host and port the browser used: this URL is only a fallback)
                var flow = RegistrationService.Configuration(
                    callbackURL: "http://127.0.0.1" + AccountRoutes.callbackPath)
                flow.revocationTimeout = .seconds(300)
                let registration = RegistrationService(store: store, twitter: twitter, configuration: flow)
                var web = AccountRoutes.Configuration()
                web.allowedHosts = ["127.0.0.1"]
                let routes = AccountRoutes(
                    store: store, registration: withTwitter ? registration : nil, local: LocalAccounts(store: store),
                    configuration: web)
                let router = Router(context: AccountsRequestContext.self)
                routes.addRoutes(to: router)
                router.get("/hello") { request, context in
                    let account = try await routes.signedInAccount(request, context: context)
                    return "Hello, \(account?.username ?? "stranger")"
                }
                router.get("/cookies-seen") { request, _ in  // which of the cookies the tests set the app was sent
                    EmbeddedApp.cookieNames.filter { request.cookies[$0] != nil }.joined(separator: " ")
                }
                let (appPorts, appReady) = AsyncStream<Int>.makeStream()
                let application = Application(
                    router: router, server: AccountRoutes.http1Server(connectionsPerClient: 16),
                    configuration: .init(
                        address: .hostname("127.0.0.1", port: 0),
                        availableConnectionsDelegate: AccountRoutes.connectionLimit()),
                    onServerRunning: { channel in appReady.yield(channel.localAddress?.port ?? 0) })
                group.addTask {
                    defer { appReady.finish() }
                    try await application.run()
                }
                var appPort = appPorts.makeAsyncIterator()
                let base = URL(string: "http://127.0.0.1:\(try #require(await appPort.next()))")!
                do {
                    try await body(EmbeddedApp(base: base, store: store, sandboxBase: sandboxBase, twitter: twitter))
                } catch {
                    group.cancelAll()
                    throw error
                }
                group.cancelAll()
                await routes.finishMails()
            }
        } catch {
            try? store.close()
            throw error
        }
        try store.close()
    }
}

extension TestPage {
    /// The `draft` of the redirect's query.
    var draft: String? {
        location.flatMap { URLComponents(string: $0)?.queryItems?.first { $0.name == "draft" }?.value }
    }
}
