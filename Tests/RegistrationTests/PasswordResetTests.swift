import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing

/// `LocalAccounts.requestPasswordReset` / `resetPassword`: one-time links to choose a new password, against a real
/// SQLite file.
struct PasswordResetTests {
    static let password = Secret("correct horse battery staple")
    static let newPassword = Secret("a brand new passphrase")

    func withAnn(
        _ body: (LocalAccounts, AccountStore, TestClock, String, Account) async throws -> Void
    ) async throws {
        try await withTemporaryDirectory { dir in
            let clock = TestClock()
            let store = try makeStore(in: dir, now: clock.closure)
            defer { try? store.close() }
            let local = LocalAccounts(store: store, hasher: LocalAccountsTests.fastHasher, failureFloor: .zero)
            let ann = try await local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            try await body(local, store, clock, dir + "/accounts.sqlite", ann)
        }
    }

    /// A session of `user` (or an anonymous one), as the web layer keeps them.
    func addSession(_ store: AccountStore, _ user: UserID?, _ clock: TestClock) async throws {
        let id = SHA256.hexDigest(SecureRandom.bytes(count: 32))
        try await store.createBrowserSession(
            BrowserSession(
                tokenHash: SHA256.hexDigest(Array(id.utf8)), user: user, csrfToken: id, createdAt: clock.now,
                lastSeenAt: clock.now, idleExpiresAt: clock.now.addingTimeInterval(3600),
                expiresAt: clock.now.addingTimeInterval(3600)))
    }

