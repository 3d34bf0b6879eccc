import AccountCrypto
import AccountMatching
import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Registration
import TwitterOAuth
import TwitterSandbox

/// What an embedding app pays on every request or sign-in, through `AccountRoutes` on Hummingbird's in-process router
/// (no sockets on the app's side), in stores of `--web-sizes` accounts (100 and 100,000 by default; each account with a
/// password, a live session and five audit events; a third linked to Twitter): resolving a session cookie to an account
/// (`browserSession(tokenHash:)` alone, then `GET /whoami` through `signedInAccount`), the account page, a password
/// log-in (`POST /login`, scrypt at N = 2, so that the store's work shows; the store at its configured `synchronous`
/// level, FULL by default), `LocalAccounts.signIn` alone, a Twitter sign-in through the sandbox on 127.0.0.1 (`POST
/// /login/twitter`, the consent, then the timed `GET` of the callback), a new session over a backlog of expired ones,
/// and opening and closing the store (`--web-parts` picks some: lookup, ping, whoami, home, account, login, signin,
/// twitter, open, backlog). Latencies in µs (p50 and p99 of every request timed) and the process's CPU time per request
/// (all threads; on a shared machine it moves much less than the wall time).
struct WebBenchmark {
    static let password = "correct horse battery staple"
    /// Sessions whose expiry has passed, left behind before the sign-ins of the backlog rows.
    static let expiredBacklog = 100_000

    func run(in context: BenchContext) async throws -> [Row] {
        var rows: [Row] = []
        let perStore = ["lookup", "ping", "whoami", "home", "account", "login", "signin", "twitter", "open"]
        for accounts in context.webSizes where perStore.contains(where: context.wants) {
            rows += try await measure(accounts: accounts, in: context)
        }
        if context.wants("backlog") { rows += try await sessionsOverBacklog(in: context) }
        return rows
    }

    // MARK: - One store

