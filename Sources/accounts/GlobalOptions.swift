import AccountStore
import AccountTransfer
import ArgumentParser
import Foundation

/// Options every command accepts, before or after the subcommand name.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The database file (env ACCOUNTS_DATABASE; default ./accounts.sqlite).", valueName: "path"))
    var database: String?

    @Option(
        name: .customLong("keys-file"),
        help: ArgumentHelp(
            "A keys file, one id:base64 a line, mode 0600 or 0400 (env ACCOUNTS_KEYS_FILE; else env ACCOUNTS_KEYS).",
            valueName: "path"))
    var keysFile: String?

    /// Refuses an empty `--database` or `--keys-file` (`--keys-file ""` from an unset shell variable), which would
    /// otherwise be read as a file with no name.
    func validate() throws {
        if database?.isEmpty == true {
            throw ValidationError("--database is empty: give the path of the database file, or leave the option out")
        }
        if keysFile?.isEmpty == true {
            throw ValidationError(
                "--keys-file is empty: give the path of a keys file, or leave the option out (ACCOUNTS_KEYS_FILE, "
                    + "ACCOUNTS_KEYS)")
        }
    }

    /// The database path: the flag, then `ACCOUNTS_DATABASE`, then `./accounts.sqlite`.
    var databasePath: String {
        if let database { return database }
        if let fromEnvironment = ProcessInfo.processInfo.environment["ACCOUNTS_DATABASE"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return "./accounts.sqlite"
    }

    /// A store configuration for the database path.
    func storeConfiguration() -> StoreConfiguration {
        StoreConfiguration(path: databasePath)
    }
}

extension GlobalOptions {
    /// Whether `descriptor` is open in this process.
    static func isOpenAsGiven(_ descriptor: Int32) -> Bool {
        fcntl(descriptor, F_GETFD) != -1
    }

