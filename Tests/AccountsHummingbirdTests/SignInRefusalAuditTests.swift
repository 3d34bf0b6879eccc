import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// A sign-in whose session is refused because the account's sessions ended while it was checked records that
/// refusal (`sign_in_refused`, reason `sessions_ended`) in the transaction that refuses the session: the refusal the
/// person is told of is the one the audit trail holds.
struct SignInRefusalAuditTests {
    /// When the `sign_in_refused` event cannot be written (a full disk), the log-in fails as any audited write does
    /// (500, the error logged): the person is not told "every session was ended" while the trail shows only a
    /// `signed_in` event, as if a session had opened, and no session opens.
    @Test func aRefusalWhoseEventCannotBeWrittenFailsTheLogIn() async throws {
        try await WebApp.run { app in
            // Given Ada, signed out
            // When every session of hers ends while she logs in (another instance of the app over the same file holds
            // the write lock, and commits "sign out everywhere" once the log-in waits for it), and the audit trail
            // refuses the log-in's `sign_in_refused` event
            let (answer, after) = try await SessionListRoutesTests.logInOfAdaWhileHerSessionsEnd(
                app,
                alsoCommitting: """

                    CREATE TRIGGER refusal_fault BEFORE INSERT ON account_events WHEN NEW.kind = 'sign_in_refused'
                    BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;
                    """)
            var browser = after

            // Then the log-in fails, says so in the log, and opens no session
            #expect(answer.status == 500, "\(answer.status) \(answer.location ?? "")")
            #expect(answer.location != "/login?notice=sessions_ended")
            #expect(app.logLines.value.contains { $0.contains("request failed") }, "\(app.logLines.value)")
            #expect(try await browser.get("/whoami").text == "nobody")
            let user = try #require(try await app.store.account(.username("ada")))
            #expect(try await app.store.browserSessions(of: user.id).isEmpty)
            let kinds = try await app.store.events(for: user.id, limit: 2).map(\.kind)
            #expect(kinds == [.signedIn, .sessionsRevoked], "\(kinds)")
        }
    }
}
