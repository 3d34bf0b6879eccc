import ArgumentParser
import Foundation
import Logging
import NIOCore
import Synchronization
import TwitterOAuth
import TwitterSandbox

/// `accounts sandbox [--port P] [--users FILE] [--consumer-key K --consumer-secret S] [--remember-approvals]
/// [--callback-url URL …]`
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run a local stand-in for Twitter's OAuth 1.0a endpoints on 127.0.0.1, for offline development.",
        discussion: """
            Prints one line http://127.0.0.1:PORT/ on stdout when ready. Consumer credentials: the flags, else \
            TWITTER_CONSUMER_KEY/TWITTER_CONSUMER_SECRET, else a throwaway pair printed on stderr. Stops on Ctrl-C or \
            SIGTERM. Needs no database.
            """)

    @OptionGroup var global: GlobalOptions

    // (`.unconditional`: `--port -1` is a value to refuse by name, not a missing one)
    @Option(name: .long, parsing: .unconditional, help: "The port (0 picks a free one).")
    var port = 0

    @Option(name: .long, help: ArgumentHelp("A JSON file of fake users (see README).", valueName: "file"))
    var users: String?

    @Option(name: .long, help: "The consumer key the sandbox accepts.")
    var consumerKey: String?

    @Option(name: .long, help: "The consumer secret the sandbox accepts.")
    var consumerSecret: String?

    @Flag(name: .long, help: "Skip the consent page on /oauth/authenticate for a person who already approved.")
    var rememberApprovals = false

    @Option(
        name: .customLong("callback-url"),
        help: ArgumentHelp(
            "A callback URL registered for the app, as in Twitter's developer portal (repeat for more, at most 10); "
                + "others are then refused with error 415. Without it every callback is accepted.",
            valueName: "url"))
    var callbackURLs: [String] = []

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0…65535, not \(port)") }
        if users?.isEmpty == true {
            throw ValidationError("--users is empty (an unset shell variable?): give a users file, or leave it out")
        }
        for url in callbackURLs {
            if let problem = SandboxConfiguration.problem(withCallbackURL: url) {
                throw ValidationError("--callback-url: \(problem)")
            }
        }
        if callbackURLs.count > SandboxConfiguration.maximumCallbackURLs {
            throw ValidationError(
                "--callback-url is given \(callbackURLs.count) times; an app registers at most "
                    + "\(SandboxConfiguration.maximumCallbackURLs) (register one and vary its query string)")
        }
        if (consumerKey == nil) != (consumerSecret == nil) {
            let (given, missing) =
                consumerKey == nil ? ("--consumer-secret", "--consumer-key") : ("--consumer-key", "--consumer-secret")
            throw ValidationError(
                "\(given) is given but \(missing) is not: --consumer-key and --consumer-secret go together (or give "
                    + "neither: a throwaway pair is then generated)")
        }
        for (flag, value) in [("--consumer-key", consumerKey), ("--consumer-secret", consumerSecret)]
        where value?.isEmpty == true {
            throw ValidationError(
                "\(flag) is empty: give the consumer pair, or neither flag (a throwaway pair is then generated)")
        }
        if consumerKey == nil {
            // Half a pair in the environment is the same mistake as half a pair of flags, and exits 64 as well.
            let environment = ProcessInfo.processInfo.environment
            let names = ["TWITTER_CONSUMER_KEY", "TWITTER_CONSUMER_SECRET"]
            let set = names.filter { !(environment[$0] ?? "").isEmpty }
            if set.count == 1, let missing = names.first(where: { $0 != set[0] }) {
                throw ValidationError(
                    "\(set[0]) is set but \(missing) is not: set both, or neither (a throwaway pair is then generated)")
            }
        }
    }

    func run() async throws {
        let fakeUsers = try sandboxUsers(fromFile: users)
        let consumer: (credentials: ConsumerCredentials, source: SandboxConfiguration.ConsumerSource)
        do {
            consumer = try SandboxConfiguration.resolveConsumer(key: consumerKey, secret: consumerSecret)
        } catch {
            // Half a pair, which `validate()` has refused already: a usage error.
            printError(error.description)
            throw ExitCode.validationFailure
        }
        if consumer.source == .generated {
            // The one secret this project ever prints: a throwaway pair invented for this run.
            printMessage(
                "throwaway consumer pair for this run:\n  TWITTER_CONSUMER_KEY=\(consumer.credentials.key)\n"
                    + "  TWITTER_CONSUMER_SECRET=\(consumer.credentials.secret)")
        }
        var configuration = SandboxConfiguration(
            consumer: consumer.credentials, port: port, users: fakeUsers, rememberApprovals: rememberApprovals)
        configuration.enablesControlEndpoint = true
        configuration.callbackURLs = callbackURLs
        let sandbox: TwitterSandbox
        do {
            sandbox = try TwitterSandbox(configuration: configuration, logger: Logger(label: "accounts.sandbox"))
        } catch {
            printError(error.description)
            throw ExitCode(ExitStatus.invalidData)
        }
        do {
            try await runUntilSignalled {
                try await sandbox.run { port in
                    printOutput("http://127.0.0.1:\(port)/\n")
                    printMessage("sandbox ready with \(fakeUsers.count) fake users; \(Interruption.stopKey) stops it")
                }
            }
        } catch let error as IOError where SandboxCommand.isBindFailure(error) {
            printError(SandboxCommand.cannotListen(on: port, error))
            throw ExitCode(ExitStatus.operationalFailure)
        }
    }

    /// Whether `error` is the failure to bind the listening socket (the port in use, or not this user's to take).
    static func isBindFailure(_ error: IOError) -> Bool {
        error.errnoCode == EADDRINUSE || "\(error)".contains("bind(")
    }

    /// What `sandbox` and `demo` say when they cannot listen on `port` (``isBindFailure(_:)``).
    static func cannotListen(on port: Int, _ error: IOError) -> String {
        let reason: String
        switch error.errnoCode {
        case EADDRINUSE: reason = "the port is in use"
        case EACCES, EPERM: reason = "permission denied (ports below 1024 need privileges)"
        default: reason = String(cString: strerror(error.errnoCode))
        }
        return "cannot listen on 127.0.0.1:\(port): \(reason) (choose another with --port, or --port 0)"
    }
}

