import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing

/// What a clock set back does to the counts kept in the store: rows written while the clock stood ahead (an NTP step
/// back, a VM restored from a snapshot, or another process over the same file whose clock runs ahead) hold an
/// account for one window from the time they are found at most, as ``RequestThrottle`` holds a client, not until the
/// clock catches up with them.
struct ClockSetBackTests {
    static let password = Secret("correct horse battery staple")
    static let wrong = Secret("wrong password!")
    static let day: TimeInterval = 24 * 60 * 60

    func withService(
        _ body: (LocalAccounts, AccountStore, TestClock, String) async throws -> Void
    ) async throws {
        try await LocalAccountsTests().withService { local, store, clock, dir in
            try await body(local, store, clock, dir + "/accounts.sqlite")
        }
    }

    /// Ten failed sign-ins counted while the clock stood a day ahead hold the login for one window (15 minutes) from
    /// when the clock is set back, not for the day and the window; a throttled attempt after the step back is audited
    /// though the last `sign_in_throttled` event carries a time still to come.
    @Test func failuresCountedAheadOfTheClockHoldALoginForOneWindowAtMost() async throws {
        try await withService { local, store, clock, database in
            let ann = try await local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            // Given ten failures, and a throttled attempt, while the clock stands a day ahead
            clock.advance(by: Self.day)
            for _ in 0..<10 {
                #expect(try await local.signIn(login: "ann", password: Self.wrong) == .invalidCredentials)
                clock.advance(by: 1)
            }
            guard case .throttled = try await local.signIn(login: "ann", password: Self.password) else {
                Issue.record("the eleventh attempt was not throttled")
                return
            }
            #expect(try await store.events(for: ann.id).first?.kind == .signInThrottled)

            // When the clock is set back by the day
            clock.advance(by: -Self.day - 10)
            // Then the login is held, for one window from now at most, and the refusal is audited
            guard case .throttled(let retryAfter) = try await local.signIn(login: "ann", password: Self.password) else {
                Issue.record("the failures counted ahead were forgotten")
                return
            }
            let limit = clock.now.addingTimeInterval(15 * 60)
            #expect(retryAfter <= limit, "retry after \(retryAfter), more than one window after \(clock.now)")
            let throttledEvents = countQuery(
                database, "SELECT count(*) FROM account_events WHERE kind = 'sign_in_throttled'")
            #expect(throttledEvents == 2)
            // And once the window has passed, the right password signs in
            clock.advance(by: 15 * 60 + 1)
            guard case .signedIn = try await local.signIn(login: "ann", password: Self.password) else {
                Issue.record("ann is still throttled one window after the clock was set back")
                return
            }
        }
    }

    /// Links asked for while the clock stood a day ahead count against the account's limit for one window from when
    /// the clock is set back, not for the day and the window: the person can ask for a link again an hour later.
    @Test(arguments: ["password reset", "email confirmation"])
    func linksAskedForAheadOfTheClockCountForOneWindowAtMost(_ kind: String) async throws {
        try await withService { local, _, clock, database in
            let ann = try await local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            let table = kind == "password reset" ? "password_resets" : "email_verifications"
            func ask() async throws -> Bool {
                if kind == "password reset" {
                    return try await local.requestPasswordReset(email: "ann@example.org") != nil
                }
                return try await local.requestEmailVerification(for: ann.id) != nil
            }
            // Given the three links an hour allows, asked for while the clock stands a day ahead
            clock.advance(by: Self.day)
            for _ in 0..<3 {
                #expect(try await ask())
                clock.advance(by: 1)
            }
            #expect(try await !ask())

            // When the clock is set back by the day, the requests still count for the window
            clock.advance(by: -Self.day - 3)
            #expect(try await !ask())
            #expect(countQuery(database, "SELECT count(*) FROM \(table)") == 3)
            // Then an hour later a link is issued again
            clock.advance(by: 60 * 60 + 1)
            #expect(try await ask(), "no \(kind) link an hour after the clock was set back")
            #expect(countQuery(database, "SELECT count(*) FROM \(table)") == 4)
        }
    }

