import AccountModel
import AccountStore
import AccountTransfer
import Foundation
import GRDB
import TestSupport
import Testing

/// The fixture as `export --format jsonl` writes it, import time 2027-01-15T08:00:00Z (the test clock).
let fixtureExportJSONL = """
    {"username": "obrien", "email": "ob@example.net", "first_name": "Seán, \\"Jr\\"", "last_name": "O'Brien", "created_at": "1969-07-20T20:17:40.000001Z", "twitter": null}
    {"username": "Alpha", "email": "alpha@example.com", "first_name": null, "last_name": null, "created_at": "2020-01-01T00:00:00Z", "twitter": null}
    {"username": "beta", "email": null, "first_name": null, "last_name": null, "created_at": "2020-01-01T00:00:00Z", "twitter": null}
    {"username": "yamada", "email": null, "first_name": "太郎", "last_name": "山田", "created_at": "2020-01-01T00:00:00Z", "twitter": {"id": "9007199254740993", "screen_name": "yamada_taro", "name": "山田 太郎"}}
    {"username": "tw.only", "email": null, "first_name": null, "last_name": null, "created_at": "2021-07-01T06:59:59.999999Z", "twitter": {"id": "783214", "screen_name": "ada", "name": "Ada Lovelace"}}
    {"username": "zoe", "email": "Zoe@Example.org", "first_name": "Zoë", "last_name": "Ångström", "created_at": "2024-05-01T12:30:00.250000Z", "twitter": {"id": "18446744073709551615", "screen_name": "zoe_a", "name": "Zoë Å"}}
    {"username": "bare", "email": null, "first_name": null, "last_name": null, "created_at": "2027-01-15T08:00:00Z", "twitter": null}

    """

/// Row counts of the tables an import writes.
func rowCounts(_ path: String) throws -> [String: Int] {
    let queue = try DatabaseQueue(
        path: path,
        configuration: {
            var c = Configuration(); c.readonly = true; return c
        }())
    defer { try? queue.close() }
    return try queue.read { db in
        var counts: [String: Int] = [:]
        for table in ["users", "twitter_identities", "twitter_credentials", "account_events"] {
            counts[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)")
        }
        return counts
    }
}

