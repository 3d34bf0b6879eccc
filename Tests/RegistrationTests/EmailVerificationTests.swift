import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing

/// `LocalAccounts.requestEmailVerification` / `verifyEmail`: one-time links that confirm an account's address, against
/// a real SQLite file.
struct EmailVerificationTests {
    static let password = Secret("correct horse battery staple")

    func withAnn(
        _ body: (LocalAccounts, AccountStore, TestClock, String, Account) async throws -> Void
    ) async throws {
        try await withTemporaryDirectory { dir in
            let clock = TestClock()
            let store = try makeStore(in: dir, now: clock.closure)
            defer { try? store.close() }
            let local = LocalAccounts(store: store, hasher: LocalAccountsTests.fastHasher, failureFloor: .zero)
            let ann = try await local.signUp(
                SignUpForm(username: "ann", email: "Ann@Example.org", password: Self.password))
            try await body(local, store, clock, dir + "/accounts.sqlite", ann)
        }
    }

    @Test func aLinkConfirmsTheAddressOnceAndIsAudited() async throws {
        try await withAnn { local, store, clock, database, ann in
            // Given a new account, whose address nobody has confirmed
            #expect(ann.emailVerifiedAt == nil && !ann.isEmailVerified)
            // When a link is asked for
            let link = try #require(try await local.requestEmailVerification(for: ann.id))
            #expect(link.email == "Ann@Example.org" && link.account.id == ann.id)
            #expect(link.expiresAt == clock.now.addingTimeInterval(3 * 24 * 60 * 60))
            let token = link.token.revealed
            #expect(token.count == 64 && token.allSatisfy { $0.isHexDigit && !$0.isUppercase })
            // (the store keeps its SHA-256, never the token; the description hides it)
            expectAbsent(token, named: "the confirmation token", inDatabase: database)
            expectAbsent(token, named: "the confirmation token", in: "\(link)", String(reflecting: link))
            #expect(try await local.emailLinkTarget(token: link.token)?.account.id == ann.id)

            // Then following it confirms the address, at that time
            clock.advance(by: 60)
            let confirmed = try await local.verifyEmail(token: link.token)
            #expect(confirmed.isEmailVerified && confirmed.emailVerifiedAt == clock.now)
            #expect(try await store.account(.id(ann.id))?.emailVerifiedAt == clock.now)
            // And the link works once
            let dump = try databaseDump(database)
            await #expect(throws: LocalAccountError.invalidVerificationLink) {
                try await local.verifyEmail(token: link.token)
            }
            #expect(try await local.emailLinkTarget(token: link.token) == nil)
            #expect(try databaseDump(database) == dump)
            // And no more links are issued for a confirmed address
            #expect(try await local.requestEmailVerification(for: ann.id) == nil)
            let events = try await store.events(for: ann.id)
            #expect(events.map(\.kind) == [.emailVerified, .emailVerificationRequested, .created])
            #expect(events[0].details == ["method": "link"])
        }
    }

    @Test func aNewerLinkEndsTheOlderAndLinksAreLimitedPerHour() async throws {
        try await withAnn { local, _, clock, _, ann in
            let first = try #require(try await local.requestEmailVerification(for: ann.id))
            let second = try #require(try await local.requestEmailVerification(for: ann.id))
            #expect(try await local.emailLinkTarget(token: first.token) == nil)
            let third = try #require(try await local.requestEmailVerification(for: ann.id))
            // The fourth within the hour is not issued; the third still works
            #expect(try await local.requestEmailVerification(for: ann.id) == nil)
            #expect(try await local.emailLinkTarget(token: third.token)?.account.id == ann.id)
            #expect(try await local.emailLinkTarget(token: second.token) == nil)
            clock.advance(by: 60 * 60 + 1)
            #expect(try await local.requestEmailVerification(for: ann.id) != nil)
        }
    }

    @Test func aLinkDoesNotWorkExpiredMalformedForADisabledAccountOrAnotherAddress() async throws {
        try await withAnn { local, store, clock, database, ann in
            // Expired
            let expired = try #require(try await local.requestEmailVerification(for: ann.id))
            clock.advance(by: 3 * 24 * 60 * 60)
            #expect(try await local.emailLinkTarget(token: expired.token) == nil)
            await #expect(throws: LocalAccountError.invalidVerificationLink) {
                try await local.verifyEmail(token: expired.token)
            }
            // Not of our shape
            for bad in ["", "abc", String(repeating: "G", count: 64), expired.token.revealed.uppercased()] {
                await #expect(throws: LocalAccountError.invalidVerificationLink) {
                    try await local.verifyEmail(token: Secret(bad))
                }
            }
            // Sent to an address the account no longer has
            let moved = try #require(try await local.requestEmailVerification(for: ann.id))
            try executeSQL(database, "UPDATE users SET email = 'ann@elsewhere.org' WHERE username = 'ann'")
            await #expect(throws: LocalAccountError.invalidVerificationLink) {
                try await local.verifyEmail(token: moved.token)
            }
            try executeSQL(database, "UPDATE users SET email = 'Ann@Example.org' WHERE username = 'ann'")
            // For an account disabled since
            let live = try #require(try await local.requestEmailVerification(for: ann.id))
            _ = try await store.setAccountStatus(.id(ann.id), to: .disabled)
            let dump = try databaseDump(database)
            await #expect(throws: LocalAccountError.invalidVerificationLink) {
                try await local.verifyEmail(token: live.token)
            }
            #expect(try databaseDump(database) == dump)
            #expect(try await local.requestEmailVerification(for: ann.id) == nil)
            #expect(try await store.account(.id(ann.id))?.emailVerifiedAt == nil)
        }
    }

    @Test func aPasswordResetConfirmsTheAddressItWasMailedTo() async throws {
        try await withAnn { local, store, clock, _, ann in
            let pending = try #require(try await local.requestEmailVerification(for: ann.id))
            let reset = try #require(try await local.requestPasswordReset(email: "ann@example.org"))
            clock.advance(by: 5)
            let after = try await local.resetPassword(token: reset.token, newPassword: Secret("a brand new passphrase"))
            #expect(after.emailVerifiedAt == clock.now)
            #expect(try await store.account(.id(ann.id))?.isEmailVerified == true)
            // The confirmation link asked for before has nothing left to do
            #expect(try await local.emailLinkTarget(token: pending.token) == nil)
            let events = try await store.events(for: ann.id, limit: 3)
            #expect(events.map(\.kind) == [.passwordReset, .emailVerified, .passwordResetRequested])
            #expect(events[1].details == ["method": "password_reset"])
        }
    }

    @Test func anAccountWithoutAnAddressIsIssuedNoLink() async throws {
        try await withAnn { local, store, _, _, _ in
            let bob = try await store.createAccount(NewAccount(username: try Username(validating: "bob")))
            #expect(try await local.requestEmailVerification(for: bob.id) == nil)
            #expect(!bob.isEmailVerified)
        }
    }

    @Test func purgeRemovesLinksADayAfterTheyEnded() async throws {
        try await withAnn { local, store, clock, database, ann in
            _ = try #require(try await local.requestEmailVerification(for: ann.id))
            clock.advance(by: 3 * 24 * 60 * 60 + 1)
            #expect(try await store.purgeExpired().emailVerifications == 0)
            clock.advance(by: 24 * 60 * 60)
            #expect(try await store.purgeExpired().emailVerifications == 1)
            #expect(countQuery(database, "SELECT count(*) FROM email_verifications") == 0)
        }
    }
}