    @Test func aLinkSetsANewPasswordOnceAndEndsEverySessionOfTheAccount() async throws {
        try await withAnn { local, store, clock, database, ann in
            try await addSession(store, ann.id, clock)
            try await addSession(store, ann.id, clock)
            try await addSession(store, nil, clock)
            // Given a link asked for with the address written another way
            let reset = try #require(try await local.requestPasswordReset(email: "  ANN@example.ORG "))
            #expect(reset.account.id == ann.id && reset.expiresAt == clock.now.addingTimeInterval(3600))
            let token = reset.token.revealed
            #expect(token.count == 64 && token.allSatisfy { $0.isHexDigit && !$0.isUppercase })
            // (the store keeps its SHA-256, never the token; the description hides it)
            let hash = SHA256.hexDigest(Array(token.utf8))
            let kept = countQuery(database, "SELECT count(*) FROM password_resets WHERE token_hash = '\(hash)'")
            #expect(kept == 1, "the store does not keep the token's SHA-256")
            expectAbsent(token, named: "the reset token", inDatabase: database)
            expectAbsent(token, named: "the reset token", in: "\(reset)", String(reflecting: reset))
            #expect(try await local.passwordResetAccount(token: reset.token)?.id == ann.id)

            // When a password the policy refuses is chosen
            await #expect(throws: LocalAccountError.invalid([FieldError(.password, "must be at least 10 characters")]))
            {
                try await local.resetPassword(token: reset.token, newPassword: Secret("short"))
            }
            // Then nothing changed: the old password signs in, the link still works, the sessions live
            guard case .signedIn = try await local.signIn(login: "ann", password: Self.password) else {
                Issue.record("the old password stopped working")
                return
            }
            #expect(try await local.passwordResetAccount(token: reset.token)?.id == ann.id)
            #expect(try await store.browserSessionCount(of: ann.id) == 2)

            // When a good one is chosen
            let after = try await local.resetPassword(token: reset.token, newPassword: Self.newPassword)
            // Then it replaces the old one, every session of ann ended (the anonymous one kept), and it is audited,
            // her address confirmed on the way (the link reached it)
            #expect(after.id == ann.id)
            #expect(try await local.signIn(login: "ann", password: Self.password) == .invalidCredentials)
            guard case .signedIn = try await local.signIn(login: "ann", password: Self.newPassword) else {
                Issue.record("the new password does not sign in")
                return
            }
            #expect(try await store.browserSessionCount(of: ann.id) == 0)
            #expect(countQuery(database, "SELECT count(*) FROM browser_sessions") == 1)
            let events = try await store.events(for: ann.id)
            #expect(
                events.map(\.kind) == [
                    .signedIn, .signInFailed, .passwordReset, .emailVerified, .signedIn, .passwordResetRequested,
                    .created,
                ])
            #expect(events[2].details == ["sessions": "2"])

            // And the link works once
            #expect(try await local.passwordResetAccount(token: reset.token) == nil)
            await #expect(throws: LocalAccountError.invalidResetLink) {
                try await local.resetPassword(token: reset.token, newPassword: Secret("yet another passphrase"))
            }
            guard case .signedIn = try await local.signIn(login: "ann", password: Self.newPassword) else {
                Issue.record("a used link changed the password")
                return
            }
        }
    }

    @Test func aResetEndsTheSignInCoolDown() async throws {
        try await withAnn { local, _, _, _, _ in
            // Given ann locked out, by username and by address, after ten wrong passwords each (hers or a guesser's)
            let wrong = Secret("not my password at all")
            for _ in 0..<10 {
                #expect(try await local.signIn(login: "ann", password: wrong) == .invalidCredentials)
                #expect(try await local.signIn(login: "Ann@Example.org", password: wrong) == .invalidCredentials)
            }
            guard case .throttled = try await local.signIn(login: "ann", password: Self.password) else {
                Issue.record("ten failures did not start the cool-down")
                return
            }
            // When she chooses a new password through a mailed link
            let reset = try #require(try await local.requestPasswordReset(email: "ann@example.org"))
            try await local.resetPassword(token: reset.token, newPassword: Self.newPassword)
            // Then it signs her in at once, by address and by username
            for login in ["ann@example.org", "ann"] {
                guard case .signedIn = try await local.signIn(login: login, password: Self.newPassword) else {
                    Issue.record("the new password was refused for \(login)")
                    return
                }
            }
        }
    }

    /// A change checked against the old password while a reset goes through does not undo the reset: whoever knew
    /// the old password (signed out by the reset) cannot take the account back.
    @Test func aChangeCheckedAgainstTheOldPasswordDoesNotUndoAReset() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            // Given ann's password stored dearly (checking it takes a while), and a link mailed to her
            let slow = LocalAccounts(
                store: store, hasher: PasswordHasher(parameters: .init(log2N: 16, r: 8, p: 1)), failureFloor: .zero)
            let fast = LocalAccounts(store: store, hasher: LocalAccountsTests.fastHasher, failureFloor: .zero)
            let ann = try await slow.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            let reset = try #require(try await fast.requestPasswordReset(email: "ann@example.org"))
            // When someone who knows the old password changes it, and ann resets it while the old one is being checked
            let change = Task {
                try await slow.changePassword(
                    for: ann.id, current: Self.password, new: Secret("the intruder's passphrase"))
            }
            // (the change counts its attempt before it checks the password: wait for that, not for a fixed time)
            let attempts = "SELECT count(*) FROM sign_in_failures WHERE login_key = 'current-password:\(ann.id)'"
            #expect(try await eventually { countQuery(dir + "/accounts.sqlite", attempts) > 0 })
            try await fast.resetPassword(token: reset.token, newPassword: Self.newPassword)
            let changed = await change.result
            // Then ann's new password stands, and the change was refused: the password it checked is not hers now
            guard case .signedIn = try await fast.signIn(login: "ann", password: Self.newPassword) else {
                Issue.record("a change checked against the old password undid the reset")
                return
            }
            if case .failure(let error) = changed {
                #expect(error as? LocalAccountError == .wrongPassword)
            }
        }
    }

    @Test func changingOrRemovingThePasswordEndsTheLinks() async throws {
        try await withAnn { local, store, _, _, ann in
            // Given a link asked for, then the password changed after all (ann remembered the old one)
            let first = try #require(try await local.requestPasswordReset(email: "ann@example.org"))
            try await local.changePassword(for: ann.id, current: Self.password, new: Self.newPassword)
            // Then the link no longer works: whoever reads the mail later cannot undo the change
            #expect(try await local.passwordResetAccount(token: first.token) == nil)
            await #expect(throws: LocalAccountError.invalidResetLink) {
                try await local.resetPassword(token: first.token, newPassword: Secret("somebody else's passphrase"))
            }
            guard case .signedIn = try await local.signIn(login: "ann", password: Self.newPassword) else {
                Issue.record("a link older than the password replaced it")
                return
            }

            // Given another link, then the password removed (ann signs in with Twitter now)
            let second = try #require(try await local.requestPasswordReset(email: "ann@example.org"))
            try await store.linkTwitter(twitterIdentity("5"), credential: nil, to: .id(ann.id))
            try backdateTwitterLinks(of: store)
            try await local.removePassword(for: ann.id, current: Self.newPassword)
            // Then the link cannot give the account a password again
            #expect(try await local.passwordResetAccount(token: second.token) == nil)
            await #expect(throws: LocalAccountError.invalidResetLink) {
                try await local.resetPassword(token: second.token, newPassword: Secret("somebody else's passphrase"))
            }
            #expect(try await store.account(.id(ann.id))?.hasPassword == false)
        }
    }

    @Test func aLinkStopsWorkingWhenItsAccountIsDisabled() async throws {
        try await withAnn { local, _, _, database, _ in
            // Given a link mailed to ann, then her account disabled
            let reset = try #require(try await local.requestPasswordReset(email: "ann@example.org"))
            try executeSQL(database, "UPDATE users SET status = 'disabled' WHERE username = 'ann'")
            // Then the link neither names the account nor sets a password
            #expect(try await local.passwordResetAccount(token: reset.token) == nil)
            await #expect(throws: LocalAccountError.invalidResetLink) {
                try await local.resetPassword(token: reset.token, newPassword: Self.newPassword)
            }
            #expect(countQuery(database, "SELECT count(*) FROM account_events WHERE kind = 'password_reset'") == 0)
        }
    }

    /// A sign-in whose checks began before a reset (or "sign out everywhere") opens no session after it: the reset
    /// was meant to end every session, this one included.
    @Test func aSessionIsNotOpenedForASignInCheckedBeforeTheSessionsWereEnded() async throws {
        try await withAnn { local, store, clock, database, ann in
            func session() -> BrowserSession {
                let id = SHA256.hexDigest(SecureRandom.bytes(count: 32))
                return BrowserSession(
                    tokenHash: SHA256.hexDigest(Array(id.utf8)), user: ann.id, csrfToken: id, createdAt: clock.now,
                    lastSeenAt: clock.now, idleExpiresAt: clock.now.addingTimeInterval(3600),
                    expiresAt: clock.now.addingTimeInterval(3600))
            }
            // Given a sign-in whose password was checked, and a reset that lands before its session is written
            let checkedAt = try await store.eventMark()
            clock.advance(by: 0.001)
            let reset = try #require(try await local.requestPasswordReset(email: "ann@example.org"))
            try await local.resetPassword(token: reset.token, newPassword: Self.newPassword)
            // When the session is written
            // Then it is refused and nothing is written
            #expect(try await !store.replaceBrowserSession(nil, with: session(), unlessEndedAfter: checkedAt))
            #expect(countQuery(database, "SELECT count(*) FROM browser_sessions") == 0)
            // And a sign-in checked after the reset opens one
            let afterReset = try await store.eventMark()
            clock.advance(by: 0.001)
            #expect(try await store.replaceBrowserSession(nil, with: session(), unlessEndedAfter: afterReset))
            // And "sign out everywhere" after a sign-in's checks began refuses its session too
            let checkedAgain = try await store.eventMark()
            clock.advance(by: 0.001)
            #expect(try await store.deleteBrowserSessions(of: ann.id) == 1)
            #expect(try await !store.replaceBrowserSession(nil, with: session(), unlessEndedAfter: checkedAgain))
            #expect(countQuery(database, "SELECT count(*) FROM browser_sessions") == 0)
        }
    }

    /// A password change (or a password added) ends every other session of the account, so, as with a reset, a
    /// sign-in whose checks began before it opens no session after it. Before, the session of a sign-in with the old
    /// password, checked just before the change, was written after the change had ended the others, and stayed.
    @Test func aSessionIsNotOpenedForASignInCheckedBeforeThePasswordChanged() async throws {
        try await withAnn { local, store, clock, database, ann in
            func session() -> BrowserSession {
                let id = SHA256.hexDigest(SecureRandom.bytes(count: 32))
                return BrowserSession(
                    tokenHash: SHA256.hexDigest(Array(id.utf8)), user: ann.id, csrfToken: id, createdAt: clock.now,
                    lastSeenAt: clock.now, idleExpiresAt: clock.now.addingTimeInterval(3600),
                    expiresAt: clock.now.addingTimeInterval(3600))
            }
            // Given a sign-in whose old password was checked, and a change that lands before its session is written
            let checkedAt = try await store.eventMark()
            clock.advance(by: 0.001)
            try await local.changePassword(for: ann.id, current: Self.password, new: Self.newPassword)
            // When the session is written
            // Then it is refused and nothing is written
            #expect(try await !store.replaceBrowserSession(nil, with: session(), unlessEndedAfter: checkedAt))
            #expect(countQuery(database, "SELECT count(*) FROM browser_sessions") == 0)
            // And a sign-in checked after the change opens one
            let afterChange = try await store.eventMark()
            clock.advance(by: 0.001)
            let kept = session()
            #expect(try await store.replaceBrowserSession(nil, with: kept, unlessEndedAfter: afterChange))
            // And so does one of an account given a password after the sign-in's checks began (the session that
            // asked for it kept)
            try executeSQL(database, "UPDATE users SET password_hash = NULL WHERE username = 'ann'")
            let checkedAgain = try await store.eventMark()
            clock.advance(by: 0.001)
            try await local.setPassword(for: ann.id, new: Self.password, endingSessionsBut: kept.tokenHash)
            #expect(try await !store.replaceBrowserSession(nil, with: session(), unlessEndedAfter: checkedAgain))
            #expect(countQuery(database, "SELECT count(*) FROM browser_sessions") == 1)
        }
    }

    /// Removing the password ends the other sessions of the account, as changing it does, and a sign-in with the
    /// removed password whose checks began before the removal opens no session after it.
    @Test func removingThePasswordEndsTheOtherSessionsAndRefusesASignInCheckedBefore() async throws {
        try await withAnn { local, store, clock, database, ann in
            func session() -> BrowserSession {
                let id = SHA256.hexDigest(SecureRandom.bytes(count: 32))
                return BrowserSession(
                    tokenHash: SHA256.hexDigest(Array(id.utf8)), user: ann.id, csrfToken: id, createdAt: clock.now,
                    lastSeenAt: clock.now, idleExpiresAt: clock.now.addingTimeInterval(3600),
                    expiresAt: clock.now.addingTimeInterval(3600))
            }
            // Given ann with a linked Twitter account, signed in here and elsewhere
            try await store.linkTwitter(
                NewTwitterIdentity(userID: TwitterUserID(77), screenName: "ann", name: "Ann", profileJSON: nil),
                credential: nil, to: .id(ann.id))
            let here = session()
            #expect(try await store.replaceBrowserSession(nil, with: here))
            #expect(try await store.replaceBrowserSession(nil, with: session()))
            // And a sign-in with the password, checked just before she removes it here
            try backdateTwitterLinks(of: store)
            let checkedAt = try await store.eventMark()
            clock.advance(by: 0.001)
            try await local.removePassword(for: ann.id, current: Self.password, endingSessionsBut: here.tokenHash)
            // Then only this session is left, and the sign-in checked before opens none
            #expect(countQuery(database, "SELECT count(*) FROM browser_sessions") == 1)
            #expect(try await store.browserSession(tokenHash: here.tokenHash) != nil)
            #expect(try await !store.replaceBrowserSession(nil, with: session(), unlessEndedAfter: checkedAt))
            #expect(countQuery(database, "SELECT count(*) FROM browser_sessions") == 1)
        }
    }

    @Test func noLinkForAnUnknownDisabledOrPasswordlessAddressAndNothingWritten() async throws {
        try await withAnn { local, store, _, database, ann in
            let before = try await store.events(for: ann.id).count
            #expect(try await local.requestPasswordReset(email: "bob@example.org") == nil)
            #expect(try await local.requestPasswordReset(email: "not an address") == nil)
            #expect(try await local.requestPasswordReset(email: "") == nil)
            try executeSQL(database, "UPDATE users SET status = 'disabled' WHERE username = 'ann'")
            #expect(try await local.requestPasswordReset(email: "ann@example.org") == nil)
            // (no password, and an address she confirmed: she signs in through Twitter, and needs no link)
            try executeSQL(
                database,
                "UPDATE users SET status = 'active', password_hash = NULL, email_verified_at = 1 WHERE username = 'ann'"
            )
            #expect(try await local.requestPasswordReset(email: "ann@example.org") == nil)
            #expect(countQuery(database, "SELECT count(*) FROM password_resets") == 0)
            #expect(try await store.events(for: ann.id).count == before)
        }
    }

    /// Someone signs up with ann's address before she does (nothing checks that he reads it) and links his own
    /// Twitter account. Her reset link is the first proof that the address is hers: it confirms it and unlinks the
    /// Twitter account linked before, which would otherwise let him back in.
    @Test func aResetThatFirstProvesTheAddressUnlinksTheTwitterAccountLinkedBeforeIt() async throws {
        try await withAnn { local, store, _, database, squatted in
            try await store.linkTwitter(
                twitterIdentity("66", screenName: "mallory"), credential: nil, to: .id(squatted.id))
            let reset = try #require(try await local.requestPasswordReset(email: "ann@example.org"))
            // (the page says whom the link is for, Twitter account and all, before anything changes)
            #expect(try await local.passwordResetAccount(token: reset.token)?.twitter?.screenName == "mallory")
            let after = try await local.resetPassword(token: reset.token, newPassword: Self.newPassword)
            #expect(after.twitter == nil && after.isEmailVerified)
            #expect(try await store.account(.id(squatted.id))?.twitter == nil)
            #expect(countQuery(database, "SELECT count(*) FROM twitter_identities") == 0)
            #expect(countQuery(database, "SELECT count(*) FROM twitter_credentials") == 0)
            let unlinked = try #require(try await store.events(for: squatted.id).first { $0.kind == .unlinked })
            #expect(
                unlinked.details == [
                    "twitter_id": "66", "screen_name": "mallory", "reason": "address_confirmed_by_reset",
                ])
            // And a second reset, the address confirmed now, unlinks nothing: a Twitter account linked after the proof
            // stays
            try await store.linkTwitter(
                twitterIdentity("67", screenName: "ann_tw"), credential: nil, to: .id(squatted.id))
            let again = try #require(try await local.requestPasswordReset(email: "ann@example.org"))
            let kept = try await local.resetPassword(token: again.token, newPassword: Secret("a third passphrase here"))
            #expect(kept.twitter?.screenName == "ann_tw")
        }
    }

    /// What the reset unlinked is what its own transaction found, token and all: a Twitter account linked after the
    /// link was asked for (another tab, another instance, while the form was being filled in) is reported, with the
    /// access token to revoke; a reset that unlinks nothing reports nothing.
    @Test func theResetReportsTheTwitterAccountAndTokenItsOwnTransactionUnlinked() async throws {
        try await withAnn { local, store, _, _, squatted in
            let reset = try #require(try await local.requestPasswordReset(email: "ann@example.org"))
            #expect(try await local.passwordResetAccount(token: reset.token)?.twitter == nil)
            try await store.linkTwitter(
                twitterIdentity("66", screenName: "mallory"),
                credential: TwitterCredential(token: "66-access", secret: Secret("66-secret")), to: .id(squatted.id))
            let outcome = try await local.resetPasswordReporting(token: reset.token, newPassword: Self.newPassword)
            #expect(outcome.account.twitter == nil && outcome.account.isEmailVerified)
            #expect(outcome.unlinkedTwitter?.screenName == "mallory")
            let tokenKept = outcome.unlinkedCredential?.token == "66-access"
            #expect(tokenKept, "the unlinked credential's access token is not the one linked")
            let opened = outcome.unlinkedCredential?.secret.revealed == "66-secret"
            #expect(opened, "the token's secret is opened")
            let again = try #require(try await local.requestPasswordReset(email: "ann@example.org"))
            let nothing = try await local.resetPasswordReporting(
                token: again.token, newPassword: Secret("a third passphrase here"))
            #expect(nothing.unlinkedTwitter == nil && nothing.unlinkedCredential == nil)
        }
    }

    /// An account made through Twitter with ann's address (no password) would keep the address from her for good:
    /// sign-up says it is taken, and a reset link went only to accounts with a password. While the address is not
    /// confirmed, a link goes to it; following it sets a password and unlinks the Twitter account.
    @Test func anAccountWithNoPasswordAndAnUnconfirmedAddressCanBeTakenBackByTheAddressesOwner() async throws {
        try await withAnn { local, store, _, database, _ in
            let squat = try await store.createAccount(
                newAccount("squat", email: "bea@example.org"), linking: twitterIdentity("77", screenName: "squatter"),
                credential: TwitterCredential(token: "t", secret: Secret("s")))
            let reset = try #require(try await local.requestPasswordReset(email: "bea@example.org"))
            #expect(reset.account.id == squat.id)
            let taken = try await local.resetPassword(token: reset.token, newPassword: Self.newPassword)
            #expect(taken.hasPassword && taken.isEmailVerified && taken.twitter == nil)
            guard
                case .signedIn(let signedIn) = try await local.signIn(
                    login: "bea@example.org", password: Self.newPassword)
            else { Issue.record("the new password does not sign in"); return }
            #expect(signedIn.id == squat.id)
            #expect(countQuery(database, "SELECT count(*) FROM twitter_identities") == 0)
        }
    }

    @Test func aNewLinkEndsTheEarlierOnesAndThreeAnHourAreIssuedAtMost() async throws {
        try await withAnn { local, store, clock, database, ann in
            // Given two links asked for a minute apart
            let first = try #require(try await local.requestPasswordReset(email: "ann@example.org"))
            clock.advance(by: 60)
            let second = try #require(try await local.requestPasswordReset(email: "ann@example.org"))
            // Then only the newer works
            #expect(try await local.passwordResetAccount(token: first.token) == nil)
            await #expect(throws: LocalAccountError.invalidResetLink) {
                try await local.resetPassword(token: first.token, newPassword: Self.newPassword)
            }
            #expect(try await local.passwordResetAccount(token: second.token)?.id == ann.id)
            // And a third is issued, a fourth within the hour is not, and writes nothing
            clock.advance(by: 60)
            let third = try #require(try await local.requestPasswordReset(email: "ann@example.org"))
            #expect(try await local.requestPasswordReset(email: "ann@example.org") == nil)
            #expect(countQuery(database, "SELECT count(*) FROM password_resets") == 3)
            #expect(try await local.passwordResetAccount(token: third.token)?.id == ann.id)
            // And an hour after the first, one more is
            clock.advance(by: 3600 - 120)
            #expect(try await local.requestPasswordReset(email: "ann@example.org") != nil)
            #expect(
                try await store.events(for: ann.id).map(\.kind)
                    == Array(repeating: .passwordResetRequested, count: 4) + [.created])
        }
    }

    @Test func aLinkExpiresMalformedTokensAreNotLookedUpAndPurgeAndDeletionRemoveLinks() async throws {
        try await withAnn { local, store, clock, database, ann in
            let reset = try #require(try await local.requestPasswordReset(email: "ann@example.org"))
            // Given a link whose hour has passed
            clock.advance(by: 3600)
            #expect(try await local.passwordResetAccount(token: reset.token) == nil)
            await #expect(throws: LocalAccountError.invalidResetLink) {
                try await local.resetPassword(token: reset.token, newPassword: Self.newPassword)
            }
            // And tokens of the wrong shape
            for token in [
                "", reset.token.revealed.uppercased(), String(reset.token.revealed.dropLast()), "' OR 1=1 --",
            ] {
                #expect(try await local.passwordResetAccount(token: Secret(token)) == nil)
            }
            guard case .signedIn = try await local.signIn(login: "ann", password: Self.password) else {
                Issue.record("an expired link changed the password")
                return
            }
            // Then purge keeps the ended link a day (to count requests), then removes it
            #expect(try await store.purgeExpired().passwordResets == 0)
            clock.advance(by: 24 * 3600)
            #expect(try await store.purgeExpired().passwordResets == 1)
            // And deleting the account removes its links
            _ = try #require(try await local.requestPasswordReset(email: "ann@example.org"))
            _ = try await store.deleteAccount(.id(ann.id))
            #expect(countQuery(database, "SELECT count(*) FROM password_resets") == 0)
        }
    }
}

