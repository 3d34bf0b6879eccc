import AccountStore
import ArgumentParser
import Foundation

/// `accounts migrations status|validate`
struct MigrationsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrations",
        abstract: "Report on the schema migrations of a database.",
        subcommands: [Status.self, Validate.self]
    )

    func run() throws {
        try Accounts.missingSubcommand(MigrationsCommand.self)
    }

    /// `accounts migrations status [--format table|json]`
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every migration with its state: applied, pending, modified, missing or unknown.")

        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "Output format.")
        var format: OutputFormat = .table

        func run() throws {
            let entries: [MigrationStatusEntry]
            do {
                entries = try AccountStore.migrationStatus(
                    path: global.databasePath, onIntegrityCheck: IntegrityCheckLine().show)
            } catch {
                throw fail(error)
            }
            switch format {
            case .json: printOutput(MigrationsCommand.json(entries) + "\n")
            case .table: printOutput(MigrationsCommand.table(entries))
            }
        }
    }

    /// `accounts migrations validate`
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Exit non-zero unless every migration is applied or pending (and none pending below an applied one).")

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let entries: [MigrationStatusEntry]
            do {
                entries = try AccountStore.migrationStatus(
                    path: global.databasePath, onIntegrityCheck: IntegrityCheckLine().show)
            } catch {
                throw fail(error)
            }
            let newestApplied = entries.filter { $0.state == .applied }.map(\.version).max() ?? 0
            let problems = entries.filter {
                ($0.state != .applied && $0.state != .pending) || ($0.state == .pending && $0.version < newestApplied)
            }
            for entry in problems {
                let what =
                    entry.state == .pending
                    ? "pending below the applied \(MigrationError.fourDigits(newestApplied)) (migrate refuses to run it)"
                    : entry.state.rawValue
                printError("migration \(MigrationError.fourDigits(entry.version)) \(entry.name) is \(what)")
            }
            guard problems.isEmpty else { throw ExitCode(ExitStatus.invalidData) }
            let pending = entries.filter { $0.state == .pending }.count
            printOutput("ok: \(entries.count - pending) applied, \(pending) pending\n")
        }
    }

    static func json(_ entries: [MigrationStatusEntry]) -> String {
        let items = entries.map { entry in
            let appliedAt = entry.appliedAt.map { JSONText.string(RFC3339.seconds($0)) } ?? "null"
            return "{\"version\": \(entry.version), \"name\": \(JSONText.string(entry.name)), "
                + "\"state\": \(JSONText.string(entry.state.rawValue)), \"checksum\": \(JSONText.string(entry.checksum)), "
                + "\"applied_at\": \(appliedAt)}"
        }
        return "[" + items.joined(separator: ", ") + "]"
    }

    static func table(_ entries: [MigrationStatusEntry]) -> String {
        var rows = [["VERSION", "NAME", "STATE", "APPLIED AT", "CHECKSUM"]]
        for entry in entries {
            rows.append([
                MigrationError.fourDigits(entry.version), entry.name, entry.state.rawValue,
                entry.appliedAt.map(RFC3339.seconds) ?? "-", String(entry.checksum.prefix(12)),
            ])
        }
        return TextTable.render(rows)
    }
}

/// `--format table|json`
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table
    case json
}
