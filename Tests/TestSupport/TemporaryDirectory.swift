import Foundation

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