/// The sandbox's fake users: those of `--users FILE`, or the built-in set. A file that does not load is exit 65 with
/// the file named once, by the library's error (`accounts sandbox` and `accounts demo` both take `--users`).
func sandboxUsers(fromFile path: String?) throws -> [SandboxUser] {
    guard let path else { return SandboxUser.builtIn }
    do {
        return try SandboxUser.load(contentsOf: URL(fileURLWithPath: path))
    } catch {
        printError("\(error)")
        // (a file that cannot be read is an operational failure, as an import file that cannot be opened; its
        // contents refused are bad data)
        if case .unreadableUsersFile = error { throw ExitCode(ExitStatus.operationalFailure) }
        throw ExitCode(ExitStatus.invalidData)
    }
}

/// Runs `body` until it returns or the process gets SIGINT or SIGTERM, which cancel it (a clean shutdown). A second
/// signal ends the process at once (exit 128 + the signal's number), as a second Ctrl-C does elsewhere: a clean
/// shutdown waits for the requests under way, and one waiting on Twitter waits up to its time-out.
///
/// The signals are taken over before `body` starts: `body` says when it is ready (the sandbox and the demo print their
/// URL), and a signal sent as soon as it did was ignored when the sources were made after the task (on a busy machine,
/// after `body` had printed), and the process ran on.
func runUntilSignalled(_ body: @escaping @Sendable () async throws -> Void) async throws {
    do {
        try await runCancellingOnSignals(body)
    } catch is CancellationError {
        return
    }
}

