import AccountMatching
import AccountModel
import AccountStore
import AccountTransfer
import Foundation
import TestSupport
import Testing

/// Email addresses are unique ignoring letter case in every script, not only A–Z (`users.email_key`, migration 0009).
struct EmailUniquenessTests {
    @Test(arguments: [
        ("änn@example.org", "ÄNN@example.org"),
        ("änn@example.org", "A\u{308}nn@Example.org"),  // decomposed Ä against composed ä
        ("straße@example.de", "STRASSE@example.de"),
        ("ΟΔΟΣ@example.gr", "οδος@example.gr"),  // final sigma
        ("Zoë@example.org", "zoë@EXAMPLE.ORG"),
    ])
    func anAddressDifferingOnlyInCaseIsTakenAndNothingChanges(_ stored: String, _ other: String) async throws {
        try await withTemporaryDirectory { dir in
            // Given a store holding an account with the first address
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let first = try await store.createAccount(newAccount("first", email: stored))
            let before = try databaseDump(dir + "/accounts.sqlite")
            // When another account is made with the address in another case
            await #expect(throws: StoreError.duplicate(.email)) {
                try await store.createAccount(newAccount("second", email: other))
            }
            // Then it is refused as a taken email and the store is unchanged; the first is found by either form
            #expect(try databaseDump(dir + "/accounts.sqlite") == before)
            #expect(try await store.account(email: other) == first)
            #expect(try await store.account(email: " \(stored) ") == first)
            #expect(try await store.loginRecord(login: other)?.userID == first.id)
        }
    }

    @Test func addressesThatOnlyLookAlikeStayDistinct() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            // Gmail dots, +tags and accents are the duplicate report's business, not the unique key's.
            for (index, email) in [
                "ann@example.org", "änn@example.org", "a.nn@gmail.com", "ann@gmail.com",
                "ann+x@gmail.com", "anne@example.org",
            ].enumerated() {
                _ = try await store.createAccount(newAccount("user\(index)", email: email))
            }
            #expect(try await store.accountCount() == 6)
            #expect(try await store.account(email: "ANN@example.org")?.username == "user0")
            #expect(try await store.account(email: "ÄNN@example.org")?.username == "user1")
        }
    }

    @Test func keysAreCaseFoldedCompositions() {
        #expect(Mailbox.uniquenessKey("Ann.Smith+X@Example.ORG") == "ann.smith+x@example.org")
        #expect(Mailbox.uniquenessKey("ann@example.org") == "ann@example.org")
        #expect(Mailbox.uniquenessKey("A\u{308}NN@x.org") == "\u{E4}nn@x.org")
        #expect(Mailbox.uniquenessKey("ẞ@x.de") == Mailbox.uniquenessKey("ss@x.de"))
        #expect(Mailbox.uniquenessKey("\u{212A}en@x.org") == "ken@x.org")  // the Kelvin sign is a K
        #expect(Mailbox.uniquenessKey("ann@bücher.de") != Mailbox.uniquenessKey("ann@xn--bcher-kva.de"))
    }

    @Test func importRefusesALineWhoseAddressDiffersOnlyInCase() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir, now: TestClock().closure)
            defer { try? store.close() }
            _ = try importText(
                "{\"username\": \"kept\", \"email\": \"žofie@example.cz\"}\n", format: .jsonl, into: store,
                directory: dir)
            let before = try databaseDump(dir + "/accounts.sqlite")
            let text = """
                {"username": "new1", "email": "ŽOFIE@example.cz"}
                {"username": "new2", "email": "Ørjan@example.no"}
                {"username": "new3", "email": "øRJAN@example.no"}

                """
            let (report, problems) = try importText(text, format: .jsonl, into: store, directory: dir)
            #expect(
                problems == [
                    "line 1: email: 'ŽOFIE@example.cz' is already used by an account already in the store (as 'žofie@example.cz'; emails ignore case)",
                    "line 3: email: 'øRJAN@example.no' is already used by line 2 of this file (as 'Ørjan@example.no'; emails ignore case)",
                ])
            #expect(report == ImportReport(imported: 0, linked: 0, valid: 1, invalid: 2, committed: false))
            #expect(try databaseDump(dir + "/accounts.sqlite") == before)
        }
    }

    @Test func aStoreThatAppliesTheMigrationItselfKeysOldAddressesAsItOpens() async throws {
        try await withTemporaryDirectory { dir in
            // Given a database at schema 8 holding non-ASCII addresses, two of which differ only in case
            let path = dir + "/accounts.sqlite"
            try Self.schema8Database(
                path,
                [(1, "umlaut", "Änn@example.org"), (2, "clash", "äNN@example.org"), (3, "greek", "ΣΟΦΙΑ@example.gr")])
            // When an app opens it applying pending migrations (no `accounts migrate`, no reindex)
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            // Then every address but the later of the clashing two has its key already
            #expect(
                countQuery(path, "SELECT count(*) FROM users WHERE email IS NOT NULL AND email_key IS NULL")
                    == 1)
            #expect(
                countQuery(path, "SELECT count(*) FROM users WHERE email_key = 'σοφια@example.gr'") == 1)
            #expect(try await store.staleNormalisedFormCount() == 0)
        }
    }

    @Test func migrationKeysOldAddressesAndNamesThoseThatClash() async throws {
        try await withTemporaryDirectory { dir in
            // Given a database at schema 8 holding addresses stored before the key existed, two of which differ only
            // in non-ASCII case (the old `COLLATE NOCASE` let both in)
            var configuration = StoreConfiguration(path: dir + "/accounts.sqlite")
            let path = configuration.path
            try Self.schema8Database(
                path,
                [
                    (1, "ascii", "Ann@Example.org"), (2, "umlaut", "Änn@example.org"), (3, "clash", "äNN@example.org"),
                    (4, "greek", "ΣΟΦΙΑ@example.gr"), (5, "none", nil),
                ])
            // When the rest is migrated: the migration keys the ASCII address
            _ = try AccountStore.migrate(configuration)
            let unkeyed = "SELECT count(*) FROM users WHERE email IS NOT NULL AND email_key IS NULL"
            #expect(countQuery(path, "SELECT count(*) FROM users WHERE email_key = 'ann@example.org'") == 1)
            #expect(countQuery(path, unkeyed) == 3)
            // and a store opening it keys the others but the later of the clashing two
            configuration.schemaPolicy = .requireCurrent
            let store = try AccountStore(configuration: configuration, keyRing: nil)
            defer { try? store.close() }
            #expect(countQuery(path, unkeyed) == 1)
            #expect(try await store.staleNormalisedFormCount() == 0)
            // and the reindex names it with its holder, and reports the two addresses the opening keyed (once)
            let report = try await store.reindex()
            #expect(report.keyed == 2)
            #expect(
                report.conflicts == [
                    EmailConflict(
                        username: "clash", email: "äNN@example.org", holderUsername: "umlaut",
                        holderEmail: "Änn@example.org")
                ])
            #expect(countQuery(path, "SELECT count(*) FROM users WHERE email IS NOT NULL AND email_key IS NULL") == 1)
            #expect(try await store.reindex().keyed == 0)
            #expect(try await store.account(email: "σοφια@EXAMPLE.gr")?.username == "greek")
            // and a new account cannot take any of the three forms
            for email in ["ÄNN@example.org", "σοφια@example.gr", "ANN@example.org"] {
                await #expect(throws: StoreError.duplicate(.email)) {
                    try await store.createAccount(newAccount("newcomer", email: email))
                }
            }
            #expect(try await store.accountCount() == 5)
            // and a second run names the clash again and changes nothing else
            let again = try await store.reindex()
            #expect(again.keyed == 0 && again.recomputed == 0 && again.conflicts.count == 1)
        }
    }

    /// Makes `path` a schema-8 database holding `accounts` (id, username, email) as a binary before migration 0009
    /// stored them.
    static func schema8Database(_ path: String, _ accounts: [(Int, String, String?)]) throws {
        _ = try AccountStore.migrate(StoreConfiguration(path: path), to: 8)
        for (id, username, email) in accounts { try insertWithoutKey(path, id, username, email) }
    }

    /// A store over a current database holding `emails` (id, username, email) without uniqueness keys, as a binary
    /// from before migration 0009 still running beside it, or a reindex cut short, leaves them.
    static func storeWithUnkeyedAddresses(_ dir: String, _ emails: [(Int, String, String)]) throws -> AccountStore {
        let store = try makeStore(in: dir)
        for (id, username, email) in emails { try insertWithoutKey(dir + "/accounts.sqlite", id, username, email) }
        return store
    }

    /// Inserts an account as a binary from before migration 0009 did: no `email_key`.
    static func insertWithoutKey(_ path: String, _ id: Int, _ username: String, _ email: String?) throws {
        let value = email.map { "'\($0)', '\(Mailbox.normalize($0)!)', \(Mailbox.rulesVersion)" } ?? "NULL, NULL, NULL"
        try executeSQL(
            path,
            """
            INSERT INTO users (id, public_id, username, email, email_mailbox, email_rules_version, created_at, updated_at)
            VALUES (\(id), '\(UUID().uuidString.lowercased())', '\(username)', \(value), 0, 0)
            """)
    }

    @Test func anAddressNotKeyedYetStillBlocksItsCaseVariants() async throws {
        try await withTemporaryDirectory { dir in
            // Given an old address the reindex has not keyed yet
            let store = try Self.storeWithUnkeyedAddresses(dir, [(1, "umlaut", "Änn@example.org")])
            defer { try? store.close() }
            #expect(try await store.staleNormalisedFormCount() == 1)
            let before = try databaseDump(dir + "/accounts.sqlite")
            // Then neither a new account nor an import line can take another case of it
            await #expect(throws: StoreError.duplicate(.email)) {
                try await store.createAccount(newAccount("second", email: "änn@example.org"))
            }
            let (report, problems) = try importText(
                "{\"username\": \"third\", \"email\": \"ÄNN@example.org\"}\n", format: .jsonl, into: store,
                directory: dir)
            #expect(
                problems == [
                    "line 1: email: 'ÄNN@example.org' is already used by an account already in the store (as 'Änn@example.org'; emails ignore case)"
                ])
            #expect(!report.committed)
            #expect(try databaseDump(dir + "/accounts.sqlite") == before)
        }
    }

    @Test func anAddressLeftWithoutAKeyIsStillItsOwnersAndStillTaken() async throws {
        try await withTemporaryDirectory { dir in
            let store = try Self.storeWithUnkeyedAddresses(
                dir, [(1, "umlaut", "Änn@example.org"), (2, "clash", "äNN@example.org")])
            defer { try? store.close() }
            #expect(try await store.reindex().conflicts.count == 1)
            // Its owner still finds it by its exact spelling (not the key holder's account)
            #expect(try await store.account(email: "äNN@example.org")?.username == "clash")
            let clash = try #require(try await store.account(.username("clash")))
            #expect(try await store.loginRecord(login: "äNN@example.org")?.userID == clash.id)
            // and once the holder is removed, no newcomer takes the address before the next reindex
            _ = try await store.deleteAccount(.username("umlaut"))
            await #expect(throws: StoreError.duplicate(.email)) {
                try await store.createAccount(newAccount("newcomer", email: "Änn@example.org"))
            }
        }
    }
}
