import AccountStore
import AccountTransfer
import ArgumentParser
import Foundation

/// `accounts export --format jsonl|csv [--output FILE] [--include-password-hashes]`
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export every account as Account JSON Lines or CSV (never tokens or secrets).",
        discussion: """
            Writes to stdout, or to --output FILE (mode 0600, replaced only by a complete export). Accounts are \
            ordered by creation time, then username; export, import into a new database and export again gives the \
            same bytes. Password hashes are included only with --include-password-hashes. Names are written as \
            stored, so a CSV export opened in a spreadsheet must be opened as text: a name typed as a formula \
            (=HYPERLINK(...)) would otherwise run.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "The format: jsonl or csv.")
    var format: FileFormat

    @Option(name: .long, help: ArgumentHelp("Write to this file instead of stdout.", valueName: "file"))
    var output: String?

    /// `--output`, or `nil` for standard output (none given, or `-`).
    var destination: String? { output == "-" ? nil : output }

    @Flag(name: .long, help: "Add each account's password hash (a last column / key, password_hash).")
    var includePasswordHashes = false

    /// Whether the data goes to a terminal: stdout (`nil` or `-`) when it is one, a descriptor of this process named
    /// by path (`/dev/stdout`, `/dev/fd/N`) that is one, or a terminal device.
    static func writesToTerminal(_ destination: String?) -> Bool {
        guard let destination, destination != "-" else { return isatty(STDOUT_FILENO) == 1 }
        if let descriptor = OutputFile.processDescriptor(destination) { return isatty(descriptor) == 1 }
        var status = stat()
        guard stat(destination, &status) == 0, status.st_mode & S_IFMT == S_IFCHR else { return false }
        let descriptor = open(destination, O_WRONLY | O_NOCTTY | O_NONBLOCK)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return isatty(descriptor) == 1
    }

    func validate() throws {
        if let destination {
            try global.validateOutput(destination)
        } else {
            try GlobalOptions.validateStandardOutput()
        }
    }

    func run() async throws {
        let store = try global.openStore(keyRing: nil, readOnly: true)
        defer { try? store.close() }
        if destination != nil { removeUnfinishedOutputOnSignals() }
        let writer: AccountWriter
        do {
            writer = try AccountWriter(
                format: format.transferFormat, includePasswordHashes: includePasswordHashes, path: destination)
        } catch {
            printError(error.description)
            throw ExitCode(ExitStatus.operationalFailure)
        }
        // Progress only when the data does not go to a terminal (stdout, or a path that is one: `/dev/stdout`,
        // `/dev/fd/1`, `/dev/tty`), where the two would mix.
        let progress = Progress(label: "export")
        let showsProgress = progress.enabled && !Self.writesToTerminal(destination)
        let total = showsProgress ? ((try? await store.accountCount()) ?? 0) : 0
        let count: Int
        do {
            count = try store.exportAccounts(to: writer) { done in
                if showsProgress { progress.update(done, of: total) }
            }
            try writer.finish()
        } catch let error as TransferError {
            if showsProgress { progress.finish() }
            throw fail(TransferFailure.file(error))
        } catch let error as TransferFailure {
            if showsProgress { progress.finish() }
            throw fail(error)
        }
        if showsProgress { progress.finish() }
        printMessage("exported \(count) \(plural(count, "account"))\(destination.map { " to \($0)" } ?? "")")
    }
}
