public import AccountCrypto
import AccountModel
import Foundation
import GRDB
import GRDBSQLite
package import Logging
public import Migrations
import Synchronization

/// The account store: users, linked Twitter identities, sealed credentials, pending authorizations, registration
/// drafts and the audit trail, in one SQLite file.
///
/// One writer and concurrent readers (WAL). Every write method is one whole transaction; nothing is half-written.
/// Methods return ``AccountModel`` values and throw ``StoreError``; no database type appears in this API.
///
/// ```swift
/// var configuration = StoreConfiguration(path: "accounts.sqlite")
/// configuration.schemaPolicy = .applyPendingMigrations
/// let store = try AccountStore(configuration: configuration, keyRing: try KeyRing.load(keysFile: nil,
///     environment: ProcessInfo.processInfo.environment))
/// let account = try await store.createAccount(NewAccount(username: try Username(validating: "ann")))
/// ```
public struct AccountStore: Sendable {
    let pool: DatabasePool
    /// The database file.
    package let path: String
    /// Whether the store was opened read-only (``StoreConfiguration/readOnly``): it then never checkpoints.
    let readOnly: Bool
    /// The device and inode of the database file when the store opened: a backup reads through a connection of its
    /// own only while `path` still names that file (``backUp(to:progress:)``).
    let fileIdentity: (device: UInt64, inode: UInt64)?
    let keyRing: KeyRing?
    /// The store's logger hearing of the keys file's changes, until ``close()`` (or the store is released).
    let keysFileReporting: KeysFileReporting?
    /// ``StoreConfiguration/logger`` (the services over the store log there too).
    package let logger: Logger
    let now: @Sendable () -> Date
    let twitterLookup: TwitterLookup
    let writeGate: WriteGate
    let readGate: ReadGate
    /// The newest migration this store carries: a database migrated past it under the store is refused
    /// (``checkSchemaNotAhead(_:)``).
    let knownVersion: Int
    /// The keying of addresses this store could not do as it opened, done by its next write
    /// (``write(durable:checkingActingSession:_:)``).
    let keying: KeyingBacklog
    /// The addresses and reservations the store's opening keyed, until a reindex reports them.
    let keyedAtOpen: KeyedAtOpen
    /// Whether ``close()`` was called (shared by the store's copies).
    let lifetime = StoreLifetime()

