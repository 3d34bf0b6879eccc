import AccountStore
import ArgumentParser
import Foundation

/// `accounts purge`
struct PurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Remove expired (or used) pending authorizations, expired registration drafts and expired sessions.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let store = try global.openStore(keyRing: nil)
        defer { try? store.close() }
        do {
            let report = try await store.purgeExpired()
            printOutput(
                "removed \(report.pendingAuthorizations) pending authorizations, \(report.drafts) registration drafts, "
                    + "\(report.browserSessions) browser sessions, \(report.passwordResets) password reset links and "
                    + "\(report.emailVerifications) email confirmation links\n")
        } catch {
            throw fail(error)
        }
    }
}
