import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// What the audit trail (`account_events`) says, against a real SQLite file.
struct AuditTrailDetailsTests {
    /// A session of `user` made now, idle-expiring after `idle` seconds.
    func addSession(_ store: AccountStore, _ user: UserID, _ clock: TestClock, idle: TimeInterval) async throws {
        let id = SHA256.hexDigest(SecureRandom.bytes(count: 32))
        try await store.createBrowserSession(
            BrowserSession(
                tokenHash: SHA256.hexDigest(Array(id.utf8)), user: user, csrfToken: id, createdAt: clock.now,
                lastSeenAt: clock.now, idleExpiresAt: clock.now.addingTimeInterval(idle),
                expiresAt: clock.now.addingTimeInterval(30 * 24 * 3600)))
    }

    /// "Sign out everywhere" (`accounts users sign-out`) and `accounts users disable` say how many browser sessions
    /// they ended, in what they print and in their events' `sessions`: a session that had expired already (idle, not
    /// cleared away yet: rows go only when a later session is written) was ended by nobody, and `users show` lists
    /// it nowhere ("sessions  1 live"). Counting it tells the operator, and the person on the account page, that a
    /// browser was signed out that was not signed in.
    @Test func theSessionsCountOfSignOutAndDisableCountsOnlySessionsThatWereLive() async throws {
        try await withTemporaryDirectory { dir in
            let clock = TestClock()
            let store = try makeStore(in: dir, now: clock.closure)
            defer { try? store.close() }
            let ann = try await store.createAccount(newAccount("ann", email: "ann@example.org"))
            let bob = try await store.createAccount(newAccount("bob", email: "bob@example.org"))
            // Given each with one live session and one that went idle an hour ago
            for user in [ann.id, bob.id] {
                try await addSession(store, user, clock, idle: 24 * 3600)
                try await addSession(store, user, clock, idle: 60)
            }
            clock.advance(by: 3600)
            #expect(try await store.browserSessionCount(of: ann.id) == 1)
            #expect(try await store.browserSessions(of: bob.id).count == 1)

            // When an operator signs ann out everywhere
            let ended = try await store.deleteBrowserSessions(of: ann.id, actor: "cli")
            // Then one session ended, as the event says
            #expect(ended == 1, "counted \(ended) ended sessions; 1 was live")
            let revoked = try #require(try await store.events(for: ann.id).first)
            #expect(revoked.kind == .sessionsRevoked && revoked.details["sessions"] == "1", "\(revoked.details)")

            // When an operator disables bob
            let change = try await store.setAccountStatus(.id(bob.id), to: .disabled, reason: nil, actor: "cli")
            // Then one session ended, as the event says
            #expect(change.sessionsEnded == 1, "1 session was live")
            let disabled = try #require(try await store.events(for: bob.id).first)
            #expect(disabled.kind == .disabled && disabled.details["sessions"] == "1", "\(disabled.details)")
        }
    }

