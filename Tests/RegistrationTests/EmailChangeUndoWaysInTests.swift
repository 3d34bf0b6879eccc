import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing

/// What is left of whoever moved an account's address once its owner follows the undo link: no session opened by a
/// sign-in racing it, nothing that stops the link, a trail that names the address left. Against a real SQLite file.
struct EmailChangeUndoWaysInTests {
    static let password = EmailChangeUndoTests.password
    static let newPassword = EmailChangeUndoTests.newPassword

    /// The error `body` throws, or `nil`.
    static func refusal(_ body: () async throws(LocalAccountError) -> Void) async -> LocalAccountError? {
        do {
            try await body()
            return nil
        } catch {
            return error
        }
    }

    /// A session of ann's, as the web layer writes one after a sign-in.
    static func session(_ user: UserID, _ clock: TestClock) -> BrowserSession {
        let id = SHA256.hexDigest(SecureRandom.bytes(count: 32))
        return BrowserSession(
            tokenHash: SHA256.hexDigest(Array(id.utf8)), user: user, csrfToken: id, createdAt: clock.now,
            lastSeenAt: clock.now, idleExpiresAt: clock.now.addingTimeInterval(3600),
            expiresAt: clock.now.addingTimeInterval(3600))
    }

    /// The undo ends every session of the account, so, as after a password reset or change, a sign-in whose checks
    /// began before it (with the password whoever moved the address knew) must open no session after it.
    @Test func aSignInCheckedBeforeTheUndoOpensNoSessionAfterIt() async throws {
        try await EmailChangeUndoTests().withAnnMoved { local, store, clock, database, ann, undo in
            // Given whoever moved the address signing in with the password they know: the password is checked
            guard case .signedIn = try await local.signIn(login: "thief@example.net", password: Self.password) else {
                Issue.record("the password whoever moved the address knew does not sign in")
                return
            }
            let checkedAt = try await store.eventMark()
            clock.advance(by: 0.001)
            // And the owner's undo lands before that sign-in's session is written
            let outcome = try await local.undoEmailChange(token: undo.token, newPassword: Self.newPassword)
            #expect(outcome.account.email == "Ann@Example.org")
            // When the session is written
            let opened = try await store.replaceBrowserSession(
                nil, with: Self.session(ann.id, clock), unlessEndedAfter: checkedAt)
            // Then it is refused, and the account has no session
            #expect(!opened, "a sign-in checked before the undo opened a session after it")
            #expect(countQuery(database, "SELECT count(*) FROM browser_sessions") == 0)
        }
    }

    /// Undoing an earlier change after a later one moves the account from the later address, not from the one the
    /// earlier change made: the outcome and the trail must say which address the account actually left, else the
    /// last address whoever took the account used is never recorded as replaced.
    @Test func undoingAnEarlierChangeRecordsTheAddressTheAccountActuallyLeft() async throws {
        try await EmailChangeUndoTests().withAnnMoved { local, store, clock, _, ann, first in
            // Given a second change, to another address of whoever took the account
            clock.advance(by: 60)
            let second = try #require(
                try await local.requestEmailChange(for: ann.id, to: "thief2@example.net", current: Self.password))
            _ = try #require(try await local.followEmailLink(token: second.token, issuingUndo: true))
            #expect(try await store.account(.id(ann.id))?.email == "thief2@example.net")
            // When ann follows the first change's link
            clock.advance(by: 60)
            let outcome = try await local.undoEmailChange(token: first.token, newPassword: Self.newPassword)
            // Then the outcome and the trail name the address the account had until now
            #expect(outcome.replaced == "thief2@example.net", "the undo reported replacing \(outcome.replaced)")
            let event = try #require(try await store.events(for: ann.id).first { $0.kind == .emailChangeUndone })
            #expect(event.details["old_email"] == "thief2@example.net")
            #expect(event.details["new_email"] == "Ann@Example.org")
        }
    }

    /// "Nothing a thief does … stops the link": signing up a second account with the address the change freed (no
    /// confirmation needed to hold it) must not leave the owner's link refused.
    @Test func anAccountSignedUpWithTheFreedAddressDoesNotStopTheUndo() async throws {
        try await EmailChangeUndoTests().withAnnMoved { local, store, _, _, ann, undo in
            // Given whoever moved the address signing up another account with ann's old address (refused or not)
            _ = try? await local.signUp(
                SignUpForm(username: "squatter", email: "ann@example.org", password: Secret("the squatter's own one")))
            // When ann follows the undo link
            let refusal = await Self.refusal { () async throws(LocalAccountError) in
                _ = try await local.undoEmailChange(token: undo.token, newPassword: Self.newPassword)
            }
            #expect(refusal == nil, "the undo was refused: \(refusal.map { "\($0)" } ?? "")")
            // Then her account has her address again
            let account = try await store.account(.id(ann.id))
            #expect(account?.email == "Ann@Example.org")
        }
    }
}
