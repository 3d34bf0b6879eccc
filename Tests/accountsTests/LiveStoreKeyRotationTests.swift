import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// Key rotation run by the CLI (`accounts keys rewrap`, a process of its own) against a store an app has open.
struct LiveStoreKeyRotationTests {
    /// Writes `keys` to `path` as a keys file (mode 0600), replacing what was there.
    static func writeKeysFile(_ path: String, _ keys: [SecretKey]) {
        unlink(path)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        precondition(descriptor >= 0)
        let text = keys.map { $0.unredactedKeysFileLine() }.joined(separator: "\n") + "\n"
        _ = text.utf8CString.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count - 1) }
        close(descriptor)
    }

    /// "Before going live": one keys file for the app and the CLI (`ACCOUNTS_KEYS_FILE`); rotate by putting a new
    /// key's line first and running `accounts keys rewrap`. Done while the app runs, the app (its ring read from that
    /// file) follows: it still opens a Twitter sign-in under way and a stored token, both moved to the new key by the
    /// rewrap in another process, and seals under the new key from then on.
    @Test func aRewrapInAnotherProcessLeavesTheRunningAppAbleToOpenWhatItStored() async throws {
        try await withTemporaryDirectory { dir in
            let k1 = try SecretKey.generate(id: "k1")
            let k2 = try SecretKey.generate(id: "k2")
            let keysFile = dir + "/keys"
            Self.writeKeysFile(keysFile, [k1])
            var configuration = StoreConfiguration(path: dir + "/accounts.sqlite")
            configuration.schemaPolicy = .applyPendingMigrations
            let app = try AccountStore(
                configuration: configuration, keyRing: try KeyRing.load(keysFile: keysFile, environment: [:]))
            defer { try? app.close() }
            let ann = try await app.createAccount(newAccount("ann"))
            try await app.linkTwitter(
                twitterIdentity("9100"), credential: TwitterCredential(token: "t", secret: Secret("s")),
                to: .id(ann.id))
            // Someone is at Twitter's consent page right now
            try await app.savePendingAuthorization(
                PendingAuthorization(
                    requestToken: "request-token-1", requestTokenSecret: Secret("request-secret"),
                    browserSession: "browser-1", purpose: .signIn, linkUser: nil, createdAt: Date(),
                    expiresAt: Date().addingTimeInterval(600)))

            // The operator rotates: the new key's line first, then a rewrap
            Self.writeKeysFile(keysFile, [k2, k1])
            let rewrap = try await runAccounts(
                ["--database", dir + "/accounts.sqlite", "--keys-file", keysFile, "keys", "rewrap"])
            try #require(rewrap.status == 0, "\(rewrap.stderr)")
            #expect(
                countQuery(dir + "/accounts.sqlite", "SELECT count(*) FROM twitter_credentials WHERE key_id = 'k2'")
                    == 1)

            // The app, still running, opens what it stored
            let pending = try await app.pendingAuthorization(requestToken: "request-token-1")
            #expect(pending?.requestTokenSecret == Secret("request-secret"))
            #expect(try await app.credential(for: TwitterUserID(decimal: "9100")!)?.secret == Secret("s"))
            // and seals under the new key once it has looked at the file again
            try await Task.sleep(for: .seconds(2.1))
            let ben = try await app.createAccount(newAccount("ben"))
            try await app.linkTwitter(
                twitterIdentity("9200"), credential: TwitterCredential(token: "u", secret: Secret("v")),
                to: .id(ben.id))
            #expect(
                countQuery(dir + "/accounts.sqlite", "SELECT count(*) FROM twitter_credentials WHERE key_id = 'k1'")
                    == 0)
        }
    }
}

