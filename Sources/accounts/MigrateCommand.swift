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
            throw ValidationError(
                "--to \(to): no migration has that version; `accounts migrations status` lists the versions this build "
                    + "carries")
        }
    }

    func run() async throws {
        let started = ContinuousClock.now
        let report: MigrationReport
        let path = global.databasePath
        // Each migration is reported as it commits: a later one's failure leaves it applied.
        var committed: [MigrationStatusEntry] = []
        // (the check of the file before anything is applied: a line on a terminal meanwhile, its time not counted
        // among the migrations', which until session 64 said "0 applied in 7846.4 ms" for a check of 1.4 GB)
        let check = IntegrityCheckLine()
        do {
            report = try AccountStore.migrate(
                global.storeConfiguration(), to: to, dryRun: dryRun,
                onApplied: { entry in
                    committed.append(entry)
                    printCommittedOutput("applied \(MigrationError.fourDigits(entry.version)) \(entry.name)\n")
                }, onIntegrityCheck: check.show)
        } catch {
            throw failed(error, committed: committed)
        }
        let checked = check.duration
        let elapsed = ContinuousClock.now - started - checked
        if report.dryRun {
            if report.applied.isEmpty {
                printOutput("\(path): nothing to apply (at version \(report.currentVersion))\n")
            }
            for entry in report.applied {
                printOutput("would apply \(MigrationError.fourDigits(entry.version)) \(entry.name)\n")
            }
            // (a database at the `--to` version below the newest is not current: the store would refuse to open it)
            try await reindexIfStale(
                dryRun: true, schemaCurrent: report.applied.isEmpty && (to == nil || to == Migrate.latestVersion))
            return
        }
        func milliseconds(_ duration: Duration) -> String {
            let (seconds, attoseconds) = duration.components
            return String(format: "%.1f ms", Double(attoseconds) / 1e15 + Double(seconds) * 1000)
        }
        printMessage(
            "\(path): at version \(report.currentVersion) (\(report.applied.count) applied in \(milliseconds(elapsed)), "
                + "after a check of the file in \(milliseconds(checked)))")
        try await reindexIfStale(dryRun: false, schemaCurrent: to == nil || to == Migrate.latestVersion)
    }

    /// Reports a failed run: the error, and, once the run began applying migrations, the version the database is at
    /// and that the ones printed above (`applied NNNN name`) stay applied, each having committed on its own.
    private func failed(_ error: StoreError, committed: [MigrationStatusEntry]) -> ExitCode {
        let exit = fail(error)
        let path = global.databasePath
        if let last = committed.last {
            let (them, it) =
                committed.count == 1
                ? ("the 1 migration listed above (applied) stays", "it")
                : ("the \(committed.count) migrations listed above (applied) stay", "them")
            printMessage(
                "the database \(path) is at version \(last.version): \(them) applied (each commits on its own), "
                    + "so a build that lacks \(it) refuses the database; fix the failure and run `accounts migrate` "
                    + "again, or restore the backup to go back")
        } else if case .migration(let failure) = error, failure.isFailureOfARun,
            let entries = try? AccountStore.migrationStatus(path: path, onIntegrityCheck: IntegrityCheckLine().show)
        {
            let version = entries.filter { $0.state == .applied }.map(\.version).max() ?? 0
            printMessage("the database \(path) is at version \(version): no migration of this run was applied")
        }
        return exit
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
            // The migrations stand (reported above); the reindex and the conflicts' warnings, which need the store
            // open, did not run: said, exit 75. (Until session 62 this returned in silence, exit 0: another process
            // holding the write lock, a full disk or a newer `migrate` run meanwhile skipped them unsaid.)
            printMessage(
                "accounts: warning: "
                    + (dryRun
                        ? "whether stored mailboxes need a reindex could not be read"
                        : "the migrations are applied, but the reindex of stored mailboxes did not run")
                    + ": \(error.commandLineDescription); run `accounts reindex` once that is fixed")
            throw ExitCode(ExitStatus.temporaryFailure)
        }
        defer { try? store.close() }
        let stale: Int
        do {
            stale = try await store.staleNormalisedFormCount()
        } catch {
            throw fail(error)
        }
        // (the store's opening keyed addresses without a uniqueness key: the reindex, with nothing else to do, says so)
        if stale > 0 || store.keyedAsItOpened {
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
        // Addresses stored under looser rules than today's, on every run until they are changed (until session 63
        // nothing said so, and the store's export could not be imported).
        try await ReindexCommand.warnOfAddressesRefusedNow(store)
    }
}

extension MigrationError {
    /// Whether this is a migration that failed as it ran (rolled back, the ones before it in the run committed), not
    /// a refusal before anything ran.
    fileprivate var isFailureOfARun: Bool {
        switch self {
        case .statementFailed, .foreignKeyViolation: true
        default: false
        }
    }
}
