import AccountStore
import ArgumentParser
import Foundation
import Synchronization

/// `accounts purge`
struct PurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Remove expired or ended pending authorizations, registration drafts, sessions and email links.",
        discussion: """
            Removes, in one transaction: pending authorizations (used or not) that expired more than an hour ago \
            (until then a late or replayed callback is told so), expired registration drafts, \
            expired browser sessions, password reset links and email confirmation, change and undo links that \
            ended (used, replaced or expired) more than a day ago (until then they count towards the limits on \
            recent requests), and failed sign-ins more than a day old. Then, when an account was deleted, a Twitter account unlinked or an \
            address changed since the last rebuild, rebuilds the database file (VACUUM), so that no older copy of \
            their rows stays in it.
            """)

    @OptionGroup var global: GlobalOptions

    /// `bytes` in whole megabytes, rounded up.
    static func megabytes(_ bytes: Int) -> Int { (bytes + 999_999) / 1_000_000 }

    func run() async throws {
        let store = try global.openStore(keyRing: nil)
        defer { try? store.close() }
        let databasePath = global.databasePath
        // Ctrl-C or SIGTERM stops what waits for another process's write lock: the removals (nothing removed) or the
        // rebuild (not begun), each said so. A rebuild under way runs to its end, said so at the signal; a second
        // signal ends the process at once, and SQLite rolls that rebuild back.
        try await runCancellingOnSignals { try await Self.purge(store, databasePath: databasePath) }
    }

    /// The purge: its removals, then the rebuild of the file when one is due, its progress on a terminal. `say`
    /// writes a line on stderr, and `observe` sees each report of the rebuild's progress (a test collects them).
    static func purge(
        _ store: AccountStore, databasePath: String, say: @escaping @Sendable (String) -> Void = printMessage,
        observe: @escaping @Sendable (AccountStore.RebuildProgress) -> Void = { _ in }
    ) async throws {
        let report: AccountStore.PurgeReport
        do {
            report = try await store.purgeRows()
        } catch StoreError.database(_, -1, "CancellationError") where Task.isCancelled {
            // (cancelled as its write waited for the lock: nothing ran)
            printMessage("accounts: stopped by \(Interruption.name) before anything was removed; nothing changed")
            throw Interruption.exitCode
        } catch {
            throw fail(error)
        }
        printCommittedOutput(
            "removed \(report.pendingAuthorizations) pending authorizations, \(report.drafts) registration drafts, "
                + "\(report.browserSessions) browser sessions, \(report.passwordResets) password reset links, "
                + "\(report.emailVerifications) email confirmation, change and undo links and \(report.signInFailures) failed "
                + "sign-ins\n")
        let outcome: AccountStore.RebuildOutcome
        let progress = Progress(label: "rebuild")
        let watching = RebuildProgressLine(progress)
        do throws(StoreError) {
            // A signal once the rebuild holds the lock (it has reported progress) does not stop it: said at once, as
            // a silence there invited the second Ctrl-C that throws the rebuild away.
            let result: Result<AccountStore.RebuildOutcome, StoreError> = await withTaskCancellationHandler {
                do throws(StoreError) {
                    return .success(
                        try await store.rebuildAfterDeletionsSaying { report in
                            watching.show(report)
                            observe(report)
                        })
                } catch {
                    return .failure(error)
                }
            } onCancel: {
                // (not while it waits for the lock, which the signal stops, said below; nor once the copy is written
                // back, when only its event is left to write)
                guard watching.isCopying else { return }
                let again = Interruption.name == "SIGTERM" ? "a second signal" : "a second Ctrl-C"
                progress.interject {
                    say(
                        "accounts: \(Interruption.name): the rebuild of the database file under way runs to its end "
                            + "(stopping it now would throw its work away); \(again) abandons it, and SQLite rolls it "
                            + "back")
                }
            }
            progress.finish()
            outcome = try result.get()
        } catch StoreError.rebuildCancelled {
            // (whether it waited for another process's lock or had not asked for it yet: the signal came during the
            // removals, or as they were printed)
            printMessage(
                "accounts: stopped by \(Interruption.name): the removals above are committed, but the rebuild of the "
                    + "database file had not begun, and nothing was rebuilt; run `accounts purge` again to rebuild it")
            throw Interruption.exitCode
        } catch {
            printError(Self.rebuildFailure(error, databasePath: databasePath))
            throw ExitCode.failure
        }
        if outcome == .notDue { return }
        printCommittedOutput(
            "rebuilt the database file: an account was deleted, a Twitter account unlinked or an address changed "
                + "since the last rebuild\n")
        // The file is rebuilt, but without the event that says so, the next purge rebuilds it again: said, as the
        // store's log (a warning) goes nowhere here. (Until session 58 a signal that ended the event's wait for the
        // lock was taken in silence, exit 0.)
        guard case .rebuiltWithoutEvent(let loss) = outcome else { return }
        let unrecorded = "the database file is rebuilt, but its file_rebuilt event was not written"
        let again = "the next `accounts purge` rebuilds the file again"
        switch loss {
        case .cancelled:
            printMessage(
                "accounts: stopped by \(Interruption.name): \(unrecorded) (it was waiting for the write lock another "
                    + "process took as the rebuild ended); \(again)")
            throw Interruption.exitCode
        case .busy, .closed:
            printMessage(
                "accounts: warning: \(unrecorded): another process held the write lock for the whole busy timeout "
                    + "(30 s) after the rebuild; \(again)")
        case .schemaAhead:
            printMessage(
                "accounts: warning: \(unrecorded): a newer `accounts migrate` ran as the rebuild ended; \(again), "
                    + "with an `accounts` that carries its migration")
        }
    }

    /// What the purge says when the rebuild of the file at `databasePath` failed with `error`, its removals committed
    /// before: what failed, and what to do about that failure (room only where room may be what it lacked).
    static func rebuildFailure(_ error: StoreError, databasePath: String) -> String {
        let failed = "the removals above are committed, but rebuilding the database file failed"
        // (the rebuild writes the whole file again, into the -wal beside it)
        // (of the file a link names: `attributesOfItem` gave a symbolic link's own size, a few bytes)
        var info = stat()
        let size = stat(databasePath, &info) == 0 ? Int(info.st_size) : 0
        let needs =
            "the rebuild writes the whole file again (\(Self.megabytes(size)) MB) into the -wal beside it, and as "
            + "much in the temporary directory"
        switch error {
        case .diskFull:
            return
                "\(failed) (\(error.commandLineDescription)); \(needs): make that much room and run `accounts purge` "
                + "again"
        case .database(_, 10, _):  // SQLITE_IOERR
            // (SQLite says "disk I/O error" alike for a write refused past a quota or a file size limit, which a full
            // disk is not, and for a failing disk)
            return "\(failed) (\(error.commandLineDescription)); \(needs): a quota or a file size limit (`ulimit -f`) "
                + "below that refuses it so, and so does a failing disk (the system log names the device and the "
                + "error): put that right and run `accounts purge` again"
        case .schemaAhead(let path, let version, let known):
            return "\(failed): the database \(path) was migrated to version \(version) after the removals (a newer "
                + "`accounts migrate`), and this accounts knows migrations up to \(known) only, so it rebuilt nothing: "
                + "run the purge with an accounts that carries migration \(version)"
        default:
            // (the error's own advice: a damaged file restored from a backup, another process's lock to wait out)
            return "\(failed), and nothing was rebuilt: \(error.commandLineDescription)"
        }
    }
}

