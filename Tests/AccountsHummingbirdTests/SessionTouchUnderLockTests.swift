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
    @Test func aPageViewIsServedWhileAnotherProcessHoldsTheWriteLock() async throws {
        try await WebApp.run { app in
            // Given ada signed in, her session last used a minute ago (a touch is due)
            var browser = app.browser()
            _ = try await browser.submit(
                "/signup", to: "/signup",
                [("username", "ada"), ("email", "ada@example.org"), ("password", "correct horse battery staple")])
            app.clock.advance(by: 61)
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
}
