import AccountStore
import ArgumentParser
import Foundation
import Migrations

/// `accounts migrate [--to VERSION] [--dry-run]`
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending schema migrations, creating the database when its directory exists.",
        discussion: "Then recomputes stored normalised forms made by older matching rules (see `accounts reindex`).")

    @OptionGroup var global: GlobalOptions

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp("Apply migrations up to this version only.", valueName: "version"))
    var to: Int?

    @Flag(name: .long, help: "Show what would be applied and change nothing.")
    var dryRun = false

    func validate() throws {
        // (the version is read from the name, not the number printed into it: `%04d` would print 32 bits of it)
        if let to, !Migrations.sqlite.contains(where: { Int($0.fileName.prefix(4)) == to }) {
            throw ValidationError("--to \(to): no migration has that version")
        }
    }

    func run() async throws {
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
            try await reindexIfStale(dryRun: true, schemaCurrent: report.applied.isEmpty)
            return
        }
        for entry in report.applied {
            printCommittedOutput("applied \(String(format: "%04d", entry.version)) \(entry.name)\n")
        }
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        printMessage(
            "\(path): at version \(report.currentVersion) (\(report.applied.count) applied in "
                + String(format: "%.1f ms", milliseconds) + ")")
        try await reindexIfStale(dryRun: false, schemaCurrent: to == nil || to == Migrate.latestVersion)
    }

    static let latestVersion = Migrations.sqlite.compactMap { Int($0.fileName.prefix(4)) }.max()

    /// Recomputes normalised forms older than the matching rules (`accounts reindex`), once the schema is current.
    private func reindexIfStale(dryRun: Bool, schemaCurrent: Bool) async throws {
        guard schemaCurrent, FileManager.default.fileExists(atPath: global.databasePath) else { return }
        var configuration = global.storeConfiguration()
        configuration.readOnly = dryRun
        let store: AccountStore
        do {
            store = try AccountStore(configuration: configuration, keyRing: nil)
        } catch {
            return  // a schema this binary cannot open was reported by the migration step
        }
        defer { try? store.close() }
        let stale: Int
        do {
            stale = try await store.staleNormalisedFormCount()
        } catch {
            throw fail(error)
        }
        if stale > 0 {
            if dryRun {
                printOutput(
                    "would reindex \(stale) stored mailboxes made by older matching rules or without a uniqueness key\n"
                )
            } else {
                let report = try await ReindexCommand.reindex(store, batchSize: 1_000)
                (report.changedAnything ? printCommittedOutput : printOutput)(ReindexCommand.summary(report))
                ReindexCommand.warnOfReservationConflicts(report.reservationConflicts)
            }
        }
        // Clashes left from before migration 0009, on every run until they are resolved (opening the store keyed the
        // rest; a clash does not make a reindex due).
        do {
            ReindexCommand.warnOfConflicts(try await store.emailConflicts())
        } catch {
            throw fail(error)
        }
    }
}