/// The progress line of a purge's rebuild (a terminal only): the copying of the rows, with the seconds it has taken,
/// then the writing back of the copy, in megabytes.
final class RebuildProgressLine: Sendable {
    let progress: Progress
    /// When the first report came (the rebuild holds the write lock from then on).
    private let began = Mutex<ContinuousClock.Instant?>(nil)
    /// Whether the last report came (the copy is written back).
    private let finished = Atomic<Bool>(false)

    init(_ progress: Progress) {
        self.progress = progress
    }

    /// Whether the rebuild is copying: it has reported progress (it holds the write lock, and a signal no longer
    /// stops it), and not yet the end of it.
    var isCopying: Bool { began.withLock { $0 != nil } && !finished.load(ordering: .acquiring) }

    func show(_ report: AccountStore.RebuildProgress) {
        if report.finished { finished.store(true, ordering: .releasing) }
        let start = began.withLock { began in
            if began == nil { began = .now }
            return began!
        }
        let total = PurgeCommand.megabytes(Int(report.expected))
        if report.finished {
            // (what is left: its event, which may wait for another process's write lock)
            progress.report("\(total) MB written back (100%); recording the rebuild")
        } else if report.written == 0 {
            let seconds = (ContinuousClock.now - start).components.seconds
            progress.report("copying the rows (\(total) MB), \(seconds) s")
        } else {
            let percent = report.expected > 0 ? min(99, report.written * 100 / report.expected) : 0
            progress.report(
                "writing the copy back, \(PurgeCommand.megabytes(Int(report.written))) of \(total) MB (\(percent)%)")
        }
    }
}
