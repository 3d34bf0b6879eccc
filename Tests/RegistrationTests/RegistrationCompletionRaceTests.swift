import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import GRDB
import Registration
import TestSupport
import Testing
import TwitterOAuth
import TwitterSandbox

/// The registration state machine at its edges: completion races, the per-session cap on pending
/// authorizations, the token an unlink revokes, the credential a late draft leaves behind, and the begin limits.
extension RegistrationFlowTests {
    /// The form exactly as a draft pre-fills it (what a person who changes nothing submits).
    static func prefilledForm(_ draft: DraftView) -> RegistrationForm {
        RegistrationForm(
            username: draft.fields[.username] ?? "", email: draft.fields[.email] ?? "",
            firstName: draft.fields[.firstName] ?? "", lastName: draft.fields[.lastName] ?? "")
    }

    /// README, "complete": "The same Twitter person completing from two tabs or two servers ends with one account; the
    /// losers are signed in"; `complete`'s doc: "When another tab or server registered this Twitter person first, that
    /// account is signed in instead." Two tabs of one person get the same pre-filled form; the second submitted, as
    /// pre-filled, is told its username is taken and its email "already belongs to an account; sign in to it to link
    /// Twitter", about the account that already holds this very Twitter account. Only a person who changes both
    /// fields is signed in.
    @Test func aSecondTabOfOnePersonSubmittingThePrefilledFormIsSignedIn() async throws {
        try await withFlow { flow throws in
            guard case .needsDetails(let first) = try await flow.arrive(as: Self.zoe, session: "b"),
                case .needsDetails(let second) = try await flow.arrive(as: Self.zoe, session: "b")
            else {
                Issue.record("expected two drafts")
                return
            }
            #expect(Self.prefilledForm(first) == Self.prefilledForm(second))
            guard
                case .registered(let account) = try await flow.service.complete(
                    draftID: first.id, form: Self.prefilledForm(first), browserSession: "b")
            else {
                Issue.record("the first tab did not register")
                return
            }
            let outcome = try await flow.service.complete(
                draftID: second.id, form: Self.prefilledForm(second), browserSession: "b")
            guard case .signedIn(let again) = outcome else {
                Issue.record("the second tab of the same Twitter person was not signed in: \(outcome)")
                return
            }
            #expect(again.id == account.id)
            #expect(try await flow.store.accountCount() == 1)
        }
    }

    /// A double submit of one draft (the button pressed twice): both requests read the draft before the first
    /// landed. The second is signed in, not `.invalid` ("email: is already taken", from the store's unique index, about
    /// the account its own draft made: `.invalid` promises "the draft is kept", and the person, told to fix the field,
    /// would find the registration gone and never be signed in).
    @Test func aDoubleSubmitOfOneDraftIsNotAFieldErrorAboutItsOwnAccount() async throws {
        try await withFlow { flow throws in
            guard case .needsDetails(let draft) = try await flow.arrive(as: Self.zoe, session: "b") else {
                Issue.record("expected a draft")
                return
            }
            let form = Self.prefilledForm(draft)
            let service = flow.service
            // Another instance holds the write lock, so both submits read the draft and check the fields first
            let holder = try CommittingLockHolder(path: flow.directory + "/accounts.sqlite")
            let submits = (0..<2).map { _ in
                Task { () -> String in
                    do throws(RegistrationError) {
                        switch try await service.complete(draftID: draft.id, form: form, browserSession: "b") {
                        case .registered: return "registered"
                        case .signedIn: return "signedIn"
                        case .invalid(let errors): return "invalid \(errors)"
                        }
                    } catch .draftNotFound {
                        return "draftNotFound"
                    } catch {
                        return "error \(error)"
                    }
                }
            }
            let reached = try await writesReached(2, in: flow.store)
            try holder.commit("")
            var outcomes: [String] = []
            for submit in submits { outcomes.append(await submit.value) }
            try #require(reached, "the submits never reached their writes")
            #expect(outcomes.filter { $0 == "registered" }.count == 1, "\(outcomes)")
            #expect(!outcomes.contains { $0.hasPrefix("invalid") }, "\(outcomes)")
            #expect(try await flow.store.accountCount() == 1)
        }
    }

    /// Configuration: "Live pending authorizations per browser session: 5 (older ones are dropped first)"; README: "At
    /// most 5 live ones per browser session". Used ones count too: after four sign-ins finished in one browser session,
    /// a fifth begun there drops the one the person is still on at Twitter, though only two are live.
    @Test func thePerSessionCapDropsOnlyWhenFiveAreLive() async throws {
        try await withFlow { flow throws in
            // A sign-in begun in one tab, the person still on Twitter's page
            let waiting = try await flow.service.begin(purpose: .register, browserSession: "s")
            // Four others finished in that browser (each callback used its pending authorization)
            for user in [Self.zoe, Self.yamada, 42, 43] {
                guard case .needsDetails = try await flow.arrive(as: user, session: "s") else {
                    Issue.record("expected a draft for \(user)")
                    return
                }
            }
            // One more begun: two live now
            _ = try await flow.service.begin(purpose: .register, browserSession: "s")
            let query = try await flow.approve(waiting, as: Self.ada)
            let outcome = try await flow.service.handleCallback(query: query, browserSession: "s")
            guard case .needsDetails = outcome else {
                Issue.record("a live pending authorization was dropped with two live in its session: \(outcome)")
                return
            }
        }
    }

