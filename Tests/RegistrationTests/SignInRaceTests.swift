import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing

/// A password sign-in whose account changes while its password is checked (scrypt, off the write transaction): the
/// transaction that records the sign-in decides on the account as it is then, and records what it decided with it.
struct SignInRaceTests {
    static let password = LocalAccountsTests.password

    /// The trigger that refuses every `sign_in_refused` event, as a full disk would.
    static let refusalFault = """
        CREATE TRIGGER refusal_fault BEFORE INSERT ON account_events WHEN NEW.kind = 'sign_in_refused'
        BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END
        """

    /// A sign-in refused because the account was disabled after its password was read records its
    /// `sign_in_refused` event in the transaction that refuses it: when that event cannot be written, the refusal
    /// fails and nothing is written; without the fault, the refusal and its event land together.
    @Test func aRefusalForAnAccountDisabledMeanwhileIsRecordedByTheTransactionThatRefuses() async throws {
        try await LocalAccountsTests().withService { local, store, _, dir throws in
            // Given Ann, whose password was checked against her hash, and who was disabled since
            let ann = try await local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            let checked = try #require(try await store.loginRecord(.id(ann.id))?.passwordHash)
            _ = try await store.setAccountStatus(.id(ann.id), to: .disabled)
            let database = dir + "/accounts.sqlite"
            let before = try databaseDump(database)

            // When the sign-in is recorded while the audit trail refuses its refusal
            try executeSQL(database, Self.refusalFault)
            await #expect(throws: StoreError.self) {
                try await store.recordSignIn(
                    ann.id, method: "password", clearingFailuresFor: nil, verifiedPasswordHash: checked,
                    newPasswordHash: nil)
            }
            try executeSQL(database, "DROP TRIGGER refusal_fault")

            // Then nothing is written
            #expect(try databaseDump(database) == before)

            // And without the fault, the refusal is recorded by the write that refuses
            let recording = try await store.recordSignIn(
                ann.id, method: "password", clearingFailuresFor: nil, verifiedPasswordHash: checked,
                newPasswordHash: nil)
            guard case .disabled = recording else {
                Issue.record("the sign-in was not refused: \(recording)")
                return
            }
            let events = try await store.events(for: ann.id, limit: 3)
            #expect(events.map(\.kind) == [.signInRefused, .disabled, .created], "\(events.map(\.kind))")
            #expect(events.first?.details == ["method": "password", "reason": "disabled"])
            #expect(try await store.account(.id(ann.id))?.lastSignInAt == nil)
        }
    }

    /// An account disabled while its right password is checked (another process commits the disabling while the
    /// sign-in waits for the write lock, after it read the account as active) is refused and audited once; when the
    /// audit trail refuses the `sign_in_refused` event, the sign-in fails, and neither a sign-in nor a refusal is
    /// written.
    @Test(arguments: [false, true])
    func anAccountDisabledDuringThePasswordCheckIsRefused(eventRefused: Bool) async throws {
        // Given Ann
        // When she signs in with her password, and the account is disabled while it is checked
        try await Self.signInOfAnn(
            whileCommitting: "UPDATE users SET status = 'disabled' WHERE username = 'ann';"
                + (eventRefused ? Self.refusalFault : "")
        ) { outcome, ann, store, database throws in
            if eventRefused { try executeSQL(database, "DROP TRIGGER refusal_fault") }

            // Then she is not signed in, and the trail holds the refusal when it could be written
            let events = try await store.events(for: ann.id, limit: 3)
            if eventRefused {
                guard case .failure = outcome else {
                    Issue.record("the sign-in did not fail: \(outcome)")
                    return
                }
                #expect(events.map(\.kind) == [.created], "\(events.map(\.kind))")
            } else {
                #expect(try outcome.get() == .disabled)
                #expect(events.map(\.kind) == [.signInRefused, .created], "\(events.map(\.kind))")
                #expect(events.first?.details == ["method": "password", "reason": "disabled"])
            }
            #expect(try await store.account(.id(ann.id))?.lastSignInAt == nil)
        }
    }

    /// An account deleted while its right password is checked (by another process) is an unknown login: the
    /// sign-in gets the answer of a wrong password (`invalidCredentials`, after the failure floor), not a store
    /// error (a 500 page and an error in the log on the web), and nothing of the account comes back.
    @Test func anAccountDeletedDuringThePasswordCheckIsAnUnknownLogin() async throws {
        // Given Ann
        // When she signs in with her password, and the account is deleted while it is checked
        try await Self.signInOfAnn(whileCommitting: "DELETE FROM users WHERE username = 'ann'") {
            outcome, ann, store, database throws in

            // Then the answer is the one for an unknown login, and no account is there
            #expect(throws: Never.self) { try outcome.get() }
            #expect((try? outcome.get()) == .invalidCredentials, "\(outcome)")
            #expect(try await store.account(.id(ann.id)) == nil)
            #expect(countQuery(database, "SELECT count(*) FROM users") == 0)
            // (its failure recorded as an unknown login's: naming no account)
            #expect(
                countQuery(
                    database, "SELECT count(*) FROM account_events WHERE kind = 'sign_in_failed' AND subject IS NULL")
                    == 1)
        }
    }

    /// An account enabled while its right password is checked (read as disabled before the check) is signed in: the
    /// transaction that records the sign-in decides on the account as it is then, not on the status read before.
    @Test func anAccountEnabledDuringThePasswordCheckIsSignedIn() async throws {
        try await LocalAccountsTests().withService { local, store, _, dir throws in
            // Given Ann, disabled
            let ann = try await local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            _ = try await store.setAccountStatus(.id(ann.id), to: .disabled)
            let database = dir + "/accounts.sqlite"

            // When she signs in with her password, and an operator enables her account while it is checked
            let holder = try CommittingLockHolder(path: database)
            let signingIn = Task { try await local.signIn(login: "ann", password: Self.password) }
            try #require(try await writesReached(1, in: store), "the sign-in never reached its write")
            try holder.commit("UPDATE users SET status = 'active' WHERE username = 'ann';")
            let outcome = try await signingIn.value

            // Then she is signed in, and the trail says so, with no refusal
            guard case .signedIn = outcome else {
                Issue.record("the sign-in gave \(outcome)")
                return
            }
            let events = try await store.events(for: ann.id, limit: 2)
            #expect(events.map(\.kind) == [.signedIn, .disabled], "\(events.map(\.kind))")
        }
    }

    /// Ann signs up, then signs in with her password while another connection holds the write lock; once the
    /// sign-in waits for it (its password checked), that connection runs `sql` and commits. `body` gets the
    /// sign-in's outcome, Ann, the store and the database's path.
    static func signInOfAnn(
        whileCommitting sql: String,
        _ body: (Result<SignInOutcome, any Error>, Account, AccountStore, String) async throws -> Void
    ) async throws {
        try await LocalAccountsTests().withService { local, store, _, dir throws in
            let ann = try await local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            let database = dir + "/accounts.sqlite"
            let holder = try CommittingLockHolder(path: database)
            let signingIn = Task { try await local.signIn(login: "ann", password: Self.password) }
            try #require(try await writesReached(1, in: store), "the sign-in never reached its write")
            try holder.commit(sql)
            try await body(await signingIn.result, ann, store, database)
        }
    }

    /// A right password whose sign-in is recorded after another right one of the same login (two at once: a
    /// double-click, two devices) clears only the failures counted up to its own attempt: a wrong guess counted after
    /// both began stays counted, even once the other's success emptied the table (the guess's row then took the
    /// lowest free id, below the first attempt's, and the first's clear took it).
    @Test func aLateSuccessDoesNotClearAGuessCountedAfterIt() async throws {
        try await LocalAccountsTests().withService { local, store, clock, dir throws in
            // Given Ann, with two right-password attempts counted, and the later one's sign-in recorded first
            let ann = try await local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            let key = AccountStore.signInLoginKey("ann")
            let since = clock.now.addingTimeInterval(-local.failureWindow)
            guard
                case .counted(let first) = try await store.beginSignInAttempt(
                    loginKey: key, subject: ann.id, since: since, maximum: local.maximumFailures),
                case .counted(let second) = try await store.beginSignInAttempt(
                    loginKey: key, subject: ann.id, since: since, maximum: local.maximumFailures)
            else {
                Issue.record("an attempt was not counted")
                return
            }
            _ = try await store.recordSignIn(
                ann.id, method: "password", clearingFailuresFor: key, through: second, newPasswordHash: nil)

            // When a wrong guess is counted, and then the first attempt's sign-in is recorded
            guard
                case .counted = try await store.beginSignInAttempt(
                    loginKey: key, subject: ann.id, since: since, maximum: local.maximumFailures)
            else {
                Issue.record("the guess was not counted")
                return
            }
            _ = try await store.recordSignIn(
                ann.id, method: "password", clearingFailuresFor: key, through: first, newPasswordHash: nil)

            // Then the guess is still counted
            let database = dir + "/accounts.sqlite"
            #expect(countQuery(database, "SELECT count(*) FROM sign_in_failures") == 1)
        }
    }
}
