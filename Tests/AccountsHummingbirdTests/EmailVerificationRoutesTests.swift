import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import Registration
import TestSupport
import Testing
import TwitterOAuth

/// Email confirmation through the routes, against a real server on 127.0.0.1 and a real SQLite file.
struct EmailVerificationRoutesTests {
    static let password = PasswordResetRoutesTests.password

    /// Routes that mail confirmation links into `outbox`, on `https://accounts.example/app`.
    static func configuration(
        _ outbox: Locked<[AccountRoutes.EmailVerificationMail]>,
        notices: Locked<[AccountRoutes.EmailChangeNotice]>? = nil
    ) -> AccountRoutes.Configuration {
        var routes = AccountRoutes.Configuration()
        routes.emailVerification = AccountRoutes.EmailVerificationDelivery(
            baseURL: URL(string: "https://accounts.example/")!
        ) { mail in outbox.withLock { $0.append(mail) } }
        if let notices {
            routes.emailVerification?.notifyChange = { notice in notices.withLock { $0.append(notice) } }
        }
        return routes
    }

    /// The mails in `outbox` once `count` have arrived (they go out after the answer), within a minute.
    static func mails(
        _ outbox: Locked<[AccountRoutes.EmailVerificationMail]>, count: Int
    ) async throws -> [AccountRoutes.EmailVerificationMail] {
        try await PasswordResetRoutesTests.mails(outbox, count: count)
    }

    /// The path and query of a mailed link, on the test server.
    static func path(of mail: AccountRoutes.EmailVerificationMail) throws -> String {
        let link = mail.link.revealed
        let onTheServer = link.hasPrefix("https://accounts.example/email/confirm?token=")
        #expect(onTheServer, "the mailed link is not on https://accounts.example/email/confirm (it is not printed)")
        return String(link.dropFirst("https://accounts.example".count))
    }

