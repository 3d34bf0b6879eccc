import AccountCrypto
import AccountStore
import ArgumentParser
import Foundation
import Synchronization

extension GlobalOptions {
    /// The key ring from `--keys-file`, `ACCOUNTS_KEYS_FILE` or `ACCOUNTS_KEYS`; a bad one exits 65 naming the problem.
    func loadKeyRing() throws -> KeyRing {
        do {
            return try KeyRing.load(keysFile: keysFile, environment: ProcessInfo.processInfo.environment)
        } catch {
            printError(error.commandLineDescription)
            throw ExitCode(ExitStatus.invalidData)
        }
    }

    /// The key ring when one is configured, `nil` when none is; a bad one still exits 65.
    func optionalKeyRing() throws -> KeyRing? {
        do {
            return try KeyRing.load(keysFile: keysFile, environment: ProcessInfo.processInfo.environment)
        } catch .noKeys {
            return nil
        } catch {
            printError(error.commandLineDescription)
            throw ExitCode(ExitStatus.invalidData)
        }
    }

    /// Opens the migrated store; a missing or unmigrated database exits 1 with a message to run `accounts migrate`.
    ///
    /// A command that only reads (`readOnly`: reports, export, `users show`, `keys status`) opens the file with
    /// SQLite's read-only flag: it needs no write permission, changes not a byte of the file (opening for writing
    /// bumped its schema counter and made a probe table), and neither waits behind another process's write to
    /// open nor to checkpoint when it closes. `acceptsAnySchema` (`backup`, read-only): whatever migrations the file has,
    /// lacks or does not know.
    func openStore(keyRing: KeyRing?, readOnly: Bool = false, acceptsAnySchema: Bool = false) throws -> AccountStore {
        var configuration = storeConfiguration()
        configuration.readOnly = readOnly
        configuration.acceptsAnySchema = acceptsAnySchema
        do {
            return try AccountStore(configuration: configuration, keyRing: keyRing)
        } catch {
            throw fail(error)
        }
    }
}

/// Progress on stderr when stderr is a terminal; silent otherwise. Updates may come from several threads: a count
/// lower than one already shown is not shown (it arrived late), and `finish` ends the line only if one was shown.
final class Progress: Sendable {
    let label: String
    let enabled = isatty(STDERR_FILENO) == 1
    /// The highest count shown, `nil` before the first.
    private let shown = Mutex<Int?>(nil)

    init(label: String) {
        self.label = label
    }

    func update(_ done: Int, of total: Int) {
        guard enabled else { return }
        shown.withLock { shown in
            if let last = shown, done < last { return }
            shown = done
            let percent = total > 0 ? done * 100 / total : 100
            writeStandardError("\r\u{1B}[K\(label): \(done)/\(total) (\(percent)%)")
        }
    }

    /// Shows `text` on the progress line (a terminal only).
    func report(_ text: String) {
        guard enabled else { return }
        shown.withLock { shown in
            writeStandardError("\r\u{1B}[K\(label): \(text)")
            shown = shown ?? 0
        }
    }

    /// Runs `body`, which writes a line on stderr, with the progress line cleared first and no update meanwhile: the
    /// line is on its own (an update from another thread between a clear and the line glued them together). The next
    /// update draws the progress line again.
    func interject(_ body: () -> Void) {
        shown.withLock { shown in
            if enabled { writeStandardError("\r\u{1B}[K") }
            body()
            // (no progress line is up now: `finish` ends none; until session 60 it ended the cleared one, and a blank
            // line followed the last message)
            shown = nil
        }
    }

    func finish() {
        guard enabled else { return }
        shown.withLock { shown in
            if shown != nil { writeStandardError("\n") }
            shown = nil
        }
    }

    /// Clears the progress line, if one is shown, rather than ending it: for a step whose line should not stay above
    /// what the command prints next.
    func clear() {
        guard enabled else { return }
        shown.withLock { shown in
            if shown != nil { writeStandardError("\r\u{1B}[K") }
            shown = nil
        }
    }
}

/// The line `migrate`, `migrations status` and `migrations validate` show on a terminal's stderr while SQLite's
/// `quick_check` reads the whole file (10 s at 1.4 GB; until session 64 nothing showed meanwhile), cleared once the
/// check ends; and how long the checks took, which `migrate` leaves out of the time its migrations took.
final class IntegrityCheckLine: Sendable {
    private let progress = Progress(label: "check")
    private let spent = Mutex<Duration>(.zero)

    /// Shows the line as a check begins, clears it as the check ends.
    func show(_ event: IntegrityCheck) {
        switch event {
        case .began(let bytes):
            progress.report(
                "reading the whole file for damage (\(PurgeCommand.megabytes(Int(clamping: bytes))) MB, quick_check)")
        case .ended(let duration):
            progress.clear()
            spent.withLock { $0 += duration }
        }
    }

    /// How long the checks took so far.
    var duration: Duration { spent.withLock { $0 } }
}
