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
        case .SQLITE_IOERR:
            // SQLite says "disk I/O error" and not why. A disk with no room left fails the `-shm`'s growth (and some
            // writes) that way, a file past `ulimit -f` every write past it: said as such (until session 63 each was
            // "database error … disk I/O error", which blamed the database).
            // (a file size limit first: a disk with little room left and a limit would otherwise read as full; and
            // only a write, never a read that failed, as the disk full)
            if fileSizeLimit() == nil, isWrite(error.extendedResultCode), diskHasNoRoom(path) {
                return .diskFull(path: path)
            }
            return .database(path: path, code: error.resultCode.rawValue, message: message + ioErrorReason())
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

    /// Whether the file system holding `path` has less than 1 MiB left for this user (`statvfs`'s available blocks):
    /// what a "disk I/O error" then most likely is.
    static func diskHasNoRoom(_ path: String) -> Bool {
        // (the directory of the file a link leads to, where SQLite writes)
        let resolved = realpath(path, nil).map { pointer in
            defer { free(pointer) }
            return String(cString: pointer)
        }
        let directory = PathParts.directory(of: resolved ?? path)
        var stats = statvfs()
        guard statvfs(directory.isEmpty ? "." : directory, &stats) == 0 else { return false }
        return UInt64(stats.f_bavail) * UInt64(stats.f_frsize) < 1 << 20
    }

    /// Whether an I/O error of `code` came from writing (a write, growing the `-shm`, truncating, syncing), which a
    /// full disk refuses, rather than from reading.
    static func isWrite(_ code: ResultCode) -> Bool {
        [.SQLITE_IOERR_WRITE, .SQLITE_IOERR_SHMSIZE, .SQLITE_IOERR_TRUNCATE, .SQLITE_IOERR_FSYNC, .SQLITE_IOERR_SHMMAP]
            .contains(code)
    }

    /// This process's file size limit in bytes (`ulimit -f`), `nil` when it has none.
    static func fileSizeLimit() -> UInt64? {
        var limit = rlimit()
        #if canImport(Glibc)
            let read = getrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limit)
        #else
            let read = getrlimit(RLIMIT_FSIZE, &limit)
        #endif
        guard read == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return UInt64(limit.rlim_cur)
    }

    /// What else a "disk I/O error" may be: this process's file size limit (`ulimit -f`), when it has one, or the
    /// disk or file system failing (or full, for a write).
    static func ioErrorReason() -> String {
        if let limit = fileSizeLimit() {
            return " (this process may write files of at most \(limit) bytes, `ulimit -f`: a write past that "
                + "fails; raise the limit, or check the disk)"
        }
        return " (the disk or file system holding it failed a read or a write, or is full: check it)"
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
