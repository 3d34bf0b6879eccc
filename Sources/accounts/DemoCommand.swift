import AccountCrypto
import AccountModel
import AccountStore
import AccountTransfer
import AccountsHummingbird
import ArgumentParser
import DuplicateDetection
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Registration
import Synchronization
import TwitterOAuth
import TwitterSandbox

/// `accounts demo [--port P] [--twitter-api-base URL] [--users FILE] [--client-address-header NAME]
/// [--trusted-proxy RANGE …] [--allowed-host NAME …]`
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the web demo: register and sign in with Twitter (or the built-in sandbox) in a browser.",
        discussion: """
            Serves the AccountsHummingbird pages on 127.0.0.1 over the --database file, which it creates or migrates. \
            Without --twitter-api-base it also starts the Twitter sandbox on a free loopback port, with consumer \
            credentials it makes for itself; with it, it talks to that server using TWITTER_CONSUMER_KEY and \
            TWITTER_CONSUMER_SECRET. Without ACCOUNTS_KEYS or a keys file it makes a development key file beside the \
            database (mode 0600). Prints one line http://127.0.0.1:PORT/ on stdout when ready; everything else goes to \
            stderr. Stops on Ctrl-C or SIGTERM. Answers only requests for 127.0.0.1, localhost, [::1] and the host \
            names given with --allowed-host (421 to any other).
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, parsing: .unconditional, help: "The port of the web app on 127.0.0.1 (0 picks a free one).")
    var port = 8080

    @Option(
        name: .customLong("twitter-api-base"),
        help: ArgumentHelp(
            "Talk to this Twitter-compatible server instead of starting the sandbox (needs TWITTER_CONSUMER_KEY and "
                + "TWITTER_CONSUMER_SECRET).", valueName: "url"))
    var twitterAPIBase: String?

    @Option(
        name: .long, help: ArgumentHelp("A JSON file of fake users for the sandbox (see README).", valueName: "file"))
    var users: String?

    @Option(
        name: .customLong("client-address-header"),
        help: ArgumentHelp(
            "Count Twitter sign-ins begun and password reset links asked for by the address in this header of a "
                + "proxy in front (X-Forwarded-For, Forwarded), not by the peer's.", valueName: "name"))
    var clientAddressHeader: String?

    @Option(
        name: .customLong("trusted-proxy"),
        help: ArgumentHelp(
            "A proxy whose --client-address-header is believed, as an address or range (127.0.0.1, 10.0.0.0/8); "
                + "may be repeated.", valueName: "range"))
    var trustedProxies: [String] = []

    @Option(
        name: .customLong("allowed-host"),
        help: ArgumentHelp(
            "A host name the demo also answers under besides 127.0.0.1, localhost and [::1], such as the public name "
                + "of a proxy in front that passes the browser's Host (lowercase, no port); may be repeated.",
            valueName: "name"))
    var allowedHosts: [String] = []

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0…65535, not \(port)") }
        if users?.isEmpty == true {
            throw ValidationError("--users is empty (an unset shell variable?): give a users file, or leave it out")
        }
        if let clientAddressHeader, HTTPField.Name(clientAddressHeader) == nil {
            throw ValidationError("--client-address-header \"\(clientAddressHeader)\" is no HTTP header name")
        }
        if !trustedProxies.isEmpty && clientAddressHeader == nil {
            throw ValidationError("--trusted-proxy says whose --client-address-header to believe: give that too")
        }
        for host in allowedHosts where !AccountRoutes.isValidAllowedHost(host) {
            throw ValidationError(
                "--allowed-host \"\(host)\" is no host name as requests name it: write it lowercase and without a "
                    + "port, such as accounts.example.org ([::1] for an IPv6 address)")
        }
        for range in trustedProxies {
            do {
                _ = try AccountRoutes.AddressRange(range)
            } catch {
                throw ValidationError("--trusted-proxy: \(error)")
            }
        }
        guard let twitterAPIBase else { return }
        if let problem = Self.apiBaseProblem(twitterAPIBase, shownToBrowsers: true) { throw ValidationError(problem) }
        if users != nil {
            throw ValidationError("--users is for the built-in sandbox; it cannot be combined with --twitter-api-base")
        }
        if Self.environmentConsumer() == nil {
            throw ValidationError(
                "--twitter-api-base needs TWITTER_CONSUMER_KEY and TWITTER_CONSUMER_SECRET set in the environment")
        }
    }

    func run() async throws {
        let plan = try twitterPlan()
        var storeConfiguration = global.storeConfiguration()
        storeConfiguration.schemaPolicy = .applyPendingMigrations
        // (the store's warnings on stderr with the app's: a keys file not taken, a token that cannot be revoked)
        storeConfiguration.logger = Logger(label: "accounts.store")
        // The database's history first, read-only (a dry run): a file this build cannot open (a newer build's, an
        // edited history) is refused before the development key file is made beside it.
        if FileManager.default.fileExists(atPath: global.databasePath) {
            do throws(StoreError) {
                _ = try AccountStore.migrate(storeConfiguration, dryRun: true)
            } catch .interruptedWrite {
                // (a hot journal, which only a writer rolls back: the store does, as it opens, and checks then)
            } catch {
                throw fail(error)
            }
        }
        let keyRing = try demoKeyRing()
        let store: AccountStore
        do {
            store = try AccountStore(configuration: storeConfiguration, keyRing: keyRing)
        } catch {
            throw fail(error)
        }
        defer { try? store.close() }
        printMessage("database \(global.databasePath) is migrated and open")

        let port = port
        let logger = Logger(label: "accounts.demo")
        do {
            try await serve(plan: plan, store: store, port: port, logger: logger)
        } catch let error as IOError where SandboxCommand.isBindFailure(error) {
            printError(SandboxCommand.cannotListen(on: port, error))
            throw ExitCode(ExitStatus.operationalFailure)
        }
        printMessage("demo stopped")
    }

    /// Runs the sandbox (when planned) and the app until a signal, or until either stops.
    func serve(plan: TwitterPlan, store: AccountStore, port: Int, logger: Logger) async throws {
        try await runUntilSignalled {
            try await withThrowingTaskGroup(of: Void.self) { group in
                let twitterBase: URL
                let consumer: ConsumerCredentials
                switch plan {
                case .external(let base, let credentials):
                    twitterBase = base
                    consumer = credentials
                    printMessage("using the Twitter API at \(base.absoluteString)")
                case .sandbox(let sandbox):
                    let (ports, continuation) = AsyncStream<Int>.makeStream()
                    group.addTask {
                        defer { continuation.finish() }
                        try await sandbox.run { port in continuation.yield(port) }
                    }
                    var iterator = ports.makeAsyncIterator()
                    guard let sandboxPort = await iterator.next() else {
                        try await group.next()
                        throw CancellationError()
                    }
                    twitterBase = URL(string: "http://127.0.0.1:\(sandboxPort)")!
                    consumer = sandbox.configuration.consumer
                    printMessage(
                        "Twitter sandbox at \(twitterBase.absoluteString)/ with \(sandbox.configuration.users.count) "
                            + "fake users (consumer credentials made for this run)")
                }
                let twitter = TwitterClient(consumer: consumer, baseURL: twitterBase)
                // (a Twitter error in the log names --twitter-api-base, not the library's `TwitterClient` parameters)
                let demoLogger = Logger(label: logger.label) { _ in
                    DemoLogHandler(base: logger.handler, twitter: twitter)
                }
                let registration = RegistrationService(
                    store: store, twitter: twitter,
                    configuration: RegistrationService.Configuration(
                        callbackURL: "http://127.0.0.1:\(port)\(AccountRoutes.callbackPath)"),
                    logger: demoLogger)
                var routesConfiguration = AccountRoutes.Configuration()
                let outbox = DemoOutbox(path: global.databasePath + ".outbox", port: port)
                // (said now, and again with each mail it keeps from being written: the operator may fix it meanwhile)
                if let problem = DemoOutbox.problem(at: outbox.path) {
                    printMessage(
                        "accounts: warning: the demo outbox \(outbox.path) cannot take mail: \(problem); password "
                            + "reset, confirmation and notice mails will not be written until it is removed or fixed")
                }
                // Loopback only: the link names the address the demo listens on (with --port 0, the port it got).
                routesConfiguration.passwordReset = AccountRoutes.PasswordResetDelivery(
                    baseURL: URL(string: "http://127.0.0.1:\(port)")!, send: { mail in try outbox.deliver(mail) })
                var emailLinks = AccountRoutes.EmailVerificationDelivery(
                    baseURL: URL(string: "http://127.0.0.1:\(port)")!, send: { mail in try outbox.deliver(mail) })
                emailLinks.notifyChange = { notice in try outbox.deliver(notice) }
                routesConfiguration.securityNotice = { notice in try outbox.deliver(notice) }
                routesConfiguration.emailVerification = emailLinks
                routesConfiguration.clientAddressHeader = clientAddressHeader
                // Reached under the loopback names, and under those of --allowed-host (a proxy's public name): a page
                // whose name its owner points at 127.0.0.1 (DNS rebinding) is refused. Behind --trusted-proxy too: a
                // browser on this machine also connects from 127.0.0.1, so the rebound page would have a trusted peer,
                // whose --client-address-header (which it may send) is believed.
                routesConfiguration.allowedHosts = Set(["127.0.0.1", "localhost", "[::1]"] + allowedHosts)
                routesConfiguration.trustedProxies = try trustedProxies.map { try AccountRoutes.AddressRange($0) }
                let routes = AccountRoutes(
                    store: store, registration: registration, local: LocalAccounts(store: store),
                    configuration: routesConfiguration, logger: demoLogger)
                let router = Router(context: AccountsRequestContext.self)
                router.add(middleware: routes.hostCheck())
                routes.addRoutes(to: router)
                let application = Application(
                    router: router,
                    // (closes connections slow or idle clients hold open: 30 s without a request, 30 s for a body, 30 s
                    // for an answer the client does not read). Browsers connect directly, so one address holds 16 at
                    // most; behind a trusted proxy every connection comes from the proxy, whose own limits count.
                    server: AccountRoutes.http1Server(connectionsPerClient: trustedProxies.isEmpty ? 16 : nil),
                    configuration: ApplicationConfiguration(
                        address: .hostname("127.0.0.1", port: port), serverName: "accounts-demo",
                        // (a quarter of `ulimit -n` each, for the app and the sandbox: descriptors stay for the rest)
                        availableConnectionsDelegate: AccountRoutes.connectionLimit()),
                    onServerRunning: { channel in
                        let bound = channel.localAddress?.port ?? port
                        outbox.port.withLock { $0 = bound }
                        printOutput("http://127.0.0.1:\(bound)/\n")
                        printMessage(
                            "demo ready: open http://127.0.0.1:\(bound)/ in a browser; \(Interruption.stopKey) stops it"
                        )
                    },
                    logger: demoLogger)
                group.addTask { try await runStoppingGracefullyWhenCancelled(application, logger: demoLogger) }
                // Whichever stops first (or a signal) ends the demo; reset links already asked for still go out. The
                // wait starts once both have stopped: the sandbox often stops first, while the app still finishes a
                // request that may start a mail, which a wait begun earlier would not see.
                var failure: (any Error)?
                do {
                    try await group.next()
                } catch {
                    failure = error
                }
                group.cancelAll()
                // What the other throws once cancelled is no failure of the demo (the group used to drop it).
                while !group.isEmpty { _ = try? await group.next() }
                await Self.finishMails(routes)
                if let failure { throw failure }
            }
        }
    }

    /// Waits, for 10 seconds at most, for the reset mails the app promised (in a task of its own: a signal cancels
    /// the demo's).
    static func finishMails(_ routes: AccountRoutes) async {
        await Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await routes.finishMails() }
                group.addTask { try? await Task.sleep(for: .seconds(10)) }
                await group.next()
                group.cancelAll()
            }
        }.value
    }

    // MARK: - Twitter

    enum TwitterPlan: Sendable {
        case sandbox(TwitterSandbox)
        case external(URL, ConsumerCredentials)
    }

    func twitterPlan() throws -> TwitterPlan {
        if let twitterAPIBase, let base = Self.apiBase(twitterAPIBase), let consumer = Self.environmentConsumer() {
            return .external(base, consumer)
        }
        let fakeUsers = try sandboxUsers(fromFile: users)
        let configuration = SandboxConfiguration(
            consumer: SandboxConfiguration.generateConsumerCredentials(), port: 0, users: fakeUsers)
        do {
            return .sandbox(try TwitterSandbox(configuration: configuration, logger: Logger(label: "accounts.sandbox")))
        } catch {
            printError(error.description)
            throw ExitCode(ExitStatus.invalidData)
        }
    }

    static func apiBase(_ text: String) -> URL? {
        apiBaseProblem(text, shownToBrowsers: false) == nil ? URL(string: text) : nil
    }

    /// What is wrong with `text` as `--twitter-api-base`, naming the part at fault (until session 62 every refusal
    /// said "must be an absolute http(s) URL", a base with a query or a fragment too); `nil` when it is a base.
    /// `shownToBrowsers`: the demo's base, which goes into every authorization URL sent to browsers.
    static func apiBaseProblem(_ text: String, shownToBrowsers: Bool) -> String? {
        let flag = "--twitter-api-base"
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            url.host?.isEmpty == false
        else { return "\(flag) must be an absolute http(s) URL with a host, such as https://api.x.com" }
        if url.user != nil || url.password != nil {
            // The base goes into every authorization URL sent to browsers, and into the log: no credentials in it.
            return "\(flag) must not carry a user name or password (user:password@host): "
                + (shownToBrowsers
                    ? "the base is shown to every browser sent to sign in"
                    : "it would be sent and logged with every request; give credentials another way")
        }
        if url.query != nil {
            return "\(flag) must not carry a query (?…): the API's paths and their parameters are added to the base"
        }
        if url.fragment != nil { return "\(flag) must not carry a fragment (#…): nothing after # reaches the API" }
        return nil
    }

    static func environmentConsumer() -> ConsumerCredentials? {
        let environment = ProcessInfo.processInfo.environment
        guard let key = environment["TWITTER_CONSUMER_KEY"], !key.isEmpty,
            let secret = environment["TWITTER_CONSUMER_SECRET"], !secret.isEmpty
        else { return nil }
        return ConsumerCredentials(key: key, secret: secret)
    }

    // MARK: - Keys

    /// Whether `path` names nothing yet, an empty regular file, or a regular file that begins with SQLite's header
    /// (through links).
    static func mayBecomeADatabase(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return true }
        guard info.st_mode & S_IFMT == S_IFREG else { return false }
        if info.st_size == 0 { return true }
        guard let handle = FileHandle(forReadingAtPath: path) else { return true }  // (the store says why)
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        return header == Data("SQLite format 3\u{0}".utf8)
    }

    /// The configured key ring; without one, a development key file beside the database (made on first use).
    func demoKeyRing() throws -> KeyRing {
        if let configured = try global.optionalKeyRing() { return configured }
        let path = global.databasePath + ".keys"
        if !FileManager.default.fileExists(atPath: path) {
            // (as the store will judge it: a missing directory, or one this user may not search, named as such)
            do throws(StoreError) {
                try AccountStore.checkLocation(global.databasePath, mayCreate: true)
            } catch {
                throw fail(error)
            }
            // No key file beside a database that cannot be one: something there that is not a regular file, or a
            // file that is neither empty nor SQLite's.
            if !Self.mayBecomeADatabase(global.databasePath) {
                throw fail(.notADatabase(path: global.databasePath))
            }
            let key: SecretKey
            do {
                key = try SecretKey.generate(id: "dev1")
            } catch {
                printError(error.description)
                throw ExitCode(ExitStatus.operationalFailure)
            }
            if let reason = createPrivateFile(atPath: path, contents: key.unredactedKeysFileLine() + "\n") {
                printError("cannot write the development key file \(path): \(reason)")
                throw ExitCode(ExitStatus.operationalFailure)
            }
            printMessage(
                "no ACCOUNTS_KEYS or keys file given: made the development key file \(path) (mode 0600) beside the "
                    + "database; keep it with the database, and give a real key ring (--keys-file) in production")
        } else {
            printMessage("no ACCOUNTS_KEYS or keys file given: using the development key file \(path)")
        }
        do {
            return try KeyRing.load(keysFile: path, environment: [:])
        } catch {
            printError(error.commandLineDescription)
            throw ExitCode(ExitStatus.invalidData)
        }
    }
}

/// Where `accounts demo` "mails" password reset and email confirmation links: appended to `<database>.outbox`
/// (owner-only, 0600), with a line on stderr naming the file (never the link).
final class DemoOutbox: Sendable {
    let path: String
    /// The port the demo listens on, once known.
    let port: Mutex<Int>

    init(path: String, port: Int) {
        self.path = path
        self.port = Mutex(port)
    }

    struct WriteFailed: Error {}

    func deliver(_ mail: AccountRoutes.PasswordResetMail) throws {
        try append(
            to: mail.to, subject: "Choose a new password for \(mail.username)",
            line: "Hello \(mail.username), open this link before \(mail.expiresAt) to choose a new password:",
            link: mail.link, what: "password reset mail for \(mail.username)")
    }

    func deliver(_ mail: AccountRoutes.EmailVerificationMail) throws {
        let what = mail.changesAddress ? "new email address" : "email address"
        try append(
            to: mail.to, subject: "Confirm your \(what) for \(mail.username)",
            line: "Hello \(mail.username), open this link before \(mail.expiresAt) to confirm your \(what):",
            link: mail.link, what: "email confirmation mail for \(mail.username)")
    }

    func deliver(_ notice: AccountRoutes.EmailChangeNotice) throws {
        try append(
            to: notice.to, subject: "Your email address was changed for \(notice.username)",
            line:
                "Hello \(notice.username), the account's address is \(notice.newAddressShown) since \(notice.changedAt)."
                + Self.undoLine(notice.undoExpiresAt),
            link: notice.undoLink, what: "email change notice for \(notice.username)")
    }

    func deliver(_ notice: AccountRoutes.SecurityNotice) throws {
        // (a screen name or browser label with a direction override would reorder the line around it: `?` instead,
        // as the terminal report shows them)
        let twitter =
            (notice.twitterScreenName.map { " Twitter account: @\(ReportRenderer.terminalText($0))." } ?? "")
            + (notice.device.map { " Browser: \(ReportRenderer.terminalText($0))." } ?? "")
        try append(
            to: notice.to, subject: "Security notice for \(notice.username)",
            line: "Hello \(notice.username). \(notice.change.sentence)\(twitter) When: \(notice.changedAt)."
                + Self.undoLine(notice.undoExpiresAt),
            link: notice.undoLink, what: "security notice (\(notice.change.rawValue)) for \(notice.username)")
    }

    /// The sentence before a notice's undo link (none without one).
    private static func undoLine(_ expiresAt: Date?) -> String {
        expiresAt.map { " If it was not you, open this link before \($0) to undo it and choose a new password:" } ?? ""
    }

    private func append(to: String, subject: String, line: String, link: Secret?, what: String) throws {
        let link = (link?.revealed ?? "If it was not you, write to the site's operator.").replacing(
            /^http:\/\/127\.0\.0\.1:\d+\//, with: "http://127.0.0.1:\(port.withLock { $0 })/")
        let text = """
            To: \(to)
            Subject: \(subject)

            \(line)
            \(link)


            """
        // Never blocking (a FIFO there with no reader held a thread of the server for ever), and checked on the file
        // opened: a regular file of this user's, or nothing is written.
        let descriptor = open(
            path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            // (`ENXIO`: a FIFO nobody reads, or a socket; `ELOOP`: a symbolic link: said as what is there)
            let code = errno
            let problem = code == ENXIO || code == ELOOP ? Self.problem(at: path) : nil
            throw failure(what, reason: problem ?? String(cString: strerror(code)))
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw failure(what, reason: String(cString: strerror(errno))) }
        if let problem = Self.problem(info) { throw failure(what, reason: problem) }
        guard fchmod(descriptor, 0o600) == 0,
            text.utf8CString.withUnsafeBytes({
                writeFully(descriptor, UnsafeRawBufferPointer(rebasing: $0.dropLast()))
            })
        else { throw failure(what, reason: String(cString: strerror(errno))) }
        printMessage("\(what) written to \(path)")
    }

    /// Why the outbox at `path` cannot take the demo's mails, `nil` when it can or is not there yet (it is made then):
    /// anything but a regular file (a symbolic link is not followed), or a file of another user's, who would read the
    /// links mailed to it (reset, confirmation and undo links: each one a way into an account).
    static func problem(at path: String) -> String? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return problem(info)
    }

    /// Why a file with `info` (its `lstat` or `fstat`) cannot be the outbox, `nil` when it can.
    private static func problem(_ info: stat) -> String? {
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else {
            let what =
                switch type {
                case S_IFLNK: "a symbolic link (not followed)"
                case S_IFDIR: "a directory"
                case S_IFIFO: "a FIFO (named pipe)"
                case S_IFSOCK: "a socket"
                case S_IFCHR, S_IFBLK: "a device"
                default: "not a regular file"
                }
            return what.hasPrefix("not ") ? "it is \(what)" : "it is \(what), not a regular file"
        }
        guard info.st_uid == geteuid() else {
            return "it is owned by uid \(info.st_uid), not by this user (uid \(geteuid())): its owner could read the "
                + "links mailed to it"
        }
        return nil
    }

    /// Says on stderr that `what` was not written, naming the outbox and `reason`: the routes log only the error's
    /// type. The error to throw.
    private func failure(_ what: String, reason: String) -> WriteFailed {
        printError(
            "cannot write the demo outbox \(path): \(reason); the \(what) was not written (the outbox must be a "
                + "regular file of this user's, or not exist yet)")
        return WriteFailed()
    }
}