extension EmailVerificationTests {
    /// Disabling an account ends its confirmation links, as it ends reset links: enabling it again does not revive
    /// them.
    @Test func disablingEndsConfirmationLinks() async throws {
        try await withAnn { local, store, _, _, ann in
            let link = try #require(try await local.requestEmailVerification(for: ann.id))
            _ = try await store.setAccountStatus(.id(ann.id), to: .disabled)
            _ = try await store.setAccountStatus(.id(ann.id), to: .active)
            #expect(try await local.emailLinkTarget(token: link.token) == nil)
            await #expect(throws: LocalAccountError.invalidVerificationLink) {
                try await local.verifyEmail(token: link.token)
            }
        }
    }
}

extension EmailVerificationTests {
    /// A change of address: checked with the password, mailed to the new address, made (and confirmed) only when that
    /// link is followed; reset links mailed to the old address end with it.
    @Test func aChangeLinkMakesTheNewAddressTheAccountsWhenFollowed() async throws {
        try await withAnn { local, store, clock, database, ann in
            let reset = try #require(try await local.requestPasswordReset(email: "ann@example.org"))
            let change = try #require(
                try await local.requestEmailChange(for: ann.id, to: " Ann@New.example ", current: Self.password))
            #expect(change.email == "Ann@New.example" && change.changesAddress)
            expectAbsent(change.token.revealed, named: "the confirmation token", in: "\(change)")
            // Until it is followed the account keeps its address
            #expect(try await store.account(.id(ann.id))?.email == "Ann@Example.org")
            let target = try #require(try await local.emailLinkTarget(token: change.token))
            #expect(target.account.id == ann.id && target.email == "Ann@New.example" && target.changesAddress)
            clock.advance(by: 30)
            let changed = try await local.verifyEmail(token: change.token)
            #expect(changed.email == "Ann@New.example" && changed.emailVerifiedAt == clock.now)
            #expect(countQuery(database, "SELECT count(*) FROM users WHERE email_key = 'ann@new.example'") == 1)
            #expect(countQuery(database, "SELECT count(*) FROM users WHERE email_mailbox = 'ann@new.example'") == 1)
            // The new address signs in, the old one no longer does, and the old address's reset link is dead
            guard case .signedIn = try await local.signIn(login: "ann@new.example", password: Self.password) else {
                Issue.record("the new address does not sign in")
                return
            }
            #expect(try await local.signIn(login: "ann@example.org", password: Self.password) == .invalidCredentials)
            #expect(try await local.passwordResetAccount(token: reset.token) == nil)
            // And the link works once
            await #expect(throws: LocalAccountError.invalidVerificationLink) {
                try await local.verifyEmail(token: change.token)
            }
            let events = try await store.events(for: ann.id, limit: 3)
            #expect(events.map(\.kind) == [.signedIn, .emailChanged, .emailVerificationRequested])
            // And the change says which address the account moved from, and to
            #expect(
                events[1].details == [
                    "method": "link", "old_email": "Ann@Example.org", "new_email": "Ann@New.example",
                ])
        }
    }

    /// Deleting the account takes both addresses out of its `email_changed` event, as it does its Twitter names.
    @Test func deletingTheAccountTakesTheAddressesOutOfItsChangeEvent() async throws {
        try await withAnn { local, store, _, database, ann in
            let change = try #require(
                try await local.requestEmailChange(for: ann.id, to: "ann.moved@new.example", current: Self.password))
            _ = try await local.verifyEmail(token: change.token)
            _ = try await local.deleteAccount(for: ann.id, current: Self.password)
            let changed = try await store.events(for: ann.id).filter { $0.kind == .emailChanged }
            #expect(changed.count == 1)
            #expect(changed.first?.details == ["method": "link"])
            let dump = try databaseDump(database)
            #expect(!dump.lowercased().contains("ann@example.org") && !dump.contains("ann.moved@new.example"))
        }
    }

    /// A change that cannot be made is refused, naming what is wrong, and issues nothing.
    @Test func aChangeIsRefusedForAWrongPasswordABadTakenOrSameAddress() async throws {
        try await withAnn { local, store, _, database, ann in
            _ = try await local.signUp(SignUpForm(username: "bob", email: "bob@example.org", password: Self.password))
            let dump = try databaseDump(database)
            let cases: [(String, Secret?, LocalAccountError)] = [
                ("ann@new.example", Secret("not her password"), .wrongPassword),
                ("ann@new.example", nil, .wrongPassword),
                ("nobody", Self.password, .invalid([FieldError(.email, "must contain '@'")])),
                ("ANN@example.org", Self.password, .invalid([FieldError(.email, "is already the account's address")])),
                (
                    "Bob@Example.org", Self.password,
                    .invalid([FieldError(.email, "already belongs to another account")])
                ),
            ]
            for (address, current, expected) in cases {
                await #expect(throws: expected, "\(address)") {
                    try await local.requestEmailChange(for: ann.id, to: address, current: current)
                }
            }
            // (the wrong passwords were counted and recorded, then nothing else: only sign_in_failures and events
            // differ)
            let rows = try databaseDump(database).split(separator: "\n").filter {
                !$0.contains("sign_in_failures") && !$0.contains("password_check_failed")
            }
            #expect(rows == dump.split(separator: "\n").filter { !$0.contains("sign_in_failures") })
            #expect(
                try await store.events(for: ann.id).filter { $0.kind == .passwordCheckFailed }.count == 2,
                "each wrong current password is recorded")
            #expect(countQuery(database, "SELECT count(*) FROM email_verifications") == 0)
            #expect(try await store.account(.id(ann.id))?.email == "Ann@Example.org")
            // And a disabled account asks for none
            _ = try await store.setAccountStatus(.id(ann.id), to: .disabled)
            await #expect(throws: LocalAccountError.store(.accountDisabled(ann.id))) {
                try await local.requestEmailChange(for: ann.id, to: "ann@new.example", current: Self.password)
            }
            #expect(countQuery(database, "SELECT count(*) FROM email_verifications") == 0)
        }
    }

    /// An address another account took after the link was sent is not taken from it: the follow is refused, and the
    /// account keeps its address.
    @Test func aChangeToAnAddressTakenMeanwhileChangesNothing() async throws {
        try await withAnn { local, store, _, database, ann in
            let change = try #require(
                try await local.requestEmailChange(for: ann.id, to: "shared@example.org", current: Self.password))
            _ = try await local.signUp(
                SignUpForm(username: "carl", email: "Shared@Example.org", password: Self.password))
            let dump = try databaseDump(database)
            await #expect(throws: LocalAccountError.invalid([FieldError(.email, "already belongs to another account")]))
            {
                try await local.verifyEmail(token: change.token)
            }
            #expect(try databaseDump(database) == dump)
            #expect(try await store.account(.id(ann.id))?.email == "Ann@Example.org")
        }
    }

    /// An account made through Twitter (no password) changes its address without one (the web asks for a recent
    /// sign-in), and one with no address gets its first this way.
    @Test func anAccountWithoutAPasswordOrAddressChangesWithoutOne() async throws {
        try await withAnn { local, store, _, _, _ in
            let bob = try await store.createAccount(NewAccount(username: try Username(validating: "bob")))
            try await store.linkTwitter(
                NewTwitterIdentity(userID: TwitterUserID(7), screenName: "bob", name: "Bob", profileJSON: nil),
                credential: nil, to: .id(bob.id))
            let change = try #require(
                try await local.requestEmailChange(for: bob.id, to: "bob@example.org", current: nil))
            #expect(try await local.verifyEmail(token: change.token).email == "bob@example.org")
            #expect(try await store.account(.id(bob.id))?.isEmailVerified == true)
        }
    }
}

