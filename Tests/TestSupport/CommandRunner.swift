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
public func runProcess(
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
/// thrown).
public func runAccounts(
    _ arguments: [String], environment: [String: String] = [:], stdin: [UInt8] = [], currentDirectory: String? = nil,
    limit: Duration = .seconds(600)
) throws -> CommandResult {
    try runProcess(
        accountsExecutable(), arguments, environment: environment, stdin: stdin, currentDirectory: currentDirectory,
        limit: limit)
}

/// Runs the `accounts` executable from a thread outside Swift's cooperative pool, so that a server in this process
/// (a sandbox the command talks to) keeps the pool's threads while tests run side by side: the synchronous
/// ``runAccounts(_:environment:stdin:currentDirectory:)`` holds one until the command exits, and two of them
/// starve an in-process server on a 2-core machine.
public func runAccountsOffPool(
    _ arguments: [String], environment: [String: String] = [:], stdin: [UInt8] = []
) async throws -> CommandResult {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try runAccounts(arguments, environment: environment, stdin: stdin) })
        }
    }
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
