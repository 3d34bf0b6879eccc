import AccountModel
import Foundation
import GRDB

extension StoreError {
    /// Turns anything thrown while using the database into a typed store error naming `path`.
    static func from(_ error: any Error, path: String) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? MigrationError { return .migration(error) }
        guard let error = error as? DatabaseError else {
            return .database(path: path, code: -1, message: String(describing: type(of: error)))
        }
        let message = error.message ?? "SQLite error \(error.resultCode.rawValue)"
        // A hot journal read by a connection that may not write (SQLite says "attempt to write a readonly database"):
        // not the file's permissions, which SQLITE_READONLY names otherwise.
        if error.extendedResultCode == .SQLITE_READONLY_ROLLBACK { return .interruptedWrite(path: path) }
        switch error.resultCode {
        case .SQLITE_NOTADB: return .notADatabase(path: path)
        case .SQLITE_CORRUPT: return .corrupt(path: path, message: message)
        case .SQLITE_READONLY: return .readOnly(path: path)
        case .SQLITE_FULL: return .diskFull(path: path)
        case .SQLITE_BUSY, .SQLITE_LOCKED: return .busy(path: path)
        case .SQLITE_CANTOPEN:
            // SQLite says "unable to open database file" and not why; the usual why is a permission.
            return .database(path: path, code: error.resultCode.rawValue, message: message + cantOpenReason(path))
        case .SQLITE_CONSTRAINT:
            if let field = duplicateField(message) { return .duplicate(field) }
            return .database(path: path, code: error.resultCode.rawValue, message: message)
        default:
            return .database(path: path, code: error.resultCode.rawValue, message: message)
        }
    }

    /// ``from(_:path:)`` for an error of a connection opened to write. SQLite opens a file this user may not write
    /// (its mode, another user's file, a read-only mount) read-only without a word, and a hot journal beside it then
    /// fails the first read as `SQLITE_READONLY_ROLLBACK`, which only a read-only connection meets: not an interrupted
    /// write to open for writing (advice this user cannot follow), but the file's permissions,
    /// ``StoreError/readOnly(path:)``.
    static func fromWriter(_ error: any Error, path: String) -> StoreError {
        let converted = from(error, path: path)
        if case .interruptedWrite = converted { return .readOnly(path: path) }
        return converted
    }

    /// The field a `UNIQUE constraint failed: table.column` message is about.
    static func duplicateField(_ message: String) -> Field? {
        guard message.hasPrefix("UNIQUE constraint failed: ") else { return nil }
        switch message.dropFirst("UNIQUE constraint failed: ".count) {
        case "users.username": return .username
        case "users.email", "users.email_key": return .email
        case "twitter_identities.twitter_user_id": return .twitterUserID
        default: return nil
        }
    }

    /// Whether `error` is a unique-constraint failure on `table.column`.
    static func isUniqueViolation(_ error: any Error, on column: String) -> Bool {
        guard let error = error as? DatabaseError, error.resultCode == .SQLITE_CONSTRAINT else { return false }
        return error.message == "UNIQUE constraint failed: \(column)"
    }

    /// Why `path` could not be opened, as far as permissions tell (`""` when they do not): a new file in a directory
    /// this user cannot write, a file it cannot read or write.
    static func cantOpenReason(_ path: String) -> String {
        let directory = PathParts.directory(of: path)
        let directoryShown = directory.isEmpty ? "." : directory
        if access(path, F_OK) != 0 {
            if access(directoryShown, W_OK | X_OK) != 0 {
                return " (cannot create it: its directory \(directoryShown) cannot be written by this user: "
                    + "\(String(cString: strerror(errno))))"
            }
            return ""
        }
        if access(path, R_OK) != 0 {
            return " (this user cannot read it: \(String(cString: strerror(errno))))"
        }
        if access(directoryShown, W_OK | X_OK) != 0 {
            return
                " (its directory \(directoryShown) cannot be written by this user, and SQLite makes its -wal and -shm "
                + "files there)"
        }
        return ""
    }
}
