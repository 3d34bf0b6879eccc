public import Logging

/// A log handler that keeps every message and its metadata as text, for tests that check what was logged.
public struct CapturingLogHandler: LogHandler {
    /// Everything logged so far, shared between copies of the handler.
    public let lines: Locked<[String]>
    public var logLevel: Logger.Level = .trace
    public var metadata: Logger.Metadata = [:]

    /// A handler writing into `lines`.
    public init(lines: Locked<[String]>) {
        self.lines = lines
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let text = "\(event.level) \(event.message) \(merged.sorted { $0.key < $1.key })"
        lines.withLock { $0.append(text) }
    }
}

/// A logger at trace level that captures into `lines`.
public func capturingLogger(_ lines: Locked<[String]>) -> Logger {
    var logger = Logger(label: "test") { _ in CapturingLogHandler(lines: lines) }
    logger.logLevel = .trace
    return logger
}
