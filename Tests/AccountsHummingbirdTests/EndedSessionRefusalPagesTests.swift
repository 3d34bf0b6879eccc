import AccountCrypto
import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import TestSupport
import Testing

/// A request whose session ends while it is under way gets the log-in page (`/login?notice=sessions_ended`, README
/// "Sessions"), not the account page: also when what refuses the change comes after the current password was checked.
struct EndedSessionRefusalPagesTests {
    /// The right current password with a new password the policy refuses (too short), from a browser whose session is
    /// ended (another device's "Sign out") while the current password is checked: the answer is the log-in page, as
    /// for a wrong current password, not the account page (its address and live sessions) over the password form.
    @Test func aRefusedNewPasswordFromASessionEndedDuringTheCheckGetsNoAccountPage() async throws {
        try await WebApp.run { app in
            let (_, phone, page) = try await EndedSessionWritesTests.laptopAndPhone(app)
            let csrf = try #require(page.csrfToken)
            let hash = SHA256.hexDigest(Array(try #require(phone.sessionID).utf8))
            // (the check's first write, which counts it, is the moment the other device's sign-out lands)
            try executeSQL(
                app.databasePath,
                """
                CREATE TRIGGER end_session_while_checked AFTER INSERT ON sign_in_failures
                BEGIN DELETE FROM browser_sessions WHERE token_hash = '\(hash)'; END;
                """)
            var browser = phone
            let refused = try await browser.post(
                "/account/password",
                [
                    ("csrf_token", csrf), ("current_password", EndedSessionWritesTests.password),
                    ("new_password", "short"),
                ])
            try executeSQL(app.databasePath, "DROP TRIGGER end_session_while_checked")

            #expect(try await browser.get("/whoami").text == "nobody")
            let shown = refused.text.contains("ada@example.org") || refused.text.contains("end-session-")
            #expect(!shown, "an ended session was shown the account page (\(refused.status))")
            #expect(refused.location == "/login?notice=sessions_ended", "\(refused.status)")
        }
    }
}
