import AccountStore
import AccountsHummingbird
import Foundation
import TestSupport
import Testing

/// A signed-in page view pushes its session's idle expiry on (a write), but does not need to: while another process
/// holds the write lock (an `accounts import`, a purge's rebuild), the page is served with the session as read, after
/// `AccountStore.touchLockWait`, and the next request touches it again. Until session 62 the page waited out the busy
/// timeout (30 s), then failed with 500.
struct SessionTouchUnderLockTests {
    /// Ada signed up (and so signed in) in a browser whose session was last used 61 s ago: a touch is due.
    static func adaDueATouch(_ app: WebApp) async throws -> Browser {
        var browser = app.browser()
        _ = try await browser.submit(
            "/signup", to: "/signup",
            [("username", "ada"), ("email", "ada@example.org"), ("password", "correct horse battery staple")])
        app.clock.advance(by: 61)
        return browser
    }

    @Test func aPageViewIsServedWhileAnotherProcessHoldsTheWriteLock() async throws {
        try await WebApp.run { app in
            // Given ada signed in, her session last used a minute ago (a touch is due)
            var browser = try await Self.adaDueATouch(app)
            let lastSeen = "SELECT last_seen_at FROM browser_sessions"
            let before = countQuery(app.databasePath, lastSeen)

            // When another process holds the write lock as she opens her account page
            let lock = try WriteLockHolder(path: app.databasePath)
            let page = try await browser.get("/account")
            try lock.release()

            // Then the page is served, signed in, the session as it was
            #expect(page.status == 200)
            #expect(try await browser.get("/whoami").text == "ada")
            // And the next request, the lock free, touches it
            #expect(countQuery(app.databasePath, lastSeen) > before)
        }
    }

    /// Nor does the touch queue behind another write of the app that waits for the lock (a log-in, here): it would
    /// wait as long as that write (until session 62 the page took the busy timeout, 30 s, as the log-in did).
    @Test func aPageViewDoesNotQueueBehindAWriteWaitingForTheLock() async throws {
        try await WebApp.run { app in
            var browser = try await Self.adaDueATouch(app)
            var other = app.browser()
            let loginPage = try await other.get("/login")
            let csrf = try #require(loginPage.csrfToken)

            // Given another process holding the write lock, and a log-in of this app waiting for it
            let lock = try WriteLockHolder(path: app.databasePath)
            let login = Task { [other] in
                var tab = other
                return try await tab.post("/login", [("csrf_token", csrf), ("login", "ada"), ("password", "a guess")])
            }
            try #require(try await writesReached(1, in: app.store), "the log-in never reached its write")

            // When ada opens her account page
            let started = ContinuousClock.now
            let page = try await browser.get("/account")
            let took = ContinuousClock.now - started
            try lock.release()
            _ = try await login.value

            // Then it is served at once (well within the 30 s the log-in may wait), signed in
            #expect(page.status == 200)
            #expect(took < .seconds(15), "the page view waited \(took) behind the log-in")
        }
    }
}
