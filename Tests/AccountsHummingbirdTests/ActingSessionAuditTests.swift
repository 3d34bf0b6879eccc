import AccountCrypto
import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import TestSupport
import Testing

/// What `AccountStore.onBehalfOfSession` lets through besides the change it guards: what records what happened.
struct ActingSessionAuditTests {
    static let password = PasswordResetRoutesTests.password

    /// README ("Passwords"): a wrong current password given on the account page "is recorded
    /// (`password_check_failed`)", so that the owner sees whoever holds a session (left open, or stolen) guessing at
    /// the password. The guess is counted and checked inside `onBehalfOfSession`; when that browser is signed out
    /// while the password is checked (the owner ending the session she does not know, or "sign out everywhere"), the
    /// failure's event is a write on behalf of an ended session, refused: the guess was checked, yet the trail never
    /// hears of it. (A trigger ends the session in the transaction that counts the attempt: the moment the check
    /// begins.)
    @Test func aWrongCurrentPasswordIsRecordedWhenItsSessionIsEndedDuringTheCheck() async throws {
        try await WebApp.run { app in
            var holder = try await PasswordResetRoutesTests.signUpAda(app)
            let hash = SHA256.hexDigest(Array(try #require(holder.sessionID).utf8))
            let page = try await holder.get("/account")
            let csrf = try #require(page.csrfToken)
            try executeSQL(
                app.databasePath,
                """
                CREATE TRIGGER end_session_while_checked AFTER INSERT ON sign_in_failures
                BEGIN DELETE FROM browser_sessions WHERE token_hash = '\(hash)'; END;
                """)
            let guessed = try await holder.post(
                "/account/password",
                [
                    ("csrf_token", csrf), ("current_password", "a wrong guess"),
                    ("new_password", PasswordResetRoutesTests.newPassword),
                ])
            try executeSQL(app.databasePath, "DROP TRIGGER end_session_while_checked")
            #expect(try await holder.get("/whoami").text == "nobody")
            // The guess was counted (and its password checked) ...
            #expect(countQuery(app.databasePath, "SELECT count(*) FROM sign_in_failures") == 1)
            // ... and the trail says so
            let recorded = countQuery(
                app.databasePath, "SELECT count(*) FROM account_events WHERE kind = 'password_check_failed'")
            let answer = "\(guessed.status) \(guessed.location ?? "")"
            #expect(recorded == 1, "a wrong current password checked for a session ended meanwhile: \(answer)")
        }
    }
}
