import Foundation
public import Testing

/// Expects `secret` in none of `texts`; a failure names the secret by `name` and prints neither it nor the text.
///
/// Swift Testing prints the operands of a failing `#expect`: `#expect(!log.contains(key))` would print the key and
/// the log that holds it, in the very case where the secret leaked. `Scripts/lint-test-secrets.sh` flags that form.
///
///     expectAbsent(token, named: "the reset token", in: log)
///     expectAbsent(keyA, named: "key A", in: result.stdout, result.stderr)
public func expectAbsent(
    _ secret: some StringProtocol, named name: String, in texts: String...,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    for (index, text) in texts.enumerated() {
        let leaked = text.contains(secret)
        let place = texts.count == 1 ? "the text" : "text \(index + 1) of \(texts.count)"
        #expect(!leaked, "\(name) is in \(place) (neither is printed)", sourceLocation: sourceLocation)
    }
}

/// Expects `secret` in none of the files of the SQLite database at `path`: the file itself and, beside it, its `-wal`
/// (where a fresh write sits until a checkpoint, while a store has it open) and its `-shm`. A failure names the
/// secret by `name`, and the file, and prints neither's bytes.
///
///     expectAbsent(token, named: "the reset token", inDatabase: dir + "/accounts.sqlite")
public func expectAbsent(
    _ secret: some StringProtocol, named name: String, inDatabase path: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let needle = Data(secret.utf8)
    #expect(FileManager.default.fileExists(atPath: path), "no database at \(path)", sourceLocation: sourceLocation)
    for suffix in ["", "-wal", "-shm"] {
        guard let bytes = FileManager.default.contents(atPath: path + suffix) else { continue }
        let leaked = bytes.range(of: needle) != nil
        let file = URL(fileURLWithPath: path + suffix).lastPathComponent
        #expect(!leaked, "\(name) is in \(file) (neither is printed)", sourceLocation: sourceLocation)
    }
}
