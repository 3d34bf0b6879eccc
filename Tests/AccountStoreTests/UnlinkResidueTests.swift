import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// README "Storage": a deletion and an unlink truncate the `-wal` at once, so what they removed is not left readable
/// beside the open store. The unlinks a password reset or an undone change of address make (a Twitter account linked
/// before the owner proved the address) went through a shared path that did not: the unlinked account's display name
/// and access token stayed in the log until the next deletion, purge or close.
struct UnlinkResidueTests {
    static let hidden = ["Mallory Hidden", "token-mallory-visible"]

    static func addMallorysLink(to store: AccountStore) async throws -> UserID {
        let ann = try await store.createAccount(
            newAccount(
                "ann", email: "ann@example.org",
                passwordHash: "scrypt$ln=10$r=8$p=1$c2FsdHNhbHQ=$eHh4eHh4eHh4eHh4eHh4eA=="))
        try await store.linkTwitter(
            twitterIdentity("9007199254740993", screenName: "mallory_t", name: "Mallory Hidden"),
            credential: TwitterCredential(token: "token-mallory-visible", secret: Secret("secret-mallory")),
            to: .id(ann.id))
        return ann.id
    }

    static func leftBeside(_ dir: String) throws -> [String] {
        var bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/accounts.sqlite"))
        if let wal = try? Data(contentsOf: URL(fileURLWithPath: dir + "/accounts.sqlite-wal")) { bytes += wal }
        return hidden.filter { bytes.range(of: Data($0.utf8)) != nil }
    }

    @Test func aResetThatUnlinksTwitterLeavesNothingOfItInTheWAL() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let ann = try await Self.addMallorysLink(to: store)
            let tokenHash = String(repeating: "a", count: 64)
            guard
                case .issued = try await store.issuePasswordReset(
                    email: "ann@example.org", tokenHash: tokenHash, lifetime: 3600, limit: 3, window: 3600)
            else {
                Issue.record("no reset link issued")
                return
            }
            // When the reset, through ann's mailbox, unlinks the Twitter account linked before she proved it
            _ = try await store.resetPassword(
                tokenHash: tokenHash, newHash: "scrypt$ln=10$r=8$p=1$c2FsdHNhbHQ=$eXl5eXl5eXl5eXl5eXl5eQ==")
            #expect(try await store.account(.id(ann))?.twitter == nil)
            // Then, with the store still open, neither the file nor its -wal holds what was unlinked
            let left = try Self.leftBeside(dir)
            #expect(left.isEmpty, "still readable beside the open store: \(left)")
        }
    }
}
