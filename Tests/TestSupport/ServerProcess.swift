public import Foundation

/// A long-running child process (`accounts sandbox`, `accounts demo`) that announces itself with one stdout line.
public final class ServerProcess: Sendable {
    private let process: Process
    private let output: Pipe
    private let errors: Pipe
    /// Everything it wrote to stderr (complete once ``stop(signal:)`` returned).
    public let stderrText: Locked<String>
    private let firstLineBuffer = Locked("")
    /// Signalled when stderr reached its end (the process and its children closed it).
    private let stderrDone = DispatchSemaphore(value: 0)

    /// Starts `executable` with `arguments`.
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for key in [
            "ACCOUNTS_DATABASE", "ACCOUNTS_KEYS", "ACCOUNTS_KEYS_FILE", "TWITTER_CONSUMER_KEY",
            "TWITTER_CONSUMER_SECRET",
        ] {
            env[key] = nil
        }
        for (key, value) in environment { env[key] = value }
        process.environment = env
        output = Pipe()
        errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        stderrText = Locked("")
        try process.run()
        let errorHandle = errors.fileHandleForReading
        let sink = stderrText
        let done = stderrDone
        DispatchQueue.global().async {
            let data = errorHandle.readDataToEndOfFile()
            sink.withLock { $0 = String(decoding: data, as: UTF8.self) }
            done.signal()
        }
    }

    /// Reads stdout up to its first newline (waiting at most `timeout` seconds) and returns that line.
    public func firstLine(timeout: TimeInterval = 60) throws -> String {
        let handle = output.fileHandleForReading
        let collected = Locked<[UInt8]>([])
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                let hasNewline = collected.withLock { bytes in
                    bytes.append(contentsOf: chunk)
                    return bytes.contains(UInt8(ascii: "\n"))
                }
                if hasNewline { break }
            }
            done.signal()
        }
        guard done.wait(timeout: .now() + timeout) == .success else {
            throw ServerProcessError.notReady("no line on stdout within \(timeout) s")
        }
        let bytes = collected.value
        firstLineBuffer.withLock { $0 = String(decoding: bytes, as: UTF8.self) }
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else {
            throw ServerProcessError.notReady("stdout closed before a line")
        }
        return String(decoding: bytes[..<newline], as: UTF8.self)
    }

    /// Everything the process wrote to stdout after its first line, read to the end (call after ``stop(signal:)``).
    public func stdoutText() -> String {
        let rest = output.fileHandleForReading.readDataToEndOfFile()
        return firstLineBuffer.value + String(decoding: rest, as: UTF8.self)
    }

    /// Everything on stdout after the first line, read to the end (call after ``stop(signal:)``).
    public func remainingOutput() -> String {
        String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    /// Sends `signal` and waits for the process to end; returns its exit status (128 + signal when killed). A process
    /// still running 30 s after the signal is killed (SIGKILL, status 137), so that a server that lost the signal
    /// fails its test rather than holding the whole suite.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        // The reader may still be copying stderr when the process is gone: wait for it, so callers see all of it.
        if stderrDone.wait(timeout: .now() + 10) == .success { stderrDone.signal() }
        return process.terminationReason == .uncaughtSignal
            ? 128 + process.terminationStatus : process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// Why a server process could not be used.
public enum ServerProcessError: Error, CustomStringConvertible {
    /// It did not announce itself.
    case notReady(String)

    public var description: String {
        switch self {
        case .notReady(let reason): return "server not ready: \(reason)"
        }
    }
}
