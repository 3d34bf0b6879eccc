/// Why a migration run was refused or failed. The database is unchanged by a refusal, and a failed migration is
/// rolled back whole (earlier migrations of the same run stay applied, each in its own transaction).
public enum MigrationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The binary carries no migrations.
    case noMigrations
    /// A migration file name is not `NNNN_snake_case_description.sql`.
    case invalidFileName(String)
    /// A migration file's text cannot be run as written: a NUL byte (SQLite would stop reading there and run only
    /// what came before) or bytes that are not UTF-8.
    case invalidText(file: String, line: Int, problem: String)
    /// Two files carry the same version.
    case duplicateVersion(Int, first: String, second: String)
    /// An applied migration's file changed since it was applied.
    case modified(version: Int, name: String, appliedChecksum: String, currentChecksum: String)
    /// An applied migration has no file in this binary.
    case missing(version: Int, name: String)
    /// The database holds a migration newer than this binary knows (a newer `accounts` migrated it).
    case unknown(version: Int, name: String)
    /// The target (`to:` of ``AccountStore/migrate(_:to:dryRun:migrations:onApplied:onIntegrityCheck:)``, `--to` of
    /// `accounts migrate`) names a version this binary does not have.
    case targetNotFound(Int)
    /// The target (`to:` of ``AccountStore/migrate(_:to:dryRun:migrations:onApplied:onIntegrityCheck:)``, `--to` of
    /// `accounts migrate`) is a version below one already applied; migrations are never undone.
    case targetBelowApplied(target: Int, applied: Int)
    /// A statement of a migration failed; the migration was rolled back and not recorded.
    case statementFailed(file: String, line: Int, statement: String, message: String)
    /// A migration file holds a statement that begins or ends a transaction (`COMMIT`, `END`, `BEGIN`, `ROLLBACK`,
    /// `SAVEPOINT`, `RELEASE`): each migration runs in a transaction of its own, and a `COMMIT` in it would keep the
    /// statements before it even when a later one failed. Refused before anything runs.
    case transactionStatement(file: String, line: Int, keyword: String)
    /// A migration this binary carries is pending while a later one is applied (a file added with a lower number
    /// after the later one was applied): applied now, it would run after the later one, unlike on a new database.
    case outOfOrder(version: Int, name: String, newestApplied: Int)
    /// After a migration's statements, a row refers to one that does not exist (found by `PRAGMA foreign_key_check`,
    /// foreign keys being off while a migration runs); the migration was rolled back and not recorded.
    case foreignKeyViolation(file: String, table: String, row: Int64?, parent: String)
    /// A row of the history table (`schema_migrations`, named by its `name`) cannot be read as a migration: edited by
    /// hand into something that is not one, or a table of another tool's making.
    case malformedHistory(name: String, problem: String)
    /// The database has a history table (`schema_migrations`) without the columns this runner keeps in it: another
    /// tool's (Rails, and others, keep one of that name), not this store's.
    case foreignHistoryTable(missingColumns: [String])
    /// A row of the history table holds what no run of the migration runner writes (a checksum that is not 64
    /// lowercase hex digits, a version below 1): the file is damaged there (a flipped byte that SQLite's checks do
    /// not see inside a record), not a migration edited or missing.
    case damagedHistory(version: Int, name: String, problem: String)

    /// `version` with at least four digits, `0003`, as migration files are named: every digit of it (`%04d` printed
    /// the low 32 bits of a hand-edited 4294967313, as 0017, until session 63).
    package static func fourDigits(_ version: Int) -> String {
        let digits = String(version.magnitude)
        return (version < 0 ? "-" : "") + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// A sentence saying what is wrong and what to do.
    public var description: String {
        switch self {
        case .noMigrations:
            return "no migrations were given (an empty `migrations:` list, or a build without Migrations/sqlite); pass "
                + "Migrations.sqlite, the default"
        case .invalidFileName(let name):
            return "migration file \(name) is not named NNNN_snake_case_description.sql; rename it: four digits above "
                + "0000, `_`, then lowercase letters, digits and `_` (0012_add_login_index.sql)"
        case .invalidText(let file, let line, let problem):
            return "\(file):\(line): \(problem); migration files must be UTF-8 text"
        case .duplicateVersion(let version, let first, let second):
            return "migrations \(first) and \(second) both have version \(version); give one of them (the one not "
                + "applied yet, if the other was) a version of its own, above the newest"
        case .modified(let version, let name, let applied, let current):
            // (whole checksums: two that differ past their 12th digit printed as the same; the files are built into
            // the binary, so "restore the file" is for whoever builds it)
            let file = MigrationError.fourDigits(version) + "_\(name).sql"
            return "migration \(version) (\(file)) is not the one applied to the database (checksum \(applied) "
                + "applied, \(current) in this build): the database was migrated by a build whose \(file) differs, "
                + "or the file was edited after it was applied; use the build that applied it (or restore the "
                + "database from a backup), and whoever builds `accounts`: restore the file, and put schema changes "
                + "in a new migration"
        case .missing(let version, let name):
            return "migration \(version) (\(name)) is applied in the database but missing from this binary; use a "
                + "build that carries it (the one that applied it, or a newer one)"
        case .unknown(let version, let name):
            return "the database has migration \(version) (\(name)), newer than this binary knows; "
                + "use a build that carries it (the newer one that applied it)"
        case .targetNotFound(let version):
            return message(
                target: "migration target \(version) (the `to:` of AccountStore.migrate)",
                advice: "give the version of one this binary carries, or none to apply them all")
        case .targetBelowApplied(let target, let applied):
            return message(
                target: "migration target \(target) (the `to:` of AccountStore.migrate)",
                advice: "give \(applied) or above, or none")
        case .statementFailed(let file, let line, let statement, let message):
            return "\(file):\(line): migration failed and was rolled back: \(message) (in `\(statement)`); fix the "
                + "statement (or the rows it trips on) and migrate again"
        case .transactionStatement(let file, let line, let keyword):
            return "\(file):\(line): \(keyword) controls the transaction each migration runs in; remove it "
                + "(statements that must not share one belong in separate migrations)"
        case .foreignKeyViolation(let file, let table, let row, let parent):
            return
                "\(file): migration rolled back: \(table) row \(row.map(String.init) ?? "(without rowid)") refers to "
                + "a \(parent) row that does not exist after it; keep the referenced rows (or their ids) when "
                + "rebuilding a table"
        case .foreignHistoryTable(let missing):
            return "the database has a schema_migrations table without the columns this store keeps in it ("
                + missing.joined(separator: ", ") + "): another tool's (Rails and others keep one of that name), not "
                + "this store's; give accounts a database of its own (another --database path)"
        case .damagedHistory(let version, let name, let problem):
            return "the database's migration history is damaged: the row of migration \(version) (\(name)) has "
                + "\(problem), which no migration run writes; restore the database from a backup (`accounts backup` "
                + "still copies it as it is)"
        case .malformedHistory(let name, let problem):
            let quoted =
                "'" + name.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''") + "'"
            return "schema_migrations row \(quoted): \(problem); put back the number of the migration file it belongs "
                + "to (NNNN in NNNN_\(name).sql): UPDATE schema_migrations SET version = NNNN WHERE name = \(quoted)"
        case .outOfOrder(let version, let name, let newest):
            return "migration \(version) (\(name)) is pending but migration \(newest) is applied: it would run after "
                + "\(newest), unlike on a new database; give it a version above \(newest)"
        }
    }

    /// The message of a refused target, said here once: `target` names it as its reader gave it (the library's `to:`
    /// in ``description``, `accounts migrate --to`), and `advice`, when given, says what to give instead. Every other
    /// error reads the same for all: its ``description``.
    package func message(target: String, advice: String?) -> String {
        switch self {
        case .targetNotFound:
            "\(target): no migration has that version" + (advice.map { "; \($0)" } ?? "")
        case .targetBelowApplied(_, let applied):
            "\(target) is below the applied version \(applied); migrations are never undone"
                + (advice.map { ": \($0)" } ?? "")
        default:
            description
        }
    }
}
