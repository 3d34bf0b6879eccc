import AccountStore
import ArgumentParser
import Foundation

/// `accounts purge`
struct PurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Remove expired or ended pending authorizations, registration drafts, sessions and email links.",
        discussion: """
            Removes, in one transaction: expired (or used) pending authorizations, expired registration drafts, \
            expired browser sessions, and password reset and email confirmation links that ended (used, replaced or \
            expired) more than a day ago; until then they count towards the limits on recent requests.
            """)

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