extension LiveStoreKeyRotationTests {
    /// A rewrap checks, before it changes anything, that every stored value is under a key of its ring, and refuses
    /// with "add that key to the ring … and run again" when one is not. A value sealed meanwhile by another process
    /// under a key this ring lacks (an app instance already given the next ring, while the long rewrap of the last
    /// rotation still runs) is met half way instead: "repair or delete that row" would lose a sound access token (the
    /// person could no longer be signed out at Twitter, nor their token revoked), so it says what the up-front check
    /// says, that the key is not in the ring.
    @Test func aValueSealedMeanwhileUnderAKeyTheRingLacksIsNotCalledARowToDelete() async throws {
        try await withTemporaryDirectory { dir in
            let k1 = try SecretKey.generate(id: "k1")
            let k2 = try SecretKey.generate(id: "k2")
            let k3 = try SecretKey.generate(id: "k3")
            // Two credentials under k1; the same two Twitter users' tokens sealed under k3 in another store, where an
            // app on the next ring wrote them
            try await KeysCommandTests.seedCredentials(2, sealedUnder: k1, in: dir)
            try FileManager.default.createDirectory(atPath: dir + "/next", withIntermediateDirectories: false)
            try await KeysCommandTests.seedCredentials(2, sealedUnder: k3, in: dir + "/next")
            let database = dir + "/accounts.sqlite"
            let sealedUnderK3 = try #require(
                textQuery(
                    dir + "/next/accounts.sqlite",
                    """
                    SELECT hex(sealed_secret) FROM twitter_credentials JOIN twitter_identities ON id = identity_id
                    WHERE twitter_user_id = '1000001'
                    """))
            // The app's write lands as the rewrap's first batch commits (a trigger plays it, at that very moment)
            try executeSQL(
                database,
                """
                CREATE TRIGGER next_ring_app AFTER UPDATE OF key_id ON twitter_credentials
                WHEN NEW.key_id = 'k2' AND (SELECT count(*) FROM twitter_credentials WHERE key_id = 'k2') = 1
                BEGIN
                    UPDATE twitter_credentials SET sealed_secret = X'\(sealedUnderK3)', key_id = 'k3'
                    WHERE identity_id = (SELECT id FROM twitter_identities WHERE twitter_user_id = '1000001');
                END;
                """)

            let rewrap = try await runAccounts(
                ["--database", database, "keys", "rewrap", "--batch-size", "1"],
                environment: ["ACCOUNTS_KEYS": k2.unredactedKeysFileLine() + "," + k1.unredactedKeysFileLine()])
            #expect(rewrap.status == 1)
            #expect(rewrap.stderr.contains("Twitter user 1000001"), "\(rewrap.stderr)")
            #expect(rewrap.stderr.contains("sealed under key \"k3\" while this rewrap ran"), "\(rewrap.stderr)")
            // (both ways out: the key may be the newer one, which this ring would undo, or an older one)
            #expect(
                rewrap.stderr.contains("If that key is newer than this ring's first")
                    && rewrap.stderr.contains("run the rewrap with the ring that has it first, not this one")
                    && rewrap.stderr.contains("If it is older, add it to this ring after the first key"),
                "\(rewrap.stderr)")
            #expect(rewrap.stderr.contains("`accounts keys status` shows which key each value is under now"))
            #expect(!rewrap.stderr.contains("delete that row"), "\(rewrap.stderr)")
        }
    }

    /// A ring older than a rotation that finished (the values under k2, the ring only k1): refused before anything
    /// changes, and the message says not to add k2 after this ring's first key, which would move every value back
    /// under k1 and undo the rotation (until session 64 it said to do just that).
    @Test func aRingOlderThanTheValuesIsToldNotToUndoTheRotation() async throws {
        try await withTemporaryDirectory { dir in
            let k1 = try SecretKey.generate(id: "k1")
            let k2 = try SecretKey.generate(id: "k2")
            try await KeysCommandTests.seedCredentials(2, sealedUnder: k2, in: dir)
            let database = dir + "/accounts.sqlite"
            let before = try databaseDump(database)
            let rewrap = try await runAccounts(
                ["--database", database, "keys", "rewrap"], environment: ["ACCOUNTS_KEYS": k1.unredactedKeysFileLine()])
            #expect(rewrap.status == 1)
            #expect(
                rewrap.stderr.contains(
                    "2 are sealed under key \"k2\", which is not in the key ring. If that key is newer")
                    && rewrap.stderr.contains("run the rewrap with the ring that has it first, not this one"),
                "\(rewrap.stderr)")
            #expect(!rewrap.stderr.contains("after the new first key"))
            #expect(try databaseDump(database) == before)
        }
    }
}
