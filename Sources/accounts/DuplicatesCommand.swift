import AccountModel
import AccountStore
import AccountTransfer
import ArgumentParser
import DuplicateDetection
import Foundation
import Synchronization

/// `accounts duplicates [--format table|csv|json|html] [--min-score X] [--output FILE] [--explain A,B[,…]]`
struct DuplicatesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "duplicates",
        abstract: "Report clusters of accounts that probably belong to one person.",
        discussion: """
            Accounts are linked when they share a normalised mailbox, or when their names and handles (username, \
            Twitter screen name, email local part) agree; linked accounts form clusters. A cluster's score is its \
            weakest link. See README, "Duplicate-account report".
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Output format.")
    var format: DuplicatesFormat = .table

    // `parsing: .unconditional`: `--min-score -1` is a value (refused below as out of range), not an option `-1`.
    // The help text leaves the default to argument-parser's "(default: 0.7)".
    @Option(
        name: .long,
        parsing: .unconditional,
        help: ArgumentHelp("Links scoring below this (0…1) do not join accounts.", valueName: "score"))
    var minScore = MinimumScore(DetectionSettings.defaultMinimumScore)

    @Option(name: .long, help: ArgumentHelp("Write the report to this file instead of stdout.", valueName: "file"))
    var output: String?

    /// `--output`, or `nil` for standard output (none given, or `-`).
    var destination: String? { output == "-" ? nil : output }

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Instead of the report, explain why these accounts (public ids, usernames or email addresses, comma-separated) are or are "
                + "not linked, pair by pair (format table or json).",
            valueName: "a,b[,…]"))
    var explain: String?

    /// The accounts of `--explain`, as given.
    var explained: [String] {
        guard let explain else { return [] }
        return explain.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
    }

    func validate() throws {
        guard let score = minScore.value, score.isFinite, (0...1).contains(score) else {
            // The value as typed (`-1`, not `-1.0`; `abc` too, which is no number).
            throw ValidationError(
                "--min-score must be a number from 0 to 1, not \(minScore.text.isEmpty ? "''" : minScore.text)")
        }
        if explain != nil {
            let accounts = explained
            if let empty = accounts.firstIndex(where: \.isEmpty) {
                throw ValidationError("--explain: account \(empty + 1) of the list is empty")
            }
            guard Set(accounts.map { $0.lowercased() }).count >= 2 else {
                throw ValidationError("--explain needs two different accounts or more, separated by commas")
            }
            guard format == .table || format == .json else {
                throw ValidationError("--explain writes table or json, not \(format.rawValue)")
            }
        }
        if let destination {
            try global.validateOutput(destination)
        } else {
            try GlobalOptions.validateStandardOutput()
        }
    }

    func run() async throws {
        let started = ContinuousClock.now
        let store = try global.openStore(keyRing: nil, readOnly: true)
        defer { try? store.close() }
        var explainedIDs: [UserID] = []
        var namedAs: [UserID: String] = [:]
        var unknown: [String] = []
        for reference in explained {
            let account: Account?
            do {
                account = try await store.account(AccountReference(reference))
            } catch {
                throw fail(error)
            }
            guard let account else {
                unknown.append(AccountReference(reference).description)
                continue
            }
            // The same account named twice (by its username and by its id, say) is one account.
            if namedAs[account.id] == nil {
                namedAs[account.id] = reference
                explainedIDs.append(account.id)
            }
        }
        if !unknown.isEmpty {
            // Every unknown account at once, so that one run shows all the list's mistakes.
            throw fail(StoreError.accountNotFound(unknown.joined(separator: ", ")))
        }
        if explain != nil && explainedIDs.count < 2 {
            throw Accounts.usageError(
                "--explain needs two different accounts or more: \(explained.map { "'\($0)'" }.joined(separator: ", ")) "
                    + "are one account", of: DuplicatesCommand.self)
        }
        let opened = ContinuousClock.now
        var scanned = opened
        var settings = DetectionSettings()
        // `-0` is 0 (and printed so); `validate()` has checked the value is a number.
        let score = minScore.value ?? DetectionSettings.defaultMinimumScore
        settings.minimumScore = score == 0 ? 0 : score
        let reading = Progress(label: "reading accounts")
        let loader = DetectorLoader(settings: settings)
        do {
            let total = try await store.accountCount()
            loader.reserveCapacity(total)
            // The store reads on this thread while the detector digests the previous batches on another.
            try store.scanMatchableAccountBatches { batch in
                loader.add(batch) { count in reading.update(count, of: total) }
            }
            scanned = ContinuousClock.now
        } catch {
            loader.finish()
            reading.finish()
            throw fail(error)
        }
        let detector = loader.finish()
        reading.finish()
        let read = ContinuousClock.now
        let comparing = Progress(label: "comparing")
        let phaseStarts = Mutex<[DetectionProgress.Phase: ContinuousClock.Instant]>([:])
        if !explainedIDs.isEmpty {
            let explanations: [PairExplanation]
            do throws(ExplanationError) {
                explanations = try (consume detector).explain(explainedIDs) { step in
                    if step.phase == .comparing { comparing.update(step.done, of: step.total) }
                }
            } catch {
                comparing.finish()
                if case .accountNotRead(let id) = error {
                    printError("'\(namedAs[id] ?? id.rawValue)' was not among the accounts read (deleted meanwhile?)")
                } else {
                    printError(error.description)
                }
                throw ExitCode(ExitStatus.operationalFailure)
            }
            comparing.finish()
            try write(
                ReportRenderer.render(explanations, as: format == .json ? .json : .text),
                summary: "\(explanations.count) pair \(explanations.count == 1 ? "explanation" : "explanations")")
            return
        }
        let report = (consume detector).report(generatedAt: Date()) { step in
            phaseStarts.withLock { starts in
                if starts[step.phase] == nil { starts[step.phase] = ContinuousClock.now }
            }
            if step.phase == .comparing { comparing.update(step.done, of: step.total) }
        }
        comparing.finish()
        let detected = ContinuousClock.now
        let text = ReportRenderer.render(report, as: format.reportFormat)
        let rendered = ContinuousClock.now
        if ProcessInfo.processInfo.environment["ACCOUNTS_DUPLICATES_TIMING"] == "1" {
            // For benchmarks: phase times and how much work detection did.
            let statistics = report.statistics
            printMessage(
                "timing: open \(opened - started), scan \(scanned - opened), read \(read - started), "
                    + phaseStarts.withLock { starts in
                        let blocking = starts[.blocking] ?? read
                        let comparing = starts[.comparing] ?? blocking
                        let clustering = starts[.clustering] ?? comparing
                        return "blocking \(comparing - blocking), comparing \(clustering - comparing), "
                            + "clustering \(detected - clustering), "
                    }
                    + "detect \(detected - read), render \(rendered - detected); "
                    + "blocks \(statistics.blocks), oversized \(statistics.oversizedBlocks), "
                    + "comparisons \(statistics.comparisons), links \(statistics.links)")
        }
        // The table on a terminal shows its notes; anywhere else (another format, a file) they go to stderr too.
        if format != .table || destination != nil {
            // Cleaned as the table's notes are: a block is described by an address or a name, which may hold
            // direction overrides.
            for note in report.statistics.notes { printMessage("note: \(ReportRenderer.terminalText(note))") }
        }
        leftForExit.withLock { $0 = (report, text) }
        let members = report.clusters.reduce(0) { $0 + $1.members.count }
        try write(
            text, summary: "\(report.clusters.count) clusters (\(members) of \(report.accountsScanned) accounts)")
    }

    /// Prints `text`, or writes it to `--output` and says so (`summary` of what it holds).
    private func write(_ text: String, summary: String) throws {
        guard let destination else {
            printOutput(text)
            return
        }
        do throws(TransferError) {
            // Replaced only by a complete report, mode 0600 (it holds mailboxes and names); `/dev/null` stays a device.
            removeUnfinishedOutputOnSignals()
            let file = try OutputFile(path: destination)
            try file.write(text)
            try file.commit()
        } catch {
            printError(error.description)
            throw ExitCode(ExitStatus.operationalFailure)
        }
        printMessage("wrote \(summary) to \(destination)")
    }
}

/// The last report and its text, left for the process's end to take back whole: the command ends right after, and
/// freeing a million-account report's allocations one by one took 0.1–0.2 s.
private let leftForExit = Mutex<(DuplicateReport, String)?>(nil)

/// `--min-score X`, kept as typed so that `validate()` can refuse `abc` and `-1` with one message that quotes it.
struct MinimumScore: ExpressibleByArgument {
    /// The argument as given.
    let text: String
    /// The number it reads as, if any.
    let value: Double?

    init(_ value: Double) {
        text = "\(value)"
        self.value = value
    }

    init(argument: String) {
        text = argument
        value = Double(argument)
    }

    var defaultValueDescription: String { text }
}

/// `--format table|csv|json|html`
enum DuplicatesFormat: String, ExpressibleByArgument, CaseIterable {
    case table
    case csv
    case json
    case html

    var reportFormat: ReportFormat {
        switch self {
        case .table: return .table
        case .csv: return .csv
        case .json: return .json
        case .html: return .html
        }
    }
}

/// Feeds batches to a detector on a serial background queue, at most a few batches ahead of the reader.
final class DetectorLoader: Sendable {
    private let detector: Mutex<DuplicateDetector>
    private let settings: DetectionSettings
    private let queue = DispatchQueue(label: "accounts.duplicates.loader")
    private let slots = DispatchSemaphore(value: 4)
    /// Used by the reading thread only (`add` is called from it).
    private let preparer = Mutex(DuplicateDetector.Preparer())

    init(settings: DetectionSettings) {
        detector = Mutex(DuplicateDetector(settings: settings))
        self.settings = settings
    }

    func reserveCapacity(_ count: Int) {
        detector.withLock { $0.reserveCapacity(count) }
    }

    /// Queues `batch`; `progress` gets the number of accounts added so far once it is in.
    func add(_ batch: MatchableAccountBatch, progress: @escaping @Sendable (Int) -> Void) {
        // Mailboxes, handles and display names beyond ASCII are worked out here, on the reading thread; the loader
        // interns names.
        let prepared = preparer.withLock { $0.prepare(batch) }
        slots.wait()
        queue.async { [self] in
            let count = detector.withLock { detector in
                detector.add(prepared)
                return detector.count
            }
            slots.signal()
            progress(count)
        }
    }

    /// Waits for every queued batch and hands the detector over (the loader keeps an empty one, so that the detector
    /// returned is the only holder of its table).
    @discardableResult
    func finish() -> DuplicateDetector {
        queue.sync {}
        // The texts the preparer has met (a million accounts: tens of MB) are of no use once the reading ends.
        preparer.withLock { $0 = DuplicateDetector.Preparer() }
        let empty = DuplicateDetector(settings: settings)
        return detector.withLock { detector in
            let loaded = detector
            detector = empty
            return loaded
        }
    }
}
