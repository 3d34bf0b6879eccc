import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

struct AccountAdminTests {
    /// Ann: Twitter identity with a stored token, a password, a draft and a pending authorization to link to her.
    /// Bob: an account that must not be touched.
    func withAnnAndBob(_ body: (AccountStore, Account, Account, TestClock, String) async throws -> Void) async throws {
        try await withTemporaryDirectory { dir in
            let clock = TestClock()
            let store = try makeStore(in: dir, now: clock.closure)
            defer { try? store.close() }
            let ann = try await store.createAccount(
                newAccount(
                    "ann", email: "ann@example.org",
                    passwordHash: "scrypt$ln=10$r=8$p=1$c2FsdHNhbHQ=$eHh4eHh4eHh4eHh4eHh4eA=="))
            try await store.linkTwitter(
                twitterIdentity("9007199254740993", screenName: "ann_t", name: "Ann T"),
                credential: TwitterCredential(token: "token-ann", secret: Secret("secret-ann")), to: .id(ann.id))
            try await store.saveDraft(
                RegistrationDraft(
                    id: "draft-ann", browserSession: "b1", purpose: .link, twitterUserID: TwitterUserID(77),
                    screenName: "other", credential: TwitterCredential(token: "dt", secret: Secret("draft-secret")),
                    profileJSON: Array("{}".utf8), fields: [:], linkUser: ann.id, createdAt: clock.now,
                    expiresAt: clock.now.addingTimeInterval(3600)))
            try await store.savePendingAuthorization(
                PendingAuthorization(
                    requestToken: "rt-ann", requestTokenSecret: Secret("rt-secret"), browserSession: "b1",
                    purpose: .link, linkUser: ann.id, createdAt: clock.now, expiresAt: clock.now.addingTimeInterval(900)
                ))
            let bob = try await store.createAccount(newAccount("bob", email: "bob@example.org"))
            try await store.linkTwitter(
                twitterIdentity("42", screenName: "bob_t"),
                credential: TwitterCredential(token: "token-bob", secret: Secret("secret-bob")), to: .id(bob.id))
            try await body(store, ann, bob, clock, dir)
        }
    }

    @Test func overviewShowsTheIdentityCredentialPresenceAndRecentEventsNewestFirst() async throws {
        try await withAnnAndBob { store, ann, _, _, _ in
            for reference in [AccountReference.id(ann.id), .username("ANN")] {
                let overview = try #require(try await store.accountOverview(reference))
                #expect(overview.account.id == ann.id)
                #expect(overview.account.hasPassword)
                #expect(overview.account.twitter?.screenName == "ann_t")
                #expect(overview.hasTwitterCredential)
                #expect(overview.recentEvents.map(\.kind) == [.linked, .created])
            }
            #expect(try await store.accountOverview(.username("nobody")) == nil)
            let limited = try #require(try await store.accountOverview(.id(ann.id), eventLimit: 1))
            #expect(limited.recentEvents.map(\.kind) == [.linked])
        }
    }

