import AccountStore
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
    /// Refuses an `--output` path before any work: empty, a directory, under something that is not a directory, or
    /// the database itself (or its `-wal`, `-shm` or `-journal` file), which the output would replace.
    func validateOutput(_ output: String) throws {
        guard !output.isEmpty else { throw ValidationError("--output: the path is empty; name a file") }
        var isDirectory: ObjCBool = false
        if output.hasSuffix("/")
            || (FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory) && isDirectory.boolValue)
        {
            throw ValidationError("--output \(output) is a directory; name a file")
        }
        let directory = (output as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
                throw ValidationError("--output \(output): the directory \(directory) does not exist")
            }
            if !isDirectory.boolValue {
                throw ValidationError("--output \(output): \(directory) is a file, not a directory")
            }
        }
        var target = stat()
        guard stat(output, &target) == 0, (target.st_mode & S_IFMT) == S_IFREG else { return }
        for suffix in ["", "-wal", "-shm", "-journal"] {
            var file = stat()
            if stat(databasePath + suffix, &file) == 0 && file.st_dev == target.st_dev && file.st_ino == target.st_ino {
                throw ValidationError(
                    "--output \(output) is the database file \(databasePath + suffix): writing there would destroy "
                        + "the accounts; name another file")
            }
        }
    }
}
