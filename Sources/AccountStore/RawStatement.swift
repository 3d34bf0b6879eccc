import GRDB
import GRDBSQLite

/// A prepared statement driven through SQLite's C API on a GRDB connection, for the import's hot loop: binding
/// and stepping without GRDB's argument boxing (several times cheaper per row). Errors come back as GRDB's
/// `DatabaseError`, so ``StoreError/from(_:path:)`` maps them as it maps everything else.
final class RawStatement {
    private let handle: OpaquePointer
    private let connection: OpaquePointer

    /// Prepares `sql` on `db`'s connection; the statement must not outlive it.
    convenience init(_ db: Database, sql: String) throws {
        try self.init(connection: try db.openConnection(), sql: sql)
    }

    /// Prepares `sql` on the SQLite connection `connection`; the statement must not outlive it.
    init(connection: OpaquePointer, sql: String) throws {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw RawStatement.error(connection, code: code)
        }
        self.connection = connection
        handle = statement
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Binds `value` (NULL for nil) to parameter `index` (from 1).
    func bind(_ index: Int32, _ value: String?) {
        guard var value else {
            sqlite3_bind_null(handle, index)
            return
        }
        value.withUTF8 { bytes in
            // SQLITE_TRANSIENT: SQLite copies the bytes before they go away.
            _ = sqlite3_bind_text(
                handle, index, UnsafeRawPointer(bytes.baseAddress)?.assumingMemoryBound(to: CChar.self),
                Int32(bytes.count), unsafeBitCast(-1, to: sqlite3_destructor_type.self))
        }
    }

    /// Binds `value` (NULL for nil) to parameter `index` (from 1).
    func bind(_ index: Int32, _ value: Int64?) {
        guard let value else {
            sqlite3_bind_null(handle, index)
            return
        }
        sqlite3_bind_int64(handle, index, value)
    }

    /// Runs the statement to completion (it returns no rows) and resets it for the next use.
    func execute() throws {
        defer { sqlite3_reset(handle) }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else { throw RawStatement.error(connection, code: code) }
    }

    /// Steps once and returns the first column of the first row as an integer (`nil` when there is no row), then
    /// resets the statement.
    func firstInteger() throws -> Int64? {
        defer { sqlite3_reset(handle) }
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return sqlite3_column_int64(handle, 0)
        case SQLITE_DONE: return nil
        case let code: throw RawStatement.error(connection, code: code)
        }
    }

    /// Steps to the next row of a query: `true` when there is one (read it with ``text(_:)`` and ``integer(_:)``),
    /// `false` when the rows are done.
    func nextRow() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw RawStatement.error(connection, code: code)
        }
    }

    /// Column `index` (from 0) of the current row as UTF-8, or `nil` for NULL; valid until the next step.
    func text(_ index: Int32) -> UnsafeBufferPointer<UInt8>? {
        if sqlite3_column_type(handle, index) == SQLITE_NULL { return nil }
        // `column_text` before `column_bytes`, as SQLite asks, so that the length is the text's.
        let text = sqlite3_column_text(handle, index)
        let count = Int(sqlite3_column_bytes(handle, index))
        guard let text else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: text, count: count)
    }

    /// Column `index` (from 0) of the current row as an integer, or `nil` for NULL.
    func integer(_ index: Int32) -> Int64? {
        sqlite3_column_type(handle, index) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, index)
    }

    private static func error(_ connection: OpaquePointer, code: Int32) -> DatabaseError {
        let message = sqlite3_errmsg(connection).map { String(cString: $0) }
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
    }
}

@available(*, unavailable)
extension RawStatement: Sendable {}
