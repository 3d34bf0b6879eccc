import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import GRDB
import Migrations
import TestSupport
import Testing

struct AccountStoreOpeningTests {
    @Test(arguments: [(StoreConfiguration.Synchronous.full, "2"), (.normal, "1")])
    func writerUsesTheConfiguredDurability(_ level: StoreConfiguration.Synchronous, _ expected: String) async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir, synchronous: level)
            defer { try? store.close() }
            // GRDB sets NORMAL on the WAL writer after its own setup; the store must have put it back.
            #expect(try store.writerPragma("synchronous") == expected)
            #expect(try store.writerPragma("journal_mode") == "wal")
            #expect(try store.writerPragma("foreign_keys") == "1")
        }
    }

    @Test func requireCurrentRefusesAMissingFileWithoutCreatingIt() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/absent.sqlite"
            #expect(throws: StoreError.databaseMissing(path: path)) {
                try AccountStore(configuration: StoreConfiguration(path: path), keyRing: nil)
            }
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test func requireCurrentReportsPendingMigrationsAndChangesNothing() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/behind.sqlite"
            _ = try AccountStore.migrate(StoreConfiguration(path: path), to: 3)
            let before = try databaseDump(path)
            let pending = Migrations.sqlite.map { Int($0.fileName.prefix(4))! }.filter { $0 > 3 }
            #expect(throws: StoreError.schemaBehind(path: path, pendingVersions: pending)) {
                try AccountStore(configuration: StoreConfiguration(path: path), keyRing: nil)
            }
            #expect(try databaseDump(path) == before)
            #expect(
                StoreError.schemaBehind(path: path, pendingVersions: [4, 5, 6]).description
                    == "the database \(path) lacks migrations 4, 5, 6; apply them with AccountStore.migrate(_:), or "
                    + "open the store with schemaPolicy = .applyPendingMigrations")
        }
    }

    @Test func applyPendingMigrationsWhenAsked() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            try store.close()
            let entries = try AccountStore.migrationStatus(path: dir + "/accounts.sqlite")
            #expect(entries.allSatisfy { $0.state == .applied })
        }
    }

    @Test func notADatabaseIsRefusedAndLeftUntouched() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/photo.sqlite"
            writeFile(path, (0..<8192).map { UInt8($0 % 251) })
            let before = fileDigest(path)
            var configuration = StoreConfiguration(path: path)
            configuration.schemaPolicy = .applyPendingMigrations
            #expect(throws: StoreError.notADatabase(path: path)) {
                try AccountStore(configuration: configuration, keyRing: nil)
            }
            #expect(fileDigest(path) == before)
        }
    }

    @Test func readOnlyStoreRefusesWritesWithATypedErrorAndKeepsData() async throws {
        try await withTemporaryDirectory { dir in
            // Given a database with one account
            let writable = try makeStore(in: dir)
            _ = try await writable.createAccount(newAccount("ann"))
            try writable.close()
            let before = try databaseDump(dir + "/accounts.sqlite")

            // When it is opened with SQLite's read-only flag and written to
            var configuration = StoreConfiguration(path: dir + "/accounts.sqlite")
            configuration.readOnly = true
            let store = try AccountStore(configuration: configuration, keyRing: makeKeyRing())
            await #expect(throws: StoreError.readOnly(path: dir + "/accounts.sqlite")) {
                try await store.createAccount(newAccount("bob"))
            }

            // Then reads still work and nothing changed
            #expect(try await store.account(.username("ann")) != nil)
            try store.close()
            #expect(try databaseDump(dir + "/accounts.sqlite") == before)
        }
    }
}

struct AccountStoreAccountTests {
    @Test func createsAndFindsAnAccountEveryWay() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let created = try await store.createAccount(
                newAccount("Ann_Smith", email: " Ann.Smith+news@GoogleMail.com "))

