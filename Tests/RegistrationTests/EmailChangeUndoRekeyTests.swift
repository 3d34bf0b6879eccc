import AccountModel
import AccountStore
import AccountTransfer
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

    /// How another account comes to hold an address.
    enum Taking: String, CaseIterable, Sendable {
        case signUp, importLine, changeOfAddress, twitterRegistration
    }

    /// Opens the store of `database` again while another connection holds its write lock past the busy timeout, so
    /// that keying the addresses as it opens fails, then lets the lock go.
    static func openWhileLocked(_ database: String, clock: TestClock) throws -> AccountStore {
        let holder = try WriteLockHolder(path: database)
        defer { try? holder.release() }
        var configuration = StoreConfiguration(path: database)
        configuration.busyTimeout = .milliseconds(100)
        configuration.now = clock.closure
        return try AccountStore(configuration: configuration, keyRing: makeKeyRing())
    }

    /// Has `mallory` (whose password is ``EmailChangeUndoTests/password``) take `email` in the way `taking` says,
    /// through `local` and `store`, as the account `username` (a sign-up, an import, a Twitter registration); what
    /// refused it (the error, or the import's problems), `nil` when nothing did.
    static func take(
        _ email: String, _ taking: Taking, as username: String = "squatter", mallory: Account, local: LocalAccounts,
        store: AccountStore, directory: String
    ) async -> String? {
        do {
            switch taking {
            case .signUp:
                _ = try await local.signUp(
                    SignUpForm(username: username, email: email, password: Secret("the squatter's own")))
            case .importLine:
                let (report, problems) = try importText(
                    "{\"username\": \"\(username)\", \"email\": \"\(email)\"}\n", format: .jsonl, into: store,
                    directory: directory)
                if report.imported == 0 { return problems.joined(separator: "; ") }
            case .changeOfAddress:
                guard
                    let change = try await local.requestEmailChange(
                        for: mallory.id, to: email, current: EmailChangeUndoTests.password)
                else { return "no link issued (too many asked for)" }
                _ = try await local.followEmailLink(token: change.token, issuingUndo: true)
            case .twitterRegistration:
                _ = try await store.createAccount(
                    newAccount(username, email: email), linking: twitterIdentity("4242", screenName: username),
                    credential: TwitterCredential(token: "4242-access", secret: Secret("4242-secret")))
            }
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// A store whose keying of addresses failed as it opened (another process held the write lock past the busy
    /// timeout) still lets no write take the address a live undo link restores, nor a case variant of an account's
    /// address left without its key: a sign-up, an import, a change of address and a Twitter registration are all
    /// refused, and the owner's link gives the address back.
    @Test(arguments: Taking.allCases, [true, false])
    func noWriteTakesAnAddressWhenTheStoreCouldNotKeyAddressesAsItOpened(_ taking: Taking, reserved: Bool)
        async throws
    {
        try await EmailChangeUndoTests().withAnnMoved { local, _, clock, database, ann, undo in
            // Given an account that could take an address, and a change of the uniqueness key while ann's address is
            // reserved for her undo link
            let mallory = try await local.signUp(
                SignUpForm(username: "mallory", email: "mallory@example.com", password: EmailChangeUndoTests.password))
            try Self.simulateUniquenessKeyChange(database)
            // And a store opened with the new key while another process holds the write lock past its busy timeout
            let store = try Self.openWhileLocked(database, clock: clock)
            defer { try? store.close() }
            #expect(
                countQuery(database, "SELECT count(*) FROM email_change_undos WHERE email_key = 'ann@example.org'") == 0
            )
            let opened = LocalAccounts(store: store, hasher: LocalAccountsTests.fastHasher, failureFloor: .zero)
            // When, the lock let go, another account takes the reserved address or the case variant of ann's address
            let email = reserved ? "ann@example.org" : "THIEF@example.net"
            let directory = (database as NSString).deletingLastPathComponent
            let taken = await Self.take(
                email, taking, mallory: mallory, local: opened, store: store, directory: directory)
            // Then it was refused for that address (a refusal for anything else, or none, would prove nothing)
            #expect(
                taken?.contains("email") == true || taken?.contains("address") == true,
                "\(taking): \(taken ?? "not refused")")
            // And no other account holds it
            let holders = countQuery(
                database, "SELECT count(*) FROM users WHERE lower(email) = lower('\(email)') AND username <> 'ann'")
            #expect(holders == 0, "\(taking) gave another account \(email)")
            // And the owner's link gives the address back
            let refusal = await EmailChangeUndoWaysInTests.refusal { () async throws(LocalAccountError) in
                _ = try await opened.undoEmailChange(token: undo.token, newPassword: EmailChangeUndoTests.newPassword)
            }
            #expect(refusal == nil, "the undo was refused: \(refusal.map { "\($0)" } ?? "")")
            #expect(try await store.account(.id(ann.id))?.email == "Ann@Example.org")
            // And the same way takes an address nobody holds or reserves (the way writes at all)
            let control = await Self.take(
                "fresh@example.com", taking, as: "control", mallory: mallory, local: opened, store: store,
                directory: directory)
            #expect(control == nil, "\(taking) took no free address: \(control ?? "")")
            #expect(countQuery(database, "SELECT count(*) FROM users WHERE email = 'fresh@example.com'") == 1)
        }
    }

    /// A reservation left with its former key because another account holds its address's key now reserves nothing
    /// by that former key: when a former key of one address is the key another reserved address has now (a change of
    /// the key that folds some letters and stops folding others), the later reservation is keyed and its owner's link
    /// still gives the address back.
    @Test func aConflictingReservationsFormerKeyDoesNotBlockAnotherReservation() async throws {
        try await EmailChangeUndoTests().withAnnMoved { local, store, _, database, ann, undo in
            // Given bob's link reserving Zed@Example.com, an address carol holds under the new key
            _ = try await store.createAccount(newAccount("bob", email: "bob@example.com"))
            _ = try await store.createAccount(newAccount("carol", email: "zed@example.com"))
            try executeSQL(
                database,
                """
                INSERT INTO email_change_undos (token_hash, user_id, email, email_key, replaced_by, changed_at,
                    expires_at)
                SELECT '\(String(repeating: "b", count: 64))', id, 'Zed@Example.com', 'zed@example.com', email,
                    1733300000000000, 4102444800000000
                FROM users WHERE username = 'bob'
                """)
            // And a change of the key after which the former key of bob's reserved address is the key ann's has now
            try Self.simulateUniquenessKeyChange(database)
            try executeSQL(
                database, "UPDATE email_change_undos SET email_key = 'ann@example.org' WHERE email = 'Zed@Example.com'")
            // When the addresses are keyed again
            let report = try await store.reindex()
            // Then ann's reservation takes its key and bob's keeps its former one (carol holds its address)
            #expect(report.reservationsKeyed == 1, "\(report)")
            #expect(report.reservationConflicts.map(\.username) == ["bob"], "\(report.reservationConflicts)")
            // And ann's link still gives her address back
            let refusal = await EmailChangeUndoWaysInTests.refusal { () async throws(LocalAccountError) in
                _ = try await local.undoEmailChange(token: undo.token, newPassword: EmailChangeUndoTests.newPassword)
            }
            #expect(refusal == nil, "the undo was refused: \(refusal.map { "\($0)" } ?? "")")
            #expect(try await store.account(.id(ann.id))?.email == "Ann@Example.org")
        }
    }
}
