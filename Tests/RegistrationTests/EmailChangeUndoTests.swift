import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing

/// `LocalAccounts.followEmailLink(token:unlessConfirmedAddressChanges:issuingUndo:)` and `undoEmailChange`: the link
/// mailed to an old, confirmed address with the notice of a change gives the account back to that address, against a
/// real SQLite file.
struct EmailChangeUndoTests {
    static let password = EmailVerificationTests.password
    static let newPassword = Secret("a fresh one nobody else knows")

    /// Ann, her address confirmed, whose account is then moved to `thief@example.net` by whoever holds her password;
    /// `body` gets the undo link issued with the change.
    func withAnnMoved(
        _ body: (LocalAccounts, AccountStore, TestClock, String, Account, EmailChangeUndo) async throws -> Void
    ) async throws {
        try await EmailVerificationTests().withAnn { local, store, clock, database, ann in
            let confirmation = try #require(try await local.requestEmailVerification(for: ann.id))
            try await local.verifyEmail(token: confirmation.token)
            clock.advance(by: 60)
            let change = try #require(
                try await local.requestEmailChange(for: ann.id, to: "thief@example.net", current: Self.password))
            let moved = try #require(try await local.followEmailLink(token: change.token, issuingUndo: true))
            #expect(moved.changedAddress && moved.account.email == "thief@example.net")
            try await body(local, store, clock, database, ann, try #require(moved.undo))
        }
    }

    /// A trigger that refuses every change of an account's address, as a CHECK or a full disk would.
    static let refuseAddressChanges = """
        CREATE TRIGGER refuse BEFORE UPDATE OF email ON users
        BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END
        """

