import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing

/// A person deleting their own account (`LocalAccounts.deleteAccount(for:current:)`), on a real SQLite file.
struct AccountDeletionTests {
    static let password = LocalAccountsTests.password

    @Test func anAccountWithAPasswordIsDeletedOnlyWithIt() async throws {
        try await LocalAccountsTests().withService { local, store, _, dir throws in
            // Given ann, with a password, a linked Twitter account, a reset link and a sign-in
            let ann = try await local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            try await store.linkTwitter(twitterIdentity("5"), credential: nil, to: .id(ann.id))
            _ = try #require(try await local.requestPasswordReset(email: "ann@example.org"))
            let path = dir + "/accounts.sqlite"
            // (all but the count of wrong passwords and the events, which a wrong one adds to)
            let dump = {
                try databaseDump(path).split(separator: "\n").filter {
                    !$0.contains("current-password:") && !$0.contains("password_check_failed")
                }
            }
            let before = try dump()
            // When she gives a wrong password
            await #expect(throws: LocalAccountError.wrongPassword) {
                try await local.deleteAccount(for: ann.id, current: Secret("not it at all"))
            }
            // Then nothing is deleted (only the wrong password counted)
            #expect(try dump() == before)
            #expect(countQuery(path, "SELECT count(*) FROM sign_in_failures") == 1)
            #expect(countQuery(path, "SELECT count(*) FROM account_events WHERE kind = 'password_check_failed'") == 1)
            // And with the right one, the account goes with its identity and links, and an anonymous event stays
            let deletion = try await local.deleteAccount(for: ann.id, current: Self.password)
            #expect(deletion.id == ann.id && deletion.hadPassword && deletion.twitter?.userID.decimalString == "5")
            #expect(try await store.account(.id(ann.id)) == nil)
            for table in ["users", "twitter_identities", "password_resets"] {
                #expect(countQuery(path, "SELECT count(*) FROM \(table)") == 0, "\(table)")
            }
            let events = try await store.events(for: ann.id)
            #expect(events.first?.kind == .deleted && events.first?.actor == "user")
            #expect(!(events.first?.details.values.contains { $0.contains("ann") } ?? true))
            // And her sign-in is gone with it
            #expect(try await local.signIn(login: "ann", password: Self.password) == .invalidCredentials)
        }
    }

    /// The failed sign-ins counted under an address the account had before a change of address go with it too:
    /// README says a deleted account's failed sign-ins go with it, and a new account with that address must not
    /// inherit their count. (They go when the account leaves the address, which no longer signs in to it.)
    @Test func failedSignInsUnderAFormerAddressDoNotOutliveTheAccount() async throws {
        try await LocalAccountsTests().withService { local, store, clock, dir throws in
            let path = dir + "/accounts.sqlite"
            let former = AccountStore.signInLoginKey("ann@example.org")
            let underFormer = "SELECT count(*) FROM sign_in_failures WHERE login_key = '\(former)'"
            // Given ann, whose address ann@example.org was guessed at as many times as the limit allows
            let ann = try await local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            for _ in 0..<local.maximumFailures {
                #expect(
                    try await local.signIn(login: "ann@example.org", password: Secret("a wrong guess"))
                        == .invalidCredentials)
                clock.advance(by: 1)
            }
            #expect(countQuery(path, underFormer) == local.maximumFailures)
            // When she moves to another address, and then deletes her account
            let change = try #require(
                try await local.requestEmailChange(for: ann.id, to: "ann@new.example", current: Self.password))
            _ = try await local.verifyEmail(token: change.token)
            #expect(countQuery(path, underFormer) == 0)
            _ = try await local.deleteAccount(for: ann.id, current: Self.password)
            #expect(try await store.account(.id(ann.id)) == nil)

            // Then no failure counted under her former address is left
            #expect(countQuery(path, underFormer) == 0)
            #expect(countQuery(path, "SELECT count(*) FROM sign_in_failures") == 0)
            // And a new account with that address signs in at once
            _ = try await local.signUp(SignUpForm(username: "bob", email: "ann@example.org", password: Self.password))
            guard case .signedIn = try await local.signIn(login: "ann@example.org", password: Self.password) else {
                Issue.record("the new account with the former address did not sign in")
                return
            }
        }
    }

    @Test func wrongPasswordsAreCountedTowardsTheLimit() async throws {
        try await LocalAccountsTests().withService { local, store, _, _ throws in
            let ann = try await local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            for _ in 0..<local.maximumFailures {
                await #expect(throws: LocalAccountError.wrongPassword) {
                    try await local.deleteAccount(for: ann.id, current: Secret("a wrong guess"))
                }
            }
            // Then even the right one is not checked, and the account stays
            do {
                _ = try await local.deleteAccount(for: ann.id, current: Self.password)
                Issue.record("the right password was checked past the limit")
            } catch {
                guard case LocalAccountError.throttled = error else {
                    Issue.record("unexpected \(error)")
                    return
                }
            }
            #expect(try await store.account(.id(ann.id)) != nil)
        }
    }

    @Test func anAccountWithoutAPasswordIsDeletedWithoutOneUnlessOneWasSetMeanwhile() async throws {
        try await LocalAccountsTests().withService { local, store, _, _ throws in
            // Given zoë, made through Twitter (no password)
            let zoe = try await store.createAccount(newAccount("zoe", email: "zoe@example.com"))
            try await store.linkTwitter(twitterIdentity("7"), credential: nil, to: .id(zoe.id))
            #expect(try await local.deleteAccount(for: zoe.id, current: nil).hadPassword == false)
            #expect(try await store.account(.id(zoe.id)) == nil)
            // And yann, who set a password after the page was read: the page must ask for it (no password given is
            // an empty one, wrong)
            let yann = try await store.createAccount(newAccount("yann", email: "yann@example.com"))
            try await store.linkTwitter(twitterIdentity("8"), credential: nil, to: .id(yann.id))
            try await local.setPassword(for: yann.id, new: Secret("yann's new passphrase"))
            await #expect(throws: LocalAccountError.wrongPassword) {
                try await local.deleteAccount(for: yann.id, current: nil)
            }
            await #expect(throws: LocalAccountError.wrongPassword) {
                try await local.deleteAccount(for: yann.id, current: Secret(""))
            }
            #expect(try await store.account(.id(yann.id)) != nil)
        }
    }

    /// A deletion checked against the old password does not go through once the owner reset it meanwhile.
    @Test func aDeletionCheckedAgainstTheOldPasswordDoesNotOutliveAReset() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            // ann's password is stored dearly (checking it takes a while: scrypt at 64 MiB, four times over), so the reset lands
            // while it is checked; on a machine so loaded that the deletion is over first, the link no longer works
            // and the race is run again with another account
            let slow = LocalAccounts(
                store: store, hasher: PasswordHasher(parameters: .init(log2N: 16, r: 8, p: 4)), failureFloor: .zero)
            let fast = LocalAccounts(store: store, hasher: LocalAccountsTests.fastHasher, failureFloor: .zero)
            for round in 0..<3 {
                // Given ann, and a reset link mailed to her
                let ann = try await slow.signUp(
                    SignUpForm(username: "ann\(round)", email: "ann\(round)@example.org", password: Self.password))
                let reset = try #require(try await fast.requestPasswordReset(email: "ann\(round)@example.org"))
                // When someone who knows the old password deletes the account while ann resets it
                let deletion = Task { try await slow.deleteAccount(for: ann.id, current: Self.password) }
                let attempts = "SELECT count(*) FROM sign_in_failures WHERE login_key = 'current-password:\(ann.id)'"
                #expect(try await eventually { countQuery(dir + "/accounts.sqlite", attempts) > 0 })
                do {
                    try await fast.resetPassword(token: reset.token, newPassword: PasswordResetTests.newPassword)
                } catch LocalAccountError.invalidResetLink {
                    // (the deletion was over before the reset began: no race)
                    _ = await deletion.result
                    continue
                }
                let result = await deletion.result
                // Then ann's account stands with her new password, and the deletion was refused
                let signIn = try await fast.signIn(login: "ann\(round)", password: PasswordResetTests.newPassword)
                guard case .signedIn = signIn else {
                    Issue.record("a deletion checked against the old password went through after the reset")
                    return
                }
                if case .failure(let error) = result {
                    #expect(error as? LocalAccountError == .wrongPassword)
                }
                return
            }
            // (reached only when no round raced: the test checked nothing)
            Issue.record("in none of 3 rounds did the reset land while the deletion checked the old password")
        }
    }
}