/// Runs `body` in a task that SIGINT and SIGTERM cancel (from its start: the sources are registered first), and
/// returns what it returns; a second signal ends the process at once (exit 128 + the signal's number), saying so,
/// unless `secondSignalEnds` is false: work that must report what it did when interrupted (`users delete` revoking
/// tokens after its deletion committed, which ends promptly once cancelled) is only cancelled again, and SIGINT and
/// SIGTERM stay ignored once `body` has returned, for the report that follows and the exit: a second signal sent just
/// after the first (Ctrl-C, then a supervisor's SIGTERM) once found them back at their defaults and killed the process
/// between the revocations' end and the report. Otherwise, on return, each is back as it was before the call. A
/// signal the command was started ignoring stays ignored throughout.
func runCancellingOnSignals<T: Sendable>(
    secondSignalEnds: Bool = true, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let state = Mutex<(task: Task<T, any Error>?, signalled: Bool)>((nil, false))
    // A signal the command was started ignoring (a background job's SIGINT in a script, `nohup`) stays ignored: no
    // source for it. (Until session 58 both were always taken over, and the Ctrl-C meant for a script's foreground
    // command stopped a `keys rewrap &` or `sandbox &` it had started; the shell had them ignore it.) A source needs
    // its signal ignored; what each was before is restored on return.
    var taken: [(number: Int32, previous: __sighandler_t?)] = []
    for number in [SIGINT, SIGTERM] {
        // (compared one by one as `UnfinishedOutput` does: read out of a tuple built by `map`, the disposition
        // compared as SIG_IGN in a debug build, and no signal was taken over)
        let previous = signal(number, SIG_IGN)
        if unsafeBitCast(previous, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) { continue }
        taken.append((number, previous))
    }
    Interruption.takesCtrlC.store(taken.contains { $0.number == SIGINT }, ordering: .releasing)
    // A source is registered on Dispatch's own queue some time after `resume()`; until then a signal meets SIG_IGN and
    // is lost. So `body` starts only once each is registered.
    let registered = DispatchGroup()
    let sources = taken.map { number, _ in
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler {
            // (recorded before the task is cancelled: its report names the signal)
            _ = Interruption.signal.compareExchange(expected: 0, desired: number, ordering: .acquiringAndReleasing)
            let again = state.withLock { state in
                defer {
                    state.signalled = true
                    state.task?.cancel()
                }
                return state.signalled
            }
            if again && secondSignalEnds {
                // (on a progress line of a terminal's, on a line of its own)
                writeStandardError(
                    (isatty(STDERR_FILENO) == 1 ? "\r\u{1B}[K" : "") + "accounts: stopped at once (a second signal)\n")
                _exit(128 + number)
            }
        }
        registered.enter()
        source.setRegistrationHandler { registered.leave() }
        source.resume()
        return source
    }
    defer {
        sources.forEach { $0.cancel() }
        if secondSignalEnds {
            for (number, previous) in taken { signal(number, previous) }
        }
    }
    await withCheckedContinuation { continuation in
        registered.notify(queue: .global()) { continuation.resume() }
    }
    let task = Task { try await body() }
    state.withLock { state in
        state.task = task
        if state.signalled { task.cancel() }
    }
    return try await task.value
}

/// The signal that stopped a command run with ``runCancellingOnSignals(secondSignalEnds:_:)``, for its report and
/// its exit status.
enum Interruption {
    /// The first SIGINT or SIGTERM taken (0: none).
    static let signal = Atomic<Int32>(0)

    /// Whether the last ``runCancellingOnSignals(secondSignalEnds:_:)`` took SIGINT over (not when the command was
    /// started ignoring it).
    static let takesCtrlC = Atomic<Bool>(true)

    /// What stops a command that runs until signalled, for its ready line: `Ctrl-C`, or `SIGTERM` when it was started
    /// ignoring SIGINT (until session 58 it said Ctrl-C, which did nothing then).
    static var stopKey: String {
        takesCtrlC.load(ordering: .acquiring) ? "Ctrl-C" : "SIGTERM"
    }

    /// The signal as an operator knows it: `Ctrl-C (SIGINT)` or `SIGTERM`.
    static var name: String {
        signal.load(ordering: .acquiring) == SIGTERM ? "SIGTERM" : "Ctrl-C (SIGINT)"
    }

    /// The exit status of a command that a signal stopped cleanly: 128 + the signal's number (130 for Ctrl-C, 143 for
    /// SIGTERM), as a shell reports a command the signal ended, so that a script tells it from a failure (1) and
    /// from success; the command has said on stderr what it committed and how to finish.
    static var exitCode: ExitCode {
        let number = signal.load(ordering: .acquiring)
        return ExitCode(128 + (number == 0 ? SIGINT : number))
    }
}
