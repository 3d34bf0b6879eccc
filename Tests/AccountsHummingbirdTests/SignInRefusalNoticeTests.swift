import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// A sign-in whose checks passed, but whose session the store refused to write because the account was disabled or
/// deleted, or had every session ended, in between (`sign_in_refused`, reason `disabled`, `deleted` or
/// `sessions_ended`), sends the person to the page that says which, with the password and with Twitter alike. Until
/// session 52 each went to `/login?notice=sessions_ended`, which told the owner of a disabled or deleted account that
/// their sessions had ended and to log in again.
struct SignInRefusalNoticeTests {
    /// What lands between a sign-in's checks and its session's write.
    enum Change: String, CaseIterable, Sendable {
        case disabled, deleted
        case sessionsEnded = "sessions_ended"

        /// A trigger that makes the change in the transaction that records the sign-in (its `signed_in` event, the
        /// last thing the checks write), as an operator or another device committing just after it would: the
        /// sign-in's checks have passed by then, and its session is written next, in a transaction of its own.
        var trigger: String {
            let subject = "(SELECT id FROM users WHERE public_id = NEW.subject)"
            let (statements, event): (String, String) =
                switch self {
                case .disabled:
                    (
                        "UPDATE users SET status = 'disabled' WHERE public_id = NEW.subject; "
                            + "DELETE FROM browser_sessions WHERE user_id = \(subject);", "disabled"
                    )
                case .deleted: ("DELETE FROM users WHERE public_id = NEW.subject;", "deleted")
                case .sessionsEnded: ("DELETE FROM browser_sessions WHERE user_id = \(subject);", "sessions_revoked")
                }
            return """
                CREATE TRIGGER change_in_the_window AFTER INSERT ON account_events WHEN NEW.kind = 'signed_in'
                BEGIN
                    \(statements)
                    INSERT INTO account_events (kind, subject, actor, details, occurred_at)
                    VALUES ('\(event)', NEW.subject, 'cli', '{}', NEW.occurred_at);
                END;
                """
        }

        /// Where the refused sign-in sends the browser, and what that page says.
        var answer: (location: String, text: String) {
            switch self {
            case .disabled: ("/?notice=account_disabled", "This account is disabled. Please contact the site")
            case .deleted: ("/?notice=account_deleted", "Your account was deleted, and every session of it has ended.")
            case .sessionsEnded: ("/login?notice=sessions_ended", "This browser was signed out (the account")
            }
        }
    }

    /// The two ways in that check a secret and then open a session.
    enum Way: String, CaseIterable, Sendable {
        case password, twitter
    }

    @Test(arguments: Change.allCases, Way.allCases)
    func aSignInRefusedAtItsSessionWriteSaysWhy(change: Change, way: Way) async throws {
        try await WebApp.run { app in
            // Given an account, signed out: ada with a password, or taro made through Twitter
            var browser = app.browser()
            let username: String
            switch way {
            case .password:
                var ada = try await PasswordResetRoutesTests.signUpAda(app)
                _ = try await ada.submit("/account", to: "/sign-out", [])
                username = "ada"
            case .twitter:
                var taro = try await PasswordSettingsRoutesTests.registerTaro(app)
                _ = try await taro.submit("/account", to: "/sign-out", [])
                username = "taro"
            }
            let user = try #require(try await app.store.account(.username(username))).id
            #expect(try await app.store.browserSessionCount(of: user) == 0)

            // When the account is disabled, deleted, or signed out everywhere just after the sign-in's checks passed,
            // before its session is written
            try executeSQL(app.databasePath, change.trigger)
            let answer: Page
            switch way {
            case .password:
                answer = try await browser.submit(
                    "/login", to: "/login", [("login", "ada"), ("password", PasswordResetRoutesTests.password)])
            case .twitter:
                answer = try await browser.viaTwitter("/login/twitter", as: WebApp.yamada)
            }

            // Then the browser is sent to the page that says which, and that page says it
            let said = "\(answer.status) \(answer.location ?? "") \(answer.text.prefix(300))"
            #expect(answer.status == 303, "\(said)")
            #expect(answer.location == change.answer.location, "\(said)")
            let shown = try await browser.get(answer.location ?? "/")
            #expect(shown.text.contains(change.answer.text), "\(shown.text)")
            #expect(!shown.text.contains("You are signed in"))
            // And the trail says why no session came of the sign-in
            let events = try await app.store.events(for: user, limit: 3)
            #expect(
                events.first { $0.kind == .signInRefused }?.details["reason"] == change.rawValue,
                "\(events.map { "\($0.kind.rawValue) \($0.details)" })")
            // And no session opened: the browser is signed in to nothing, now or once the account is enabled again
            #expect(try await browser.get("/whoami").text == "nobody")
            #expect(
                countQuery(app.databasePath, "SELECT count(*) FROM browser_sessions WHERE user_id IS NOT NULL") == 0)
            if change == .disabled {
                try executeSQL(app.databasePath, "UPDATE users SET status = 'active' WHERE username = '\(username)'")
                #expect(try await browser.get("/whoami").text == "nobody")
            }
        }
    }
}
