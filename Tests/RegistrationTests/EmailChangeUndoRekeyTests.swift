import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing

/// An address reserved for an undo link stays reserved when the form in which the store compares addresses
/// (`Mailbox.uniquenessKey`) changes: the migration that clears `users.email_key` for such a change is followed by the
/// store keying every address again, as it opens or in `accounts reindex`, and the reservations' keys with them.
struct EmailChangeUndoRekeyTests {
    /// What a change of `Mailbox.uniquenessKey` leaves in the database: every account's key cleared (the migration the
    /// function's documentation asks for), and the live reservations' keys as the former rules wrote them (here: the
    /// address as typed, before letter case was folded).
    static func simulateUniquenessKeyChange(_ database: String) throws {
        try executeSQL(
            database,
            """
            UPDATE users SET email_key = NULL WHERE email IS NOT NULL;
            UPDATE email_change_undos SET email_key = email;
            """)
    }

    /// After the keys change, a sign-up cannot take the address a live undo link restores, whether the store keys
    /// addresses again as it opens or in a reindex; and the owner's link still gives it back.
    @Test(arguments: [false, true])
    func aReservedAddressStaysReservedWhenTheUniquenessKeyChanges(reopen: Bool) async throws {
        try await EmailChangeUndoTests().withAnnMoved { local, store, clock, database, ann, undo in
            // Given a change of the uniqueness key while ann's address is reserved for her undo link
            try Self.simulateUniquenessKeyChange(database)
            // When the store keys addresses again: as a store opens, or in a reindex
            if reopen {
                let directory = (database as NSString).deletingLastPathComponent
                let opened = try makeStore(in: directory, now: clock.closure)
                try opened.close()
            } else {
                let report = try await store.reindex()
                #expect(report.reservationsKeyed == 1 && report.reservationConflicts.isEmpty)
            }
            #expect(
                countQuery(database, "SELECT count(*) FROM email_change_undos WHERE email_key = 'ann@example.org'") == 1
            )
            #expect(try await store.staleNormalisedFormCount() == 0)
            #expect(
                countQuery(database, "SELECT count(*) FROM users WHERE email IS NOT NULL AND email_key IS NULL") == 0)
            // Then whoever moved the account cannot sign the freed address up for another account
            let before = try databaseDump(database)
            let refused = await EmailChangeUndoReservationTests.problems { () async throws(LocalAccountError) in
                _ = try await local.signUp(
                    SignUpForm(username: "squatter", email: "ann@example.org", password: Secret("the squatter's own")))
            }
            #expect(refused?.map(\.field) == [.email], "a sign-up took an address reserved for an undo link")
            #expect(try databaseDump(database) == before)
            // And the owner's link gives the address back
            let undone = await EmailChangeUndoReservationTests.problems { () async throws(LocalAccountError) in
                _ = try await local.undoEmailChange(token: undo.token, newPassword: EmailChangeUndoTests.newPassword)
            }
            #expect(undone == nil, "the undo was refused: \(undone.map { "\($0)" } ?? "")")
            #expect(try await store.account(.id(ann.id))?.email == "Ann@Example.org")
        }
    }
}
