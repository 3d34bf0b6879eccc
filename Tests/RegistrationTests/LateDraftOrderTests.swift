import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing
import TwitterOAuth
import TwitterSandbox

extension RegistrationFlowTests {
    /// `recordTwitterSignIn(obtainedAt:)` compares a late draft with when Twitter gave the stored token (a registration
    /// stores a draft's token with the draft's time), not when it was written: a draft begun first (its token revoked
    /// since) that registers first, then a newer draft completed after it, leaves the account with the newer, working
    /// token.
    @Test func aLateDraftWithTheNewerTokenReplacesAnOlderTokenRegisteredAfterIt() async throws {
        try await withFlow { flow throws in
            // Tab 1 at t0: a draft holding token T0
            guard case .needsDetails(let older) = try await flow.arrive(as: Self.ada, session: "tab-1") else {
                Issue.record("expected a draft")
                return
            }
            let oldToken = try #require(try await flow.store.draft(id: older.id)?.credential)
            // The person revokes the app's access at Twitter (T0 stops working)
            try await flow.sandbox.client().invalidateToken(oldToken.token, secret: oldToken.secret.revealed)
            flow.clock.advance(by: 60)
            // Tab 2 at t1 > t0: a new draft holding a new token T1
            guard case .needsDetails(let newer) = try await flow.arrive(as: Self.ada, session: "tab-2") else {
                Issue.record("expected a second draft")
                return
            }
            let newToken = try #require(try await flow.store.draft(id: newer.id)?.credential)
            let tokensDiffer = newToken != oldToken
            try #require(tokensDiffer, "the sandbox gave the same token again")
            flow.clock.advance(by: 60)
            // Tab 1 registers at t2 (with its older token), then tab 2 completes at t3: signed in to that account
            guard
                case .registered(let ada) = try await flow.service.complete(
                    draftID: older.id, form: Self.prefilledForm(older), browserSession: "tab-1")
            else {
                Issue.record("tab 1 did not register")
                return
            }
            flow.clock.advance(by: 60)
            guard
                case .signedIn(let signedIn) = try await flow.service.complete(
                    draftID: newer.id, form: RegistrationForm(username: "ada_tab", email: "ada.tab@example.org"),
                    browserSession: "tab-2")
            else {
                Issue.record("tab 2 was not signed in")
                return
            }
            #expect(signedIn.id == ada.id)
            let stored = try #require(try await flow.store.credential(for: TwitterUserID(Self.ada)))
            let keptTheNewerToken = stored == newToken
            #expect(keptTheNewerToken, "the newer draft's token was dropped for the older (revoked) one")
            var works = true
            do {
                _ = try await flow.sandbox.client().verifyCredentials(
                    accessToken: AccessToken(
                        token: stored.token, secret: stored.secret.revealed, userID: Self.ada, screenName: ""))
            } catch {
                works = false
            }
            #expect(works, "the account's stored token no longer works at Twitter")
        }
    }
}