extension EmailVerificationTests {
    /// A change link was asked for with the password of the time (or from a session it let in): a password reset or
    /// change, which signs out whoever knew the old one, ends it too, or whoever asked it would still take the
    /// address, and with it the reset links, after being signed out.
    @Test func aPasswordResetOrChangeEndsPendingChangeLinks() async throws {
        try await withAnn { local, store, _, _, ann in
            // Given ann's address confirmed (so the reset has no confirmation of its own to make)
            let confirm = try #require(try await local.requestEmailVerification(for: ann.id))
            try await local.verifyEmail(token: confirm.token)
            // When someone who knows her password asks for a change to their own address, and she resets it
            let intruder = try #require(
                try await local.requestEmailChange(for: ann.id, to: "intruder@example.net", current: Self.password))
            let reset = try #require(try await local.requestPasswordReset(email: "ann@example.org"))
            let newPassword = Secret("a brand new passphrase")
            try await local.resetPassword(token: reset.token, newPassword: newPassword)
            // Then the change link does not work
            #expect(try await local.emailLinkTarget(token: intruder.token) == nil)
            await #expect(throws: LocalAccountError.invalidVerificationLink) {
                try await local.verifyEmail(token: intruder.token)
            }
            #expect(try await store.account(.id(ann.id))?.email == "Ann@Example.org")
            // And so for a change of password
            let again = try #require(
                try await local.requestEmailChange(for: ann.id, to: "intruder@example.net", current: newPassword))
            try await local.changePassword(for: ann.id, current: newPassword, new: Secret("a third passphrase here"))
            #expect(try await local.emailLinkTarget(token: again.token) == nil)
            await #expect(throws: LocalAccountError.invalidVerificationLink) {
                try await local.verifyEmail(token: again.token)
            }
            #expect(try await store.account(.id(ann.id))?.email == "Ann@Example.org")
        }
    }
}