    private func measure(accounts: Int, in context: BenchContext) async throws -> [Row] {
        let path = context.freshPath("web-\(accounts).sqlite")
        var configuration = StoreConfiguration(path: path)
        configuration.synchronous = context.webSynchronous
        context.progress("web: seeding \(accounts) accounts, sessions and events")
        _ = try AccountStore.migrate(configuration)
        let hasher = PasswordHasher(parameters: .init(log2N: 1, r: 1, p: 1))
        let seeded = try Self.seed(
            path: path, accounts: accounts, passwordHash: try hasher.hash(password: Self.password))
        let store = try AccountStore(configuration: configuration, keyRing: try context.keyRing())
        defer { try? store.close() }
        let scale = "\(accounts) accounts"
        let requests = context.webRequests
        var generator = Fixtures.Generator(state: 17)
        var rows: [Row] = []

        // The store's part of every request: the session row and its account.
        if context.wants("lookup") {
            let hashes = (0..<requests).map { _ in BrowserSessionsBench.hash(seeded.randomSessionID(using: &generator))
            }
            let lookups = try await Self.timed(hashes, warmup: 200) { hash in
                try await store.browserSession(tokenHash: hash) != nil
            }
            rows += Self.percentiles("session lookup (µs), \(scale)", lookups, note: "browserSession(tokenHash:)")
        }

        try await withSandbox { sandbox, transport in
            let registration = RegistrationService(
                store: store,
                twitter: TwitterClient(consumer: sandbox.consumer, baseURL: sandbox.baseURL, transport: transport),
                configuration: Self.registrationConfiguration())
            let local = LocalAccounts(store: store, hasher: hasher, failureFloor: .zero)
            var routesConfiguration = AccountRoutes.Configuration()
            routesConfiguration.logInsPerClient = nil
            routesConfiguration.logInsPerNetwork = nil
            let routes = AccountRoutes(
                store: store, registration: registration, local: local, configuration: routesConfiguration)
            let router = Router(context: AccountsRequestContext.self)
            routes.addRoutes(to: router)
            router.get("/ping") { _, _ in "pong" }
            router.get("/whoami") { request, context in
                try await routes.signedInAccount(request, context: context)?.username ?? "nobody"
            }
            let application = Application(router: router)
            rows += try await application.test(.router) { client in
                var generator = Fixtures.Generator(state: 19)
                var rows: [Row] = []
                func get(_ uri: String, cookie: String?) async throws -> TestResponse {
                    var headers: HTTPFields = [.accept: "text/html"]
                    if let cookie { headers[.cookie] = "accounts_session=" + cookie }
                    return try await client.execute(uri: uri, method: .get, headers: headers)
                }
                func signedIn(_ uri: String, expect marker: String) async throws -> Timing {
                    let ids = (0..<requests).map { _ in seeded.randomSessionID(using: &generator) }
                    return try await Self.timed(ids, warmup: 100) { id in
                        let response = try await get(uri, cookie: id)
                        return response.status == .ok && String(buffer: response.body).contains(marker)
                    }
                }
                if context.wants("ping") {
                    let empty = try await Self.timed(Array(repeating: "", count: requests), warmup: 100) { _ in
                        try await get("/ping", cookie: nil).status == .ok
                    }
                    rows += Self.percentiles(
                        "GET /ping (µs), \(scale)", empty, note: "the in-process router's own cost (an empty route)")
                }
                if context.wants("whoami") {
                    let whoami = try await signedIn("/whoami", expect: "u")
                    rows += Self.percentiles(
                        "GET /whoami signed in (µs), \(scale)", whoami, note: "signedInAccount: cookie to account")
                }
                if context.wants("home") {
                    let home = try await Self.timed(Array(repeating: "", count: requests), warmup: 100) { _ in
                        try await get("/", cookie: nil).status == .ok
                    }
                    rows += Self.percentiles("GET / anonymous (µs), \(scale)", home, note: "no row read or written")
                }
                if context.wants("account") {
                    let account = try await signedIn("/account", expect: "Recent activity")
                    rows += Self.percentiles(
                        "GET /account (µs), \(scale)", account, note: "5 events, 1 session, rendered")
                }

                // Password log-in: a fresh visitor each time, so the session rotation and device are a first sign-in's.
                let logins = (0..<max(1, requests / 2)).map { _ in seeded.randomUsername(using: &generator) }
                if context.wants("login") {
                    let logInTimes = try await Self.timed(logins, warmup: 20) { login in
                        let visitor = "v" + SecureRandom.hexString(count: 32)
                        let csrf = SHA256.hexDigest(Array("accounts/anonymous-csrf/v1:\(visitor)".utf8))
                        var headers: HTTPFields = [
                            .contentType: "application/x-www-form-urlencoded", .cookie: "accounts_session=" + visitor,
                            .userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
                        ]
                        headers[.accept] = "text/html"
                        let body = "csrf_token=\(csrf)&login=\(login)&password=correct+horse+battery+staple"
                        let response = try await client.execute(
                            uri: "/login", method: .post, headers: headers, body: ByteBuffer(string: body))
                        return response.status == .seeOther
                            && response.headers[.location] == "/account?notice=signed_in"
                    }
                    rows += Self.percentiles(
                        "POST /login (µs), \(scale)", logInTimes,
                        note: "scrypt N=2; store at synchronous=\(context.webSynchronous.rawValue)")
                }
                if context.wants("signin") {
                    let signIns = try await Self.timed(logins, warmup: 20) { login in
                        if case .signedIn = try await local.signIn(login: login, password: Secret(Self.password)) {
                            return true
                        }
                        return false
                    }
                    rows += Self.percentiles("LocalAccounts.signIn (µs), \(scale)", signIns, note: "scrypt N=2")
                }

                // A Twitter sign-in of a linked account: begin, the sandbox's consent, the callback (timed).
                if context.wants("twitter") {
                    let twitterRounds = max(1, requests / 6)
                    var begins: [Double] = []
                    var callbacks: [Double] = []
                    var cpu = 0.0
                    for round in 0..<(twitterRounds + 10) {
                        let user = SandboxUser.builtIn[round % SandboxUser.builtIn.count].id
                        let visitor = "v" + SecureRandom.hexString(count: 32)
                        let csrf = SHA256.hexDigest(Array("accounts/anonymous-csrf/v1:\(visitor)".utf8))
                        var headers: HTTPFields = [
                            .contentType: "application/x-www-form-urlencoded", .cookie: "accounts_session=" + visitor,
                        ]
                        let cpuBefore = Self.cpuMicroseconds()
                        let beginStart = Measure.now()
                        let begin = try await client.execute(
                            uri: "/login/twitter", method: .post, headers: headers,
                            body: ByteBuffer(string: "csrf_token=\(csrf)"))
                        let beginTime = Double(Measure.now() - beginStart) / 1000
                        guard begin.status == .seeOther, let authorize = begin.headers[.location],
                            let token = URLComponents(string: authorize)?.queryItems?.first(where: {
                                $0.name == "oauth_token"
                            })?.value
                        else { throw BenchError.mismatch("POST /login/twitter answered \(begin.status)") }
                        let consent = try await transport.send(
                            method: "POST", url: sandbox.baseURL.appending(path: "oauth/authorize"),
                            headers: [HTTPHeader(name: "Content-Type", value: "application/x-www-form-urlencoded")],
                            body: Array("oauth_token=\(token)&action=authorize&user_id=\(user)".utf8),
                            timeout: .seconds(30), maximumResponseBodySize: 1 << 20)
                        guard let callback = consent.headerValue("location").flatMap(URL.init(string:)) else {
                            throw BenchError.mismatch("the sandbox's consent answered \(consent.status)")
                        }
                        headers = [.cookie: "accounts_session=" + visitor, .accept: "text/html"]
                        let callbackStart = Measure.now()
                        let arrival = try await client.execute(
                            uri: callback.path + "?" + (callback.query ?? ""), method: .get, headers: headers)
                        let callbackTime = Double(Measure.now() - callbackStart) / 1000
                        if round >= 10 { cpu += Self.cpuMicroseconds() - cpuBefore }
                        guard arrival.status == .seeOther, arrival.headers[.location]?.hasPrefix("/account") == true
                        else {
                            throw BenchError.mismatch("the Twitter callback answered \(arrival.status)")
                        }
                        if round >= 10 {
                            begins.append(beginTime)
                            callbacks.append(callbackTime)
                        }
                    }
                    rows += Self.percentiles(
                        "POST /login/twitter (µs), \(scale)",
                        Timing(times: begins.sorted(), cpuPerRequest: cpu / Double(twitterRounds)),
                        note:
                            "request_token from the sandbox on 127.0.0.1, pending authorization saved; CPU: the whole "
                            + "round (begin, consent, callback), sandbox included")
                    rows += Self.percentiles(
                        "Twitter callback to signed in (µs), \(scale)",
                        Timing(times: callbacks.sorted(), cpuPerRequest: cpu / Double(twitterRounds)),
                        note: "access_token and verify_credentials from the sandbox, recordTwitterSignIn, session")
                }
                return rows
            }
        }

        // Opening and closing the store (a CLI command, an app's start).
        if context.wants("open") {
            let opens = try await Self.timed(Array(repeating: 0, count: 25), warmup: 1) { _ in
                let other = try AccountStore(configuration: configuration, keyRing: try context.keyRing())
                try other.close()
                return true
            }
            rows += Self.percentiles("store open + close (µs), \(scale)", opens, note: "25 rounds")
        }
        return rows
    }