    /// README ("`accounts users show`, `delete`…"): a deleted account's earlier events "are kept with their kinds,
    /// actors and times, but lose who the person was on Twitter (`screen_name`, `twitter_id`), the addresses it
    /// changed between (`old_email`, `new_email`) and an operator's `reason` for disabling it". The deletion removes
    /// `reason` from every kind instead: a `sign_in_refused` no longer says whether the account was disabled or its
    /// sessions ended, and an `unlinked` no longer says that a password reset unlinked a Twitter account linked before
    /// the address was confirmed (`address_confirmed_by_reset`, the trace of a pre-account hijacking). Those are codes
    /// the store writes, not free text that may name the person.
    @Test func deletionKeepsTheReasonsTheStoreWroteAndDropsOnlyTheOperatorsNote() async throws {
        try await withTemporaryDirectory { dir in
            let clock = TestClock()
            let store = try makeStore(in: dir, now: clock.closure)
            defer { try? store.close() }
            // Given ann, who signed up with an address she did not confirm, and linked a Twitter account
            let ann = try await store.createAccount(
                newAccount(
                    "ann", email: "ann@example.org",
                    passwordHash: "scrypt$ln=10$r=8$p=1$c2FsdHNhbHQ=$eHh4eHh4eHh4eHh4eHh4eA=="))
            try await store.linkTwitter(
                twitterIdentity("42", screenName: "mallory_t"), credential: nil, to: .id(ann.id))
            // And a password reset through her mailbox, which unlinked that Twitter account
            let tokenHash = String(repeating: "a", count: 64)
            guard
                case .issued = try await store.issuePasswordReset(
                    email: "ann@example.org", tokenHash: tokenHash, lifetime: 3600, limit: 3, window: 3600)
            else {
                Issue.record("no reset link issued")
                return
            }
            _ = try await store.resetPassword(
                tokenHash: tokenHash, newHash: "scrypt$ln=10$r=8$p=1$c2FsdHNhbHQ=$eXl5eXl5eXl5eXl5eXl5eQ==")
            // And her own Twitter account linked, an operator's disabling, and a refused sign-in through Twitter
            try await store.linkTwitter(twitterIdentity("43", screenName: "ann_t"), credential: nil, to: .id(ann.id))
            _ = try await store.setAccountStatus(.id(ann.id), to: .disabled, reason: "Ann Tester's chargeback")
            await #expect(throws: StoreError.accountDisabled(ann.id)) {
                try await store.recordTwitterSignIn(
                    twitterIdentity("43", screenName: "ann_t"),
                    credential: TwitterCredential(token: "t", secret: Secret("s")))
            }

            // When the account is deleted
            _ = try await store.deleteAccount(.id(ann.id), actor: "cli")

            // Then the Twitter names and the operator's note are gone
            let events = try await store.events(for: ann.id, limit: 100)
            for event in events {
                #expect(event.details["screen_name"] == nil && event.details["twitter_id"] == nil, "\(event.kind)")
                #expect(!event.details.values.contains { $0.contains("Ann Tester") }, "\(event.kind)")
            }
            // And the reasons the store wrote stay
            let unlinked = try #require(events.first { $0.kind == .unlinked })
            #expect(unlinked.details["reason"] == "address_confirmed_by_reset", "\(unlinked.details)")
            let refused = try #require(events.first { $0.kind == .signInRefused })
            #expect(refused.details == ["method": "twitter", "reason": "disabled"], "\(refused.details)")
        }
    }
}

/// The events' details are read without JSONSerialization when they are what the store writes (about 30 µs an event
/// on Linux, ten on every account page view), and exactly as JSONSerialization reads them otherwise.
struct EventDetailsDecodingTests {
    static func foundation(_ text: String) -> [String: String] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: String] ?? [:]
    }

    @Test func detailsReadAsJSONSerializationReadsThem() {
        let texts = [
            "{}", " { } ", "{\"a\": \"b\"}", "{\"a\":\"b\",\"c\":\"d\"}", "\n{\t\"a\" :\r\"b\" }\n", "{\"\": \"\"}",
            "{\"method\": \"password\", \"reason\": \"disabled\"}", "{\"é\": \"Zoë Ångström 🐦\"}",
            // duplicate keys, also canonically equivalent ones
            "{\"a\": \"1\", \"a\": \"2\"}", "{\"\u{E9}\": \"1\", \"e\u{301}\": \"2\"}",
            // escapes
            "{\"a\": \"x\\\"y\"}", "{\"a\": \"\\u00e9\"}", "{\"a\\n\": \"b\"}", "{\"a\": \"\\ud83d\\udc26\"}",
            // not an object of strings
            "", "{", "}", "[]", "null", "\"a\"", "{\"a\": 1}", "{\"a\": null}", "{\"a\": [\"b\"]}", "{\"a\": {}}",
            "{\"a\": \"b\",}", "{,}", "{\"a\" \"b\"}", "{\"a\": \"b\"} x", "{\"a\": \"b\"}{}", "{a: \"b\"}",
            "{'a': 'b'}", "{\"a\": \"b\u{1}\"}", "{\"a\": \"b\nc\"}", "{\"a\": \"b\"", "\u{FEFF}{\"a\": \"b\"}",
            "{\"a\": \"b\"}\u{0}", "{\u{A0}\"a\": \"b\"}", "{\"a\": \"b\"}\u{B}",
        ]
        for text in texts {
            #expect(AccountStore.decodeDetails(text) == Self.foundation(text), "\(text.debugDescription)")
        }
        // and what the store writes, for awkward keys and values
        let values = [
            "", "plain", "a\"b", "back\\slash", "tab\there", "line\nbreak", "\u{1}", "Zoë", "🐦", "\u{2028}",
        ]
        for key in values {
            for value in values {
                let text = AccountStore.encodeDetails([key: value, "method": "password"])
                #expect(AccountStore.decodeDetails(text) == Self.foundation(text), "\(text.debugDescription)")
                #expect(AccountStore.decodeDetails(text) == [key: value, "method": "password"] || key == "method")
            }
        }
    }
}
