import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import GRDB
import TestSupport
import Testing

/// A store whose key ring follows a keys file (``KeyRing/load(keysFile:environment:)``) while the file changes: what
/// it records beside each sealed value (`key_id`, which `keys status` counts and `keys rewrap` selects by) must be the
/// key that sealed it.
struct FollowedKeyRingStoreTests {
    /// Writes `text` to `path` as deploy tools do: a new file of mode 0600 renamed over the old one.
    static func replaceKeysFile(_ path: String, with text: String) {
        let temporary = path + ".new"
        _ = FileManager.default.createFile(
            atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        _ = rename(temporary, path)
    }

    /// The key id recorded in `key_id` beside each credential, and the key id in its sealed value's header.
    static func credentialKeyIDs(_ databasePath: String) throws -> [(column: String, header: String?)] {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: databasePath, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT key_id, sealed_secret FROM twitter_credentials").map { row in
                let blob: Data = row["sealed_secret"]
                return (row["key_id"] as String, KeyRing.keyID(ofSealed: Array(blob)))
            }
        }
    }

    /// A value is sealed under the ring's first key as it is when `seal` runs, but its `key_id` was taken from a
    /// second look at the ring (`AccountStore.seal`: `keyRing.seal(…)`, then `keyRing.sealingKeyID`): when the keys
    /// file changes between the two, a value sealed under the old key is recorded as under the new one. `keys rewrap`
    /// then passes over it (it selects rows by `key_id`) and `keys status` counts it under the new key, so an
    /// operator who retires the old key after a "complete" rotation can no longer open it.
    ///
    /// The ring here checks the file on every use (interval 0) so that the window is met in a short run; with the
    /// default 2 s the same window is met, only less often.
    @Test func theKeyIDRecordedBesideASealedValueIsTheKeyThatSealedIt() async throws {
        try await withTemporaryDirectory { dir in
            let keyA = Base64.encode(SecureRandom.bytes(count: 32))
            let keyB = Base64.encode(SecureRandom.bytes(count: 32))
            let keysPath = dir + "/keys"
            let aFirst = "a:\(keyA)\nb:\(keyB)\n"
            let bFirst = "b:\(keyB)\na:\(keyA)\n"
            Self.replaceKeysFile(keysPath, with: aFirst)
            let ring = try KeyRing.loadFile(path: keysPath, recheckInterval: .zero)
            let store = try makeStore(in: dir, keyRing: ring)
            defer { try? store.close() }

            // Given another hand changing which key comes first while credentials are stored
            let stop = Locked(false)
            let stopped = Locked(false)
            Thread.detachNewThread {
                var flip = false
                while !stop.value {
                    Self.replaceKeysFile(keysPath, with: flip ? aFirst : bFirst)
                    flip.toggle()
                }
                stopped.withLock { $0 = true }
            }
            try await SealedSecretsTests.linkCredentials(300, firstTwitterID: 1_000, in: store)
            stop.withLock { $0 = true }
            while !stopped.value { try await Task.sleep(for: .milliseconds(5)) }

            // Then each credential's key_id is the key in its sealed value's header
            let ids = try Self.credentialKeyIDs(dir + "/accounts.sqlite")
            #expect(ids.count == 300)
            let mismatched = ids.filter { $0.header != $0.column }
            #expect(
                mismatched.isEmpty,
                "\(mismatched.count) of \(ids.count) credentials have a key_id other than the key that sealed them")

            // And once the rotation to b is done (b first, then rewrap), no value is left under a
            Self.replaceKeysFile(keysPath, with: bFirst)
            _ = try await store.rewrapSealedValues(batchSize: 100)
            let counts = try await store.sealedValueCounts()
            #expect(
                counts.allSatisfy { $0.keyID == "b" },
                "keys status: \(counts.map(\.keyID))")  // lint: no secret (key ids, not keys)
            let underA = try Self.credentialKeyIDs(dir + "/accounts.sqlite").filter { $0.header == "a" }
            #expect(
                underA.isEmpty,
                "\(underA.count) credentials are still sealed under a after the rewrap, which keys status does not show"
            )
        }
    }

    /// `keys rewrap` records the key it set out to move values to (`target`, the first key when it started) beside
    /// each value it re-seals, but seals with the ring as it is at that moment: when the keys file gets a new first
    /// key while the rewrap runs (its own ring follows the file too), the later batches are sealed under the new key
    /// and recorded as under the old target, so `keys status` and the next rewrap go by a `key_id` that is not the
    /// key in the value.
    @Test func aRewrapDuringWhichTheKeysFileGetsANewFirstKeyRecordsTheKeyThatSealed() async throws {
        try await withTemporaryDirectory { dir in
            let keyA = Base64.encode(SecureRandom.bytes(count: 32))
            let keyB = Base64.encode(SecureRandom.bytes(count: 32))
            let keyC = Base64.encode(SecureRandom.bytes(count: 32))
            let keysPath = dir + "/keys"
            Self.replaceKeysFile(keysPath, with: "a:\(keyA)\n")
            let before = try makeStore(in: dir, keyRing: try KeyRing.loadFile(path: keysPath))
            try await SealedSecretsTests.linkCredentials(30, firstTwitterID: 1_000, in: before)
            try before.close()

            // Given a rewrap to b, and c put first in the file after its first batch
            Self.replaceKeysFile(keysPath, with: "b:\(keyB)\na:\(keyA)\n")
            let store = try makeStore(in: dir, keyRing: try KeyRing.loadFile(path: keysPath, recheckInterval: .zero))
            defer { try? store.close() }
            _ = try await store.rewrapSealedValues(batchSize: 10) { done, _ in
                if done == 10 { Self.replaceKeysFile(keysPath, with: "c:\(keyC)\nb:\(keyB)\na:\(keyA)\n") }
            }

            // Then each credential's key_id is the key in its sealed value's header
            let mismatched = try Self.credentialKeyIDs(dir + "/accounts.sqlite").filter { $0.header != $0.column }
            let first = mismatched.first.map { "key_id \($0.column), sealed under \($0.header ?? "?")" } ?? ""
            #expect(mismatched.isEmpty, "\(mismatched.count) credentials' key_id is not their sealing key (\(first))")
        }
    }
}