    /// New signed-in sessions (what every sign-in writes) with and without 100,000 expired sessions left to clear.
    private func sessionsOverBacklog(in context: BenchContext) async throws -> [Row] {
        var rows: [Row] = []
        for backlog in [0, Self.expiredBacklog] {
            let path = context.freshPath("backlog-\(backlog).sqlite")
            var configuration = StoreConfiguration(path: path)
            configuration.synchronous = context.webSynchronous
            _ = try AccountStore.migrate(configuration)
            let seeded = try Self.seed(path: path, accounts: 1000, passwordHash: "x")
            let start = Date()
            if backlog > 0 {
                context.progress("web: \(backlog) expired sessions")
                let queue = try DatabaseQueue(path: path)
                try await queue.write { db in
                    try db.execute(
                        sql: """
                            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
                            INSERT INTO browser_sessions (token_hash, user_id, csrf_token, created_at, last_seen_at,
                                idle_expires_at, expires_at)
                            SELECT printf('e%063x', i), 1 + i % ?, 'x', 1, 1, 2 + i, 1000000000 + i FROM n
                            """, arguments: [backlog, seeded.accounts])
                }
                try queue.close()
            }
            let store = try AccountStore(configuration: configuration, keyRing: try context.keyRing())
            defer { try? store.close() }
            var generator = Fixtures.Generator(state: 23)
            let users = (0..<500).map { _ in seeded.randomUserID(using: &generator) }
            let times = try await Self.timed(users, warmup: 20) { user in
                let id = SecureRandom.hexString(count: 32)
                return try await store.replaceBrowserSession(
                    nil,
                    with: BrowserSession(
                        tokenHash: BrowserSessionsBench.hash(id), user: user, csrfToken: "c", createdAt: start,
                        lastSeenAt: start, idleExpiresAt: start.addingTimeInterval(3600),
                        expiresAt: start.addingTimeInterval(43_200)))
            }
            rows += Self.percentiles(
                "new session, \(backlog) expired left (µs)", times,
                note: "replaceBrowserSession (clears up to 64 expired); 520 sessions")
        }
        return rows
    }