    @Test func deleteRemovesTheAccountAndEverythingOfItInOneTransactionKeepingAnAnonymousEvent() async throws {
        try await withAnnAndBob { store, ann, bob, _, dir in
            // Given an operator who disabled and enabled her once, saying why
            _ = try await store.setAccountStatus(.id(ann.id), to: .disabled, reason: "Ann Tester's chargeback")
            _ = try await store.setAccountStatus(.id(ann.id), to: .active)
            // When Ann is deleted by username
            let deletion = try await store.deleteAccount(.username("ann"), actor: "cli")
            // Then the report says what went
            #expect(deletion.id == ann.id && deletion.username == "ann")
            #expect(deletion.twitter?.userID == TwitterUserID(9_007_199_254_740_993))
            #expect(deletion.twitter?.screenName == "ann_t")
            #expect(deletion.removedCredential && deletion.hadPassword)
            #expect(deletion.drafts == 1 && deletion.pendingAuthorizations == 1)
            // And nothing of hers is left, while Bob is untouched
            #expect(try await store.account(.id(ann.id)) == nil)
            #expect(try await store.credential(for: TwitterUserID(9_007_199_254_740_993)) == nil)
            #expect(try await store.draft(id: "draft-ann") == nil)
            #expect(try await store.pendingAuthorization(requestToken: "rt-ann") == nil)
            #expect(try await store.account(.id(bob.id))?.twitter?.userID == TwitterUserID(42))
            #expect(try await store.credential(for: TwitterUserID(42))?.secret == Secret("secret-bob"))
            let counts = try rowCounts(dir + "/accounts.sqlite")
            #expect(counts["users"] == 1 && counts["twitter_identities"] == 1 && counts["twitter_credentials"] == 1)
            // And the audit trail keeps a `deleted` event with her public id and counts only
            let event = try #require(try await store.events(for: ann.id).first)
            #expect(event.kind == .deleted && event.actor == "cli")
            #expect(
                event.details == [
                    "twitter_identity": "1", "credential": "1", "password": "1", "drafts": "1",
                    "pending_authorizations": "1",
                ])
            let text = "\(event)"
            for personal in ["ann@example.org", "ann_t", "Ann T", "9007199254740993", "'ann'"] {
                #expect(!text.contains(personal))
            }
            // And her earlier events are kept, without her Twitter account or the operator's reason
            let earlier = try await store.events(for: ann.id)
            #expect(earlier.map(\.kind) == [.deleted, .enabled, .disabled, .linked, .created])
            #expect(earlier.allSatisfy { $0.details["screen_name"] == nil && $0.details["twitter_id"] == nil })
            #expect(earlier.allSatisfy { $0.details["reason"] == nil })
            let trail = try databaseDump(dir + "/accounts.sqlite")
            for personal in ["ann_t", "9007199254740993", "chargeback"] {
                #expect(!trail.contains(personal), "\(personal) is still in the store")
            }
            // While Bob's are untouched
            let bobs = try await store.events(for: bob.id)
            #expect(bobs.first?.kind == .linked && bobs.first?.details == ["twitter_id": "42", "screen_name": "bob_t"])
        }
    }

    /// Deleted rows are zeroed, not left in the file's free space: after Ann's deletion (and the checkpoint a close
    /// makes) none of her personal data is in the database file's bytes, while Bob's still is.
    @Test func aDeletedAccountLeavesNoPersonalDataInTheFileBytes() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            let ann = try await store.createAccount(
                NewAccount(
                    username: try Username(validating: "annsecret"),
                    email: try EmailAddress(validating: "ann.private@example.org"), firstName: "Annabelle",
                    lastName: "Quibblewick", passwordHash: "scrypt$ln=10$r=8$p=1$c2FsdHNhbHQ=$annhashbytesannhashbytes")
            )
            try await store.linkTwitter(
                twitterIdentity("9007199254740993", screenName: "ann_hidden_t", name: "Ann Hidden"),
                credential: TwitterCredential(token: "token-ann-visible", secret: Secret("secret-ann")), to: .id(ann.id)
            )
            _ = try await store.createAccount(newAccount("bobkeeps", email: "bob.keeps@example.org"))
            _ = try await store.setAccountStatus(.id(ann.id), to: .disabled, reason: "Quibblewick chargeback")
            _ = try await store.deleteAccount(.id(ann.id))
            try store.close()

            var bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/accounts.sqlite"))
            if let wal = try? Data(contentsOf: URL(fileURLWithPath: dir + "/accounts.sqlite-wal")) { bytes += wal }
            func holds(_ text: String) -> Bool { bytes.range(of: Data(text.utf8)) != nil }
            for personal in [
                "annsecret", "ann.private@example.org", "Annabelle", "Quibblewick", "annhashbytes", "ann_hidden_t",
                "Ann Hidden", "token-ann-visible", "9007199254740993",
            ] {
                #expect(!holds(personal), "\(personal) is still in the file")
            }
            #expect(holds("bobkeeps") && holds("bob.keeps@example.org"))
        }
    }

    @Test func deletingAnUnknownAccountChangesNothing() async throws {
        try await withAnnAndBob { store, _, _, _, dir in
            let dump = try databaseDump(dir + "/accounts.sqlite")
            await #expect(throws: StoreError.accountNotFound("'nobody'")) {
                try await store.deleteAccount(.username("nobody"))
            }
            #expect(try databaseDump(dir + "/accounts.sqlite") == dump)
        }
    }

    /// A sign-in whose checks passed before the account was disabled opens no session after it: disabling was meant
    /// to end every session of the account, and enabling it again would bring that one back.
    @Test func aSignInCheckedBeforeTheAccountWasDisabledOpensNoSession() async throws {
        try await withAnnAndBob { store, ann, _, clock, _ in
            // Given a sign-in of ann whose checks passed, and an operator who disables her before its session is
            // written
            let checkedAt = try await store.eventMark()
            clock.advance(by: 0.001)
            let disabled = try await store.setAccountStatus(.id(ann.id), to: .disabled)
            #expect(disabled.changed)
            let session = BrowserSession(
                tokenHash: String(repeating: "a", count: 64), user: ann.id, csrfToken: "csrf", createdAt: clock.now,
                lastSeenAt: clock.now, idleExpiresAt: clock.now.addingTimeInterval(3600),
                expiresAt: clock.now.addingTimeInterval(3600))
            // When the session is written
            // Then it is refused, and enabling her brings no session back
            let opened = try await store.replaceBrowserSession(nil, with: session, unlessEndedAfter: checkedAt)
            #expect(!opened)
            let enabled = try await store.setAccountStatus(.id(ann.id), to: .active)
            #expect(enabled.changed)
            let sessions = try await store.browserSessionCount(of: ann.id)
            #expect(sessions == 0)
        }
    }

    /// A sign-in whose checks passed before the account was deleted (by an operator, or by its owner in another
    /// browser) opens no session, and says so as for ended sessions: `replaceBrowserSession` answers `false` (the
    /// sign-in's form, with its device noted, `nil` and a `sign_in_refused` event), where it threw
    /// `accountNotFound`, which a web app turns into an error page for an ordinary race.
    @Test func aSignInCheckedBeforeTheAccountWasDeletedOpensNoSessionAndIsNoError() async throws {
        try await withAnnAndBob { store, ann, _, clock, dir in
            let checkedAt = try await store.eventMark()
            clock.advance(by: 0.001)
            _ = try await store.deleteAccount(.id(ann.id))
            func session(_ letter: Character) -> BrowserSession {
                BrowserSession(
                    tokenHash: String(repeating: letter, count: 64), user: ann.id, csrfToken: "csrf",
                    createdAt: clock.now, lastSeenAt: clock.now, idleExpiresAt: clock.now.addingTimeInterval(3600),
                    expiresAt: clock.now.addingTimeInterval(3600))
            }
            let path = dir + "/accounts.sqlite"

            let opened = try await store.replaceBrowserSession(nil, with: session("a"), unlessEndedAfter: checkedAt)
            #expect(!opened)
            let sighting = try await store.replaceBrowserSession(
                nil, with: session("b"), unlessEndedAfter: checkedAt, notingDevice: "Firefox on Linux")
            #expect(sighting == .failure(.deleted))
            #expect(countQuery(path, "SELECT count(*) FROM browser_sessions") == 0)
            #expect(
                countQuery(
                    path,
                    "SELECT count(*) FROM account_events WHERE kind = 'sign_in_refused' AND subject = '\(ann.id.rawValue)'"
                ) == 2)
        }
    }
}