    /// README, "unlink": "Then it revokes the stored access token at Twitter". `unlink` reads the token before its
    /// transaction; one stored between that read and the transaction (a Twitter sign-in on another instance, here on
    /// an identity that had no token stored, as an imported one has none) is deleted with the identity: the token the
    /// unlink's own transaction removed is the one revoked, as a deletion does.
    @Test func unlinkRevokesTheTokenItsTransactionRemoved() async throws {
        try await withFlow { flow throws in
            let path = flow.directory + "/accounts.sqlite"
            let ann = try await flow.local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Secret("ann's long password")))
            guard
                case .readyToLink(let draft) = try await flow.arrive(as: Self.zoe, purpose: .link, signedInUser: ann.id)
            else {
                Issue.record("expected a link confirmation")
                return
            }
            _ = try await flow.service.link(draftID: draft.id, to: ann.id, browserSession: "browser-1")
            let token = try #require(try await flow.store.credential(for: TwitterUserID(Self.zoe)))
            // The row as a Twitter sign-in writes it, kept aside; the identity is left without a stored token
            let row = try #require(
                try {
                    let queue = try DatabaseQueue(path: path)
                    defer { try? queue.close() }
                    return try queue.read { db in
                        try Row.fetchOne(
                            db, sql: "SELECT access_token, hex(sealed_secret), key_id FROM twitter_credentials")
                    }
                }())
            let (accessToken, sealedHex, keyID): (String, String, String) = (row[0], row[1], row[2])
            try executeSQL(path, "DELETE FROM twitter_credentials")

            // Another instance holds the write lock: the unlink reads "no token", then waits
            let holder = try CommittingLockHolder(path: path)
            let service = flow.service
            let unlinking = Task { try await service.unlink(ann.id) }
            guard try await writesReached(1, in: flow.store) else {
                // (the unlink lands before the store closes: a write left running on a closed store crashes)
                try holder.commit("")
                _ = await unlinking.result
                Issue.record("the unlink never reached its write")
                return
            }
            // That instance records Zoë's Twitter sign-in: her token is stored, then the unlink lands
            try holder.commit(
                """
                INSERT INTO twitter_credentials (identity_id, access_token, sealed_secret, key_id, updated_at)
                SELECT id, '\(accessToken)', X'\(sealedHex)', '\(keyID)', 0 FROM twitter_identities
                WHERE twitter_user_id = '\(Self.zoe)';
                """)
            let unlinked = try await unlinking.value
            #expect(unlinked.twitter == nil)
            #expect(try await flow.store.credential(for: TwitterUserID(Self.zoe)) == nil)

            // The token the unlink deleted must not go on working at Twitter
            let refusal: TwitterError?
            do throws(TwitterError) {
                _ = try await flow.sandbox.client().verifyCredentials(
                    accessToken: AccessToken(
                        token: token.token, secret: token.secret.revealed, userID: Self.zoe, screenName: ""))
                refusal = nil
            } catch {
                refusal = error
            }
            #expect(
                refusal?.apiErrorCode == TwitterAPIError.invalidOrExpiredToken,
                "the access token the unlink deleted still works at Twitter")
        }
    }

    /// `complete` signs in the account that another tab registered first (`recordTwitterSignIn` with the draft's
    /// credential). The draft is up to an hour old: its token may have been revoked since (an unlink revokes it; the
    /// person linked the Twitter account again and a new token is stored). The late tab's sign-in replaces the live,
    /// stored token with the revoked one: the account's stored token no longer works, and the live one is lost to the
    /// app (a later unlink or deletion cannot revoke it).
    @Test func aLateTabsSignInDoesNotReplaceTheStoredTokenWithItsOlderOne() async throws {
        try await withFlow { flow throws in
            // An hour-long draft in one tab
            guard case .needsDetails(let late) = try await flow.arrive(as: Self.ada, session: "tab-1") else {
                Issue.record("expected a draft")
                return
            }
            flow.clock.advance(by: 60)
            // Meanwhile, in another tab: registered, a password added, Twitter unlinked (its token revoked) and linked
            // again (a new token)
            guard case .needsDetails(let draft) = try await flow.arrive(as: Self.ada, session: "tab-2"),
                case .registered(let ada) = try await flow.service.complete(
                    draftID: draft.id, form: RegistrationForm(username: "ada", email: "ada@example.com"),
                    browserSession: "tab-2")
            else {
                Issue.record("ada did not register")
                return
            }
            try await flow.local.setPassword(for: ada.id, new: Secret("ada's long password"))
            _ = try await flow.service.unlink(ada.id)
            guard
                case .readyToLink(let relink) = try await flow.arrive(
                    as: Self.ada, purpose: .link, session: "tab-2", signedInUser: ada.id)
            else {
                Issue.record("expected a link confirmation")
                return
            }
            _ = try await flow.service.link(draftID: relink.id, to: ada.id, browserSession: "tab-2")
            let live = try #require(try await flow.store.credential(for: TwitterUserID(Self.ada)))

            // The first tab completes (with free fields): signed in to ada's account
            guard
                case .signedIn(let signedIn) = try await flow.service.complete(
                    draftID: late.id, form: RegistrationForm(username: "ada_tab", email: "ada.tab@example.org"),
                    browserSession: "tab-1")
            else {
                Issue.record("the late tab was not signed in")
                return
            }
            #expect(signedIn.id == ada.id)
            let stored = try #require(try await flow.store.credential(for: TwitterUserID(Self.ada)))
            #expect(stored == live, "the late draft's older token replaced the stored one")
            do {
                _ = try await flow.sandbox.client().verifyCredentials(
                    accessToken: AccessToken(
                        token: stored.token, secret: stored.secret.revealed, userID: Self.ada, screenName: ""))
            } catch {
                Issue.record("the account's stored token no longer works at Twitter: \(error)")
            }
        }
    }

    /// `draft(_:browserSession:)` is `throws(RegistrationError)` and says `nil` means "unknown, expired or from another
    /// browser session"; a store failure (here a draft sealed under a key the ring no longer holds) is swallowed as
    /// `nil` too, so the web says "registration closed" and nothing names the key, while `complete` on the same draft
    /// throws the store's error.
    @Test func aDraftThatCannotBeReadIsAStoreErrorNotAClosedRegistration() async throws {
        try await withFlow { flow throws in
            guard case .needsDetails(let draft) = try await flow.arrive(as: Self.zoe, session: "b") else {
                Issue.record("expected a draft")
                return
            }
            try executeSQL(
                flow.directory + "/accounts.sqlite",
                "UPDATE registration_drafts SET sealed_secret = X'01026b39' || randomblob(44) WHERE id = '\(draft.id)'")
            // (the store's error, not "registration closed", which is the misreport this is about)
            await #expect {
                try await flow.service.complete(
                    draftID: draft.id, form: Self.prefilledForm(draft), browserSession: "b")
            } throws: { error in
                if case RegistrationError.store = error { return true }
                return false
            }
            do throws(RegistrationError) {
                let shown = try await flow.service.draft(draft.id, browserSession: "b")
                #expect(shown != nil, "a draft the store could not open was reported as no draft at all")
            } catch {
                guard case .store = error else {
                    Issue.record("unexpected \(error)")
                    return
                }
            }
        }
    }
}

