import Foundation
import TestSupport
import Testing

/// `accounts help NAME` naming no command is a usage error (README "CLI reference": exit 64, as `accounts NAME`).
struct HelpTopicTests {
    /// The usage line puts `--database` and `--keys-file` before the subcommand (`accounts [--database <path>]
    /// [--keys-file <path>] <subcommand>`), and README's examples write `accounts --database PATH …`: a help topic
    /// that names no command after them (`accounts --database "$DB" help $COMMAND`, a typo) is as much a usage error
    /// naming it as without them, not the root help with exit 0.
    @Test(arguments: [
        ["--database", "accounts.sqlite", "help", "exprot"], ["--database=accounts.sqlite", "help", "exprot"],
        ["--keys-file", "keys", "help", "exprot"], ["--database", "accounts.sqlite", "help", "users", "shwo"],
    ])
    func helpForNoCommandAfterTheGlobalOptionsIsAUsageError(arguments: [String]) async throws {
        try await withTemporaryDirectory { dir in
            let result = try await runAccounts(arguments, currentDirectory: dir)
            let topic = try #require(arguments.last)
            #expect(result.status == 64, "\(arguments): exit \(result.status)")
            #expect(result.stderr.contains(topic), "\(arguments): \(result.stderr)")
        }
    }

    /// A global option after `help` is the global option, wherever it stands: its value is not reported as the name
    /// of a command (`no command 'accounts.sqlite'`), and the topic after it is judged (`users` is one: its help).
    @Test func aGlobalOptionAfterHelpIsNotReportedAsACommandName() async throws {
        try await withTemporaryDirectory { dir in
            let result = try await runAccounts(
                ["help", "--database", "accounts.sqlite", "users"], currentDirectory: dir)
            #expect(result.status == 0, "exit \(result.status): \(result.stderr)")
            #expect(!result.stderr.contains("no command"), "\(result.stderr)")
            #expect(result.stdout.contains("accounts users <subcommand>"), "\(result.stdout)")
            let unknown = try await runAccounts(
                ["help", "--database", "accounts.sqlite", "usres"], currentDirectory: dir)
            #expect(unknown.status == 64 && unknown.stderr.contains("no command 'usres'"), "\(unknown.stderr)")
        }
    }
}