extension EmailVerificationTests {
    /// A change checked against the old password while a reset goes through leaves no working link: whoever knew the
    /// old password (signed out by the reset) cannot take the address afterwards.
    @Test func aChangeCheckedAgainstTheOldPasswordDuringAResetLeavesNoLink() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            // Given ann's password stored dearly (checking it takes a while), her address confirmed, a reset link
            let slow = LocalAccounts(
                store: store, hasher: PasswordHasher(parameters: .init(log2N: 16, r: 8, p: 1)), failureFloor: .zero)
            let fast = LocalAccounts(store: store, hasher: LocalAccountsTests.fastHasher, failureFloor: .zero)
            let ann = try await slow.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            try await fast.verifyEmail(token: try #require(try await fast.requestEmailVerification(for: ann.id)).token)
            let reset = try #require(try await fast.requestPasswordReset(email: "ann@example.org"))
            // When someone who knows the old password asks for a change, and ann resets it while that is checked
            let change = Task {
                try await slow.requestEmailChange(for: ann.id, to: "intruder@example.net", current: Self.password)
            }
            // (the change counts its attempt before it checks the password: wait for that, not for a fixed time)
            let attempts = "SELECT count(*) FROM sign_in_failures WHERE login_key = 'current-password:\(ann.id)'"
            #expect(try await eventually { countQuery(dir + "/accounts.sqlite", attempts) > 0 })
            try await fast.resetPassword(token: reset.token, newPassword: Secret("a brand new passphrase"))
            // Then no link it made works
            switch await change.result {
            case .success(let link?):
                #expect(try await fast.emailLinkTarget(token: link.token) == nil)
                _ = try? await fast.verifyEmail(token: link.token)
            case .success(nil):
                Issue.record("no link and no refusal")
            case .failure(let error):
                #expect(error as? LocalAccountError == .wrongPassword)
            }
            #expect(try await store.account(.id(ann.id))?.email == "ann@example.org")
        }
    }
}

