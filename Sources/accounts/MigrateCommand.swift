import AccountStore
import ArgumentParser
import Foundation
import Migrations

/// `accounts migrate [--to VERSION] [--dry-run]`
struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending schema migrations, creating the database when its directory exists.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Apply migrations up to this version only.", valueName: "version"))
    var to: Int?

    @Flag(name: .long, help: "Show what would be applied and change nothing.")
    var dryRun = false

    func validate() throws {
        if let to, !Migrations.sqlite.contains(where: { $0.fileName.hasPrefix(String(format: "%04d_", to)) }) {
            throw ValidationError("--to \(to): no migration has that version")
        }
    }

    func run() throws {
        let started = ContinuousClock.now
        let report: MigrationReport
        do {
            report = try AccountStore.migrate(global.storeConfiguration(), to: to, dryRun: dryRun)
        } catch {
            throw fail(error)
        }
        let elapsed = ContinuousClock.now - started
        let path = global.databasePath
        if report.dryRun {
            if report.applied.isEmpty {
                printOutput("\(path): nothing to apply (at version \(report.currentVersion))\n")
            }
            for entry in report.applied {
                printOutput("would apply \(String(format: "%04d", entry.version)) \(entry.name)\n")
            }
            return
        }
        for entry in report.applied {
            printOutput("applied \(String(format: "%04d", entry.version)) \(entry.name)\n")
        }
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        printMessage(
            "\(path): at version \(report.currentVersion) (\(report.applied.count) applied in "
                + String(format: "%.1f ms", milliseconds) + ")")
    }
}
