import AccountCrypto
import Foundation
import GRDB
import Migrations

/// A migration file read for use: version, name, checksum and statements.
struct PlannedMigration: Sendable {
    var version: Int
    var name: String
    var fileName: String
    var checksum: String
    var text: String

    /// Reads `file`; refuses names that are not `NNNN_snake_case_description.sql`.
    init(_ file: MigrationFile) throws(MigrationError) {
        let fileName = file.fileName
        guard fileName.hasSuffix(".sql") else { throw .invalidFileName(fileName) }
        let stem = fileName.dropLast(4)
        let parts = stem.split(separator: "_", maxSplits: 1)
        guard parts.count == 2, parts[0].count == 4, parts[0].allSatisfy(\.isASCII),
            let version = Int(parts[0]), version > 0,
            parts[1].allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }),
            !parts[1].isEmpty
        else { throw .invalidFileName(fileName) }
        if let (line, problem) = PlannedMigration.textProblem(file.contents) {
            throw .invalidText(file: fileName, line: line, problem: problem)
        }
        let text = PlannedMigration.normalizedText(file.contents)
        for statement in SQLScript(text).statements {
            if let keyword = SQLScript.transactionKeyword(statement.sql) {
                throw .transactionStatement(file: fileName, line: statement.line, keyword: keyword)
            }
        }
        self.version = version
        self.name = String(parts[1])
        self.fileName = fileName
        self.text = text
        self.checksum = SHA256.hexDigest(Array(text.utf8))
    }

    /// Where `bytes` hold a NUL (SQLite reads a statement only up to one, so the rest would be skipped while the
    /// checksum covers it) or are not UTF-8 (their text would be changed before it ran), with the 1-based line.
    static func textProblem(_ bytes: [UInt8]) -> (line: Int, problem: String)? {
        if let nul = bytes.firstIndex(of: 0) {
            return (1 + bytes[..<nul].count { $0 == UInt8(ascii: "\n") }, "a NUL byte")
        }
        if String(validating: bytes, as: UTF8.self) == nil {
            // The first line that is not valid UTF-8 on its own.
            var line = 1
            for part in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                if String(validating: part, as: UTF8.self) == nil { break }
                line += 1
            }
            return (line, "bytes that are not UTF-8")
        }
        return nil
    }

    /// The file's text with a byte-order mark removed and CRLF or CR line endings turned into LF, so a Windows
    /// checkout does not look like an edit.
    static func normalizedText(_ bytes: [UInt8]) -> String {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        var output: [UInt8] = []
        output.reserveCapacity(body.count)
        var previousWasCR = false
        for byte in body {
            if byte == UInt8(ascii: "\r") {
                output.append(UInt8(ascii: "\n"))
                previousWasCR = true
                continue
            }
            if byte == UInt8(ascii: "\n") && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = false
            output.append(byte)
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Validates a whole set: at least one file, valid names, unique versions; returns them in version order.
    static func plan(_ files: [MigrationFile]) throws(MigrationError) -> [PlannedMigration] {
        guard !files.isEmpty else { throw .noMigrations }
        var planned: [PlannedMigration] = []
        for file in files { planned.append(try PlannedMigration(file)) }
        planned.sort { $0.version < $1.version }
        for (earlier, later) in zip(planned, planned.dropFirst()) where earlier.version == later.version {
            throw .duplicateVersion(earlier.version, first: earlier.fileName, second: later.fileName)
        }
        return planned
    }
}

/// One row of the migration history table.
struct AppliedMigration: Sendable {
    var version: Int
    var name: String
    var checksum: String
    /// `nil` when the row holds no time this can read (someone edited it by hand: `datetime('now')` text is read).
    var appliedAt: Int64?
    var executionMicros: Int64?

    /// A history row as stored, read without trapping on what a hand edit may leave: a `version` that is no integer
    /// is ``MigrationError/malformedHistory(name:problem:)``; other values are read as text or time whatever their
    /// storage class.
    init(
        version: DatabaseValue, name: DatabaseValue, checksum: DatabaseValue, appliedAt: DatabaseValue,
        executionMicros: DatabaseValue
    ) throws(MigrationError) {
        guard case .int64(let number) = version.storage, let version = Int(exactly: number) else {
            throw .malformedHistory(
                name: AppliedMigration.text(name),
                problem: "version is \(AppliedMigration.shown(version)), not an integer")
        }
        self.version = version
        self.name = AppliedMigration.text(name)
        self.checksum = AppliedMigration.text(checksum)
        // What no run writes: a damaged file (a flipped byte inside a record passes SQLite's checks), not a migration
        // edited or missing (until session 63 said as such: "edited after it was applied", two checksums alike).
        if version < 1 {
            throw .damagedHistory(version: version, name: self.name, problem: "the version \(version), not above 0")
        }
        if !(self.checksum.utf8.count == 64
            && self.checksum.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) })
        {
            throw .damagedHistory(
                version: version, name: self.name,
                problem: "a checksum that is not 64 lowercase hex digits")
        }
        self.appliedAt = Timestamp.lenientMicros(appliedAt)
        if case .int64(let micros) = executionMicros.storage {
            self.executionMicros = micros
        } else {
            self.executionMicros = nil
        }
    }

    private static func text(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .string(let text): text
        case .int64(let number): String(number)
        case .double(let number): String(number)
        case .blob(let data): String(decoding: data, as: UTF8.self)
        case .null: ""
        }
    }

    private static func shown(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .string(let text): "the text '\(String(text.prefix(40)))'"
        case .double(let number): "the real \(number)"
        case .blob: "a blob"
        case .null: "NULL"
        case .int64(let number): "\(number)"
        }
    }
}

