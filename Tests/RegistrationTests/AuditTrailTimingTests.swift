import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing

/// When an audit event says a change happened, against a real SQLite file shared by two app instances.
struct AuditTrailTimingTests {
    static let password = Secret("correct horse battery staple")
    static let newPassword = Secret("a brand new passphrase")

    /// Two app instances over one database. Instance A sets ann's new password from her reset link while instance B
    /// holds the write lock to record a sign-in with her old password, whose checks began after A read its clock but
    /// before A's reset landed. The reset's `password_reset` event must say when the reset landed (after that sign-in),
    /// not when it asked for the lock: the trail, newest first, would otherwise read backwards in time. And the rule
    /// "a sign-in whose checks began before the account's sessions were all ended opens no session"
    /// (`replaceBrowserSession(_:with:unlessEndedAfter:)`) keeps the old password's sign-in from opening a session
    /// after the reset ended them all.
    @Test func aResetThatWaitedForTheWriteLockIsDatedWhenItLandedAndEndsTheSignInsCheckedBefore() async throws {
        try await withTemporaryDirectory { dir in
            let clock = TestClock()
            let store = try makeStore(in: dir, now: clock.closure)
            defer { try? store.close() }
            let database = dir + "/accounts.sqlite"
            let local = LocalAccounts(store: store, hasher: LocalAccountsTests.fastHasher, failureFloor: .zero)
            let ann = try await local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            let link = try #require(try await local.requestPasswordReset(email: "ann@example.org"))
            let oldHash = try #require(try await store.loginRecord(.id(ann.id))?.passwordHash)

            // Given instance B holding the write lock (it is about to record a sign-in)
            let holder = try CommittingLockHolder(path: database)
            // When instance A sets the new password: it reads the link and the clock, then waits for the lock
            let reset = Task { try await local.resetPassword(token: link.token, newPassword: Self.newPassword) }
            guard try await writesReached(1, in: store) else {
                // (the reset lands before the store closes: a write left running on a closed store crashes)
                try holder.commit("")
                _ = await reset.result
                Issue.record("the reset never reached its write")
                return
            }
            // And five seconds later, the reset not landed yet, B's sign-in with the old password begins its checks
            clock.advance(by: 5)
            let checkedAt = clock.now
            let mark = try await store.eventMark()
            let micros = Int64((checkedAt.timeIntervalSince1970 * 1_000_000).rounded())
            // (the account still holds the old password's hash: B's check passes)
            try #require(
                try await store.loginRecord(.id(ann.id))?.passwordHash == oldHash,
                "the reset landed before the sign-in began: the race was not reproduced")
            clock.advance(by: 1)
            // And B records it (as `recordSignIn` does) and lets the lock go; A's reset then lands
            try holder.commit(
                """
                UPDATE users SET last_sign_in_at = \(micros) WHERE username = 'ann';
                INSERT INTO account_events (subject, kind, actor, details, occurred_at)
                VALUES ('\(ann.id.rawValue)', 'signed_in', 'user', '{"method": "password"}', \(micros));
                """)
            _ = try await reset.value

            // Then the trail, newest first, lists the reset after the sign-in, and dates it no earlier
            let events = try await store.events(for: ann.id, limit: 10)
            let resetAt = try #require(events.firstIndex { $0.kind == .passwordReset })
            let signedInAt = try #require(events.firstIndex { $0.kind == .signedIn })
            try #require(resetAt < signedInAt, "\(events.map(\.kind))")
            let (resetEvent, signInEvent) = (events[resetAt], events[signedInAt])
            #expect(
                resetEvent.occurredAt >= signInEvent.occurredAt,
                "password_reset dated \(resetEvent.occurredAt), before the sign-in it followed (\(signInEvent.occurredAt))"
            )
            // And B's sign-in, checked before the reset landed, opens no session (what `BrowserSessions.rotate` asks)
            let id = SHA256.hexDigest(SecureRandom.bytes(count: 32))
            let opened = try await store.replaceBrowserSession(
                nil,
                with: BrowserSession(
                    tokenHash: SHA256.hexDigest(Array(id.utf8)), user: ann.id, csrfToken: id, createdAt: clock.now,
                    lastSeenAt: clock.now, idleExpiresAt: clock.now.addingTimeInterval(3600),
                    expiresAt: clock.now.addingTimeInterval(3600)),
                unlessEndedAfter: mark)
            #expect(!opened, "a sign-in checked against the old password opened a session after the reset")
            #expect(try await store.browserSessionCount(of: ann.id) == 0)
        }
    }
}
