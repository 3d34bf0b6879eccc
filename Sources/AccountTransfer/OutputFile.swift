import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file a command was asked to write with `--output`, replaced only by a complete one.
///
/// - A regular file (or a name not yet taken) is written beside its final name, mode 0600, and renamed over it by
///   ``commit()``: a reader never sees half a file, and a failed or abandoned write leaves the old file as it was.
///   On Linux the file written has no name until ``commit()`` (`O_TMPFILE`, then `linkat` through `/proc/self/fd`):
///   a process killed half-way (SIGKILL, the OOM killer, a power cut) leaves nothing behind, where a named one left a
///   hidden `.FILE.partial-…` holding the accounts written so far. Where the file system cannot make such a file, or
///   `/proc` is not mounted, it is a hidden named file, removed on SIGINT, SIGTERM and SIGHUP.
/// - A device, FIFO or socket (`/dev/null`, a named pipe), or a symbolic link to one, is written directly. Renaming
///   a file over it would put a regular file in its place (as root, `--output /dev/null` replaced the null device).
///   It must be this user's or root's, and so must a link to it (``directWriteRefusal(_:)``): another user's FIFO
///   in a shared directory got the output it was handed. It is opened without blocking, and a FIFO that no process
///   reads within ``readerWait`` is refused (the command once waited for a reader for ever).
/// - A path that names one of the process's descriptors through `/proc` (`/dev/stdout`, `/dev/fd/1`, whatever
///   stdout is: a terminal, a pipe or a regular file) is written through that descriptor, duplicated.
/// - Any other symbolic link is replaced by the file, not followed: a link planted in a shared directory cannot aim
///   the write at another file. (Writing through a link to a device is the kernel's to allow: it follows links in
///   sticky directories only for their owners.)
/// - A directory or a block device, or a path that cannot be opened, is refused with the reason.
package final class OutputFile {
    /// The descriptor written to.
    private let descriptor: Int32
    /// The path as the caller gave it, for messages.
    package let path: String
    /// The file written beside `path`, renamed over it by ``commit()``; `nil` when written directly or unnamed.
    private let temporaryPath: String?
    /// Whether the descriptor is a file without a name yet (`O_TMPFILE`), given one beside `path` by ``commit()``.
    private let unnamed: Bool
    private var done = false

    /// Opens `path` for writing (see the type's description for what is replaced and how).
    package init(path: String) throws(TransferError) {
        self.path = path
        if let inherited = Self.processDescriptor(path) {
            // `/dev/stdout` with stdout redirected to a file is a link to a regular file: renaming over it would
            // replace `/dev/stdout` itself (as root). The descriptor it names is written to, duplicated rather than
            // reopened, so that it shares its offset with what else goes there (`2>&1`).
            let descriptor = fcntl(inherited, F_DUPFD_CLOEXEC, 0)
            guard descriptor >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
            self.descriptor = descriptor
            temporaryPath = nil
            unnamed = false
            return
        }
        var info = stat()
        if stat(path, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                break
            case S_IFDIR:
                throw .cannotOpen(path: path, reason: "is a directory")
            case S_IFBLK:
                throw .cannotOpen(path: path, reason: "is a block device")
            default:
                // (`nil`: a regular file put there since the `stat`, written beside it and renamed over it as one)
                if let descriptor = try Self.openDirectly(path, type: info.st_mode & S_IFMT) {
                    self.descriptor = descriptor
                    temporaryPath = nil
                    unnamed = false
                    return
                }
            }
        }
        if let descriptor = Self.unnamedFile(beside: path) {
            self.descriptor = descriptor
            temporaryPath = nil
            unnamed = true
            return
        }
        let temporary = Self.temporaryPath(for: path)
        let descriptor = Self.unfinished.withLock { unfinished in
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if descriptor >= 0 { unfinished.insert(temporary) }
            return descriptor
        }
        guard descriptor >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        self.descriptor = descriptor
        temporaryPath = temporary
        unnamed = false
    }

    /// How long ``init(path:)`` waits for a process to open a FIFO for reading (one started beside the command, as
    /// `accounts export --output pipe & cat pipe` does) before it gives up: the open never blocks, so that a FIFO
    /// nobody reads no longer holds the command up for ever.
    package static let readerWait: Duration = .seconds(5)

    /// Why `path`, a device, FIFO or socket (or a symbolic link to one) that ``init(path:)`` would write directly,
    /// may not be written, `nil` when it may: one that belongs to another user (but root) is refused, as is a link
    /// of another user's to one. Another user's FIFO in a shared directory (`/tmp`) would hand its reader the
    /// output, password hashes and all; a FIFO, terminal or socket of this user's, and root's devices
    /// (`/dev/null`), are written. `nil` too for a path that names no such file. (`accounts` says it before any
    /// work; ``init(path:)`` checks again, on the file it opened.)
    package static func directWriteRefusal(_ path: String) -> String? {
        var link = stat()
        var info = stat()
        guard lstat(path, &link) == 0, stat(path, &info) == 0 else { return nil }
        let type = info.st_mode & S_IFMT
        guard type == S_IFIFO || type == S_IFCHR || type == S_IFSOCK else { return nil }
        if link.st_mode & S_IFMT == S_IFLNK, !isTrusted(owner: link.st_uid) {
            return "is a symbolic link owned by uid \(link.st_uid), another user, to \(describe(type)); another "
                + "user's link is not followed to one: name a file of this user's, or leave out --output and redirect stdout"
        }
        return refusal(type: type, owner: info.st_uid)
    }

    /// Why a file of `type` that `owner` owns may not take the output; `nil` when this user or root owns it.
    private static func refusal(type: mode_t, owner: uid_t) -> String? {
        guard !isTrusted(owner: owner) else { return nil }
        return "is \(describe(type)) owned by uid \(owner), another user, who would get what is written to it: "
            + "name a file of this user's, or leave out --output and redirect stdout"
    }

    /// Whether a file `owner` owns may take the output: this user's, or root's (`/dev/null`, `/dev/tty`).
    private static func isTrusted(owner: uid_t) -> Bool {
        owner == geteuid() || owner == 0
    }

    /// `a FIFO`, `a character device`, `a socket`, for a file type (`S_IFMT` bits).
    private static func describe(_ type: mode_t) -> String {
        switch type {
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFCHR: "a character device"
        case S_IFSOCK: "a socket"
        case S_IFBLK: "a block device"
        case S_IFDIR: "a directory"
        default: "a special file"
        }
    }

    /// Opens `path`, found to be of `type` (a FIFO, character device or socket, or a link to one), to be written
    /// directly: never blocking (a FIFO with no reader is waited for ``readerWait``, then refused), and checked on the
    /// descriptor opened, which may not be what `stat` saw. `nil` when a regular file is there now (put there
    /// meanwhile): the caller writes it as one.
    private static func openDirectly(_ path: String, type: mode_t) throws(TransferError) -> Int32? {
        if let refusal = directWriteRefusal(path) { throw .cannotOpen(path: path, reason: refusal) }
        // A link is followed only when it was one (of this user's or root's) a moment ago.
        var link = stat()
        let isLink = lstat(path, &link) == 0 && link.st_mode & S_IFMT == S_IFLNK
        let flags = O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | (isLink ? 0 : O_NOFOLLOW)
        let clock = ContinuousClock()
        let deadline = clock.now + readerWait
        var descriptor = open(path, flags)
        // (`ENXIO`: a FIFO nobody has open for reading yet, or a socket, which no process opens as a file)
        while descriptor < 0 && errno == ENXIO && type == S_IFIFO && clock.now < deadline {
            usleep(20_000)
            descriptor = open(path, flags)
        }
        guard descriptor >= 0 else {
            let code = errno
            let reason: String
            switch code {
            case ENXIO where type == S_IFIFO:
                reason =
                    "no process is reading the pipe (none opened it within \(readerWait.components.seconds) s): "
                    + "start the reader first"
            case ENXIO where type == S_IFSOCK:
                reason = "is a socket, which cannot be written as a file"
            default:
                reason = String(cString: strerror(code))
            }
            throw .cannotOpen(path: path, reason: reason)
        }
        var opened = stat()
        guard fstat(descriptor, &opened) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw .cannotOpen(path: path, reason: reason)
        }
        let openedType = opened.st_mode & S_IFMT
        if openedType == S_IFREG {
            close(descriptor)
            return nil
        }
        let problem =
            openedType == S_IFBLK || openedType == S_IFDIR
            ? "is \(describe(openedType))" : refusal(type: openedType, owner: opened.st_uid)
        if let problem {
            close(descriptor)
            throw .cannotOpen(path: path, reason: problem)
        }
        // Written as blocking from here: a reader slower than the writer is waited for, not an error (`EAGAIN`).
        let status = fcntl(descriptor, F_GETFL)
        guard status >= 0, fcntl(descriptor, F_SETFL, status & ~O_NONBLOCK) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw .cannotOpen(path: path, reason: reason)
        }
        return descriptor
    }

    /// A new file without a name, mode 0600, in the directory of `path`, open for writing; nil where that cannot be
    /// (not Linux, no `/proc` to name it through later, a file system without `O_TMPFILE`). ``link(unnamed:to:)``
    /// names it. (Also how `keys generate --output` writes a key.)
    package static func unnamedFile(beside path: String) -> Int32? {
        #if os(Linux)
            guard access("/proc/self/fd", X_OK) == 0 else { return nil }
            let slash = path.lastIndex(of: "/")
            let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
            // `O_TMPFILE` is `__O_TMPFILE | O_DIRECTORY`, `__O_TMPFILE` being 020000000 on x86-64 and ARM64 (Glibc's
            // header does not reach Swift without _GNU_SOURCE).
            let descriptor = open(directory, 0o20000000 | O_DIRECTORY | O_WRONLY | O_CLOEXEC, 0o600)
            return descriptor >= 0 ? descriptor : nil
        #else
            return nil
        #endif
    }

    /// Gives the file `unnamed` (from ``unnamedFile(beside:)``) the name `path`, through `/proc/self/fd` (`linkat`
    /// with `AT_EMPTY_PATH` would need privileges); a name that exists is refused (`EEXIST`). Returns the `errno` of
    /// a failure, `nil` when linked.
    package static func link(unnamed: Int32, to path: String) -> Int32? {
        #if os(Linux)
            linkat(AT_FDCWD, "/proc/self/fd/\(unnamed)", AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0 ? nil : errno
        #else
            ENOTSUP
        #endif
    }

    /// The files written beside their final names by output files of this process that are neither committed nor
    /// abandoned yet.
    private static let unfinished = Mutex<Set<String>>([])

    /// Removes the file each unfinished output file of this process is writing beside its final name (a command
    /// stopped by a signal calls it before it ends: `deinit` does not run then, and the half-written file, holding
    /// accounts and perhaps their password hashes, stayed behind under a hidden name); output files opened afterwards
    /// are unaffected. Returns how many files it removed.
    @discardableResult
    package static func removeUnfinished() -> Int {
        unfinished.withLock { unfinished in
            let removed = unfinished.filter { unlink($0) == 0 }.count
            unfinished.removeAll()
            return removed
        }
    }

    /// Creates `path` empty, mode 0600 and never over anything there, for a writer other than this type (SQLite's
    /// `VACUUM INTO`, for a backup), and counts it, and the files named `path` + each of `companions` that its writer
    /// may make beside it (`-journal`), among the unfinished files that ``removeUnfinished()`` removes until
    /// ``endUnfinished(_:companions:)``. Returns the `errno` of a failure, `nil` when the file was made.
    package static func beginUnfinished(_ path: String, companions: [String] = []) -> Int32? {
        // (`errno` is read inside the lock: unlocking may make a system call of its own)
        unfinished.withLock { unfinished in
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { return errno }
            close(descriptor)
            unfinished.insert(path)
            for suffix in companions { unfinished.insert(path + suffix) }
            return nil
        }
    }

    /// Stops counting `path` and its companions (from ``beginUnfinished(_:companions:)``) as unfinished: they were
    /// renamed or removed.
    package static func endUnfinished(_ path: String, companions: [String] = []) {
        finished(path)
        for suffix in companions { finished(path + suffix) }
    }

    /// Forgets `temporaryPath` as unfinished (committed or abandoned).
    private static func finished(_ temporaryPath: String) {
        _ = unfinished.withLock { $0.remove(temporaryPath) }
    }

    /// The descriptor of this process that `path` names through `/proc` (`/dev/stdout`, `/dev/fd/1`,
    /// `/proc/self/fd/1`, `/proc/thread-self/fd/1`, or a link to one of those), `nil` for any other path: a file in
    /// a directory reached through `/proc/self/cwd` or `/proc/self/root` is an ordinary file.
    package static func processDescriptor(_ path: String) -> Int32? {
        func split(_ path: String) -> (directory: String, name: String) {
            guard let slash = path.lastIndex(of: "/") else { return (".", path) }
            let directory = slash == path.startIndex ? "/" : String(path[..<slash])
            return (directory, String(path[path.index(after: slash)...]))
        }
        func resolved(_ directory: String) -> String? {
            guard let real = realpath(directory, nil) else { return nil }
            defer { free(real) }
            return String(cString: real)
        }
        // `/proc/self` as this process's `/proc` sees it (in another PID namespace's `/proc`, not `getpid()`).
        guard let process = resolved("/proc/self").map({ $0 + "/" }) else { return nil }
        var current = path
        // A few links deep at most (`/dev/stdout` → `/proc/self/fd/1`; a link of one's own to `/dev/stdout`).
        for _ in 0..<8 {
            let (directory, name) = split(current)
            if let number = Int32(name), number >= 0, let real = resolved(directory), real.hasPrefix(process) {
                // `/proc/<pid>/fd` or `/proc/<pid>/task/<tid>/fd`.
                let rest = real.dropFirst(process.count)
                let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
                if rest == "fd" || (parts.count == 3 && parts[0] == "task" && Int(parts[1]) != nil && parts[2] == "fd")
                {
                    return number
                }
            }
            var info = stat()
            guard lstat(current, &info) == 0, info.st_mode & S_IFMT == S_IFLNK else { return nil }
            var buffer = [CChar](repeating: 0, count: 4096)
            let length = readlink(current, &buffer, buffer.count - 1)
            guard length > 0 else { return nil }
            let target = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = target.hasPrefix("/") ? target : directory + "/" + target
        }
        return nil
    }

    deinit {
        if !done {
            // (an unnamed file goes with its descriptor)
            close(descriptor)
            if let temporaryPath {
                unlink(temporaryPath)
                Self.finished(temporaryPath)
            }
        }
    }

    /// Writes all of `bytes`, retrying after interruptions.
    package func write(_ bytes: [UInt8]) throws(TransferError) {
        guard bytes.withUnsafeBytes({ writeFully(descriptor, $0) }) else { throw failure() }
    }

    /// Appends `text` as UTF-8, from the string's own storage (a report of tens of megabytes is not copied first).
    package func write(_ text: String) throws(TransferError) {
        var text = text
        guard text.withUTF8({ writeFully(descriptor, UnsafeRawBufferPointer($0)) }) else { throw failure() }
    }

    /// Finishes the file: for a file written beside its final name, syncs it to disk and renames it over that name;
    /// otherwise closes it.
    package func commit() throws(TransferError) {
        guard !done else { return }
        done = true
        if unnamed {
            try commitUnnamed()
            return
        }
        guard let temporaryPath else {
            guard close(descriptor) == 0 else { throw failure() }
            return
        }
        defer { Self.finished(temporaryPath) }
        guard fsync(descriptor) == 0 else {
            let error = failure()
            close(descriptor)
            unlink(temporaryPath)
            throw error
        }
        guard close(descriptor) == 0, rename(temporaryPath, path) == 0 else {
            let error = failure()
            unlink(temporaryPath)
            throw error
        }
    }

    /// Syncs the unnamed file, gives it a hidden name beside `path` and renames that over `path`: a link cannot
    /// replace a file, a rename can. Between the two the name is in the unfinished set, for a signal to remove.
    private func commitUnnamed() throws(TransferError) {
        guard fsync(descriptor) == 0 else {
            let error = failure()
            close(descriptor)
            throw error
        }
        let temporary = Self.temporaryPath(for: path)
        // (`errno` is read inside the lock: unlocking may make a system call of its own)
        let linkError: Int32? = Self.unfinished.withLock { unfinished in
            if let failure = Self.link(unnamed: descriptor, to: temporary) { return failure }
            unfinished.insert(temporary)
            return nil
        }
        if let linkError {
            close(descriptor)
            throw .writeFailed(path: path, reason: String(cString: strerror(linkError)))
        }
        defer { Self.finished(temporary) }
        guard close(descriptor) == 0, rename(temporary, path) == 0 else {
            let error = failure()
            unlink(temporary)
            throw error
        }
    }

    private func failure() -> TransferError {
        .writeFailed(path: path, reason: String(cString: strerror(errno)))
    }

    /// The most bytes of the final name the temporary file's name keeps (a name is at most 255 bytes).
    static let maximumKeptNameBytes = 200

    /// A hidden name beside `path`, unique by a random suffix.
    package static func temporaryPath(for path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        var name = Substring(slash.map { String(path[path.index(after: $0)...]) } ?? path)
        // A name near the file system's 255 bytes must leave room for the 26 added, cut between characters.
        while name.utf8.count > maximumKeptNameBytes { name = name.dropLast() }
        return directory + "." + name + ".partial-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
    }
}

/// Writes all of `bytes` to `descriptor`, retrying after interruptions and short writes; `false` (with `errno` set)
/// when writing fails.
package func writeFully(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let written = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
        if written < 0 {
            if errno == EINTR { continue }
            return false
        }
        offset += written
    }
    return true
}
