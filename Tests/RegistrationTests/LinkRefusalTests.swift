import AccountModel
import AccountStore
import Foundation
import Registration
import Synchronization
import TestSupport
import Testing
import TwitterOAuth

/// The refusals of linking a Twitter account that no other test reached (session 64's reading of untested branches):
/// a link draft confirmed onto another account than the one that began it, an account linked meanwhile, and a link
/// begun signed out. Each is refused with its own error and leaves the store as it was.
extension RegistrationFlowTests {
    /// Ann begins "Link Twitter account" and approves at Twitter; Bob, later signed in in the same browser (an app
    /// that does not give a new session id at sign-in), confirms it. The draft is Ann's: refused, nothing written, and
    /// Ann can still link it. (The routes give a new session id at every sign-in; this line is an embedding app's only
    /// guard.)
    @Test func aLinkBegunForOneAccountIsNotConfirmedOntoAnother() async throws {
        try await withFlow { flow throws in
            let ann = try await flow.store.createAccount(newAccount("ann"))
            let bob = try await flow.store.createAccount(newAccount("bob"))
            let outcome = try await flow.arrive(as: Self.ada, purpose: .link, signedInUser: ann.id)
            guard case .readyToLink(let draft) = outcome else {
                Issue.record("expected a draft to link, got \(outcome)")
                return
            }
            let database = flow.directory + "/accounts.sqlite"
            let before = try databaseDump(database)
            await #expect(throws: RegistrationError.notSignedIn) {
                try await flow.service.link(draftID: draft.id, to: bob.id, browserSession: "browser-1")
            }
            #expect(try databaseDump(database) == before, "a refused link changed the store")
            #expect(try await flow.store.account(.id(bob.id))?.twitter == nil)
            let linked = try await flow.service.link(draftID: draft.id, to: ann.id, browserSession: "browser-1")
            #expect(linked.twitter?.userID == TwitterUserID(Self.ada))
        }
    }

    /// Two links begun from one account (two tabs), both approved: the first confirmed links; the second is refused
    /// as "this account is linked already" (not a store error, which the routes would answer with a 500), the first
    /// link and its one `linked` event as they were.
    @Test func aSecondTwitterAccountConfirmedForALinkedAccountIsRefused() async throws {
        try await withFlow { flow throws in
            let ann = try await flow.store.createAccount(newAccount("ann"))
            let first = try await flow.arrive(as: Self.ada, purpose: .link, signedInUser: ann.id)
            let second = try await flow.arrive(as: Self.zoe, purpose: .link, signedInUser: ann.id)
            guard case .readyToLink(let adaDraft) = first, case .readyToLink(let zoeDraft) = second else {
                Issue.record("expected two drafts to link, got \(first) and \(second)")
                return
            }
            _ = try await flow.service.link(draftID: adaDraft.id, to: ann.id, browserSession: "browser-1")
            let database = flow.directory + "/accounts.sqlite"
            let before = try databaseDump(database)
            await #expect(throws: RegistrationError.accountAlreadyLinked) {
                try await flow.service.link(draftID: zoeDraft.id, to: ann.id, browserSession: "browser-1")
            }
            #expect(try databaseDump(database) == before, "a refused link changed the store")
            #expect(try await flow.store.account(.id(ann.id))?.twitter?.userID == TwitterUserID(Self.ada))
            #expect(try flow.store.accountID(twitterUserID: TwitterUserID(Self.zoe)) == nil)
            #expect(try await flow.store.events(for: ann.id).count { $0.kind == .linked } == 1)
        }
    }

    /// A link begun, and approved at Twitter, while another tab links another Twitter account to the account: the
    /// callback is refused as "linked already", and no draft is kept.
    @Test func aCallbackForAnAccountLinkedMeanwhileIsRefused() async throws {
        try await withFlow { flow throws in
            let ann = try await flow.store.createAccount(newAccount("ann"))
            let url = try await flow.service.begin(purpose: .link, browserSession: "browser-1", signedInUser: ann.id)
            let query = try await flow.approve(url, as: Self.zoe)
            // (meanwhile, in another tab)
            let other = try await flow.arrive(as: Self.ada, purpose: .link, session: "browser-2", signedInUser: ann.id)
            guard case .readyToLink(let draft) = other else {
                Issue.record("expected a draft to link, got \(other)")
                return
            }
            _ = try await flow.service.link(draftID: draft.id, to: ann.id, browserSession: "browser-2")
            let database = flow.directory + "/accounts.sqlite"
            let drafts = countQuery(database, "SELECT count(*) FROM registration_drafts")
            await #expect(throws: RegistrationError.accountAlreadyLinked) {
                try await flow.service.handleCallback(query: query, browserSession: "browser-1")
            }
            #expect(countQuery(database, "SELECT count(*) FROM registration_drafts") == drafts)
            #expect(try await flow.store.account(.id(ann.id))?.twitter?.userID == TwitterUserID(Self.ada))
        }
    }

    /// "Link Twitter account" begun with no one signed in is refused before Twitter is asked, and nothing is stored.
    @Test func aLinkBegunSignedOutIsRefusedBeforeTwitterIsAsked() async throws {
        try await withFlow { flow throws in
            let database = flow.directory + "/accounts.sqlite"
            let asked = Atomic<Int>(0)
            let service = flow.service(
                through: RewritingTransport(inner: flow.sandbox.transport) { _, _ in
                    asked.add(1, ordering: .relaxed)
                })
            await #expect(throws: RegistrationError.notSignedIn) {
                try await service.begin(purpose: .link, browserSession: "browser-1")
            }
            #expect(countQuery(database, "SELECT count(*) FROM pending_authorizations") == 0)
            #expect(asked.load(ordering: .relaxed) == 0, "Twitter was asked for a request token")
            // (the counting transport counts: a registration begun through it asks once)
            _ = try await service.begin(purpose: .register, browserSession: "browser-1")
            #expect(asked.load(ordering: .relaxed) == 1)
        }
    }
}
