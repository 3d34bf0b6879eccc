import AccountStore
import ArgumentParser
import Foundation

/// Exit codes of the CLI contract.
enum ExitStatus {
    static let operationalFailure: Int32 = 1
    static let invalidData: Int32 = 65
}

/// Prints `message` to stderr as `accounts: error: …`.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("accounts: error: \(message)\n".utf8))
}

/// Prints `message` to stderr as is.
func printMessage(_ message: String) {
    FileHandle.standardError.write(Data("\(message)\n".utf8))
}

/// Writes `text` to stdout.
func printOutput(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

/// Reports a store error on stderr and turns it into the contract's exit code.
func fail(_ error: StoreError) -> ExitCode {
    printError(error.description)
    switch error {
    case .invalid, .duplicate, .migration(.targetBelowApplied): return ExitCode(ExitStatus.invalidData)
    default: return ExitCode(ExitStatus.operationalFailure)
    }
}
