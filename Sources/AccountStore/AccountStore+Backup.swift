import AccountTransfer
import Foundation
import GRDB
import GRDBSQLite
import Synchronization

extension AccountStore {
    /// What ``backUp(to:progress:)`` wrote, read back from the copy itself.
    public struct BackupReport: Sendable, Equatable {
        /// The accounts in the copy.
        public let accounts: Int
        /// The highest migration version applied in the copy (`nil` for a database no migration has touched).
        public let schemaVersion: Int?
        /// The copy's size in bytes.
        public let bytes: Int
    }

    /// Writes a consistent copy of the whole database to `path`, while the store stays in use.
    ///
    /// The copy is one snapshot (SQLite's `VACUUM INTO` in a read transaction): writes committed after it began are
    /// not in it, none is half in it, and nothing waits for it (in WAL mode a write never waits for a read; the
    /// `-wal` file grows meanwhile, as checkpoints cannot pass the snapshot). It is compact: the pages that deleted
    /// rows left behind are not copied. It is written beside `path` under a hidden name, mode 0600 (it holds password
    /// hashes and sealed tokens), flushed to disk, checked (`PRAGMA quick_check`, and its accounts counted), and only
    /// then renamed over `path`: a failed, cancelled or interrupted backup leaves the file at `path` as it was, and
    /// removes its own (a process killed outright leaves the hidden `.NAME.partial-…` file, which the next backup to
    /// `path` removes once it has been left a minute; `accounts backup` removes it on SIGINT, SIGTERM and SIGHUP).
    ///
    /// The copy's sealed tokens open with the keys that sealed them: keep a retired key as long as a backup made
    /// before the rotation (see "Rotating keys" in the README). The keys file is never in the copy.
    ///
    /// - Parameters:
    ///   - path: the file to write; an existing file is replaced, a symbolic link there is replaced (not followed).
    ///     The `-wal`, `-shm` and `-journal` files beside it go with the file replaced (SQLite would read them into
    ///     the copy). The database itself, its `-wal`, `-shm` and `-journal` files (beside the database's path and
    ///     beside the file it links to) and anything but a regular file (or nothing) are refused.
    ///   - progress: called now and then, on the thread doing the copy, with the bytes written so far and the bytes
    ///     expected (the database's pages in use), while the copy is made.
    /// - Returns: what the copy holds.
    /// - Throws: ``StoreError/backupFailed(path:reason:)`` naming `path` and why (no room, no permission, the copy
    ///   failing its check); ``StoreError/backupCancelled(path:)`` when the task was cancelled;
    ///   ``StoreError/backupReadFailed(database:path:reason:)`` when reading the database failed (an I/O error of its
    ///   disk); other errors reading the database (damaged, busy) are the store's usual ones, naming the database.
    public func backUp(
        to path: String, progress: @escaping @Sendable (_ written: Int, _ expected: Int) -> Void = { _, _ in }
    ) async throws(StoreError) -> BackupReport {
        let entry = try enter()
        defer { entry.end() }
        try refuseBackupDestination(path)
        let temporary = OutputFile.temporaryPath(for: path)
        // (SQLite writes the copy with a rollback journal beside it; `.lock` is the backup's own, claimCopy(_:))
        let companions = ["-journal", "-wal", "-shm", ".lock"]
        // Partial copies of earlier backups to `path` whose process was killed outright (SIGKILL, the OOM killer, a
        // job's time limit): each a whole database of hashes and sealed tokens, one more per kill until session 64.
        Self.removeAbandonedCopies(of: path, companions: companions)
        if let failure = OutputFile.beginUnfinished(temporary, companions: companions) {
            throw .backupFailed(path: path, reason: String(cString: strerror(failure)))
        }
        // (held until the copy is renamed or removed: another backup's sweep leaves a copy under way alone)
        let claim = Self.claimCopy(temporary, creating: true)
        var renamed = false
        defer {
            if !renamed { unlink(temporary) }
            for suffix in companions { unlink(temporary + suffix) }
            OutputFile.endUnfinished(temporary, companions: companions)
            if claim >= 0 { Foundation.close(claim) }
        }
        let cancelled = BackupCancellation()
        do {
            try await withTaskCancellationHandler {
                try await pool.readOffPool(unsafe: true) { [database = self.path, writeGate, fileIdentity] db in
                    entry.end()
                    // (the pool's reader stays open meanwhile, so the copy's own connection never closes the
                    // database's last one, which would checkpoint it)
                    guard
                        let connection = try Self.openForCopy(
                            database, identity: fileIdentity, busyTimeoutMilliseconds: writeGate.busyTimeoutMilliseconds
                        )
                    else {
                        // (the file at the path is no longer the store's: moved, deleted or replaced while it was
                        // open; the reader still reads the store's own, read-only and slower)
                        return try Self.vacuum(
                            try db.openConnection(), into: temporary, cancelled: cancelled, progress: progress)
                    }
                    defer { sqlite3_close_v2(connection) }
                    return try Self.vacuum(connection, into: temporary, cancelled: cancelled, progress: progress)
                }
            } onCancel: {
                cancelled.flag.store(true, ordering: .relaxed)
            }
        } catch {
            if cancelled.flag.load(ordering: .relaxed) { throw .backupCancelled(path: path) }
            if let error = error as? DatabaseError {
                let code = error.extendedResultCode
                let message = error.message ?? "SQLite error \(code.rawValue)"
                if [.SQLITE_IOERR_READ, .SQLITE_IOERR_SHORT_READ].contains(code) {
                    // A page of the snapshot (in the database's file or its -wal) could not be read.
                    throw .backupReadFailed(
                        database: self.path, path: path, reason: "\(message), SQLite code \(code.rawValue)")
                }
                if [.SQLITE_FULL, .SQLITE_IOERR, .SQLITE_CANTOPEN].contains(error.resultCode) {
                    // The copy's writes failed, not the database's reads (an I/O error with what it may be: a file
                    // size limit, a full or failing disk).
                    let reason = error.resultCode == .SQLITE_IOERR ? message + StoreError.ioErrorReason() : message
                    throw .backupFailed(path: path, reason: reason)
                }
            }
            throw storeError(error)
        }
        let report: BackupReport
        do {
            report = try Self.checkCopy(temporary, destination: path)
        } catch {
            // A copy made from a damaged database fails the check as the database does: the database is at fault,
            // not the copy (until session 63 this blamed the copy, and sent the operator looking at the backup's disk).
            if let damage = try? await read({ db in try String.fetchOne(db, sql: "PRAGMA quick_check") }),
                damage != "ok"
            {
                throw .corrupt(
                    path: self.path, message: damage.split(whereSeparator: \.isNewline).joined(separator: " "))
            }
            throw error
        }
        // A log, index or journal left beside the file replaced (a program killed while it had an earlier copy
        // open) would be read into the new copy by whoever opens it next: they go with the file they belong to.
        try removeLeftovers(besideCopy: path)
        guard rename(temporary, path) == 0 else {
            throw .backupFailed(path: path, reason: String(cString: strerror(errno)))
        }
        renamed = true
        // (the new name reaches the disk with its directory)
        let directory = PathParts.directory(of: path)
        let folder = Foundation.open(directory.isEmpty ? "." : directory, O_RDONLY)
        if folder >= 0 {
            fsync(folder)
            Foundation.close(folder)
        }
        return report
    }

