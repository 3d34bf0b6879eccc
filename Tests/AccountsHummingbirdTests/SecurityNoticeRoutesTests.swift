import AccountModel
import AccountsHummingbird
import Foundation
import TestSupport
import Testing
import TwitterOAuth

/// Security notices: the account's confirmed address hears of every change to its ways in, and of its deletion, so
/// that its owner learns of what they did not do; an unconfirmed address hears nothing.
struct SecurityNoticeRoutesTests {
    static let password = PasswordResetRoutesTests.password
    static let newPassword = PasswordResetRoutesTests.newPassword

    static func configuration(_ notices: Locked<[AccountRoutes.SecurityNotice]>) -> AccountRoutes.Configuration {
        var routes = AccountRoutes.Configuration()
        routes.securityNotice = { notice in notices.withLock { $0.append(notice) } }
        return routes
    }

    /// The changes told so far, once the notices under way are sent.
    static func told(_ app: WebApp, _ notices: Locked<[AccountRoutes.SecurityNotice]>) async
        -> [AccountRoutes.SecurityNotice.Change]
    {
        await app.routes.finishMails()
        return notices.value.map(\.change)
    }

    @Test func everyChangeToTheWaysInOfAConfirmedAddressIsTold() async throws {
        let notices = Locked<[AccountRoutes.SecurityNotice]>([])
        try await WebApp.run(configuration: Self.configuration(notices)) { app in
            // Given Ada, signed up with email, her address not confirmed yet: a change is not told
            var browser = try await PasswordResetRoutesTests.signUpAda(app)
            let changed = try await browser.submit(
                "/account", to: "/account/password",
                [("current_password", Self.password), ("new_password", Self.newPassword)])
            #expect(changed.location == "/account?notice=password_changed")
            #expect(await Self.told(app, notices).isEmpty)

            // When her address is confirmed, each change is told to it
            try executeSQL(app.databasePath, "UPDATE users SET email_verified_at = 1 WHERE username = 'ada'")
            let back = try await browser.submit(
                "/account", to: "/account/password",
                [("current_password", Self.newPassword), ("new_password", Self.password)])
            #expect(back.location == "/account?notice=password_changed")
            #expect(try await browser.linkTwitter(WebApp.zoe).location == "/account?notice=linked")
            try backdateTwitterLinks(of: app.store)
            let removed = try await browser.submit(
                "/account", to: "/account/password/remove", [("current_password", Self.password)])
            #expect(removed.location == "/account?notice=password_removed")
            let added = try await browser.submit(
                "/account", to: "/account/password/add", [("new_password", Self.newPassword)])
            #expect(added.location == "/account?notice=password_added")
            let unlinked = try await browser.submit(
                "/account", to: "/account/twitter/unlink", [("current_password", Self.newPassword)])
            #expect(unlinked.location == "/account?notice=unlinked")
            let deleted = try await browser.submit(
                "/account", to: "/account/delete", [("confirm", "yes"), ("current_password", Self.newPassword)])
            #expect(deleted.location == "/?notice=account_deleted")

            // Then the address heard of each, in order, for Ada, with the Twitter account named where one is
            #expect(
                await Self.told(app, notices) == [
                    .passwordChanged, .twitterLinked, .passwordRemoved, .passwordAdded, .twitterUnlinked,
                    .accountDeleted,
                ])
            let sent = notices.value
            #expect(sent.allSatisfy { $0.to == "ada@example.org" && $0.username == "ada" })
            let zoe = "zoe_angstrom"
            #expect(sent.map(\.twitterScreenName) == [nil, zoe, nil, nil, zoe, nil])
            // And no notice holds a password
            let text = sent.map { "\($0) \($0.change.sentence)" }.joined(separator: "\n")
            let holdsPassword = text.contains(Self.password) || text.contains(Self.newPassword)
            #expect(!holdsPassword)
        }
    }

    /// A sign-in from a browser the account never signed in from is told, with the browser named; one from a browser
    /// it used before, or the account's first (its sign-up), is not.
    @Test func aSignInFromANewBrowserIsTold() async throws {
        let notices = Locked<[AccountRoutes.SecurityNotice]>([])
        try await WebApp.run(configuration: Self.configuration(notices)) { app in
            // Given Ada, who signed up on a Linux Firefox, her address confirmed
            var laptop = app.browser()
            laptop.extraHeaders = [HTTPHeader(name: "User-Agent", value: SessionListRoutesTests.firefox)]
            _ = try await laptop.submit(
                "/signup", to: "/signup",
                [("username", "ada"), ("email", "ada@example.org"), ("password", Self.password)])
            try executeSQL(app.databasePath, "UPDATE users SET email_verified_at = 1 WHERE username = 'ada'")
            // When she logs in again on the laptop, then on an iPhone, then on the iPhone again
            _ = try await SessionListRoutesTests.logIn(app, as: SessionListRoutesTests.firefox)
            #expect(await Self.told(app, notices).isEmpty)
            _ = try await SessionListRoutesTests.logIn(app, as: SessionListRoutesTests.iPhone)
            _ = try await SessionListRoutesTests.logIn(app, as: SessionListRoutesTests.iPhone)
            // Then only the iPhone's first sign-in is told, naming it
            #expect(await Self.told(app, notices) == [.newDevice])
            #expect(notices.value.first?.device == "Safari on iPhone")
            #expect(notices.value.first?.to == "ada@example.org")
            // And a browser saying nothing we know is told as one device, "An unknown browser" (a script must not
            // sign in unannounced by sending an odd User-Agent, or none), once
            _ = try await SessionListRoutesTests.logIn(app, as: "SomethingNew/1.0")
            #expect(await Self.told(app, notices) == [.newDevice, .newDevice])
            #expect(notices.value.last?.device == "An unknown browser")
            _ = try await SessionListRoutesTests.logIn(app, as: "")
            #expect(await Self.told(app, notices) == [.newDevice, .newDevice])
        }
    }

    /// A refused change is not told: nothing changed.
    @Test func aRefusedChangeIsNotTold() async throws {
        let notices = Locked<[AccountRoutes.SecurityNotice]>([])
        try await WebApp.run(configuration: Self.configuration(notices)) { app in
            var browser = try await PasswordResetRoutesTests.signUpAda(app)
            try executeSQL(app.databasePath, "UPDATE users SET email_verified_at = 1 WHERE username = 'ada'")
            let refused = try await browser.submit(
                "/account", to: "/account/password",
                [("current_password", "not the password"), ("new_password", Self.newPassword)])
            #expect(refused.status == 401)
            #expect(await Self.told(app, notices).isEmpty)
        }
    }

    /// A password chosen through a reset link is told to the address, which the link has just confirmed.
    @Test func aPasswordResetIsTold() async throws {
        let notices = Locked<[AccountRoutes.SecurityNotice]>([])
        let resets = Locked<[AccountRoutes.PasswordResetMail]>([])
        var configuration = PasswordResetRoutesTests.configuration(resets)
        configuration.securityNotice = { notice in notices.withLock { $0.append(notice) } }
        try await WebApp.run(configuration: configuration) { app in
            var browser = try await PasswordResetRoutesTests.signUpAda(app)
            _ = try await browser.submit("/account", to: "/sign-out", [])
            _ = try await browser.submit("/password/forgot", to: "/password/forgot", [("email", "ada@example.org")])
            let mail = try #require(try await PasswordResetRoutesTests.mails(resets, count: 1).first)
            let components = URLComponents(string: mail.link.revealed)
            let path = try #require(components?.path)
            let query = try #require(components?.percentEncodedQuery)
            let form = try await browser.get(path + "?" + query)
            let reset = try await browser.post(
                "/password/reset",
                [
                    ("csrf_token", try #require(form.csrfToken)), ("token", try #require(form.hiddenValue("token"))),
                    ("password", Self.newPassword),
                ])
            #expect(reset.location == "/account?notice=password_reset")
            #expect(await Self.told(app, notices) == [.passwordReset])
            #expect(notices.value.first?.to == "ada@example.org")
        }
    }
}
