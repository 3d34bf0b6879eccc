import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import Registration
import TestSupport
import Testing
import TwitterOAuth

/// Ways to take an account, or keep a way into it, that the routes close: an account made with someone else's address
/// and a Twitter account linked to it, a stolen copy of the cookie that changed the password, guesses at the current
/// password that leave no trace, and forms that tell which addresses have accounts faster than sign-up does.
struct AccountTakeoverRoutesTests {
    static let password = PasswordResetRoutesTests.password
    static let newPassword = PasswordResetRoutesTests.newPassword

    /// Routes that mail email links to `outbox` and reset links (to nobody: their pages are what matters).
    static func confirmingAndResetting(_ outbox: Locked<[AccountRoutes.EmailVerificationMail]>)
        -> AccountRoutes.Configuration
    {
        var routes = EmailVerificationRoutesTests.configuration(outbox)
        routes.passwordReset = PasswordResetRoutesTests.configuration(Locked([])).passwordReset
        return routes
    }

    /// Pre-account hijacking: mallory signs up with ada's address (nothing checks that he reads it), links his own
    /// Twitter account, and waits. Ada, told her address "already belongs to an account", asks for a reset link, which
    /// reaches her mailbox. The page warns her that mallory's Twitter account will be unlinked; setting her password
    /// unlinks it, revokes its token at Twitter and says so, so "Log in with Twitter" no longer lets him in.
    @Test func aTwitterAccountLinkedBeforeTheAddressWasConfirmedDoesNotOutliveTheResetThatConfirmsIt() async throws {
        let outbox = Locked<[AccountRoutes.PasswordResetMail]>([])
        try await WebApp.run(configuration: PasswordResetRoutesTests.configuration(outbox)) { app in
            // Given mallory, signed up with ada's address, his Twitter account linked (his sign-up is recent)
            var mallory = app.browser()
            let signedUp = try await mallory.submit(
                "/signup", to: "/signup",
                [("username", "ada_"), ("email", "ada@example.org"), ("password", "mallorys own passphrase")])
            #expect(signedUp.location == "/account?notice=registered")
            #expect(try await mallory.linkTwitter(WebApp.mallory).location == "/account?notice=linked")
            let stored = try #require(try await app.store.credential(for: TwitterUserID(WebApp.mallory)))
            _ = try await mallory.submit("/account", to: "/sign-out", [])

            // When ada, whose address it is, asks for a reset link and opens it
            var ada = app.browser()
            let taken = try await ada.submit(
                "/signup", to: "/signup",
                [("username", "ada"), ("email", "ada@example.org"), ("password", Self.password)])
            #expect(taken.text.contains("already belongs to an account"))
            _ = try await ada.submit("/password/forgot", to: "/password/forgot", [("email", "ada@example.org")])
            let mail = try #require(try await PasswordResetRoutesTests.mails(outbox, count: 1).first)
            let path = String(mail.link.revealed.dropFirst("https://accounts.example".count))
            let form = try await ada.get(path)
            // Then the page says, before anything changes, which Twitter account the reset will unlink (escaped)
            #expect(
                form.text.contains("id=\"reset-unlinks-twitter\"") && form.text.contains("@<bdi>m&lt;script&gt;</bdi>"))
            #expect(try await app.store.account(.username("ada_"))?.twitter != nil)
            // When she sets her password
            let done = try await ada.submit(
                path, to: "/password/reset",
                [
                    ("token", String(path.dropFirst("/password/reset?token=".count))), ("password", Self.newPassword),
                ])
            // Then the account is hers: address confirmed, mallory's Twitter account unlinked, its token revoked
            #expect(done.location == "/account?notice=password_reset_unlinked")
            let account = try #require(try await app.store.account(.username("ada_")))
            #expect(account.isEmailVerified && account.twitter == nil)
            let unlinked = try #require(try await app.store.events(for: account.id).first { $0.kind == .unlinked })
            #expect(unlinked.details["reason"] == "address_confirmed_by_reset")
            #expect(unlinked.details["twitter_id"] == String(WebApp.mallory))
            try await PasswordSettingsRoutesTests.expectRevoked(stored, of: WebApp.mallory, app)
            let notice = try await ada.get("/account?notice=password_reset_unlinked")
            #expect(notice.text.contains("linked before your address was confirmed was unlinked"))

            // And mallory, whose password and sessions are gone, cannot come back through his Twitter account: it
            // belongs to no account now, so it lands in registration
            var later = app.browser()
            let back = try await later.viaTwitter("/login/twitter", as: WebApp.mallory)
            #expect(back.location?.hasPrefix("/register/details?draft=") == true, "\(back.location ?? "")")
            #expect(try await later.get("/whoami").text == "nobody")
        }
    }

    /// "Every other session ends" on a password change is meant for "whoever signed in with the old password, or holds
    /// a stolen session": the session that asked goes on under a new id, so a copy of that very cookie (the one a thief
    /// is likeliest to have) signs nobody in after the change. The session stays no more recent a sign-in than it was.
    @Test func aPasswordChangeOrAnUnlinkRekeysTheSessionThatAskedForIt() async throws {
        try await WebApp.run { app in
            // Given ada, signed in, and a thief holding a copy of her session cookie
            var ada = try await PasswordResetRoutesTests.signUpAda(app)
            var thief = app.browser()
            thief.cookies = ada.cookies
            #expect(try await thief.get("/whoami").text == "ada")
            let signedInAt = countQuery(app.databasePath, "SELECT created_at FROM browser_sessions")
            app.clock.advance(by: 60)
            // When she changes her password
            let changed = try await ada.submit(
                "/account", to: "/account/password",
                [("current_password", Self.password), ("new_password", Self.newPassword)])
            #expect(changed.location == "/account?notice=password_changed")
            // Then she is still signed in, on one session signed in when it was, and the copy is worth nothing
            #expect(try await ada.get("/whoami").text == "ada")
            #expect(try await thief.get("/whoami").text == "nobody", "a copy of the asking session survives the change")
            #expect(countQuery(app.databasePath, "SELECT count(*) FROM browser_sessions") == 1)
            #expect(countQuery(app.databasePath, "SELECT created_at FROM browser_sessions") == signedInAt)
            // And her next form works with the page's new CSRF token
            let page = try await ada.get("/account")
            #expect(page.text.contains("id=\"account-username\">ada"))

            // When she links Twitter, the thief copies the cookie again, and she unlinks it
            #expect(try await ada.linkTwitter(WebApp.zoe).location == "/account?notice=linked")
            thief.cookies = ada.cookies
            #expect(try await thief.get("/whoami").text == "ada")
            let unlinked = try await ada.submit(
                "/account", to: "/account/twitter/unlink", [("current_password", Self.newPassword)])
            #expect(unlinked.location == "/account?notice=unlinked")
            // Then again only her browser is signed in
            #expect(try await ada.get("/whoami").text == "ada")
            #expect(try await thief.get("/whoami").text == "nobody")
        }
    }

    /// The asking session's new id is written in the change's own transaction: when it cannot be (here a trigger
    /// refuses it, as a full disk would), nothing changes, neither the password nor the Twitter link, and no other
    /// session ends. Until session 60 the rekey was a second write after the change had committed: the password
    /// changed (or Twitter was unlinked), the page was a 500, and a copy of the cookie stayed signed in.
    @Test func aChangeWhoseRekeyFailsChangesNothing() async throws {
        try await WebApp.run { app in
            // Given ada, signed in with Twitter linked, a thief holding a copy of her cookie, and a store that refuses
            // to give a session a new id
            var ada = try await PasswordResetRoutesTests.signUpAda(app)
            #expect(try await ada.linkTwitter(WebApp.zoe).location == "/account?notice=linked")
            var thief = app.browser()
            thief.cookies = ada.cookies
            #expect(try await thief.get("/whoami").text == "ada")
            let hash = "SELECT password_hash FROM users WHERE username = 'ada'"
            let before = textQuery(app.databasePath, hash)
            let events = "SELECT count(*) FROM account_events WHERE kind IN ('password_changed', 'unlinked')"
            try executeSQL(
                app.databasePath,
                """
                CREATE TRIGGER keep_id BEFORE UPDATE OF token_hash ON browser_sessions
                BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END
                """)

            // When she changes her password, then unlinks Twitter
            let changed = try await ada.submit(
                "/account", to: "/account/password",
                [("current_password", Self.password), ("new_password", Self.newPassword)])
            let unlinked = try await ada.submit(
                "/account", to: "/account/twitter/unlink", [("current_password", Self.password)])

            // Then both failed, and neither changed anything: the same password, Twitter linked, no event
            #expect(changed.status == 500 && unlinked.status == 500, "\(changed.status) \(unlinked.status)")
            // (compared into a Bool: a failure prints no password hash)
            let sameHash = before != nil && textQuery(app.databasePath, hash) == before
            #expect(sameHash, "ada's password hash changed, or was never read")
            #expect(countQuery(app.databasePath, "SELECT count(*) FROM twitter_identities") == 1)
            #expect(countQuery(app.databasePath, events) == 0)
            // And both browsers hold the one session they held (nothing ended, nothing rekeyed)
            #expect(try await ada.get("/whoami").text == "ada")
            #expect(try await thief.get("/whoami").text == "ada")
            #expect(countQuery(app.databasePath, "SELECT count(*) FROM browser_sessions") == 1)
        }
    }

    /// A wrong password at sign-in is recorded (`sign_in_failed`); so is a wrong *current* password on the account
    /// page (`password_check_failed`), where whoever holds a session (left open, or stolen) guesses at the password:
    /// ten guesses every fifteen minutes, kept under the throttle, must leave a trace.
    @Test func aWrongCurrentPasswordOnTheAccountPageIsAudited() async throws {
        try await WebApp.run { app in
            var ada = try await PasswordResetRoutesTests.signUpAda(app)
            let account = try #require(try await app.store.account(.username("ada")))
            for guess in ["guess number one", "guess number two", "guess number three"] {
                let refused = try await ada.submit(
                    "/account", to: "/account/password",
                    [("current_password", guess), ("new_password", Self.newPassword)])
                #expect(refused.status == 401)
            }
            let events = try await app.store.events(for: account.id)
            #expect(events.prefix(3).allSatisfy { $0.kind == .passwordCheckFailed && $0.actor == "user" })
            #expect(events.filter { $0.kind == .passwordCheckFailed }.count == 3)
            // And the account page shows them in "Recent activity"
            let page = try await ada.get("/account")
            #expect(page.text.contains("password_check_failed"))
        }
    }

    /// The sign-up form says whether an address has an account ("already belongs to an account"), limited by
    /// `signUpsPerClient`. The change-of-address form and the Twitter registration form say the same; they count
    /// towards the same limit, past which they answer 429 and check nothing.
    @Test func theChangeOfAddressAndRegistrationFormsAreNoFasterOracleThanSignUp() async throws {
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        var routes = EmailVerificationRoutesTests.configuration(outbox)
        routes.signUpsPerClient = RegistrationService.Rate(4, per: 3600)
        try await WebApp.run(configuration: routes) { app in
            // Given bob's account, and mallory signed in to one of his own (two sign-ups of the four)
            var bob = app.browser()
            _ = try await bob.submit(
                "/signup", to: "/signup",
                [("username", "bob"), ("email", "bob@example.org"), ("password", Self.password)])
            var mallory = app.browser()
            _ = try await mallory.submit(
                "/signup", to: "/signup",
                [("username", "mallory"), ("email", "mallory@example.org"), ("password", Self.password)])
            // When he asks, over and over, to move his account to bob's address
            var told = 0
            var refused: [Page] = []
            for _ in 0..<6 {
                let answer = try await mallory.submit(
                    "/account", to: "/account/email",
                    [("new_email", "bob@example.org"), ("current_password", Self.password)])
                if answer.text.contains("already belongs to another account") { told += 1 }
                if answer.status == 429 { refused.append(answer) }
            }
            // Then he is told twice (what is left of the four), then refused with when to try again
            #expect(told == 2 && refused.count == 4)
            #expect(refused.allSatisfy { $0.text.contains("id=\"address-checks-refused\"") })
            #expect(refused.allSatisfy { Int($0.response.headerValue("retry-after") ?? "") ?? 0 > 0 })
            #expect(try await app.store.account(.username("mallory"))?.email == "mallory@example.org")

            // And the Twitter registration form, from the same client, is refused the same way, writing nothing
            var zoe = app.browser()
            let arrival = try await zoe.viaTwitter("/register/twitter", as: WebApp.zoe)
            let complete = try await zoe.finishRegistration(
                after: arrival, [("username", "zoe"), ("email", "bob@example.org")])
            #expect(complete.status == 429 && complete.text.contains("id=\"address-checks-refused\""))
            #expect(try await app.store.account(.username("zoe")) == nil)
            #expect(countQuery(app.databasePath, "SELECT count(*) FROM users") == 2)
        }
    }

    /// A confirmation link for an account someone else made with the reader's address says what to do instead of
    /// confirming: a reset link, which makes the account the reader's and unlinks the squatter's Twitter account (a
    /// confirmation would keep it, and the address confirmed, a later reset would too).
    @Test func aConfirmationLinkTellsWhoseAccountItIsNotToAskForAResetInstead() async throws {
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        try await WebApp.run(configuration: Self.confirmingAndResetting(outbox)) { app in
            var mallory = app.browser()
            _ = try await mallory.submit(
                "/signup", to: "/signup",
                [("username", "ada_"), ("email", "ada@example.org"), ("password", "mallorys own passphrase")])
            let mail = try #require(try await EmailVerificationRoutesTests.mails(outbox, count: 1).first)
            var ada = app.browser()
            let page = try await ada.get(try EmailVerificationRoutesTests.path(of: mail))
            #expect(page.text.contains("id=\"confirm-not-yours\"") && page.text.contains("href=\"/password/forgot\""))
            #expect(try await app.store.account(.username("ada_"))?.isEmailVerified == false)
        }
    }

    /// Pre-account hijacking through a change of address: mallory makes an account with his own address, links his
    /// own Twitter account, and asks to move the account to ada's address. The link goes to ada, who never asked for
    /// it; following it would confirm her address on mallory's account with his Twitter account linked, which a reset
    /// she asks for later would keep. Its page warns her not to confirm, as a first confirmation link's does.
    @Test func aChangeLinkToSomeoneElsesAddressWarnsItsReaderAsAConfirmationLinkDoes() async throws {
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        try await WebApp.run(configuration: Self.confirmingAndResetting(outbox)) { app in
            // Given mallory's account, his own address, his own Twitter account linked
            var mallory = app.browser()
            let made = try await mallory.submit(
                "/signup", to: "/signup",
                [("username", "ada_"), ("email", "mallory@evil.example"), ("password", "mallorys own passphrase")])
            #expect(made.status == 303)
            _ = try await EmailVerificationRoutesTests.mails(outbox, count: 1)
            let linked = try await mallory.linkTwitter(WebApp.mallory)
            #expect(linked.status == 303)
            #expect(try await app.store.account(.username("ada_"))?.twitter?.userID.decimalString == "666")
            // When he asks to move it to ada's address
            let asked = try await mallory.submit(
                "/account", to: "/account/email",
                [("new_email", "ada@example.org"), ("current_password", "mallorys own passphrase")])
            #expect(asked.location == "/account?notice=email_change_sent")
            let mail = try #require(
                try await EmailVerificationRoutesTests.mails(outbox, count: 2).first { $0.changesAddress })
            #expect(mail.to == "ada@example.org")
            // Then the page ada's link opens tells her not to confirm a move she did not ask for
            var ada = app.browser()
            let page = try await ada.get(try EmailVerificationRoutesTests.path(of: mail))
            #expect(page.status == 200 && page.text.contains("is to be the new address of"))
            #expect(page.text.contains("id=\"confirm-not-yours\"") && page.text.contains("If you did not ask to move"))
            #expect(try await app.store.account(.username("ada_"))?.email == "mallory@evil.example")
        }
    }
}
