import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing

extension RegistrationFlowTests {
    /// `complete` saw the draft's Twitter id linked (another tab registered it) and went to sign that account in, but
    /// the id was unlinked before its write landed (here another instance unlinks it while holding the write lock).
    /// The id is free now: the form registers it. It was `twitterLinkedToAnotherAccount`, "this Twitter account is
    /// already linked to another account", about an id linked to no account, with the draft still usable.
    @Test func aCompletionWhoseAccountUnlinkedTheIdMeanwhileRegistersIt() async throws {
        try await withFlow { flow throws in
            let path = flow.directory + "/accounts.sqlite"
            guard case .needsDetails(let first) = try await flow.arrive(as: Self.zoe, session: "b"),
                case .needsDetails(let second) = try await flow.arrive(as: Self.zoe, session: "b")
            else {
                Issue.record("expected two drafts")
                return
            }
            guard
                case .registered = try await flow.service.complete(
                    draftID: first.id, form: Self.prefilledForm(first), browserSession: "b")
            else {
                Issue.record("the first tab did not register")
                return
            }
            // Another instance holds the write lock: the second tab reads "linked", then waits to sign that one in
            let holder = try CommittingLockHolder(path: path)
            let service = flow.service
            let completing = Task {
                try await service.complete(
                    draftID: second.id, form: RegistrationForm(username: "zoe_two", email: "zoe.two@example.org"),
                    browserSession: "b")
            }
            guard try await writesReached(1, in: flow.store) else {
                try holder.commit("")
                _ = await completing.result
                Issue.record("the completion never reached its write")
                return
            }
            // That instance unlinks Zoë's Twitter account from the first account
            try holder.commit("DELETE FROM twitter_identities WHERE twitter_user_id = '\(Self.zoe)'")
            let outcome = await completing.result
            guard case .success(.registered(let account)) = outcome else {
                Issue.record("expected the free Twitter id to be registered, got \(outcome)")
                return
            }
            #expect(account.username == "zoe_two")
            #expect(try flow.store.accountID(twitterUserID: TwitterUserID(Self.zoe)) == account.id)
            #expect(try await flow.store.accountCount() == 2)
        }
    }
}
