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
            expired browser sessions, password reset and email confirmation links that ended (used, replaced or \
            expired) more than a day ago (until then they count towards the limits on recent requests), and failed \
            sign-ins more than a day old. Then, when an account was deleted, a Twitter account unlinked or an \
            address changed since the last rebuild, rebuilds the database file (VACUUM), so that no older copy of \
            their rows stays in it.
            """)

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let store = try global.openStore(keyRing: nil)
        defer { try? store.close() }
        do {
            let report = try await store.purgeExpired()
            printOutput(
                "removed \(report.pendingAuthorizations) pending authorizations, \(report.drafts) registration drafts, "
                    + "\(report.browserSessions) browser sessions, \(report.passwordResets) password reset links, "
                    + "\(report.emailVerifications) email confirmation links and \(report.signInFailures) failed "
                    + "sign-ins\n"
                    + (report.rebuiltFile
                        ? "rebuilt the database file: an account was deleted, a Twitter account unlinked or an address "
                            + "changed since the last rebuild\n" : ""))
        } catch {
            throw fail(error)
        }
    }
}
