import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing
import TwitterOAuth

extension RegistrationFlowTests {
    /// A sign-in made to link a draft rotates the browser's session id; that draft follows it, and nothing else does:
    /// another draft of the old id (one another site planted with its own Twitter account, by setting the session
    /// cookie) and its pending authorizations stay behind, out of reach of the new id; the draft moves only for the
    /// account whose mailbox is its Twitter email.
    @Test func signInCarriesOnlyTheDraftItWasMadeToLink() async throws {
        try await withFlow { flow throws in
            // Given a draft waiting for a password sign-in, a stranger's draft, and a flow begun but not finished, all
            // on "old"
            let existing = try await flow.local.signUp(
                SignUpForm(username: "john", email: "john@gmail.com", password: Secret("john's long password")))
            guard case .matchesExistingAccount(_, let draft) = try await flow.arrive(as: Self.john, session: "old")
            else {
                Issue.record("the mailbox match was not recognised")
                return
            }
            guard case .needsDetails(let planted) = try await flow.arrive(as: Self.zoe, session: "old") else {
                Issue.record("no draft for the stranger")
                return
            }
            let url = try await flow.service.begin(purpose: .signIn, browserSession: "old")
            let query = try await flow.approve(url, as: Self.ada)

            // When the session id rotates at the sign-in made for the first draft
            // (not for a draft whose Twitter email is not that account's: the stranger's, planted with a cookie)
            #expect(try await !flow.service.carryDraft(planted.id, from: "old", to: "new", for: existing.id))
            #expect(try await flow.service.carryDraft(draft.id, from: "old", to: "new", for: existing.id))

            // Then that draft answers to the new id only
            await #expect(throws: RegistrationError.draftFromOtherBrowserSession) {
                try await flow.service.link(draftID: draft.id, to: existing.id, browserSession: "old")
            }
            #expect(try await flow.service.draft(draft.id, browserSession: "old") == nil)
            let linked = try await flow.service.link(draftID: draft.id, to: existing.id, browserSession: "new")
            #expect(linked.twitter?.userID == TwitterUserID(Self.john))
            // The stranger's draft and the pending authorization stayed with the old id
            #expect(try await flow.service.draft(planted.id, browserSession: "new") == nil)
            #expect(try await flow.service.draft(planted.id, browserSession: "old") != nil)
            #expect(
                try await flow.service.handleCallback(query: query, browserSession: "new")
                    == .restart(.otherBrowserSession))
            // A draft of another id, or one that does not exist, moves nothing
            #expect(try await !flow.service.carryDraft(planted.id, from: "elsewhere", to: "new", for: existing.id))
            #expect(try await !flow.service.carryDraft("no-such-draft", from: "old", to: "new", for: existing.id))
            #expect(try await flow.service.draft(planted.id, browserSession: "old") != nil)
        }
    }
}
