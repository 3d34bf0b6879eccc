import AccountStore
import AccountTransfer
import ArgumentParser
import Foundation
import Synchronization

/// Exit codes of the CLI contract.
enum ExitStatus {
    static let operationalFailure: Int32 = 1
    static let invalidData: Int32 = 65
    /// Done, but a step outside the store failed and may be tried again by hand (`users delete
    /// --revoke-twitter-token` when Twitter did not revoke the token).
    static let temporaryFailure: Int32 = 75
}

/// Prints `message` to stderr as `accounts: error: …`.
func printError(_ message: String) {
    writeStandardError("accounts: error: \(message)\n")
}

/// Prints `message` to stderr as is.
func printMessage(_ message: String) {
    writeStandardError("\(message)\n")
}

/// Writes `text` to stderr; a stderr that cannot be written (closed, a full disk) is no reason to stop.
func writeStandardError(_ text: String) {
    _ = writeAll(text, to: STDERR_FILENO)
}

/// Writes `text` to stdout. When stdout cannot take it (closed, a full disk), says so on stderr and ends the process
/// with exit status 1: the output is incomplete, and the command must not look successful. (A pipe whose reader has
/// gone, `accounts export | head -1`, ends it quietly by SIGPIPE, as it ends other tools.) Once a committed change was
/// reported (``printCommittedOutput(_:)``), the command's further output goes that way too.
func printOutput(_ text: String) {
    if CommittedOutput.begun.load(ordering: .relaxed) { return printCommittedOutput(text) }
    if let failure = writeAll(text, to: STDOUT_FILENO) {
        printError("cannot write to standard output: \(String(cString: strerror(failure)))")
        exit(ExitStatus.operationalFailure)
    }
}

/// Prints `text`, the report of a change already committed, on stdout. When stdout cannot take it (full, closed), the
/// change stands all the same: the report goes to stderr (after one warning), the command goes on with its other
/// steps (a purge's rebuild, a migration's next step, a warning still to give), and then exits 75 ("done, but a step
/// outside the store failed"; ``Accounts/main()``), never 1, which would read as nothing done (and a retry of an
/// import would then refuse every line as a duplicate). For a report of nothing changed, use ``printOutput(_:)``.
///
/// A pipe whose reader has gone (`accounts purge | head -0`, a log shipper that died) is such a stdout too: from the
/// first committed report on, SIGPIPE is ignored, so that the write fails with `EPIPE` instead of killing the process
/// before it can say what it committed or finish its steps.
func printCommittedOutput(_ text: String) {
    if !CommittedOutput.begun.exchange(true, ordering: .relaxed) { signal(SIGPIPE, SIG_IGN) }
    if CommittedOutput.failed.load(ordering: .relaxed) {
        writeStandardError(text)
        return
    }
    guard let failure = writeAll(text, to: STDOUT_FILENO) else { return }
    CommittedOutput.failed.store(true, ordering: .relaxed)
    writeStandardError(
        "accounts: warning: cannot write to standard output (\(String(cString: strerror(failure)))); what is committed "
            + "goes here instead:\n" + text)
}

/// Whether a report of a committed change could not be written to stdout (``printCommittedOutput(_:)``).
enum CommittedOutput {
    static let failed = Atomic<Bool>(false)
    /// Whether a committed change was reported (stdout then takes the rest of the output that way).
    static let begun = Atomic<Bool>(false)
}

/// Writes all of `text` to `descriptor`; the `errno` of a failed write, `nil` when all of it went out.
private func writeAll(_ text: String, to descriptor: Int32) -> Int32? {
    var text = text
    return text.withUTF8 { writeFully(descriptor, UnsafeRawBufferPointer($0)) ? nil : errno }
}

/// Reports a store error on stderr and turns it into the contract's exit code.
func fail(_ error: StoreError) -> ExitCode {
    printError(error.commandLineDescription)
    switch error {
    case .invalid, .duplicate, .migration(.targetBelowApplied), .migration(.modified), .migration(.missing),
        .migration(.unknown), .migration(.outOfOrder):
        // The last four: the database's migration history failed validation (what `migrations validate` reports)
        return ExitCode(ExitStatus.invalidData)
    default: return ExitCode(ExitStatus.operationalFailure)
    }
}
