import ArgumentParser
import DuplicateDetection
import Foundation
import Synchronization

/// `accounts`: migrations, import/export, keys, duplicate reports, a local Twitter sandbox and a demo web app.
@main
struct Accounts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accounts",
        abstract: "Manage a user-account store with Twitter (X) identity linking.",
        discussion: """
            Global options (--database, --keys-file) may stand before or after the subcommand.

            Exit codes: 0 success; 1 operational failure (database, I/O, network); 64 usage error (a missing \
            subcommand too); 65 invalid input data; 75 done, but a step after it failed (users delete: the \
            drafts offered to the account not deleted, or with --revoke-twitter-token a token Twitter did not \
            revoke; migrate: the reindex after the migrations did not run; a committed change's report that \
            stdout did not take, written to stderr); 130 or 143 (128 + the signal) stopped by Ctrl-C or SIGTERM \
            after saying what is committed and how to finish (keys rewrap, purge, users delete).
            """,
        subcommands: [
            Migrate.self, MigrationsCommand.self, ImportCommand.self, ExportCommand.self, UsersCommand.self,
            KeysCommand.self, PurgeCommand.self, SandboxCommand.self, DemoCommand.self, DuplicatesCommand.self,
            ReindexCommand.self, BackupCommand.self,
        ]
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try Accounts.missingSubcommand(Accounts.self)
    }

    /// Parses and runs the command as `AsyncParsableCommand.main()` does, then exits 75 when a report of a committed
    /// change could not be written to stdout (``printCommittedOutput(_:)``) and the command ended well otherwise.
    static func main() async {
        // A write past `ulimit -f` fails with EFBIG, reported as any failed write is, instead of SIGXFSZ killing the
        // process without a word (exit 153): until session 63, `keys generate` and `migrations status` so died.
        signal(SIGXFSZ, SIG_IGN)
        if let unknown = unknownHelpTopic(Array(CommandLine.arguments.dropFirst())) {
            FileHandle.standardError.write(
                Data(
                    ("Error: no command '\(ReportRenderer.terminalText(unknown))'\nUsage: \(Accounts.usageString())\n"
                        + "  See 'accounts --help' for the commands.\n").utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
        do {
            var command = try parseAsRoot()
            if type(of: command)._commandName == "help",
                let refusal = nameReadAsHelp(Array(CommandLine.arguments.dropFirst()))
            {
                FileHandle.standardError.write(Data(refusal.utf8))
                Foundation.exit(ExitCode.validationFailure.rawValue)
            }
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
        if CommittedOutput.failed.load(ordering: .relaxed) { Foundation.exit(ExitStatus.temporaryFailure) }
    }

    /// The first name after `help` in `arguments` (`accounts help users shwo`, `accounts --database x help exprot`)
    /// that names no command, if any: argument-parser's `help` would print the root help and exit 0, which a script
    /// (or a typo) takes for success. The global options and their values are skipped wherever they stand; another
    /// option ends the names looked at (argument-parser judges the rest).
    static func unknownHelpTopic(_ arguments: [String]) -> String? {
        var names: [String] = []
        var index = 0
        scan: while index < arguments.count {
            let argument = arguments[index]
            index += 1
            switch argument {
            case "--database", "--keys-file": index += 1
            case _ where argument.hasPrefix("--database=") || argument.hasPrefix("--keys-file="): continue
            case _ where argument.hasPrefix("-"): break scan
            default: names.append(argument)
            }
        }
        guard names.first == "help" else { return nil }
        var command: any ParsableCommand.Type = Accounts.self
        for name in names.dropFirst() {
            guard
                let next = command.configuration.subcommands.first(where: {
                    $0._commandName == name || $0.configuration.aliases.contains(name)
                })
            else { return name }
            command = next
        }
        return nil
    }

    /// The usage error to print when argument-parser read a name beginning with `-` as a request for help: to it
    /// `-hacker` (a username may begin with `-`) or `-hfile.jsonl` are the short options `-h -a -c …`, and `users
    /// disable -hacker` would print the help and exit 0, having disabled nothing. `nil` when help was asked for
    /// (`-h`, `--help`, `-help`, `accounts help …`) or no such name stands before `--`.
    static func nameReadAsHelp(_ arguments: [String]) -> String? {
        let options = arguments.prefix { $0 != "--" }
        guard !options.contains(where: { ["-h", "--help", "-help"].contains($0) }) else { return nil }
        guard
            let name = options.first(where: {
                !$0.hasPrefix("--") && $0.hasPrefix("-") && $0.count > 2 && $0.dropFirst().contains("h")
            })
        else { return nil }
        // The command named before the first other option (the global options and their values skipped).
        var command: any ParsableCommand.Type = Accounts.self
        var path = "accounts"
        var rest = options
        while let argument = rest.popFirst() {
            if argument == "--database" || argument == "--keys-file" {
                _ = rest.popFirst()
                continue
            }
            if argument.hasPrefix("--database=") || argument.hasPrefix("--keys-file=") { continue }
            if argument == "help" && path == "accounts" { return nil }
            guard let next = command.configuration.subcommands.first(where: { $0._commandName == argument }) else {
                break
            }
            command = next
            path += " " + argument
        }
        let shown = ReportRenderer.terminalText(name)
        return "Error: \(shown) is read as short options, -h among them (a request for help); an account or a file "
            + "whose name begins with '-' goes after `--`, which ends the options: \(path) [options] -- \(shown)\n"
            + "Usage: \(Accounts.usageString(for: command))\n  See '\(path) --help' for more information.\n"
    }

    /// A command group run without its subcommand (`accounts`, `accounts users`: `accounts $COMMAND` with the
    /// variable unset): the group's help on stderr and exit 64, so that a script does not take it for success and
    /// the help for the command's output. (`--help` still prints it on stdout, exit 0.)
    static func missingSubcommand(_ group: any ParsableCommand.Type) throws -> Never {
        let help = group == Accounts.self ? Accounts.helpMessage() : Accounts.helpMessage(for: group)
        FileHandle.standardError.write(Data("Error: a subcommand is missing\n\n\(help)\n".utf8))
        throw ExitCode.validationFailure
    }

    /// A usage error found while running (after argument-parser's own checks): the message and `command`'s usage on
    /// stderr, exit 64, as argument-parser prints its own.
    static func usageError(_ message: String, of command: any ParsableCommand.Type) -> ExitCode {
        FileHandle.standardError.write(
            Data(
                ("Error: \(message)\nUsage: \(Accounts.usageString(for: command))\n"
                    + "  See 'accounts \(command._commandName) --help' for more information.\n").utf8))
        return ExitCode.validationFailure
    }
}
