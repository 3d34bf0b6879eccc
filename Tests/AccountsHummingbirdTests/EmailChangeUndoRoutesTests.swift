import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import TestSupport
import Testing
import TwitterOAuth

/// `GET`/`POST /email/undo`: the notice of a change of address, at the old confirmed address, carries a link that gives
/// the account back to it (with a new password, every browser signed out), since a password reset now goes to the
/// address whoever made the change chose.
struct EmailChangeUndoRoutesTests {
    static let password = PasswordResetRoutesTests.password
    static let newPassword = "a fresh one nobody else knows"

    /// Ada, her address confirmed; then another browser, signed in with her password, moves the account to
    /// `thief@example.net`. `body` gets the thief's browser.
    static func moveAdasAccount(
        _ app: WebApp, _ outbox: Locked<[AccountRoutes.EmailVerificationMail]>, to address: String = "thief@example.net"
    ) async throws -> Browser {
        var ada = try await PasswordResetRoutesTests.signUpAda(app)
        let first = try await EmailVerificationRoutesTests.mails(outbox, count: 1)[0]
        _ = try await EmailVerificationRoutesTests.confirm(
            try await ada.get(try EmailVerificationRoutesTests.path(of: first)), in: &ada)
        var (thief, _) = try await PasswordSettingsRoutesTests.logIn(app, "ada", Self.password)
        let sent = try await thief.submit(
            "/account", to: "/account/email", [("new_email", address), ("current_password", Self.password)])
        #expect(sent.location == "/account?notice=email_change_sent")
        let mail = try await EmailVerificationRoutesTests.mails(outbox, count: 2)[1]
        let done = try await EmailVerificationRoutesTests.confirm(
            try await thief.get(try EmailVerificationRoutesTests.path(of: mail)), in: &thief)
        #expect(done.location == "/account?notice=email_changed")
        #expect(try await app.store.account(.username("ada"))?.email == address)
        return thief
    }

    /// The path and query of an undo link, on the test server.
    static func path(of link: Secret?) throws -> String {
        let link = try #require(link).revealed
        let onTheServer = link.hasPrefix("https://accounts.example/email/undo?token=")
        #expect(onTheServer, "the undo link is not on https://accounts.example/email/undo (it is not printed)")
        return String(link.dropFirst("https://accounts.example".count))
    }

    /// ``moveAdasAccount(_:_:)`` on an app that keeps its security notices: `body` gets the app, the thief's browser,
    /// the notice of the change (with the undo link, the mails sent) and every notice so far.
    static func withAdasAccountMoved(
        to address: String = "thief@example.net",
        _ body: (WebApp, inout Browser, AccountRoutes.SecurityNotice, Locked<[AccountRoutes.SecurityNotice]>)
            async throws -> Void
    ) async throws {
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        let notices = Locked<[AccountRoutes.SecurityNotice]>([])
        var configuration = EmailVerificationRoutesTests.configuration(outbox)
        configuration.securityNotice = { notice in notices.withLock { $0.append(notice) } }
        try await WebApp.run(configuration: configuration) { app in
            var thief = try await Self.moveAdasAccount(app, outbox, to: address)
            await app.routes.finishMails()
            let notice = try #require(notices.value.first { $0.change == .emailChanged })
            try await body(app, &thief, notice, notices)
        }
    }

