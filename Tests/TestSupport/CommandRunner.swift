import Foundation
import Synchronization

/// What a finished child process left behind.
public struct CommandResult: Sendable {
    /// The exit status (or 128 + signal).
    public var status: Int32
    /// Everything it wrote to stdout.
    public var stdout: String
    /// Everything it wrote to stderr.
    public var stderr: String
}

/// The path of the built `accounts` executable, next to the test bundle.
public func accountsExecutable() -> String {
    let candidates = [
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("accounts")
            .path,
        repositoryRoot() + "/.build/debug/accounts",
    ]
    for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
        return candidate
    }
    fatalError("the accounts executable was not built (looked in \(candidates))")
}

/// Runs `executable` with `arguments`, feeding `stdin`, and waits for it: at most `limit`, after which it is killed
/// and ``ChildProcess/Failure/timedOut(_:_:)`` thrown.
///
/// The wait happens on a thread of its own, never on one of Swift's cooperative pool. That pool has as many threads
/// as the machine has cores (two on CI), and Swift Testing runs tests side by side: a test that held a pool thread
/// until its child exited would leave the in-process servers of the tests beside it (Hummingbird routes, the Twitter
/// sandbox, whose handlers run on the pool) without a thread for as long, and their timing-sensitive tests would fail.
/// Every wait in this module follows that rule: an async test awaits it, and only code already on a thread of its
/// own (in ``onOwnThread(_:)``, a `Thread`) calls a blocking form such as
/// ``runProcessBlocking(_:_:environment:stdin:currentDirectory:limit:)``.
public func runProcess(
    _ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: [UInt8] = [],
    currentDirectory: String? = nil, limit: Duration = .seconds(600)
) async throws -> CommandResult {
    try await onOwnThread {
        Result {
            try runProcessBlocking(
                executable, arguments, environment: environment, stdin: stdin, currentDirectory: currentDirectory,
                limit: limit)
        }
    }
    .get()
}

/// ``runProcess(_:_:environment:stdin:currentDirectory:limit:)`` on the calling thread, which it blocks until the
/// child exits: only for code that runs on a thread of its own, never from a task of the cooperative pool.
public func runProcessBlocking(
    _ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: [UInt8] = [],
    currentDirectory: String? = nil, limit: Duration = .seconds(600)
) throws -> CommandResult {
    let child = try ChildProcess(
        executable, arguments, environment: childEnvironment(environment), currentDirectory: currentDirectory,
        stdin: .pipe, stdout: .pipe, stderr: .pipe)
    let collected = Locked<(out: [UInt8], err: [UInt8])>(([], []))
    let read = DispatchSemaphore(value: 0)
    child.readOutput { out, err in
        collected.withLock { $0 = (out, err) }
        read.signal()
    }
    child.writeInput(stdin)
    child.closeInput()
    let termination = try child.waitOrKill(upTo: limit)
    guard read.wait(timeout: .now() + 60) == .success else {
        throw ChildProcess.Failure.timedOut("reading the output of \(child.command)", .seconds(60))
    }
    let (out, err) = collected.value
    return CommandResult(
        status: termination.status, stdout: String(decoding: out, as: UTF8.self),
        stderr: String(decoding: err, as: UTF8.self))
}

/// Runs the `accounts` executable (for at most `limit`, then killed and ``ChildProcess/Failure/timedOut(_:_:)``
/// thrown), waiting on a thread outside the cooperative pool as
/// ``runProcess(_:_:environment:stdin:currentDirectory:limit:)`` does.
public func runAccounts(
    _ arguments: [String], environment: [String: String] = [:], stdin: [UInt8] = [], currentDirectory: String? = nil,
    limit: Duration = .seconds(600)
) async throws -> CommandResult {
    try await runProcess(
        accountsExecutable(), arguments, environment: environment, stdin: stdin, currentDirectory: currentDirectory,
        limit: limit)
}

/// ``runAccounts(_:environment:stdin:currentDirectory:limit:)`` on the calling thread, which it blocks until the
/// command exits: only for code that runs on a thread of its own, never from a task of the cooperative pool.
public func runAccountsBlocking(
    _ arguments: [String], environment: [String: String] = [:], stdin: [UInt8] = [], currentDirectory: String? = nil,
    limit: Duration = .seconds(600)
) throws -> CommandResult {
    try runProcessBlocking(
        accountsExecutable(), arguments, environment: environment, stdin: stdin, currentDirectory: currentDirectory,
        limit: limit)
}

/// A value behind a lock, shareable between threads.
public final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    /// Wraps `value`.
    public init(_ value: Value) {
        mutex = Mutex(value)
    }

    /// Runs `body` with the value locked.
    public func withLock<T: Sendable>(_ body: (inout sending Value) throws -> sending T) rethrows -> T {
        try mutex.withLock(body)
    }

    /// The current value.
    public var value: Value { mutex.withLock { $0 } }
}
