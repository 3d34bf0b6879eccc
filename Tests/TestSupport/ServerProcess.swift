public import Foundation

/// A long-running child process (`accounts sandbox`, `accounts demo`) that announces itself with one stdout line.
public final class ServerProcess: Sendable {
    private let child: ChildProcess
    /// Everything it wrote to stderr (complete once ``stop(signal:)`` returned).
    public let stderrText: Locked<String>
    private let firstLineBuffer = Locked("")
    /// Signalled when stderr reached its end (the process closed it).
    private let stderrDone = DispatchSemaphore(value: 0)

    /// Starts `executable` with `arguments`.
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        child = try ChildProcess(
            executable, arguments,
            environment: childEnvironment(
                environment,
                removing: [
                    "ACCOUNTS_DATABASE", "ACCOUNTS_KEYS", "ACCOUNTS_KEYS_FILE", "TWITTER_CONSUMER_KEY",
                    "TWITTER_CONSUMER_SECRET",
                ]),
            stdout: .pipe, stderr: .pipe)
        stderrText = Locked("")
        let errors = child.errorDescriptor
        let sink = stderrText
        let done = stderrDone
        Thread.detachNewThread {
            let bytes = ChildProcess.readToEnd(errors)
            sink.withLock { $0 = String(decoding: bytes, as: UTF8.self) }
            done.signal()
        }
    }

    /// Reads stdout up to its first newline (waiting at most `timeout` seconds, on a thread of its own: never one of
    /// the cooperative pool, see ``runProcess(_:_:environment:stdin:currentDirectory:limit:)``) and returns that line.
    public func firstLine(timeout: TimeInterval = 60) async throws -> String {
        try await onOwnThread { Result { try self.firstLineBlocking(timeout: timeout) } }.get()
    }

    private func firstLineBlocking(timeout: TimeInterval) throws -> String {
        let descriptor = child.outputDescriptor
        let collected = Locked<[UInt8]>([])
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(descriptor, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                let hasNewline = collected.withLock { bytes in
                    bytes.append(contentsOf: buffer[0..<count])
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

    /// Everything the process wrote to stdout (its first line included), read to the end (call after
    /// ``stop(signal:)``). Throws ``ServerProcessError/outputNotEnded(_:)`` when stdout is still open `limit` after
    /// the call (a process the server started holds it).
    public func stdoutText(waitingUpTo limit: Duration = .seconds(30)) async throws -> String {
        firstLineBuffer.value + (try await remainingOutput(waitingUpTo: limit))
    }

    /// Everything on stdout after the first line, read to the end (call after ``stop(signal:)``), waiting at most
    /// `limit` for the end (see ``stdoutText(waitingUpTo:)``), on a thread of its own.
    public func remainingOutput(waitingUpTo limit: Duration = .seconds(30)) async throws -> String {
        let output = child.outputDescriptor
        guard let rest = await onOwnThread({ ChildProcess.readToEnd(output, upTo: limit) }) else {
            throw ServerProcessError.outputNotEnded(
                "stdout of \(child.command) still open \(limit) after it was read (does a process it started hold it?)")
        }
        return String(decoding: rest, as: UTF8.self)
    }

    /// Whether the process still runs.
    public var isRunning: Bool { child.isRunning }

    /// Sends `signal` and returns at once (to see what a signal does not end); nothing once the process has ended.
    public func send(_ signal: Int32) {
        child.send(signal)
    }

    /// Sends SIGKILL and returns at once (for a `defer` cleaning up after a test that failed before its
    /// ``stop(signal:)``: a `defer` cannot await, and the process is reaped when this object goes); nothing once the
    /// process has ended.
    public func kill() {
        child.send(SIGKILL)
    }

    /// Sends `signal` and waits for the process to end; returns its exit status (128 + signal when killed). A process
    /// still running 30 s after the signal is killed (SIGKILL, status 137), so that a server that lost the signal
    /// fails its test rather than holding the whole suite.
    /// The wait runs on a thread of its own, never one of the cooperative pool.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM) async -> Int32 {
        await onOwnThread { self.stopBlocking(signal: signal) }
    }

    /// ``stop(signal:)`` on the calling thread, which it blocks until the process ends: only for code that runs on a
    /// thread of its own, never from a task of the cooperative pool.
    @discardableResult
    public func stopBlocking(signal: Int32 = SIGTERM) -> Int32 {
        child.send(signal)
        var termination = child.wait(upTo: .seconds(30))
        if termination == nil {
            child.send(SIGKILL)
            termination = child.wait(upTo: .seconds(60))
        }
        // The reader may still be copying stderr when the process is gone: wait for it, so callers see all of it.
        if stderrDone.wait(timeout: .now() + 10) == .success { stderrDone.signal() }
        return termination?.status ?? 137
    }
}

/// Why a server process could not be used.
public enum ServerProcessError: Error, CustomStringConvertible {
    /// It did not announce itself.
    case notReady(String)
    /// Its output did not reach its end in time.
    case outputNotEnded(String)

    public var description: String {
        switch self {
        case .notReady(let reason): return "server not ready: \(reason)"
        case .outputNotEnded(let reason): return reason
        }
    }
}
