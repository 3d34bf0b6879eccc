import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import GRDB
import Registration
import TestSupport
import Testing
import TwitterOAuth
import TwitterSandbox

/// The whole registration flow over real loopback HTTP against the sandbox, on a real database file.
struct RegistrationFlowTests {
    static let zoe: UInt64 = 1_234_567_890_123_456_789
    static let yamada: UInt64 = 9_007_199_254_740_993
    static let ada: UInt64 = 783_214
    static let john: UInt64 = 4_000_000_000_000_000_001
    static let users =
        SandboxUser.builtIn + [
            SandboxUser(id: john, screenName: "johnny", name: "John  Smith ", email: "john@googlemail.com"),
            SandboxUser(id: 42, screenName: "cher", name: "Cher"),
            SandboxUser(id: 43, screenName: "annabakes", name: "Anna Baker | Pastry chef (she/her) 🥐"),
            SandboxUser(id: 44, screenName: "hans", name: "Hans Strasse", email: "STRASSE@example.de"),
            SandboxUser(id: 45, screenName: "annlee", name: "  Ann\u{7}\tMarie Lee  "),
        ]

    struct Context {
        var service: RegistrationService
        var local: LocalAccounts
        var store: AccountStore
        var sandbox: SandboxHarness
        var clock: TestClock
        var directory: String

        /// The browser leg: approve the consent page reached from `url` as `userID`; the callback's query.
        func approve(_ url: URL, as userID: UInt64) async throws -> [String: String] {
            try await consent(url, userID: userID, action: "authorize")
        }

        func cancel(_ url: URL) async throws -> [String: String] {
            try await consent(url, userID: nil, action: "cancel")
        }

        private func consent(_ url: URL, userID: UInt64?, action: String) async throws -> [String: String] {
            let token = try #require(
                URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems?.first { $0.name == "oauth_token" }?
                    .value)
            let page = try await sandbox.browse(url)
            #expect(page.status == 200)
            let redirect = try await sandbox.submitConsent(token: token, userID: userID, action: action)
            let location = try #require(redirect.headerValue("location"))
            let items = URLComponents(string: location)?.queryItems ?? []
            return Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
        }

        /// A service over this flow's store whose Twitter client talks to the sandbox through `transport` (with the
        /// harness's answer timeout: the sandbox answers on the cooperative pool, which other tests may hold a while).
        func service(
            through transport: some HTTPTransport,
            configuration: RegistrationService.Configuration = RegistrationService.Configuration(
                callbackURL: SandboxHarness.callback)
        ) -> RegistrationService {
            RegistrationService(
                store: store,
                twitter: TwitterClient(
                    consumer: sandbox.consumer, baseURL: sandbox.baseURL, transport: transport,
                    timeout: SandboxHarness.answerTimeout),
                configuration: configuration)
        }

