import ArgumentParser
import Foundation

/// `accounts`: migrations, import/export, keys, duplicate reports, a local Twitter sandbox and a demo web app.
@main
struct Accounts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accounts",
        abstract: "Manage a user-account store with Twitter (X) identity linking.",
        discussion: """
            Global options (--database, --keys-file) may stand before or after the subcommand.
            Exit codes: 0 success; 1 operational failure (database, I/O, network); 64 usage error;
            65 invalid input data; 75 done, but a step outside the store failed (users delete
            --revoke-twitter-token: Twitter did not revoke the token).
            """,
        subcommands: [
            Migrate.self, MigrationsCommand.self, ImportCommand.self, ExportCommand.self, UsersCommand.self,
            KeysCommand.self, PurgeCommand.self, SandboxCommand.self, DemoCommand.self, DuplicatesCommand.self,
            ReindexCommand.self,
        ]
    )

    @OptionGroup var global: GlobalOptions
}
