import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// A sign-out ends the session by the row its request loaded (``AccountStore/deleteBrowserSession(loaded:)``): under
/// whatever id a change made from it gave the row meanwhile, and never another session that a freed row id was
/// given to since.
struct LoadedSessionEndTests {
    static func session(_ letter: Character, user: UserID, at now: Date) -> BrowserSession {
        BrowserSession(
            tokenHash: String(repeating: letter, count: 64), user: user, csrfToken: "csrf-\(letter)", createdAt: now,
            lastSeenAt: now, idleExpiresAt: now.addingTimeInterval(3600), expiresAt: now.addingTimeInterval(43_200))
    }

    static func loaded(_ store: AccountStore, _ tokenHash: String) async throws -> AccountStore.LoadedSession {
        let (session, _, rowID) = try #require(try await store.browserSessionWithAccount(tokenHash: tokenHash))
        return AccountStore.LoadedSession(
            rowID: rowID, tokenHash: session.tokenHash, user: session.user, createdAt: session.createdAt)
    }

    @Test func aSessionRekeyedAfterItWasLoadedEndsUnderItsNewID() async throws {
        try await withTemporaryDirectory { dir in
            let clock = TestClock()
            let store = try makeStore(in: dir, now: clock.closure)
            defer { try? store.close() }
            let ann = try await store.createAccount(newAccount("ann"))
            let session = Self.session("a", user: ann.id, at: clock.now)
            try await store.createBrowserSession(session)
            let loaded = try await Self.loaded(store, session.tokenHash)
            // (a password change from another tab with the same cookie gives the row a new id)
            let rekeyed = String(repeating: "b", count: 64)
            #expect(try await store.rekeyBrowserSession(session.tokenHash, to: rekeyed, csrfToken: "csrf-b"))

            #expect(try await store.deleteBrowserSession(loaded: loaded))
            let lives = try await store.browserSession(tokenHash: rekeyed) != nil
            #expect(!lives, "the session lives on under the id the change gave it")
        }
    }

    @Test func aRowIDGivenToAnotherSessionSinceIsNotEnded() async throws {
        try await withTemporaryDirectory { dir in
            let clock = TestClock()
            let store = try makeStore(in: dir, now: clock.closure)
            defer { try? store.close() }
            let ann = try await store.createAccount(newAccount("ann"))
            let bob = try await store.createAccount(newAccount("bob"))
            let anns = Self.session("a", user: ann.id, at: clock.now)
            try await store.createBrowserSession(anns)
            let loaded = try await Self.loaded(store, anns.tokenHash)
            // Ann's session ends (another browser signed it out), and its row id goes to Bob's new one
            #expect(try await store.deleteBrowserSession(tokenHash: anns.tokenHash))
            let bobs = Self.session("c", user: bob.id, at: clock.now)
            try await store.createBrowserSession(bobs)
            let bobsRow = try await Self.loaded(store, bobs.tokenHash).rowID
            #expect(bobsRow == loaded.rowID, "the row id was not given again: this test checks nothing")

            #expect(try await !store.deleteBrowserSession(loaded: loaded))
            let lives = try await store.browserSession(tokenHash: bobs.tokenHash) != nil
            #expect(lives, "Ann's late sign-out ended Bob's session")
        }
    }
}
