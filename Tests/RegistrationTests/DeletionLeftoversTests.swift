import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing
import TwitterOAuth

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

extension RegistrationFlowTests {
    /// A person whose Twitter account's address matches their account ("sign in to link") has a draft offered to it,
    /// holding their Twitter profile, the fields they typed and a working access token. When they delete the account
    /// instead of linking (the web's "Delete account" calls `discardDrafts` for the browser), the drafts of that
    /// browser go, and their tokens are revoked at Twitter; another browser's draft stays.
    @Test func discardingABrowsersDraftsRevokesTheirTokens() async throws {
        try await withFlow { flow throws in
            let john = try await flow.local.signUp(
                SignUpForm(username: "john", email: "j.o.h.n+x@gmail.com", password: Secret("john's long password")))
            guard case .matchesExistingAccount(_, let offered) = try await flow.arrive(as: Self.john),
                case .needsDetails(let elsewhere) = try await flow.arrive(as: Self.zoe, session: "browser-2")
            else {
                Issue.record("expected a match offered and another browser's draft")
                return
            }
            let token = try #require(try await flow.store.draft(id: offered.id)?.credential)
            _ = try await flow.local.deleteAccount(for: john.id, current: Secret("john's long password"))
            #expect(try await flow.service.discardDrafts(browserSession: "browser-1") == 1)
            #expect(try await flow.store.draft(id: offered.id) == nil)
            #expect(try await flow.store.draft(id: elsewhere.id) != nil)
            var refusal: TwitterError?
            let client = flow.sandbox.client()
            do throws(TwitterError) {
                _ = try await client.verifyCredentials(
                    accessToken: AccessToken(
                        token: token.token, secret: token.secret.revealed, userID: Self.john, screenName: ""))
            } catch {
                refusal = error
            }
            #expect(refusal?.apiErrorCode == TwitterAPIError.invalidOrExpiredToken, "the draft's token still works")
        }
    }

    /// A draft whose Twitter account is linked to an account by now keeps its token at Twitter when discarded: Twitter
    /// gives one app the same token again, so it may be the one that account holds.
    @Test func discardingADraftOfALinkedTwitterAccountRevokesNothing() async throws {
        try await withFlow { flow throws in
            guard case .needsDetails(let first) = try await flow.arrive(as: Self.zoe, session: "browser-1"),
                case .needsDetails(let second) = try await flow.arrive(as: Self.zoe, session: "browser-2"),
                case .registered = try await flow.service.complete(
                    draftID: second.id, form: RegistrationForm(username: "zoe", email: "zoe@example.org"),
                    browserSession: "browser-2")
            else {
                Issue.record("expected zoe registered from a second browser")
                return
            }
            let token = try #require(try await flow.store.draft(id: first.id)?.credential)
            #expect(try await flow.service.discardDrafts(browserSession: "browser-1") == 1)
            _ = try await flow.sandbox.client().verifyCredentials(
                accessToken: AccessToken(
                    token: token.token, secret: token.secret.revealed, userID: Self.zoe, screenName: ""))
        }
    }
}