extension AccountAdminTests {
    /// A sign-in refused its session because its account was disabled or deleted after its checks says which in
    /// its `sign_in_refused` event (`reason`: `disabled` or `deleted`), not `sessions_ended`: an operator reading the
    /// trail is told why no session came of the `signed_in` event before it. The event of a deleted account keeps
    /// its public id as subject, as its `deleted` event does (the trail has no foreign key and names no one by it).
    /// An app's own sign-in (the public form, without a device) records the refusal as the routes' does.
    @Test(arguments: ["disabled", "deleted"], [true, false])
    func aSessionRefusedForADisabledOrDeletedAccountSaysWhich(reason: String, notingDevice: Bool) async throws {
        try await withAnnAndBob { store, ann, _, clock, dir in
            // Given a sign-in of ann whose checks passed, and an operator who disables or deletes her before its
            // session is written
            let checkedAt = try await store.eventMark()
            clock.advance(by: 0.001)
            if reason == "disabled" {
                _ = try await store.setAccountStatus(.id(ann.id), to: .disabled)
            } else {
                _ = try await store.deleteAccount(.id(ann.id))
            }
            let session = BrowserSession(
                tokenHash: String(repeating: "a", count: 64), user: ann.id, csrfToken: "csrf", createdAt: clock.now,
                lastSeenAt: clock.now, idleExpiresAt: clock.now.addingTimeInterval(3600),
                expiresAt: clock.now.addingTimeInterval(3600))

            // When the session is written, with the sign-in's device or without
            if notingDevice {
                let sighting = try await store.replaceBrowserSession(
                    nil, with: session, unlessEndedAfter: checkedAt, notingDevice: "Firefox on Linux")
                #expect(sighting == .failure(AccountStore.SessionRefusal(rawValue: reason)!))
            } else {
                let opened = try await store.replaceBrowserSession(nil, with: session, unlessEndedAfter: checkedAt)
                #expect(!opened)
            }

            // Then it is refused, saying why, and so does the trail's newest event about ann
            #expect(countQuery(dir + "/accounts.sqlite", "SELECT count(*) FROM browser_sessions") == 0)
            let refusal = try #require(try await store.events(for: ann.id).first)
            #expect(refusal.kind == .signInRefused, "\(refusal.kind)")
            #expect(refusal.details == ["reason": reason])
        }
    }
}

