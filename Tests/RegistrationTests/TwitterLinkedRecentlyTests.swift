import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing

/// Whoever guessed a password could link their own Twitter account and remove the password: no reset goes to a
/// confirmed address of an account without one, and the owner would never get it back (until session 62). The
/// password may not be removed within 7 days of linking Twitter (`AccountStore.recentLinkWindow`), so that a reset
/// to the address gives the owner a way in (and then the Twitter account to unlink); after that, it may.
struct TwitterLinkedRecentlyTests {
    @Test func thePasswordIsNotRemovedWithinAWeekOfLinkingTwitter() async throws {
        try await EmailVerificationTests().withAnn { local, store, clock, database, ann in
            let confirmation = try #require(try await local.requestEmailVerification(for: ann.id))
            try await local.verifyEmail(token: confirmation.token)
            try await store.linkTwitter(twitterIdentity("5"), credential: nil, to: .id(ann.id))
            let linkedAt = clock.now
            let dump = try databaseDump(database)

            // When the password is removed within the week
            let until = linkedAt.addingTimeInterval(AccountStore.recentLinkWindow)
            await #expect(throws: LocalAccountError.store(.twitterLinkedRecently(ann.id, until: until))) {
                try await local.removePassword(for: ann.id, current: EmailVerificationTests.password)
            }
            // Then nothing changed, and a reset still reaches the confirmed address
            #expect(try databaseDump(database, excluding: ["sign_in_failures"]) == dump)
            #expect(try await local.requestPasswordReset(email: "Ann@Example.org") != nil)
            let message = "\(StoreError.twitterLinkedRecently(ann.id, until: until))"
            #expect(message.contains("password may not be removed until") && message.contains("nothing was changed"))

            // And a week later it is removed
            clock.advance(by: AccountStore.recentLinkWindow)
            try await local.removePassword(for: ann.id, current: EmailVerificationTests.password)
            #expect(try await store.account(.id(ann.id))?.hasPassword == false)
        }
    }
}
