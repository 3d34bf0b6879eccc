import AccountStore
import ArgumentParser
import Foundation

/// `accounts purge`
struct PurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Remove expired or ended pending authorizations, registration drafts, sessions and email links.",
        discussion: """
            Removes, in one transaction: pending authorizations (used or not) that expired more than an hour ago \
            (until then a late or replayed callback is told so), expired registration drafts, \
            expired browser sessions, password reset and email confirmation links that ended (used, replaced or \
            expired) more than a day ago (until then they count towards the limits on recent requests), and failed \
            sign-ins more than a day old. Then, when an account was deleted, a Twitter account unlinked or an \
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
        // rebuild (not begun), each said so. A rebuild under way runs to its end; a second signal ends the process at
        // once, and SQLite rolls that rebuild back.
        try await runCancellingOnSignals { try await Self.purge(store, databasePath: databasePath) }
    }

    static func purge(_ store: AccountStore, databasePath: String) async throws {
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
                + "\(report.emailVerifications) email confirmation links and \(report.signInFailures) failed "
                + "sign-ins\n")
        do {
            if try await store.rebuildAfterDeletions() {
                printCommittedOutput(
                    "rebuilt the database file: an account was deleted, a Twitter account unlinked or an address "
                        + "changed since the last rebuild\n")
            }
        } catch StoreError.rebuildCancelled {
            printMessage(
                "accounts: stopped by \(Interruption.name): the removals above are committed, but the rebuild of the "
                    + "database file had not begun (it was waiting for the write lock another process held), and "
                    + "nothing was rebuilt; run `accounts purge` again to rebuild it")
            throw Interruption.exitCode
        } catch {
            // The removals above stand; the rebuild (which writes the whole file again, into the -wal beside it) is
            // what failed, most often for want of room.
            let size = (try? FileManager.default.attributesOfItem(atPath: databasePath)[.size] as? Int) ?? 0
            printError(
                "the removals above are committed, but rebuilding the database file failed (\(error.commandLineDescription)); the rebuild "
                    + "writes the whole file again (\(Self.megabytes(size)) MB) into the -wal beside it, and as much "
                    + "in the temporary directory: make that much room and run `accounts purge` again")
            throw ExitCode.failure
        }
    }
}
