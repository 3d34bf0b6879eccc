import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// What a deleted account leaves in the database file's bytes and its `-wal`, in a store of realistic size, where
/// deletions and inserts split and merge b-tree pages.
struct DeletionResidueTests {
    /// `secure_delete` zeroes the cell a DELETE frees, but with a few hundred accounts SQLite's page rebalancing
    /// (`balance_nonroot` → `rebuildPage`) moves cells to sibling pages and leaves the old copies in the unallocated
    /// gap of the page they left, where a deleted person's username, email and names stay readable. The purge (what
    /// `accounts purge` runs daily) rebuilds the file after deletions, once: nothing of theirs is left after it.
    @Test func deletedAccountsLeaveNoCopiesInTheFileOfALargerStore() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir, synchronous: .normal)
            // Given 500 accounts, made one after another as a site gets them
            var accounts: [Account] = []
            for i in 0..<500 {
                let n = String(format: "%04d", i)
                accounts.append(
                    try await store.createAccount(
                        NewAccount(
                            username: try Username(validating: "user\(n)x"),
                            email: try EmailAddress(validating: "mail\(n)@example.org"), firstName: "First\(n)",
                            lastName: "Last\(n)", passwordHash: nil)))
            }
            // When three in four of them are deleted, the store purged and closed
            var deleted: [Int] = []
            for i in 0..<500 where i % 4 != 0 {
                _ = try await store.deleteAccount(.id(accounts[i].id))
                deleted.append(i)
            }
            let purged = try await store.purgeExpired()
            #expect(purged.rebuiltFile)
            #expect(try await store.purgeExpired().rebuiltFile == false, "no deletion since the last rebuild")
            try store.close()
            // Then nothing of theirs is left in the file's bytes
            var bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/accounts.sqlite"))
            if let wal = try? Data(contentsOf: URL(fileURLWithPath: dir + "/accounts.sqlite-wal")) { bytes += wal }
            func holds(_ text: String) -> Bool { bytes.range(of: Data(text.utf8)) != nil }
            var left: [String] = []
            for i in deleted {
                let n = String(format: "%04d", i)
                left += ["user\(n)x", "mail\(n)@example.org", "First\(n)", "Last\(n)"].filter(holds)
            }
            #expect(
                left.isEmpty, "\(left.count) values of deleted accounts are still in the file, e.g. \(left.prefix(6))")
            // (while the kept accounts are there)
            #expect(holds("user0000x") && holds("mail0496@example.org"))
        }
    }

    /// The web's "Delete account" runs in an app whose store stays open for weeks, and SQLite's automatic checkpoints
    /// copy frames into the file but neither truncate nor zero the log: a deletion truncates the `-wal` itself, without
    /// waiting (as `close()` does), so the deleted person's email, names, screen name and access token leave it.
    @Test func aDeletionThroughAnOpenStoreLeavesNothingInTheWAL() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let ann = try await store.createAccount(
                NewAccount(
                    username: try Username(validating: "annsecret"),
                    email: try EmailAddress(validating: "ann.private@example.org"), firstName: "Annabelle",
                    lastName: "Quibblewick", passwordHash: nil))
            try await store.linkTwitter(
                twitterIdentity("9007199254740993", screenName: "ann_hidden_t", name: "Ann Hidden"),
                credential: TwitterCredential(token: "token-ann-visible", secret: Secret("secret-ann")), to: .id(ann.id)
            )
            _ = try await store.createAccount(newAccount("bobkeeps", email: "bob.keeps@example.org"))
            // When ann is deleted through the open store (as the web's "Delete account" does)
            _ = try await store.deleteAccount(.id(ann.id), actor: "user")
            // Then, with the store still open, neither the file nor its -wal holds her data
            var bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/accounts.sqlite"))
            if let wal = try? Data(contentsOf: URL(fileURLWithPath: dir + "/accounts.sqlite-wal")) { bytes += wal }
            let left = ["annsecret", "ann.private@example.org", "Quibblewick", "ann_hidden_t", "token-ann-visible"]
                .filter { bytes.range(of: Data($0.utf8)) != nil }
            #expect(left.isEmpty, "still readable beside the open store: \(left)")
        }
    }
}
