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
        try await Self.warnOfAddressesRefusedNow(store)
    }

    /// Warns on stderr of stored addresses the address rules refuse now (up to 20 by name, then how many more):
    /// stored under older rules, they sign in as before, but an export holding them cannot be imported.
    static func warnOfAddressesRefusedNow(_ store: AccountStore) async throws {
        let refused: (count: Int, examples: [(username: String, email: String, problem: String)])
        do {
            refused = try await store.addressesRefusedNow(limit: 20)
        } catch {
            throw fail(error)
        }
        for example in refused.examples {
            printMessage(
                "accounts: warning: the address of '\(ReportRenderer.terminalText(example.username))' "
                    + "(\(escapedInvisibles(example.email))) \(example.problem), as the address rules have it since it was "
                    + "stored: the account signs in as before, but an export holding it cannot be imported (`accounts "
                    + "import --skip-invalid` leaves it out) until its owner changes the address")
        }
        if refused.count > refused.examples.count {
            printMessage(
                "accounts: warning: and \(refused.count - refused.examples.count) more stored addresses the address "
                    + "rules refuse now")
        }
    }

    /// `text` with every character that does not show (controls, format characters such as a zero-width joiner, white
    /// space other than the space, the blank braille pattern) written as `\u{…}`: the address as it differs from one
    /// that looks the same.
    static func escapedInvisibles(_ text: String) -> String {
        var shown = ""
        for scalar in text.unicodeScalars {
            let properties = scalar.properties
            let hidden =
                properties.generalCategory == .control || properties.generalCategory == .format
                || properties.isDefaultIgnorableCodePoint || properties.isBidiControl || scalar.value == 0x2800
                || (properties.isWhitespace && scalar != " ")
            shown += hidden ? "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}" : String(scalar)
        }
        return shown
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
