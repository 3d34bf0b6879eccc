import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// `saveDraft` keeps a browser session's 5 newest drafts and removes up to 64 expired ones: a client running
/// sign-ins over and over (each callback a draft, with a profile and a working token) does not grow the table until
/// the next purge. Until session 62 only the purge removed drafts.
struct DraftBoundsTests {
    static func draft(_ id: String, session: String, at created: Date, lifetime: TimeInterval = 3600)
        -> RegistrationDraft
    {
        RegistrationDraft(
            id: id, browserSession: session, purpose: .register, twitterUserID: TwitterUserID(77),
            screenName: "zoe", credential: TwitterCredential(token: "dt-\(id)", secret: Secret("ds-\(id)")),
            profileJSON: Array("{}".utf8), fields: [:], linkUser: nil, createdAt: created,
            expiresAt: created.addingTimeInterval(lifetime))
    }

    @Test func aSessionKeepsItsNewestDraftsAndExpiredOnesGo() async throws {
        try await withTemporaryDirectory { dir in
            let clock = TestClock()
            let store = try makeStore(in: dir, now: clock.closure)
            defer { try? store.close() }
            let database = dir + "/accounts.sqlite"
            // Given another session's draft that has expired
            try await store.saveDraft(Self.draft("old", session: "other", at: clock.now, lifetime: 60))
            clock.advance(by: 61)
            // When one session saves seven drafts, a second apart
            for index in 1...7 {
                try await store.saveDraft(Self.draft("d\(index)", session: "s", at: clock.now))
                clock.advance(by: 1)
            }
            // Then it keeps its five newest, and the expired draft has gone
            let kept = textQuery(
                database, "SELECT group_concat(id, ',') FROM (SELECT id FROM registration_drafts ORDER BY id)")
            #expect(kept == "d3,d4,d5,d6,d7")
            #expect(AccountStore.draftsPerSession == 5)
            // And saving a kept draft's fields again drops nothing more
            var typed = try #require(try await store.draft(id: "d3"))
            typed.fields = ["username": "zoe"]
            try await store.saveDraft(typed)
            #expect(countQuery(database, "SELECT count(*) FROM registration_drafts") == 5)
            #expect(try await store.draft(id: "d3")?.fields == ["username": "zoe"])
        }
    }

    /// A limit given keeps that many (`RegistrationService` gives its `pendingPerSession`, 5 at least).
    @Test func aSessionKeepsAsManyAsItsLimit() async throws {
        try await withTemporaryDirectory { dir in
            let clock = TestClock()
            let store = try makeStore(in: dir, now: clock.closure)
            defer { try? store.close() }
            for index in 1...9 {
                try await store.saveDraft(Self.draft("d\(index)", session: "s", at: clock.now), perSessionLimit: 8)
                clock.advance(by: 1)
            }
            #expect(countQuery(dir + "/accounts.sqlite", "SELECT count(*) FROM registration_drafts") == 8)
            let (oldest, kept) = (try await store.draft(id: "d1"), try await store.draft(id: "d2"))
            #expect(oldest == nil && kept != nil)
        }
    }
}
