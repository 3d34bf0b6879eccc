import AccountCrypto
import AccountMatching
import AccountModel
import AccountStore
import Foundation
import GRDB
import TestSupport
import Testing

/// The store's side of duplicate detection: mailbox lookups across Unicode and IDNA forms, the bulk scan, reindexing.
struct MailboxLookupTests {
    @Test(arguments: [
        ("anna@bücher.example", "ANNA@xn--bcher-kva.example"),
        ("anna@xn--bcher-kva.example", "anna@BÜCHER.example"),
        ("ａｎｎａ@example.org", "anna@example.org"),
        ("anna@example.org", "ａｎｎａ@ｅｘａｍｐｌｅ．ｏｒｇ"),
        ("zoe\u{308}@example.org", "zoë@example.org"),
        ("j.o.h.n+x@gmail.com", "john@googlemail.com"),
    ])
    func findsAccountsSharingAMailboxAcrossForms(_ stored: String, _ arriving: String) async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let created = try await store.createAccount(newAccount("anna", email: stored))
            _ = try await store.createAccount(newAccount("other", email: "other@example.org"))
            #expect(try await store.accounts(sharingMailboxWith: arriving).map(\.id) == [created.id])
        }
    }

    @Test func unicodeAndASCIIDomainsAreTwoEmailsButOneMailbox() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            // Emails are unique case-insensitively as written; their mailboxes are not unique.
            let first = try await store.createAccount(newAccount("anna", email: "anna@bücher.example"))
            let second = try await store.createAccount(newAccount("anna2", email: "anna@xn--bcher-kva.example"))
            let sharing = try await store.accounts(sharingMailboxWith: "Anna@Bücher.Example")
            #expect(Set(sharing.map(\.id)) == [first.id, second.id])
        }
    }

    /// `xn--gmail.com` and `xn--hmail.com` are two ASCII domains (the first is no valid IDNA label: it decodes to
    /// capitals), yet a Twitter profile's `ann@xn--gmail.com` was offered the account of `ann@xn--hmail.com`.
    @Test(arguments: [
        ("ann@xn--hmail.com", "ann@xn--gmail.com"),
        ("anna@xn--bcher-kva.example", "anna@xn--bcher-2pa.example"),
    ])
    func anInvalidACEDomainIsNotAnotherDomainsMailbox(_ stored: String, _ arriving: String) async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            _ = try await store.createAccount(newAccount("anna", email: stored))
            #expect(try await store.accounts(sharingMailboxWith: arriving).isEmpty)
        }
    }

    /// An address with a soft hyphen in its domain is delivered (UTS #46) to the domain without it: asked about (an
    /// address from a Twitter profile, or one stored before the store refused invisible characters), it finds the
    /// account of the address without it.
    @Test func aSoftHyphenInTheDomainIsTheSameMailbox() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let created = try await store.createAccount(newAccount("anna", email: "anna@bücher.example"))
            #expect(
                try await store.accounts(sharingMailboxWith: "anna@bü\u{AD}cher.example").map(\.id) == [created.id])
        }
    }
}