    /// Presses "Confirm" on the page a mailed link opened.
    static func confirm(_ page: Page, in browser: inout Browser) async throws -> Page {
        try await browser.post(
            "/email/confirm",
            [("csrf_token", try #require(page.csrfToken)), ("token", try #require(page.hiddenValue("token")))])
    }

    @Test func anEmailSignUpIsMailedALinkThatConfirmsTheAddressOnce() async throws {
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        try await WebApp.run(configuration: Self.configuration(outbox)) { app in
            // Given ada, just signed up with email
            var browser = app.browser()
            _ = try await browser.submit(
                "/signup", to: "/signup",
                [("username", "ada"), ("email", "Ada@Example.org"), ("password", Self.password)])
            // Then her address is not confirmed yet, and a link is on its way to it
            let account = try await browser.get("/account")
            #expect(
                account.text.contains("id=\"email-not-confirmed\"") && account.text.contains("id=\"send-confirmation\"")
            )
            let mails = try await Self.mails(outbox, count: 1)
            #expect(mails.count == 1 && mails[0].to == "Ada@Example.org" && mails[0].username == "ada")
            expectAbsent(mails[0].link.revealed, named: "the mailed link", in: "\(mails[0])")
            let path = try Self.path(of: mails[0])
            // When the link is opened (as a mail scanner would), nothing changes yet
            var elsewhere = app.browser()
            let page = try await elsewhere.get(path)
            #expect(page.status == 200 && page.text.contains("id=\"confirm-email-address\">Ada@Example.org</strong>"))
            #expect(page.response.headerValue("referrer-policy") == "strict-origin")
            // (no "not your account? ask for a reset link" without reset links)
            #expect(!page.text.contains("confirm-not-yours"))
            #expect(try await app.store.account(.username("ada"))?.emailVerifiedAt == nil)
            // And confirmed (from any browser: the link itself is the proof)
            let done = try await Self.confirm(page, in: &elsewhere)
            #expect(done.status == 303 && done.location == "/?notice=email_confirmed")
            #expect(try await app.store.account(.username("ada"))?.isEmailVerified == true)
            let after = try await browser.get("/account")
            #expect(after.text.contains("id=\"email-confirmed\"") && !after.text.contains("id=\"send-confirmation\""))
            // And the link works once
            let again = try await elsewhere.get(path)
            #expect(again.status == 400 && again.text.contains("id=\"confirmation-link-not-valid\""))
            let replay = try await Self.confirm(page, in: &elsewhere)
            #expect(replay.status == 400)
            // And nothing of the link reached the log
            let token = try #require(page.hiddenValue("token"))
            expectAbsent(token, named: "the confirmation token", in: app.logLines.value.joined(separator: "\n"))
        }
    }

    @Test func theAccountPageSendsANewLinkEndingTheOlderAndTwitterConfirmedAddressesGetNone() async throws {
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        try await WebApp.run(configuration: Self.configuration(outbox)) { app in
            var browser = try await PasswordResetRoutesTests.signUpAda(app)
            let first = try await Self.mails(outbox, count: 1)[0]
            // When she asks for a new link on her account page
            let sent = try await browser.submit("/account", to: "/account/email/confirm", [])
            #expect(sent.status == 303 && sent.location == "/account?notice=confirmation_sent")
            let mails = try await Self.mails(outbox, count: 2)
            #expect(mails.count == 2)
            // Then the first one no longer works, the second does
            var other = app.browser()
            #expect(try await other.get(try Self.path(of: first)).status == 400)
            #expect(try await other.get(try Self.path(of: mails[1])).status == 200)
            // And a third and fourth request within the hour send one more mail only (three an hour)
            _ = try await browser.submit("/account", to: "/account/email/confirm", [])
            _ = try await browser.submit("/account", to: "/account/email/confirm", [])
            // (every mail sent or dropped: a fourth that came late would pass a wait of fixed length)
            await app.routes.finishMails()
            #expect(outbox.withLock { $0.count } == 3)

            // Zoë registers through Twitter keeping the address Twitter confirmed: no mail, confirmed at once
            var zoe = app.browser()
            let arrival = try await zoe.viaTwitter("/register/twitter", as: WebApp.zoe)
            let done = try await zoe.finishRegistration(
                after: arrival, [("username", "zoe"), ("email", "zoe@example.com")])
            #expect(done.status == 303)
            #expect(try await zoe.get("/account").text.contains("id=\"email-confirmed\""))
            await app.routes.finishMails()
            #expect(outbox.withLock { $0.count } == 3)
        }
    }

    @Test func theAccountPageChangesTheAddressThroughALinkMailedToTheNewOne() async throws {
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        let notices = Locked<[AccountRoutes.EmailChangeNotice]>([])
        try await WebApp.run(configuration: Self.configuration(outbox, notices: notices)) { app in
            var browser = try await PasswordResetRoutesTests.signUpAda(app)
            // (her address confirmed: only a confirmed old address is told of a change)
            let first = try await Self.mails(outbox, count: 1)[0]
            let confirmPage = try await browser.get(try Self.path(of: first))
            _ = try await Self.confirm(confirmPage, in: &browser)
            let page = try await browser.get("/account")
            #expect(
                page.text.contains("id=\"change-email-form\"") && page.text.contains("id=\"email_current_password\""))
            // A wrong password changes nothing and sends nothing
            let wrong = try await browser.submit(
                "/account", to: "/account/email", [("new_email", "ada@new.example"), ("current_password", "nope nope")])
            #expect(
                wrong.status == 401 && wrong.text.contains("id=\"email-error\">The current password is not correct."))
            // A bad address is named
            let bad = try await browser.submit(
                "/account", to: "/account/email", [("new_email", "ada"), ("current_password", Self.password)])
            #expect(bad.status == 422 && bad.text.contains("The new address must contain &#39;@&#39;"), "\(bad.text)")
            await app.routes.finishMails()
            #expect(outbox.withLock { $0.count } == 1)
            // With the password, a link goes to the new address; the account keeps its own until it is followed
            let sent = try await browser.submit(
                "/account", to: "/account/email",
                [("new_email", "ada@new.example"), ("current_password", Self.password)])
            #expect(sent.status == 303 && sent.location == "/account?notice=email_change_sent")
            let mail = try await Self.mails(outbox, count: 2)[1]
            #expect(mail.to == "ada@new.example" && mail.changesAddress)
            #expect(try await app.store.account(.username("ada"))?.email == "ada@example.org")
            let confirm = try await browser.get(try Self.path(of: mail))
            #expect(confirm.text.contains("is to be the new address of"))
            let done = try await Self.confirm(confirm, in: &browser)
            #expect(done.status == 303 && done.location == "/account?notice=email_changed")
            let after = try await browser.get(try #require(done.location))
            #expect(after.text.contains("id=\"account-email\">ada@new.example</span>"))
            // And the old address is told, with no link
            let told = try await PasswordResetRoutesTests.mails(notices, count: 1)
            #expect(told.count == 1 && told[0].to == "ada@example.org" && told[0].newAddress == "ada@new.example")
            #expect(
                after.text.contains("id=\"email-confirmed\"")
                    && after.text.contains("class=\"event-kind\">email_changed<"))
            // And the account's trail says which address it moved from, and to
            #expect(
                after.text.contains(
                    "<td>method: <bdi>link</bdi>, new_email: <bdi>ada@new.example</bdi>, old_email: <bdi>ada@example.org</bdi></td>"
                ))
        }
    }

    /// Past the account's links an hour a change sends nothing, and the answer says so rather than "a link is on its
    /// way".
    @Test func aChangePastTheAccountsLinksAnHourSaysNoneWasSent() async throws {
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        try await WebApp.run(configuration: Self.configuration(outbox)) { app in
            var browser = try await PasswordResetRoutesTests.signUpAda(app)
            var answers: [String] = []
            for index in 1...3 {
                let asked = try await browser.submit(
                    "/account", to: "/account/email",
                    [("new_email", "ada\(index)@new.example"), ("current_password", Self.password)])
                answers.append(asked.location ?? "status \(asked.status)")
            }
            // (the sign-up's link and two changes are the three of the hour)
            #expect(
                answers == [
                    "/account?notice=email_change_sent", "/account?notice=email_change_sent",
                    "/account?notice=email_change_limited",
                ])
            #expect(countQuery(app.databasePath, "SELECT count(*) FROM email_verifications") == 3)
            let page = try await browser.get("/account?notice=email_change_limited")
            // (no figure: the limit is the app's setting, not always three an hour)
            #expect(page.text.contains("No link was sent: this account has been mailed as many links as it may be"))
            #expect(
                Set(try await Self.mails(outbox, count: 3).map(\.to)) == [
                    "ada@example.org", "ada1@new.example", "ada2@new.example",
                ])
        }
    }

    /// An account made through Twitter has no password to check: it changes its address only soon after signing in.
    @Test func anAccountWithoutAPasswordChangesItsAddressOnlySoonAfterSigningIn() async throws {
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        try await WebApp.run(configuration: Self.configuration(outbox)) { app in
            var browser = app.browser()
            let arrival = try await browser.viaTwitter("/register/twitter", as: WebApp.zoe)
            let form = try await browser.get(try #require(arrival.location))
            _ = try await browser.post(
                "/register/complete",
                [
                    ("csrf_token", try #require(form.csrfToken)), ("draft", try #require(form.hiddenValue("draft"))),
                    ("username", "zoe"), ("email", "zoe@example.com"),
                ])
            let page = try await browser.get("/account")
            #expect(page.text.contains("id=\"change-email-form\"") && !page.text.contains("email_current_password"))
            app.clock.advance(by: 11 * 60)
            let late = try await browser.submit("/account", to: "/account/email", [("new_email", "zoe@new.example")])
            #expect(late.status == 403 && late.text.contains("log in with Twitter again first"))
            await app.routes.finishMails()
            #expect(outbox.withLock { $0.isEmpty })
        }
    }

    @Test func withoutTheSettingThereAreNoConfirmationRoutesOrMails() async throws {
        try await WebApp.run { app in
            var browser = try await PasswordResetRoutesTests.signUpAda(app)
            let account = try await browser.get("/account")
            #expect(account.text.contains("id=\"email-not-confirmed\"") && !account.text.contains("send-confirmation"))
            #expect(try await browser.get("/email/confirm?token=" + String(repeating: "a", count: 64)).status == 404)
            #expect(countQuery(app.databasePath, "SELECT count(*) FROM email_verifications") == 0)
        }
    }

    /// Every email sign-up mails a link to whatever address was typed, so `signUpsPerClient` bounds "the mail it can
    /// send a stranger". "Send a confirmation link" on the account page mails that same stranger again (three an hour
    /// for each account the client made, with no end: `name+1@…`, `name+2@…` are all one mailbox), and is counted
    /// nowhere per client. Past the client's limit it must be refused too, mailing nothing.
    @Test func confirmationLinksAskedForAgainCountTowardsTheClientsLimitOnMailToStrangers() async throws {
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        var routes = EmailVerificationRoutesTests.configuration(outbox)
        routes.signUpsPerClient = RegistrationService.Rate(1, per: 60 * 60)
        routes.signUpsPerNetwork = nil
        try await WebApp.run(configuration: routes) { app in
            // Given the client's one sign-up of the hour, with a stranger's address: one mail to it
            var browser = app.browser()
            let made = try await browser.submit(
                "/signup", to: "/signup",
                [("username", "ada"), ("email", "ada@example.org"), ("password", Self.password)])
            #expect(made.status == 303)
            _ = try await EmailVerificationRoutesTests.mails(outbox, count: 1)
            // (a second sign-up, to the same mailbox, is refused: the limit holds there)
            var second = app.browser()
            let refused = try await second.submit(
                "/signup", to: "/signup",
                [("username", "ada2"), ("email", "ada+2@example.org"), ("password", Self.password)])
            #expect(refused.status == 429)
            // When the same client asks for the link again from the account it made
            let resent = try await browser.submit("/account", to: "/account/email/confirm", [])
            // Then that is over the client's limit too: no link is issued, so none is mailed
            #expect(resent.status == 429, "answered \(resent.status) \(resent.location ?? "")")
            #expect(resent.text.contains("id=\"address-checks-refused\""))
            #expect(countQuery(app.databasePath, "SELECT count(*) FROM email_verifications") == 1)
        }
    }
}

extension EmailVerificationRoutesTests {
    /// Another account's address is named and refused (422); an address another account took after the link was sent
    /// is not taken from it when the link is followed (409), and the account keeps its own.
    @Test func aTakenAddressIsRefusedWhenAskedForAndWhenTheLinkIsFollowed() async throws {
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        try await WebApp.run(configuration: Self.configuration(outbox)) { app in
            var browser = try await PasswordResetRoutesTests.signUpAda(app)
            _ = try await app.store.createAccount(
                NewAccount(
                    username: try Username(validating: "bob"), email: try EmailAddress(validating: "bob@example.org")))
            let taken = try await browser.submit(
                "/account", to: "/account/email",
                [("new_email", "BOB@example.org"), ("current_password", Self.password)])
            #expect(taken.status == 422 && taken.text.contains("already belongs to another account"))
            let sent = try await browser.submit(
                "/account", to: "/account/email",
                [("new_email", "shared@example.org"), ("current_password", Self.password)])
            #expect(sent.status == 303)
            let mail = try #require(try await Self.mails(outbox, count: 2).last)
            #expect(mail.to == "shared@example.org" && mail.changesAddress)
            _ = try await app.store.createAccount(
                NewAccount(
                    username: try Username(validating: "carl"),
                    email: try EmailAddress(validating: "Shared@Example.org")))
            let confirm = try await browser.get(try Self.path(of: mail))
            let refused = try await Self.confirm(confirm, in: &browser)
            #expect(refused.status == 409 && refused.text.contains("id=\"changed-address-taken\""))
            #expect(try await app.store.account(.username("ada"))?.email == "ada@example.org")
        }
    }
}

extension EmailVerificationRoutesTests {
    /// An old address nobody confirmed (a typo, or someone else's) is not told of a change: the notice would hand a
    /// stranger the username and the new address.
    @Test func anUnconfirmedOldAddressIsNotToldOfAChange() async throws {
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        let notices = Locked<[AccountRoutes.EmailChangeNotice]>([])
        try await WebApp.run(configuration: Self.configuration(outbox, notices: notices)) { app in
            var browser = app.browser()
            _ = try await browser.submit(
                "/signup", to: "/signup",
                [("username", "ada"), ("email", "ada@exmaple.org"), ("password", Self.password)])
            _ = try await browser.submit(
                "/account", to: "/account/email",
                [("new_email", "ada@example.org"), ("current_password", Self.password)])
            let mail = try await Self.mails(outbox, count: 2)[1]
            let confirm = try await browser.get(try Self.path(of: mail))
            let done = try await Self.confirm(confirm, in: &browser)
            #expect(done.location == "/account?notice=email_changed")
            await app.routes.finishMails()
            #expect(notices.withLock { $0.isEmpty })
        }
    }
}

extension EmailVerificationRoutesTests {
    /// These mails have a place of their own, apart from reset mails (with no reset configured, one held up no longer
    /// held back the next sign-up's). With `maximumInFlight` of them under way, a change of address or a new link
    /// is answered 503 and issues nothing: a link issued that could not be mailed would end the older one.
    @Test func aBusyMailerRefusesWhatItCannotSendAndChangesNothing() async throws {
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        let entered = Locked(0)
        let gate = Locked(false)
        var routes = AccountRoutes.Configuration()
        var delivery = AccountRoutes.EmailVerificationDelivery(baseURL: URL(string: "https://accounts.example/")!) {
            mail in
            // A mail server that takes its time
            entered.withLock { $0 += 1 }
            while !gate.value { try await Task.sleep(for: .milliseconds(5)) }
            outbox.withLock { $0.append(mail) }
        }
        delivery.maximumInFlight = 2
        routes.emailVerification = delivery
        try await WebApp.run(configuration: routes) { app in
            // Given ada and bob just signed up, their mails held up by the mail server
            var ada = try await PasswordResetRoutesTests.signUpAda(app)
            var bob = app.browser()
            _ = try await bob.submit(
                "/signup", to: "/signup",
                [("username", "bob"), ("email", "bob@example.org"), ("password", Self.password)])
            try await eventually { entered.value >= 2 }
            // Then both are under way at once
            #expect(entered.value == 2)
            let links = { countQuery(app.databasePath, "SELECT count(*) FROM email_verifications") }
            #expect(links() == 2)

            // When ada asks to change her address, and for a new link, while two mails are under way
            let change = [("new_email", "ada@new.example"), ("current_password", Self.password)]
            let busy = try await ada.submit("/account", to: "/account/email", change)
            let again = try await ada.submit("/account", to: "/account/email/confirm", [])
            // Then she is told to try again in a minute, and nothing is issued
            for refused in [busy, again] {
                #expect(refused.status == 503 && refused.response.headerValue("retry-after") == "60")
                #expect(refused.text.contains("Too many mails are being sent just now"), "\(refused.text)")
            }
            #expect(links() == 2)
            #expect(try await app.store.account(.username("ada"))?.email == "ada@example.org")
            #expect(app.logLines.value.contains { $0.contains("email change mail dropped: too many mails under way") })

            // When the mail server catches up
            gate.withLock { $0 = true }
            let mails = try await Self.mails(outbox, count: 2)
            #expect(Set(mails.map(\.to)) == ["ada@example.org", "bob@example.org"])
            // Then the link it held up works, and the change now goes through
            let first = try #require(mails.first { $0.to == "ada@example.org" })
            let confirmed = try await Self.confirm(try await ada.get(try Self.path(of: first)), in: &ada)
            #expect(confirmed.location == "/account?notice=email_confirmed")
            let sent = try await ada.submit("/account", to: "/account/email", change)
            #expect(sent.status == 303 && sent.location == "/account?notice=email_change_sent")
            let changing = try #require(try await Self.mails(outbox, count: 3).last)
            #expect(changing.to == "ada@new.example" && changing.changesAddress)
            let changed = try await Self.confirm(try await ada.get(try Self.path(of: changing)), in: &ada)
            #expect(changed.location == "/account?notice=email_changed")
            #expect(try await app.store.account(.username("ada"))?.email == "ada@new.example")
            await app.routes.finishMails()
        }
    }
}

extension EmailVerificationRoutesTests {
    /// The notice to a confirmed old address is what tells its owner that someone with the password moved the account
    /// elsewhere. With `maximumInFlight` mails under way (a slow mail server, or sign-ups sent to fill it), the change
    /// must not go through without it: it is answered 503 and changes nothing, and the link still works after.
    @Test func aChangeOfAddressIsNotMadeWithoutItsNoticeWhenTheMailerIsBusy() async throws {
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        let notices = Locked<[AccountRoutes.EmailChangeNotice]>([])
        let held = Locked(0)
        let gate = Locked(false)
        var routes = AccountRoutes.Configuration()
        var delivery = AccountRoutes.EmailVerificationDelivery(baseURL: URL(string: "https://accounts.example/")!) {
            mail in
            // Mails to bob wait for the mail server; the others go at once
            if mail.to == "bob@example.org" {
                held.withLock { $0 += 1 }
                while !gate.value { try await Task.sleep(for: .milliseconds(5)) }
            }
            outbox.withLock { $0.append(mail) }
        }
        delivery.notifyChange = { notice in notices.withLock { $0.append(notice) } }
        delivery.maximumInFlight = 1
        routes.emailVerification = delivery
        try await WebApp.run(configuration: routes) { app in
            // Given ada, her address confirmed, with a change link to ada@new.example open in her browser
            var ada = try await PasswordResetRoutesTests.signUpAda(app)
            let first = try await Self.mails(outbox, count: 1)[0]
            _ = try await Self.confirm(try await ada.get(try Self.path(of: first)), in: &ada)
            _ = try await ada.submit(
                "/account", to: "/account/email",
                [("new_email", "ada@new.example"), ("current_password", Self.password)])
            let change = try await Self.mails(outbox, count: 2)[1]
            #expect(change.changesAddress)
            await app.routes.finishMails()
            let page = try await ada.get(try Self.path(of: change))
            // And bob's sign-up mail holding the one place
            var bob = app.browser()
            _ = try await bob.submit(
                "/signup", to: "/signup",
                [("username", "bob"), ("email", "bob@example.org"), ("password", Self.password)])
            try await eventually { held.value >= 1 }
            #expect(held.value == 1)

            // When she presses Confirm while it is under way
            let busy = try await Self.confirm(page, in: &ada)
            let movedWhileBusy = try await app.store.account(.username("ada"))?.email == "ada@new.example"
            gate.withLock { $0 = true }
            await app.routes.finishMails()
            // Then the address did not move without its notice
            #expect(!movedWhileBusy || notices.value.count == 1, "the address changed and the old one was not told")
            // And she was told to try again in a minute, nothing changed
            #expect(busy.status == 503 && busy.response.headerValue("retry-after") == "60", "\(busy.status)")
            #expect(!movedWhileBusy)
            // And once the mail server caught up, the same link changes it and the old address is told
            let done = try await Self.confirm(page, in: &ada)
            #expect(done.status == 303 && done.location == "/account?notice=email_changed")
            #expect(try await app.store.account(.username("ada"))?.email == "ada@new.example")
            let told = try await PasswordResetRoutesTests.mails(notices, count: 1)
            #expect(told.count == 1 && told.first?.to == "ada@example.org")
        }
    }

    /// A wrong current password is answered after `failureFloor`; the place taken for the change's mail must not be
    /// held through that wait, or a few wrong passwords keep everyone's confirmation links from being sent.
    @Test func aWrongPasswordForAChangeOfAddressHoldsNoMailPlaceThroughTheFailureFloor() async throws {
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        var routes = Self.configuration(outbox)
        routes.emailVerification?.maximumInFlight = 1
        try await WebApp.run(configuration: routes, failureFloor: .seconds(2)) { app in
            // Given ada, signed up, her mail sent
            let ada = try await PasswordResetRoutesTests.signUpAda(app)
            _ = try await Self.mails(outbox, count: 1)
            await app.routes.finishMails()
            // When she asks for a change of address with a wrong password (answered after the 2 s floor)
            let wrong = Task {
                var browser = ada
                return try await browser.submit(
                    "/account", to: "/account/email",
                    [("new_email", "ada@new.example"), ("current_password", "not the password")])
            }
            // (the change counts its attempt, checks the password, a millisecond's hash at the tests' cost, gives
            // the place back and waits out the floor: wait for the count, then well past the hash)
            let attempts = "SELECT count(*) FROM sign_in_failures WHERE login_key LIKE 'current-password:%'"
            #expect(try await eventually { countQuery(app.databasePath, attempts) > 0 })
            try await Task.sleep(for: .milliseconds(300))
            // And bob signs up meanwhile
            var bob = app.browser()
            let signedUp = try await bob.submit(
                "/signup", to: "/signup",
                [("username", "bob"), ("email", "bob@example.org"), ("password", Self.password)])
            #expect(signedUp.status == 303)
            let refused = try await wrong.value
            #expect(refused.status == 401)
            await app.routes.finishMails()
            // Then bob's confirmation link was sent all the same
            #expect(outbox.value.contains { $0.to == "bob@example.org" }, "bob's link was dropped")
            #expect(!app.logLines.value.contains { $0.contains("mail dropped: too many mails under way") })
        }
    }
}
