import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// `AccountStore.onBehalfOfSession`: the writes a signed-in browser asks for land only while its session exists,
/// checked in the transaction that writes them.
struct ActingSessionTests {
    @Test func writesOnBehalfOfAnEndedSessionThrowAndChangeNothing() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let ann = try await store.createAccount(newAccount("ann", email: "ann@example.org"))
            let now = store.currentDate
            let tokenHash = String(repeating: "a", count: 64)
            try await store.createBrowserSession(
                BrowserSession(
                    tokenHash: tokenHash, user: ann.id, csrfToken: "c", createdAt: now, lastSeenAt: now,
                    idleExpiresAt: now.addingTimeInterval(600), expiresAt: now.addingTimeInterval(600)))

            // While the session exists, its writes land
            try await AccountStore.onBehalfOfSession(tokenHash) { () async throws(StoreError) in
                _ = try await store.setAccountStatus(.id(ann.id), to: .disabled, reason: nil, actor: "user")
            }
            #expect(try await store.account(.id(ann.id))?.status == .disabled)

            // Once it has ended (disabling the account ended it), a write on its behalf throws and changes nothing
            #expect(try await store.browserSessionCount(of: ann.id) == 0)
            let dump = try databaseDump(dir + "/accounts.sqlite")
            let refused: StoreError?
            do throws(StoreError) {
                try await AccountStore.onBehalfOfSession(tokenHash) { () async throws(StoreError) in
                    // (a read is not checked)
                    guard try await store.account(.id(ann.id)) != nil else { return }
                    _ = try await store.setAccountStatus(.id(ann.id), to: .active, reason: nil, actor: "user")
                }
                refused = nil
            } catch {
                refused = error
            }
            #expect(refused == .sessionEnded)
            #expect(refused?.description.contains("has ended") == true)
            #expect(try databaseDump(dir + "/accounts.sqlite") == dump)

            // Outside the scope, writes are not checked
            _ = try await store.setAccountStatus(.id(ann.id), to: .active, reason: nil, actor: "cli")
            #expect(try await store.account(.id(ann.id))?.status == .active)
        }
    }
}