struct MatchableScanTests {
    @Test func scansEveryAccountWithItsTwitterNamesInBatches() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            for index in 0..<7 {
                _ = try await store.createAccount(
                    newAccount("user\(index)", email: index % 2 == 0 ? "u\(index)@example.org" : nil))
            }
            _ = try await store.createAccount(
                NewAccount(username: try Username(validating: "zoe"), firstName: "Zoë", lastName: "Ångström"),
                linking: twitterIdentity("1234567890123456789", screenName: "zoe_angstrom", name: "Zoë Ångström"),
                credential: TwitterCredential(token: "t", secret: Secret("s")))
            let batches = Locked<[[MatchableAccount]]>([])
            try store.scanMatchableAccounts(batchSize: 3) { batch in batches.withLock { $0.append(batch) } }
            let all = batches.value.flatMap { $0 }
            #expect(batches.value.map(\.count) == [3, 3, 2])
            #expect(all.map(\.username) == (0..<7).map { "user\($0)" } + ["zoe"])
            let zoe = try #require(all.last)
            #expect(zoe.twitterScreenName == "zoe_angstrom" && zoe.twitterName == "Zoë Ångström")
            #expect(zoe.twitterUserID == TwitterUserID(1_234_567_890_123_456_789))
            #expect(all.dropLast().allSatisfy { $0.twitterUserID == nil })
            #expect(zoe.firstName == "Zoë" && zoe.lastName == "Ångström" && zoe.email == nil)
            let first = try #require(all.first)
            #expect(first.emailMailbox == "u0@example.org" && first.emailRulesVersion == Mailbox.rulesVersion)
            #expect(try await store.account(.id(first.id))?.username == "user0")
        }
    }

    /// The scan reads accounts and Twitter identities in two ordered passes and merges them by account: identities
    /// linked later, in another order than the accounts were made, each land on their account, and no other.
    @Test func twitterNamesLandOnTheirAccountsWhateverOrderTheyWereLinkedIn() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            var ids: [UserID] = []
            for index in 0..<8 { ids.append(try await store.createAccount(newAccount("user\(index)")).id) }
            for (index, twitterID) in [(5, "50"), (1, "10"), (6, "60"), (3, "30")] {
                try await store.linkTwitter(
                    twitterIdentity(twitterID, screenName: "tw\(index)", name: "Name \(index)"), credential: nil,
                    to: .id(ids[index]))
            }
            let seen = Locked<[String]>([])
            try store.scanMatchableAccounts(batchSize: 2) { batch in
                seen.withLock {
                    $0 += batch.map {
                        "\($0.username):\($0.twitterScreenName ?? "-"):\($0.twitterName ?? "-")"
                            + ":\($0.twitterUserID?.decimalString ?? "-")"
                    }
                }
            }
            #expect(
                seen.value == [
                    "user0:-:-:-", "user1:tw1:Name 1:10", "user2:-:-:-", "user3:tw3:Name 3:30", "user4:-:-:-",
                    "user5:tw5:Name 5:50", "user6:tw6:Name 6:60", "user7:-:-:-",
                ])
        }
    }

    /// The byte scan the report reads with: each batch as SQLite gave it, its storage reused for the next.
    @Test func byteBatchesHoldEachRowsFieldsAsStored() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            for index in 0..<5 {
                _ = try await store.createAccount(
                    newAccount("user\(index)", email: index == 3 ? nil : "U\(index)@Example.org"))
            }
            _ = try await store.createAccount(
                NewAccount(username: try Username(validating: "zoe"), firstName: "Zoë", lastName: "Ångström"),
                linking: twitterIdentity("1234567890123456789", screenName: "zoe_angstrom", name: "Zoë Å 🌸"),
                credential: TwitterCredential(token: "t", secret: Secret("s")))
            let seen = Locked<[[String?]]>([])
            try store.scanMatchableAccountBatches(batchSize: 4) { batch in
                for index in 0..<batch.count {
                    let row = MatchableAccountBatch.Field.allCases.map { batch.text($0, of: index) }
                    seen.withLock { $0.append(row + [batch.emailRulesVersion(of: index).map(String.init)]) }
                }
            }
            let rows = seen.value
            #expect(rows.map { $0[1] } == ["user0", "user1", "user2", "user3", "user4", "zoe"])
            #expect(rows[1][2] == "U1@Example.org" && rows[1][3] == "u1@example.org")
            #expect(rows[1][8] == String(Mailbox.rulesVersion))
            #expect(rows[3][2] == nil && rows[3][3] == nil && rows[3][8] == nil)
            #expect(Array(rows[5][4...7]) == ["Zoë", "Ångström", "zoe_angstrom", "Zoë Å 🌸"])
            #expect(rows[4][6] == nil && rows[4][7] == nil)
            let ids = try await store.account(.username("zoe"))?.id.rawValue
            #expect(rows[5][0] == ids)
        }
    }

    @Test func emptyStoreCallsNothing() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let calls = Locked(0)
            try store.scanMatchableAccounts { _ in calls.withLock { $0 += 1 } }
            #expect(calls.value == 0)
        }
    }

    /// The scan merges two ordered reads: each must come in order from the table or an index, never sorted.
    @Test func scanReadsBothTablesInIdOrderWithoutSorting() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let users = try store.queryPlan(Queries.matchableUsers, arguments: [])
            #expect(users.contains("SCAN users"), "\(users)")
            let identities = try store.queryPlan(Queries.matchableTwitterNames, arguments: [])
            #expect(identities.contains("twitter_identities USING INDEX"), "\(identities)")
            for plan in [users, identities] { #expect(!plan.contains("TEMP B-TREE"), "\(plan)") }
        }
    }
}

struct ReindexTests {
    /// Makes the stored forms of `usernames` look as if older rules had made them.
    static func makeStale(_ path: String, _ usernames: [String], mailbox: String? = nil, version: Int = 1) throws {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        try queue.write { db in
            for username in usernames {
                try db.execute(
                    sql:
                        "UPDATE users SET email_mailbox = coalesce(?, lower(email)), email_rules_version = ? WHERE username = ?",
                    arguments: [mailbox, version, username])
            }
        }
    }