extension PasswordResetTests {
    /// Wrong current passwords typed on the account page (a change or a removal) count towards a cool-down of their
    /// own. A reset proves the person holds the mailbox and ends every session that made those guesses, so it clears
    /// that count too: the new password can be changed at once.
    @Test func aResetClearsTheCountOfWrongCurrentPasswords() async throws {
        try await withAnn { local, _, _, _, ann in
            // Given ann's current-password checks throttled
            for _ in 0..<local.maximumFailures {
                await #expect(throws: LocalAccountError.wrongPassword) {
                    try await local.changePassword(for: ann.id, current: Secret("not it at all"), new: Self.newPassword)
                }
            }
            await #expect {
                try await local.changePassword(for: ann.id, current: Self.password, new: Self.newPassword)
            } throws: { error in
                if case LocalAccountError.throttled = error { true } else { false }
            }
            // When she resets her password by mail
            let reset = try #require(try await local.requestPasswordReset(email: "ann@example.org"))
            _ = try await local.resetPassword(token: reset.token, newPassword: Self.newPassword)
            // Then she can change it with the new one at once
            try await local.changePassword(
                for: ann.id, current: Self.newPassword, new: Secret("yet another passphrase 3"))
            guard case .signedIn = try await local.signIn(login: "ann", password: Secret("yet another passphrase 3"))
            else {
                Issue.record("the changed password does not sign in")
                return
            }
        }
    }
}
