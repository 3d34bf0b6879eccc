import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing

extension EmailChangeUndoTests {
    /// An undone change of address unlinks a Twitter account linked since the change (whoever moved the address); as
    /// after any unlink, what it removed leaves the `-wal` at once. It stayed there until the next deletion, purge or
    /// close.
    @Test func anUndoThatUnlinksTwitterLeavesNothingOfItInTheWAL() async throws {
        try await withAnnMoved { local, store, clock, database, ann, undo in
            // Given a Twitter account linked by whoever moved the address
            clock.advance(by: 60)
            try await store.linkTwitter(
                twitterIdentity("77", screenName: "thief", name: "Mallory Hidden"),
                credential: TwitterCredential(token: "token-mallory-visible", secret: Secret("secret-mallory")),
                to: .id(ann.id))
            // When Ann follows her undo link, which unlinks it
            let outcome = try await local.undoEmailChange(token: undo.token, newPassword: Self.newPassword)
            #expect(outcome.unlinkedTwitter?.userID.decimalString == "77")
            // Then, with the store still open, neither the file nor its -wal holds what was unlinked
            var bytes = try Data(contentsOf: URL(fileURLWithPath: database))
            if let wal = try? Data(contentsOf: URL(fileURLWithPath: database + "-wal")) { bytes += wal }
            let left = ["Mallory Hidden", "token-mallory-visible"].filter { bytes.range(of: Data($0.utf8)) != nil }
            #expect(left.isEmpty, "still readable beside the open store: \(left)")
        }
    }
}
