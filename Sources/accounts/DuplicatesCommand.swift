import AccountStore
import ArgumentParser
import DuplicateDetection
import Foundation

/// `accounts duplicates [--format table|csv|json|html] [--min-score X] [--output FILE]`
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

    @Option(name: .long, help: "Output format: table, csv, json or html.")
    var format: DuplicatesFormat = .table

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Links scoring below this (0…1) do not join accounts (default \(DetectionSettings.defaultMinimumScore)).",
            valueName: "score"))
    var minScore: Double = DetectionSettings.defaultMinimumScore

    @Option(name: .long, help: ArgumentHelp("Write the report to this file instead of stdout.", valueName: "file"))
    var output: String?

    func validate() throws {
        guard minScore.isFinite, (0...1).contains(minScore) else {
            throw ValidationError("--min-score must be a number from 0 to 1, not \(minScore)")
        }
        if let output {
            let directory = (output as NSString).deletingLastPathComponent
            var isDirectory: ObjCBool = false
            if !directory.isEmpty,
                !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) || !isDirectory.boolValue
            {
                throw ValidationError("--output \(output): the directory \(directory) does not exist")
            }
        }
    }

    func run() async throws {
        let started = ContinuousClock.now
        let store = try global.openStore(keyRing: nil)
        defer { try? store.close() }
        var settings = DetectionSettings()
        settings.minimumScore = minScore
        var detector = DuplicateDetector(settings: settings)
        let reading = Progress(label: "reading accounts")
        do {
            let total = try await store.accountCount()
            detector.reserveCapacity(total)
            try store.scanMatchableAccounts { batch in
                detector.add(contentsOf: batch)
                reading.update(detector.count, of: total)
            }
        } catch {
            reading.finish()
            throw fail(error)
        }
        reading.finish()
        let read = ContinuousClock.now
        let comparing = Progress(label: "comparing")
        let report = detector.report(generatedAt: Date()) { step in
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
                "timing: read \(read - started), detect \(detected - read), render \(rendered - detected); "
                    + "blocks \(statistics.blocks), oversized \(statistics.oversizedBlocks), "
                    + "comparisons \(statistics.comparisons), links \(statistics.links)")
        }
        if format != .table {
            for note in report.statistics.notes { printMessage("note: \(note)") }
        }
        guard let output else {
            printOutput(text)
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
            printError("cannot write \(output): \(error.localizedDescription)")
            throw ExitCode(ExitStatus.operationalFailure)
        }
        let members = report.clusters.reduce(0) { $0 + $1.members.count }
        printMessage(
            "wrote \(report.clusters.count) clusters (\(members) of \(report.accountsScanned) accounts) to \(output)")
    }
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
