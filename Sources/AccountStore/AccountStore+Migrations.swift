import Foundation
import GRDB
import GRDBSQLite
public import Migrations

extension AccountStore {
    /// The state of every migration for the database at `path`, in version order.
    ///
    /// Works on any database: a missing file in a directory that exists shows everything pending and is not created;
    /// in a missing directory there is no database to read (``StoreError/databaseMissing(path:)``: a status creates
    /// nothing, so making the directory alone would not give it one). `onIntegrityCheck` is called as the check of an
    /// existing file (SQLite's `quick_check`, seconds for a large file) begins and as it ends.
    public static func migrationStatus(
        path: String, migrations: [MigrationFile] = Migrations.sqlite,
        onIntegrityCheck: (IntegrityCheck) -> Void = { _ in }
    ) throws(StoreError) -> [MigrationStatusEntry] {
        let planned: [PlannedMigration]
        do {
            planned = try PlannedMigration.plan(migrations)
        } catch {
            throw .migration(error)
        }
        do throws(StoreError) {
            // (`mayCreate`: a missing file is every migration pending, not an error; the status creates none)
            try checkLocation(path, mayCreate: true)
        } catch .directoryMissing {
            throw .databaseMissing(path: path)
        }
        guard FileManager.default.fileExists(atPath: path) else {
            return SchemaMigrator.status(planned: planned, applied: [])
        }
        let queue = try openQueueForInspection(path)
        defer { try? queue.close() }
        do {
            let applied = try queue.read { db in
                try AccountStore.checkIntegrity(db, path: path, report: onIntegrityCheck)
                return try SchemaMigrator.history(db)
            }
            return SchemaMigrator.status(planned: planned, applied: applied)
        } catch {
            throw StoreError.from(error, path: path)
        }
    }

    /// Applies pending migrations to the database of `configuration`, creating the file when its directory exists.
    ///
    /// Before anything runs, an edited, missing or unknown (newer) applied migration stops the run. Each migration
    /// runs in its own transaction and commits on its own; a failing one is rolled back whole and named with its file
    /// and line, and the ones before it in the run stay applied (`onApplied` was called with each). Several
    /// processes may run this at once: each migration is applied exactly once. A write to the file that was
    /// interrupted (a hot journal, left by a process killed in the middle of a transaction in rollback-journal mode)
    /// is rolled back first, by a connection that changes nothing else: the checks then run on the file as it was,
    /// before it is switched to WAL mode. A file this user may not write cannot be rolled back:
    /// ``StoreError/readOnly(path:)``.
    /// - Parameters:
    ///   - configuration: the database (its ``StoreConfiguration/schemaPolicy`` is ignored).
    ///   - target: the last version to apply; all when `nil`.
    ///   - dryRun: report what would be applied and change nothing (a missing file is not created; in a missing
    ///     directory there is no database: ``StoreError/databaseMissing(path:)``, where the migration itself throws
    ///     ``StoreError/directoryMissing(path:)``).
    ///   - migrations: the migration set (the binary's own by default).
    ///   - onApplied: called with each migration as it commits, before the next one begins; not in a dry run. When a
    ///     later one fails, the ones it was called with stay applied: report them (`accounts migrate` prints each as
    ///     `applied NNNN name`).
    ///   - onIntegrityCheck: called as each check of the file (SQLite's `quick_check`, before anything is applied;
    ///     seconds for a large file) begins and as it ends.
    public static func migrate(
        _ configuration: StoreConfiguration, to target: Int? = nil, dryRun: Bool = false,
        migrations: [MigrationFile] = Migrations.sqlite, onApplied: (MigrationStatusEntry) -> Void = { _ in },
        onIntegrityCheck: (IntegrityCheck) -> Void = { _ in }
    ) throws(StoreError) -> MigrationReport {
        let planned: [PlannedMigration]
        do {
            planned = try PlannedMigration.plan(migrations)
        } catch {
            throw .migration(error)
        }
        let path = configuration.path
        if let target, !planned.contains(where: { $0.version == target }) {
            throw .migration(.targetNotFound(target))
        }
        if dryRun {
            // A dry run only reads; it neither creates the file nor switches its journal mode.
            let entries = try migrationStatus(
                path: path, migrations: migrations, onIntegrityCheck: onIntegrityCheck)
            try checkHistoryTyped(entries, planned: planned)
            let highest = entries.filter { $0.state == .applied }.map(\.version).max() ?? 0
            if let target, target < highest {
                throw .migration(.targetBelowApplied(target: target, applied: highest))
            }
            let pending = entries.filter { $0.state == .pending && $0.version <= (target ?? Int.max) }
            return MigrationReport(applied: pending, dryRun: true, currentVersion: highest)
        }
        try checkLocation(path, mayCreate: !configuration.readOnly)
        // (before any connection: one of this process's, closing last, would delete a planted log unseen)
        if !configuration.readOnly { try refuseLogsOfAnotherUser(path) }
        // An existing file is checked read-only first (quick_check, the history against the files), so that a damaged
        // file or an edited migration is reported before anything touches it: opening it for writing would already
        // change it (GRDB's probe, the switch to WAL mode).
        let existed = FileManager.default.fileExists(atPath: path)
        if existed {
            var entries: [MigrationStatusEntry]
            do throws(StoreError) {
                entries = try migrationStatus(path: path, migrations: migrations, onIntegrityCheck: onIntegrityCheck)
                try checkHistoryTyped(entries, planned: planned)
            } catch .interruptedWrite where !configuration.readOnly {
                // A hot journal, which only a writer rolls back: one that does nothing else (no switch to WAL mode)
                // rolls it back and closes, and the same checks run on the file as it was before the interrupted
                // write.
                try rollBackInterruptedWrite(configuration)
                entries = try migrationStatus(path: path, migrations: migrations, onIntegrityCheck: onIntegrityCheck)
                try checkHistoryTyped(entries, planned: planned)
            }
            // (and a target below what is applied, as a dry run refuses it: until session 59 only once the file was
            // open for writing)
            let highest = entries.filter { $0.state == .applied }.map(\.version).max() ?? 0
            if let target, target < highest {
                throw .migration(.targetBelowApplied(target: target, applied: highest))
            }
        }
        if !configuration.readOnly { try createPrivateFile(path) }
        let pool = try openPool(configuration)
        defer { AccountStore.checkpointAndClose(pool) }
        do {
            return try pool.writeWithoutTransaction { db in
                if !existed { try AccountStore.checkIntegrity(db, path: path, report: onIntegrityCheck) }
                try db.run(sql: "PRAGMA synchronous = \(configuration.synchronous.rawValue)")
                return try SchemaMigrator.migrate(
                    db, planned: planned, target: target, dryRun: false, now: configuration.now, onApplied: onApplied)
            }
        } catch {
            throw StoreError.from(error, path: path)
        }
    }

