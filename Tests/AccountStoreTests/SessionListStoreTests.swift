import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// "Where you're signed in": an account's live sessions with what they run in, and ending one of them by its handle.
struct SessionListStoreTests {
    static func session(
        _ letter: Character, user: UserID?, at now: Date, idle: TimeInterval = 3600, device: String? = nil
    ) -> BrowserSession {
        BrowserSession(
            tokenHash: String(repeating: letter, count: 64), user: user, csrfToken: "csrf-\(letter)", createdAt: now,
            lastSeenAt: now, idleExpiresAt: now.addingTimeInterval(idle), expiresAt: now.addingTimeInterval(43_200),
            device: device)
    }

    /// A store with the accounts ann and bob, on a test clock, in a temporary directory.
    static func withAnnAndBob(
        _ body: (AccountStore, TestClock, String, Account, Account) async throws -> Void
    ) async throws {
        try await withTemporaryDirectory { dir in
            let clock = TestClock()
            let store = try makeStore(in: dir, now: clock.closure)
            defer { try? store.close() }
            let ann = try await store.createAccount(newAccount("ann"))
            let bob = try await store.createAccount(newAccount("bob"))
            try await body(store, clock, dir, ann, bob)
        }
    }

    @Test func anAccountsLiveSessionsAreListedMostRecentlyUsedFirstWithTheirDevices() async throws {
        try await Self.withAnnAndBob { store, clock, dir, ann, bob in
            try await store.createBrowserSession(
                Self.session("a", user: ann.id, at: clock.now, device: "Firefox on Linux"))
            clock.advance(by: 10)
            try await store.createBrowserSession(
                Self.session("b", user: ann.id, at: clock.now, device: "Safari on iPhone"))
            try await store.createBrowserSession(Self.session("c", user: bob.id, at: clock.now, device: "Chrome"))
            try await store.createBrowserSession(Self.session("d", user: nil, at: clock.now))
            try await store.createBrowserSession(Self.session("e", user: ann.id, at: clock.now, idle: 5))
            clock.advance(by: 10)
            // Ann's first session is used again: it comes first; her idle one has ended and is not listed
            try await store.touchBrowserSession(
                tokenHash: String(repeating: "a", count: 64), at: clock.now,
                idleExpiresAt: clock.now.addingTimeInterval(3600))
            let listed = try await store.browserSessions(of: ann.id)
            #expect(listed.map(\.handle) == ["aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"])
            #expect(listed.map(\.device) == ["Firefox on Linux", "Safari on iPhone"])
            #expect(try await store.browserSessions(of: bob.id).map(\.device) == ["Chrome"])
            // At most `limit`, the most recently used
            #expect(try await store.browserSessions(of: ann.id, limit: 1).map(\.handle) == ["aaaaaaaaaaaaaaaa"])
        }
    }

    @Test func oneSessionIsEndedByItsHandleOnlyForItsOwnAccountAndTheEndIsAudited() async throws {
        try await Self.withAnnAndBob { store, clock, dir, ann, bob in
            let here = Self.session("a", user: ann.id, at: clock.now, device: "Firefox on Linux")
            let there = Self.session("b", user: ann.id, at: clock.now, device: "Safari on iPhone")
            let bobs = Self.session("c", user: bob.id, at: clock.now)
            for session in [here, there, bobs] { try await store.createBrowserSession(session) }
            let database = dir + "/accounts.sqlite"
            let before = try databaseDump(database)

            // Refused, and nothing written: Bob's session through Ann, Ann's own asking session, and no handle at all
            #expect(!(try await store.endBrowserSession(handle: bobs.handle, of: ann.id)))
            #expect(!(try await store.endBrowserSession(handle: here.handle, of: ann.id, keeping: here.tokenHash)))
            for handle in ["", "b", String(repeating: "b", count: 64), "BBBBBBBBBBBBBBBB", "bbbbbbbbbbbbbbb%"] {
                #expect(!(try await store.endBrowserSession(handle: handle, of: ann.id)), "\(handle)")
            }
            #expect(try databaseDump(database) == before)

            // Ended: her other session, with a `session_ended` event naming its device
            #expect(try await store.endBrowserSession(handle: there.handle, of: ann.id, keeping: here.tokenHash))
            #expect(try await store.browserSession(tokenHash: there.tokenHash) == nil)
            #expect(try await store.browserSession(tokenHash: here.tokenHash) != nil)
            #expect(try await store.browserSession(tokenHash: bobs.tokenHash) != nil)
            let event = try #require(try await store.events(for: ann.id, limit: 1).first)
            #expect(event.kind == .sessionEnded && event.actor == "user")
            #expect(event.details == ["device": "Safari on iPhone"])
            // And once ended, it cannot be ended again
            #expect(!(try await store.endBrowserSession(handle: there.handle, of: ann.id)))
        }
    }

    /// The devices an account signed in from: its first is `.first`, one it used before `.known`, another `.new`;
    /// each account has its own, and they go with it.
    @Test func signInDevicesAreFirstKnownOrNewPerAccount() async throws {
        try await Self.withAnnAndBob { store, _, dir, ann, bob in
            #expect(try await store.noteSignInDevice("Firefox on Linux", for: ann.id) == .first)
            #expect(try await store.noteSignInDevice("Firefox on Linux", for: ann.id) == .known)
            #expect(try await store.noteSignInDevice("Safari on iPhone", for: ann.id) == .new)
            #expect(try await store.noteSignInDevice("Safari on iPhone", for: ann.id) == .known)
            #expect(try await store.noteSignInDevice("Safari on iPhone", for: bob.id) == .first)
            #expect(try await store.noteSignInDevice("\u{7}", for: bob.id) == .known)
            #expect(countQuery(dir + "/accounts.sqlite", "SELECT count(*) FROM account_devices") == 3)
            _ = try await store.deleteAccount(.id(ann.id))
            #expect(countQuery(dir + "/accounts.sqlite", "SELECT count(*) FROM account_devices") == 1)
        }
    }

    /// What goes into the `device` column is a label: control and format characters are dropped, and it is cut to 64.
    @Test func aDeviceLabelIsStoredCleanAndShort() async throws {
        try await withTemporaryDirectory { dir in
            let clock = TestClock()
            let store = try makeStore(in: dir, now: clock.closure)
            defer { try? store.close() }
            let ann = try await store.createAccount(newAccount("ann"))
            try await store.createBrowserSession(
                Self.session(
                    "a", user: ann.id, at: clock.now,
                    device: "Evil\u{1B}[31m\u{202E} " + String(repeating: "x", count: 100)))
            try await store.createBrowserSession(Self.session("b", user: ann.id, at: clock.now, device: "\u{7}"))
            let devices = try await store.browserSessions(of: ann.id).map(\.device)
            #expect(devices.contains("Evil[31m " + String(repeating: "x", count: 55)))
            #expect(devices.contains(nil))
        }
    }
}