extension EmailVerificationTests {
    /// "Sign out everywhere" ends a change of address under way (asked for from one of the sessions it ends); a new
    /// confirmation link, asked for or followed, does not.
    @Test func signingOutEverywhereEndsAChangeUnderWayAndAConfirmationLinkDoesNot() async throws {
        try await withAnn { local, store, _, _, ann in
            let change = try #require(
                try await local.requestEmailChange(for: ann.id, to: "ann@new.example", current: Self.password))
            let confirmation = try #require(try await local.requestEmailVerification(for: ann.id))
            #expect(try await local.emailLinkTarget(token: change.token)?.changesAddress == true)
            // (nor does following it)
            try await local.verifyEmail(token: confirmation.token)
            #expect(try await local.emailLinkTarget(token: change.token)?.changesAddress == true)
            _ = try await store.deleteBrowserSessions(of: ann.id)
            #expect(try await local.emailLinkTarget(token: change.token) == nil)
            await #expect(throws: LocalAccountError.invalidVerificationLink) {
                try await local.verifyEmail(token: change.token)
            }
        }
    }
}

extension EmailVerificationTests {
    /// A sign-in that only rehashes the password (stored with older parameters) while a change of address checks it
    /// does not turn the right password into a wrong one: the change is checked again against the hash there now, as
    /// a change of password is.
    @Test func aSignInThatRehashesThePasswordDuringAChangeDoesNotRefuseIt() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            // Given ann's password stored with older, dearer parameters (checking it takes a while)
            let slow = LocalAccounts(
                store: store, hasher: PasswordHasher(parameters: .init(log2N: 17, r: 8, p: 1)), failureFloor: .zero)
            let fast = LocalAccounts(store: store, hasher: LocalAccountsTests.fastHasher, failureFloor: .zero)
            let ann = try await slow.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            let before = try #require(try await store.loginRecord(.id(ann.id))?.passwordHash)
            // When she signs in (which rehashes it) while a change of address she asked for checks it
            let signIn = Task { try await fast.signIn(login: "ann", password: Self.password) }
            try await Task.sleep(for: .milliseconds(200))
            let change = try await fast.requestEmailChange(for: ann.id, to: "ann@new.example", current: Self.password)
            guard case .signedIn = try await signIn.value else {
                Issue.record("the sign-in did not go through")
                return
            }
            #expect(try await store.loginRecord(.id(ann.id))?.passwordHash != before)
            // Then the change is not refused, and its link works
            let link = try #require(change)
            #expect(try await fast.emailLinkTarget(token: link.token)?.email == "ann@new.example")
        }
    }
}

