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
