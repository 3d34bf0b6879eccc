import AccountModel
import AccountStore
import AccountTransfer
import Foundation
import TestSupport
import Testing

/// What a sign-in through Twitter leaves in the audit trail: which Twitter account (its id, which is never given to
/// anyone else), and the names it replaced. Screen names are given up and taken by others, so `screen_name` alone
/// cannot tell two Twitter accounts apart, and the stored name a sign-in overwrites was said nowhere else (an
/// imported account has no `linked` event).
struct TwitterSignInEventTests {
    static let credential = TwitterCredential(token: "t", secret: Secret("s"))
    /// Above 2^53: kept exact, as its decimal string.
    static let bigID = "1234567890123456789"

    /// `user`'s newest event.
    func latest(_ store: AccountStore, _ user: UserID) async throws -> AccountEvent {
        try #require(try await store.events(for: user, limit: 1).first)
    }

    @Test func aSignInWithARenamedProfileRecordsTheTwitterIDAndTheNamesItReplaced() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            // Given alice, linked to Twitter account bigID as @alice
            let alice = try await store.createAccount(
                newAccount("alice"), linking: twitterIdentity(Self.bigID, screenName: "alice", name: "Alice A"),
                credential: Self.credential)
            // When she signs in after renaming herself on Twitter
            _ = try await store.recordTwitterSignIn(
                twitterIdentity(Self.bigID, screenName: "alice_b", name: "Alice B"), credential: Self.credential)
            // Then the event names the Twitter account by its id, and says what it was called before
            let event = try await latest(store, alice.id)
            #expect(event.kind == .signedIn)
            #expect(
                event.details == [
                    "method": "twitter", "twitter_id": Self.bigID, "screen_name": "alice_b",
                    "previous_screen_name": "alice", "previous_name": "Alice A",
                ], "\(event.details)")

            // When bob's Twitter account takes the screen name she gave up, and both sign in
            let bob = try await store.createAccount(
                newAccount("bob"), linking: twitterIdentity("77", screenName: "bob_t", name: "Bob"),
                credential: Self.credential)
            _ = try await store.recordTwitterSignIn(
                twitterIdentity("77", screenName: "alice", name: "Bob"), credential: Self.credential)
            // Then his event says @alice too, but of another Twitter account; only his screen name changed
            let bobs = try await latest(store, bob.id)
            #expect(
                bobs.details == [
                    "method": "twitter", "twitter_id": "77", "screen_name": "alice", "previous_screen_name": "bob_t",
                ], "\(bobs.details)")
        }
    }

    @Test func aSignInWithTheSameNamesRecordsNoPreviousOnes() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let alice = try await store.createAccount(
                newAccount("alice"), linking: twitterIdentity(Self.bigID, screenName: "alice", name: "Alice A"),
                credential: Self.credential)
            _ = try await store.recordTwitterSignIn(
                twitterIdentity(Self.bigID, screenName: "alice", name: "Alice A"), credential: Self.credential)
            let event = try await latest(store, alice.id)
            #expect(event.kind == .signedIn)
            #expect(
                event.details == ["method": "twitter", "twitter_id": Self.bigID, "screen_name": "alice"],
                "\(event.details)")
        }
    }

    /// A late draft (Twitter gave its profile before the stored one) replaces nothing, so its event names no
    /// previous names, and the screen name kept.
    @Test func aLateDraftThatReplacesNothingRecordsNoPreviousNames() async throws {
        try await withTemporaryDirectory { dir in
            let clock = TestClock()
            let store = try makeStore(in: dir, now: clock.closure)
            defer { try? store.close() }
            let earlier = clock.now
            clock.advance(by: 60)
            let alice = try await store.createAccount(
                newAccount("alice"), linking: twitterIdentity(Self.bigID, screenName: "alice", name: "Alice A"),
                credential: Self.credential)
            _ = try await store.recordTwitterSignIn(
                twitterIdentity(Self.bigID, screenName: "old_alice", name: "Old"), credential: Self.credential,
                obtainedAt: earlier)
            let event = try await latest(store, alice.id)
            #expect(
                event.details == ["method": "twitter", "twitter_id": Self.bigID, "screen_name": "alice"],
                "\(event.details)")
        }
    }

    /// An imported account has no event naming its Twitter account: its first sign-in under another screen name is
    /// where the imported one is still said.
    @Test func theFirstSignInOfAnImportedAccountKeepsItsImportedScreenName() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let text = """
                username,email,first_name,last_name,created_at,twitter_id,twitter_screen_name,twitter_name
                ann,ann@example.org,,,,\(Self.bigID),ann_t,Ann T

                """
            let (report, problems) = try importText(text, format: .csv, into: store, directory: dir)
            #expect(problems.isEmpty && report.imported == 1, "\(problems)")
            let ann = try #require(try await store.account(.username("ann")))
            #expect(try await store.events(for: ann.id, limit: 10).isEmpty)
            _ = try await store.recordTwitterSignIn(
                twitterIdentity(Self.bigID, screenName: "ann_new", name: "Ann T"), credential: Self.credential)
            let event = try await latest(store, ann.id)
            #expect(
                event.details == [
                    "method": "twitter", "twitter_id": Self.bigID, "screen_name": "ann_new",
                    "previous_screen_name": "ann_t",
                ], "\(event.details)")
        }
    }

    @Test func aRefusedSignInNamesTheTwitterAccountAndItsStoredNames() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let alice = try await store.createAccount(
                newAccount("alice"), linking: twitterIdentity(Self.bigID, screenName: "alice", name: "Alice A"),
                credential: Self.credential)
            _ = try await store.setAccountStatus(.id(alice.id), to: .disabled, reason: nil)
            await #expect(throws: StoreError.accountDisabled(alice.id)) {
                try await store.recordTwitterSignIn(
                    twitterIdentity(Self.bigID, screenName: "alice_b", name: "Alice A"), credential: Self.credential)
            }
            let event = try await latest(store, alice.id)
            #expect(event.kind == .signInRefused)
            #expect(
                event.details == [
                    "method": "twitter", "reason": "disabled", "twitter_id": Self.bigID, "screen_name": "alice_b",
                    "previous_screen_name": "alice",
                ], "\(event.details)")
        }
    }

    /// Deleting the account removes the Twitter id and every name from its sign-in events, as from its `linked` and
    /// `unlinked` ones; the method and the store's reason codes stay.
    @Test func deletionRedactsTheTwitterIDAndTheNamesOfSignInEvents() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let alice = try await store.createAccount(
                newAccount("alice"), linking: twitterIdentity(Self.bigID, screenName: "alice", name: "Alice A"),
                credential: Self.credential)
            _ = try await store.recordTwitterSignIn(
                twitterIdentity(Self.bigID, screenName: "alice_b", name: "Alice B"), credential: Self.credential)
            _ = try await store.setAccountStatus(.id(alice.id), to: .disabled, reason: nil)
            await #expect(throws: StoreError.accountDisabled(alice.id)) {
                try await store.recordTwitterSignIn(
                    twitterIdentity(Self.bigID, screenName: "alice_c", name: "Alice C"), credential: Self.credential)
            }

            _ = try await store.deleteAccount(.id(alice.id), actor: "cli")

            let events = try await store.events(for: alice.id, limit: 100)
            let named = ["twitter_id", "screen_name", "previous_screen_name", "previous_name"]
            for event in events {
                #expect(named.allSatisfy { event.details[$0] == nil }, "\(event.kind): \(event.details.keys.sorted())")
                #expect(!event.details.values.contains { $0.contains("alice") || $0.contains(Self.bigID) })
            }
            let signedIn = try #require(events.first { $0.kind == .signedIn })
            #expect(signedIn.details == ["method": "twitter"], "\(signedIn.details)")
            let refused = try #require(events.first { $0.kind == .signInRefused })
            #expect(refused.details == ["method": "twitter", "reason": "disabled"], "\(refused.details)")
        }
    }
}
