import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// When the purge decides that the file needs a rebuild.
struct RebuildTriggerTests {
    /// `purgeExpired()`: rebuilds "when an account was deleted, a Twitter account unlinked or an address changed since
    /// the last rebuild", "since" by event id (commit order), not by the events' clock times: a deletion made after a
    /// rebuild by a clock that is behind (set back by NTP, or another server's) is dated before it, and is rebuilt for
    /// all the same.
    @Test func aDeletionAfterARebuildIsRebuiltForEvenWhenTheClockWentBack() async throws {
        try await withTemporaryDirectory { dir in
            let clock = TestClock()
            let store = try makeStore(in: dir, now: clock.closure)
            defer { try? store.close() }
            let ann = try await store.createAccount(newAccount("annsecret", email: "ann@example.org"))
            let bob = try await store.createAccount(newAccount("bobsecret", email: "bob@example.org"))
            _ = try await store.deleteAccount(.id(ann.id))
            clock.advance(by: 60)
            #expect(try await store.purgeExpired().rebuiltFile)
            // The clock is set back ten seconds (an NTP step), then bob is deleted
            clock.advance(by: -10)
            _ = try await store.deleteAccount(.id(bob.id))
            clock.advance(by: 3600)
            #expect(
                try await store.purgeExpired().rebuiltFile,
                "a deletion made after the last rebuild never triggers one")
        }
    }
}
