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

/// Runs `executable` with `arguments`, feeding `stdin`, and waits for it.
public func runProcess(
    _ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: [UInt8] = [],
    currentDirectory: String? = nil
) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for key in ["ACCOUNTS_DATABASE", "ACCOUNTS_KEYS", "ACCOUNTS_KEYS_FILE"] { env[key] = nil }
    for (key, value) in environment { env[key] = value }
    process.environment = env
    if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
    let input = Pipe()
    let output = Pipe()
    let errors = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    // Drain both pipes on Dispatch threads (not the cooperative pool) so a chatty child never blocks on a full pipe.
    let collected = Locked<(out: Data, err: Data)>((Data(), Data()))
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) {
        let data = output.fileHandleForReading.readDataToEndOfFile()
        collected.withLock { $0.out = data }
    }
    DispatchQueue.global().async(group: group) {
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        collected.withLock { $0.err = data }
    }
    if !stdin.isEmpty { input.fileHandleForWriting.write(Data(stdin)) }
    try? input.fileHandleForWriting.close()
    process.waitUntilExit()
    group.wait()
    let (out, err) = collected.withLock { ($0.out, $0.err) }
    let status =
        process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    return CommandResult(
        status: status, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
}

/// Runs the `accounts` executable.
public func runAccounts(
    _ arguments: [String], environment: [String: String] = [:], stdin: [UInt8] = [], currentDirectory: String? = nil
) throws -> CommandResult {
    try runProcess(
        accountsExecutable(), arguments, environment: environment, stdin: stdin, currentDirectory: currentDirectory)
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
