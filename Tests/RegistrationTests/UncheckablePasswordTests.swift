import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing

/// A password that could not be checked (OpenSSL failed to derive its hash: out of memory) is neither right nor
/// wrong: `LocalAccountError.hashingFailed`, nothing counted towards the cool-down, nothing audited as a failure, an
/// error logged. Until session 62 it was a wrong password, counted and audited, for a person who typed the right one.
/// A stored hash that cannot be read (a damaged row) matches no password, and is logged as an error too.
struct UncheckablePasswordTests {
    static let password = LocalAccountsTests.password

    /// Ann signed up in a new store whose log lines go to `lines`; `body` gets the service, the store, the database's
    /// path, ann and the lines.
    func withAnn(
        _ body: (LocalAccounts, AccountStore, String, Account, Locked<[String]>) async throws -> Void
    ) async throws {
        try await withTemporaryDirectory { dir in
            let lines = Locked<[String]>([])
            let store = try makeStore(in: dir, logger: capturingLogger(lines))
            defer { try? store.close() }
            let local = LocalAccounts(store: store, hasher: LocalAccountsTests.fastHasher, failureFloor: .zero)
            let ann = try await local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            try await body(local, store, dir + "/accounts.sqlite", ann, lines)
        }
    }

    @Test func aPasswordThatCouldNotBeCheckedIsNotCountedAsWrong() async throws {
        try await withAnn { local, store, database, ann, lines in
            var failing = LocalAccountsTests.fastHasher
            failing.failingDerivationsForTests = PasswordHasher.FailingDerivations()
            let broken = LocalAccounts(store: store, hasher: failing, failureFloor: .zero)
            let dump = try databaseDump(database)

            // When the right password cannot be checked, at the log-in and on a form of the account's
            await #expect(throws: LocalAccountError.hashingFailed) {
                try await broken.signIn(login: "ann", password: Self.password)
            }
            await #expect(throws: LocalAccountError.hashingFailed) {
                try await broken.changePassword(
                    for: ann.id, current: Self.password, new: Secret("a brand new passphrase"))
            }
            // Then nothing is counted or audited, and nothing else changed
            #expect(try databaseDump(database) == dump)
            #expect(countQuery(database, "SELECT count(*) FROM sign_in_failures") == 0)
            #expect(try await store.events(for: ann.id).map(\.kind) == [.created])
            #expect(LocalAccountError.hashingFailed.description.contains("nothing was changed or counted: try again"))
            let logged = lines.value.filter { $0.contains("could not derive its hash") }
            #expect(logged.count == 2 && logged.allSatisfy { $0.contains(ann.id.rawValue) }, "\(lines.value)")
            expectAbsent(Self.password.revealed, named: "the password", in: lines.value.joined(separator: "\n"))
            // And the password signs in once it can be checked
            guard case .signedIn = try await local.signIn(login: "ann", password: Self.password) else {
                Issue.record("the right password did not sign in")
                return
            }
        }
    }

    @Test func aStoredHashThatCannotBeReadMatchesNoPasswordAndIsLogged() async throws {
        try await withAnn { local, _, database, ann, lines in
            try executeSQL(
                database, "UPDATE users SET password_hash = 'scrypt$ln=10$r=8$p=1$damaged' WHERE username = 'ann'")

            guard case .invalidCredentials = try await local.signIn(login: "ann", password: Self.password) else {
                Issue.record("a damaged hash signed in")
                return
            }
            let logged = lines.value.filter { $0.contains("stored password hash cannot be read") }
            #expect(logged.count == 1 && logged[0].contains(ann.id.rawValue), "\(lines.value)")
            expectAbsent("damaged", named: "the stored hash", in: lines.value.joined(separator: "\n"))
        }
    }

    /// An unknown login whose dummy check could not be made is answered as a known one: `hashingFailed`, nothing
    /// counted (until the fix, 401 for an unknown login and 500 for a known one told who had an account).
    @Test func anUnknownLoginThatCouldNotBeCheckedIsAnsweredAsAKnownOne() async throws {
        try await withAnn { _, store, database, _, _ in
            var failing = LocalAccountsTests.fastHasher
            failing.failingDerivationsForTests = PasswordHasher.FailingDerivations()
            let broken = LocalAccounts(store: store, hasher: failing, failureFloor: .zero)
            for login in ["ann", "nobody@example.org"] {
                await #expect(throws: LocalAccountError.hashingFailed) {
                    try await broken.signIn(login: login, password: Self.password)
                }
            }
            #expect(countQuery(database, "SELECT count(*) FROM sign_in_failures") == 0)
        }
    }

    /// A password whose NFKC form differs is checked in each form: when the first was compared (wrong) and a later
    /// one could not be, the guess was checked all the same, and counts (a failure there must not take back a check
    /// that was made).
    @Test func aGuessComparedInOneFormCountsThoughAnotherFormCouldNotBeChecked() async throws {
        try await withAnn { _, store, database, ann, _ in
            var failing = LocalAccountsTests.fastHasher
            failing.failingDerivationsForTests = PasswordHasher.FailingDerivations(after: 1)
            let broken = LocalAccounts(store: store, hasher: failing, failureFloor: .zero)
            // (full-width letters: NFKC gives the ASCII form, checked first, then the form as typed)
            let guess = Secret("ｗｒｏｎｇ ｇｕｅｓｓ ｈｅｒｅ")
            let outcome = try await broken.signIn(login: "ann", password: guess)
            #expect(outcome == .invalidCredentials)
            #expect(countQuery(database, "SELECT count(*) FROM sign_in_failures") == 1)
            let latest = try await store.events(for: ann.id).first?.kind
            #expect(latest == .signInFailed)
        }
    }
}