/// Applies and reports migrations on one database connection.
///
/// The history table `schema_migrations` records version, name, SHA-256 checksum, applied_at and execution time.
/// Every migration runs in its own `BEGIN IMMEDIATE` transaction, which takes SQLite's write lock first and then
/// re-reads the history: when several processes migrate one database at once, each migration is applied exactly
/// once and the others find it done.
enum SchemaMigrator {
    static let historyTable = "schema_migrations"
    /// The columns the runner keeps in ``historyTable``.
    static let historyColumns = ["version", "name", "checksum", "applied_at", "execution_micros"]

    /// ``MigrationError/foreignHistoryTable(missingColumns:)`` for a history table with `columns` (lowercased) that
    /// lacks some the runner keeps: another tool's table of that name, said so, not SQLite's "no such column: name".
    static func foreignHistoryTable(columns: Set<String>) -> MigrationError? {
        let missing = historyColumns.filter { !columns.contains($0) }
        return missing.isEmpty ? nil : .foreignHistoryTable(missingColumns: missing)
    }

    static func history(_ db: Database) throws -> [AppliedMigration] {
        guard try db.tableExists(historyTable) else { return [] }
        if let foreign = foreignHistoryTable(
            columns: Set(try db.columns(in: historyTable).map { $0.name.lowercased() }))
        {
            throw StoreError.migration(foreign)
        }
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT version, name, checksum, applied_at, execution_micros FROM \(historyTable)
                ORDER BY version
                """)
        return try rows.map { row in
            try AppliedMigration(
                version: row[0], name: row[1], checksum: row[2], appliedAt: row[3], executionMicros: row[4])
        }
    }

    /// Whether `error`, from a migration's statement, is the trouble of the file or the machine (a full disk, an I/O
    /// error, a damaged file, no memory, a lock, no permission) rather than of the statement or the rows it meets.
    static func isTroubleOfTheFile(_ error: DatabaseError) -> Bool {
        switch error.resultCode {
        case .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_NOMEM, .SQLITE_CORRUPT, .SQLITE_NOTADB, .SQLITE_READONLY,
            .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_INTERRUPT:
            true
        default: false
        }
    }

    /// The state of every migration known to the binary or recorded in the database, in version order.
    static func status(planned: [PlannedMigration], applied: [AppliedMigration]) -> [MigrationStatusEntry] {
        let appliedByVersion = Dictionary(applied.map { ($0.version, $0) }, uniquingKeysWith: { first, _ in first })
        let plannedVersions = Set(planned.map(\.version))
        let highestKnown = planned.last?.version ?? 0
        var entries: [MigrationStatusEntry] = []
        for migration in planned {
            var entry = MigrationStatusEntry(
                version: migration.version, name: migration.name, state: .pending, checksum: migration.checksum,
                appliedChecksum: nil, appliedAt: nil, executionTime: nil)
            if let record = appliedByVersion[migration.version] {
                entry.state = record.checksum == migration.checksum ? .applied : .modified
                entry.appliedChecksum = record.checksum
                entry.appliedAt = record.appliedAt.map(Timestamp.date)
                entry.executionTime = record.executionMicros.map(Duration.microseconds)
            }
            entries.append(entry)
        }
        for record in applied where !plannedVersions.contains(record.version) {
            entries.append(
                MigrationStatusEntry(
                    version: record.version, name: record.name,
                    state: record.version > highestKnown ? .unknown : .missing, checksum: record.checksum,
                    appliedChecksum: record.checksum, appliedAt: record.appliedAt.map(Timestamp.date),
                    executionTime: record.executionMicros.map(Duration.microseconds)))
        }
        return entries.sorted { $0.version < $1.version }
    }

    /// Throws the first problem that forbids migrating or using the database: an edited, missing or unknown one, or
    /// a pending one below the newest applied.
    static func checkHistory(_ entries: [MigrationStatusEntry], planned: [PlannedMigration]) throws(MigrationError) {
        let newestApplied = entries.filter { $0.state == .applied }.map(\.version).max() ?? 0
        for entry in entries {
            switch entry.state {
            case .modified:
                // The entry's checksum is the file's (as `migrations status` shows it); the history has the applied one.
                let current = planned.first { $0.version == entry.version }?.checksum ?? entry.checksum
                let recorded = entry.appliedChecksum ?? ""
                throw .modified(
                    version: entry.version, name: entry.name, appliedChecksum: recorded, currentChecksum: current)
            case .missing: throw .missing(version: entry.version, name: entry.name)
            case .unknown: throw .unknown(version: entry.version, name: entry.name)
            case .pending where entry.version < newestApplied:
                throw .outOfOrder(version: entry.version, name: entry.name, newestApplied: newestApplied)
            case .applied, .pending: continue
            }
        }
    }

    /// Applies pending migrations up to `target` (all when `nil`), each in its own immediate transaction, calling
    /// `onApplied` with each as it commits.
    static func migrate(
        _ db: Database, planned: [PlannedMigration], target: Int?, dryRun: Bool, now: @Sendable () -> Date,
        onApplied: (MigrationStatusEntry) -> Void = { _ in }
    ) throws -> MigrationReport {
        if let target, !planned.contains(where: { $0.version == target }) {
            throw StoreError.migration(.targetNotFound(target))
        }
        // The history as it stands before this run: validate it before anything changes.
        let applied = try history(db)
        var entries = status(planned: planned, applied: applied)
        try checkHistoryOrThrow(entries, planned: planned)
        // A history with entries recorded but a table whose rows were changed in a different transaction needs no
        // special case: each step below re-reads it under the write lock.
        let highestApplied = applied.map(\.version).max() ?? 0
        if let target, target < highestApplied {
            throw StoreError.migration(.targetBelowApplied(target: target, applied: highestApplied))
        }
        let todo = planned.filter { migration in
            entries.contains { $0.version == migration.version && $0.state == .pending }
                && migration.version <= (target ?? Int.max)
        }
        if dryRun {
            let wouldApply = entries.filter { entry in todo.contains { $0.version == entry.version } }
            return MigrationReport(applied: wouldApply, dryRun: true, currentVersion: highestApplied)
        }
        var done: [MigrationStatusEntry] = []
        for migration in todo {
            let started = ContinuousClock.now
            var appliedNow = false
            // Foreign keys are off while a migration runs (SQLite ignores the pragma inside a transaction, so a file
            // cannot do it itself): rebuilding a table as SQLite documents it (create, copy, drop, rename) would
            // otherwise delete every row that refers to it, through ON DELETE CASCADE. They are checked before the
            // migration commits, and on again after.
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
            try db.inTransaction(.immediate) {
                try db.execute(
                    sql: """
                        CREATE TABLE IF NOT EXISTS \(historyTable) (
                            version INTEGER PRIMARY KEY,
                            name TEXT NOT NULL,
                            checksum TEXT NOT NULL,
                            applied_at INTEGER NOT NULL,
                            execution_micros INTEGER NOT NULL
                        )
                        """)
                // Under the write lock: another process may have applied this one (or a later one) meanwhile.
                let current = status(planned: planned, applied: try history(db))
                try checkHistoryOrThrow(current, planned: planned)
                guard current.contains(where: { $0.version == migration.version && $0.state == .pending }) else {
                    return .commit
                }
                // The net under the check of the files for transaction statements (when they are read): a commit
                // that is not the runner's own is turned into a rollback before SQLite makes it.
                // Rows that referred to nothing before (deleted by hand with foreign keys off, as the sqlite3 shell
                // has them) are not this migration's doing: only rows it leaves so stop it.
                // A rebuilt table's rows have new rowids: they are told apart by their key values.
                let brokenBefore = try ForeignKeyViolation.all(db, for: migration, after: false)
                // The foreign keys' shapes, before and after, tell a renamed key from one that stayed (only when
                // there are orphans from before: one query per table).
                let keysBefore = brokenBefore.isEmpty ? [] : try ForeignKeyViolation.keyShapes(db)
                let commits = CommitGuard()
                db.add(transactionObserver: commits, extent: .observerLifetime)
                defer { db.remove(transactionObserver: commits) }
                for statement in SQLScript(migration.text).statements {
                    do {
                        try db.execute(sql: statement.sql)
                    } catch is CommitGuard.Refused {
                        throw StoreError.migration(
                            .transactionStatement(
                                file: migration.fileName, line: statement.line,
                                keyword: SQLScript.summary(statement.sql)))
                    } catch let error as DatabaseError where Self.isTroubleOfTheFile(error) {
                        // A full disk, an I/O error, a damaged file, a lock: the file's trouble, not the statement's
                        // (until session 63 each was "fix the statement (or the rows it trips on)"). Thrown as it
                        // is: the caller names the file (`StoreError.from(_:path:)`: the disk full, and so on).
                        throw error
                    } catch let error as DatabaseError {
                        throw StoreError.migration(
                            .statementFailed(
                                file: migration.fileName, line: statement.line,
                                statement: SQLScript.summary(statement.sql),
                                message: error.message ?? "SQLite error \(error.resultCode.rawValue)"))
                    }
                    // (files are checked for transaction statements when read; this is the net under that check)
                    guard db.isInsideTransaction else {
                        throw StoreError.migration(
                            .transactionStatement(
                                file: migration.fileName, line: statement.line,
                                keyword: SQLScript.summary(statement.sql)))
                    }
                }
                let brokenAfter = try ForeignKeyViolation.all(db, for: migration, after: true)
                let keysAfter =
                    brokenBefore.isEmpty || brokenAfter.isEmpty ? [] : try ForeignKeyViolation.keyShapes(db)
                if let broken = ForeignKeyViolation.new(
                    brokenAfter, since: brokenBefore, keysBefore: keysBefore, keysAfter: keysAfter)
                {
                    throw StoreError.migration(
                        .foreignKeyViolation(
                            file: migration.fileName, table: broken.table, row: broken.row, parent: broken.parent))
                }
                let elapsed = ContinuousClock.now - started
                let micros = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
                try db.execute(
                    sql: """
                        INSERT INTO \(historyTable) (version, name, checksum, applied_at, execution_micros)
                        VALUES (?, ?, ?, ?, ?)
                        """,
                    arguments: [migration.version, migration.name, migration.checksum, Timestamp.micros(now()), micros])
                appliedNow = true
                commits.allowed = true
                return .commit
            }
            if appliedNow {
                entries = status(planned: planned, applied: try history(db))
                if let entry = entries.first(where: { $0.version == migration.version }) {
                    done.append(entry)
                    onApplied(entry)
                }
            }
        }
        let finalVersion = try history(db).map(\.version).max() ?? 0
        return MigrationReport(applied: done, dryRun: false, currentVersion: finalVersion)
    }

    private static func checkHistoryOrThrow(_ entries: [MigrationStatusEntry], planned: [PlannedMigration]) throws {
        do {
            try checkHistory(entries, planned: planned)
        } catch {
            throw StoreError.migration(error)
        }
    }
}

/// Refuses every commit until ``allowed``: while a migration's statements run, none of them may commit (a `COMMIT`
/// or `END` in the file would keep the statements before it even when a later one failed).
private final class CommitGuard: TransactionObserver {
    struct Refused: Error {}

    var allowed = false

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
    func databaseDidChange(with event: DatabaseEvent) {}
    func databaseWillCommit() throws {
        if !allowed { throw Refused() }
    }
    func databaseDidCommit(_ db: Database) {}
    func databaseDidRollback(_ db: Database) {}
}

/// A row of `PRAGMA foreign_key_check`: a row of `table` that refers to a `parent` row that does not exist.
private struct ForeignKeyViolation {
    var table: String
    var row: Int64?
    var parent: String
    /// What tells this violation from another across a migration: the table, the parent, and the child's columns of
    /// the foreign key with the row's values in them (`nil` for a table without rowid, whose rows are then only
    /// counted). Not the rowid, nor the foreign key's number: a table rebuilt as README § Migrations documents
    /// (create, copy, drop, rename) gives its rows new rowids when it has no integer primary key (closing the gaps
    /// deleted rows left), and numbers its foreign keys as the new definition lists them. A migration may rename the
    /// parent or the foreign key's columns too: ``new(_:since:keysBefore:keysAfter:)`` then matches by the table and
    /// values alone.
    var identity: Identity

    struct Identity: Hashable {
        var table: String
        var parent: String
        var columns: [String]
        var values: [DatabaseValue]?

        /// The table and values alone: what is left of an orphan's identity when a migration renames its parent
        /// table or its foreign key's columns.
        var tableAndValues: Identity { Identity(table: table, parent: "", columns: [], values: values) }
    }

    /// A foreign key's shape: its table, the parent it names and its columns (lowercased: SQLite's names are
    /// case-insensitive).
    struct KeyShape: Hashable {
        var table: String
        var parent: String
        var columns: [String]
    }

    /// The shape of the foreign key this violation is under (the identity's names are lowercased).
    var keyShape: KeyShape {
        KeyShape(table: identity.table, parent: identity.parent, columns: identity.columns)
    }

    /// The shapes of every foreign key of the database's tables.
    static func keyShapes(_ db: Database) throws -> Set<KeyShape> {
        var shapes = Set<KeyShape>()
        for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_schema WHERE type = 'table'") {
            var keys: [Int64: (parent: String, columns: [String])] = [:]
            for key in try Row.fetchAll(db, sql: "PRAGMA foreign_key_list(\(table.quotedDatabaseIdentifier))") {
                let id: Int64 = key["id"]
                let parent: String = key["table"] ?? ""
                let column: String = key["from"] ?? ""
                keys[id, default: (parent.lowercased(), [])].columns.append(column.lowercased())
            }
            for key in keys.values {
                shapes.insert(KeyShape(table: table.lowercased(), parent: key.parent, columns: key.columns))
            }
        }
        return shapes
    }

    /// What two violations, one before and one after a migration, are paired by: an identity, with the rowid or
    /// without it (`row` nil).
    private struct Likeness: Hashable {
        var identity: Identity
        var row: Int64?
        /// Table and values of a renamed key (never alike a whole identity).
        var renamed = false
    }

    /// Every violation in the database, before (`after` false) or after `migration`'s statements. SQLite's "foreign
    /// key mismatch" (a foreign key that refers to columns with no unique index, or only a partial one) fails the
    /// check itself: that is `migration`'s ``MigrationError/statementFailed(file:line:statement:message:)``, at its
    /// last statement (or its first, when the database had it before).
    static func all(_ db: Database, for migration: PlannedMigration, after: Bool) throws -> [ForeignKeyViolation] {
        do {
            var columnsByTable: [String: [Int64: [String]]] = [:]
            return try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").map { row in
                let table: String = row[0] ?? "?"
                let rowid: Int64? = row[1]
                let parent: String = row[2] ?? "?"
                let constraint: Int64 = row[3] ?? 0
                if columnsByTable[table] == nil {
                    var columns: [Int64: [String]] = [:]
                    let list = try Row.fetchAll(
                        db, sql: "PRAGMA foreign_key_list(\(table.quotedDatabaseIdentifier))")
                    for key in list {
                        let id: Int64 = key["id"]
                        columns[id, default: []].append(key["from"])
                    }
                    columnsByTable[table] = columns
                }
                let columns = columnsByTable[table]?[constraint] ?? []
                var values: [DatabaseValue]?
                if let rowid, !columns.isEmpty {
                    let selected = columns.map(\.quotedDatabaseIdentifier).joined(separator: ", ")
                    values = try Row.fetchOne(
                        db, sql: "SELECT \(selected) FROM \(table.quotedDatabaseIdentifier) WHERE rowid = ?",
                        arguments: [rowid]
                    )?.databaseValues.map { $0 }
                }
                // (the identity's names lowercased, as SQLite reads them: a rebuild that spells a column `Parent_Id`
                // or its parent `Parent` keeps the key, and the orphans under it from before)
                return ForeignKeyViolation(
                    table: table, row: rowid, parent: parent,
                    identity: Identity(
                        table: table.lowercased(), parent: parent.lowercased(),
                        columns: columns.map { $0.lowercased() },
                        values: values))
            }
        } catch let error as DatabaseError where !SchemaMigrator.isTroubleOfTheFile(error) {
            // (a full disk, an I/O error, a lock: the file's trouble, thrown as it is, as a statement's is)
            let statements = SQLScript(migration.text).statements
            let line = (after ? statements.last?.line : statements.first?.line) ?? 1
            throw StoreError.migration(
                .statementFailed(
                    file: migration.fileName, line: line, statement: "PRAGMA foreign_key_check",
                    message: (error.message ?? "SQLite error \(error.resultCode.rawValue)")
                        + (after ? "" : " (before the migration's statements ran)")
                        + "; a foreign key must refer to its parent's primary key, or to columns with a unique "
                        + "constraint or an index that is unique and not partial"))
        }
    }

    /// The first of `violations` that was not there before: one more of its table and values than `before` held.
    ///
    /// Violations are paired one to one (counted: two rows referring to one missing parent are two), closest first:
    /// by identity, then what is left by table and values alone, but only between a violation from before whose
    /// foreign key is gone (`keysAfter` has no key of its shape) and one after whose key is new (not in
    /// `keysBefore`): a migration renamed the parent table or the foreign key's columns. In each, a row that kept its
    /// rowid is paired with itself first, so that the violation left over is the row the migration broke whenever
    /// rowids tell it. (Until session 58 the table and values paired any two: a migration that removed an orphan and
    /// made one with the same value under another foreign key of that table committed.)
    static func new(
        _ violations: [ForeignKeyViolation], since before: [ForeignKeyViolation], keysBefore: Set<KeyShape>,
        keysAfter: Set<KeyShape>
    ) -> ForeignKeyViolation? {
        // In the last two stages a violation whose key stayed (one from before whose shape is still in `keysAfter`,
        // one after whose shape was in `keysBefore`) keeps its whole identity, with which the first two paired all
        // they could: it pairs with nothing more.
        func loose(_ violation: ForeignKeyViolation, stayed: Bool, row: Int64?) -> Likeness {
            stayed
                ? Likeness(identity: violation.identity, row: row)
                : Likeness(identity: violation.identity.tableAndValues, row: row, renamed: true)
        }
        let likenesses: [(before: (ForeignKeyViolation) -> Likeness, after: (ForeignKeyViolation) -> Likeness)] = [
            ({ Likeness(identity: $0.identity, row: $0.row) }, { Likeness(identity: $0.identity, row: $0.row) }),
            ({ Likeness(identity: $0.identity, row: nil) }, { Likeness(identity: $0.identity, row: nil) }),
            (
                { loose($0, stayed: keysAfter.contains($0.keyShape), row: $0.row) },
                { loose($0, stayed: keysBefore.contains($0.keyShape), row: $0.row) }
            ),
            (
                { loose($0, stayed: keysAfter.contains($0.keyShape), row: nil) },
                { loose($0, stayed: keysBefore.contains($0.keyShape), row: nil) }
            ),
        ]
        var unpaired = (before: before, after: violations)
        for likeness in likenesses {
            unpaired = paired(unpaired.before, unpaired.after, before: likeness.before, after: likeness.after)
        }
        return unpaired.after.first
    }

    /// Pairs each of `after` (in order) with one of `before` alike (by their `likeness`), and returns those of each
    /// left unpaired.
    private static func paired(
        _ before: [ForeignKeyViolation], _ after: [ForeignKeyViolation],
        before likenessBefore: (ForeignKeyViolation) -> Likeness, after likenessAfter: (ForeignKeyViolation) -> Likeness
    ) -> (before: [ForeignKeyViolation], after: [ForeignKeyViolation]) {
        var waiting: [Likeness: [Int]] = [:]
        for (index, violation) in before.enumerated() { waiting[likenessBefore(violation), default: []].append(index) }
        var pairedBefore = Set<Int>()
        var unpairedAfter: [ForeignKeyViolation] = []
        for violation in after {
            if let index = waiting[likenessAfter(violation)]?.popLast() {
                pairedBefore.insert(index)
            } else {
                unpairedAfter.append(violation)
            }
        }
        let unpairedBefore = before.indices.filter { !pairedBefore.contains($0) }.map { before[$0] }
        return (unpairedBefore, unpairedAfter)
    }
}