extension AccountAdminTests {
    /// A disabled account's ways in are frozen: a password change, a link or an unlink that was under way when the
    /// operator disabled it is refused in its own transaction, names the account, and writes nothing, so enabling the
    /// account again does not hand it a password or a Twitter identity set meanwhile.
    @Test func aDisabledAccountTakesNoNewPasswordLinkOrUnlink() async throws {
        try await withAnnAndBob { store, ann, bob, _, dir in
            // Given ann and bob disabled (ann has a password and Twitter, bob only Twitter)
            _ = try await store.setAccountStatus(.id(ann.id), to: .disabled)
            _ = try await store.setAccountStatus(.id(bob.id), to: .disabled)
            let dump = try databaseDump(dir + "/accounts.sqlite")
            // When their passwords and identities are changed as their owners would
            // Then each change is refused with the account at fault, and nothing is written
            await #expect(throws: StoreError.accountDisabled(ann.id)) {
                try await store.setPasswordHash(
                    "scrypt$ln=10$r=8$p=1$c2FsdHNhbHQ=$eXl5eXl5eXl5eXl5eXl5eQ==", for: ann.id, event: .passwordChanged,
                    actor: "user")
            }
            await #expect(throws: StoreError.accountDisabled(bob.id)) {
                try await store.setPasswordHash(
                    "scrypt$ln=10$r=8$p=1$c2FsdHNhbHQ=$eXl5eXl5eXl5eXl5eXl5eQ==", for: bob.id, event: .passwordAdded,
                    actor: "user",
                    onlyIfNone: true)
            }
            await #expect(throws: StoreError.accountDisabled(ann.id)) {
                try await store.unlinkTwitter(from: .id(ann.id))
            }
            #expect(try databaseDump(dir + "/accounts.sqlite") == dump)
            // And an account without Twitter takes no link
            let ann2 = try await store.createAccount(newAccount("ann2", email: "ann2@example.org"))
            _ = try await store.setAccountStatus(.id(ann2.id), to: .disabled)
            let dumpWithAnn2 = try databaseDump(dir + "/accounts.sqlite")
            await #expect(throws: StoreError.accountDisabled(ann2.id)) {
                try await store.linkTwitter(twitterIdentity("1234"), credential: nil, to: .id(ann2.id))
            }
            #expect(try databaseDump(dir + "/accounts.sqlite") == dumpWithAnn2)
        }
    }
}

extension AccountAdminTests {
    /// No session signs anyone into a disabled account, whichever of the store's calls writes it:
    /// `replaceBrowserSession` refuses one (above), but `createBrowserSession`, the other public way to save a
    /// signed-in session (an app that signs the person in after `LocalAccounts.signIn` answered `.signedIn`, while an
    /// operator disabled the account), wrote it, and `browserSession(tokenHash:)` then read it back signed in to the
    /// disabled account.
    @Test func aDisabledAccountGetsNoSessionFromCreateBrowserSession() async throws {
        try await withAnnAndBob { store, ann, _, clock, _ in
            _ = try await store.setAccountStatus(.id(ann.id), to: .disabled)
            let tokenHash = String(repeating: "b", count: 64)
            let session = BrowserSession(
                tokenHash: tokenHash, user: ann.id, csrfToken: "csrf", createdAt: clock.now, lastSeenAt: clock.now,
                idleExpiresAt: clock.now.addingTimeInterval(3600), expiresAt: clock.now.addingTimeInterval(3600))
            await #expect(throws: StoreError.accountDisabled(ann.id)) { try await store.createBrowserSession(session) }
            #expect(try await store.browserSession(tokenHash: tokenHash) == nil)
            #expect(try await store.browserSessionCount(of: ann.id) == 0)
        }
    }
}