    private static func checkHistoryTyped(
        _ entries: [MigrationStatusEntry], planned: [PlannedMigration]
    ) throws(StoreError) {
        do {
            try SchemaMigrator.checkHistory(entries, planned: planned)
        } catch {
            throw .migration(error)
        }
    }

    /// Rolls back the hot journal beside the database of `configuration` (a write interrupted in rollback-journal
    /// mode), through a connection of SQLite's own that may write and does nothing else: it reads the schema, which
    /// has SQLite roll the journal back first, and closes. The file keeps its journal mode; no `-wal` or `-shm` is
    /// made. A file this user may not write is ``StoreError/readOnly(path:)`` (SQLite opens it read-only, and it
    /// cannot be rolled back).
    static func rollBackInterruptedWrite(_ configuration: StoreConfiguration) throws(StoreError) {
        let path = configuration.path
        var connection: OpaquePointer?
        defer { sqlite3_close_v2(connection) }
        var code = sqlite3_open_v2(path, &connection, SQLITE_OPEN_READWRITE, nil)
        if code == SQLITE_OK, let connection {
            sqlite3_extended_result_codes(connection, 1)
            let timeout = configuration.usableBusyTimeout.components
            sqlite3_busy_timeout(
                connection, Int32(clamping: timeout.seconds * 1000 + timeout.attoseconds / 1_000_000_000_000_000))
            code = sqlite3_exec(connection, "SELECT count(*) FROM sqlite_schema", nil, nil, nil)
        }
        guard code != SQLITE_OK else { return }
        let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "SQLite error \(code)"
        throw StoreError.fromWriter(DatabaseError(resultCode: ResultCode(rawValue: code), message: message), path: path)
    }

    /// Copies the WAL into the database file and closes. GRDB's readers are read-only connections, which cannot
    /// checkpoint when they close last, so without this the file alone would lack the latest commits.
    static func checkpointAndClose(_ pool: DatabasePool) {
        checkpointWithoutWaiting(pool)
        try? pool.close()
    }