    /// Opens the database described by `configuration`.
    ///
    /// With ``StoreConfiguration/SchemaPolicy/applyPendingMigrations`` a missing file is created (its directory must
    /// exist) and pending migrations are applied; otherwise a missing file (in a missing directory too) or pending
    /// migration is an error (``StoreError/databaseMissing(path:)``,
    /// ``StoreError/schemaBehind(path:pendingVersions:)``) that says to apply them with
    /// ``migrate(_:to:dryRun:migrations:onApplied:onIntegrityCheck:)`` or this policy. A file that is not SQLite, or
    /// is damaged, is refused and left untouched.
    /// - Parameters:
    ///   - configuration: the file and its settings.
    ///   - keyRing: the keys that seal and open secrets; without one, secret-bearing calls throw
    ///     ``StoreError/noKeyRing``.
    ///   - migrations: the migration set (the binary's own by default).
    public init(
        configuration: StoreConfiguration, keyRing: KeyRing?, migrations: [MigrationFile] = Migrations.sqlite
    ) throws(StoreError) {
        let path = configuration.path
        let creates = configuration.schemaPolicy == .applyPendingMigrations && !configuration.readOnly
        try AccountStore.checkLocation(path, mayCreate: creates)
        let planned: [PlannedMigration]
        do {
            planned = try PlannedMigration.plan(migrations)
        } catch {
            throw .migration(error)
        }
        let checksHistory = !(configuration.acceptsAnySchema && configuration.readOnly)
        if creates {
            // A file there is checked read-only first all the same (pending migrations aside, which it applies): one
            // whose history this binary does not know was opened for writing, and so changed, before it was refused.
            try AccountStore.refuseUnmigratedUnchanged(configuration, planned: planned, allowsPending: true)
            try AccountStore.createPrivateFile(path)
        } else {
            try AccountStore.refuseUnmigratedUnchanged(configuration, planned: planned, checksHistory: checksHistory)
        }
        let pool = try AccountStore.openPool(configuration)
        var keyed: KeyedAtOpen? = KeyedAtOpen(addresses: 0, reservations: 0)
        do {
            try pool.writeWithoutTransaction { db in
                if !configuration.readOnly {
                    // GRDB puts the WAL writer at NORMAL after `prepareDatabase`; set the configured level after.
                    try db.execute(sql: "PRAGMA synchronous = \(configuration.synchronous.rawValue)")
                }
                guard checksHistory else { return }
                let entries = SchemaMigrator.status(planned: planned, applied: try SchemaMigrator.history(db))
                try SchemaMigrator.checkHistory(entries, planned: planned)
                let pending = entries.filter { $0.state == .pending }.map(\.version)
                guard !pending.isEmpty else { return }
                guard configuration.schemaPolicy == .applyPendingMigrations else {
                    throw StoreError.schemaBehind(path: path, pendingVersions: pending)
                }
                let report = try SchemaMigrator.migrate(
                    db, planned: planned, target: nil, dryRun: false, now: configuration.now)
                configuration.logger.info(
                    "applied migrations",
                    metadata: ["store.migrations.count": "\(report.applied.count)", "store.path": "\(path)"])
            }
            if !configuration.readOnly {
                keyed = pool.writeWithoutTransaction { db in
                    AccountStore.addMissingUniquenessKeys(
                        db, logger: configuration.logger, now: Timestamp.micros(configuration.now()))
                }
            }
        } catch {
            try? pool.close()
            throw StoreError.from(error, path: path)
        }
        self.pool = pool
        self.path = path
        self.readOnly = configuration.readOnly
        var info = stat()
        self.fileIdentity = stat(path, &info) == 0 ? (UInt64(info.st_dev), UInt64(info.st_ino)) : nil
        self.keyRing = keyRing
        self.logger = configuration.logger
        // A keys file changed under the running store (a rotation, or a mistake the ring does not take) is one line.
        let logger = configuration.logger
        self.keysFileReporting = keyRing?.reportFileChanges { change in
            switch change {
            case .taken(let ids):
                // (an id that may hold key material, a key typed where its id belongs, described, as everywhere)
                logger.info(
                    "keys file read again",
                    metadata: ["store.keys": "\(ids.map(KeyRingError.shownPlain).joined(separator: ","))"])
            case .refused(let reason):
                logger.warning(
                    "keys file not taken; the keys read before stay until it is fixed",
                    metadata: ["store.keys.problem": "\(reason)"])
            }
        }
        self.now = configuration.now
        self.twitterLookup = TwitterLookup(path: path, knownVersion: planned.last?.version ?? 0)
        self.writeGate = WriteGate(busyTimeout: configuration.usableBusyTimeout, synchronous: configuration.synchronous)
        self.readGate = ReadGate(readers: pool.configuration.maximumReaderCount)
        self.keying = KeyingBacklog(pending: keyed == nil)
        self.keyedAtOpen = keyed ?? KeyedAtOpen(addresses: 0, reservations: 0)
        self.knownVersion = planned.last?.version ?? 0
    }

    /// Checkpoints the WAL into the database file (truncating it when no other process uses the file, never waiting
    /// for one) and closes it. A read-only store only closes.
    ///
    /// Every later call on this store (and on its copies) throws ``StoreError/closed(path:)`` and changes nothing; a
    /// call under way meanwhile either finishes (the close waits for the reads and writes under way) or throws that
    /// too: a write still waiting for the write lock held elsewhere, and an import under way (rolled back whole), throw
    /// it rather than hold the close. Closing again does nothing.
    public func close() throws(StoreError) {
        let wasOpen = lifetime.markClosed()
        // (a store closed hears no more of a changed keys file; the others opened on the ring go on)
        keysFileReporting?.end()
        twitterLookup.close()
        do {
            if wasOpen && !readOnly { AccountStore.checkpointWithoutWaiting(pool) }
            try pool.close()
        } catch {
            throw StoreError.from(error, path: path)
        }
    }

    // MARK: - Opening