    /// A Twitter account linked after a change of address is unlinked by the change's undo even when the clock was
    /// set back between the two (its `linked_at` would otherwise read as before the change): whoever moved the
    /// address keeps no way in.
    @Test func aTwitterAccountLinkedAfterTheChangeUnderAClockSetBackIsUnlinkedByTheUndo() async throws {
        try await EmailChangeUndoTests().withAnnMoved { local, store, clock, _, ann, undo in
            // Given the clock set back by a minute after the change, and whoever moved the address linking a Twitter
            // account of theirs
            clock.advance(by: -60)
            try await store.linkTwitter(twitterIdentity("77", screenName: "thief"), credential: nil, to: .id(ann.id))
            // Then the undo's page says it goes with the undo
            let target = try #require(try await local.emailChangeUndoTarget(token: undo.token))
            #expect(target.twitter?.screenName == "thief" && target.unlinksTwitter)
            // And following the link unlinks it
            let outcome = try await local.undoEmailChange(
                token: undo.token, newPassword: EmailChangeUndoTests.newPassword)
            #expect(outcome.unlinkedTwitter?.userID.decimalString == "77")
            #expect(try await store.account(.id(ann.id))?.twitter == nil)
        }
    }

    /// A Twitter account its owner linked while the clock stood ahead stays linked through the undo of a change of
    /// address made after the clock was set back: the change counts as made after the link, so the undo's page does
    /// not offer to take it away and following the link leaves it.
    @Test func aTwitterAccountLinkedBeforeTheChangeUnderAClockAheadStaysThroughTheUndo() async throws {
        try await EmailVerificationTests().withAnn { local, store, clock, _, ann in
            let confirmation = try #require(try await local.requestEmailVerification(for: ann.id))
            try await local.verifyEmail(token: confirmation.token)
            // Given ann's own Twitter account linked while the clock stood a day ahead
            clock.advance(by: Self.day)
            try await store.linkTwitter(twitterIdentity("55", screenName: "ann"), credential: nil, to: .id(ann.id))
            // When the clock is set back by the day and the address is moved
            clock.advance(by: -Self.day + 60)
            let change = try #require(
                try await local.requestEmailChange(
                    for: ann.id, to: "thief@example.net", current: EmailChangeUndoTests.password))
            let moved = try #require(try await local.followEmailLink(token: change.token, issuingUndo: true))
            let undo = try #require(moved.undo)
            // Then the undo's page does not say the Twitter account goes with it
            let target = try #require(try await local.emailChangeUndoTarget(token: undo.token))
            #expect(target.twitter?.screenName == "ann" && !target.unlinksTwitter)
            // And following the link leaves it linked
            let outcome = try await local.undoEmailChange(
                token: undo.token, newPassword: EmailChangeUndoTests.newPassword)
            #expect(outcome.unlinkedTwitter == nil)
            #expect(try await store.account(.id(ann.id))?.twitter?.userID.decimalString == "55")
        }
    }

    /// A browser session of `user`, made at `clock`'s time, as a sign-in writes it.
    static func session(of user: UserID, _ clock: TestClock) -> BrowserSession {
        let id = SHA256.hexDigest(SecureRandom.bytes(count: 32))
        return BrowserSession(
            tokenHash: SHA256.hexDigest(Array(id.utf8)), user: user, csrfToken: id, createdAt: clock.now,
            lastSeenAt: clock.now, idleExpiresAt: clock.now.addingTimeInterval(3600),
            expiresAt: clock.now.addingTimeInterval(3600))
    }

    /// Two app instances over one file, the second one's clock a minute behind the first's. A password reset or "sign
    /// out everywhere" made on the second instance after a sign-in on the first began its checks ends that sign-in
    /// too: it opens no session, though the event that ended the sessions is dated a minute before the sign-in began.
    /// A sign-in whose checks began after it opens one, on either instance.
    @Test(arguments: ["password reset", "sign out everywhere"])
    func sessionsEndedByAnInstanceWhoseClockIsBehindRefuseASignInCheckedBefore(_ ending: String) async throws {
        try await LocalAccountsTests().withService { local, store, clock, dir in
            let ann = try await local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            // Given a second instance over the same file, its clock a minute behind
            let behindClock = TestClock(clock.now.addingTimeInterval(-60))
            let behind = try makeStore(in: dir, now: behindClock.closure)
            defer { try? behind.close() }
            let behindLocal = LocalAccounts(store: behind, hasher: LocalAccountsTests.fastHasher, failureFloor: .zero)
            // And a sign-in on the first instance whose password was checked
            let checkedAt = try await store.eventMark()
            clock.advance(by: 0.001)
            guard case .signedIn = try await local.signIn(login: "ann", password: Self.password) else {
                Issue.record("ann did not sign in")
                return
            }
            // When the second instance ends every session of ann's before the sign-in's session is written
            if ending == "password reset" {
                let link = try #require(try await behindLocal.requestPasswordReset(email: "ann@example.org"))
                try await behindLocal.resetPassword(token: link.token, newPassword: Secret("a brand new passphrase"))
            } else {
                try await behind.deleteBrowserSessions(of: ann.id)
            }
            // Then the sign-in opens no session
            let opened = try await store.replaceBrowserSession(
                nil, with: Self.session(of: ann.id, clock), unlessEndedAfter: checkedAt)
            #expect(
                !opened, "a sign-in checked before the \(ending) on an instance whose clock is behind opened a session")
            #expect(try await store.browserSessionCount(of: ann.id) == 0)
            // And a sign-in checked after it opens one, on either instance
            let afterFirst = try await store.eventMark()
            clock.advance(by: 0.001)
            #expect(
                try await store.replaceBrowserSession(
                    nil, with: Self.session(of: ann.id, clock), unlessEndedAfter: afterFirst))
            let afterSecond = try await behind.eventMark()
            behindClock.advance(by: 0.001)
            #expect(
                try await behind.replaceBrowserSession(
                    nil, with: Self.session(of: ann.id, behindClock), unlessEndedAfter: afterSecond))
            #expect(try await store.browserSessionCount(of: ann.id) == 2)
        }
    }

    /// Two app instances over one file, the second one's clock ten minutes behind the first's. A link that the first
    /// instance ends (a password change ends the reset links, "sign out everywhere" a change of address under way)
    /// does not work on the second either, though by the second one's clock the time the first ended it at is still
    /// to come; and nothing changes.
    @Test(arguments: ["password changed", "sign out everywhere"])
    func linksEndedByAnInstanceWhoseClockIsAheadDoNotWorkOnAnother(_ ending: String) async throws {
        try await LocalAccountsTests().withService { local, store, clock, dir in
            let ann = try await local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            let confirmation = try #require(try await local.requestEmailVerification(for: ann.id))
            try await local.verifyEmail(token: confirmation.token)
            // Given a second instance over the same file, its clock ten minutes behind
            let behindClock = TestClock(clock.now.addingTimeInterval(-600))
            let behind = try makeStore(in: dir, now: behindClock.closure)
            defer { try? behind.close() }
            let behindLocal = LocalAccounts(store: behind, hasher: LocalAccountsTests.fastHasher, failureFloor: .zero)
            let newPassword = Secret("a brand new passphrase")
            if ending == "password changed" {
                // And a reset link asked for on the second instance
                let link = try #require(try await behindLocal.requestPasswordReset(email: "ann@example.org"))
                // When ann changes her password on the first
                try await local.changePassword(for: ann.id, current: Self.password, new: newPassword)
                let hash = try await store.loginRecord(.id(ann.id))?.passwordHash
                // Then the link sets no password on the second
                await #expect(throws: LocalAccountError.invalidResetLink) {
                    try await behindLocal.resetPassword(token: link.token, newPassword: Secret("someone else's choice"))
                }
                let hashKept = try await store.loginRecord(.id(ann.id))?.passwordHash == hash
                #expect(hashKept, "the stored password hash changed")
            } else {
                // And a change of address to someone else's asked for on the second instance
                let change = try #require(
                    try await behindLocal.requestEmailChange(
                        for: ann.id, to: "thief@example.net", current: Self.password))
                // When ann signs out everywhere on the first
                try await store.deleteBrowserSessions(of: ann.id)
                // Then following the link on the second changes nothing
                await #expect(throws: LocalAccountError.invalidVerificationLink) {
                    try await behindLocal.followEmailLink(token: change.token, issuingUndo: true)
                }
                #expect(try await store.account(.id(ann.id))?.email == "ann@example.org")
            }
        }
    }
}
