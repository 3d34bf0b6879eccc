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

    /// A "Sign in to link" sent twice at once (a double click) signs in twice, each on a new session, and the first to
    /// carry the draft takes it from the visitor session: the second carries it on from the first's session to its
    /// own, so whichever answer the browser keeps last holds the draft (until session 64 the second answered
    /// "registration closed", and a browser that kept its cookie had lost the draft). Nothing else moves it on: another
    /// visitor session, another account sharing the mailbox, or a session it was never carried from.
    @Test func aSecondSignInToLinkCarriesTheDraftOnToItsOwnSession() async throws {
        try await withFlow { flow throws in
            let john = try await flow.local.signUp(
                SignUpForm(username: "john", email: "john@gmail.com", password: Secret("john's long password")))
            // (another account of the same mailbox: the draft is offered to it too)
            let tagged = try await flow.local.signUp(
                SignUpForm(username: "john_tag", email: "john+tag@gmail.com", password: Secret("john's other password"))
            )
            guard case .matchesExistingAccount(_, let draft) = try await flow.arrive(as: Self.john, session: "visitor")
            else {
                Issue.record("the mailbox match was not recognised")
                return
            }
            #expect(try await flow.service.carryDraft(draft.id, from: "visitor", to: "first", for: john.id))

            // When the second sign-in, from the same visitor session to the same account, carries it
            let carried = try await flow.service.carryDraft(draft.id, from: "visitor", to: "second", for: john.id)

            // Then its session holds the draft, and the first's does not
            #expect(carried)
            #expect(try await flow.service.draft(draft.id, browserSession: "second") != nil)
            #expect(try await flow.service.draft(draft.id, browserSession: "first") == nil)
            // And nothing else carries it on
            #expect(try await !flow.service.carryDraft(draft.id, from: "elsewhere", to: "third", for: john.id))
            #expect(try await !flow.service.carryDraft(draft.id, from: "visitor", to: "third", for: tagged.id))
            #expect(try await !flow.service.carryDraft(draft.id, from: "first", to: "third", for: john.id))
            #expect(try await flow.service.draft(draft.id, browserSession: "third") == nil)
            let linked = try await flow.service.link(draftID: draft.id, to: john.id, browserSession: "second")
            #expect(linked.twitter?.userID == TwitterUserID(Self.john))
        }
    }
}