    /// Refuses a path the store cannot open: in a missing directory, ``StoreError/directoryMissing(path:)`` when the
    /// caller would create the database (`mayCreate`), else ``StoreError/databaseMissing(path:)``: what stops a store
    /// that never creates one is that there is no database, and making the directory alone would not open it.
    package static func checkLocation(_ path: String, mayCreate: Bool) throws(StoreError) {
        let directory = PathParts.directory(of: path)
        // Missing means "no such file": a path this user may not reach (a directory it may not search) is not
        // missing, and saying so would have every migration pending, or advise `migrate` over a database.
        var info = stat()
        if !directory.isEmpty {
            if stat(directory, &info) != 0 {
                let code = errno
                guard code == ENOENT || code == ENOTDIR else { throw unreachable(path, errno: code) }
                throw mayCreate ? .directoryMissing(path: path) : .databaseMissing(path: path)
            }
            if info.st_mode & S_IFMT != S_IFDIR {
                throw mayCreate ? .directoryMissing(path: path) : .databaseMissing(path: path)
            }
        }
        // Anything there but a regular file (through links) is refused: SQLite's answer for a directory is "unable to
        // open database file", which names no cause; its first read of a named pipe waits for a writer for ever; a
        // device would get a `-journal` or `-wal` beside it (in /dev).
        if stat(path, &info) == 0 {
            if info.st_mode & S_IFMT != S_IFREG { throw .notADatabase(path: path) }
        } else {
            let code = errno
            // (a link that names no file: missing, as SQLite would create the file it names)
            guard code == ENOENT else { throw unreachable(path, errno: code) }
            if !mayCreate { throw .databaseMissing(path: path) }
        }
    }

    /// Why `path` cannot be looked at, from `stat`'s `errno`: ``StoreError/unreachable(path:reason:)`` when this user
    /// may not (its advice is to run as one who may), else the system's reason as a database error (a loop of
    /// symbolic links, a name too long).
    private static func unreachable(_ path: String, errno code: Int32) -> StoreError {
        let reason = String(cString: strerror(code))
        if code == EACCES || code == EPERM { return .unreachable(path: path, reason: reason) }
        return .database(path: path, code: SQLITE_CANTOPEN, message: "cannot open it: \(reason)")
    }

    /// Creates the database file `path`, empty and readable by its owner alone (0600), when nothing is there yet.
    ///
    /// The file holds password hashes and access tokens; SQLite would create it 0644 (less the umask), and makes its
    /// `-wal`, `-shm` and `-journal` files with the database file's mode, so they follow. A symbolic link that names
    /// no file yet is followed (SQLite follows it), and the file it names is created so. An empty file there (or a
    /// link to one) is made 0600, or refused as ``StoreError/fileOfAnotherUser(path:owner:)`` when another user
    /// owns it; a file with anything in it is left as it is, and any other failure is left to SQLite's own opening to
    /// report.
    static func createPrivateFile(_ path: String) throws(StoreError) {
        try createOwnerOnlyFile(path)
    }