    /// `error` gives the trigger's words, and does not say the address is taken.
    static func expectRefusedByTheTrigger(
        _ error: LocalAccountError?, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let message = error.map { "\($0)" } ?? ""
        #expect(message.contains("refused by a test trigger"), "\(message)", sourceLocation: sourceLocation)
        #expect(
            !message.contains("taken") && !message.contains("another account"), "\(message)",
            sourceLocation: sourceLocation)
    }

    /// A change of address, or its undo, that another constraint refuses (here a trigger, as a CHECK would) is not
    /// reported as the address being taken: until session 60 any constraint failure on the account's row was
    /// "email: is already taken" (or "belongs to another account now"), sending the person to look for an account
    /// that does not exist. Nothing changes either way.
    @Test func aChangeOrUndoRefusedByAnotherConstraintDoesNotSayTheAddressIsTaken() async throws {
        try await EmailVerificationTests().withAnn { local, store, _, database, ann in
            let change = try #require(
                try await local.requestEmailChange(for: ann.id, to: "new@example.net", current: Self.password))
            try executeSQL(database, Self.refuseAddressChanges)
            let dump = try databaseDump(database)
            let error = await #expect(throws: LocalAccountError.self) {
                _ = try await local.followEmailLink(token: change.token, issuingUndo: true)
            }
            Self.expectRefusedByTheTrigger(error)
            #expect(try databaseDump(database) == dump)
            #expect(try await store.account(.id(ann.id))?.email == "Ann@Example.org")
        }
        try await withAnnMoved { local, store, _, database, ann, undo in
            try executeSQL(database, Self.refuseAddressChanges)
            let dump = try databaseDump(database)
            let error = await #expect(throws: LocalAccountError.self) {
                _ = try await local.undoEmailChange(token: undo.token, newPassword: Self.newPassword)
            }
            Self.expectRefusedByTheTrigger(error)
            #expect(try databaseDump(database) == dump)
            #expect(try await store.account(.id(ann.id))?.email == "thief@example.net")
        }
    }

    /// Whoever moved the address knew the password, and could delete the account with it: that would end the undo
    /// link (its row goes with the account), free the address it reserves, and leave the former address's owner with
    /// nothing to follow (until session 62 it did). The owner may not delete it while the link works; nothing changes,
    /// and the link still gives the account back. Once the link has expired, the deletion goes ahead; an operator may
    /// delete it at any time.
    @Test func theOwnerMayNotDeleteTheAccountWhileTheUndoLinkWorks() async throws {
        try await withAnnMoved { local, store, clock, database, ann, undo in
            let dump = try databaseDump(database)
            let until = undo.expiresAt
            await #expect(throws: LocalAccountError.store(.addressChangeUndoable(ann.id, until: until))) {
                _ = try await local.deleteAccount(for: ann.id, current: Self.password)
            }
            #expect(try databaseDump(database) == dump)
            let message = "\(StoreError.addressChangeUndoable(ann.id, until: until))"
            #expect(
                message.contains("may not be deleted by its owner until") && message.contains("nothing was changed"))
            #expect(try await local.emailChangeUndoTarget(token: undo.token)?.account.id == ann.id)

            // And once the link has expired, the owner deletes it
            clock.advance(by: until.timeIntervalSince(clock.now))
            #expect(try await local.emailChangeUndoTarget(token: undo.token) == nil)
            _ = try await local.deleteAccount(for: ann.id, current: Self.password)
            #expect(try await store.account(.id(ann.id)) == nil)
        }
        // An undo link used up lets the owner delete the account at once; an operator may delete it while one works
        try await withAnnMoved { local, store, _, _, ann, undo in
            _ = try await local.undoEmailChange(token: undo.token, newPassword: Self.newPassword)
            _ = try await local.deleteAccount(for: ann.id, current: Self.newPassword)
            #expect(try await store.account(.id(ann.id)) == nil)
        }
        try await withAnnMoved { _, store, _, _, ann, _ in
            _ = try await store.deleteAccount(.id(ann.id))
            #expect(try await store.account(.id(ann.id)) == nil)
        }
    }

    /// A link ends when it is used: the purge removes it a day after its use, not a day after the expiry it no longer
    /// needs (until session 59 a used undo link, which holds both addresses, stayed up to 8 days; a used confirmation
    /// link 4; a used reset link its lifetime and a day).
    @Test func purgeRemovesUsedLinksADayAfterTheirUse() async throws {
        try await withAnnMoved { local, store, clock, database, ann, undo in
            let reset = try #require(try await local.requestPasswordReset(email: "thief@example.net"))
            _ = try await local.resetPassword(token: reset.token, newPassword: Self.newPassword)
            _ = try await local.undoEmailChange(token: undo.token, newPassword: Secret("yet another fresh passphrase"))
            func links() -> [Int] {
                ["password_resets", "email_verifications", "email_change_undos"].map {
                    countQuery(database, "SELECT count(*) FROM \($0)")
                }
            }
            #expect(links() == [1, 2, 1])
            clock.advance(by: 24 * 60 * 60 - 1)
            _ = try await store.purgeExpired()
            // (the confirmation of the old address, used a minute before the others, has gone)
            #expect(links() == [1, 1, 1])
            clock.advance(by: 2)
            let purged = try await store.purgeExpired()
            #expect(links() == [0, 0, 0])
            #expect(purged.passwordResets == 1 && purged.emailVerifications == 2)
        }
    }

    @Test func theUndoLinkRestoresTheOldAddressWithANewPasswordAndEndsEverySession() async throws {
        try await withAnnMoved { local, store, clock, database, ann, undo in
            // Given the link issued with the change, kept only as its SHA-256, never shown in a description
            let token = undo.token.revealed
            #expect(token.count == 64 && token.allSatisfy { $0.isHexDigit && !$0.isUppercase })
            #expect(undo.expiresAt == clock.now.addingTimeInterval(7 * 24 * 60 * 60))
            expectAbsent(token, named: "the undo token", inDatabase: database)
            expectAbsent(token, named: "the undo token", in: "\(undo)", String(reflecting: undo))
            let target = try #require(try await local.emailChangeUndoTarget(token: undo.token))
            #expect(target.account.id == ann.id && target.restores == "Ann@Example.org")
            #expect(target.replacedBy == "thief@example.net" && target.twitter == nil && !target.unlinksTwitter)

            // When a password the policy refuses is chosen, nothing changes and the link still works
            let dump = try databaseDump(database)
            await #expect(throws: LocalAccountError.invalid([FieldError(.password, "must be at least 10 characters")]))
            {
                try await local.undoEmailChange(token: undo.token, newPassword: Secret("short"))
            }
            #expect(try databaseDump(database) == dump)

            // When its owner follows it with a new password, three days later
            clock.advance(by: 3 * 24 * 60 * 60)
            let sessions = PasswordResetTests()
            try await sessions.addSession(store, ann.id, clock)
            try await sessions.addSession(store, ann.id, clock)
            let outcome = try await local.undoEmailChange(token: undo.token, newPassword: Self.newPassword)
            // Then the old address is the account's again, confirmed now, and every session ended
            #expect(outcome.account.email == "Ann@Example.org" && outcome.account.emailVerifiedAt == clock.now)
            #expect(outcome.replaced == "thief@example.net" && outcome.sessionsEnded == 2)
            #expect(outcome.unlinkedTwitter == nil && outcome.unlinkedCredential == nil)
            #expect(try await store.browserSessionCount(of: ann.id) == 0)
            // And the old password (which whoever moved the address knew) no longer signs in; the new one does
            #expect(try await local.signIn(login: "ann", password: Self.password) == .invalidCredentials)
            guard case .signedIn = try await local.signIn(login: "ann@example.org", password: Self.newPassword) else {
                Issue.record("the new password does not sign in with the restored address")
                return
            }
            // And the address the change made is free: a reset to it finds no account
            #expect(try await local.requestPasswordReset(email: "thief@example.net") == nil)
            // And the trail says what happened, between which addresses
            let event = try #require(try await store.events(for: ann.id).first { $0.kind == .emailChangeUndone })
            #expect(
                event.details == [
                    "method": "undo_link", "old_email": "thief@example.net", "new_email": "Ann@Example.org",
                    "sessions": "2",
                ])
            // And the link works once
            await #expect(throws: LocalAccountError.invalidUndoLink) {
                try await local.undoEmailChange(token: undo.token, newPassword: Self.newPassword)
            }
            #expect(try await local.emailChangeUndoTarget(token: undo.token) == nil)
        }
    }

    @Test func whatWhoeverMovedTheAddressDoesNextLeavesTheLinkWorking() async throws {
        try await withAnnMoved { local, store, clock, database, ann, undo in
            // Given whoever moved the address: they change the password, ask for a reset at their address, and move
            // the account once more (its undo link goes to their address)
            try await local.changePassword(
                for: ann.id, current: Self.password, new: Secret("the thief's own password"))
            _ = try #require(try await local.requestPasswordReset(email: "thief@example.net"))
            let again = try #require(
                try await local.requestEmailChange(
                    for: ann.id, to: "thief2@example.net", current: Secret("the thief's own password")))
            let moved = try #require(try await local.followEmailLink(token: again.token, issuingUndo: true))
            let theirs = try #require(moved.undo)
            // And they use their own link (it restores their first address, nothing of Ann's)
            clock.advance(by: 60)
            _ = try await local.undoEmailChange(token: theirs.token, newPassword: Secret("yet another password"))
            #expect(try await store.account(.id(ann.id))?.email == "thief@example.net")
            // And link a Twitter account of theirs
            try await store.linkTwitter(twitterIdentity("77", screenName: "thief"), credential: nil, to: .id(ann.id))
            let target = try #require(try await local.emailChangeUndoTarget(token: undo.token))
            #expect(target.twitter?.screenName == "thief" && target.unlinksTwitter)
            // Then Ann's link, for the earlier change, still works, and gives the account back
            let outcome = try await local.undoEmailChange(token: undo.token, newPassword: Self.newPassword)
            #expect(outcome.account.email == "Ann@Example.org" && outcome.account.twitter == nil)
            #expect(outcome.unlinkedTwitter?.userID.decimalString == "77")
            let unlinked = try #require(try await store.events(for: ann.id).first { $0.kind == .unlinked })
            #expect(unlinked.details["reason"] == "address_change_undone")
            // And the reset link mailed to their address no longer works
            let now = Int64(clock.now.timeIntervalSince1970 * 1_000_000)
            #expect(countQuery(database, "SELECT count(*) FROM password_resets WHERE expires_at > \(now)") == 0)
        }
    }

    @Test(arguments: [false, true])
    func aTwitterAccountLinkedBeforeTheChangeIsUnlinkedWhenThePersonSaysItIsNotTheirs(notTheirs: Bool) async throws {
        try await EmailVerificationTests().withAnn { local, store, clock, _, ann in
            // Given a Twitter account linked to Ann's confirmed account, then the address moved a minute later
            let confirmation = try #require(try await local.requestEmailVerification(for: ann.id))
            try await local.verifyEmail(token: confirmation.token)
            try await store.linkTwitter(twitterIdentity("77", screenName: "thief"), credential: nil, to: .id(ann.id))
            clock.advance(by: 60)
            let change = try #require(
                try await local.requestEmailChange(for: ann.id, to: "thief@example.net", current: Self.password))
            let undo = try #require(try await local.followEmailLink(token: change.token, issuingUndo: true)?.undo)
            // Then the link's target names it, not to be unlinked unless the person says so
            let target = try #require(try await local.emailChangeUndoTarget(token: undo.token))
            #expect(target.twitter?.userID.decimalString == "77" && !target.unlinksTwitter)
            // When the change is undone, saying (or not) that it is not theirs; another id names nothing
            let outcome = try await local.undoEmailChange(
                token: undo.token, newPassword: Self.newPassword,
                unlinkingTwitter: notTheirs ? TwitterUserID(77) : TwitterUserID(78))
            // Then it is unlinked only when they said so
            #expect((outcome.unlinkedTwitter?.userID.decimalString == "77") == notTheirs)
            #expect((try await store.account(.id(ann.id))?.twitter == nil) == notTheirs)
        }
    }

    @Test func undoingALaterChangeLeavesTheEarlierChangesLinkWorking() async throws {
        try await withAnnMoved { local, store, _, _, ann, first in
            let second = try #require(
                try await local.requestEmailChange(for: ann.id, to: "third@example.net", current: Self.password))
            let secondUndo = try #require(
                try await local.followEmailLink(token: second.token, issuingUndo: true)?.undo)
            // When the later change is undone, the earlier change's link still works; the reverse ends both
            _ = try await local.undoEmailChange(token: secondUndo.token, newPassword: Self.newPassword)
            #expect(try await store.account(.id(ann.id))?.email == "thief@example.net")
            #expect(try await local.emailChangeUndoTarget(token: first.token)?.restores == "Ann@Example.org")
            _ = try await local.undoEmailChange(token: first.token, newPassword: Self.newPassword)
            #expect(try await store.account(.id(ann.id))?.email == "Ann@Example.org")
        }
    }

    @Test func aLinkDoesNotWorkExpiredForADisabledAccountOrWhenTheOldAddressIsTaken() async throws {
        // Expired: after seven days
        try await withAnnMoved { local, _, clock, database, _, undo in
            clock.advance(by: 7 * 24 * 60 * 60)
            let dump = try databaseDump(database)
            await #expect(throws: LocalAccountError.invalidUndoLink) {
                try await local.undoEmailChange(token: undo.token, newPassword: Self.newPassword)
            }
            #expect(try databaseDump(database) == dump)
        }
        // A disabled account
        try await withAnnMoved { local, store, _, database, ann, undo in
            _ = try await store.setAccountStatus(.id(ann.id), to: .disabled)
            let dump = try databaseDump(database)
            await #expect(throws: LocalAccountError.invalidUndoLink) {
                try await local.undoEmailChange(token: undo.token, newPassword: Self.newPassword)
            }
            #expect(try databaseDump(database) == dump)
        }
        // The old address taken by another account since (an operator's import, which no reservation holds back; a
        // sign-up is refused): refused naming it, nothing changed, the link still works
        try await withAnnMoved { local, store, _, database, ann, undo in
            _ = try await local.signUp(
                SignUpForm(username: "other", email: "other@example.org", password: Self.password))
            try executeSQL(
                database,
                """
                UPDATE users SET email = 'ann@example.org', email_key = 'ann@example.org',
                    email_mailbox = 'ann@example.org' WHERE username = 'other'
                """)
            let dump = try databaseDump(database)
            await #expect(
                throws: LocalAccountError.invalid([
                    FieldError(.email, "Ann@Example.org belongs to another account now")
                ])
            ) {
                try await local.undoEmailChange(token: undo.token, newPassword: Self.newPassword)
            }
            #expect(try databaseDump(database) == dump)
            #expect(try await store.account(.id(ann.id))?.email == "thief@example.net")
            #expect(try await local.emailChangeUndoTarget(token: undo.token) != nil)
        }
    }

    @Test func noLinkIsIssuedUnlessAskedForOrForAnUnconfirmedOldAddress() async throws {
        try await EmailVerificationTests().withAnn { local, _, _, database, ann in
            // Ann's address is not confirmed: a change tells it nothing, so no link undoes it
            let change = try #require(
                try await local.requestEmailChange(for: ann.id, to: "new@example.net", current: Self.password))
            let moved = try #require(try await local.followEmailLink(token: change.token, issuingUndo: true))
            #expect(moved.changedAddress && moved.undo == nil)
            // Confirmed now (the change confirmed the new one): a change not asked to issue one issues none
            let next = try #require(
                try await local.requestEmailChange(for: ann.id, to: "newer@example.net", current: Self.password))
            #expect(try await local.followEmailLink(token: next.token, issuingUndo: false)?.undo == nil)
            #expect(countQuery(database, "SELECT count(*) FROM email_change_undos") == 0)
        }
    }
}