extension RegistrationFlowTests {
    /// README: "Of several accounts sharing the mailbox, one without a Twitter identity is offered"; the person must
    /// then sign in to it with its password. A disabled account cannot be signed in to (nor linked: `link` refuses it):
    /// an active one of the same mailbox is offered ahead of it, whatever their usernames' order.
    @Test func theMatchOfferedIsNotADisabledAccountWhenAnActiveOneSharesTheMailbox() async throws {
        try await withFlow { flow throws in
            let old = try await flow.local.signUp(
                SignUpForm(username: "a_john", email: "j.o.h.n@gmail.com", password: Secret("john's old password")))
            _ = try await flow.store.setAccountStatus(.id(old.id), to: .disabled, reason: "replaced")
            let current = try await flow.local.signUp(
                SignUpForm(username: "john", email: "john@gmail.com", password: Secret("john's long password")))
            guard case .matchesExistingAccount(let candidate, let draft) = try await flow.arrive(as: Self.john) else {
                Issue.record("the mailbox match was not recognised")
                return
            }
            #expect(candidate.id == current.id, "the disabled account was offered to sign in to and link")
            #expect(
                try await flow.service.matchingAccount(draftID: draft.id, browserSession: "browser-1")?.id
                    == current.id)
        }
    }
}

/// `RegistrationService.Rate` accepts any count of 1 or more; the limits built from one must not trap.
struct RegistrationRateTests {
    @Test func aRateWithTheLargestCountDoesNotTrap() async {
        await #expect(processExitsWith: .success) {
            let throttle = RequestThrottle(
                perClient: RegistrationService.Rate(Int.max, per: 60), perNetwork: nil, inAll: nil)
            _ = throttle.admit(client: "client", network: nil, at: Date(timeIntervalSince1970: 1_800_000_000))
        }
    }
}
