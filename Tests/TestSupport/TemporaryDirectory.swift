import Foundation
import Synchronization

/// A fresh directory under the system temporary directory, removed when `body` returns.
public func withTemporaryDirectory<T>(
    _ body: (String) async throws -> T
) async throws -> T {
    let path = NSTemporaryDirectory() + "accounts-tests-" + UUID().uuidString.lowercased()
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// The bytes of the file at `path` (empty when it does not exist).
public func fileBytes(_ path: String) -> [UInt8] {
    (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))) ?? []
}

/// Writes `bytes` to `path`.
public func writeFile(_ path: String, _ bytes: some Sequence<UInt8>) {
    try! Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// The repository's root folder, found from this source file's location.
public func repositoryRoot(filePath: String = #filePath) -> String {
    var url = URL(fileURLWithPath: filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            return url.path
        }
    }
    fatalError("Package.swift not found above \(filePath)")
}

/// A fresh directory under the system temporary directory, removed when `body` returns (synchronous form).
public func withTemporaryDirectorySync<T>(_ body: (String) throws -> T) throws -> T {
    let path = NSTemporaryDirectory() + "accounts-tests-" + UUID().uuidString.lowercased()
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// Starts reading `path` (a FIFO) to its end on another thread; the function returned waits for the reader (10
/// seconds at most: a FIFO nobody writes to would keep it waiting for ever) and gives what it read.
public func readAll(_ path: String) -> @Sendable () -> [UInt8] {
    let result = Mutex<[UInt8]>([])
    let done = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
        defer { done.signal() }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            result.withLock { $0.append(contentsOf: chunk[0..<count]) }
        }
    }
    return {
        _ = done.wait(timeout: .now() + 10)
        return result.withLock { $0 }
    }
}