    static func populate(_ store: AccountStore) async throws {
        _ = try await store.createAccount(newAccount("anna", email: "Anna@Bücher.example"))
        _ = try await store.createAccount(newAccount("john", email: "j.o.h.n+x@gmail.com"))
        _ = try await store.createAccount(newAccount("zoe", email: "zoe@example.org"))
        _ = try await store.createAccount(newAccount("nomail"))
        _ = try await store.createAccount(
            newAccount(
                "bob", email: "bob@example.org",
                passwordHash: "scrypt$ln=10$r=8$p=1$c2FsdHNhbHQ=$eHh4eHh4eHh4eHh4eHh4eA=="))
    }

    @Test func recomputesFormsMadeByOlderRulesAndNothingElse() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/accounts.sqlite"
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            try await Self.populate(store)
            let current = try databaseDump(path)

            // Given forms made by rules version 1 (no IDNA: the Unicode domain kept as typed)
            try Self.makeStale(path, ["anna", "john"])
            #expect(try await store.staleNormalisedFormCount() == 2)
            let progress = Locked<[Int]>([])
            // When
            let report = try await store.reindex(batchSize: 2) { done, _ in progress.withLock { $0.append(done) } }
            // Then the database is exactly as the current rules wrote it
            #expect(report == ReindexReport(rulesVersion: Mailbox.rulesVersion, recomputed: 2, changed: 2, batches: 1))
            #expect(progress.value == [2, 4, 5])
            #expect(try databaseDump(path) == current)
            #expect(try await store.staleNormalisedFormCount() == 0)
            // and the IDNA form is what lookups use
            #expect(
                try await store.accounts(sharingMailboxWith: "anna@xn--bcher-kva.example").map(\.username) == ["anna"])
        }
    }

    @Test func aRulesVersionBumpRecomputesEveryFormAndTouchesNoOtherColumn() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/accounts.sqlite"
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            try await Self.populate(store)
            let others = try Self.everythingButMailboxes(path)
            // When a newer rules version says every mailbox is its address reversed
            let report = try await store.reindex(
                rulesVersion: Mailbox.rulesVersion + 1, normalize: { String($0.reversed()) }, batchSize: 3)
            // Then every account with an email was recomputed, in batches, and nothing else changed
            #expect(report.recomputed == 4 && report.changed == 4 && report.batches == 2)
            #expect(try Self.everythingButMailboxes(path) == others)
            let queue = try DatabaseQueue(path: path)
            defer { try? queue.close() }
            let rows = try queue.read { db in
                try Row.fetchAll(db, sql: "SELECT username, email_mailbox, email_rules_version FROM users ORDER BY id")
            }
            #expect(
                rows.map { $0[1] as String? } == [
                    "elpmaxe.rehcüB@annA", "moc.liamg@x+n.h.o.j", "gro.elpmaxe@eoz", nil, "gro.elpmaxe@bob",
                ])
            let newer = Mailbox.rulesVersion + 1
            #expect(rows.map { $0[2] as Int? } == [newer, newer, newer, nil, newer])
            // A second run has nothing to do.
            #expect(try await store.reindex(rulesVersion: Mailbox.rulesVersion + 1, normalize: { $0 }).recomputed == 0)
            #expect(try await store.staleNormalisedFormCount(rulesVersion: Mailbox.rulesVersion + 1) == 0)
        }
    }

    /// A stored form that older rules made is not taken, before a reindex, for a mailbox the rules give its address no
    /// more: registration does not offer that account at the door to another person's Twitter profile (until session
    /// 61 it did, in an app opened with `.applyPendingMigrations`, which does not reindex).
    @Test func aStaleStoredFormIsNotTakenForAMailboxTheRulesGiveItNoMore() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/accounts.sqlite"
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            _ = try await store.createAccount(newAccount("victim", email: "ann@xn--gmail.com"))
            _ = try await store.createAccount(newAccount("hanna", email: "hanna@example.org"))
            // Given the form rules version 4 made (it decoded and encoded an invalid `xn--` label into another domain)
            try executeSQL(
                path,
                "UPDATE users SET email_mailbox = 'ann@xn--hmail.com', email_rules_version = 4 WHERE username = 'victim'"
            )
            // Then neither that mailbox nor its own finds it before a reindex; a current form is found as ever
            #expect(try await store.accounts(sharingMailboxWith: "ann@xn--hmail.com").isEmpty)
            #expect(try await store.accounts(sharingMailboxWith: "hanna@example.org").map(\.username) == ["hanna"])
            // And after the reindex its own mailbox finds it
            _ = try await store.reindex()
            #expect(try await store.accounts(sharingMailboxWith: "ann@xn--gmail.com").map(\.username) == ["victim"])
            #expect(try await store.accounts(sharingMailboxWith: "ann@xn--hmail.com").isEmpty)
        }
    }

    /// Rows another process (a second `accounts reindex` or `migrate`) recomputed between this reindex's read of them
    /// and its write are not counted as this one's, nor is a transaction that wrote nothing (until session 61 three
    /// reindexes at once reported 34,200 accounts recomputed of 20,000).
    @Test func rowsAnotherReindexRecomputedMeanwhileAreNotCounted() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/accounts.sqlite"
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            try await Self.populate(store)
            let newer = Mailbox.rulesVersion + 1
            let others = Locked(false)
            // When, between the read of the first batch and its write, another process recomputes every row
            let report = try await store.reindex(
                rulesVersion: newer,
                normalize: { email in
                    if !others.withLock({ done in
                        defer { done = true }; return done
                    }) {
                        try! executeSQL(path, "UPDATE users SET email_rules_version = \(newer) WHERE email IS NOT NULL")
                    }
                    return Mailbox.normalize(email)
                }, batchSize: 100)
            // Then this reindex recomputed nothing, in no transaction
            #expect(report.recomputed == 0 && report.changed == 0 && report.batches == 0, "\(report)")
            #expect(try await store.staleNormalisedFormCount(rulesVersion: newer) == 0)
        }
    }

    /// A rules change that leaves most mailboxes as they were gives every address the new version, counts as changed
    /// only the mailboxes that differ, and leaves the others byte for byte.
    @Test func aRulesVersionBumpCountsOnlyTheMailboxesItChanged() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/accounts.sqlite"
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            try await Self.populate(store)
            let others = try Self.everythingButMailboxes(path)
            let mailboxes = { () throws -> [String?] in
                let queue = try DatabaseQueue(path: path)
                defer { try? queue.close() }
                return try queue.read { db in
                    try String?.fetchAll(db, sql: "SELECT email_mailbox FROM users ORDER BY id")
                }
            }
            let before = try mailboxes()
            // When a newer rules version changes zoe's mailbox alone
            let report = try await store.reindex(
                rulesVersion: Mailbox.rulesVersion + 1,
                normalize: { $0.hasPrefix("zoe@") ? "zoe.renamed@example.org" : Mailbox.normalize($0) })
            // Then the four addresses were recomputed and one of them changed
            #expect(report.recomputed == 4 && report.changed == 1, "\(report)")
            // and every address has the new version, zoe's mailbox is the new one, the others are as they were
            var expected = before
            expected[2] = "zoe.renamed@example.org"
            #expect(try mailboxes() == expected)
            #expect(try Self.everythingButMailboxes(path) == others)
            #expect(try await store.staleNormalisedFormCount(rulesVersion: Mailbox.rulesVersion + 1) == 0)
        }
    }

    @Test func newerFormsAreLeftAlone() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/accounts.sqlite"
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            try await Self.populate(store)
            try Self.makeStale(path, ["zoe"], mailbox: "made-by-a-newer-binary", version: Mailbox.rulesVersion + 1)
            let before = try databaseDump(path)
            #expect(try await store.reindex().recomputed == 0)
            #expect(try databaseDump(path) == before)
        }
    }

    @Test func reindexCountsAStaleIndexQuickly() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let plan = try store.queryPlan(Queries.staleMailboxCount, arguments: ["2"])
            #expect(plan.contains("users_email_rules_version"), "\(plan)")
        }
    }

    /// Every table and column except `users.email_mailbox` and `users.email_rules_version`.
    static func everythingButMailboxes(_ path: String) throws -> String {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            var lines: [String] = []
            for table in try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
            {
                let columns = try db.columns(in: table).map(\.name).filter {
                    !(table == "users" && ($0 == "email_mailbox" || $0 == "email_rules_version"))
                }
                let list = columns.map { "\"\($0)\"" }.joined(separator: ", ")
                for row in try Row.fetchAll(db, sql: "SELECT \(list) FROM \"\(table)\" ORDER BY rowid") {
                    lines.append("\(table): \(row)")
                }
            }
            return lines.joined(separator: "\n")
        }
    }
}
