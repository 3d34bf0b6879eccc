public import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A child process started with `posix_spawn`, for the tests that run the built executables.
///
/// Foundation's `Process` is not used. On Linux it picks which descriptors the child closes before spawning it, so a
/// pipe or notification socket that another test opens meanwhile leaks into the child. While a long-lived child (a
/// demo server) holds a short-lived one's pipe or exit socket, waiting for the short one waits for the long one too,
/// and on a 2-core machine two such waits holding the pool's threads can starve the test that would stop the server:
/// the whole run hangs. Here the child closes every descriptor above stderr itself, after it is forked
/// (`posix_spawn_file_actions_addclosefrom_np`), and every wait has a deadline.
public final class ChildProcess: Sendable {
    /// Where a child's standard stream goes.
    public enum Stream: Sendable {
        /// `/dev/null`.
        case null
        /// A pipe to or from this process (``writeInput(_:)``, ``readOutput(_:)``, ``outputDescriptor``).
        case pipe
        /// This descriptor of this process (which stays open here).
        case descriptor(Int32)
    }

    /// How a child ended.
    public struct Termination: Sendable, Equatable {
        /// The exit status, or 128 + the signal that killed it.
        public var status: Int32
        /// The signal that killed it, if one did.
        public var signal: Int32?
    }

    /// Why a child could not be started or waited for.
    public enum Failure: Error, CustomStringConvertible {
        case spawn(String, Int32)
        case timedOut(String, Duration)

        public var description: String {
            switch self {
            case .spawn(let command, let code):
                return "cannot start \(command): \(String(cString: strerror(code)))"
            case .timedOut(let command, let limit):
                return "\(command) did not end within \(limit)"
            }
        }
    }

    /// The child's process id.
    public let pid: pid_t
    /// A short form of the command line, for messages.
    public let command: String
    private let input: Mutex<Int32>
    private let output: Int32
    private let errors: Int32
    private let ended = Mutex<Termination?>(nil)

