import Foundation
import TestSupport
import Testing

/// `accounts migrate` and `accounts reindex` after a change of `Mailbox.uniquenessKey`: the addresses reserved for
/// undo links get the key they have now along with the accounts' addresses, against a real SQLite file.
struct ReservationRekeyCommandTests {
    /// Stores a live undo link (until 2100) of `username`'s account restoring `email`, keyed as a former
    /// `Mailbox.uniquenessKey` wrote it (here: the address as typed, before letter case was folded).
    func reserve(_ database: String, _ letter: Character, _ username: String, _ email: String) throws {
        try executeSQL(
            database,
            """
            INSERT INTO email_change_undos (token_hash, user_id, email, email_key, replaced_by, changed_at, expires_at)
            SELECT '\(String(repeating: letter, count: 64))', id, '\(email)', '\(email)', email, 1733300000000000,
                4102444800000000
            FROM users WHERE username = '\(username)'
            """)
    }

    /// After the migration that clears the accounts' keys, `accounts migrate` leaves a reserved address reserved: an
    /// import cannot take it, and looking it up says whom it is kept for.
    @Test func migrateKeepsAReservedAddressReservedWhenTheUniquenessKeyChanges() async throws {
        try await withTemporaryDirectory { dir in
            // Given zoe's undo link reserving the address a change moved her account off, and a change of the key
            let database = try await UsersCommandTests().fixtureDatabase(dir)
            try reserve(database, "d", "zoe", "Zoe.Old@Example.org")
            try executeSQL(database, "UPDATE users SET email_key = NULL WHERE email IS NOT NULL")
            // When the database is migrated
            let migrate = try await runAccounts(["--database", database, "migrate"])
            #expect(migrate.status == 0, "\(migrate.stderr)")
            // Then the address is still reserved for zoe
            let show = try await runAccounts(["--database", database, "users", "show", "zoe.old@example.org"])
            #expect(
                show.stderr.contains(
                    "the address Zoe.Old@Example.org is reserved for account zoe until 2100-01-01T00:00:00Z"),
                "\(show.stderr)")
            // And an import cannot give it to another account
            writeFile(
                dir + "/squatter.jsonl",
                Array("{\"username\": \"squatter\", \"email\": \"zoe.old@example.org\"}\n".utf8))
            let before = try databaseDump(database)
            let imported = try await runAccounts([
                "--database", database, "import", "--format", "jsonl", dir + "/squatter.jsonl",
            ])
            #expect(imported.status == 65, "\(imported.stdout)\(imported.stderr)")
            #expect(imported.stderr.contains("is reserved for an account already in the store"), "\(imported.stderr)")
            #expect(try databaseDump(database) == before)
        }
    }

    /// Two addresses that the key compares apart under the former rules and alike now, one reserved for an undo link
    /// of another account than the one holding the other: the one holding it first (an account's address, or the
    /// earlier link's) keeps the key; the later reservation keeps its former key and `accounts reindex` names both
    /// accounts on every run, changing nothing more.
    @Test func reindexNamesAReservationWhoseKeyAnotherAccountHolds() async throws {
        try await withTemporaryDirectory { dir in
            // Given zoe's link reserving Old@Example.org, then obrien's reserving OLD@example.org, and Alpha's
            // reserving OB@Example.NET, obrien's address in another case: keyed apart by the former rules
            let database = try await UsersCommandTests().fixtureDatabase(dir)
            try reserve(database, "d", "zoe", "Old@Example.org")
            try reserve(database, "e", "obrien", "OLD@example.org")
            try reserve(database, "f", "Alpha", "OB@Example.NET")
            // When the store keys them anew
            let first = try await runAccounts(["--database", database, "reindex"])
            #expect(first.status == 0, "\(first.stderr)")
            // Then zoe's reservation has the key it has now, and the other two keep theirs
            let keys = "SELECT count(*) FROM email_change_undos WHERE email_key = "
            #expect(countQuery(database, keys + "'old@example.org'") == 1)
            #expect(countQuery(database, keys + "'OLD@example.org'") == 1)
            #expect(countQuery(database, keys + "'OB@Example.NET'") == 1)
            // And each conflict is named with both accounts and both addresses
            for expected in [
                "accounts: warning: the address OLD@example.org reserved for 'obrien' by an undo link compares equal to"
                    + " Old@Example.org, held by 'zoe'",
                "accounts: warning: the address OB@Example.NET reserved for 'Alpha' by an undo link compares equal to"
                    + " ob@example.net, held by 'obrien'",
            ] {
                #expect(first.stderr.contains(expected), "\(first.stderr)")
            }
            // And a second run names them again and changes nothing
            let before = try databaseDump(database)
            let second = try await runAccounts(["--database", database, "reindex"])
            #expect(second.status == 0 && second.stderr == first.stderr, "\(second.stderr)")
            #expect(try databaseDump(database) == before)
        }
    }
}