    /// Whoever moved the address (with the password) cannot then delete the account to end the undo link: "Delete
    /// account" is refused, saying until when, nothing changed, and the link still gives the account back.
    @Test func whoeverMovedTheAddressCannotDeleteTheAccountWhileTheLinkWorks() async throws {
        try await Self.withAdasAccountMoved { app, thief, notice, notices in
            let dump = try databaseDump(app.databasePath)

            let refused = try await thief.submit(
                "/account", to: "/account/delete", [("confirm", "yes"), ("current_password", Self.password)])
            #expect(refused.status == 409)
            #expect(refused.text.contains("can still be undone from the link sent to the former address"))
            let until = Pages.timestamp(try #require(notice.undoExpiresAt).addingTimeInterval(1))
            #expect(refused.text.contains("cannot be deleted until \(until) UTC"), "\(refused.text)")
            #expect(try databaseDump(app.databasePath) == dump)
            #expect(try await thief.get("/whoami").text == "ada")
            #expect(!notices.value.contains { $0.change == .accountDeleted })

            // And the link still gives the account back
            var ada = app.browser()
            let page = try await ada.get(try Self.path(of: notice.undoLink))
            #expect(page.status == 200 && page.text.contains(#"<strong id="undo-restores">ada@example.org</strong>"#))
        }
    }

    /// An address whose domain is a look-alike of the old one in another script (`еxample.org`, its `е` Cyrillic) is
    /// shown with its IDNA ASCII form beside it, in the notice to the old address (`newAddressShown`, what the demo's
    /// mail writes) and on the account page: the owner must not read the notice as naming their own address.
    @Test func aLookAlikeNewAddressIsShownWithItsASCIIDomain() async throws {
        try await Self.withAdasAccountMoved(to: "ada@\u{435}xample.org") { app, thief, notice, _ in
            #expect(notice.newAddress == "ada@\u{435}xample.org")
            #expect(notice.newAddressShown == "ada@\u{435}xample.org (ada@xn--xample-2of.org)")
            let page = try await thief.get("/account")
            #expect(page.text.contains("ada@\u{435}xample.org (ada@xn--xample-2of.org)"))
            // and on the undo page, where the owner decides
            var ada = app.browser()
            let undo = try await ada.get(try Self.path(of: notice.undoLink))
            #expect(
                undo.text.contains(
                    #"<strong id="undo-replaced-by">ada@\#u{435}xample.org (ada@xn--xample-2of.org)</strong>"#))
            // and the account page's activity isolates each detail's value
            #expect(page.text.contains("new_email: <bdi>ada@\u{435}xample.org</bdi>"), "\(page.text)")
        }
    }

    @Test func theSecurityNoticeOfAChangeCarriesALinkThatGivesTheAccountBack() async throws {
        try await Self.withAdasAccountMoved { app, thief, notice, _ in
            // Given the notice to the old address, with the link (never in its description)
            #expect(notice.to == "ada@example.org" && notice.newAddress == "thief@example.net")
            let path = try Self.path(of: notice.undoLink)
            #expect(!"\(notice)".contains(path.suffix(64)))
            let expiresIn = try #require(notice.undoExpiresAt).timeIntervalSince(notice.changedAt)
            #expect(abs(expiresIn - 7 * 24 * 60 * 60) < 1, "the link works for \(expiresIn) s")

            // When Ada opens it in a browser of her own: a page naming both addresses, a GET changing nothing
            var ada = app.browser()
            let page = try await ada.get(path)
            #expect(page.status == 200)
            #expect(page.text.contains(#"<strong id="undo-restores">ada@example.org</strong>"#))
            #expect(page.text.contains(#"<strong id="undo-replaced-by">thief@example.net</strong>"#))
            #expect(page.response.headerValue("referrer-policy") == "strict-origin")
            #expect(try await app.store.account(.username("ada"))?.email == "thief@example.net")
            // And a password the policy refuses: the form again, nothing changed
            let short = try await ada.post(
                "/email/undo",
                [
                    ("csrf_token", try #require(page.csrfToken)), ("token", try #require(page.hiddenValue("token"))),
                    ("password", "short"),
                ])
            #expect(short.status == 422 && short.text.contains("at least 10 characters"))
            #expect(try await app.store.account(.username("ada"))?.email == "thief@example.net")
            #expect(try await thief.get("/whoami").text == "ada")
            // And a good one
            let undone = try await ada.post(
                "/email/undo",
                [
                    ("csrf_token", try #require(short.csrfToken)), ("token", try #require(short.hiddenValue("token"))),
                    ("password", Self.newPassword),
                ])
            // Then the account is hers again, at her address, and the thief's browser is signed out, hers signed in
            #expect(undone.location == "/account?notice=email_change_undone")
            let account = try #require(try await app.store.account(.username("ada")))
            #expect(account.email == "ada@example.org" && account.isEmailVerified)
            #expect(try await thief.get("/whoami").text != "ada")
            #expect(try await ada.get("/whoami").text == "ada")
            let shown = try await ada.get("/account?notice=email_change_undone")
            #expect(shown.text.contains("The change of address is undone") && shown.text.contains("you are signed in"))
            let latest = try #require(try await app.store.events(for: account.id).first)
            #expect(latest.kind == .signedIn && latest.details == ["method": "email_change_undo"])
            // And the password the thief knew no longer signs in; hers does
            let old = try await PasswordSettingsRoutesTests.logIn(app, "ada", Self.password).1
            #expect(old.status == 401)
            var (again, signedIn) = try await PasswordSettingsRoutesTests.logIn(
                app, "ada@example.org", Self.newPassword)
            #expect(signedIn.status == 303)
            #expect(try await again.get("/whoami").text == "ada")
            #expect(PasswordSettingsRoutesTests.events(app, "email_change_undone") == 1)
            // And the link works once
            var fresh = app.browser()
            let reused = try await fresh.get(path)
            #expect(reused.status == 400 && reused.text.contains(#"id="undo-link-not-valid""#))
        }
    }

    @Test func theChangeNoticeCarriesTheLinkAndATakenOldAddressChangesNothing() async throws {
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        let notices = Locked<[AccountRoutes.EmailChangeNotice]>([])
        try await WebApp.run(configuration: EmailVerificationRoutesTests.configuration(outbox, notices: notices)) {
            app in
            var thief = try await Self.moveAdasAccount(app, outbox)
            await app.routes.finishMails()
            let notice = try #require(notices.value.first)
            #expect(notice.to == "ada@example.org" && notice.newAddress == "thief@example.net")
            let path = try Self.path(of: notice.undoLink)
            #expect(!"\(notice)".contains(path.suffix(64)))
            // Given the old address taken by another account since (an operator's import: a sign-up is refused)
            var other = app.browser()
            let refused = try await other.submit(
                "/signup", to: "/signup",
                [("username", "other"), ("email", "ada@example.org"), ("password", Self.password)])
            #expect(refused.status == 422 && refused.text.contains("already belongs to an account"))
            _ = try await other.submit(
                "/signup", to: "/signup",
                [("username", "other"), ("email", "other@example.org"), ("password", Self.password)])
            try executeSQL(
                app.databasePath,
                """
                UPDATE users SET email = 'ada@example.org', email_key = 'ada@example.org',
                    email_mailbox = 'ada@example.org' WHERE username = 'other'
                """)
            // When Ada follows the link
            var ada = app.browser()
            let page = try await ada.get(path)
            let taken = try await ada.post(
                "/email/undo",
                [
                    ("csrf_token", try #require(page.csrfToken)), ("token", try #require(page.hiddenValue("token"))),
                    ("password", Self.newPassword),
                ])
            // Then she is told, and nothing changed: the address, the password, the thief's session
            #expect(taken.status == 409 && taken.text.contains(#"id="undo-address-taken""#))
            #expect(try await app.store.account(.username("ada"))?.email == "thief@example.net")
            #expect(try await thief.get("/whoami").text == "ada")
            #expect(PasswordSettingsRoutesTests.events(app, "email_change_undone") == 0)
            #expect(try await PasswordSettingsRoutesTests.logIn(app, "ada", Self.password).1.status == 303)
        }
    }

    /// A thief who links their Twitter account and then, a minute later, moves the address: the undo page offers to
    /// unlink it ("not yours"); ticked, it is unlinked and its token revoked, so "Log in with Twitter" no longer lets
    /// them back in.
    @Test func aTwitterAccountLinkedJustBeforeTheChangeIsUnlinkedWhenTicked() async throws {
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        let notices = Locked<[AccountRoutes.EmailChangeNotice]>([])
        try await WebApp.run(configuration: EmailVerificationRoutesTests.configuration(outbox, notices: notices)) {
            app in
            // Given ada's confirmed account, to which the thief, signed in with her password, links his Twitter
            var ada = try await PasswordResetRoutesTests.signUpAda(app)
            let first = try await EmailVerificationRoutesTests.mails(outbox, count: 1)[0]
            _ = try await EmailVerificationRoutesTests.confirm(
                try await ada.get(try EmailVerificationRoutesTests.path(of: first)), in: &ada)
            var (thief, _) = try await PasswordSettingsRoutesTests.logIn(app, "ada", Self.password)
            #expect(try await thief.linkTwitter(WebApp.mallory).location == "/account?notice=linked")
            let stored = try #require(try await app.store.credential(for: TwitterUserID(WebApp.mallory)))
            // And then moves the address, a minute later
            app.clock.advance(by: 60)
            _ = try await thief.submit(
                "/account", to: "/account/email",
                [("new_email", "thief@example.net"), ("current_password", Self.password)])
            let mail = try await EmailVerificationRoutesTests.mails(outbox, count: 2)[1]
            _ = try await EmailVerificationRoutesTests.confirm(
                try await thief.get(try EmailVerificationRoutesTests.path(of: mail)), in: &thief)
            await app.routes.finishMails()
            let path = try Self.path(of: try #require(notices.value.first).undoLink)
            // When ada opens the link: the page offers to unlink it, naming it (escaped), unticked
            var owner = app.browser()
            let page = try await owner.get(path)
            let box = try #require(PageAccessibilityTests.tag(withID: "undo-unlink-twitter", in: page.text))
            #expect(box.contains(#"value="\#(WebApp.mallory)""#) && !box.contains("checked"))
            #expect(
                page.text.contains("@<bdi>m&lt;script&gt;</bdi>") && !page.text.contains(#"id="undo-unlinks-twitter""#))
            // And ticks it
            let undone = try await owner.post(
                "/email/undo",
                [
                    ("csrf_token", try #require(page.csrfToken)), ("token", try #require(page.hiddenValue("token"))),
                    ("password", Self.newPassword), ("unlink_twitter", String(WebApp.mallory)),
                ])
            // Then the Twitter account is unlinked and its token revoked at Twitter
            #expect(undone.location == "/account?notice=email_change_undone_unlinked")
            let account = try #require(try await app.store.account(.username("ada")))
            #expect(account.email == "ada@example.org" && account.twitter == nil)
            try await PasswordSettingsRoutesTests.expectRevoked(stored, of: WebApp.mallory, app)
            let unlinked = try #require(try await app.store.events(for: account.id).first { $0.kind == .unlinked })
            #expect(unlinked.details["reason"] == "address_change_undone")
            // And signing in through it lands in registration, not in ada's account
            var later = app.browser()
            let back = try await later.viaTwitter("/login/twitter", as: WebApp.mallory)
            #expect(back.location?.hasPrefix("/register/details?draft=") == true, "\(back.location ?? "")")
            #expect(try await later.get("/whoami").text == "nobody")
        }
    }

    /// The owner ticks "Also unlink the Twitter account" with a password the policy refuses: the page comes back with
    /// the box still ticked, so the form sent again with a good password unlinks it (until session 64 the box came
    /// back unticked, and the thief's Twitter account outlived an undo the owner thought had removed it).
    @Test func aRefusedPasswordKeepsTheUnlinkBoxTicked() async throws {
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        let notices = Locked<[AccountRoutes.EmailChangeNotice]>([])
        try await WebApp.run(configuration: EmailVerificationRoutesTests.configuration(outbox, notices: notices)) {
            app in
            var ada = try await PasswordResetRoutesTests.signUpAda(app)
            let first = try await EmailVerificationRoutesTests.mails(outbox, count: 1)[0]
            _ = try await EmailVerificationRoutesTests.confirm(
                try await ada.get(try EmailVerificationRoutesTests.path(of: first)), in: &ada)
            var (thief, _) = try await PasswordSettingsRoutesTests.logIn(app, "ada", Self.password)
            #expect(try await thief.linkTwitter(WebApp.mallory).location == "/account?notice=linked")
            app.clock.advance(by: 60)
            _ = try await thief.submit(
                "/account", to: "/account/email",
                [("new_email", "thief@example.net"), ("current_password", Self.password)])
            let mail = try await EmailVerificationRoutesTests.mails(outbox, count: 2)[1]
            _ = try await EmailVerificationRoutesTests.confirm(
                try await thief.get(try EmailVerificationRoutesTests.path(of: mail)), in: &thief)
            await app.routes.finishMails()
            let path = try Self.path(of: try #require(notices.value.first).undoLink)
            var owner = app.browser()
            let page = try await owner.get(path)
            let refused = try await owner.post(
                "/email/undo",
                [
                    ("csrf_token", try #require(page.csrfToken)), ("token", try #require(page.hiddenValue("token"))),
                    ("password", "short"), ("unlink_twitter", String(WebApp.mallory)),
                ])
            #expect(refused.status == 422)
            let box = try #require(PageAccessibilityTests.tag(withID: "undo-unlink-twitter", in: refused.text))
            #expect(PageAccessibilityTests.hasBooleanAttribute("checked", box), "\(box)")
            #expect(try await app.store.account(.username("ada"))?.twitter != nil)
            // Sent again as the page shows it (the box's value when checked), with a good password
            let value = try #require(PageAccessibilityTests.attribute("value", of: box))
            let undone = try await owner.post(
                "/email/undo",
                [
                    ("csrf_token", try #require(refused.csrfToken)),
                    ("token", try #require(refused.hiddenValue("token"))), ("password", Self.newPassword),
                    ("unlink_twitter", value),
                ])
            #expect(undone.location == "/account?notice=email_change_undone_unlinked")
            #expect(try await app.store.account(.username("ada"))?.twitter == nil)
        }
    }

    /// An undo changes the account's ways in (its address, its password, its sessions), so the restored address is
    /// told, as after a reset: an `emailChangeUndone` notice, and a `twitterUnlinked` one naming the Twitter account
    /// the undo unlinked (linked since the change). Neither holds the link.
    @Test func theRestoredAddressIsToldOfTheUndoAndOfTheTwitterAccountItUnlinked() async throws {
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        let changes = Locked<[AccountRoutes.EmailChangeNotice]>([])
        let notices = Locked<[AccountRoutes.SecurityNotice]>([])
        var configuration = EmailVerificationRoutesTests.configuration(outbox, notices: changes)
        configuration.securityNotice = { notice in notices.withLock { $0.append(notice) } }
        try await WebApp.run(configuration: configuration) { app in
            // Given ada's account moved to the thief's address, who then links his Twitter account
            var thief = try await Self.moveAdasAccount(app, outbox)
            #expect(try await thief.linkTwitter(WebApp.mallory).location == "/account?notice=linked")
            let screenName = try #require(try await app.store.account(.username("ada"))?.twitter?.screenName)
            await app.routes.finishMails()
            let path = try Self.path(of: try #require(changes.value.first).undoLink)
            let before = notices.value.count
            // When ada follows the link mailed to her address
            var ada = app.browser()
            let page = try await ada.get(path)
            let undone = try await ada.post(
                "/email/undo",
                [
                    ("csrf_token", try #require(page.csrfToken)), ("token", try #require(page.hiddenValue("token"))),
                    ("password", Self.newPassword),
                ])
            #expect(undone.location == "/account?notice=email_change_undone_unlinked")
            await app.routes.finishMails()
            // Then her address hears of the undo, and of the Twitter account it unlinked
            let told = notices.value.dropFirst(before)
            // (each in a task of its own: in either order)
            let kinds = told.map(\.change.rawValue).sorted()
            #expect(kinds == ["email_change_undone", "twitter_unlinked"], "\(kinds)")
            #expect(told.allSatisfy { $0.to == "ada@example.org" && $0.username == "ada" && $0.undoLink == nil })
            #expect(told.first { $0.change == .twitterUnlinked }?.twitterScreenName == screenName)
            let undoNotice = told.first { $0.change.rawValue == "email_change_undone" }
            #expect(undoNotice.map { "\($0)" } == "security notice (email_change_undone) for ada")
        }
    }
}