    /// Refuses a file that is not migrated before it is opened as a pool: opening a pool turns a file into WAL mode
    /// (its header, `-wal` and `-shm` files) and writes to it (GRDB creates and drops a table) before its schema can
    /// be read, so a database refused for its schema was changed all the same, and an empty file became a database.
    /// The migration history is read first through a read-only connection of SQLite's own
    /// (``appliedMigrationsWithoutChanges(_:busyTimeout:)``), which writes no data. Only what a read-only connection
    /// cannot read (a hot journal to roll back, a log to recover without its index) is left to the pool, as is
    /// anything but a regular file that starts as SQLite (``openPool(_:)`` refuses those untouched).
    static func refuseUnmigratedUnchanged(
        _ configuration: StoreConfiguration, planned: [PlannedMigration], checksHistory: Bool = true,
        allowsPending: Bool = false
    ) throws(StoreError) {
        let path = configuration.path
        if !configuration.readOnly { try refuseLogsOfAnotherUser(path) }
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return }
        if info.st_size == 0 {
            if allowsPending { return }
            throw .schemaBehind(path: path, pendingVersions: planned.map(\.version))
        }
        guard checksHistory else { return }
        guard let applied = try appliedMigrationsWithoutChanges(path, busyTimeout: configuration.usableBusyTimeout)
        else {
            return
        }
        let entries = SchemaMigrator.status(planned: planned, applied: applied)
        do {
            try SchemaMigrator.checkHistory(entries, planned: planned)
        } catch {
            throw StoreError.from(error, path: path)
        }
        let pending = entries.filter { $0.state == .pending }.map(\.version)
        if !pending.isEmpty && !allowsPending { throw .schemaBehind(path: path, pendingVersions: pending) }
    }

    /// The migration history of the SQLite file at `path`, read without writing to it: `nil` when it is not SQLite
    /// (the pool says so) or when only a writer could read it (a hot journal to roll back, a log to recover); the
    /// store's error for anything else (damaged, locked past `busyTimeout`, a history table of another layout). The
    /// file is the one a link names (SQLite keeps its log beside that). A WAL-mode file without a write-ahead log is
    /// opened `immutable` (no `-wal` or `-shm` made); any other file read-only, which neither checkpoints nor deletes
    /// another process's log when it closes (it may rebuild the log's index, `-shm`, after a crash).
    static func appliedMigrationsWithoutChanges(
        _ path: String, busyTimeout: Duration
    ) throws(StoreError) -> [AppliedMigration]? {
        guard let real = realpath(path, nil) else { return nil }
        let file = String(cString: real)
        free(real)
        guard let handle = FileHandle(forReadingAtPath: file) else { return nil }
        let header = (try? handle.read(upToCount: 100)) ?? Data()
        try? handle.close()
        guard header.count == 100, header.prefix(16).elementsEqual("SQLite format 3\0".utf8) else { return nil }
        let isWAL = header[header.startIndex + 18] == 2 && header[header.startIndex + 19] == 2
        var logInfo = stat()
        let hasLog = stat(file + "-wal", &logInfo) == 0 && logInfo.st_size > 0
        guard let readOnly = uri(ofResolvedFile: file, mode: "ro") else { return nil }
        if isWAL && !hasLog {
            // An immutable read takes no locks: another process writing and checkpointing meanwhile can make it fail
            // (even as `SQLITE_CORRUPT`). A failure is then asked again of a plain read-only connection.
            if let applied = try? historyWithoutChanges(
                uri: readOnly + "&immutable=1", path: path, busyTimeout: busyTimeout)
            {
                return applied
            }
        }
        return try historyWithoutChanges(uri: readOnly, path: path, busyTimeout: busyTimeout)
    }

    /// The migration history read through a read-only connection to `uri` (see
    /// ``appliedMigrationsWithoutChanges(_:busyTimeout:)``); `nil` when only a writer could read it.
    private static func historyWithoutChanges(
        uri: String, path: String, busyTimeout: Duration
    ) throws(StoreError) -> [AppliedMigration]? {
        var connection: OpaquePointer?
        defer { sqlite3_close_v2(connection) }
        let opened = sqlite3_open_v2(uri, &connection, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nil)
        guard let connection else { return nil }
        sqlite3_extended_result_codes(connection, 1)
        func failure(_ code: Int32) -> StoreError? {
            // Only a writer can roll back a hot journal or recover a log: the pool does it (as before this check).
            if code & 0xFF == SQLITE_READONLY || code & 0xFF == SQLITE_CANTOPEN { return nil }
            return StoreError.from(
                DatabaseError(
                    resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection))),
                path: path)
        }
        guard opened == SQLITE_OK else {
            if let error = failure(opened) { throw error }
            return nil
        }
        let timeout = busyTimeout.components
        sqlite3_busy_timeout(
            connection, Int32(clamping: timeout.seconds * 1000 + timeout.attoseconds / 1_000_000_000_000_000))
        /// Runs `sql`, calling `row` for each row; the result code of a failure, `nil` when all went well.
        func rows(_ sql: String, _ row: (OpaquePointer) -> Void) -> Int32? {
            var statement: OpaquePointer?
            defer { sqlite3_finalize(statement) }
            let prepared = sqlite3_prepare_v2(connection, sql, -1, &statement, nil)
            guard prepared == SQLITE_OK, let statement else { return prepared == SQLITE_OK ? SQLITE_ERROR : prepared }
            while true {
                let code = sqlite3_step(statement)
                switch code {
                case SQLITE_ROW: row(statement)
                case SQLITE_DONE: return nil
                default: return code
                }
            }
        }
        func text(_ statement: OpaquePointer, _ column: Int32) -> String {
            sqlite3_column_text(statement, column).map { String(cString: $0) } ?? ""
        }
        var hasHistory = false
        if let code = rows(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '\(SchemaMigrator.historyTable)'",
            { _ in hasHistory = true })
        {
            if let error = failure(code) { throw error }
            return nil
        }
        guard hasHistory else { return [] }
        // (another tool's table of that name: ``SchemaMigrator/foreignHistoryTable(columns:)``)
        var columns: Set<String> = []
        if let code = rows(
            "SELECT name FROM pragma_table_info('\(SchemaMigrator.historyTable)')",
            { statement in columns.insert(text(statement, 0).lowercased()) })
        {
            if let error = failure(code) { throw error }
            return nil
        }
        if let foreign = SchemaMigrator.foreignHistoryTable(columns: columns) { throw .migration(foreign) }
        var applied: [AppliedMigration] = []
        var malformed: MigrationError?
        if let code = rows(
            "SELECT version, name, checksum, applied_at, execution_micros FROM \(SchemaMigrator.historyTable) "
                + "ORDER BY version",
            { statement in
                func value(_ column: CInt) -> DatabaseValue { DatabaseValue(sqliteStatement: statement, index: column) }
                do throws(MigrationError) {
                    applied.append(
                        try AppliedMigration(
                            version: value(0), name: value(1), checksum: value(2), appliedAt: value(3),
                            executionMicros: value(4)))
                } catch {
                    malformed = malformed ?? error
                }
            })
        {
            if let error = failure(code) { throw error }
            return nil
        }
        if let malformed { throw .migration(malformed) }
        return applied
    }

    /// The SQLite URI of `file`, a path `realpath` gave, opened in `mode` (`ro`, `rw`); `nil` when it cannot be
    /// written as one.
    static func uri(ofResolvedFile file: String, mode: String) -> String? {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        // `realpath` gives one leading slash: `file:/…`, never `file://…` (an authority).
        return file.addingPercentEncoding(withAllowedCharacters: allowed).map { "file:" + $0 + "?mode=" + mode }
    }

    static func openPool(_ configuration: StoreConfiguration) throws(StoreError) -> DatabasePool {
        var config = Configuration()
        config.readonly = configuration.readOnly
        config.foreignKeysEnabled = true
        let timeout = configuration.usableBusyTimeout.components
        config.busyMode = .timeout(Double(timeout.seconds) + Double(timeout.attoseconds) / 1e18)
        config.label = "accounts"
        // A deleted account's rows (its email, names, password hash, its events' Twitter names) are overwritten with
        // zeros, not left in free space for anyone who copies the file to read.
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA secure_delete = ON") }
        // Switching a file into WAL mode needs an exclusive lock, and SQLite answers `PRAGMA journal_mode = WAL`
        // with SQLITE_BUSY at once, without the busy handler, while another process holds the file (seen with four
        // processes migrating one new database). Retry the opening itself until the busy timeout has passed.
        let deadline = ContinuousClock.now + configuration.usableBusyTimeout
        while true {
            do {
                let pool = try DatabasePool(path: configuration.path, configuration: config)
                // Reading the schema proves the file is a readable SQLite database before anything else happens.
                _ = try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_schema") }
                return pool
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && ContinuousClock.now < deadline
            {
                Thread.sleep(forTimeInterval: Double.random(in: 0.002...0.02))
            } catch {
                if configuration.readOnly { throw StoreError.from(error, path: configuration.path) }
                throw StoreError.fromWriter(error, path: configuration.path)
            }
        }
    }

    // MARK: - Transactions with typed errors

    /// The browser session (its token hash, as ``BrowserSession/tokenHash`` keeps it) that the writes of the task
    /// under way are made for, if any (``onBehalfOfSession(_:_:)``).
    @TaskLocal static var actingSession: String?

    /// Runs `body` with every write transaction of this task (and its child tasks) made on behalf of the browser
    /// session `tokenHash`: each one first checks that the session still exists and has not expired, and writes
    /// nothing, throwing ``StoreError/sessionEnded``, when it does not. What a request from a signed-in browser
    /// changes (a Twitter link, a password, an address, a deletion, other sessions ended) so cannot land after that
    /// browser was signed out or every session of the account was ended (from another device, or another instance of
    /// the app) while the request was under way. Reads are not checked, nor the writes that record what happened (a
    /// wrong password's count and event: the audit trail keeps them). `body`'s errors pass through unchanged.
    public static func onBehalfOfSession<T, E: Error>(
        _ tokenHash: String, _ body: () async throws(E) -> T
    ) async throws(E) -> T {
        let result: Result<T, E> = await $actingSession.withValue(tokenHash) {
            do throws(E) {
                return .success(try await body())
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Runs `body` in one write transaction (see ``WriteGate`` for which thread runs it, and what `durable: false`
    /// spares), after checking the acting session when there is one (``onBehalfOfSession(_:_:)``), unless
    /// `checkingActingSession` is false: a write that records what happened (a failed password check, its count)
    /// rather than changing the account, which stays true after the session ends. While the store has addresses to key
    /// that it could not key as it opened (``KeyingBacklog``), the transaction keys them first: no write checks or
    /// takes an address against a key the rules no longer make.
    func write<T: Sendable>(
        durable: Bool = true, checkingActingSession: Bool = true, lockWait: Duration? = nil,
        _ body: @escaping @Sendable (Database) throws -> T
    ) async throws(StoreError) -> T {
        let entry = try enter()
        defer { entry.end() }
        do {
            guard keying.isPending else {
                return try await writeTransaction(
                    durable: durable, checkingActingSession: checkingActingSession, lockWait: lockWait, entry: entry,
                    body)
            }
            let (logger, now) = (logger, now)
            let value = try await writeTransaction(
                durable: durable, checkingActingSession: checkingActingSession, lockWait: lockWait, entry: entry
            ) { db in
                try AccountStore.keyMissingUniquenessKeys(db, logger: logger, now: Timestamp.micros(now()))
                return try body(db)
            }
            keying.done()
            return value
        } catch {
            throw storeError(error)
        }
    }

    /// ``write(durable:checkingActingSession:_:)`` without the keying backlog: `entry` ends once the transaction runs
    /// on its connection.
    private func writeTransaction<T: Sendable>(
        durable: Bool, checkingActingSession: Bool, lockWait: Duration?, entry: StoreLifetime.Entry,
        _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        do {
            guard checkingActingSession, let session = Self.actingSession else {
                return try await writeGate.write(
                    pool, durable: durable, reached: { entry.end() }, stopsWaiting: { [lifetime] in lifetime.isClosed },
                    lockWait: lockWait
                ) { db in
                    entry.end()
                    try self.checkSchemaNotAhead(db)
                    return try body(db)
                }
            }
            return try await writeGate.write(
                pool, durable: durable, reached: { entry.end() }, stopsWaiting: { [lifetime] in lifetime.isClosed },
                lockWait: lockWait
            ) { db in
                entry.end()
                try self.checkSchemaNotAhead(db)
                // (live: an expired row the purge has not removed yet is as ended as a deleted one)
                guard
                    try Bool.fetchOne(
                        db.cachedStatement(
                            sql: """
                                SELECT EXISTS (SELECT 1 FROM browser_sessions
                                WHERE token_hash = ?1 AND idle_expires_at > ?2 AND expires_at > ?2)
                                """), arguments: [session, Timestamp.micros(self.now())]) == true
                else { throw StoreError.sessionEnded }
                return try body(db)
            }
        } catch {
            throw storeError(error)
        }
    }

    /// Runs a short read (a few rows through an index) in one read transaction (see ``ReadGate`` for which thread
    /// runs it).
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        let entry = try enter()
        defer { entry.end() }
        do {
            return try await readGate.read(pool) { db in
                entry.end()
                try self.checkSchemaNotAhead(db)
                return try body(db)
            }
        } catch {
            throw storeError(error)
        }
    }

    /// Runs a read that may take long (a scan of every account) on GRDB's reader queue, leaving the caller's thread
    /// to other tasks.
    func readElsewhere<T: Sendable>(
        _ body: @escaping @Sendable (Database) throws -> T
    ) async throws(StoreError) -> T {
        let entry = try enter()
        defer { entry.end() }
        do {
            return try await pool.readOffPool { db in
                entry.end()
                try self.checkSchemaNotAhead(db)
                return try body(db)
            }
        } catch {
            throw storeError(error)
        }
    }

    /// What `probe` sees when run where a short read's SQL runs, or with `elsewhere` where a scan's does (tests prove
    /// ``ReadGate``'s calling-thread path with it).
    package func probeRead<T: Sendable>(
        elsewhere: Bool = false, _ probe: @escaping @Sendable () -> T
    ) async throws(StoreError) -> T {
        elsewhere ? try await readElsewhere { _ in probe() } : try await read { _ in probe() }
    }

    func readSync<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        let entry = try enter()
        defer { entry.end() }
        do {
            return try pool.read { db in
                entry.end()
                try self.checkSchemaNotAhead(db)
                return try body(db)
            }
        } catch {
            throw storeError(error)
        }
    }

    /// ``StoreError/closed(path:)`` once ``close()`` was called, else nothing: for a caller about to do outside work
    /// (asking Twitter for a request token) that only a store still open can use.
    package func checkOpen() throws(StoreError) {
        if lifetime.isClosed { throw .closed(path: path) }
    }

    /// A call on its way into the database (end it once it runs on its connection, and when it returns), or
    /// ``StoreError/closed(path:)`` once ``close()`` was called (see ``StoreLifetime``).
    func enter() throws(StoreError) -> StoreLifetime.Entry {
        guard let entry = lifetime.enter() else { throw .closed(path: path) }
        return entry
    }

    /// `error` as a ``StoreError`` (``StoreError/from(_:path:)``), but ``StoreError/closed(path:)`` for SQLite's
    /// misuse error once the store is closed: what a call that reached the database as it closed gets from GRDB's
    /// closed connection.
    func storeError(_ error: any Error) -> StoreError {
        let mapped = StoreError.from(error, path: path)
        if case .database(_, let code, _) = mapped, code == ResultCode.SQLITE_MISUSE.rawValue, lifetime.isClosed {
            return .closed(path: path)
        }
        return mapped
    }
}

extension AccountStore {
    /// A pragma's value as the writer connection sees it (for tests and diagnostics).
    package func writerPragma(_ name: String) throws -> String {
        try pool.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA \(name)") ?? "" }
    }

    /// How many write transactions this store has committed with `durable` true (each one a wait for the disk at
    /// `synchronous=FULL`); what a request costs in such waits is the difference across it.
    package var durableCommitCount: Int { writeGate.durableCommits.load(ordering: .relaxed) }

    /// How many write transactions of this store have begun and not ended: running, or waiting for the write lock
    /// (held by another connection or process) or for another write of this store. Tests wait for a request to reach
    /// its write with it, instead of giving the request a head start and hoping that it was enough.
    package var writesInFlight: Int { writeGate.writesInFlight }

    /// How many calls on this store are on their way to a connection (entered, not yet running on one nor ended):
    /// what ``close()`` waits for (``StoreLifetime``). Tests wait for a call to be under way with it.
    package var callsOnTheirWayIn: Int { lifetime.entering }

    /// The writer's `synchronous` level inside a write transaction with `durable` as given (1 is NORMAL, 2 FULL).
    package func synchronousInsideWrite(durable: Bool) async throws -> Int {
        try await write(durable: durable) { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// Has `body` called by the purge's rebuild on GRDB's writer once the file is rebuilt and before its
    /// `file_rebuilt` event is written (`nil`: nothing), so that a test can take the write lock in between, as
    /// another process may.
    package func setAfterRebuildForTests(_ body: (@Sendable () -> Void)?) {
        writeGate.afterRebuildForTests.withLock { $0 = body }
    }

    /// Has `body` called by the purge's rebuild on GRDB's writer before it empties the `-wal` and first tries to
    /// rebuild (`nil`: nothing), so that a test can cancel it there.
    package func setBeforeRebuildForTests(_ body: (@Sendable () -> Void)?) {
        writeGate.beforeRebuildForTests.withLock { $0 = body }
    }

    /// Sets an integer pragma on the writer connection (tests use `max_page_count` to make a full disk).
    package func setWriterPragmaForTests(_ name: String, _ value: Int) throws {
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA \(name) = \(value)") }
    }

    /// The query plan SQLite picks for `sql` (for tests that prove lookups use an index).
    package func queryPlan(_ sql: String, arguments: [String]) throws -> String {
        try pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: StatementArguments(arguments))
                .map { $0["detail"] as String }.joined(separator: "\n")
        }
    }
}

/// `open(2)` with `O_CREAT | O_EXCL | O_NOFOLLOW` and mode 0600, then closed (outside the store's type, whose own
/// `close` would shadow the C library's).
///
/// A symbolic link that names no file yet (`accounts.sqlite -> /data/accounts.sqlite`, before the first run) is
/// followed, as SQLite follows it: the file it names is created 0600. (Left alone, SQLite created that file with its
/// own mode, 0644 less the umask, and its `-wal` and `-shm` files with it: a database readable by every user.)
///
/// An empty regular file there (`touch accounts.sqlite`; through a link too, as SQLite follows it) holds nothing of
/// anyone's, and the database is written into it: it is made 0600 first (SQLite gives the `-wal` and `-shm` the
/// main file's mode), and refused when another user owns it (``StoreError/fileOfAnotherUser(path:owner:)``),
/// who could read and change the store. (It kept its mode and owner: 0644, or another user's 0666 in `/tmp`.) A file
/// with anything in it is left as it is.
private func createOwnerOnlyFile(_ path: String) throws(StoreError) {
    try refuseLogsOfAnotherUser(path)
    var descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    if descriptor < 0 && errno == EEXIST {
        var link = stat()
        var target = stat()
        let dangling =
            lstat(path, &link) == 0 && link.st_mode & S_IFMT == S_IFLNK && stat(path, &target) != 0
            && errno == ENOENT
        guard dangling else { return try makeEmptyFileOwnerOnly(path) }
        // Without `O_EXCL`, which never follows a link; a file made meanwhile is opened, not changed (nothing is
        // written, and `O_NONBLOCK` keeps a FIFO from holding this up).
        descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOCTTY, 0o600)
        if descriptor >= 0 {
            close(descriptor)
            // (another process's empty file, made since the `stat`, is checked as any other)
            return try makeEmptyFileOwnerOnly(path)
        }
    }
    if descriptor >= 0 { close(descriptor) }
}

/// Whether the SQLite file at `path` holds no table, index, view or trigger at all (read through a read-only
/// connection of its own); `false` when it cannot be read so (not SQLite, a WAL file without its log): such a file is
/// left as it is.
private func hasNoSchema(_ path: String) -> Bool {
    var connection: OpaquePointer?
    defer { sqlite3_close_v2(connection) }
    guard sqlite3_open_v2(path, &connection, SQLITE_OPEN_READONLY, nil) == SQLITE_OK else { return false }
    var statement: OpaquePointer?
    defer { sqlite3_finalize(statement) }
    guard sqlite3_prepare_v2(connection, "SELECT count(*) FROM sqlite_schema", -1, &statement, nil) == SQLITE_OK,
        sqlite3_step(statement) == SQLITE_ROW
    else { return false }
    return sqlite3_column_int64(statement, 0) == 0
}

/// Refuses a `-wal`, `-shm` or `-journal` file beside the database (or beside the file a link names, where SQLite
/// keeps them) owned by neither this user nor the database file's owner: SQLite opens one that is there as it is, and
/// every write of the store (hashes, sealed tokens, session ids) would pass through a file that user reads (planted
/// in a shared directory while no connection was open; r10 of session 64). The database's owner's own (an app
/// running as its user while root migrates) are its.
func refuseLogsOfAnotherUser(_ path: String) throws(StoreError) {
    var database = stat()
    let databaseOwner = stat(path, &database) == 0 ? database.st_uid : geteuid()
    var bases = [path]
    if let real = realpath(path, nil) {
        let resolved = String(cString: real)
        free(real)
        if resolved != path { bases.append(resolved) }
    }
    for base in bases {
        for suffix in ["-wal", "-shm", "-journal"] {
            var info = stat()
            guard lstat(base + suffix, &info) == 0 else { continue }
            // (root's are trusted as its outputs are: a read-only command run as root leaves an empty -wal and -shm)
            if info.st_uid != geteuid() && info.st_uid != databaseOwner && info.st_uid != 0 {
                throw .fileOfAnotherUser(path: base + suffix, owner: UInt32(info.st_uid))
            }
        }
    }
}

/// Makes the file at `path` owner-only (0600) when it is an empty regular file of this user's, the file SQLite is
/// about to write the database into; refuses one of another user's (root's included: this user cannot make it
/// private). Anything else is left as it is, and to SQLite's opening to report.
private func makeEmptyFileOwnerOnly(_ path: String) throws(StoreError) {
    // (the file SQLite opens: a link is followed, as it follows it; `O_NONBLOCK`: a FIFO is left to be refused later)
    let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
    guard descriptor >= 0 else { return }
    defer { close(descriptor) }
    var info = stat()
    guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return }
    // Empty, or an SQLite file without a migration applied (one page with no table is as good as empty, and was
    // migrated into as such: r10 of session 64): nothing of anyone's to keep, and about to become the store.
    guard info.st_size == 0 || hasNoSchema(path) else { return }
    guard info.st_uid == geteuid() else { throw .fileOfAnotherUser(path: path, owner: UInt32(info.st_uid)) }
    guard info.st_mode & 0o077 != 0 else { return }
    guard fchmod(descriptor, 0o600) == 0 else {
        throw .database(
            path: path, code: SQLITE_CANTOPEN,
            message: "cannot make the empty file owner-only (mode 0600) before the database is written into it: "
                + String(cString: strerror(errno)))
    }
}
