import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// `AccountStore.onBehalfOfSession` and a session that has expired but whose row is still there (every new session
/// clears away at most 64 ended ones; `accounts purge` the rest).
struct ActingSessionExpiryTests {
    /// A session idle for its lifetime, or past its absolute one, has ended (README, "Sessions"), and
    /// `browserSession(tokenHash:)` no longer finds it: a write on behalf of it is refused as for a deleted one.
    @Test func writesOnBehalfOfAnExpiredSessionAreRefused() async throws {
        try await withTemporaryDirectory { dir in
            let clock = TestClock()
            let store = try makeStore(in: dir, now: clock.closure)
            defer { try? store.close() }
            let ann = try await store.createAccount(newAccount("ann", email: "ann@example.org"))
            let now = store.currentDate
            let tokenHash = String(repeating: "b", count: 64)
            try await store.createBrowserSession(
                BrowserSession(
                    tokenHash: tokenHash, user: ann.id, csrfToken: "c", createdAt: now, lastSeenAt: now,
                    idleExpiresAt: now.addingTimeInterval(600), expiresAt: now.addingTimeInterval(3600)))

            // When the session has idled out (its row not cleared away yet)
            clock.advance(by: 601)
            #expect(try await store.browserSession(tokenHash: tokenHash) == nil)
            #expect(try await store.browserSessionCount(of: ann.id) == 0)

            // Then a write on its behalf is refused as for an ended session, and changes nothing
            let refused: StoreError?
            do throws(StoreError) {
                try await AccountStore.onBehalfOfSession(tokenHash) { () async throws(StoreError) in
                    _ = try await store.setAccountStatus(.id(ann.id), to: .disabled, reason: nil, actor: "user")
                }
                refused = nil
            } catch {
                refused = error
            }
            #expect(refused == .sessionEnded, "a write on behalf of an expired session was not refused")
            #expect(try await store.account(.id(ann.id))?.status == .active)
        }
    }
}
