import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import GRDB
import TestSupport
import Testing

struct SealedSecretsTests {
    static let secret = "Lsw-token-secret-7f3a9c-SHOULD-NEVER-BE-ON-DISK"

    /// The base64 of `secret`'s whole groups of 3 bytes, without the padded group its tail makes: found in the
    /// base64 of any value that begins with `secret` (the base64 of the whole secret, padded or not, is not, in that of
    /// a longer value: `Self.secret` is the prefix of each secret stored, `Self.secret + "1"`...).
    static func base64Needle(_ secret: String) -> String {
        let bytes = Array(secret.utf8)
        return Data(bytes.prefix(bytes.count / 3 * 3)).base64EncodedString()
    }

    /// Every byte of the database, WAL and shared-memory files, searched for the secret (or any value beginning with
    /// it) in every usual encoding.
    func assertNotOnDisk(_ secret: String, in directory: String) {
        let findsLonger = Data((secret + "1").utf8).base64EncodedString().contains(Self.base64Needle(secret))
        #expect(findsLonger, "the base64 needle misses a value beginning with the secret")
        let bytes = Array(secret.utf8)
        let needles: [(String, [UInt8])] = [
            ("raw", bytes),
            ("hex", Array(bytes.map { String(format: "%02x", $0) }.joined().utf8)),
            ("HEX", Array(bytes.map { String(format: "%02X", $0) }.joined().utf8)),
            ("base64", Array(Self.base64Needle(secret).utf8)),
            ("utf16", Array(secret.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })),
        ]
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        #expect(files.contains { $0.hasSuffix(".sqlite") })
        for file in files {
            let haystack = fileBytes(directory + "/" + file)
            for (encoding, needle) in needles {
                let found =
                    haystack.count >= needle.count
                    && (0...(haystack.count - needle.count)).contains {
                        haystack[$0..<($0 + needle.count)].elementsEqual(needle)
                    }
                #expect(!found, "secret found \(encoding) in \(file)")
            }
        }
    }

    @Test func secretsAreSealedAtRestAndOpenForTheCallerThatAsks() async throws {
        try await withTemporaryDirectory { dir in
            // Given a credential, a pending authorization and a draft, each carrying a secret
            let clock = TestClock()
            let store = try makeStore(in: dir, now: clock.closure)
            let ann = try await store.createAccount(newAccount("ann"))
            let twitterID = TwitterUserID(decimal: "9007199254740993")!
            try await store.linkTwitter(
                twitterIdentity(twitterID.decimalString),
                credential: TwitterCredential(token: "tok", secret: Secret(Self.secret + "1")),
                to: .id(ann.id))
            try await store.savePendingAuthorization(
                PendingAuthorization(
                    requestToken: "rt-1", requestTokenSecret: Secret(Self.secret + "2"), browserSession: "browser-a",
                    purpose: .register, linkUser: nil, createdAt: clock.now,
                    expiresAt: clock.now.addingTimeInterval(900)))
            try await store.saveDraft(
                RegistrationDraft(
                    id: "draft-1", browserSession: "browser-a", purpose: .register, twitterUserID: TwitterUserID(5),
                    screenName: "five", credential: TwitterCredential(token: "dt", secret: Secret(Self.secret + "3")),
                    profileJSON: Array("{}".utf8), fields: ["username": "five"], linkUser: nil, createdAt: clock.now,
                    expiresAt: clock.now.addingTimeInterval(3600)))

            // Then the caller that asks gets each secret back
            #expect(try await store.credential(for: twitterID)?.secret == Secret(Self.secret + "1"))
            #expect(
                try await store.pendingAuthorization(requestToken: "rt-1")?.requestTokenSecret
                    == Secret(Self.secret + "2"))
            #expect(try await store.draft(id: "draft-1")?.credential.secret == Secret(Self.secret + "3"))

            // And no file of the database holds it, before or after a checkpoint
            assertNotOnDisk(Self.secret, in: dir)
            try store.close()
            assertNotOnDisk(Self.secret, in: dir)
        }
    }

    /// Rewrap replaces a sealed value only if the row still holds the value it read: a credential another process
    /// refreshed meanwhile (still sealing under the old key) keeps its new secret, to be rewrapped in a later batch.
    /// (Before, rewrap wrote the old secret back beside the new access token.)
    /// A value whose every re-sealing is undone (here a trigger drops the update, as a process still sealing under
    /// the old key would overwrite it) ends the rewrap with an error after a few tries, instead of reading the same
    /// rows for ever; the stuck value is left as it was, under the old key.
    @Test func rewrapGivesUpOnAValueItCanNeverReplace() async throws {
        try await withTemporaryDirectory { dir in
            let old = try SecretKey.generate(id: "k1")
            let store = try makeStore(in: dir, keyRing: try KeyRing(keys: [old]))
            let ann = try await store.createAccount(newAccount("ann"))
            try await store.linkTwitter(
                twitterIdentity("100"), credential: TwitterCredential(token: "t", secret: Secret("s")), to: .id(ann.id))
            try store.close()
            try executeSQL(
                dir + "/accounts.sqlite",
                "CREATE TRIGGER stuck BEFORE UPDATE OF sealed_secret ON twitter_credentials BEGIN SELECT RAISE(IGNORE); END"
            )
            let rotated = try makeStore(in: dir, keyRing: try KeyRing(keys: [try SecretKey.generate(id: "k2"), old]))
            defer { try? rotated.close() }

            var failure: StoreError?
            do {
                _ = try await rotated.rewrapSealedValues(batchSize: 10)
            } catch let error as StoreError {
                failure = error
            }
            guard case .secret(let kind, let reason) = failure else {
                Issue.record("the rewrap ended without the error: \(String(describing: failure))")
                return
            }
            #expect(kind == "credential values (twitter_credentials)", "\(kind)")
            #expect(reason.hasPrefix("1 sealed under an old key changed each time they were re-sealed (3 tries"))
            let counts = try await rotated.sealedValueCounts()
            #expect(counts.contains { $0.keyID == "k1" && $0.credentials == 1 })
            #expect(try await rotated.credential(for: TwitterUserID(100))?.secret == Secret("s"))
        }
    }

    /// `count` accounts `user0`, `user1`, …, each linked to Twitter id `firstTwitterID + i` with the credential `t<i>`
    /// and secret `s<i>`.
    static func linkCredentials(_ count: Int, firstTwitterID: Int, in store: AccountStore) async throws {
        for index in 0..<count {
            let user = try await store.createAccount(newAccount("user\(index)"))
            try await store.linkTwitter(
                twitterIdentity(String(firstTwitterID + index)),
                credential: TwitterCredential(token: "t\(index)", secret: Secret("s\(index)")), to: .id(user.id))
        }
    }

    /// Batches read on from the last row of the batch before (a pass over the table is linear: at 300,000 credentials
    /// the rewrap took 8.8 s, against 18.6 s when each batch scanned from the start), and a pass that reaches the end
    /// starts another for what is left: here 25 credentials in batches of 10, one of them stuck, the 24 others moved.
    @Test func rewrapMovesEveryValueItCanInPassesOfBatchesAndGivesUpOnTheStuckOne() async throws {
        try await withTemporaryDirectory { dir in
            let old = try SecretKey.generate(id: "k1")
            let store = try makeStore(in: dir, keyRing: try KeyRing(keys: [old]))
            try await Self.linkCredentials(25, firstTwitterID: 100, in: store)
            try store.close()
            try executeSQL(
                dir + "/accounts.sqlite",
                "CREATE TRIGGER stuck BEFORE UPDATE OF sealed_secret ON twitter_credentials WHEN old.access_token = 't13' BEGIN SELECT RAISE(IGNORE); END"
            )
            let rotated = try makeStore(in: dir, keyRing: try KeyRing(keys: [try SecretKey.generate(id: "k2"), old]))
            defer { try? rotated.close() }
            let progress = Locked<[Int]>([])
            await #expect(throws: StoreError.self) {
                try await rotated.rewrapSealedValues(batchSize: 10) { done, _ in progress.withLock { $0.append(done) } }
            }
            let counts = try await rotated.sealedValueCounts()
            #expect(counts.contains { $0.keyID == "k1" && $0.credentials == 1 })
            #expect(counts.contains { $0.keyID == "k2" && $0.credentials == 24 })
            // (three batches over the table, then three passes that find only the stuck one)
            #expect(progress.value == [10, 19, 24, 24, 24, 24])
            for i in 0..<25 {
                #expect(try await rotated.credential(for: TwitterUserID(UInt64(100 + i)))?.secret == Secret("s\(i)"))
            }
        }
    }

    /// A batch size below 1 is 1 (as `reindex` takes it): 0 once moved nothing and ended blaming another process for
    /// the values left under the old key; -1 was SQLite's `LIMIT -1`, every value in one transaction.
    @Test(arguments: [0, -1])
    func rewrapTakesABatchSizeBelowOneAsOne(_ batchSize: Int) async throws {
        try await withTemporaryDirectory { dir in
            let old = try SecretKey.generate(id: "k1")
            let store = try makeStore(in: dir, keyRing: try KeyRing(keys: [old]))
            try await Self.linkCredentials(3, firstTwitterID: 100, in: store)
            try store.close()
            let rotated = try makeStore(in: dir, keyRing: try KeyRing(keys: [try SecretKey.generate(id: "k2"), old]))
            defer { try? rotated.close() }
            let progress = Locked<[Int]>([])
            _ = try await rotated.rewrapSealedValues(batchSize: batchSize) { done, _ in
                progress.withLock { $0.append(done) }
            }
            #expect(try await rotated.sealedValueCounts().allSatisfy { $0.keyID == "k2" })
            #expect(progress.value == [1, 2, 3])
        }
    }

    @Test func rewrapLeavesAValueRewrittenSinceItWasReadAlone() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let ann = try await store.createAccount(newAccount("ann"))
            try await store.linkTwitter(
                twitterIdentity("100"), credential: TwitterCredential(token: "old-token", secret: Secret("old")),
                to: .id(ann.id))
            let queue = try DatabaseQueue(path: dir + "/accounts.sqlite")
            defer { try? queue.close() }
            func row() throws -> (token: String, blob: Data, keyID: String) {
                try queue.read { db in
                    let row = try #require(
                        try Row.fetchOne(db, sql: "SELECT access_token, sealed_secret, key_id FROM twitter_credentials")
                    )
                    return (row[0], row[1], row[2])
                }
            }
            // Given the value rewrap read, then a refresh by another process
            let read = try row()
            _ = try await store.recordTwitterSignIn(
                twitterIdentity("100"), credential: TwitterCredential(token: "new-token", secret: Secret("new")))
            let refreshed = try row()
            #expect(refreshed.blob != read.blob)

            // Then the value read is not written back over the refresh
            #expect(
                try await !store.replaceSealedValue(
                    kind: .credential, rowID: "1", read: read.blob, with: Data([1, 2, 3]), keyID: "k9"))
            let after = try row()
            #expect(after.token == "new-token" && after.blob == refreshed.blob && after.keyID == refreshed.keyID)
            #expect(try await store.credential(for: TwitterUserID(100))?.secret == Secret("new"))
            // And the value that is there is
            #expect(
                try await store.replaceSealedValue(
                    kind: .credential, rowID: "1", read: refreshed.blob, with: Data([1, 2, 3]), keyID: "k9"))
            #expect(try row().keyID == "k9")
        }
    }

    /// The audit trail counts every value a rewrap moved, even when the run stops half way: before, the one event was
    /// written after the last batch, so a run stopped by a bad row (or killed) left batches committed and no event.
    @Test func rewrapRecordsWhatItCommittedEvenWhenItStopsHalfWay() async throws {
        try await withTemporaryDirectory { dir in
            // Given three credentials under keyA, the second one's tag altered
            let keyA = try SecretKey.generate(id: "keyA")
            let keyB = try SecretKey.generate(id: "keyB")
            let before = try makeStore(in: dir, keyRing: try KeyRing(keys: [keyA]))
            try await Self.linkCredentials(3, firstTwitterID: 7_000, in: before)
            try before.close()
            try executeSQL(
                dir + "/accounts.sqlite",
                """
                UPDATE twitter_credentials SET sealed_secret = CAST(
                    substr(sealed_secret, 1, length(sealed_secret) - 1)
                    || CASE WHEN substr(sealed_secret, -1) = X'00' THEN X'01' ELSE X'00' END AS BLOB)
                WHERE identity_id = (SELECT id FROM twitter_identities WHERE twitter_user_id = '7001')
                """)
            let store = try makeStore(in: dir, keyRing: try KeyRing(keys: [keyB, keyA]))
            defer { try? store.close() }
            func rewrapEvents() async throws -> [[String: String]] {
                try await store.recentEvents().filter { $0.kind == .keysRewrapped }.map(\.details)
            }

            // When a rewrap one value a batch stops at the bad row
            await #expect(throws: StoreError.self) { try await store.rewrapSealedValues(batchSize: 1) }

            // Then the batch it committed is in the audit trail
            #expect(try await store.sealedValueCounts().first { $0.keyID == "keyB" }?.credentials == 1)
            #expect(try await rewrapEvents() == [["key_id": "keyB", "values": "1"]])

            // And when the bad row is gone, the next run's value is counted too
            _ = try await store.deleteAccount(.username("user1"))
            #expect(try await store.rewrapSealedValues(batchSize: 1).rewrapped == 1)
            #expect(
                try await rewrapEvents() == [["key_id": "keyB", "values": "1"], ["key_id": "keyB", "values": "1"]])
        }
    }

    /// The audit trail's times follow the order its events were recorded in (README, "Storage"), a rewrap's too: its
    /// `keys_rewrapped` event keeps the place and time of the batch that wrote it, and later batches bring its count up
    /// to date without dating it after the events recorded since (a sign-in, another instance's event), which every
    /// newest-first view of the trail lists above it.
    @Test func aRewrapInBatchesKeepsTheTrailsTimesInTheOrderItsEventsWereRecorded() async throws {
        try await withTemporaryDirectory { dir in
            // Given two credentials under keyA, and a ring whose first key is keyB
            let clock = TestClock()
            let keyA = try SecretKey.generate(id: "keyA")
            let keyB = try SecretKey.generate(id: "keyB")
            let before = try makeStore(in: dir, keyRing: try KeyRing(keys: [keyA]), now: clock.closure)
            try await Self.linkCredentials(2, firstTwitterID: 8_000, in: before)
            try before.close()
            let store = try makeStore(in: dir, keyRing: try KeyRing(keys: [keyB, keyA]), now: clock.closure)
            defer { try? store.close() }
            let path = dir + "/accounts.sqlite"

            // When a rewrap moves one value a batch, and another instance records an event a minute after the first
            // batch, before the second
            _ = try await store.rewrapSealedValues(batchSize: 1) { done, _ in
                guard done == 1 else { return }
                clock.advance(by: 60)
                let micros = Int64(clock.now.timeIntervalSince1970 * 1_000_000)
                try? executeSQL(
                    path,
                    """
                    INSERT INTO account_events (subject, kind, actor, details, occurred_at)
                    VALUES (NULL, 'imported', 'cli', '{}', \(micros))
                    """)
                clock.advance(by: 60)
            }

            // Then, newest first, no event is dated after one listed before it
            let events = try await store.recentEvents(limit: 3)
            #expect(events.map(\.kind) == [.imported, .keysRewrapped, .linked])
            let times = events.map(\.occurredAt)
            #expect(
                times == times.sorted(by: >),
                "\(zip(events.map(\.kind.rawValue), times.map(\.timeIntervalSince1970)).map { "\($0) \($1)" })")
            // And the event counts both values
            #expect(events.first { $0.kind == .keysRewrapped }?.details == ["key_id": "keyB", "values": "2"])
        }
    }

    /// Key ids are told apart by their bytes, as SQLite groups them and as sealed values record them: values under
    /// `"caf\u{E9}"` and under `"cafe\u{301}"` (the same text in another Unicode form) are two counts, and a ring
    /// holding only the second does not count the first as its own. Before, the counts were merged under a `String`
    /// key (one replacing the other), and rewrap took the first for a key of the ring and failed on its first row.
    @Test func keyIDsAreCountedAndCheckedByTheirBytes() async throws {
        try await withTemporaryDirectory { dir in
            // Given one credential sealed under each form of the id
            let composed = try SecretKey.generate(id: "caf\u{E9}")
            let decomposed = try SecretKey.generate(id: "cafe\u{301}")
            for (index, key) in [composed, decomposed].enumerated() {
                let store = try makeStore(in: dir, keyRing: try KeyRing(keys: [key]))
                let user = try await store.createAccount(newAccount("user\(index)"))
                try await store.linkTwitter(
                    twitterIdentity(String(8_000 + index)),
                    credential: TwitterCredential(token: "t\(index)", secret: Secret("s\(index)")), to: .id(user.id))
                try store.close()
            }
            let store = try makeStore(in: dir, keyRing: try KeyRing(keys: [decomposed]))
            defer { try? store.close() }

            // When
            let counts = try await store.sealedValueCounts()

            // Then: two ids, one value each, in byte order ("e" 0x65 before the 0xC3 of "\u{E9}")
            #expect(counts.map { Array($0.keyID.utf8) } == [Array(decomposed.id.utf8), Array(composed.id.utf8)])
            #expect(counts.map(\.credentials) == [1, 1])
            #expect(
                counts[0] != SealedValueCount(keyID: composed.id, credentials: 1, pendingAuthorizations: 0, drafts: 0))

            // And rewrap is refused before anything changes, naming both forms of the id
            // (the dump's bytes: `==` on strings would take one form of an id for the other)
            let before = Array(try databaseDump(dir + "/accounts.sqlite").utf8)
            let error = try await #require(throws: StoreError.self) { try await store.rewrapSealedValues() }
            #expect(
                error.description.contains(
                    #"1 are sealed under key "\#(composed.id)", which is not in the key ring (the ring's key "#
                        + #""cafe\u{301}" looks the same, but the values' key id is "caf\u{E9}": the same text in "#
                        + "another Unicode form"),
                "\(error)")
            #expect(Array(try databaseDump(dir + "/accounts.sqlite").utf8) == before)
        }
    }

    @Test func aSecretCopiedToAnotherRowFailsToOpen() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            for (index, name) in ["ann", "bob"].enumerated() {
                let user = try await store.createAccount(newAccount(name))
                try await store.linkTwitter(
                    twitterIdentity(String(100 + index)),
                    credential: TwitterCredential(token: name, secret: Secret(name + "-secret")),
                    to: .id(user.id))
            }
            // When ann's sealed secret is copied onto bob's row
            let queue = try DatabaseQueue(path: dir + "/accounts.sqlite")
            try await queue.write { db in
                try db.execute(
                    sql: """
                        UPDATE twitter_credentials SET sealed_secret = (SELECT sealed_secret FROM twitter_credentials
                        WHERE identity_id = (SELECT id FROM twitter_identities WHERE twitter_user_id = '100'))
                        WHERE identity_id = (SELECT id FROM twitter_identities WHERE twitter_user_id = '101')
                        """)
            }
            try queue.close()

            // Then opening it fails as an authentication failure, never as ann's secret
            await #expect(
                throws: StoreError.secret(kind: "credential", reason: OpenError.authenticationFailed.description)
            ) {
                try await store.credential(for: TwitterUserID(101))
            }
            #expect(try await store.credential(for: TwitterUserID(100))?.secret == Secret("ann-secret"))
        }
    }

    @Test func withoutAKeyRingSecretsAreRefusedAndNothingIsWritten() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir, keyRing: nil)
            defer { try? store.close() }
            let ann = try await store.createAccount(newAccount("ann"))
            await #expect(throws: StoreError.noKeyRing) {
                try await store.linkTwitter(
                    twitterIdentity("1"), credential: TwitterCredential(token: "t", secret: Secret("s")),
                    to: .id(ann.id))
            }
            #expect(try await store.account(.id(ann.id))?.twitter == nil)
        }
    }

    @Test func pendingAuthorizationsAreCappedSingleUseAndExpire() async throws {
        try await withTemporaryDirectory { dir in
            let clock = TestClock()
            let store = try makeStore(in: dir, now: clock.closure)
            defer { try? store.close() }
            func pending(_ token: String, session: String) -> PendingAuthorization {
                PendingAuthorization(
                    requestToken: token, requestTokenSecret: Secret("secret-" + token), browserSession: session,
                    purpose: .signIn, linkUser: nil, createdAt: clock.now, expiresAt: clock.now.addingTimeInterval(900))
            }
            // A flood of starts from one browser keeps only the newest five
            for index in 0..<12 {
                try await store.savePendingAuthorization(pending("t\(index)", session: "flood"))
                clock.advance(by: 1)
            }
            let live = try await store.livePendingAuthorizations(browserSession: "flood")
            #expect(live.map(\.requestToken) == ["t11", "t10", "t9", "t8", "t7"])

            // A total cap bounds the table across sessions
            for index in 0..<6 {
                try await store.savePendingAuthorization(pending("s\(index)", session: "s\(index)"), totalLimit: 3)
            }
            #expect(try await store.livePendingAuthorizations(browserSession: "flood").isEmpty)
            #expect(try await store.livePendingAuthorizations(browserSession: "s5").count == 1)

            // Single use: of racing consumers exactly one wins
            try await store.savePendingAuthorization(pending("once", session: "b"))
            let wins = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<10 {
                    group.addTask { (try? await store.consumePendingAuthorization(requestToken: "once")) ?? false }
                }
                var wins = 0
                for await won in group where won { wins += 1 }
                return wins
            }
            #expect(wins == 1)
            #expect(try await store.livePendingAuthorizations(browserSession: "b").isEmpty)

            // Expired ones are not live and cannot be consumed; they are purged an hour after they expired (until
            // then a late callback is told it was late), used ones too
            try await store.savePendingAuthorization(pending("late", session: "c"))
            clock.advance(by: 901)
            #expect(try await store.livePendingAuthorizations(browserSession: "c").isEmpty)
            #expect(try await store.consumePendingAuthorization(requestToken: "late") == false)
            #expect(try await store.purgeExpired().pendingAuthorizations == 0)
            #expect(try await store.pendingAuthorization(requestToken: "late") != nil)
            clock.advance(by: 3_600)
            let purged = try await store.purgeExpired()
            #expect(purged.pendingAuthorizations >= 2)
            #expect(try await store.pendingAuthorization(requestToken: "late") == nil)
        }
    }

    @Test func nothingSecretReachesLogsOrDescriptions() async throws {
        try await withTemporaryDirectory { dir in
            // Given a store logging everything at trace level into a buffer
            let lines = Locked<[String]>([])
            let keyRing = makeKeyRing(["logkey"])
            var configuration = StoreConfiguration(path: dir + "/accounts.sqlite")
            configuration.schemaPolicy = .applyPendingMigrations
            configuration.logger = capturingLogger(lines)
            let store = try AccountStore(configuration: configuration, keyRing: keyRing)
            defer { try? store.close() }

            // When a registration-shaped flow runs
            let pending = PendingAuthorization(
                requestToken: "req", requestTokenSecret: Secret(Self.secret + "P"), browserSession: "b",
                purpose: .register,
                linkUser: nil, createdAt: Date(), expiresAt: Date().addingTimeInterval(900))
            try await store.savePendingAuthorization(pending)
            let loaded = try await store.livePendingAuthorizations(browserSession: "b")
            _ = try await store.consumePendingAuthorization(requestToken: "req")
            let user = try await store.createAccount(newAccount("ann", email: "ann@example.org"))
            let credential = TwitterCredential(token: "acc", secret: Secret(Self.secret + "C"))
            let account = try await store.linkTwitter(twitterIdentity("77"), credential: credential, to: .id(user.id))
            let refreshed = try await store.credential(for: TwitterUserID(77))
            var failure = ""
            do {
                try await store.linkTwitter(twitterIdentity("78"), credential: credential, to: .id(user.id))
            } catch {
                failure = "\(error) \(String(reflecting: error))"
            }

            // Then neither the log, nor any description, holds the secrets or the key
            let everything =
                lines.value.joined(separator: "\n") + failure
                + "\(pending) \(String(reflecting: pending)) \(loaded) \(account) \(String(describing: refreshed)) "
                + "\(String(reflecting: refreshed)) \(keyRing) \(String(reflecting: keyRing)) \(store)"
            #expect(!lines.value.isEmpty)
            expectAbsent(Self.secret, named: "the sealed secret", in: everything)
            expectAbsent(Self.base64Needle(Self.secret), named: "the sealed secret in base64", in: everything)
        }
    }
}

/// An account to create carries a password hash: its description and `dump` say whether there is one, never what.
@Test func aNewAccountNeverShowsItsPasswordHash() throws {
    let hash = "scrypt$ln=15$r=8$p=1$SALTSALT$HASHVALUE"
    let account = NewAccount(username: try Username(validating: "ann"), passwordHash: hash)
    var dumped = ""
    dump(account, to: &dumped)
    for text in [String(describing: account), String(reflecting: account), "\(account)", dumped] {
        let showsHash = text.contains("SALTSALT") || text.contains("HASHVALUE")
        #expect(!showsHash, "the password hash is in the account's description or dump")
        #expect(text.contains("ann"))
        #expect(text.contains("<redacted>"))
    }
    #expect(!String(describing: NewAccount(username: try Username(validating: "bo"))).contains("redacted"))
}
