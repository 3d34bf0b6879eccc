import AccountMatching
import AccountStore
import ArgumentParser
import DuplicateDetection
import Foundation

/// `accounts reindex [--batch-size N]`
struct ReindexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex",
        abstract: "Recompute stored email mailboxes made by older rules; key addresses stored before keys existed.",
        discussion: """
            Only forms older than the current rules (version \(Mailbox.rulesVersion)) are recomputed, in batches; \
            and addresses stored before uniqueness keys existed get theirs (two addresses that differ only in letter \
            case or accent form are named on stderr; the one keyed first keeps the key); addresses reserved for undo \
            links get the key they have now when older rules made theirs (one whose key another account holds is \
            named on stderr and keeps its former key); nothing else changes. Resumable. `accounts migrate` runs \
            this when it finds such forms, and names such pairs on every run.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, parsing: .unconditional, help: "Accounts looked at per transaction.")
    var batchSize = 1_000

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be at least 1, not \(batchSize)") }
    }

    func run() async throws {
        let store = try global.openStore(keyRing: nil)
        defer { try? store.close() }
        let report = try await Self.reindex(store, batchSize: batchSize)
        (report.changedAnything ? printCommittedOutput : printOutput)(Self.summary(report))
        Self.warnOfConflicts(report.conflicts)
        Self.warnOfReservationConflicts(report.reservationConflicts)
    }

    /// Runs the reindex with progress on a terminal; store errors exit with the contract's code.
    static func reindex(_ store: AccountStore, batchSize: Int) async throws -> ReindexReport {
        let progress = Progress(label: "reindex")
        defer { progress.finish() }
        do {
            return try await store.reindex(batchSize: batchSize) { done, total in progress.update(done, of: total) }
        } catch {
            // (the progress line ended first: the error began on it, `reindex: 30/50 (60%)accounts: error: …`)
            progress.finish()
            throw fail(error)
        }
    }

    /// Warns on stderr of every pair of stored addresses that differ only in letter case (one line each).
    static func warnOfConflicts(_ conflicts: [EmailConflict]) {
        for conflict in conflicts {
            // (stored text, shown as the report shows it: no control character reaches the terminal)
            let text = ReportRenderer.terminalText
            printMessage(
                "accounts: warning: the address of '\(text(conflict.username))' (\(text(conflict.email))) differs from "
                    + "that of '\(text(conflict.holderUsername))' (\(text(conflict.holderEmail))) only in letter case "
                    + "or accent form; it "
                    + "stays without a uniqueness key (other spellings of it are still refused) until one of the two "
                    + "accounts is removed")
        }
    }

    /// Warns on stderr of every address reserved for an undo link that another account holds as the store compares
    /// addresses now (one line each).
    static func warnOfReservationConflicts(_ conflicts: [EmailConflict]) {
        for conflict in conflicts {
            let text = ReportRenderer.terminalText
            printMessage(
                "accounts: warning: the address \(text(conflict.email)) reserved for '\(text(conflict.username))' "
                    + "by an undo link compares equal to \(text(conflict.holderEmail)), held by "
                    + "'\(text(conflict.holderUsername))' (its address, or one an earlier undo link restores); the "
                    + "reservation keeps the key older rules gave it, and the link cannot give the address back while "
                    + "'\(text(conflict.holderUsername))' holds it (`accounts users show` both accounts)")
        }
    }

    static func summary(_ report: ReindexReport) -> String {
        var lines = ""
        if report.recomputed > 0 {
            lines +=
                "reindexed \(report.recomputed) accounts to rules version \(report.rulesVersion) "
                + "(\(report.changed) mailboxes changed) in \(report.batches) batches\n"
        }
        if report.keyed > 0 {
            lines +=
                "gave \(report.keyed) stored addresses their uniqueness key (letter case compared in every script)\n"
        }
        if report.reservationsKeyed > 0 {
            lines +=
                "gave \(report.reservationsKeyed) addresses reserved for undo links the uniqueness key they have now\n"
        }
        if lines.isEmpty {
            return "nothing to reindex: every stored mailbox is at rules version \(report.rulesVersion)\n"
        }
        return lines
    }
}

extension ReindexReport {
    /// Whether the reindex wrote anything: forms recomputed, addresses or reservations keyed.
    var changedAnything: Bool { recomputed > 0 || keyed > 0 || reservationsKeyed > 0 }
}