    /// How long a partial copy must have been left unchanged before a later backup takes it for abandoned (with no
    /// process holding its lock): a copy under way is written to all along, and checked within seconds.
    static let abandonedCopyAge: TimeInterval = 60

    /// A descriptor of the lock file of the partial copy at `path` (`path.lock`, empty, 0600; made when `creating`)
    /// holding a `flock` on it, which ends with this process (a SIGKILL included): -1 when it cannot be had. Never
    /// on the copy itself, which SQLite writes: on SMB mounts a `flock` is a mandatory byte-range lock, and SQLite's
    /// writes through its own descriptor would fail; NFS takes a `flock` only on a file open for writing.
    static func claimCopy(_ path: String, creating: Bool = false) -> Int32 {
        let descriptor = Foundation.open(
            path + ".lock", O_RDWR | O_NOFOLLOW | O_CLOEXEC | (creating ? O_CREAT | O_EXCL : 0), 0o600)
        guard descriptor >= 0 else { return -1 }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            Foundation.close(descriptor)
            return -1
        }
        return descriptor
    }

    /// Removes the hidden partial copies of backups to `destination` (`.NAME.partial-` and a hexadecimal suffix,
    /// with `companions` beside each) that no process holds (``claimCopy(_:creating:)``: a copy without its lock file,
    /// left by an earlier version, is claimed by making one) and that were last written more than
    /// ``abandonedCopyAge`` ago: those of backups killed outright. Regular files of this user only.
    static func removeAbandonedCopies(of destination: String, companions: [String]) {
        let directory = PathParts.directory(of: destination)
        // The name the partial copies of `destination` share, up to their random suffix.
        let sample = PathParts.lastComponent(of: OutputFile.temporaryPath(for: destination))
        guard let marker = sample.range(of: ".partial-", options: .backwards) else { return }
        let stem = String(sample[..<marker.upperBound])
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)
        else { return }
        let now = Date().timeIntervalSince1970
        for name in names where name.hasPrefix(stem) {
            let suffix = name.dropFirst(stem.count)
            guard (1...16).contains(suffix.count), suffix.allSatisfy(\.isHexDigit) else { continue }
            let path = (directory.isEmpty ? "" : directory.hasSuffix("/") ? directory : directory + "/") + name
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid(),
                now - TimeInterval(info.st_mtim.tv_sec) > abandonedCopyAge
            else { continue }
            var lock = stat()
            let hasLock = lstat(path + ".lock", &lock) == 0
            let claim = claimCopy(path, creating: !hasLock)
            guard claim >= 0 else { continue }  // a backup under way (or a lock file that cannot be opened)
            unlink(path)
            for suffix in companions { unlink(path + suffix) }
            Foundation.close(claim)
        }
    }

    /// Refuses a destination that is the database or one of its files, or no regular file.
    private func refuseBackupDestination(_ destination: String) throws(StoreError) {
        var target = stat()
        guard lstat(destination, &target) == 0 else {
            // (nothing there yet: still not the name of a file SQLite makes beside the database when it needs it)
            if let own = ownFile(named: destination) {
                throw .backupFailed(
                    path: destination, reason: "it is the database's own file \(own); name another file")
            }
            return
        }
        switch target.st_mode & S_IFMT {
        case S_IFREG, S_IFLNK: break
        case S_IFDIR: throw .backupFailed(path: destination, reason: "it is a directory; name a file")
        default: throw .backupFailed(path: destination, reason: "it is not a regular file; name a file")
        }
        guard target.st_mode & S_IFMT == S_IFREG else { return }
        if let own = ownFile(named: destination) ?? ownFile(target) {
            throw .backupFailed(path: destination, reason: "it is the database's own file \(own); name another file")
        }
    }

    /// The database and the files SQLite keeps beside it (`-wal`, `-shm`, `-journal`): beside `path`, and beside
    /// the file `path` links to, where SQLite keeps them for a database reached through a symbolic link.
    private var ownFiles: [String] {
        let suffixes = ["", "-wal", "-shm", "-journal"]
        var files = suffixes.map { path + $0 }
        if let real = realpath(path, nil) {
            defer { free(real) }
            let resolved = String(cString: real)
            if resolved != path { files += suffixes.map { resolved + $0 } }
        }
        return files
    }

    /// The database's own file that `destination` names, resolving the links in its directory: a file SQLite
    /// makes only when it needs one (`-journal`) may not exist yet.
    private func ownFile(named destination: String) -> String? {
        func resolvedName(_ file: String) -> String? {
            let directory = PathParts.directory(of: file)
            guard let real = realpath(directory.isEmpty ? "." : directory, nil) else { return nil }
            defer { free(real) }
            let base = String(cString: real)
            return (base == "/" ? "" : base) + "/" + PathParts.lastComponent(of: file)
        }
        guard let target = resolvedName(destination) else { return nil }
        return ownFiles.first { resolvedName($0) == target }
    }

    /// The database's own file that is the file `info` describes (a hard link to one, or a path to it through a
    /// link to its directory).
    private func ownFile(_ info: stat) -> String? {
        ownFiles.first { file in
            var own = stat()
            return stat(file, &own) == 0 && own.st_dev == info.st_dev && own.st_ino == info.st_ino
        }
    }

    /// Removes the `-wal`, `-shm` and `-journal` files beside `destination` that belong to the file the copy
    /// replaces; one that is the database's own refuses the backup instead.
    private func removeLeftovers(besideCopy destination: String) throws(StoreError) {
        for suffix in ["-wal", "-shm", "-journal"] {
            let leftover = destination + suffix
            var info = stat()
            guard lstat(leftover, &info) == 0 else { continue }
            if let own = ownFile(named: leftover) ?? ownFile(info) {
                throw .backupFailed(
                    path: destination,
                    reason: "\(leftover) beside it is the database's own file \(own); name another file")
            }
            guard unlink(leftover) == 0 || errno == ENOENT else {
                throw .backupFailed(
                    path: destination,
                    reason: "\(leftover), left beside it by the file it replaces, cannot be removed "
                        + "(\(String(cString: strerror(errno))))")
            }
        }
    }

    /// A connection of the copy's own to the database at `path`, opened read-write (or read-only where the file is
    /// write-protected), even for a store opened read-only: `VACUUM INTO` writes nothing to the database, and SQLite
    /// opened read-only, as the store's readers are, writes and rereads the copy's pages several times each (for
    /// 100,000 accounts, 48,611 page writes and 3.3 s of CPU against 10,539 and 0.9 s read-write, with `sqlite3`
    /// 3.40 and `accounts backup` alike; at 1,000,000, 46 s of CPU for `accounts backup` where `sqlite3` read-write
    /// took 1.9 s). It is opened through a `mode=rw` URI, so that the database is never made anew, while `VACUUM INTO`
    /// may still create the copy (it opens it with the connection's flags). `nil` when `path` no longer names the file
    /// the store opened (`identity`): moved, deleted or replaced while the store was open. A failure to open or read
    /// the database is the store's error naming it, never the copy's.
    private static func openForCopy(
        _ path: String, identity: (device: UInt64, inode: UInt64)?, busyTimeoutMilliseconds: CInt
    ) throws -> OpaquePointer? {
        var info = stat()
        guard let identity, stat(path, &info) == 0, UInt64(info.st_dev) == identity.device,
            UInt64(info.st_ino) == identity.inode, let real = realpath(path, nil)
        else { return nil }
        let file = String(cString: real)
        free(real)
        guard let uri = uri(ofResolvedFile: file, mode: "rw") else { return nil }
        var connection: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(uri, &connection, flags | SQLITE_OPEN_EXRESCODE, nil)
        guard code == SQLITE_OK, let connection else {
            let message = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
            sqlite3_close_v2(connection)
            throw StoreError.from(DatabaseError(resultCode: ResultCode(rawValue: code), message: message), path: path)
        }
        sqlite3_busy_timeout(connection, busyTimeoutMilliseconds)
        do {
            // (SQLite opens the database's log and index, and takes its locks, at the first read: here, where a
            // failure is the database's)
            _ = try RawStatement(connection: connection, sql: "SELECT count(*) FROM sqlite_schema").firstInteger()
        } catch {
            sqlite3_close_v2(connection)
            throw StoreError.from(error, path: path)
        }
        return connection
    }

    /// Copies the database `connection` reads into the empty file `temporary`, then flushes it to disk.
    private static func vacuum(
        _ connection: OpaquePointer, into temporary: String, cancelled: BackupCancellation,
        progress: @escaping @Sendable (Int, Int) -> Void
    ) throws {
        func pragma(_ name: String) throws -> Int? {
            try RawStatement(connection: connection, sql: "PRAGMA \(name)").firstInteger().map(Int.init)
        }
        let pageSize = try pragma("page_size") ?? 4096
        let pages = try pragma("page_count") ?? 0
        let free = try pragma("freelist_count") ?? 0
        let watch = BackupWatch(
            path: temporary, expected: max(0, pages - free) * pageSize, cancelled: cancelled, progress: progress)
        let context = Unmanaged.passRetained(watch)
        defer { context.release() }
        // Every 10,000 virtual machine steps: report the copy's size now and then, and stop when cancelled.
        sqlite3_progress_handler(
            connection, 10_000,
            { pointer in
                guard let pointer else { return 0 }
                return Unmanaged<BackupWatch>.fromOpaque(pointer).takeUnretainedValue().step() ? 1 : 0
            }, context.toOpaque())
        defer { sqlite3_progress_handler(connection, 0, nil, nil) }
        let copy = try RawStatement(connection: connection, sql: "VACUUM INTO ?")
        copy.bind(1, plainFileName(temporary))
        try copy.execute()
        watch.report()
        // SQLite does not flush what VACUUM INTO writes.
        let descriptor = Foundation.open(temporary, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw DatabaseError(resultCode: .SQLITE_IOERR, message: "cannot reopen the copy") }
        defer { Foundation.close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw DatabaseError(resultCode: .SQLITE_IOERR, message: String(cString: strerror(errno)))
        }
    }

    /// `path` as SQLite reads a file name, never a URI: `./` before a relative one, as a `file:…` name (an `--output
    /// file:x/copy.sqlite`) is a URI to a connection that takes them (Debian's SQLite takes them everywhere), which
    /// names another file.
    private static func plainFileName(_ path: String) -> String {
        path.hasPrefix("/") ? path : "./" + path
    }

    /// Opens the copy at `temporary` read-only and checks it: `quick_check` must say `ok`; its accounts and schema
    /// version are read for the report.
    private static func checkCopy(_ temporary: String, destination: String) throws(StoreError) -> BackupReport {
        var connection: OpaquePointer?
        defer { sqlite3_close_v2(connection) }
        guard sqlite3_open_v2(plainFileName(temporary), &connection, SQLITE_OPEN_READONLY, nil) == SQLITE_OK,
            let connection
        else {
            throw .backupFailed(path: destination, reason: "the copy cannot be opened to check it")
        }
        func single(_ sql: String) throws(StoreError) -> String? {
            var statement: OpaquePointer?
            defer { sqlite3_finalize(statement) }
            guard sqlite3_prepare_v2(connection, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
                throw .backupFailed(
                    path: destination,
                    reason: "the copy fails its check: \(String(cString: sqlite3_errmsg(connection)))")
            }
            switch sqlite3_step(statement) {
            case SQLITE_ROW: return sqlite3_column_text(statement, 0).map { String(cString: $0) }
            case SQLITE_DONE: return nil
            default:
                throw .backupFailed(
                    path: destination,
                    reason: "the copy fails its check: \(String(cString: sqlite3_errmsg(connection)))")
            }
        }
        let check = try single("PRAGMA quick_check") ?? ""
        guard check == "ok" else {
            throw .backupFailed(path: destination, reason: "the copy fails its check: \(check)")
        }
        let hasHistory =
            try single(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '\(SchemaMigrator.historyTable)'")
            == "1"
        let hasUsers = try single("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'users'") == "1"
        // (what the copy holds is reported, not checked: a history or users table of another layout, which any schema
        // may have since a backup copies any, reads as none rather than failing a sound copy)
        let version = hasHistory ? try? single("SELECT max(version) FROM \(SchemaMigrator.historyTable)") : nil
        let accounts = hasUsers ? try? single("SELECT count(*) FROM users") : nil
        var info = stat()
        let bytes = stat(temporary, &info) == 0 ? Int(info.st_size) : 0
        return BackupReport(
            accounts: accounts.flatMap(Int.init) ?? 0, schemaVersion: version.flatMap(Int.init), bytes: bytes)
    }
}

/// Whether a backup's task was cancelled, read by SQLite's progress handler on the copying thread.
private final class BackupCancellation: Sendable {
    let flag = Atomic<Bool>(false)
}

/// What the progress handler of a backup's connection does: reports the copy's size at most every 100 ms, and
/// stops the copy once cancelled.
private final class BackupWatch: @unchecked Sendable {
    // (@unchecked: `lastReport` is touched only on the copying thread, inside SQLite's calls)
    let path: String
    let expected: Int
    let cancelled: BackupCancellation
    let progress: @Sendable (Int, Int) -> Void
    /// (the first step reports at once)
    private var lastReport = ContinuousClock.now - .seconds(1)

    init(path: String, expected: Int, cancelled: BackupCancellation, progress: @escaping @Sendable (Int, Int) -> Void) {
        self.path = path
        self.expected = expected
        self.cancelled = cancelled
        self.progress = progress
    }

    /// `true` to stop the copy.
    func step() -> Bool {
        if cancelled.flag.load(ordering: .relaxed) { return true }
        let now = ContinuousClock.now
        if now - lastReport >= .milliseconds(100) {
            lastReport = now
            report()
        }
        return false
    }

    func report() {
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        progress(Int(info.st_size), expected)
    }
}