    // MARK: - Helpers

    static func registrationConfiguration() -> RegistrationService.Configuration {
        var configuration = RegistrationService.Configuration(callbackURL: "http://localhost/register/twitter/callback")
        configuration.beginsPerClient = nil
        configuration.beginsPerNetwork = nil
        configuration.beginsInAll = nil
        return configuration
    }

    struct Sandbox: Sendable {
        var baseURL: URL
        var consumer: ConsumerCredentials
    }

    /// Runs `body` with the Twitter sandbox listening on 127.0.0.1 (the built-in users) and a transport to it.
    private func withSandbox(_ body: (Sandbox, AsyncHTTPClientTransport) async throws -> Void) async throws {
        let consumer = SandboxConfiguration.generateConsumerCredentials()
        let sandbox = try TwitterSandbox(
            configuration: SandboxConfiguration(consumer: consumer),
            logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { continuation.finish() }
                try await sandbox.run { port in continuation.yield(port) }
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw BenchError.mismatch("the sandbox did not start") }
            do {
                try await AsyncHTTPClientTransport.withTransport { transport in
                    try await body(
                        Sandbox(baseURL: URL(string: "http://127.0.0.1:\(port)")!, consumer: consumer), transport)
                }
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    /// What ``seed(path:accounts:passwordHash:)`` wrote: `u<i>` accounts 1…`accounts`, session ids `s(i)`.
    struct Seeded {
        var accounts: Int

        static func sessionID(_ index: Int) -> String {
            let hex = String(index, radix: 16)
            return String(repeating: "0", count: 64 - hex.count) + hex
        }

        static func publicID(_ index: Int) -> String {
            let hex = String(index, radix: 16)
            return "00000000-0000-4000-8000-" + String(repeating: "0", count: 12 - hex.count) + hex
        }

        func randomIndex(using generator: inout Fixtures.Generator) -> Int {
            Int.random(in: 1...accounts, using: &generator)
        }

        func randomSessionID(using generator: inout Fixtures.Generator) -> String {
            Self.sessionID(randomIndex(using: &generator))
        }

        func randomUsername(using generator: inout Fixtures.Generator) -> String {
            "u\(randomIndex(using: &generator))"
        }

        func randomUserID(using generator: inout Fixtures.Generator) -> UserID {
            UserID(uncheckedRawValue: Self.publicID(randomIndex(using: &generator)))
        }
    }

    /// Writes `accounts` accounts with `passwordHash`, each with a live session (id ``Seeded/sessionID(_:)``) and
    /// five `signed_in` events, every third linked to a Twitter id; the sandbox's built-in users are linked to the
    /// first accounts.
    static func seed(path: String, accounts: Int, passwordHash: String) throws -> Seeded {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let hour: Int64 = 3_600_000_000
        try queue.write { db in
            try db.execute(
                sql: """
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
                    INSERT INTO users (id, public_id, username, email, email_key, email_mailbox, email_rules_version,
                        first_name, last_name, password_hash, status, created_at, updated_at)
                    SELECT i, printf('00000000-0000-4000-8000-%012x', i), 'u' || i, 'u' || i || '@example.org',
                        'u' || i || '@example.org', 'u' || i || '@example.org', ?2, 'First', 'Last', ?3, 'active',
                        ?4, ?4 FROM n
                    """, arguments: [accounts, Mailbox.rulesVersion, passwordHash, now - 48 * hour])
            try db.execute(
                sql: """
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
                    INSERT INTO twitter_identities (user_id, twitter_user_id, screen_name, display_name, linked_at,
                        last_seen_at)
                    SELECT i, CAST(1000000 + i AS TEXT), 's' || i, 'Name ' || i, ?2, ?2 FROM n WHERE i % 3 = 0
                    """, arguments: [accounts, now - 48 * hour])
            for (index, user) in SandboxUser.builtIn.enumerated() {
                try db.execute(
                    sql: "DELETE FROM twitter_identities WHERE user_id = ? OR twitter_user_id = ?",
                    arguments: [index + 1, String(user.id)])
                try db.execute(
                    sql: """
                        INSERT INTO twitter_identities (user_id, twitter_user_id, screen_name, display_name, linked_at,
                            last_seen_at) VALUES (?, ?, ?, ?, ?, ?)
                        """, arguments: [index + 1, String(user.id), user.screenName, user.name, now, now])
            }
            // Last used a day ahead: no request of the run is due to write the session's last use back (the
            // `touch` rows measure that write).
            let insert = try db.makeStatement(
                sql: """
                    INSERT INTO browser_sessions (token_hash, user_id, csrf_token, created_at, last_seen_at,
                        idle_expires_at, expires_at, device)
                    VALUES (?, ?, 'csrf', ?, ?, ?, ?, 'Firefox on Linux')
                    """)
            for index in 1...accounts {
                try insert.execute(arguments: [
                    BrowserSessionsBench.hash(Seeded.sessionID(index)), index, now, now + 24 * hour, now + 48 * hour,
                    now + 48 * hour,
                ])
            }
            try db.execute(
                sql: """
                    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 * 5 - 1)
                    INSERT INTO account_events (subject, kind, actor, details, occurred_at)
                    SELECT printf('00000000-0000-4000-8000-%012x', 1 + i % ?1), 'signed_in', 'user',
                        '{"method": "password"}', ?2 - i FROM n
                    """, arguments: [accounts, now - hour])
        }
        return Seeded(accounts: accounts)
    }

    /// What one row measured: each request's wall time (µs, sorted) and the process's CPU time (user and system,
    /// all threads) per request, which the other processes on a shared machine disturb much less.
    struct Timing {
        var times: [Double]
        var cpuPerRequest: Double
    }

    /// p50 and p99 rows of `timing`'s wall times, and a row of its CPU time per request.
    static func percentiles(_ metric: String, _ timing: Timing, note: String? = nil) -> [Row] {
        [
            Row(
                metric.replacing("(µs)", with: "p50 (µs)"), better: .lower, ours: Measure.percentile(timing.times, 0.5),
                note: note),
            Row(
                metric.replacing("(µs)", with: "p99 (µs)"), better: .lower, ours: Measure.percentile(timing.times, 0.99)
            ),
            Row(metric.replacing("(µs)", with: "CPU per request (µs)"), better: .lower, ours: timing.cpuPerRequest),
        ]
    }

    /// The process's CPU time so far (user and system), in µs.
    static func cpuMicroseconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
    }

    /// Each input run through `body` after `warmup` untimed ones, timed one by one.
    static func timed<Input>(
        _ inputs: [Input], warmup: Int, _ body: (Input) async throws -> Bool
    ) async throws -> Timing {
        for input in inputs.prefix(warmup) { _ = try await body(input) }
        var times: [Double] = []
        times.reserveCapacity(inputs.count)
        let cpu = cpuMicroseconds()
        for input in inputs {
            let begin = Measure.now()
            let ok = try await body(input)
            times.append(Double(Measure.now() - begin) / 1000)
            guard ok else { throw BenchError.mismatch("a timed request did not do its work") }
        }
        return Timing(times: times.sorted(), cpuPerRequest: (cpuMicroseconds() - cpu) / Double(inputs.count))
    }
}

/// The session ids' hashes as `BrowserSessions` keeps them.
enum BrowserSessionsBench {
    static func hash(_ id: String) -> String {
        SHA256.hexDigest(Array(id.utf8))
    }
}
