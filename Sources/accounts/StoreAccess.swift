import AccountCrypto
import AccountStore
import ArgumentParser
import Foundation

extension GlobalOptions {
    /// The key ring from `--keys-file`, `ACCOUNTS_KEYS_FILE` or `ACCOUNTS_KEYS`; a bad one exits 65 naming the problem.
    func loadKeyRing() throws -> KeyRing {
        do {
            return try KeyRing.load(keysFile: keysFile, environment: ProcessInfo.processInfo.environment)
        } catch {
            printError(error.description)
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
            printError(error.description)
            throw ExitCode(ExitStatus.invalidData)
        }
    }

    /// Opens the migrated store; a missing or unmigrated database exits 1 with a message to run `accounts migrate`.
    func openStore(keyRing: KeyRing?) throws -> AccountStore {
        do {
            return try AccountStore(configuration: storeConfiguration(), keyRing: keyRing)
        } catch {
            throw fail(error)
        }
    }
}

/// Progress on stderr when stderr is a terminal; silent otherwise.
struct Progress: Sendable {
    let label: String
    let enabled = isatty(STDERR_FILENO) == 1

    func update(_ done: Int, of total: Int) {
        guard enabled else { return }
        let percent = total > 0 ? done * 100 / total : 100
        FileHandle.standardError.write(Data("\r\(label): \(done)/\(total) (\(percent)%)".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
