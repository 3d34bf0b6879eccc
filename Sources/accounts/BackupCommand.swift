import AccountStore
import AccountTransfer
import ArgumentParser
import Foundation

/// `accounts backup --output FILE`
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent, checked copy of the database to a file, while apps go on using it.",
        discussion: """
            The copy is one snapshot of the database (SQLite's VACUUM INTO): nothing waits for it, and no change \
            is half in it. It is written beside FILE under a hidden name (mode 0600), flushed, checked (PRAGMA \
            quick_check) and only then renamed over FILE; a failed or interrupted backup leaves FILE as it was. The \
            keys file is not in the copy: keep the keys that sealed its tokens as long as the copy. To restore, \
            stop every process using the database, remove its -wal and -shm files, and put the copy in its place.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(
        name: .long,
        help: ArgumentHelp("The file to write (replaced only by a complete, checked copy).", valueName: "file"))
    var output: String

    func validate() throws {
        if output == "-" || OutputFile.processDescriptor(output) != nil {
            throw ValidationError("--output \(output): a backup is a database file, not a stream; name a file")
        }
        try global.validateOutput(output)
        var info = stat()
        if stat(output, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
            throw ValidationError("--output \(output) is not a regular file (a device or a pipe); name a file")
        }
    }

    func run() async throws {
        // An empty file (`touch`ed, or made by a wrong --database) holds nothing to copy; the advice every other command
        // gives it, to migrate it, is not a backup's to give.
        var info = stat()
        if stat(global.databasePath, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size == 0 {
            printError("the database \(global.databasePath) is an empty file: nothing to back up (wrong --database?)")
            throw ExitCode(ExitStatus.operationalFailure)
        }
        // (any schema: a backup is what comes before `accounts migrate`, and an older build may copy a newer file)
        let store = try global.openStore(keyRing: nil, readOnly: true, acceptsAnySchema: true)
        defer { try? store.close() }
        removeUnfinishedOutputOnSignals()
        let progress = Progress(label: "backup")
        let report: AccountStore.BackupReport
        do {
            report = try await store.backUp(to: output) { written, expected in
                let percent = expected > 0 ? min(99, written * 100 / expected) : 0
                progress.report(
                    "\(PurgeCommand.megabytes(written)) of \(PurgeCommand.megabytes(expected)) MB (\(percent)%)")
            }
        } catch {
            progress.finish()
            throw fail(error)
        }
        progress.finish()
        let version = report.schemaVersion.map { "schema version \($0)" } ?? "no migration applied"
        // (the copy is in place: a stdout that cannot take the report makes it exit 75, not 1)
        printCommittedOutput(
            "backed up \(report.accounts) \(plural(report.accounts, "account")) (\(version)) to \(output): "
                + "\(PurgeCommand.megabytes(report.bytes)) MB, checked\n")
    }
}