    /// Whether `descriptor` is one the runtime opened for itself (an eventfd or epoll instance): a standard
    /// descriptor the process was started without, which the runtime took over before the command read it.
    static func isTheRuntimes(_ descriptor: Int32) -> Bool {
        var buffer = [CChar](repeating: 0, count: 256)
        let length = readlink("/proc/self/fd/\(descriptor)", &buffer, buffer.count - 1)
        return length > 0
            && String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self).hasPrefix("anon_inode:")
    }

    /// Refuses to write to standard output when the process was started without it (a cron job or a service started
    /// with it closed, `>&-`): by now the runtime may hold descriptor 1 for itself (an eventfd), and what was written
    /// would be lost or refused, by a race (until session 58 `export` could exit 0 having written nowhere).
    static func validateStandardOutput() throws {
        if !isOpenAsGiven(STDOUT_FILENO) || isTheRuntimes(STDOUT_FILENO) {
            throw ValidationError(
                "standard output is not open (the command was started without it): give --output FILE")
        }
    }

    /// Refuses an `--output` path before any work: empty, a directory, under something that is not a directory,
    /// another user's FIFO, device or socket (or their link to one), the database itself (or its `-wal`, `-shm` or
    /// `-journal` file, beside the file a link names), or a keys file (`--keys-file`, `ACCOUNTS_KEYS_FILE`, the demo's
    /// `<database>.keys`), which the output would replace.
    func validateOutput(_ output: String) throws {
        guard !output.isEmpty else { throw ValidationError("--output: the path is empty; name a file") }
        var isDirectory: ObjCBool = false
        if output.hasSuffix("/")
            || (FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory) && isDirectory.boolValue)
        {
            throw ValidationError("--output \(output) is a directory; name a file")
        }
        let directory = PathParts.directory(of: output)
        if !directory.isEmpty {
            var info = stat()
            if stat(directory, &info) != 0 {
                switch errno {
                case ENOENT:
                    throw ValidationError("--output \(output): the directory \(directory) does not exist")
                case ENOTDIR:
                    throw ValidationError("--output \(output): part of \(directory) is a file, not a directory")
                default:
                    throw ValidationError(
                        "--output \(output): the directory \(directory) cannot be reached (\(String(cString: strerror(errno))))"
                    )
                }
            }
            if info.st_mode & S_IFMT != S_IFDIR {
                throw ValidationError("--output \(output): \(directory) is a file, not a directory")
            }
        }
        // A new or regular file is written beside its name and renamed over it, so the directory must take a new
        // file: said now, not after a scan and a detection that can take minutes. (A FIFO, a device or a descriptor
        // is opened as it is, whatever its directory allows.)
        var existing = stat()
        let found = stat(output, &existing) == 0
        let writtenBeside = found ? existing.st_mode & S_IFMT == S_IFREG : errno == ENOENT
        if OutputFile.processDescriptor(output) == nil, writtenBeside,
            access(directory.isEmpty ? "." : directory, W_OK | X_OK) != 0
        {
            let shown = directory.isEmpty ? "the current directory" : "the directory \(directory)"
            throw ValidationError(
                "--output \(output): \(shown) does not let this user create files (\(String(cString: strerror(errno))))"
            )
        }
        // Another user's FIFO, terminal or socket (or a link of theirs to one) would get the output: refused now,
        // before a scan or an export, as the output file refuses it when opened.
        if OutputFile.processDescriptor(output) == nil, let refusal = OutputFile.directWriteRefusal(output) {
            throw ValidationError("--output \(output) \(refusal)")
        }
        // A descriptor of this process (`/dev/fd/6`) must be one it was given: not one it has not opened yet (the
        // store's would take it), nor one the runtime opened for itself (an eventfd or epoll instance).
        if let descriptor = OutputFile.processDescriptor(output) {
            if !Self.isOpenAsGiven(descriptor) {
                throw ValidationError("--output \(output) names descriptor \(descriptor), which is not open")
            }
            if Self.isTheRuntimes(descriptor) {
                throw ValidationError(
                    "--output \(output) names descriptor \(descriptor), which the program uses itself; name a file")
            }
        }
        // Files the output must not replace: the database and the files SQLite keeps beside it (beside the file a
        // link points to, and whether they exist yet or not), and the keys that open its secrets.
        var protected: [(path: String, what: String)] = ["", "-wal", "-shm", "-journal"].map { suffix in
            (Self.resolved(databasePath) + suffix, "the database file \(databasePath + suffix)")
        }
        let environment = ProcessInfo.processInfo.environment
        // Both, when both are given: `--keys-file` wins for this run, but the environment's file is an app's keys
        // (a wrapper script's flag beside an app's environment) all the same.
        for keys in [keysFile, environment["ACCOUNTS_KEYS_FILE"]].compactMap({ $0 }) where !keys.isEmpty {
            protected.append((Self.resolved(keys), "the keys file \(keys)"))
        }
        protected.append((Self.resolved(databasePath + ".keys"), "the key file \(databasePath).keys"))
        let target = Self.resolved(output)
        var targetInfo = stat()
        let targetExists = stat(output, &targetInfo) == 0
        for (path, what) in protected {
            var info = stat()
            let sameFile =
                targetExists && stat(path, &info) == 0 && info.st_dev == targetInfo.st_dev
                && info.st_ino == targetInfo.st_ino
            if path == target || sameFile {
                throw ValidationError(
                    "--output \(output) is \(what): writing there would destroy what it holds; name another file")
            }
        }
    }
}

extension GlobalOptions {
    /// `path` with its directory's links and `..` resolved, and the file itself followed when it is a link: the
    /// file a write to `path` would reach. What does not exist yet is kept as written below the part that does.
    static func resolved(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        if let real = realpath(absolute, nil) {
            defer { free(real) }
            return String(cString: real)
        }
        let directory = PathParts.directory(of: absolute)
        let name = PathParts.lastComponent(of: absolute)
        guard let real = realpath(directory.isEmpty ? "/" : directory, nil) else { return absolute }
        defer { free(real) }
        let base = String(cString: real)
        return (base == "/" ? "" : base) + "/" + name
    }
}
