import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing

/// What is left of a person once their account is deleted (and `purge` has run), on a real SQLite file.
struct DeletionLeftoversTests {
    static let password = LocalAccountsTests.password

    /// `sign_in_failures` keys failed sign-ins by SHA-256 of the login as typed (the address, the username): a
    /// pseudonym anyone who knows the address can match. They go with the account: a new account that takes the
    /// address again does not inherit their count.
    @Test func aDeletedPersonsFailedSignInsGoWithTheAccount() async throws {
        try await LocalAccountsTests().withService { local, store, clock, dir throws in
            // Given ann, whose address and username someone tried with wrong passwords
            let ann = try await local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            for login in ["ann@example.org", "ann@example.org", "ANN"] {
                #expect(try await local.signIn(login: login, password: Secret("a wrong guess")) == .invalidCredentials)
            }
            // (the login key of an ASCII login: SHA-256 of its lowercase)
            let keys = ["ann@example.org", "ann"].map { "'" + SHA256.hexDigest(Array($0.utf8)) + "'" }
            let path = dir + "/accounts.sqlite"
            let rows = "SELECT count(*) FROM sign_in_failures WHERE login_key IN (\(keys.joined(separator: ", ")))"
            #expect(countQuery(path, rows) == 3)
            // When she deletes her account
            _ = try await local.deleteAccount(for: ann.id, current: Self.password)
            // Then nothing keyed by her address or username is left
            #expect(countQuery(path, rows) == 0, "the hash of the deleted person's address is still stored")
        }
    }

    /// The purge (`accounts purge`, daily) forgets failed sign-ins a day old, past every cool-down window (a day at
    /// most): on a quiet store they went only when a later attempt cleared them.
    @Test func thePurgeForgetsFailedSignInsADayOld() async throws {
        try await LocalAccountsTests().withService { local, store, clock, dir throws in
            for _ in 0..<3 {
                #expect(
                    try await local.signIn(login: "nobody@example.org", password: Secret("a guess"))
                        == .invalidCredentials)
            }
            clock.advance(by: 86_400 + 1)
            #expect(try await store.purgeExpired().signInFailures == 3)
            // (a fresh one stays)
            #expect(
                try await local.signIn(login: "other@example.org", password: Secret("a guess")) == .invalidCredentials)
            #expect(try await store.purgeExpired().signInFailures == 0)
            #expect(countQuery(dir + "/accounts.sqlite", "SELECT count(*) FROM sign_in_failures") == 1)
        }
    }
}
