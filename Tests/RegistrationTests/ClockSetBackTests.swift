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
}
