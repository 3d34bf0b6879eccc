import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing
import TwitterOAuth

extension RegistrationFlowTests {
    /// A "Link Twitter account" confirmed twice at once (a double click, two tabs) opens the draft twice before either
    /// links; the second's link then finds the Twitter id taken, by this very account. It is answered as linked, with
    /// no second `linked` event, not as "already linked to another account" (`twitterLinkedToAnotherAccount`), nor as
    /// "this account already has one" (`accountAlreadyLinked`). The losing order is played with two drafts of one
    /// Twitter account (approved twice), the first linked before the second's confirmation: its link fails in the
    /// store as the race's second does.
    @Test func aLinkConfirmedAgainAfterTheFirstLandedIsLinked() async throws {
        try await withFlow { flow throws in
            let ann = try await flow.local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Secret("ann's long password")))
            guard
                case .readyToLink(let first) = try await flow.arrive(
                    as: Self.zoe, purpose: .link, signedInUser: ann.id),
                case .readyToLink(let second) = try await flow.arrive(
                    as: Self.zoe, purpose: .link, signedInUser: ann.id)
            else {
                Issue.record("expected two link confirmations")
                return
            }
            _ = try await flow.service.link(draftID: first.id, to: ann.id, browserSession: "browser-1")

            // When the second confirmation lands after the first
            let again = try await flow.service.link(draftID: second.id, to: ann.id, browserSession: "browser-1")

            // Then it answers with the account, linked to that Twitter account, and records nothing more
            #expect(again.id == ann.id)
            #expect(again.twitter?.userID == TwitterUserID(Self.zoe))
            let linkedEvents = try await flow.store.events(for: ann.id, limit: 100).filter { $0.kind == .linked }
            #expect(linkedEvents.count == 1)
            // (its draft is used up with it)
            #expect(try await flow.service.draft(second.id, browserSession: "browser-1") == nil)
        }
    }
}
