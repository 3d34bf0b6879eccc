import AccountMatching
import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// Maintenance that read a growing table whole (measured at 1,000,000 accounts and 4,000,000 events): a purge with
/// nothing to do read every event since the last rebuild (3.8 s), a deletion read and parsed every live registration
/// draft inside the write lock (1.9 to 2.4 s at 20,000), `migrate` and `reindex` read every account to find addresses
/// outside ASCII (4.4 s) and `reindex` every account again with nothing stale (3.6 s). Migration 0018's partial indexes
/// let each read only the rows it asks about; these tests read the plans SQLite makes, which name the index.
struct MaintenanceReadTests {
    @Test func thePurgesRebuildCheckReadsOnlyTheEventsItAsksAbout() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let last = try store.queryPlan(Queries.lastRebuildCovered, arguments: [])
            #expect(last.contains("USING INDEX account_events_file_rebuilt"), "\(last)")
            let due = try store.queryPlan(Queries.rebuildDue, arguments: ["0"])
            #expect(due.contains("SEARCH account_events USING INDEX account_events_rebuilding (id>?)"), "\(due)")
        }
    }

    @Test func aDeletionFindsTheDraftsOfferedToItsMailboxThroughTheirIndex() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let plan = try store.queryPlan(Queries.offeredDrafts, arguments: ["a@b.c", "0", "\(Mailbox.rulesVersion)"])
            // (the stored mailbox by today's rules; none stored; older rules; newer rules)
            #expect(
                plan.matches(of: /SEARCH registration_drafts USING INDEX registration_drafts_offered/).count == 4,
                "\(plan)")
            #expect(plan.contains("(offered_rules_version=? AND offered_mailbox=?)"), "\(plan)")
            #expect(!plan.contains("SCAN registration_drafts"), "\(plan)")
        }
    }

    @Test func theCheckOfAddressesOutsideASCIIReadsOnlyThose() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let plan = try store.queryPlan(Queries.addressesNotASCII, arguments: [])
            #expect(plan.contains("USING INDEX users_email_not_ascii"), "\(plan)")
            #expect(!plan.contains("TEMP B-TREE"), "\(plan)")
            // (and the index holds those addresses only)
            _ = try await store.createAccount(newAccount("ann", email: "ann@example.org"))
            _ = try await store.createAccount(newAccount("zoe", email: "zoë@example.org"))
            _ = try await store.createAccount(newAccount("bob"))
            let indexed = textQuery(
                dir + "/accounts.sqlite",
                "SELECT group_concat(username) FROM users INDEXED BY users_email_not_ascii WHERE email GLOB '*[^ -~]*'")
            #expect(indexed == "zoe")
        }
    }

    /// A draft is saved with the normalised mailbox of its profile's address and the rules that made it; a deletion
    /// finds it by that, and finds by their profiles (as every draft until migration 0018) those saved before the
    /// migration (no mailbox stored) or under other rules. Each is checked against its profile all the same.
    @Test func aDeletionDiscardsTheDraftsOfferedToItsMailboxWhateverStoredTheirs() async throws {
        try await withTemporaryDirectory { dir in
            let clock = TestClock()
            let store = try makeStore(in: dir, now: clock.closure)
            defer { try? store.close() }
            let database = dir + "/accounts.sqlite"
            // Given Ada's account, her address confirmed
            let ada = try await store.createAccount(
                newAccount("ada", email: "Ada.Lovelace@gmail.com", emailVerified: true))
            clock.advance(by: 1)
            // and drafts made since: four whose profile holds a spelling of her mailbox, two whose does not, one with
            // no address
            let hers = #"{"email": " ada.lovelace+twitter@gmail.com"}"#
            let other = #"{"email": "someone@example.org"}"#
            for (id, profile) in [
                ("stored", hers), ("before0018", hers), ("olderRules", hers), ("newerRules", hers), ("other", other),
                ("claimsHers", other), ("noAddress", "{}"),
            ] {
                try await store.saveDraft(Self.draft(id, profile: profile, at: clock.now))
            }
            // (the mailbox stored as the draft is saved)
            let stored = textQuery(
                database,
                "SELECT offered_mailbox || ' ' || offered_rules_version FROM registration_drafts WHERE id = 'stored'")
            #expect(stored == "adalovelace@gmail.com \(Mailbox.rulesVersion)")
            #expect(
                textQuery(database, "SELECT offered_mailbox IS NULL FROM registration_drafts WHERE id = 'noAddress'")
                    == "1")
            try executeSQL(
                database,
                """
                UPDATE registration_drafts SET offered_mailbox = NULL, offered_rules_version = NULL
                WHERE id = 'before0018';
                UPDATE registration_drafts SET offered_mailbox = 'made-by-older-rules', offered_rules_version = 1
                WHERE id = 'olderRules';
                UPDATE registration_drafts SET offered_mailbox = 'made-by-newer-rules',
                    offered_rules_version = \(Mailbox.rulesVersion + 1) WHERE id = 'newerRules';
                UPDATE registration_drafts SET offered_mailbox = 'adalovelace@gmail.com' WHERE id = 'claimsHers';
                """)
            // When her account is deleted
            _ = try await store.deleteAccount(.username("ada"))
            let discarded = try await store.deleteDrafts(offeredTo: ada)
            // Then the drafts whose profile holds her mailbox go, however their mailbox was stored, and no other
            let tokens = discarded.map { $0.credential?.token ?? "(not opened)" }.sorted()
            #expect(tokens == ["t-before0018", "t-newerRules", "t-olderRules", "t-stored"])
            #expect(
                textQuery(database, "SELECT group_concat(id) FROM (SELECT id FROM registration_drafts ORDER BY id)")
                    == "claimsHers,noAddress,other")
        }
    }

    /// A reindex with no stale form reads no account for the mailboxes: until session 64 it read every one, a read
    /// transaction a batch (3.6 s at 1,000,000 accounts), to say "nothing to reindex".
    @Test func aReindexWithNothingStaleReadsNoAccount() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            for name in ["ann", "bob", "cy"] {
                _ = try await store.createAccount(newAccount(name, email: "\(name)@example.org"))
            }
            let progress = Locked<[Int]>([])
            let report = try await store.reindex(batchSize: 1) { done, _ in progress.withLock { $0.append(done) } }
            #expect(report == ReindexReport(rulesVersion: Mailbox.rulesVersion, recomputed: 0, changed: 0, batches: 0))
            #expect(progress.value == [])
            // and one stale form is recomputed as before, with the pass over every account
            try executeSQL(dir + "/accounts.sqlite", "UPDATE users SET email_rules_version = 1 WHERE username = 'bob'")
            let again = try await store.reindex(batchSize: 1) { done, _ in progress.withLock { $0.append(done) } }
            #expect(again.recomputed == 1)
            #expect(progress.value == [1, 2, 3])
        }
    }

    static func draft(_ id: String, profile: String, at created: Date) -> RegistrationDraft {
        RegistrationDraft(
            id: id, browserSession: "s-\(id)", purpose: .register, twitterUserID: TwitterUserID(77),
            screenName: "ada", credential: TwitterCredential(token: "t-\(id)", secret: Secret("s-\(id)")),
            profileJSON: Array(profile.utf8), fields: [:], linkUser: nil, createdAt: created,
            expiresAt: created.addingTimeInterval(3600))
    }
}
