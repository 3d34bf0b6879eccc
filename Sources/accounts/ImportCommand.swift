import AccountStore
import AccountTransfer
import ArgumentParser
import Foundation

/// `--format jsonl|csv` for import and export.
enum FileFormat: String, ExpressibleByArgument, CaseIterable {
    case jsonl
    case csv

    var transferFormat: TransferFormat {
        switch self {
        case .jsonl: return .jsonl
        case .csv: return .csv
        }
    }
}

/// `accounts import --format jsonl|csv FILE|- [--skip-invalid]`
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import accounts from Account JSON Lines or CSV: all or nothing unless --skip-invalid.",
        discussion: """
            Every invalid line is listed on stderr as `line N: field: what is wrong`; then nothing is imported \
            (exit 65), or with --skip-invalid the valid lines are (exit 0). Twitter identities are linked without \
            credentials; password hashes (scrypt, or Django's pbkdf2_sha256) are kept so people sign in with their \
            old password. The formats are described in README.md.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "The file's format: jsonl or csv.")
    var format: FileFormat

    @Argument(help: ArgumentHelp("The file to read, or - for standard input.", valueName: "file"))
    var file: String

    @Flag(name: .long, help: "Import the valid lines and skip the invalid ones (still listed on stderr).")
    var skipInvalid = false

    @Flag(
        name: .long,
        help: """
            Accept password hashes whose every check costs more than scrypt N·r·p 2^20 or 3,000,000 PBKDF2 rounds \
            (a store's own export holding such hashes); refused by default.
            """)
    var allowCostlyPasswordHashes = false

    func validate() throws {
        if file.isEmpty {
            throw ValidationError("the file to import is empty (an unset shell variable?): give a file, or - for stdin")
        }
        // Standard input closed when the command started (a cron job, `<&-`): by now the runtime may hold descriptor 0
        // for itself, and reading it would take the runtime's wake-ups for data.
        let descriptor = file == "-" ? STDIN_FILENO : OutputFile.processDescriptor(file)
        if let descriptor, !GlobalOptions.isOpenAsGiven(descriptor) || GlobalOptions.isTheRuntimes(descriptor) {
            let what = descriptor == STDIN_FILENO ? "standard input" : "descriptor \(descriptor)"
            throw ValidationError("\(file): \(what) is not open (the command was started without it): give a file")
        }
    }

    func run() throws {
        let store = try global.openStore(keyRing: nil)
        defer { try? store.close() }
        let reader: AccountReader
        do {
            reader = try AccountReader(
                path: file, format: format.transferFormat, allowsCostlyPasswordHashes: allowCostlyPasswordHashes)
        } catch {
            printError(error.description)
            throw ExitCode(ExitStatus.operationalFailure)
        }
        let name = file == "-" ? "standard input" : file
        let progress = Progress(label: "import")
        let report: ImportReport
        do {
            report = try store.importAccounts(
                from: reader, options: ImportOptions(skipInvalid: skipInvalid, actor: "cli"),
                onProblem: { problem in
                    progress.interject { printMessage(problem.commandLineDescription) }
                },
                onProgress: { lines in
                    progress.report(ImportCommand.progressText(lines: lines, reader: reader))
                })
            progress.finish()
        } catch {
            progress.finish()
            throw fail(error)
        }
        if report.isEmpty {
            printMessage("\(name) holds no accounts; nothing imported")
            return
        }
        if report.invalid > 0 && !skipInvalid {
            printError(
                "nothing imported: \(report.invalid) invalid \(plural(report.invalid, "line")) in \(name) ("
                    + Self.hint(report) + ")")
            throw ExitCode(ExitStatus.invalidData)
        }
        var summary =
            "imported \(report.imported) \(plural(report.imported, "account")) (\(report.linked) with a Twitter identity)"
        if report.invalid > 0 {
            summary += ", skipped \(report.invalid) invalid \(plural(report.invalid, "line"))"
        }
        // (--skip-invalid with no valid line commits nothing: a report like any other, not a committed change's)
        if report.committed {
            printCommittedOutput(summary + "\n")
        } else {
            printOutput(summary + "\n")
        }
    }

    /// What to do about a refused import's invalid lines. --skip-invalid is offered only when it would import
    /// something, and with the count it would import: the valid lines, and the lines listed only because a refused
    /// line before them has the same username, email or Twitter id (skipping that line lets them in).
    static func hint(_ report: ImportReport) -> String {
        let fix = "fix \(report.invalid == 1 ? "it" : "them")"
        let importable = report.importableSkippingInvalid
        let sharing = importable - report.valid
        if importable == 0 { return fix + "; no valid line is left to import" }
        if sharing == 0 { return fix + ", or use --skip-invalid to import the other \(report.valid)" }
        let listed = "listed only for sharing a key with a refused line"
        if report.valid == 0 {
            return fix + ", or use --skip-invalid to import the \(sharing) \(plural(sharing, "line")) " + listed
        }
        return fix
            + ", or use --skip-invalid to import \(importable) lines: the other \(report.valid), and \(sharing) "
            + listed
    }

    static func progressText(lines: Int, reader: AccountReader) -> String {
        guard let size = reader.size, size > 0 else { return "\(lines) lines" }
        let percent = min(100, reader.bytesRead * 100 / size)
        return "\(lines) lines (\(percent)% of \(size / 1_048_576) MiB)"
    }
}

/// `word` or `words`.
func plural(_ count: Int, _ word: String) -> String {
    count == 1 ? word : word + "s"
}

/// Reports an import or export failure and turns it into the contract's exit code: 65 for a refused CSV header,
/// 1 for I/O, the store's own for the store.
func fail(_ failure: TransferFailure) -> ExitCode {
    switch failure {
    case .store(let error):
        return fail(error)
    case .file(let error):
        printError(error.description)
        if case .badHeader = error { return ExitCode(ExitStatus.invalidData) }
        return ExitCode(ExitStatus.operationalFailure)
    }
}
