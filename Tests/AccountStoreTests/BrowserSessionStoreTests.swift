import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import GRDB
import TestSupport
import Testing

struct BrowserSessionStoreTests {
    func session(
        _ letter: Character, user: UserID?, at now: Date, idle: TimeInterval = 3600, absolute: TimeInterval = 43_200
    ) -> BrowserSession {
        BrowserSession(
            tokenHash: String(repeating: letter, count: 64), user: user, csrfToken: "csrf-\(letter)", createdAt: now,
            lastSeenAt: now, idleExpiresAt: now.addingTimeInterval(idle), expiresAt: now.addingTimeInterval(absolute))
    }

    /// Each new session clears away up to 64 ended ones, so sessions made by requests without a cookie do not pile up
    /// until someone runs `accounts purge` (before, 50 cookieless requests left 50 rows, for good). Live ones stay.
    @Test func aNewSessionClearsAwayEndedOnes() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            func hash(_ index: Int) -> String {
                let digits = String(index, radix: 16)
                return String(repeating: "0", count: 64 - digits.count) + digits
            }
            func make(_ index: Int, at time: Date, idle: TimeInterval, absolute: TimeInterval) -> BrowserSession {
                BrowserSession(
                    tokenHash: hash(index), user: nil, csrfToken: "c", createdAt: time, lastSeenAt: time,
                    idleExpiresAt: time.addingTimeInterval(idle), expiresAt: time.addingTimeInterval(absolute))
            }
            // 100 sessions whose idle time ran out, 30 past their absolute end, 5 live
            for index in 0..<100 {
                try await store.createBrowserSession(make(index, at: start, idle: 60, absolute: 9_000))
            }
            for index in 100..<130 {
                try await store.createBrowserSession(make(index, at: start, idle: 90_000, absolute: 120))
            }
            for index in 130..<135 {
                try await store.createBrowserSession(make(index, at: start, idle: 90_000, absolute: 90_000))
            }
            let later = start.addingTimeInterval(3_600)
            func count() throws -> Int {
                let queue = try DatabaseQueue(path: dir + "/accounts.sqlite")
                defer { try? queue.close() }
                return try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM browser_sessions") ?? -1 }
            }
            #expect(try count() == 135)
            try await store.createBrowserSession(make(135, at: later, idle: 3_600, absolute: 43_200))
            #expect(try count() == 136 - 64)
            try await store.createBrowserSession(make(136, at: later, idle: 3_600, absolute: 43_200))
            try await store.createBrowserSession(make(137, at: later, idle: 3_600, absolute: 43_200))
            #expect(try count() == 8)
            // The live ones are the ones left
            for index in 130..<138 { #expect(try await store.browserSession(tokenHash: hash(index)) != nil) }
        }
    }

    /// The clearing every new session does reads at most its 64 ended sessions through the two expiry indexes
    /// (SQLite's multi-index OR, which stops at the limit), never every ended one: its `UNION` put all of them in a
    /// temporary b-tree first, and with 100,000 ended sessions left (a night after a busy day) every sign-in spent
    /// 40–55 ms on it inside the write lock (`accounts-bench web`, row "new session, 100000 expired left").
    @Test func clearingEndedSessionsReadsNoMoreThanItDeletes() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let plan = try store.queryPlan(Queries.clearEndedSessions, arguments: ["0"])
            #expect(plan.contains("MULTI-INDEX OR"), "\(plan)")
            #expect(
                plan.contains("browser_sessions_idle_expires") && plan.contains("browser_sessions_expires"), "\(plan)")
            #expect(!plan.contains("TEMP B-TREE") && !plan.contains("SCAN"), "\(plan)")
        }
    }

    @Test func sessionsAreFoundByHashUntilEitherLifetimeEnds() async throws {
        try await withTemporaryDirectory { dir in
            // Given a signed-in session and an anonymous one
            let clock = TestClock()
            let store = try makeStore(in: dir, now: clock.closure)
            defer { try? store.close() }
            let ann = try await store.createAccount(newAccount("ann"))
            let signedIn = session("a", user: ann.id, at: clock.now, idle: 1800, absolute: 7200)
            try await store.createBrowserSession(signedIn)
            try await store.createBrowserSession(session("b", user: nil, at: clock.now))

            // Then each is found with its user
            #expect(try await store.browserSession(tokenHash: signedIn.tokenHash) == signedIn)
            #expect(try await store.browserSession(tokenHash: String(repeating: "b", count: 64))?.user == nil)
            #expect(try await store.browserSessionCount(of: ann.id) == 1)

            // Touching pushes the idle expiry on, never past the absolute one
            clock.advance(by: 1700)
            #expect(
                try await store.touchBrowserSession(
                    tokenHash: signedIn.tokenHash, at: clock.now, idleExpiresAt: clock.now.addingTimeInterval(1800)))
            clock.advance(by: 1700)
            #expect(try await store.browserSession(tokenHash: signedIn.tokenHash) != nil)
            try await store.touchBrowserSession(
                tokenHash: signedIn.tokenHash, at: clock.now, idleExpiresAt: clock.now.addingTimeInterval(99_999))
            #expect(try await store.browserSession(tokenHash: signedIn.tokenHash)?.idleExpiresAt == signedIn.expiresAt)
            clock.advance(by: 7200 - 3400)
            #expect(try await store.browserSession(tokenHash: signedIn.tokenHash) == nil)
            #expect(try await store.browserSessionCount(of: ann.id) == 0)

            // Unknown hashes and gone sessions
            #expect(try await store.browserSession(tokenHash: String(repeating: "c", count: 64)) == nil)
            #expect(
                !(try await store.touchBrowserSession(
                    tokenHash: String(repeating: "c", count: 64), at: clock.now, idleExpiresAt: clock.now)))
        }
    }

    @Test func aSessionForAnUnknownAccountIsRefusedAndNothingIsWritten() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let before = try databaseDump(dir + "/accounts.sqlite")
            let ghost = UserID("00000000-0000-4000-8000-000000000000")!
            await #expect(throws: StoreError.accountNotFound(ghost.rawValue)) {
                try await store.createBrowserSession(session("a", user: ghost, at: Date()))
            }
            #expect(try databaseDump(dir + "/accounts.sqlite") == before)
            // (a sign-in's replacement refuses it as it refuses one whose account was deleted after its checks, and
            // records that refusal alone)
            #expect(try await !store.replaceBrowserSession(nil, with: session("a", user: ghost, at: Date())))
            #expect(countQuery(dir + "/accounts.sqlite", "SELECT count(*) FROM browser_sessions") == 0)
            let events = try await store.recentEvents()
            #expect(events.map(\.kind) == [.signInRefused] && events.first?.details == ["reason": "deleted"])
        }
    }

    @Test func replacingDeletesTheOldRowAndInsertsTheNewOneTogether() async throws {
        try await withTemporaryDirectory { dir in
            let clock = TestClock()
            let store = try makeStore(in: dir, now: clock.closure)
            defer { try? store.close() }
            let ann = try await store.createAccount(newAccount("ann"))
            let anonymous = session("a", user: nil, at: clock.now)
            try await store.createBrowserSession(anonymous)

            // A refused replacement (unknown account) keeps the old session
            let ghost = UserID("00000000-0000-4000-8000-000000000000")!
            #expect(
                try await !store.replaceBrowserSession(
                    anonymous.tokenHash, with: session("b", user: ghost, at: clock.now)))
            #expect(try await store.browserSession(tokenHash: anonymous.tokenHash) != nil)

            // A good one swaps them
            let signedIn = session("b", user: ann.id, at: clock.now)
            try await store.replaceBrowserSession(anonymous.tokenHash, with: signedIn)
            #expect(try await store.browserSession(tokenHash: anonymous.tokenHash) == nil)
            #expect(try await store.browserSession(tokenHash: signedIn.tokenHash)?.user == ann.id)
            #expect(try await store.deleteBrowserSession(tokenHash: signedIn.tokenHash))
            #expect(!(try await store.deleteBrowserSession(tokenHash: signedIn.tokenHash)))
        }
    }

    @Test func revokingEverySessionOfAnAccountLeavesOthersAndIsAudited() async throws {
        try await SessionListStoreTests.withAnnAndBob { store, clock, _, ann, bob in
            for letter in ["a", "b", "c"] as [Character] {
                try await store.createBrowserSession(session(letter, user: ann.id, at: clock.now))
            }
            try await store.createBrowserSession(session("d", user: bob.id, at: clock.now))
            try await store.createBrowserSession(session("e", user: nil, at: clock.now))

            #expect(try await store.deleteBrowserSessions(of: ann.id) == 3)
            #expect(try await store.browserSessionCount(of: ann.id) == 0)
            #expect(try await store.browserSessionCount(of: bob.id) == 1)
            #expect(try await store.browserSession(tokenHash: String(repeating: "e", count: 64)) != nil)
            let event = try #require(try await store.events(for: ann.id).first)
            #expect(event.kind == .sessionsRevoked && event.details == ["sessions": "3"] && event.actor == "user")
        }
    }

    @Test func rebindingMovesTheNamedDraftOfItsBindingOnly() async throws {
        try await withTemporaryDirectory { dir in
            let clock = TestClock()
            let store = try makeStore(in: dir, now: clock.closure)
            defer { try? store.close() }
            for (token, binding) in [("t1", "old"), ("t2", "old"), ("t3", "other")] {
                try await store.savePendingAuthorization(
                    PendingAuthorization(
                        requestToken: token, requestTokenSecret: Secret("s"), browserSession: binding,
                        purpose: .register, linkUser: nil, createdAt: clock.now,
                        expiresAt: clock.now.addingTimeInterval(900)))
            }
            for (id, binding) in [("d1", "old"), ("d2", "other")] {
                try await store.saveDraft(
                    RegistrationDraft(
                        id: id, browserSession: binding, purpose: .register, twitterUserID: TwitterUserID(1),
                        screenName: "x", credential: TwitterCredential(token: "t", secret: Secret("s")),
                        profileJSON: [],
                        fields: [:], linkUser: nil, createdAt: clock.now, expiresAt: clock.now.addingTimeInterval(3600))
                )
            }

            #expect(try await store.rebindDraft("d1", from: "old", to: "new"))
            #expect(try await !store.rebindDraft("d2", from: "old", to: "new"))

            // Only the draft named moved; pending authorizations never do
            #expect(
                Set(try await store.livePendingAuthorizations(browserSession: "old").map(\.requestToken)) == [
                    "t1", "t2",
                ])
            #expect(try await store.livePendingAuthorizations(browserSession: "new").isEmpty)
            #expect(try await store.livePendingAuthorizations(browserSession: "other").map(\.requestToken) == ["t3"])
            #expect(try await store.draft(id: "d1")?.browserSession == "new")
            #expect(try await store.draft(id: "d2")?.browserSession == "other")
            // Sealed secrets still open after the move (they are bound to the token and draft id, not the session)
            #expect(try await store.draft(id: "d1")?.credential.secret == Secret("s"))
        }
    }
}