extension EmailVerificationTests {
    /// With `passwordRequired` (a session that is not a recent sign-in), an account without a password is refused:
    /// checked on the record the link would be issued against, so a password removed meanwhile lets nothing through.
    @Test func aChangeThatRequiresAPasswordIsRefusedForAnAccountWithout() async throws {
        try await withAnn { local, store, _, database, _ in
            let bob = try await store.createAccount(NewAccount(username: try Username(validating: "bob")))
            try await store.linkTwitter(
                NewTwitterIdentity(userID: TwitterUserID(7), screenName: "bob", name: "Bob", profileJSON: nil),
                credential: nil, to: .id(bob.id))
            await #expect(throws: LocalAccountError.noPassword) {
                try await local.requestEmailChange(
                    for: bob.id, to: "bob@example.org", current: nil, passwordRequired: true)
            }
            #expect(countQuery(database, "SELECT count(*) FROM email_verifications") == 0)
        }
    }
}

extension EmailVerificationTests {
    /// `verifyEmail(token:unlessConfirmedAddressChanges:)` does not follow a change link while the account's address
    /// is confirmed (`nil`, nothing changed, the link still works); a confirmation link and a change of an unconfirmed
    /// address go through.
    @Test func aChangeLinkIsNotFollowedPastAConfirmedAddressWhenAskedNotTo() async throws {
        try await withAnn { local, store, _, _, ann in
            let change = try #require(
                try await local.requestEmailChange(for: ann.id, to: "ann@new.example", current: Self.password))
            let confirmation = try #require(try await local.requestEmailVerification(for: ann.id))
            // Given her address confirmed after the change link was sent
            let confirmed = try await local.verifyEmail(token: confirmation.token, unlessConfirmedAddressChanges: true)
            #expect(confirmed?.isEmailVerified == true)
            // When the change link is followed by a caller that cannot tell the old address
            let refused = try await local.verifyEmail(token: change.token, unlessConfirmedAddressChanges: true)
            // Then nothing changed, and the link still works
            #expect(refused == nil)
            #expect(try await store.account(.id(ann.id))?.email == "Ann@Example.org")
            #expect(try await local.emailLinkTarget(token: change.token)?.changesAddress == true)
            #expect(try await local.verifyEmail(token: change.token).email == "ann@new.example")
        }
    }
}