        /// Begin + approve + callback, in one browser session.
        func arrive(
            as userID: UInt64, purpose: AuthorizationPurpose = .register, session: String = "browser-1",
            signedInUser: UserID? = nil
        ) async throws -> CallbackOutcome {
            let url = try await service.begin(purpose: purpose, browserSession: session, signedInUser: signedInUser)
            let query = try await approve(url, as: userID)
            return try await service.handleCallback(query: query, browserSession: session)
        }
    }

    /// The sandbox over loopback HTTP, each answer handed to `rewrite` (with the URL asked) before the client reads it.
    struct RewritingTransport: HTTPTransport {
        let inner: AsyncHTTPClientTransport
        let rewrite: @Sendable (URL, inout HTTPTransportResponse) -> Void
        func send(
            method: String, url: URL, headers: [HTTPHeader], body: [UInt8], timeout: Duration,
            maximumResponseBodySize: Int
        ) async throws(TwitterError) -> HTTPTransportResponse {
            var response = try await inner.send(
                method: method, url: url, headers: headers, body: body, timeout: timeout,
                maximumResponseBodySize: maximumResponseBodySize)
            rewrite(url, &response)
            return response
        }
    }

    func withFlow(_ body: (Context) async throws -> Void) async throws {
        let configuration = SandboxConfiguration(
            consumer: SandboxConfiguration.generateConsumerCredentials(), users: Self.users)
        try await SandboxHarness.run(configuration: configuration) { sandbox in
            try await withTemporaryDirectory { dir in
                let clock = TestClock(Date())
                let store = try makeStore(in: dir, now: clock.closure)
                defer { try? store.close() }
                let service = RegistrationService(
                    store: store, twitter: sandbox.client(),
                    configuration: RegistrationService.Configuration(callbackURL: SandboxHarness.callback))
                let local = LocalAccounts(
                    store: store, hasher: PasswordHasher(parameters: .init(log2N: 10, r: 8, p: 1)), failureFloor: .zero)
                try await body(
                    Context(
                        service: service, local: local, store: store, sandbox: sandbox, clock: clock, directory: dir))
            }
        }
    }

    @Test func newPersonGetsAPrefilledDraftAndCompletesInOneTransaction() async throws {
        try await withFlow { flow throws in
            guard case .needsDetails(let draft) = try await flow.arrive(as: Self.zoe) else {
                Issue.record("expected a draft")
                return
            }
            #expect(
                draft.fields == [
                    .username: "zoe_angstrom", .email: "zoe@example.com", .firstName: "Zoë", .lastName: "Ångström",
                ])
            #expect(draft.missing.isEmpty)
            #expect(try await flow.store.accountCount() == 0)

            let outcome = try await flow.service.complete(
                draftID: draft.id,
                form: RegistrationForm(
                    username: "zoe_angstrom", email: "zoe@example.com", firstName: "Zoë", lastName: "Ångström"),
                browserSession: "browser-1")
            guard case .registered(let account) = outcome else {
                Issue.record("expected a registration, got \(outcome)")
                return
            }
            #expect(account.twitter?.userID == TwitterUserID(Self.zoe))
            // The address Twitter gave (confirmed there) was kept: it is confirmed here too
            #expect(account.isEmailVerified && account.emailVerifiedAt == account.createdAt)
            #expect(try flow.store.accountID(twitterUserID: TwitterUserID(Self.zoe)) == account.id)
            #expect(try await flow.store.credential(for: TwitterUserID(Self.zoe)) != nil)
            #expect(try await flow.store.draft(id: draft.id) == nil)
            let raw = String(decoding: try #require(account.twitter?.profileJSON), as: UTF8.self)
            #expect(raw.contains("\"id_str\":\"1234567890123456789\""))
        }
    }

    @Test func draftNamesWhatIsMissingAndSplitsNamesWithCare() async throws {
        try await withFlow { flow throws in
            guard case .needsDetails(let yamada) = try await flow.arrive(as: Self.yamada) else {
                Issue.record("expected a draft")
                return
            }
            // No email from Twitter: it is required and named; family name first in 山田 太郎
            #expect(yamada.missing == [FieldError(.email, "is required")])
            #expect(yamada.fields[.firstName] == "太郎" && yamada.fields[.lastName] == "山田")

            guard case .needsDetails(let cher) = try await flow.arrive(as: 42, session: "browser-2") else {
                Issue.record("expected a draft")
                return
            }
            #expect(cher.fields[.firstName] == "Cher" && cher.fields[.lastName] == nil)

            // A tagline, pronouns and an emoji are no part of the name.
            guard case .needsDetails(let anna) = try await flow.arrive(as: 43, session: "browser-3") else {
                Issue.record("expected a draft")
                return
            }
            #expect(anna.fields[.firstName] == "Anna" && anna.fields[.lastName] == "Baker")

            // A control character is no part of a name (until session 61 a BEL went into the first name, which the
            // form then refused), and a tab parts two words
            guard case .needsDetails(let ann) = try await flow.arrive(as: 45, session: "browser-4") else {
                Issue.record("expected a draft")
                return
            }
            #expect(ann.fields[.firstName] == "Ann Marie" && ann.fields[.lastName] == "Lee", "\(ann.fields)")
        }
    }

    /// An address typed at registration, where Twitter gave none or gave another, is not confirmed: only Twitter's own
    /// (written in any case) is.
    @Test func onlyTheAddressTwitterGaveIsConfirmedAtRegistration() async throws {
        try await withFlow { flow throws in
            guard case .needsDetails(let other) = try await flow.arrive(as: Self.zoe),
                case .registered(let zoe) = try await flow.service.complete(
                    draftID: other.id, form: RegistrationForm(username: "zoe", email: "zoe@elsewhere.org"),
                    browserSession: "browser-1")
            else {
                Issue.record("zoe did not register")
                return
            }
            #expect(!zoe.isEmailVerified && zoe.emailVerifiedAt == nil)
            guard case .needsDetails(let none) = try await flow.arrive(as: 42, session: "browser-2"),
                case .registered(let cher) = try await flow.service.complete(
                    draftID: none.id, form: RegistrationForm(username: "cher", email: "cher@example.org"),
                    browserSession: "browser-2")
            else {
                Issue.record("cher did not register")
                return
            }
            #expect(cher.emailVerifiedAt == nil)
            guard case .needsDetails(let john) = try await flow.arrive(as: Self.john, session: "browser-3"),
                case .registered(let johnny) = try await flow.service.complete(
                    draftID: john.id, form: RegistrationForm(username: "johnny", email: "  John@GoogleMail.com "),
                    browserSession: "browser-3")
            else {
                Issue.record("john did not register")
                return
            }
            #expect(johnny.isEmailVerified)
            // Letter case aside, no folding: Twitter's `strasse@…` does not confirm a typed `straße@…`
            guard case .needsDetails(let strasse) = try await flow.arrive(as: 44, session: "browser-4"),
                case .registered(let typed) = try await flow.service.complete(
                    draftID: strasse.id, form: RegistrationForm(username: "hans", email: "Straße@example.de"),
                    browserSession: "browser-4")
            else {
                Issue.record("hans did not register")
                return
            }
            #expect(!typed.isEmailVerified)
        }
    }

    /// A registration that keeps the address Twitter gave records its confirmation as every other confirmation is
    /// recorded, `email_verified` (`{"method": "twitter"}`), with its `created` and `linked` events; one with a typed
    /// address records none.
    @Test func anAddressConfirmedByTwitterAtRegistrationIsInTheTrail() async throws {
        try await withFlow { flow throws in
            guard case .needsDetails(let kept) = try await flow.arrive(as: Self.zoe),
                case .registered(let zoe) = try await flow.service.complete(
                    draftID: kept.id, form: RegistrationForm(username: "zoe", email: "zoe@example.com"),
                    browserSession: "browser-1"),
                case .needsDetails(let typed) = try await flow.arrive(as: Self.yamada, session: "browser-2"),
                case .registered(let taro) = try await flow.service.complete(
                    draftID: typed.id, form: RegistrationForm(username: "taro", email: "taro@example.org"),
                    browserSession: "browser-2")
            else {
                Issue.record("zoe or taro did not register")
                return
            }
            #expect(zoe.isEmailVerified && !taro.isEmailVerified)
            let events = try await flow.store.events(for: zoe.id)
            #expect(events.map(\.kind) == [.emailVerified, .linked, .created], "\(events.map(\.kind))")
            #expect(events.first?.details == ["method": "twitter"])
            #expect(try await flow.store.events(for: taro.id).map(\.kind) == [.linked, .created])
        }
    }

    /// A username sent with a line break around it (a pasted value) is trimmed as the checks trim it: it registers,
    /// and a taken one is named with the form's other problems at once.
    @Test func aUsernameWithALineBreakAroundItIsTrimmedBeforeEveryCheck() async throws {
        try await withFlow { flow throws in
            _ = try await flow.local.signUp(
                SignUpForm(username: "taken", email: "taken@example.org", password: Secret("a long password 1")))
            guard case .needsDetails(let draft) = try await flow.arrive(as: Self.zoe) else {
                Issue.record("expected a draft")
                return
            }
            let refused = try await flow.service.complete(
                draftID: draft.id, form: RegistrationForm(username: "taken\n", email: "not an address"),
                browserSession: "browser-1")
            guard case .invalid(let errors) = refused else {
                Issue.record("expected field errors, got \(refused)")
                return
            }
            #expect(errors.map(\.field) == [.username, .email])
            #expect(errors.first == FieldError(.username, "is already taken"))
            guard
                case .registered(let zoe) = try await flow.service.complete(
                    draftID: draft.id, form: RegistrationForm(username: "\nzoe_a\r\n", email: "zoe@example.com"),
                    browserSession: "browser-1")
            else {
                Issue.record("zoe did not register")
                return
            }
            #expect(zoe.username == "zoe_a")
        }
    }

    /// The username offered from the screen name looks a bounded number of times for a free one: after `_2` … `_9`, a
    /// random five-digit suffix.
    @Test func theOfferedUsernameIsFoundInABoundedNumberOfLooks() async throws {
        try await withFlow { flow throws in
            for name in ["zoe_angstrom"] + (2...9).map({ "zoe_angstrom_\($0)" }) {
                _ = try await flow.store.createAccount(NewAccount(username: try Username(validating: name)))
            }
            guard case .needsDetails(let draft) = try await flow.arrive(as: Self.zoe) else {
                Issue.record("expected a draft")
                return
            }
            let offered = try #require(draft.fields[.username])
            #expect(offered.wholeMatch(of: /zoe_angstrom_[1-9][0-9]{4}/) != nil, "\(offered)")
        }
    }

    /// A callback opens the secret of its own pending authorization only: another one of the same browser that no
    /// longer opens (sealed under a key dropped since) does not fail it.
    @Test func aCallbackOpensOnlyItsOwnPendingAuthorization() async throws {
        try await withFlow { flow throws in
            let stale = try await flow.service.begin(purpose: .register, browserSession: "browser-1")
            let staleToken = try #require(
                URLComponents(url: stale, resolvingAgainstBaseURL: false)?.queryItems?.first {
                    $0.name == "oauth_token"
                }?.value)
            // (a sealed secret naming a key id the ring does not hold)
            let queue = try DatabaseQueue(path: flow.directory + "/accounts.sqlite")
            try queue.write { db in
                try db.execute(
                    sql: "UPDATE pending_authorizations SET sealed_secret = X'01026b39' || randomblob(44) "
                        + "WHERE request_token = ?", arguments: [staleToken])
            }
            try queue.close()
            guard case .needsDetails = try await flow.arrive(as: Self.zoe) else {
                Issue.record("the callback failed on another pending authorization's secret")
                return
            }
        }
    }

    /// Ada registers through Twitter (as "ada", ada@example.com) in "browser-1".
    static func registerAda(_ flow: Context) async throws -> Account {
        guard case .needsDetails(let draft) = try await flow.arrive(as: ada),
            case .registered(let account) = try await flow.service.complete(
                draftID: draft.id, form: RegistrationForm(username: "ada", email: "ada@example.com"),
                browserSession: "browser-1")
        else { throw AdaNotRegistered() }
        return account
    }

    struct AdaNotRegistered: Error {}

    @Test func returningPersonSignsInWithNoNewAccountAndTheScreenNameIsRefreshed() async throws {
        try await withFlow { flow throws in
            let account = try await Self.registerAda(flow)
            // The person renamed themselves on Twitter since: our copy holds the old name
            let queue = try DatabaseQueue(path: flow.directory + "/accounts.sqlite")
            try queue.write { db in try db.execute(sql: "UPDATE twitter_identities SET screen_name = 'old_name'") }
            try queue.close()

            for purpose in [AuthorizationPurpose.signIn, .register] {
                guard
                    case .signedIn(let again) = try await flow.arrive(
                        as: Self.ada, purpose: purpose, session: "other-browser")
                else {
                    Issue.record("\(purpose) did not sign in")
                    continue
                }
                #expect(again.id == account.id)
                #expect(again.twitter?.screenName == "ada")
            }
            #expect(try await flow.store.accountCount() == 1)
            #expect(try await flow.store.events(for: account.id).first?.kind == .signedIn)
        }
    }

    /// Twitter sign-in to a disabled account restarts, records `sign_in_refused` and nothing else: no session-worthy
    /// outcome, no new credential, no sign-in time (before, it recorded a sign-in and refreshed the credential).
    @Test func aDisabledAccountCannotSignInThroughTwitter() async throws {
        try await withFlow { flow throws in
            // A second tab's draft, made before the first completed
            guard case .needsDetails(let secondTab) = try await flow.arrive(as: Self.ada, session: "browser-1") else {
                Issue.record("no draft")
                return
            }
            let account = try await Self.registerAda(flow)
            let path = flow.directory + "/accounts.sqlite"
            try executeSQL(path, "UPDATE users SET status = 'disabled'")
            // Completing it would sign the account in: refused, as a registration error a web page can show
            await #expect(throws: RegistrationError.accountDisabled) {
                try await flow.service.complete(
                    draftID: secondTab.id, form: RegistrationForm(username: "ada2", email: "ada2@example.com"),
                    browserSession: "browser-1")
            }
            func credentials() throws -> [String] {
                let queue = try DatabaseQueue(path: path)
                defer { try? queue.close() }
                return try queue.read { db in
                    try String.fetchAll(
                        db,
                        sql:
                            "SELECT access_token || quote(sealed_secret) || key_id || updated_at FROM twitter_credentials"
                    )
                }
            }
            let before = try credentials()
            for purpose in [AuthorizationPurpose.signIn, .register] {
                let outcome = try await flow.arrive(as: Self.ada, purpose: purpose, session: "other-browser")
                #expect(outcome == .restart(.accountDisabled), "\(purpose): \(outcome)")
            }
            #expect(try credentials() == before && before.count == 1)
            let events = try await flow.store.events(for: account.id)
            #expect(events.prefix(3).map(\.kind) == [.signInRefused, .signInRefused, .signInRefused])
            #expect(events.first?.details["reason"] == "disabled" && events.first?.details["method"] == "twitter")
            #expect(!events.contains { $0.kind == .signedIn })
            #expect(try await flow.store.account(.id(account.id))?.lastSignInAt == account.lastSignInAt)
        }
    }

    /// A person with an account under j.o.h.n+x@gmail.com arrives through Twitter as john@googlemail.com: recognised,
    /// never linked silently; they sign in with their password, then the link is made.
    @Test func emailMatchNeedsPasswordSignInBeforeLinking() async throws {
        try await withFlow { flow throws in
            let existing = try await flow.local.signUp(
                SignUpForm(username: "john", email: "j.o.h.n+x@gmail.com", password: Secret("john's long password")))
            guard case .matchesExistingAccount(let candidate, let draft) = try await flow.arrive(as: Self.john) else {
                Issue.record("the mailbox match was not recognised")
                return
            }
            #expect(candidate.id == existing.id)
            #expect(try await flow.store.account(.id(existing.id))?.twitter == nil)

            guard
                case .signedIn(let signedIn) = try await flow.local.signIn(
                    login: "john", password: Secret("john's long password"))
            else {
                Issue.record("password sign-in failed")
                return
            }
            let linked = try await flow.service.link(draftID: draft.id, to: signedIn.id, browserSession: "browser-1")
            #expect(linked.id == existing.id && linked.twitter?.userID == TwitterUserID(Self.john))
            #expect(try await flow.store.accountCount() == 1)
        }
    }

    /// Of two accounts sharing the mailbox, the one that can still take a Twitter identity is offered; when every
    /// one holds another Twitter account, the candidate says so (its `twitter` set), and `matchingAccount` looks it
    /// up again for a later page: gone when the account is.
    @Test func theMatchOfferedIsOneThatCanTakeTwitterAndLaterPagesLookItUpAgain() async throws {
        try await withFlow { flow throws in
            let john = try await flow.local.signUp(
                SignUpForm(username: "john", email: "j.o.h.n+x@gmail.com", password: Secret("john's long password")))
            guard
                case .readyToLink(let zoeDraft) = try await flow.arrive(
                    as: Self.zoe, purpose: .link, signedInUser: john.id)
            else {
                Issue.record("expected a link confirmation")
                return
            }
            _ = try await flow.service.link(draftID: zoeDraft.id, to: john.id, browserSession: "browser-1")

            // Only john shares the mailbox, and he holds Zoë's Twitter account
            guard case .matchesExistingAccount(let candidate, let draft) = try await flow.arrive(as: Self.john) else {
                Issue.record("the mailbox match was not recognised")
                return
            }
            #expect(candidate.id == john.id && candidate.twitter?.userID == TwitterUserID(Self.zoe))
            let again = try await flow.service.matchingAccount(draftID: draft.id, browserSession: "browser-1")
            #expect(again?.id == john.id && again?.twitter != nil)
            await #expect(throws: RegistrationError.draftFromOtherBrowserSession) {
                try await flow.service.matchingAccount(draftID: draft.id, browserSession: "another-browser")
            }
            await #expect(throws: RegistrationError.draftNotFound) {
                try await flow.service.matchingAccount(draftID: "no-such-draft", browserSession: "browser-1")
            }

            // A second account of the mailbox without Twitter is preferred
            let second = try await flow.local.signUp(
                SignUpForm(username: "john2", email: "john@gmail.com", password: Secret("john's other password")))
            guard case .matchesExistingAccount(let preferred, _) = try await flow.arrive(as: Self.john, session: "b2")
            else {
                Issue.record("the mailbox match was not recognised")
                return
            }
            #expect(preferred.id == second.id)
            #expect(
                try await flow.service.matchingAccount(draftID: draft.id, browserSession: "browser-1")?.id == second.id)

            // Gone with the accounts
            _ = try await flow.store.deleteAccount(.id(second.id))
            _ = try await flow.store.deleteAccount(.id(john.id))
            #expect(try await flow.service.matchingAccount(draftID: draft.id, browserSession: "browser-1") == nil)
        }
    }

    @Test func linkPurposeLinksTheSignedInAccountAndRefusesAnIdLinkedElsewhere() async throws {
        try await withFlow { flow throws in
            let ann = try await flow.local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Secret("ann's long password")))
            guard
                case .readyToLink(let draft) = try await flow.arrive(as: Self.ada, purpose: .link, signedInUser: ann.id)
            else {
                Issue.record("expected a link confirmation")
                return
            }
            // (a link's draft is not a registration: completing it would make ann a second account)
            let beforeCompletion = try databaseDump(flow.directory + "/accounts.sqlite")
            await #expect(throws: RegistrationError.draftNotFound) {
                try await flow.service.complete(
                    draftID: draft.id, form: RegistrationForm(username: "ada2", email: "ada2@example.org"),
                    browserSession: "browser-1")
            }
            #expect(try databaseDump(flow.directory + "/accounts.sqlite") == beforeCompletion)
            let linked = try await flow.service.link(draftID: draft.id, to: ann.id, browserSession: "browser-1")
            #expect(linked.twitter?.userID == TwitterUserID(Self.ada))

            let bob = try await flow.local.signUp(
                SignUpForm(username: "bob", email: "bob@example.org", password: Secret("bob's long password")))
            let before = try databaseDump(flow.directory + "/accounts.sqlite")
            await #expect(throws: RegistrationError.twitterLinkedToAnotherAccount) {
                try await flow.arrive(as: Self.ada, purpose: .link, session: "bob-browser", signedInUser: bob.id)
            }
            // No identity moved: only the pending authorization was used up
            #expect(try await flow.store.account(.id(bob.id))?.twitter == nil)
            #expect(try await flow.store.account(.id(ann.id))?.twitter?.userID == TwitterUserID(Self.ada))
            let after = try databaseDump(flow.directory + "/accounts.sqlite")
            let changed = Set(after.split(separator: "\n")).symmetricDifference(Set(before.split(separator: "\n")))
            #expect(changed.allSatisfy { $0.contains("request_token") }, "\(changed)")
        }
    }

    /// A link's draft never goes through the registration form (`complete` refuses it, and linking needs none of its
    /// fields): it reports nothing missing, neither from the callback nor read back, so an app that shows
    /// ``DraftView/missing`` does not ask for a username on the confirm step.
    @Test func aLinkDraftReportsNoMissingFields() async throws {
        try await withFlow { flow throws in
            let ann = try await flow.local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Secret("ann's long password")))
            guard
                case .readyToLink(let draft) = try await flow.arrive(as: Self.zoe, purpose: .link, signedInUser: ann.id)
            else {
                Issue.record("expected a link confirmation")
                return
            }
            #expect(draft.missing.isEmpty, "\(draft.missing)")
            let stored = try #require(try await flow.service.draft(draft.id, browserSession: "browser-1"))
            #expect(stored.missing.isEmpty, "\(stored.missing)")
            #expect(stored.linkUser == ann.id)

            // (a registration's draft still names what the form needs: Cher's profile has no email address)
            guard case .needsDetails(let registration) = try await flow.arrive(as: 42, session: "browser-2")
            else {
                Issue.record("expected a registration form")
                return
            }
            #expect(registration.missing.contains { $0.field == .email }, "\(registration.missing)")
        }
    }

    @Test func deniedForgedReplayedExpiredAndOtherSessionCallbacksRestartAndWriteNothing() async throws {
        try await withFlow { flow throws in
            let path = flow.directory + "/accounts.sqlite"
            // Denied at the consent page
            let deniedURL = try await flow.service.begin(purpose: .register, browserSession: "b1")
            let denied = try await flow.cancel(deniedURL)
            var before = try databaseDump(path)
            #expect(try await flow.service.handleCallback(query: denied, browserSession: "b1") == .restart(.denied))
            #expect(try databaseDump(path) == before)

            // Forged: a token nobody issued, and a missing verifier
            #expect(
                try await flow.service.handleCallback(
                    query: ["oauth_token": "forged", "oauth_verifier": "x"], browserSession: "b1")
                    == .restart(.tokenMismatch))
            #expect(
                try await flow.service.handleCallback(
                    query: ["oauth_token": "forged", "oauth_verifier": "x"], browserSession: "fresh")
                    == .restart(.noPendingAuthorization))
            #expect(
                try await flow.service.handleCallback(query: ["oauth_token": "forged"], browserSession: "b1")
                    == .restart(.missingParameter))
            #expect(try databaseDump(path) == before)

            // Another browser session presenting a real callback
            let url = try await flow.service.begin(purpose: .register, browserSession: "b2")
            let query = try await flow.approve(url, as: Self.zoe)
            before = try databaseDump(path)
            #expect(
                try await flow.service.handleCallback(query: query, browserSession: "attacker")
                    == .restart(.otherBrowserSession))
            #expect(try databaseDump(path) == before)

            // Replayed: the first use works, the second restarts
            guard case .needsDetails = try await flow.service.handleCallback(query: query, browserSession: "b2") else {
                Issue.record("the genuine callback failed")
                return
            }
            #expect(try await flow.service.handleCallback(query: query, browserSession: "b2") == .restart(.alreadyUsed))

            // Expired: 15 minutes later the pending authorization is refused
            let lateURL = try await flow.service.begin(purpose: .register, browserSession: "b3")
            let lateQuery = try await flow.approve(lateURL, as: Self.yamada)
            flow.clock.advance(by: 15 * 60 + 1)
            before = try databaseDump(path)
            #expect(try await flow.service.handleCallback(query: lateQuery, browserSession: "b3") == .restart(.expired))
            #expect(try databaseDump(path) == before)
        }
    }

    /// An address with no mailbox left once Gmail's `+tag` is removed is a field error naming the email, the draft
    /// kept, not a store failure.
    @Test func anAddressWithNoMailboxLeftIsAFieldErrorAndTheDraftIsKept() async throws {
        try await withFlow { flow throws in
            guard case .needsDetails(let draft) = try await flow.arrive(as: Self.zoe) else {
                Issue.record("expected a draft")
                return
            }
            let outcome = try await flow.service.complete(
                draftID: draft.id, form: RegistrationForm(username: "zoe", email: "+zoe@gmail.com"),
                browserSession: "browser-1")
            #expect(
                outcome
                    == .invalid([
                        FieldError(.email, "has no mailbox name once the provider's dots and +tag are removed")
                    ]))
            #expect(try await flow.store.accountCount() == 0)
            #expect(try await flow.store.draft(id: draft.id) != nil)
        }
    }

    @Test func validationErrorsComeAllAtOnceThenTheFixedFormCompletesOnce() async throws {
        try await withFlow { flow throws in
            _ = try await flow.local.signUp(
                SignUpForm(username: "taken", email: "taken@example.org", password: Secret("a long password 1")))
            guard case .needsDetails(let draft) = try await flow.arrive(as: Self.zoe) else {
                Issue.record("expected a draft")
                return
            }
            let bad = try await flow.service.complete(
                draftID: draft.id,
                form: RegistrationForm(username: "TAKEN", email: "Taken@Example.org", firstName: "Zo\u{7}ë"),
                browserSession: "browser-1")
            #expect(
                bad
                    == .invalid([
                        FieldError(.username, "is already taken"),
                        FieldError(.email, "already belongs to an account; sign in to it to link Twitter"),
                        FieldError(.firstName, "must not contain control characters"),
                    ]))
            #expect(try await flow.store.accountCount() == 1)

            // From another browser session the draft is refused
            await #expect(throws: RegistrationError.draftFromOtherBrowserSession) {
                try await flow.service.complete(
                    draftID: draft.id, form: RegistrationForm(username: "zoe"), browserSession: "elsewhere")
            }
            let fixed = RegistrationForm(username: "zoe", email: "zoe@example.com")
            guard
                case .registered = try await flow.service.complete(
                    draftID: draft.id, form: fixed, browserSession: "browser-1")
            else {
                Issue.record("the fixed form did not register")
                return
            }
            // A double submit finds the draft gone
            await #expect(throws: RegistrationError.draftNotFound) {
                try await flow.service.complete(draftID: draft.id, form: fixed, browserSession: "browser-1")
            }
            #expect(try await flow.store.accountCount() == 2)
        }
    }

    @Test func aFloodOfBeginsKeepsFiveLivePendingAuthorizations() async throws {
        try await withFlow { flow throws in
            var urls: [URL] = []
            for _ in 0..<12 { urls.append(try await flow.service.begin(purpose: .signIn, browserSession: "flood")) }
            let queue = try DatabaseQueue(path: flow.directory + "/accounts.sqlite")
            let rows = try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM pending_authorizations") }
            try queue.close()
            #expect(rows == 5)
            // The oldest were dropped: their callbacks restart
            let oldest = try await flow.approve(urls[0], as: Self.zoe)
            #expect(
                try await flow.service.handleCallback(query: oldest, browserSession: "flood")
                    == .restart(.tokenMismatch))
            let newest = try await flow.approve(urls[11], as: Self.zoe)
            guard case .needsDetails = try await flow.service.handleCallback(query: newest, browserSession: "flood")
            else {
                Issue.record("the newest begin did not work")
                return
            }
        }
    }

    /// Callbacks replayed at the same moment as the first: one goes on, every other restarts as a replay and none
    /// reaches Twitter (before, one that passed the lookup before the first was consumed exchanged the used token,
    /// was refused by Twitter and came back as Twitter trouble, a 502 page).
    @Test func callbacksRacingWithOneTokenAreOneOutcomeAndReplays() async throws {
        try await withFlow { flow throws in
            let url = try await flow.service.begin(purpose: .register, browserSession: "b")
            let query = try await flow.approve(url, as: Self.zoe)
            let service = flow.service
            let outcomes = await withTaskGroup(of: String.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        do {
                            switch try await service.handleCallback(query: query, browserSession: "b") {
                            case .needsDetails: return "draft"
                            case .restart(.alreadyUsed): return "replay"
                            case let other: return "\(other)"
                            }
                        } catch {
                            return "error \(error)"
                        }
                    }
                }
                return await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(outcomes.sorted() == ["draft"] + Array(repeating: "replay", count: 7), "\(outcomes)")
        }
    }

    /// A callback Twitter refuses (here a forged verifier) is started again, not shown as Twitter trouble, and uses
    /// its pending authorization up: a reload restarts as a replay instead of asking Twitter again.
    @Test func aCallbackTwitterRefusesUsesThePendingAuthorizationUp() async throws {
        try await withFlow { flow throws in
            let url = try await flow.service.begin(purpose: .register, browserSession: "b")
            var query = try await flow.approve(url, as: Self.zoe)
            let verifier = try #require(query["oauth_verifier"])
            query["oauth_verifier"] = String(verifier.reversed())
            #expect(
                try await flow.service.handleCallback(query: query, browserSession: "b") == .restart(.refusedByTwitter))
            #expect(try await flow.store.accountCount() == 0)
            #expect(countQuery(flow.directory + "/accounts.sqlite", "SELECT count(*) FROM registration_drafts") == 0)
            query["oauth_verifier"] = verifier
            #expect(try await flow.service.handleCallback(query: query, browserSession: "b") == .restart(.alreadyUsed))
        }
    }

    /// Twitter's OAuth endpoints refuse a verifier with a 401 whose body is plain text, not a JSON error list: that is
    /// a refusal too, which uses the pending authorization up, not Twitter trouble that gives it back for another try.
    @Test func aPlainTextRefusalOfTheVerifierUsesThePendingAuthorizationUp() async throws {
        try await withFlow { flow throws in
            // (the sandbox's `access_token` refusals answered as Twitter does, in plain text)
            let service = flow.service(
                through: RewritingTransport(inner: flow.sandbox.transport) { url, response in
                    if url.path.hasSuffix("/oauth/access_token") && response.status == 401 {
                        response.headers = [HTTPHeader(name: "content-type", value: "text/plain")]
                        response.body = Array(
                            "Error processing your OAuth request: Invalid oauth_verifier parameter".utf8)
                    }
                })
            let url = try await service.begin(purpose: .register, browserSession: "b")
            var query = try await flow.approve(url, as: Self.zoe)
            let verifier = try #require(query["oauth_verifier"])
            query["oauth_verifier"] = String(verifier.reversed())
            #expect(try await service.handleCallback(query: query, browserSession: "b") == .restart(.refusedByTwitter))
            #expect(try await flow.store.accountCount() == 0)
            #expect(countQuery(flow.directory + "/accounts.sqlite", "SELECT count(*) FROM registration_drafts") == 0)
            query["oauth_verifier"] = verifier
            #expect(try await service.handleCallback(query: query, browserSession: "b") == .restart(.alreadyUsed))
        }
    }

    /// A cache between the app and Twitter keyed on the URL alone (the same `verify_credentials` URL for everyone)
    /// hands over another person's profile: the callback is refused, nothing is linked, signed in or drafted.
    @Test func aProfileForAnotherUserThanTheAccessTokensIsRefused() async throws {
        try await withFlow { flow throws in
            // Given Ada already registered
            guard case .needsDetails(let draft) = try await flow.arrive(as: Self.ada, session: "ada") else {
                Issue.record("expected a draft")
                return
            }
            guard
                case .registered(let ada) = try await flow.service.complete(
                    draftID: draft.id,
                    form: RegistrationForm(username: "ada", email: "ada@example.org", firstName: "Ada", lastName: "L"),
                    browserSession: "ada")
            else {
                Issue.record("Ada did not register")
                return
            }
            // When Zoë signs in through a client whose verify_credentials answers with Ada's profile
            // (`verify_credentials` answering with Ada's profile whoever asks)
            let swapped = flow.service(
                through: RewritingTransport(inner: flow.sandbox.transport) { url, response in
                    if url.path.hasSuffix("verify_credentials.json") {
                        let text = String(decoding: response.body, as: UTF8.self)
                            .replacingOccurrences(
                                of: "\(RegistrationFlowTests.zoe)", with: "\(RegistrationFlowTests.ada)")
                        response.body = Array(text.utf8)
                    }
                })
            let url = try await swapped.begin(purpose: .register, browserSession: "zoe")
            let query = try await flow.approve(url, as: Self.zoe)
            await #expect(
                throws: RegistrationError.twitter(
                    .malformedResponse(
                        "verify_credentials: the profile's id_str is not the user_id the access token was issued for"))
            ) {
                try await swapped.handleCallback(query: query, browserSession: "zoe")
            }
            // Then Ada's account is untouched: no sign-in, no new credential, no draft for Zoë
            let after = try await flow.store.account(.id(ada.id))
            #expect(after?.lastSignInAt == ada.lastSignInAt)
            let kinds = try await flow.store.events(for: ada.id).map(\.kind)
            #expect(kinds == [.emailVerified, .linked, .created], "\(kinds)")
            #expect(try flow.store.accountID(twitterUserID: TwitterUserID(Self.zoe)) == nil)
            #expect(countQuery(flow.directory + "/accounts.sqlite", "SELECT count(*) FROM registration_drafts") == 0)
        }
    }

    /// A begin on a closed store is refused before Twitter is asked: a request token the store could not keep would
    /// spend the app's quota, and hold a shutdown for the round trip.
    @Test func aBeginOnAClosedStoreDoesNotAskTwitter() async throws {
        try await withFlow { flow throws in
            let calls = Locked<[String]>([])
            let service = flow.service(
                through: RewritingTransport(inner: flow.sandbox.transport) { url, _ in
                    calls.withLock { $0.append(url.path) }
                }, configuration: RegistrationService.Configuration(callbackURL: SandboxHarness.callback))
            _ = try await service.begin(purpose: .register, browserSession: "s1")
            #expect(calls.value.count == 1)
            try flow.store.close()

            await #expect(throws: RegistrationError.store(.closed(path: flow.directory + "/accounts.sqlite"))) {
                try await service.begin(purpose: .register, browserSession: "s2")
            }
            #expect(calls.value.count == 1)
            #expect(
                countQuery(flow.directory + "/accounts.sqlite", "SELECT count(*) FROM pending_authorizations") == 1)
        }
    }

    /// Begins over a limit are refused before Twitter is asked: no `request_token` call, no pending authorization;
    /// each client's allowance comes back at its rate, and the site's limit holds whoever asks.
    @Test func beginsOverTheLimitsAreRefusedBeforeTwitterIsAsked() async throws {
        try await withFlow { flow throws in
            let calls = Locked<[String]>([])
            var configuration = RegistrationService.Configuration(callbackURL: SandboxHarness.callback)
            configuration.beginsPerClient = RegistrationService.Rate(3, per: 60)
            configuration.beginsInAll = RegistrationService.Rate(5, per: 100)
            let service = flow.service(
                through: RewritingTransport(inner: flow.sandbox.transport) { url, _ in
                    calls.withLock { $0.append(url.path) }
                }, configuration: configuration)
            let pending = {
                countQuery(flow.directory + "/accounts.sqlite", "SELECT count(*) FROM pending_authorizations")
            }
            let start = flow.clock.now

            // Given three begins from one address, each in a fresh browser session
            for session in ["s1", "s2", "s3"] {
                _ = try await service.begin(purpose: .register, browserSession: session, client: "198.51.100.7")
            }
            #expect(calls.value.count == 3)
            // When a fourth comes from that address
            // Then it is refused, naming when the next may begin (one every 20 s), and Twitter is not asked
            await #expect(throws: RegistrationError.throttled(retryAfter: start.addingTimeInterval(20), scope: .client))
            {
                try await service.begin(purpose: .register, browserSession: "s4", client: "198.51.100.7")
            }
            #expect(calls.value.count == 3)
            #expect(pending() == 3)
            // And the message says when, not who
            let message = RegistrationError.throttled(
                retryAfter: Date(timeIntervalSince1970: 1_800_000_000.2), scope: .client
            ).description
            #expect(message == "too many Twitter sign-ins were started from here; try again after 2027-01-15T08:00:01Z")

            // And another address may still begin; the site's limit then refuses everyone, the new address too
            _ = try await service.begin(purpose: .signIn, browserSession: "t1", client: "203.0.113.9")
            _ = try await service.begin(purpose: .signIn, browserSession: "t2", client: "203.0.113.9")
            await #expect(throws: RegistrationError.throttled(retryAfter: start.addingTimeInterval(20), scope: .site)) {
                try await service.begin(purpose: .register, browserSession: "u1", client: "192.0.2.1")
            }
            #expect(calls.value.count == 5)
            #expect(pending() == 5)

            // When 20 s pass, one more begin is allowed in all (the site's rate), from the first address too
            flow.clock.advance(by: 20)
            _ = try await service.begin(purpose: .register, browserSession: "s5", client: "198.51.100.7")
            await #expect(throws: RegistrationError.self) {
                try await service.begin(purpose: .register, browserSession: "s6", client: "198.51.100.7")
            }
            #expect(calls.value.count == 6)

            // And without a client, the browser session is the client: its own allowance, apart from addresses
            flow.clock.advance(by: 100)
            for _ in 0..<3 { _ = try await service.begin(purpose: .register, browserSession: "no-address") }
            await #expect(
                throws: RegistrationError.throttled(retryAfter: flow.clock.now.addingTimeInterval(20), scope: .client)
            ) {
                try await service.begin(purpose: .register, browserSession: "no-address")
            }
            _ = try await service.begin(purpose: .register, browserSession: "other-browser")
            #expect(calls.value.count == 10)
        }
    }

    /// The limits hold to the begin: a burst of `count` begins whole at any rate and date (a `Date` sum of `count`
    /// intervals can round above the period), a refusal by the site's limit leaves the client's allowance alone, and
    /// a clock set back holds the site for one interval, not for as long as it went back.
    @Test func limitsCountExactlyAndSurviveAClockSetBack() async throws {
        try await withFlow { flow throws in
            let clock = TestClock(Date(timeIntervalSince1970: 1_800_000_000))
            let store = try makeStore(in: flow.directory, name: "limits.sqlite", now: clock.closure)
            defer { try? store.close() }
            func service(perClient: RegistrationService.Rate, inAll: RegistrationService.Rate?) -> RegistrationService {
                var configuration = RegistrationService.Configuration(callbackURL: SandboxHarness.callback)
                configuration.beginsPerClient = perClient
                configuration.beginsInAll = inAll
                return RegistrationService(store: store, twitter: flow.sandbox.client(), configuration: configuration)
            }
            /// "begun", or the scope of the limit that refused it.
            func begin(_ service: RegistrationService, _ client: String) async -> String {
                do {
                    _ = try await service.begin(purpose: .register, browserSession: UUID().uuidString, client: client)
                    return "begun"
                } catch {
                    guard case .throttled(_, let scope) = error else { return "\(error)" }
                    return scope.rawValue
                }
            }

            // Given 3 per 10 s at a date where three 10/3 s intervals add up to a hair over 10 s as Dates
            let thirds = service(perClient: RegistrationService.Rate(3, per: 10), inAll: nil)
            // Then a burst of 3 begins whole, and the 4th is refused
            for _ in 0..<3 { #expect(await begin(thirds, "198.51.100.7") == "begun") }
            #expect(await begin(thirds, "198.51.100.7") == "client")

            // Given 2 per 100 s per client and 2 per 10 s in all, used up by one address
            let limited = service(
                perClient: RegistrationService.Rate(2, per: 100), inAll: RegistrationService.Rate(2, per: 10))
            #expect(await begin(limited, "198.51.100.7") == "begun")
            #expect(await begin(limited, "198.51.100.7") == "begun")
            // When another address is refused by the site's limit, then begins twice as the site allows
            #expect(await begin(limited, "203.0.113.9") == "site")
            clock.advance(by: 5)
            #expect(await begin(limited, "203.0.113.9") == "begun")
            clock.advance(by: 10)
            // Then the refusal took none of its own allowance: its second begin is allowed
            #expect(await begin(limited, "203.0.113.9") == "begun")

            // When the clock is set back an hour, the site's allowance (whole 5 s later) waits 5 s, not an hour
            clock.advance(by: -3600)
            #expect(await begin(limited, "192.0.2.1") == "site")
            clock.advance(by: 5)
            #expect(await begin(limited, "192.0.2.1") == "begun")
        }
    }

    /// The clients of one network share a larger allowance: a person holding many addresses of one network is
    /// held there, before the site's limit; a refusal there takes nothing from the client's own allowance.
    @Test func theClientsOfOneNetworkShareItsLimit() async throws {
        try await withFlow { flow throws in
            var configuration = RegistrationService.Configuration(callbackURL: SandboxHarness.callback)
            configuration.beginsPerClient = RegistrationService.Rate(2, per: 60)
            configuration.beginsPerNetwork = RegistrationService.Rate(3, per: 60)
            configuration.beginsInAll = nil
            let service = RegistrationService(
                store: flow.store, twitter: flow.sandbox.client(), configuration: configuration)
            let pending = {
                countQuery(flow.directory + "/accounts.sqlite", "SELECT count(*) FROM pending_authorizations")
            }
            let start = flow.clock.now
            // Given three clients of one network, one begin each
            for client in ["2001:db8:5:1::/64", "2001:db8:5:2::/64", "2001:db8:5:3::/64"] {
                _ = try await service.begin(
                    purpose: .register, browserSession: client, client: client, network: "2001:db8:5::/48")
            }
            // When a fourth client of that network begins
            // Then the network's limit refuses it (one more every 20 s), and nothing is written
            await #expect(
                throws: RegistrationError.throttled(retryAfter: start.addingTimeInterval(20), scope: .network)
            ) {
                try await service.begin(
                    purpose: .register, browserSession: "s4", client: "2001:db8:5:4::/64", network: "2001:db8:5::/48")
            }
            #expect(pending() == 3)
            #expect(
                RegistrationError.throttled(retryAfter: Date(timeIntervalSince1970: 1_800_000_000), scope: .network)
                    .description
                    == "too many Twitter sign-ins were started from this network; try again after 2027-01-15T08:00:00Z")
            // And another network, or a client given no network, is not held by it
            _ = try await service.begin(
                purpose: .register, browserSession: "s5", client: "2001:db8:6:1::/64", network: "2001:db8:6::/48")
            _ = try await service.begin(purpose: .register, browserSession: "s6", client: "198.51.100.7")
            #expect(pending() == 5)
            // And 20 s on, the refused client begins (its own allowance untouched by the refusal), and then its
            // network is full again
            flow.clock.advance(by: 20)
            _ = try await service.begin(
                purpose: .register, browserSession: "s7", client: "2001:db8:5:4::/64", network: "2001:db8:5::/48")
            await #expect(
                throws: RegistrationError.throttled(retryAfter: start.addingTimeInterval(40), scope: .network)
            ) {
                try await service.begin(
                    purpose: .register, browserSession: "s8", client: "2001:db8:5:4::/64", network: "2001:db8:5::/48")
            }
        }
    }

    @Test func aTwitterFailureBeforeTheAccessTokenLeavesThePendingAuthorizationUsable() async throws {
        try await withFlow { flow throws in
            let url = try await flow.service.begin(purpose: .register, browserSession: "b")
            let query = try await flow.approve(url, as: Self.zoe)
            try await flow.sandbox.failNext(#"{"endpoint": "access_token", "mode": "server_error", "status": 503}"#)
            await #expect(throws: RegistrationError.twitter(.serverError(status: 503))) {
                try await flow.service.handleCallback(query: query, browserSession: "b")
            }
            try await flow.sandbox.failNext(
                #"{"endpoint": "access_token", "mode": "rate_limit", "remaining": 0, "reset": 2000000000}"#)
            do throws(RegistrationError) {
                _ = try await flow.service.handleCallback(query: query, browserSession: "b")
                Issue.record("the rate limit was not reported")
            } catch {
                guard case .twitter(.rateLimited(let limit)) = error else {
                    Issue.record("unexpected \(error)")
                    return
                }
                #expect(limit.remaining == 0 && limit.reset == Date(timeIntervalSince1970: 2_000_000_000))
            }
            guard case .needsDetails = try await flow.service.handleCallback(query: query, browserSession: "b") else {
                Issue.record("the retry did not go through")
                return
            }
        }
    }
}