    /// Starts `executable` with `arguments` and exactly `environment`, in its own process group (as `Process` puts
    /// it), with its standard streams as asked.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String],
        currentDirectory: String? = nil, stdin: Stream = .null, stdout: Stream = .null, stderr: Stream = .null
    ) throws {
        command = ([URL(fileURLWithPath: executable).lastPathComponent] + arguments.prefix(4)).joined(separator: " ")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts as a shell starts it: no signal blocked (the Dispatch and cooperative-pool threads that
        // tests spawn from block nearly all, and a child inherits its spawning thread's mask: SIGTERM would stay
        // pending for ever in a child that does not unblock it) and none ignored (SIGPIPE, which this process
        // ignores, among them).
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var everySignal = sigset_t()
        sigemptyset(&everySignal)
        for number in 1..<32 where number != SIGKILL && number != SIGSTOP { sigaddset(&everySignal, Int32(number)) }
        posix_spawnattr_setsigdefault(&attributes, &everySignal)

        // Each pipe is made close-on-exec; the child's end is dup2'd onto 0, 1 or 2, which clears the flag there.
        var parentEnds: [Int32] = [-1, -1, -1]
        var childEnds: [Int32] = []
        defer { for descriptor in childEnds { close(descriptor) } }
        for (target, stream) in [(Int32(0), stdin), (1, stdout), (2, stderr)] {
            switch stream {
            case .null:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            case .pipe:
                var ends: [Int32] = [-1, -1]
                guard pipe(&ends) == 0 else {
                    let code = errno
                    for descriptor in parentEnds where descriptor >= 0 { close(descriptor) }
                    throw Failure.spawn(command, code)
                }
                for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
                let (parentEnd, childEnd) = target == 0 ? (ends[1], ends[0]) : (ends[0], ends[1])
                parentEnds[Int(target)] = parentEnd
                childEnds.append(childEnd)
                posix_spawn_file_actions_adddup2(&actions, childEnd, target)
            case .descriptor(let descriptor):
                posix_spawn_file_actions_adddup2(&actions, descriptor, target)
            }
        }
        if let closeFrom = Self.addCloseFrom {
            _ = closeFrom(&actions, 3)
        } else {
            // (a C library without it: what is open now is closed, as Process does)
            for descriptor in Self.openDescriptors() where descriptor > 2 {
                posix_spawn_file_actions_addclose(&actions, descriptor)
            }
        }
        if let currentDirectory {
            guard let changeDirectory = Self.addChangeDirectory else { throw Failure.spawn(command, ENOSYS) }
            _ = changeDirectory(&actions, currentDirectory)
        }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard code == 0 else {
            for descriptor in parentEnds where descriptor >= 0 { close(descriptor) }
            throw Failure.spawn(command, code)
        }
        self.pid = pid
        input = Mutex(parentEnds[0])
        output = parentEnds[1]
        errors = parentEnds[2]
    }

    // glibc 2.34's posix_spawn_file_actions_addclosefrom_np and 2.29's posix_spawn_file_actions_addchdir_np, which
    // Swift's Glibc module does not declare (they need _GNU_SOURCE): looked up once by name.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias AddChangeDirectory =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map {
        unsafeBitCast($0, to: AddCloseFrom.self)
    }
    private static let addChangeDirectory: AddChangeDirectory? = dlsym(nil, "posix_spawn_file_actions_addchdir_np")
        .map { unsafeBitCast($0, to: AddChangeDirectory.self) }

    private static func openDescriptors() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }
    }

    deinit {
        if ended.withLock({ $0 }) == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
        }
        closeInput()
        if output >= 0 { close(output) }
        if errors >= 0 { close(errors) }
    }

    /// The read end of the child's stdout pipe (-1 when stdout is not a pipe), for reading as it is written.
    public var outputDescriptor: Int32 { output }

    /// The read end of the child's stderr pipe (-1 when stderr is not a pipe).
    public var errorDescriptor: Int32 { errors }

    /// Writes `bytes` to the child's stdin pipe (what a child that exits early leaves unread is dropped).
    public func writeInput(_ bytes: [UInt8]) {
        input.withLock { descriptor in
            guard descriptor >= 0 else { return }
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }

    /// Closes the child's stdin pipe: it reads end of file.
    public func closeInput() {
        input.withLock { descriptor in
            if descriptor >= 0 { close(descriptor) }
            descriptor = -1
        }
    }

    /// Reads the child's stdout and stderr pipes to their ends on threads of their own (never the cooperative pool),
    /// so that a chatty child never blocks on a full pipe. Call once; `finish` gets both (empty for a stream that
    /// is not a pipe) when both ends are reached.
    public func readOutput(_ finish: @escaping @Sendable (_ stdout: [UInt8], _ stderr: [UInt8]) -> Void) {
        let collected = Locked<(out: [UInt8], err: [UInt8], left: Int)>(([], [], 2))
        for (descriptor, isOutput) in [(output, true), (errors, false)] {
            Thread.detachNewThread {
                let bytes = Self.readToEnd(descriptor)
                let done = collected.withLock { state -> (out: [UInt8], err: [UInt8])? in
                    if isOutput { state.out = bytes } else { state.err = bytes }
                    state.left -= 1
                    return state.left == 0 ? (state.out, state.err) : nil
                }
                if let done { finish(done.out, done.err) }
            }
        }
    }

    /// Everything left on `descriptor` up to its end (nothing for -1).
    public static func readToEnd(_ descriptor: Int32) -> [UInt8] {
        guard descriptor >= 0 else { return [] }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return bytes }
            bytes += buffer[0..<count]
        }
    }

    /// Everything left on `descriptor` up to its end, or nil when the end has not come within `limit` (another
    /// process still holds the write end: one the child started, say).
    public static func readToEnd(_ descriptor: Int32, upTo limit: Duration) -> [UInt8]? {
        guard descriptor >= 0 else { return [] }
        let deadline = ContinuousClock.now + limit
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return nil }
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, Int32(min(left / .milliseconds(1), 1_000)) + 1)
            if ready < 0 && errno == EINTR || ready == 0 { continue }
            guard ready > 0 else { return bytes }
            let count = read(descriptor, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return bytes }
            bytes += buffer[0..<count]
        }
    }

    /// Sends `signal` to the child, unless it has been reaped (its pid may be another's by then).
    public func send(_ signal: Int32) {
        ended.withLock { termination in
            if termination == nil { kill(pid, signal) }
        }
    }

    /// How the child ended, reaping it if it just did; nil while it runs.
    public var termination: Termination? {
        ended.withLock { termination in
            if let termination { return termination }
            var status: Int32 = 0
            var reaped: pid_t
            repeat { reaped = waitpid(pid, &status, WNOHANG) } while reaped < 0 && errno == EINTR
            guard reaped == pid else { return nil }
            let signal = status & 0x7f
            termination =
                signal == 0
                ? Termination(status: (status >> 8) & 0xff, signal: nil)
                : Termination(status: 128 + signal, signal: signal)
            return termination
        }
    }

    /// Whether the child still runs.
    public var isRunning: Bool { termination == nil }

    /// Waits up to `limit` for the child to end (polling every 2 ms, on the calling thread, which it blocks: call it
    /// from a thread of its own, never from a task of the cooperative pool); nil if it still runs.
    public func wait(upTo limit: Duration) -> Termination? {
        let deadline = ContinuousClock.now + limit
        while true {
            if let termination { return termination }
            if ContinuousClock.now >= deadline { return nil }
            usleep(2_000)
        }
    }

    /// Waits up to `limit` for the child to end, SIGKILLing it then: the caller learns of a hang as an error
    /// naming the command rather than waiting forever. It blocks the calling thread: an async test awaits
    /// ``exit(upTo:)`` instead.
    @discardableResult
    public func waitOrKill(upTo limit: Duration = .seconds(600)) throws(Failure) -> Termination {
        if let termination = wait(upTo: limit) { return termination }
        send(SIGKILL)
        _ = wait(upTo: .seconds(60))
        throw .timedOut(command, limit)
    }

    /// ``waitOrKill(upTo:)`` without holding a thread of the cooperative pool: the wait (and its deadline) runs on a
    /// thread of its own (see ``runProcess(_:_:environment:stdin:currentDirectory:limit:)`` for why).
    @discardableResult
    public func exit(upTo limit: Duration = .seconds(600)) async throws(Failure) -> Termination {
        try await onOwnThread { Result { () throws(Failure) in try self.waitOrKill(upTo: limit) } }.get()
    }
}

/// The test process's environment without the variables that would point a child at another database or key ring,
/// with `overrides` on top.
public func childEnvironment(
    _ overrides: [String: String] = [:],
    removing names: [String] = ["ACCOUNTS_DATABASE", "ACCOUNTS_KEYS", "ACCOUNTS_KEYS_FILE"]
) -> [String: String] {
    var environment = ProcessInfo.processInfo.environment
    for name in names { environment[name] = nil }
    for (key, value) in overrides { environment[key] = value }
    return environment
}
