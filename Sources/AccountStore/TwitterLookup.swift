import AccountModel
import GRDBSQLite
import Synchronization

/// The already-registered check on the hot path: its own read-only SQLite connection and one prepared statement,
/// so a lookup costs a bind, a step and a reset (a few microseconds) instead of a trip through the pool. The same
/// statement reads the newest applied migration, in the same snapshot, so that a database another process migrated
/// past this build is refused here as in every transaction of the store (``StoreError/schemaAhead(path:version:knownVersion:)``).
final class TwitterLookup: Sendable {
    private struct Handles {
        var connection: OpaquePointer?
        var statement: OpaquePointer?
        /// Set by ``close()``: the connection is not opened again.
        var closed = false
    }

    static let sql = """
        SELECT (SELECT max(version) FROM \(SchemaMigrator.historyTable)),
            (SELECT users.public_id FROM twitter_identities JOIN users ON users.id = twitter_identities.user_id
            WHERE twitter_identities.twitter_user_id = ?)
        """

    /// The newest applied migration alone: what a lookup that failed (a table rebuilt under it) checks.
    static let newestMigrationSQL = "SELECT max(version) FROM \(SchemaMigrator.historyTable)"

    private let handles: Mutex<Handles>
    private let path: String
    /// The newest migration this build carries.
    private let knownVersion: Int

    /// Opens the connection lazily, on first use, so stores that never look up pay nothing.
    init(path: String, knownVersion: Int) {
        self.path = path
        self.knownVersion = knownVersion
        handles = Mutex(Handles(connection: nil, statement: nil))
    }

    /// Closes the connection (after a lookup under way) for good: later lookups throw ``StoreError/closed(path:)``.
    func close() {
        handles.withLock { handles in
            sqlite3_finalize(handles.statement)
            sqlite3_close_v2(handles.connection)
            handles = Handles(connection: nil, statement: nil, closed: true)
        }
    }

    deinit {
        handles.withLock { handles in
            sqlite3_finalize(handles.statement)
            sqlite3_close_v2(handles.connection)
        }
    }

    /// The public id of the account linked to `twitterUserID`, or `nil`.
    func lookup(_ twitterUserID: TwitterUserID) throws(StoreError) -> UserID? {
        let (path, knownVersion) = (path, knownVersion)
        let result: Result<UserID?, StoreError> = handles.withLock { handles in
            if handles.closed { return .failure(.closed(path: path)) }
            if handles.statement == nil {
                if let error = TwitterLookup.open(&handles, path: path, knownVersion: knownVersion) {
                    return .failure(error)
                }
            }
            let statement = handles.statement
            defer {
                sqlite3_reset(statement)
                sqlite3_clear_bindings(statement)
            }
            let text = twitterUserID.decimalString
            let bound = text.withCString { pointer in
                // SQLITE_TRANSIENT: SQLite copies the text before the C string goes away.
                sqlite3_bind_text(statement, 1, pointer, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
            }
            guard bound == SQLITE_OK else { return .failure(TwitterLookup.error(handles.connection, path: path)) }
            switch sqlite3_step(statement) {
            case SQLITE_ROW:
                let newest = Int(sqlite3_column_int64(statement, 0))
                if newest > knownVersion {
                    return .failure(.schemaAhead(path: path, version: newest, knownVersion: knownVersion))
                }
                guard let value = sqlite3_column_text(statement, 1) else { return .success(nil) }
                return .success(UserID(uncheckedRawValue: String(cString: value)))
            case SQLITE_DONE:
                return .success(nil)
            default:
                let error = TwitterLookup.error(handles.connection, path: path)
                return .failure(
                    TwitterLookup.ahead(handles.connection, path: path, knownVersion: knownVersion) ?? error)
            }
        }
        return try result.get()
    }

    /// ``StoreError/schemaAhead(path:version:knownVersion:)`` when `connection`'s database was migrated past
    /// `knownVersion` (so that a lookup that failed on a table rebuilt by a newer migration says so), else `nil`.
    private static func ahead(_ connection: OpaquePointer?, path: String, knownVersion: Int) -> StoreError? {
        var statement: OpaquePointer?
        defer { sqlite3_finalize(statement) }
        guard sqlite3_prepare_v2(connection, newestMigrationSQL, -1, &statement, nil) == SQLITE_OK,
            sqlite3_step(statement) == SQLITE_ROW
        else { return nil }
        let newest = Int(sqlite3_column_int64(statement, 0))
        return newest > knownVersion ? .schemaAhead(path: path, version: newest, knownVersion: knownVersion) : nil
    }

    private static func open(_ handles: inout Handles, path: String, knownVersion: Int) -> StoreError? {
        var connection: OpaquePointer?
        let flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(path, &connection, flags, nil) == SQLITE_OK else {
            let error = TwitterLookup.error(connection, path: path)
            sqlite3_close_v2(connection)
            return error
        }
        sqlite3_busy_timeout(connection, 30_000)
        var statement: OpaquePointer?
        guard sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK
        else {
            let error =
                ahead(connection, path: path, knownVersion: knownVersion) ?? TwitterLookup.error(connection, path: path)
            sqlite3_close_v2(connection)
            return error
        }
        handles.connection = connection
        handles.statement = statement
        return nil
    }

    private static func error(_ connection: OpaquePointer?, path: String) -> StoreError {
        let code = sqlite3_errcode(connection)
        let message = sqlite3_errmsg(connection).map { String(cString: $0) } ?? "SQLite error \(code)"
        switch code {
        case SQLITE_BUSY, SQLITE_LOCKED: return .busy(path: path)
        case SQLITE_CORRUPT: return .corrupt(path: path, message: message)
        case SQLITE_NOTADB: return .notADatabase(path: path)
        default: return .database(path: path, code: code, message: message)
        }
    }
}