    /// Copies the WAL into the database file and truncates it when no other connection (another process's) is
    /// using the file; otherwise copies what it can and returns at once. A truncating checkpoint that waited would
    /// keep every other process's writes waiting behind it, up to the busy timeout, for as long as any of them reads
    /// (an export piped into something slow): an app's sign-ins stalled behind `accounts users disable` closing.
    /// The last process to close checkpoints what is left (SQLite does so when a writer connection closes last).
    static func checkpointWithoutWaiting(_ pool: DatabasePool) {
        _ = try? pool.writeWithoutTransaction(truncateWithoutWaiting)
    }

    /// ``checkpointWithoutWaiting(_:)`` without blocking the caller's thread: after a deletion, so that the person's
    /// rows leave the `-wal` now rather than when the store closes (weeks later, for an app). Counted as a long write
    /// (``WriteGate/beginLongWrite()``): the checkpoint copies the whole `-wal` and syncs the file, seconds after a
    /// backup or a purge, and a write meanwhile that tried the calling thread would block that thread (one of the
    /// cooperative pool's) behind it.
    func checkpointWithoutWaiting() async {
        writeGate.beginLongWrite()
        defer { writeGate.endLongWrite() }
        _ = try? await pool.writeWithoutTransaction(AccountStore.truncateWithoutWaiting)
    }

    /// A truncating checkpoint on `db` with a busy timeout of 0.
    @Sendable static func truncateWithoutWaiting(_ db: Database) throws {
        let connection = try db.openConnection()
        // (SQLite has no getter for the busy timeout: read it back through the pragma, then restore it)
        let timeout = CInt(clamping: (try? Int.fetchOne(db, sql: "PRAGMA busy_timeout")) ?? 0)
        sqlite3_busy_timeout(connection, 0)
        defer { sqlite3_busy_timeout(connection, timeout) }
        try db.checkpoint(.truncate)
    }

    /// Throws ``StoreError/schemaAhead(path:version:knownVersion:)`` when the database's newest applied migration is
    /// above the newest this store carries: another process migrated it while the store was open. Every transaction
    /// of the store runs this first, in the transaction (so a write sees the history as of its write lock, a read as of
    /// its snapshot). One step of a cached statement that seeks the history's last row (the migration
    /// history, not SQLite's schema cookie, which the store's own `VACUUM` moves and a data-only migration does not).
    func checkSchemaNotAhead(_ db: Database) throws {
        try Self.checkSchemaNotAhead(db, knownVersion: knownVersion, path: path)
    }

    /// ``checkSchemaNotAhead(_:)`` for a store that carries migrations up to `knownVersion`.
    static func checkSchemaNotAhead(_ db: Database, knownVersion: Int, path: String) throws {
        // (GRDB's cached statement stepped through SQLite's C API: GRDB's fetching costs more than the query)
        let statement = try db.cachedStatement(sql: newestMigrationSQL).sqliteStatement
        defer { sqlite3_reset(statement) }
        let code = sqlite3_step(statement)
        guard code == SQLITE_ROW else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code),
                message: String(cString: sqlite3_errmsg(sqlite3_db_handle(statement))))
        }
        let newest = Int(sqlite3_column_int64(statement, 0))
        if newest > knownVersion {
            throw StoreError.schemaAhead(path: path, version: newest, knownVersion: knownVersion)
        }
    }

    private static let newestMigrationSQL = "SELECT max(version) FROM \(SchemaMigrator.historyTable)"

    /// Runs SQLite's `quick_check` (every page reachable, b-trees well formed) and throws ``StoreError/corrupt`` with
    /// its first finding. Migration commands run it so a damaged file is reported before it is migrated. `report` is
    /// called as it begins and as it ends (``IntegrityCheck``).
    static func checkIntegrity(_ db: Database, path: String, report: (IntegrityCheck) -> Void = { _ in }) throws {
        report(.began(bytes: fileSize(path)))
        let started = ContinuousClock.now
        defer { report(.ended(duration: ContinuousClock.now - started)) }
        let findings = try String.fetchAll(db, sql: "PRAGMA quick_check(5)")
        guard findings == ["ok"] else {
            throw StoreError.corrupt(path: path, message: findings.first ?? "quick_check found problems")
        }
    }

    /// A connection that reads without changing the file: no journal-mode switch, no schema creation.
    static func openQueueForInspection(_ path: String) throws(StoreError) -> DatabaseQueue {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(30)
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            _ = try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_schema") }
            return queue
        } catch {
            throw StoreError.from(error, path: path)
        }
    }
}
