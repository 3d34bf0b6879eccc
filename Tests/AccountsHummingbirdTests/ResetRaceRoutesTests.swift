import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import TestSupport
import Testing

/// A reset link followed while another request (another app instance, another tab) changes the account.
struct ResetRaceRoutesTests {
    /// Pre-account hijacking, with mallory's link landing while ada's new password is being set: the route reads the
    /// account before the reset (no Twitter account then), the reset's transaction unlinks the one linked meanwhile
    /// (`address_confirmed_by_reset`), and the route, which decides from what it read before, tells ada nothing: a
    /// plain "password reset" page, no `twitterUnlinked` notice, and (had a token been stored) no revocation.
    @Test func aTwitterAccountLinkedWhileTheResetIsUnderWayIsStillToldAsUnlinked() async throws {
        let outbox = Locked<[AccountRoutes.PasswordResetMail]>([])
        let notices = Locked<[AccountRoutes.SecurityNotice]>([])
        var configuration = PasswordResetRoutesTests.configuration(outbox)
        configuration.securityNotice = { notice in notices.withLock { $0.append(notice) } }
        try await WebApp.run(configuration: configuration) { app in
            // Given mallory, signed up with ada's address (no Twitter account linked yet)
            var mallory = app.browser()
            let signedUp = try await mallory.submit(
                "/signup", to: "/signup",
                [("username", "ada_"), ("email", "ada@example.org"), ("password", "mallorys own passphrase")])
            #expect(signedUp.location == "/account?notice=registered")
            // And ada, who asked for a reset link and opened it: the page warns of no Twitter account to unlink
            var ada = app.browser()
            _ = try await ada.submit("/password/forgot", to: "/password/forgot", [("email", "ada@example.org")])
            let mail = try #require(try await PasswordResetRoutesTests.mails(outbox, count: 1).first)
            let path = String(mail.link.revealed.dropFirst("https://accounts.example".count))
            let form = try await ada.get(path)
            #expect(!form.text.contains("id=\"reset-unlinks-twitter\""))

            // When ada sets her password while another instance holds the write lock to link mallory's Twitter account
            let holder = try CommittingLockHolder(path: app.databasePath)
            let token = String(path.dropFirst("/password/reset?token=".count))
            let reset = Task { [ada] in
                var browser = ada
                return try await browser.submit(
                    path, to: "/password/reset",
                    [("token", token), ("password", PasswordResetRoutesTests.newPassword)])
            }
            // (the route reads the account at once, hashes the password, then waits for the lock)
            try #require(try await writesReached(1, in: app.store), "the reset never reached its write")
            let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
            try holder.commit(
                """
                INSERT INTO twitter_identities (user_id, twitter_user_id, screen_name, display_name, linked_at,
                    last_seen_at)
                SELECT id, '\(WebApp.mallory)', 'mallory', 'Mallory', \(now), \(now) FROM users WHERE username = 'ada_';
                """)
            let done = try await reset.value

            // Then the reset unlinked mallory's Twitter account (it was linked before the address was confirmed)
            let account = try #require(try await app.store.account(.username("ada_")))
            #expect(account.isEmailVerified && account.twitter == nil)
            let unlinked = try await app.store.events(for: account.id).first { $0.kind == .unlinked }
            try #require(unlinked?.details["reason"] == "address_confirmed_by_reset", "the race was not reproduced")
            // And ada is told so, as when the link came before she opened the page
            #expect(done.location == "/account?notice=password_reset_unlinked", "\(done.location ?? "no redirect")")
            let told = try await eventually {
                notices.withLock { $0.contains { $0.change == .twitterUnlinked } }
            }
            #expect(told, "no twitterUnlinked notice: \(notices.withLock { $0.map(\.change) })")
        }
    }
}
