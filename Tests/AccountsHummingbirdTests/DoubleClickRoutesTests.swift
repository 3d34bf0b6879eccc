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
}
