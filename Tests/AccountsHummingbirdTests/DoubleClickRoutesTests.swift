import AccountCrypto
import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import TestSupport
import Testing

/// Forms sent twice at once from one browser (a double click, two tabs with one cookie): the second is answered with
/// what the first did, not with a page that says something false. Each race is played in its losing order: the
/// second request has read its session and waits to write (another connection holds the write lock), and the first
/// one's transaction is committed then, as the store writes it.
struct DoubleClickRoutesTests {
    static let password = PasswordResetRoutesTests.password

    /// The first click's transaction of a change of the account's ways in made from `browser`'s session: the session
    /// rekeyed in place (its row given a new id), and the change's event.
    static func rekeyingChangeSQL(_ app: WebApp, of browser: Browser, event kind: String) throws -> String {
        let old = SHA256.hexDigest(Array(try #require(browser.sessionID).utf8))
        let new = SHA256.hexDigest(Array("the first click's new session id".utf8))
        return """
            UPDATE browser_sessions SET token_hash = '\(new)' WHERE token_hash = '\(old)';
            INSERT INTO account_events (kind, subject, actor, details, occurred_at)
            SELECT '\(kind)', public_id, 'user', '{}', \(TwoDevicesTests.momentAfter(app))
            FROM users WHERE username = 'ada';
            """
    }

    /// `fields` posted to `path` from `browser` (with its account page's CSRF token) while `firstClick` commits: the
    /// answer.
    static func post(
        _ app: WebApp, _ browser: Browser, _ path: String, _ fields: [(String, String)],
        whileCommitting firstClick: String
    ) async throws -> Page {
        var reader = browser
        let csrf = try #require(try await reader.get("/account").csrfToken)
        let holder = try CommittingLockHolder(path: app.databasePath)
        let second = Task { [browser] in
            var tab = browser
            return try await tab.post(path, [("csrf_token", csrf)] + fields)
        }
        try #require(try await writesReached(1, in: app.store), "the second click never reached its write")
        try holder.commit(firstClick)
        return try await second.value
    }

    /// "Change password" clicked twice: the second, whose session the first gave a new id, is answered as the change
    /// (the browser holds the new id from the first answer), and is not made: its password does not log in. Until
    /// session 64 it was `/login?notice=sessions_ended`, "nothing was changed. Please log in again".
    @Test func aPasswordChangeSentTwiceAnswersTheSecondAsChanged() async throws {
        try await WebApp.run { app in
            let ada = try await PasswordResetRoutesTests.signUpAda(app)
            let answer = try await Self.post(
                app, ada, "/account/password",
                [("current_password", Self.password), ("new_password", "the second click's new password")],
                whileCommitting: try Self.rekeyingChangeSQL(app, of: ada, event: "password_changed"))

            #expect(answer.location == "/account?notice=password_changed", "\(answer.status)")
            // (no cookie: the browser keeps the first answer's)
            #expect(!answer.setCookies.contains { $0.hasPrefix("accounts_session=") })
            #expect(PasswordSettingsRoutesTests.events(app, "password_changed") == 1)
            let (_, login) = try await PasswordSettingsRoutesTests.logIn(app, "ada", "the second click's new password")
            #expect(login.location != "/account?notice=signed_in", "the second click's change was made")
        }
    }

    /// The session given a new id by another change than the one asked (Twitter unlinked in one tab, the password
    /// changed in the other): the generic answer, which does not say the change asked for was made.
    @Test func aChangeRefusedAfterAnotherChangeOfTheSameSessionIsNotToldAsMade() async throws {
        try await WebApp.run { app in
            let ada = try await PasswordResetRoutesTests.signUpAda(app)
            let answer = try await Self.post(
                app, ada, "/account/password",
                [("current_password", Self.password), ("new_password", "the second tab's new password")],
                whileCommitting: try Self.rekeyingChangeSQL(app, of: ada, event: "unlinked"))

            #expect(answer.location == "/login?notice=sessions_ended", "\(answer.status)")
        }
    }

    /// "Delete account" clicked twice: the second, whose account the first deleted, says the account was deleted and
    /// clears the cookie (until session 64: "nothing was changed. Please log in again").
    @Test func anAccountDeletionSentTwiceAnswersTheSecondAsDeleted() async throws {
        try await WebApp.run { app in
            let ada = try await PasswordResetRoutesTests.signUpAda(app)
            let answer = try await Self.post(
                app, ada, "/account/delete", [("confirm", "yes"), ("current_password", Self.password)],
                whileCommitting: """
                    INSERT INTO account_events (kind, subject, actor, details, occurred_at)
                    SELECT 'deleted', public_id, 'user', '{}', \(TwoDevicesTests.momentAfter(app))
                    FROM users WHERE username = 'ada';
                    DELETE FROM users WHERE username = 'ada';
                    """)

            #expect(answer.location == "/?notice=account_deleted", "\(answer.status)")
            #expect(answer.setCookies.contains { $0.hasPrefix("accounts_session=;") || $0.contains("Max-Age=0") })
        }
    }

    /// "Sign out everywhere" clicked twice: the second, whose session the first ended with every other, is answered as
    /// the first was, the cookie cleared; it revokes nothing more.
    @Test func signingOutEverywhereTwiceAnswersTheSecondAsSignedOut() async throws {
        try await WebApp.run { app in
            let ada = try await PasswordResetRoutesTests.signUpAda(app)
            let answer = try await Self.post(
                app, ada, "/account/sign-out-everywhere", [],
                whileCommitting: """
                    DELETE FROM browser_sessions WHERE user_id = (SELECT id FROM users WHERE username = 'ada');
                    INSERT INTO account_events (kind, subject, actor, details, occurred_at)
                    SELECT 'sessions_revoked', public_id, 'user', '{"sessions":"1"}', \(TwoDevicesTests.momentAfter(app))
                    FROM users WHERE username = 'ada';
                    """)

            #expect(answer.location == "/?notice=signed_out_everywhere", "\(answer.status)")
            #expect(answer.setCookies.contains { $0.hasPrefix("accounts_session=;") || $0.contains("Max-Age=0") })
            #expect(PasswordSettingsRoutesTests.events(app, "sessions_revoked") == 1)
        }
    }

    /// The log-in page a refused change goes to does not say nothing was changed: the first of two clicks, or another
    /// tab, may have made the change that signed the browser out.
    @Test func theSignedOutNoticeDoesNotSayNothingWasChanged() async throws {
        try await WebApp.run { app in
            var browser = app.browser()
            let page = try await browser.get("/login?notice=sessions_ended")
            #expect(!page.text.contains("nothing was changed"))
            #expect(page.text.contains("If you sent it twice, the first may have been made"))
        }
    }

    /// "Sign out" in one tab while a password change from another tab (one cookie) gives the session a new id: the
    /// sign-out ends the session under its new id too. Until session 64 it deleted the row by the old id, found
    /// none, said "You signed out", and the session lived on.
    @Test func aSignOutEndsTheSessionAChangeGaveANewIdMeanwhile() async throws {
        try await WebApp.run { app in
            let ada = try await PasswordResetRoutesTests.signUpAda(app)
            let answer = try await Self.post(
                app, ada, "/sign-out", [],
                whileCommitting: try Self.rekeyingChangeSQL(app, of: ada, event: "password_changed"))

            #expect(answer.location == "/?notice=signed_out", "\(answer.status)")
            let live = countQuery(
                app.databasePath,
                "SELECT count(*) FROM browser_sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'ada'")
            #expect(live == 0, "the session lives on under the id the change gave it")
        }
    }

    /// "Link Twitter account" confirmed twice: the second confirmation, whose link finds the Twitter account linked
    /// to this account by the first, is answered as linked, with one `linked` event (until session 64:
    /// "That Twitter account is already linked to another account"). Played with two approvals of one Twitter
    /// account, each on its confirmation page, the second confirmed after the first.
    @Test func aLinkConfirmedTwiceAnswersTheSecondAsLinked() async throws {
        try await WebApp.run { app in
            var ada = try await PasswordResetRoutesTests.signUpAda(app)
            let firstArrival = try await ada.viaTwitter("/account/twitter/link", as: WebApp.zoe, startPage: "/account")
            let firstConfirm = try await ada.get(try #require(firstArrival.location))
            let secondArrival = try await ada.viaTwitter(
                "/account/twitter/link", as: WebApp.zoe, startPage: "/account")
            let secondConfirm = try await ada.get(try #require(secondArrival.location))
            for confirm in [firstConfirm, secondConfirm] {
                let linked = try await ada.post(
                    "/register/link",
                    [
                        ("csrf_token", try #require(confirm.csrfToken)),
                        ("draft", try #require(confirm.hiddenValue("draft"))),
                    ])
                #expect(linked.location == "/account?notice=linked", "\(linked.status)")
            }
            #expect(PasswordSettingsRoutesTests.events(app, "linked") == 1)
        }
    }
}