/// What a draft names as missing when the terms are required, and why a late callback restarts.
extension RegistrationFlowTests {
    /// README, "Drafts": "Required fields (`username` and `email` by default, configurable, plus optional terms) that
    /// are empty or invalid are listed in `draft.missing`." With `requiresTerms` the draft must name the terms, which
    /// `complete` will refuse until they are accepted: otherwise the form a draft describes is not the one that
    /// completes.
    @Test func aDraftOfAServiceThatRequiresTermsNamesThemAsMissing() async throws {
        try await withFlow { flow throws in
            var configuration = RegistrationService.Configuration(callbackURL: SandboxHarness.callback)
            configuration.requiresTerms = true
            let service = RegistrationService(
                store: flow.store, twitter: flow.sandbox.client(), configuration: configuration)
            let url = try await service.begin(purpose: .register, browserSession: "terms-browser")
            let query = try await flow.approve(url, as: Self.zoe)
            guard
                case .needsDetails(let draft) = try await service.handleCallback(
                    query: query, browserSession: "terms-browser")
            else {
                Issue.record("expected a draft")
                return
            }
            // Everything Twitter gave is valid: only the terms are still needed, and complete says so
            let outcome = try await service.complete(
                draftID: draft.id,
                form: RegistrationForm(
                    username: draft.fields[.username] ?? "", email: draft.fields[.email] ?? "",
                    firstName: draft.fields[.firstName] ?? "", lastName: draft.fields[.lastName] ?? ""),
                browserSession: "terms-browser")
            #expect(outcome == .invalid([FieldError(.terms, "must be accepted")]))
            #expect(
                draft.missing.contains { $0.field == .terms },
                "draft.missing is \(draft.missing): the terms complete refuses are not named")
        }
    }

    /// README, "handleCallback": an expired pending authorization restarts as `.expired` ("That sign-in with Twitter
    /// took too long"). Every `begin`, anyone's, deletes the expired pending authorizations of every browser first, so
    /// on a site where someone else began a sign-in meanwhile the late callback restarts as
    /// `no_pending_authorization`, with the generic message.
    @Test func aLateCallbackRestartsAsExpiredAfterSomeoneElseBegan() async throws {
        try await withFlow { flow throws in
            let lateURL = try await flow.service.begin(purpose: .register, browserSession: "slow-browser")
            let lateQuery = try await flow.approve(lateURL, as: Self.yamada)
            flow.clock.advance(by: 15 * 60 + 1)
            // Someone else, in another browser, begins a sign-in
            _ = try await flow.service.begin(purpose: .signIn, browserSession: "another-browser")

            let outcome = try await flow.service.handleCallback(query: lateQuery, browserSession: "slow-browser")
            #expect(outcome == .restart(.expired))
        }
    }
}