            #expect(created.email == "Ann.Smith+news@GoogleMail.com")
            #expect(try await store.account(.id(created.id)) == created)
            #expect(try await store.account(.username("ann_smith")) == created)
            #expect(try await store.account(email: "ann.smith+NEWS@googlemail.com") == created)
            #expect(try await store.accounts(sharingMailboxWith: "annsmith@gmail.com") == [created])
            #expect(try await store.account(.username("nobody")) == nil)
            let events = try await store.events(for: created.id)
            #expect(events.map(\.kind) == [.created])
        }
    }

    @Test(arguments: [
        ("ANN", "other@example.org", Field.username),
        ("someone", "ANN@Example.ORG", Field.email),
    ])
    func duplicatesAreTypedAndChangeNothing(_ username: String, _ email: String, _ field: Field) async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            _ = try await store.createAccount(newAccount("ann", email: "ann@example.org"))
            let countBefore = try await store.accountCount()

            await #expect(throws: StoreError.duplicate(field)) {
                try await store.createAccount(newAccount(username, email: email))
            }
            #expect(try await store.accountCount() == countBefore)
            #expect(StoreError.duplicate(field).description == "\(field): is already taken by another account")
        }
    }

    @Test func lookupsUseAnIndex() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let plans = [
                try store.queryPlan(Queries.accountByTwitterUserID, arguments: ["1"]),
                try store.queryPlan(Queries.userByUsername, arguments: ["ann"]),
                try store.queryPlan(Queries.userByEmail, arguments: ["a@b.c", "a@b.c"]),
                try store.queryPlan(Queries.usersByMailbox, arguments: ["a@b.c"]),
                try store.queryPlan(Queries.userByPublicID, arguments: ["x"]),
                try store.queryPlan(Queries.identityByUserRowID, arguments: ["1"]),
            ]
            for plan in plans {
                #expect(plan.contains("USING INDEX") || plan.contains("USING INTEGER PRIMARY KEY"), "\(plan)")
                #expect(!plan.contains("SCAN"), "\(plan)")
            }
        }
    }

    /// The rewrap's last look for values under another key, made while it holds the write lock, reads each table's
    /// `key_id` index, never every row.
    @Test func theRewrapsLastLookUsesTheKeyIndexes() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            for kind in AccountStore.SealedKind.allCases {
                let plan = try store.queryPlan(AccountStore.anyNotUnderSQL(kind), arguments: ["k2"])
                #expect(plan.contains("USING COVERING INDEX \(kind.rawValue)_key_id"), "\(kind): \(plan)")
                #expect(plan.contains("SEARCH \(kind.rawValue)"), "\(kind): \(plan)")
                #expect(!plan.contains("SCAN \(kind.rawValue)"), "\(kind): \(plan)")
            }
        }
    }

    /// The checks a sign-in makes on the account's audit trail (never purged) read only the events they ask about,
    /// not every event of the account: the events recorded after its mark through `(subject, id)`, those of a kind in
    /// the last minute through a range of `(subject, kind, occurred_at)`.
    @Test func signInChecksOnTheAuditTrailReadOnlyTheEventsTheyAskAbout() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            for (sql, arguments, index) in [
                (Queries.sessionsEndedAfter, ["u", "0"], "account_events_subject (subject=? AND id>?)"),
                (
                    Queries.recentEventOfKindAndMethod, ["u", "sign_in_throttled", "0", "password"],
                    "account_events_subject_kind (subject=? AND kind=? AND occurred_at>?"
                ),
            ] {
                let plan = try store.queryPlan(sql, arguments: arguments)
                #expect(plan.contains(index), "\(plan)")
                #expect(!plan.contains("SCAN account_events"), "\(plan)")
            }
        }
    }
}

struct AccountStoreTwitterTests {
    @Test func linksFindsAndUnlinksATwitterIdentity() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let ann = try await store.createAccount(
                newAccount("ann", passwordHash: "scrypt$ln=10$r=8$p=1$c2FsdHNhbHQ=$eHh4eHh4eHh4eHh4eHh4eA=="))
            let id = "1234567890123456789"

            let linked = try await store.linkTwitter(
                twitterIdentity(id, screenName: "ann_tw"),
                credential: TwitterCredential(token: "t", secret: Secret("s")),
                to: .id(ann.id))
            #expect(linked.twitter?.userID.decimalString == id)
            let found = try await store.account(twitterUserID: TwitterUserID(decimal: id)!)
            #expect(found?.id == ann.id && found?.twitter?.screenName == "ann_tw")
            #expect(found?.twitter?.profileJSON == twitterIdentity(id, screenName: "ann_tw").profileJSON)

            let unlinked = try await store.unlinkTwitter(from: .id(ann.id))
            #expect(unlinked.twitter == nil)
            #expect(try await store.account(twitterUserID: TwitterUserID(decimal: id)!) == nil)
            #expect(try await store.credential(for: TwitterUserID(decimal: id)!) == nil)
            #expect(try await store.events(for: ann.id).map(\.kind) == [.unlinked, .linked, .created])
        }
    }

    @Test func oneIdentityPerAccountAndOneAccountPerIdentity() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let ann = try await store.createAccount(newAccount("ann"))
            let bob = try await store.createAccount(newAccount("bob"))
            try await store.linkTwitter(twitterIdentity("42"), credential: nil, to: .id(ann.id))
            let before = try databaseDump(dir + "/accounts.sqlite")

            await #expect(throws: StoreError.alreadyLinked(ann.id)) {
                try await store.linkTwitter(twitterIdentity("43"), credential: nil, to: .id(ann.id))
            }
            await #expect(throws: StoreError.duplicate(.twitterUserID)) {
                try await store.linkTwitter(twitterIdentity("42"), credential: nil, to: .id(bob.id))
            }
            await #expect(throws: StoreError.accountNotFound("'carol'")) {
                try await store.linkTwitter(twitterIdentity("44"), credential: nil, to: .username("carol"))
            }
            #expect(try databaseDump(dir + "/accounts.sqlite") == before)
        }
    }

    @Test func unlinkRefusesToLeaveNoWayToSignIn() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let ann = try await store.createAccount(newAccount("ann"))
            try await store.linkTwitter(twitterIdentity("42"), credential: nil, to: .id(ann.id))
            await #expect(throws: StoreError.lastSignInMethod(ann.id)) {
                try await store.unlinkTwitter(from: .id(ann.id))
            }
            #expect(try await store.account(.id(ann.id))?.twitter != nil)
        }
    }

    /// Two racing links of one Twitter id to two accounts: exactly one wins, the other gets a typed conflict.
    @Test func racingLinksOfOneTwitterIDEndWithOneIdentity() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            var users: [UserID] = []
            for index in 0..<20 { users.append(try await store.createAccount(newAccount("user\(index)")).id) }
            let outcomes = await withTaskGroup(of: Result<Account, StoreError>.self) { group in
                for user in users {
                    group.addTask {
                        do throws(StoreError) {
                            return .success(
                                try await store.linkTwitter(twitterIdentity("777"), credential: nil, to: .id(user)))
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                var outcomes: [Result<Account, StoreError>] = []
                for await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
            let wins = outcomes.filter { if case .success = $0 { return true } else { return false } }
            #expect(wins.count == 1)
            for outcome in outcomes {
                if case .failure(let error) = outcome { #expect(error == .duplicate(.twitterUserID)) }
            }
        }
    }
}
