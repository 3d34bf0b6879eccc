import AccountCrypto
import Foundation
import GRDB
public import Testing

/// The columns whose values are secrets (or hashes of passwords): a dump shows them as a short digest, so that a
/// failed comparison of two dumps, which prints both, shows no secret, and still tells every change.
let secretColumns: Set<String> = ["access_token", "csrf_token", "password_hash", "request_token", "sealed_secret"]

/// `row` as `Row.description` shows it, each value of a ``secretColumns`` column replaced by the first 16 hex
/// digits of its SHA-256.
func dumpLine(_ row: Row) -> String {
    guard row.columnNames.contains(where: secretColumns.contains) else { return row.description }
    let fields = zip(row.columnNames, row.databaseValues).map { name, value in
        guard secretColumns.contains(name) else { return "\(name):\(value)" }
        let bytes: [UInt8]? =
            switch value.storage {
            case .blob(let data): Array(data)
            case .string(let text): Array(text.utf8)
            default: nil
            }
        guard let bytes else { return "\(name):\(value)" }
        return "\(name):<sha256 \(SHA256.hexDigest(bytes).prefix(16))>"
    }
    return "[" + fields.joined(separator: " ") + "]"
}

/// Every table's schema and rows, as text: two dumps are equal when the database holds the same data, whatever
/// the WAL and checkpoint state of the file. The rows of the tables named in `excluding` are left out (their schema
/// stays). Secrets show as digests (``secretColumns``).
public func databaseDump(_ path: String, excluding: Set<String> = []) throws -> String {
    var config = Configuration()
    config.readonly = true
    let queue = try DatabaseQueue(path: path, configuration: config)
    defer { try? queue.close() }
    return try queue.read { db in
        var lines: [String] = []
        let tables = try Row.fetchAll(
            db, sql: "SELECT name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
        for table in tables {
            let name: String = table["name"]
            lines.append((table["sql"] as String?) ?? name)
            if !excluding.contains(name), try db.tableExists(name) {
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(name)\" ORDER BY rowid") {
                    lines.append(dumpLine(row))
                }
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// The SHA-256 of a file's bytes, for "left untouched" assertions that print short on failure.
public func fileDigest(_ path: String) -> String {
    SHA256.hexDigest(fileBytes(path))
}

/// Runs `sql` on the database at `path` outside any store (for tests that fake old or odd rows). A write of a
/// running app or store (a session's last activity, a mail marked sent) is waited out, up to 10 s, as another
/// instance would: a test faking rows under a running app does not fail because the app wrote at that moment.
public func executeSQL(_ path: String, _ sql: String) throws {
    let queue = try DatabaseQueue(path: path, configuration: waitingConfiguration())
    defer { try? queue.close() }
    try queue.write { db in try db.execute(sql: sql) }
}

/// A connection that waits up to 10 s for another connection's write to end, rather than failing at once.
private func waitingConfiguration() -> Configuration {
    var configuration = Configuration()
    configuration.busyMode = .timeout(10)
    return configuration
}

/// Runs `sql` on the database at `path` outside a transaction (`PRAGMA journal_mode`, which a transaction refuses).
/// ``executeSQL(_:_:)`` on a thread of its own, for SQL that takes seconds (hundreds of thousands of rows): the
/// cooperative pool's threads, which the tests beside it need, are not held meanwhile.
public func executeSQLOnOwnThread(_ path: String, _ sql: String) async throws {
    try await onOwnThread { Result { try executeSQL(path, sql) } }.get()
}

public func executeSQLOutsideTransaction(_ path: String, _ sql: String) throws {
    let queue = try DatabaseQueue(path: path, configuration: waitingConfiguration())
    defer { try? queue.close() }
    try queue.writeWithoutTransaction { db in try db.execute(sql: sql) }
}

/// Leaves at `path` the files of another application's SQLite database that stopped without closing: WAL mode, a
/// table of `rows` rows still in the write-ahead log (`path-wal`, `path-shm`), nothing checkpointed into `path`.
public func makeUncheckpointedWALDatabase(_ path: String, rows: Int) throws {
    let live = path + ".live"
    var configuration = Configuration()
    configuration.journalMode = .wal
    let pool = try DatabasePool(path: live, configuration: configuration)
    try pool.writeWithoutTransaction { db in
        try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
        try db.execute(sql: "CREATE TABLE t(x)")
        for row in 0..<rows { try db.execute(sql: "INSERT INTO t VALUES (?)", arguments: [row]) }
    }
    // Copied while the connection is open: what a crash would leave.
    for suffix in ["", "-wal", "-shm"] {
        try FileManager.default.copyItem(atPath: live + suffix, toPath: path + suffix)
    }
    try pool.close()
}

/// Leaves at `copy` what a writer killed in the middle of a transaction leaves in rollback-journal mode (a backup
/// copy's mode): `copy` with some of `update`'s pages written into it and `copy-journal`, a hot journal holding their
/// old contents, that only a connection that may write rolls back (a read-only one fails with
/// `SQLITE_READONLY_ROLLBACK`). `source` is switched to `journal_mode = DELETE`, and `update` runs on it in a
/// transaction that is rolled back after the copy: `source` ends as it was. `update` must change more pages than a
/// cache of 10 holds, so that SQLite writes some of them into the file before the commit.
public func makeHotJournalCopy(of source: String, to copy: String, update: String) throws {
    let queue = try DatabaseQueue(path: source, configuration: waitingConfiguration())
    defer { try? queue.close() }
    try queue.writeWithoutTransaction { db in
        try db.execute(sql: "PRAGMA journal_mode = DELETE")
        try db.execute(sql: "PRAGMA cache_size = 10")
        try db.execute(sql: "BEGIN IMMEDIATE")
        defer { try? db.execute(sql: "ROLLBACK") }
        try db.execute(sql: update)
        for suffix in ["", "-journal"] {
            try FileManager.default.copyItem(atPath: source + suffix, toPath: copy + suffix)
        }
    }
}

/// `PRAGMA integrity_check` of the file, opened read-only: `["ok"]` for a sound database.
public func integrityCheck(_ path: String) throws -> [String] {
    var config = Configuration()
    config.readonly = true
    let queue = try DatabaseQueue(path: path, configuration: config)
    defer { try? queue.close() }
    return try queue.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
}

/// SIGKILLs `child` as soon as `condition` holds, checking it every millisecond on a thread of its own (not the
/// cooperative pool, which a busy test run can starve for seconds), and waits for it to end. Returns whether the
/// condition held before the child ended or `timeout` passed.
public func killWhen(
    _ child: ChildProcess, timeout: Duration = .seconds(60), _ condition: @escaping @Sendable () -> Bool
) async throws -> Bool {
    let met: Bool = await withCheckedContinuation { continuation in
        Thread.detachNewThread {
            let deadline = ContinuousClock.now + timeout
            var met = false
            while ContinuousClock.now < deadline && child.isRunning {
                if condition() {
                    met = true
                    break
                }
                usleep(1000)
            }
            child.send(SIGKILL)
            continuation.resume(returning: met)
        }
    }
    try await child.exit(upTo: .seconds(60))
    return met
}

/// The first column of the first row of `sql` as an integer (0 when there is none, or it is NULL), read from `path`
/// opened read-only: cheap enough to poll. When the database does not open or `sql` fails (a table or column renamed,
/// a typo), an issue naming `sql` and the error is recorded and -1 returned: a `countQuery(...) == 0` does not pass
/// on a query that reads nothing.
public func countQuery(_ path: String, _ sql: String, sourceLocation: SourceLocation = #_sourceLocation) -> Int {
    guard let value = readQuery(path, sql, sourceLocation: sourceLocation, { db in try Int.fetchOne(db, sql: sql) })
    else { return -1 }
    return value ?? 0
}

/// The first column of the first row of `sql` as text (`nil` when there is none, or it is NULL), read from `path`
/// opened read-only. When the database does not open or `sql` fails, an issue naming `sql` and the error is recorded
/// and `nil` returned.
public func textQuery(_ path: String, _ sql: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    readQuery(path, sql, sourceLocation: sourceLocation) { db in try String.fetchOne(db, sql: sql) } ?? nil
}

/// `read` on the database at `path` opened read-only, or `nil` once an issue naming `sql` and the error is recorded.
/// (SQL of the tests' own, and GRDB's errors quote the SQL, not its arguments: no secret is printed.)
private func readQuery<Value>(
    _ path: String, _ sql: String, sourceLocation: SourceLocation, _ read: (Database) throws -> Value
) -> Value? {
    var config = Configuration()
    config.readonly = true
    do {
        let queue = try DatabaseQueue(path: path, configuration: config)
        defer { try? queue.close() }
        return try queue.read(read)
    } catch {
        Issue.record("the query \(sql) on \(path) failed: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
