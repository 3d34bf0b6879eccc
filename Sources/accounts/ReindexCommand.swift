import AccountMatching
import AccountStore
import ArgumentParser
import Foundation

/// `accounts reindex [--batch-size N]`
struct ReindexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex",
        abstract: "Recompute stored normalised forms (email mailboxes) made by older matching rules.",
        discussion: """
            Only forms older than the current rules (version \(Mailbox.rulesVersion)) are recomputed, in batches; \
            nothing else changes. Resumable. `accounts migrate` runs this when it finds older forms.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Accounts looked at per transaction.")
    var batchSize = 1_000

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be at least 1") }
    }

    func run() async throws {
        let store = try global.openStore(keyRing: nil)
        defer { try? store.close() }
        let report = try await Self.reindex(store, batchSize: batchSize)
        printOutput(Self.summary(report))
    }

    /// Runs the reindex with progress on a terminal; store errors exit with the contract's code.
    static func reindex(_ store: AccountStore, batchSize: Int) async throws -> ReindexReport {
        let progress = Progress(label: "reindex")
        defer { progress.finish() }
        do {
            return try await store.reindex(batchSize: batchSize) { done, total in progress.update(done, of: total) }
        } catch {
            throw fail(error)
        }
    }

    static func summary(_ report: ReindexReport) -> String {
        if report.recomputed == 0 {
            return "nothing to reindex: every stored mailbox is at rules version \(report.rulesVersion)\n"
        }
        return "reindexed \(report.recomputed) accounts to rules version \(report.rulesVersion) "
            + "(\(report.changed) mailboxes changed) in \(report.batches) batches\n"
    }
}