struct AccountImportTests {
    func withStore(_ body: (AccountStore, String) async throws -> Void) async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir, now: TestClock().closure)
            defer { try? store.close() }
            try await body(store, dir)
        }
    }

    @Test func importsEveryFieldLinksTwitterWithoutCredentialsAndRecordsOneEvent() async throws {
        try await withStore { store, dir in
            // When the fixture is imported
            let (report, problems) = try importText(transferFixtureJSONL, format: .jsonl, into: store, directory: dir)
            // Then every account is in, Twitter identities linked without credentials, one `imported` event
            #expect(problems == [])
            #expect(report == ImportReport(imported: 7, linked: 3, valid: 7, invalid: 0, committed: true))
            let zoe = try #require(try await store.account(.username("ZOE")))
            #expect(zoe.email == "Zoe@Example.org" && zoe.firstName == "Zoë" && zoe.hasPassword)
            #expect(zoe.createdAt == Date(timeIntervalSince1970: 1_714_566_600.25))
            #expect(zoe.twitter?.userID == TwitterUserID(UInt64.max))
            #expect(try await store.credential(for: TwitterUserID(UInt64.max)) == nil)
            #expect(try await store.account(twitterUserID: TwitterUserID(9_007_199_254_740_993))?.username == "yamada")
            #expect(try await store.accountCount() == 7)
            let events = try await store.recentEvents()
            #expect(events.count == 1)
            #expect(events.first?.kind == .imported)
            #expect(events.first?.subject == nil)
            #expect(
                events.first?.details == ["format": "jsonl", "imported": "7", "skipped": "0", "linked_twitter": "3"])
            // And the mailbox of an imported email is indexed for matching
            #expect(try await store.accounts(sharingMailboxWith: "zoe@example.org").map(\.username) == ["zoe"])
        }
    }

    @Test func exportWritesTheContractsBytesOrderedByCreationTimeThenUsername() async throws {
        try await withStore { store, dir in
            _ = try importText(transferFixtureJSONL, format: .jsonl, into: store, directory: dir)
            #expect(try exportText(store, format: .jsonl, directory: dir) == fixtureExportJSONL)
            // No tokens, no secrets, no hashes unless asked for
            let withHashes = try exportText(store, format: .jsonl, includePasswordHashes: true, directory: dir)
            // (Bools first: a failing `#expect` would print the export, hashes included)
            let givesHash = withHashes.contains("\"password_hash\": \"pbkdf2_sha256$1000000$lVmtlpgxpubYPgU2pQlWmm$")
            let everyLineHasOne = withHashes.split(separator: "\n").allSatisfy { $0.contains("\"password_hash\": ") }
            #expect(givesHash, "the export does not give the imported pbkdf2_sha256 hash")
            #expect(everyLineHasOne, "a line of the export has no password_hash")
        }
    }

    @Test func exportReadsInIndexOrderWithoutSorting() async throws {
        try await withStore { store, _ in
            for hashes in [false, true] {
                let plan = try store.queryPlan(AccountStore.exportSQL(includingPasswordHashes: hashes), arguments: [])
                #expect(plan.contains("users_created_at"))
                #expect(!plan.contains("TEMP B-TREE"))
            }
        }
    }

    @Test(arguments: [TransferFormat.jsonl, .csv], [false, true])
    func exportImportExportIsByteIdentical(format: TransferFormat, hashes: Bool) async throws {
        try await withTemporaryDirectory { dir in
            // Given the fixture in store A
            let first = try makeStore(in: dir, name: "a.sqlite", now: TestClock().closure)
            defer { try? first.close() }
            _ = try importText(transferFixtureJSONL, format: .jsonl, into: first, directory: dir)
            // When A's export is imported into a new store B (another clock) and B is exported
            let exported = try exportText(first, format: format, includePasswordHashes: hashes, directory: dir)
            let second = try makeStore(
                in: dir, name: "b.sqlite", now: TestClock(Date(timeIntervalSince1970: 5)).closure)
            defer { try? second.close() }
            let (report, problems) = try importText(exported, format: format, into: second, directory: dir)
            #expect(problems == [])
            #expect(report.imported == 7)
            // Then the bytes are the same
            let again = try exportText(second, format: format, includePasswordHashes: hashes, directory: dir)
            #expect(textDigest(again) == textDigest(exported))
            #expect(again.split(separator: "\n").count == (format == .csv ? 8 : 7))
        }
    }

    /// What Twitter sends is kept as an import would take it, so an export of accounts made through registration
    /// imports again, byte for byte: a display name with white space at an end (a line separator too), control
    /// characters, over 100 characters, or of a few characters but thousands of code points. (Before, such an export
    /// was refused line by line: `twitter.name: must be at most 100 characters`.)
    @Test(arguments: [TransferFormat.jsonl, .csv])
    func anExportOfWhatTwitterSentImportsAgain(format: TransferFormat) async throws {
        try await withTemporaryDirectory { dir in
            let first = try makeStore(in: dir, name: "a.sqlite", now: TestClock().closure)
            defer { try? first.close() }
            let names = [
                "Ann Smith ", "Ann\u{2028}", String(repeating: "abcdefghij", count: 11) + "xyz", "Bo\u{7}b\u{0}",
                "한" + String(repeating: "\u{1100}", count: 3_000), "   ",
            ]
            for (index, name) in names.enumerated() {
                let account = try await first.createAccount(newAccount("user\(index)"))
                try await first.linkTwitter(
                    NewTwitterIdentity(
                        userID: TwitterUserID(UInt64(100 + index)), screenName: " screen\(index)\u{2029}", name: name,
                        profileJSON: Array("{}".utf8)),
                    credential: nil, to: .id(account.id))
            }
            let exported = try exportText(first, format: format, directory: dir)
            let second = try makeStore(in: dir, name: "b.sqlite", now: TestClock().closure)
            defer { try? second.close() }
            let (report, problems) = try importText(exported, format: format, into: second, directory: dir)
            #expect(problems == [])
            #expect(report.imported == names.count)
            #expect(textDigest(try exportText(second, format: format, directory: dir)) == textDigest(exported))
            let stored = try await first.account(.username("user0"))?.twitter
            #expect(stored?.name == "Ann Smith" && stored?.screenName == "screen0")
            #expect(try await first.account(.username("user5"))?.twitter?.name == "screen5")
        }
    }

    @Test func oneInvalidLineImportsNothingAndEveryProblemIsListed() async throws {
        try await withStore { store, dir in
            // Given a store holding one account
            _ = try importText(
                "{\"username\": \"kept\", \"email\": \"kept@example.org\"}\n", format: .jsonl, into: store,
                directory: dir)
            let path = dir + "/accounts.sqlite"
            let dump = try databaseDump(path)
            let export = try exportText(store, format: .jsonl, directory: dir)
            // When a file with good and bad lines is imported
            let text = """
                {"username": "new1"}
                {"username": "bad one"}
                {"username": "new2", "email": "KEPT@example.org"}
                {"username": "new1", "email": "x@example.org"}
                {"username": "new3", "twitter": {"id": 1, "screen_name": "s", "name": "n"}}
                {"username": "new4"

                """
            let (report, problems) = try importText(text, format: .jsonl, into: store, directory: dir)
            // Then every bad line is named, and nothing was written
            #expect(
                problems == [
                    "line 2: username: may contain only ASCII letters, digits, '_', '.' and '-'",
                    "line 3: email: 'KEPT@example.org' is already used by an account already in the store (as 'kept@example.org'; emails ignore case)",
                    "line 4: username: 'new1' is already taken by line 1 of this file",
                    "line 5: twitter.id: must be a string of decimal digits, not a JSON number (a JSON number loses precision above 2^53)",
                    "line 6: json: the object is not closed with '}' at column 20",
                ])
            #expect(report == ImportReport(imported: 0, linked: 0, valid: 1, invalid: 5, committed: false))
            #expect(try databaseDump(path) == dump)
            #expect(try exportText(store, format: .jsonl, directory: dir) == export)
        }
    }

    /// A line refused for one field still has its other keys looked up, so that the person fixing the file sees
    /// every problem of the line at once (before, a taken username showed up only on the next run).
    @Test func aRefusedLineAlsoNamesTheKeysOthersHold() async throws {
        try await withStore { store, dir in
            _ = try importText(
                "{\"username\": \"kept\", \"email\": \"kept@example.org\", \"twitter\": {\"id\": \"7\", "
                    + "\"screen_name\": \"k\", \"name\": \"K\"}}\n",
                format: .jsonl, into: store, directory: dir)
            let path = dir + "/accounts.sqlite"
            let dump = try databaseDump(path)
            let text = """
                {"username": "KEPT", "email": "nope"}
                {"username": "no way", "email": "Kept@Example.org"}
                {"username": "fresh", "first_name": "a\\u0007b", "twitter": {"id": "7", "screen_name": "s", "name": "n"}}
                {"username": "fresh2"}
                {"username": "FRESH2", "email": "+tag@gmail.com"}

                """
            let (report, problems) = try importText(text, format: .jsonl, into: store, directory: dir)
            #expect(
                problems == [
                    "line 1: email: must contain '@'",
                    "line 1: username: 'KEPT' is already taken by an account already in the store (as 'kept'; usernames ignore case)",
                    "line 2: username: may contain only ASCII letters, digits, '_', '.' and '-'",
                    "line 2: email: 'Kept@Example.org' is already used by an account already in the store (as 'kept@example.org'; emails ignore case)",
                    "line 3: first_name: must not contain control characters",
                    "line 3: twitter.id: 7 is already linked to an account already in the store",
                    "line 5: email: has no mailbox name once the provider's dots and +tag are removed",
                    "line 5: username: 'FRESH2' is already taken by line 4 of this file (as 'fresh2'; usernames ignore case)",
                ])
            #expect(report == ImportReport(imported: 0, linked: 0, valid: 1, invalid: 4, committed: false))
            #expect(try databaseDump(path) == dump)
        }
    }

    @Test func skipInvalidImportsTheValidLinesAndStillListsTheOthers() async throws {
        try await withStore { store, dir in
            let text = """
                \(csvHeaderForTests)
                ann,ann@example.org,,,,111,ann_t,Ann
                bob,ANN@example.org,,,,,,
                "cat",,,,,111,cat_t,Cat
                dan,,,,not-a-time,,,
                Ann,,,,,,,
                eve,,,,,222,eve_t,Eve

                """
            let (report, problems) = try importText(text, format: .csv, into: store, directory: dir, skipInvalid: true)
            #expect(
                problems == [
                    "line 3: email: 'ANN@example.org' is already used by line 2 of this file (as 'ann@example.org'; emails ignore case)",
                    "line 4: twitter_id: 111 is already linked to line 2 of this file",
                    "line 5: created_at: must be an RFC 3339 time such as 2024-05-01T12:30:00Z or 2024-05-01T14:30:00.25+02:00",
                    "line 6: username: 'Ann' is already taken by line 2 of this file (as 'ann'; usernames ignore case)",
                ])
            #expect(report == ImportReport(imported: 2, linked: 2, valid: 2, invalid: 4, committed: true))
            #expect(try await store.accountCount() == 2)
            let event = try #require(try await store.recentEvents().first)
            #expect(event.details == ["format": "csv", "imported": "2", "skipped": "4", "linked_twitter": "2"])
        }
    }

    @Test func aDuplicateAgainstTheStoreNamesTheStoreAndEveryFieldAtOnce() async throws {
        try await withStore { store, dir in
            _ = try importText(
                "{\"username\": \"ann\", \"email\": \"ann@example.org\", \"twitter\": {\"id\": \"5\", \"screen_name\": \"a\", \"name\": \"A\"}}\n",
                format: .jsonl, into: store, directory: dir)
            let (_, problems) = try importText(
                "{\"username\": \"ann\", \"email\": \"ann@example.org\", \"twitter\": {\"id\": \"5\", \"screen_name\": \"b\", \"name\": \"B\"}}\n",
                format: .jsonl, into: store, directory: dir)
            #expect(
                problems == [
                    "line 1: username: 'ann' is already taken by an account already in the store",
                    "line 1: email: 'ann@example.org' is already used by an account already in the store",
                    "line 1: twitter.id: 5 is already linked to an account already in the store",
                ])
        }
    }

    @Test func anEmptyFileImportsNothingAndWritesNoEvent() async throws {
        try await withStore { store, dir in
            let dump = try databaseDump(dir + "/accounts.sqlite")
            for (text, format) in [
                ("", TransferFormat.jsonl), ("\n\n", .jsonl), ("", .csv), (csvHeaderForTests + "\n", .csv),
            ] {
                let (report, problems) = try importText(text, format: format, into: store, directory: dir)
                #expect(report.isEmpty && !report.committed && problems.isEmpty)
            }
            #expect(try databaseDump(dir + "/accounts.sqlite") == dump)
        }
    }

    @Test func aRefusedCSVHeaderStopsTheImportAndChangesNothing() async throws {
        try await withStore { store, dir in
            let dump = try databaseDump(dir + "/accounts.sqlite")
            #expect(throws: TransferFailure.self) {
                _ = try importText("username,email\nann,ann@example.org\n", format: .csv, into: store, directory: dir)
            }
            #expect(try databaseDump(dir + "/accounts.sqlite") == dump)
        }
    }

    /// The writer cannot start (another process holds the write lock): the reading side, with more batches to send
    /// than the queue holds, stops instead of waiting forever, and the store error comes back.
    @Test func aWriterThatCannotStartStopsTheReaderAndNothingIsWritten() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/accounts.sqlite"
            var configuration = StoreConfiguration(path: path)
            configuration.schemaPolicy = .applyPendingMigrations
            configuration.busyTimeout = .milliseconds(100)
            let store = try AccountStore(configuration: configuration, keyRing: nil)
            defer { try? store.close() }
            // Another connection holds the write lock until told to let go
            let blocker = try WriteLockHolder(path: path)
            let text = (0..<20_000).map { "{\"username\": \"user\($0)\"}\n" }.joined()
            #expect(throws: TransferFailure.store(.busy(path: path))) {
                _ = try importText(text, format: .jsonl, into: store, directory: dir)
            }
            try blocker.release()
            #expect(try await store.accountCount() == 0)
            // Once the lock is gone the same file imports
            #expect(try importText(text, format: .jsonl, into: store, directory: dir).report.imported == 20_000)
        }
    }

    @Test func anEmailWithoutAMailboxAfterNormalisationIsRefused() async throws {
        try await withStore { store, dir in
            let (_, problems) = try importText(
                "{\"username\": \"a\", \"email\": \"+tag@gmail.com\"}\n", format: .jsonl, into: store, directory: dir)
            #expect(problems == ["line 1: email: has no mailbox name once the provider's dots and +tag are removed"])
        }
    }
}

let csvHeaderForTests = "username,email,first_name,last_name,created_at,twitter_id,twitter_screen_name,twitter_name"
