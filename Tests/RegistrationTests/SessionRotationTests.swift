import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing
import TwitterOAuth

extension RegistrationFlowTests {
    /// A sign-in rotates the browser's session id; the draft made before must follow it, and stay out of reach of the
    /// old id.
    @Test func rotationCarriesDraftsAndPendingAuthorizationsToTheNewSessionId() async throws {
        try await withFlow { flow throws in
            // Given a draft waiting for a password sign-in, and a second flow begun but not finished, on "old"
            let existing = try await flow.local.signUp(
                SignUpForm(username: "john", email: "john@gmail.com", password: Secret("john's long password")))
            guard case .matchesExistingAccount(_, let draft) = try await flow.arrive(as: Self.john, session: "old")
            else {
                Issue.record("the mailbox match was not recognised")
                return
            }
            let url = try await flow.service.begin(purpose: .signIn, browserSession: "old")
            let query = try await flow.approve(url, as: Self.zoe)

            // When the session id rotates at sign-in
            let report = try await flow.service.rotate(browserSession: "old", to: "new")

            // Then every row moved, in one go (the used authorization of the first flow too, so a replay of its callback
            // is still told apart from a stranger's)
            #expect(report == AccountStore.RebindReport(pendingAuthorizations: 2, drafts: 1))
            await #expect(throws: RegistrationError.draftFromOtherBrowserSession) {
                try await flow.service.link(draftID: draft.id, to: existing.id, browserSession: "old")
            }
            #expect(try await flow.service.draft(draft.id, browserSession: "old") == nil)
            let linked = try await flow.service.link(draftID: draft.id, to: existing.id, browserSession: "new")
            #expect(linked.twitter?.userID == TwitterUserID(Self.john))
            // The pending authorization answers only to the new id
            #expect(
                try await flow.service.handleCallback(query: query, browserSession: "old")
                    == .restart(.otherBrowserSession))
            guard case .needsDetails = try await flow.service.handleCallback(query: query, browserSession: "new") else {
                Issue.record("the pending authorization did not follow the rotation")
                return
            }
            // Rotating an id with nothing bound moves nothing
            #expect(
                try await flow.service.rotate(browserSession: "empty", to: "other")
                    == .init(pendingAuthorizations: 0, drafts: 0))
        }
    }
}
