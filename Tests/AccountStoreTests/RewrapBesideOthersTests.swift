import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import GRDB
import TestSupport
import Testing

/// `rewrapSealedValues` beside another run, and key ids another program stored, on a real SQLite file.
struct RewrapBesideOthersTests {
    /// A batch whose values another rewrap run moved to the same first key between this run's read and its write
    /// (simulated here by a trigger that does exactly that, then drops this run's update) replaced nothing because
    /// there is nothing left to replace: it is not "stuck". Before, three such batches ended the run with an error
    /// saying another process was still sealing under the old key and to stop it, though every value it read was
    /// under the new key. (Two `accounts keys rewrap` processes at once hit this in 4 runs out of 4 at 2,000
    /// credentials, batch size 1: see `twoRewrapsAtOnceBothFinish` in accountsTests.)
    @Test func valuesAnotherRunMovedMeanwhileAreNotTakenForStuckOnes() async throws {
        try await withTemporaryDirectory { dir in
            let old = try SecretKey.generate(id: "k1")
            let new = try SecretKey.generate(id: "k2")
            let store = try makeStore(in: dir, keyRing: try KeyRing(keys: [old]))
            try await SealedSecretsTests.linkCredentials(4, firstTwitterID: 100, in: store)
            try store.close()
            try executeSQL(
                dir + "/accounts.sqlite",
                """
                CREATE TRIGGER other_run BEFORE UPDATE OF sealed_secret ON twitter_credentials
                WHEN old.key_id <> new.key_id BEGIN
                    UPDATE twitter_credentials SET sealed_secret = new.sealed_secret, key_id = new.key_id
                    WHERE identity_id = old.identity_id;
                    SELECT RAISE(IGNORE);
                END
                """)
            let rotated = try makeStore(in: dir, keyRing: try KeyRing(keys: [new, old]))
            defer { try? rotated.close() }

            var failure: StoreError?
            do {
                _ = try await rotated.rewrapSealedValues(batchSize: 1)
            } catch let error as StoreError {
                failure = error
            }
            #expect(failure == nil, "\(String(describing: failure))")
            let counts = try await rotated.sealedValueCounts()
            #expect(counts.map(\.keyID) == ["k2"] && counts.first?.credentials == 4, "\(counts)")
            for index in 0..<4 {
                #expect(
                    try await rotated.credential(for: TwitterUserID(UInt64(100 + index)))?.secret
                        == Secret("s\(index)"))
            }
        }
    }

    /// A key id that another program stored as a BLOB of its UTF-8 bytes (Python's `sqlite3` binds `bytes` so) is the
    /// same key id, by its bytes, as the text the store writes: `sealedValueCounts` must count both. Before, the later
    /// SQLite group (the BLOB one) replaced the count of the earlier, so `keys status` showed 1 credential under `k1`
    /// where 3 are.
    @Test func aKeyIDStoredAsABlobIsCountedWithTheSameIDStoredAsText() async throws {
        try await withTemporaryDirectory { dir in
            let key = try SecretKey.generate(id: "k1")
            let store = try makeStore(in: dir, keyRing: try KeyRing(keys: [key]))
            try await SealedSecretsTests.linkCredentials(3, firstTwitterID: 200, in: store)
            try store.close()
            try executeSQL(
                dir + "/accounts.sqlite",
                "UPDATE twitter_credentials SET key_id = CAST(key_id AS BLOB) WHERE identity_id = (SELECT max(identity_id) FROM twitter_credentials)"
            )
            #expect(
                countQuery(
                    dir + "/accounts.sqlite", "SELECT count(*) FROM twitter_credentials WHERE typeof(key_id) = 'blob'")
                    == 1)
            let reopened = try makeStore(in: dir, keyRing: try KeyRing(keys: [key]))
            defer { try? reopened.close() }

            let counts = try await reopened.sealedValueCounts()

            #expect(
                counts == [SealedValueCount(keyID: "k1", credentials: 3, pendingAuthorizations: 0, drafts: 0)],
                "\(counts)")
        }
    }
}
