import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// A keys file changed under a running store is logged through the store's logger, once for each version of the
/// file: at info when its keys are taken (their ids, the sealing key first), as a warning naming the file and what is
/// wrong when it is not (the keys read before stay); never a key.
struct KeysFileLogTests {
    /// Seals one Twitter credential (for a new account `name`), which checks the keys file.
    static func sealOne(_ name: String, twitterID: Int, in store: AccountStore) async throws {
        let user = try await store.createAccount(newAccount(name))
        try await store.linkTwitter(
            twitterIdentity(String(twitterID)), credential: TwitterCredential(token: "t", secret: Secret("s")),
            to: .id(user.id))
    }

    /// `lines` with each of `keys` replaced by `<key>`, in that order (a whole key before its prefix).
    static func hiding(_ keys: [String], in lines: [String]) -> [String] {
        lines.map { line in keys.reduce(line) { $0.replacingOccurrences(of: $1, with: "<key>") } }
    }

    @Test func aKeysFileChangedUnderARunningStoreIsOneLineTakenOrNot() async throws {
        try await withTemporaryDirectory { dir in
            let keyA = Base64.encode(SecureRandom.bytes(count: 32))
            let keyB = Base64.encode(SecureRandom.bytes(count: 32))
            let regeneratedA = Base64.encode(SecureRandom.bytes(count: 32))
            let keysPath = dir + "/keys"
            FollowedKeyRingStoreTests.replaceKeysFile(keysPath, with: "a:\(keyA)\n")
            let lines = Locked<[String]>([])
            var configuration = StoreConfiguration(path: dir + "/accounts.sqlite")
            configuration.schemaPolicy = .applyPendingMigrations
            configuration.logger = capturingLogger(lines)
            let store = try AccountStore(
                configuration: configuration, keyRing: try KeyRing.loadFile(path: keysPath, recheckInterval: .zero))
            defer { try? store.close() }
            // (keys as a failure may show them: a key logged by mistake shows as <key>; the log is searched below)
            let fileLines = {
                Self.hiding(
                    [keyA, keyB, regeneratedA, String(keyA.prefix(20))],
                    in: lines.value.filter { $0.contains("keys file") })
            }
            try await Self.sealOne("before", twitterID: 1, in: store)
            #expect(fileLines().isEmpty, "\(fileLines())")

            // When a rotation puts a new sealing key first, and values are sealed
            FollowedKeyRingStoreTests.replaceKeysFile(keysPath, with: "b:\(keyB)\na:\(keyA)\n")
            try await Self.sealOne("rotated1", twitterID: 2, in: store)
            try await Self.sealOne("rotated2", twitterID: 3, in: store)
            // Then one info line names the keys now held, the sealing key first
            #expect(fileLines().count == 1, "\(fileLines())")
            #expect(fileLines().allSatisfy { $0.hasPrefix("info ") && $0.contains("b,a") }, "\(fileLines())")

            // When the file is replaced by one that does not read as a keys file (half written)
            FollowedKeyRingStoreTests.replaceKeysFile(keysPath, with: "b:\(keyB)\na:\(keyA.prefix(20))")
            try await Self.sealOne("broken1", twitterID: 4, in: store)
            try await Self.sealOne("broken2", twitterID: 5, in: store)
            // Then one warning names the file and its line at fault
            var refused = fileLines().dropFirst()
            #expect(refused.count == 1, "\(refused)")
            #expect(
                refused.allSatisfy { $0.hasPrefix("warning ") && $0.contains(keysPath) && $0.contains("line 2") },
                "\(refused)")

            // When the file is replaced by one that gives key a other bytes (regenerated under its old id)
            FollowedKeyRingStoreTests.replaceKeysFile(keysPath, with: "b:\(keyB)\na:\(regeneratedA)\n")
            try await Self.sealOne("regenerated1", twitterID: 6, in: store)
            try await Self.sealOne("regenerated2", twitterID: 7, in: store)
            // Then one warning names the file and the key at fault
            refused = fileLines().dropFirst(2)
            #expect(refused.count == 1, "\(refused)")
            #expect(
                refused.allSatisfy { $0.hasPrefix("warning ") && $0.contains(keysPath) && $0.contains(#"key "a""#) },
                "\(refused)")
            // And the keys read before stay: values are still sealed under b
            let ids = try FollowedKeyRingStoreTests.credentialKeyIDs(dir + "/accounts.sqlite")
            #expect(ids.map(\.column) == ["a", "b", "b", "b", "b", "b", "b"])
            // And no key reaches the log
            let log = lines.value.joined(separator: "\n")
            expectAbsent(keyA, named: "key a", in: log)
            expectAbsent(keyB, named: "key b", in: log)
            expectAbsent(regeneratedA, named: "the regenerated key a", in: log)
        }
    }

    /// Two stores opened on one key ring (an app with two databases) each log a changed keys file, once for each
    /// version of it, whichever store's sealing read it; a store once closed logs nothing more, and the other still
    /// does.
    @Test func everyOpenStoreOnARingLogsAChangedKeysFileAndAClosedOneNoMore() async throws {
        try await withTemporaryDirectory { dir in
            let keyA = Base64.encode(SecureRandom.bytes(count: 32))
            let keyB = Base64.encode(SecureRandom.bytes(count: 32))
            let keyC = Base64.encode(SecureRandom.bytes(count: 32))
            let keysPath = dir + "/keys"
            FollowedKeyRingStoreTests.replaceKeysFile(keysPath, with: "a:\(keyA)\n")
            let ring = try KeyRing.loadFile(path: keysPath, recheckInterval: .zero)
            func open(_ name: String, _ lines: Locked<[String]>) throws -> AccountStore {
                var configuration = StoreConfiguration(path: dir + "/" + name)
                configuration.schemaPolicy = .applyPendingMigrations
                configuration.logger = capturingLogger(lines)
                return try AccountStore(configuration: configuration, keyRing: ring)
            }
            let firstLines = Locked<[String]>([])
            let secondLines = Locked<[String]>([])
            let first = try open("first.sqlite", firstLines)
            let second = try open("second.sqlite", secondLines)
            defer { try? second.close() }
            // (keys as a failure may show them: a key logged by mistake shows as <key>; the log is searched below)
            let fileLines = { (lines: Locked<[String]>) in
                Self.hiding([keyA, keyB, keyC], in: lines.value.filter { $0.contains("keys file") })
            }

            // When a rotation puts a new sealing key first, and both stores seal values
            FollowedKeyRingStoreTests.replaceKeysFile(keysPath, with: "b:\(keyB)\na:\(keyA)\n")
            try await Self.sealOne("rotated1", twitterID: 1, in: first)
            try await Self.sealOne("rotated2", twitterID: 2, in: second)
            try await Self.sealOne("rotated3", twitterID: 3, in: first)
            // Then each store's logger has one line naming the keys now held
            for lines in [firstLines, secondLines] {
                #expect(fileLines(lines).count == 1, "\(fileLines(lines))")
                #expect(
                    fileLines(lines).allSatisfy { $0.hasPrefix("info ") && $0.contains("b,a") }, "\(fileLines(lines))")
            }

            // When the first store is closed and the file changes again
            try first.close()
            FollowedKeyRingStoreTests.replaceKeysFile(keysPath, with: "c:\(keyC)\nb:\(keyB)\na:\(keyA)\n")
            try await Self.sealOne("later", twitterID: 4, in: second)
            // Then only the store still open logs it
            #expect(fileLines(firstLines).count == 1, "\(fileLines(firstLines))")
            #expect(fileLines(secondLines).count == 2, "\(fileLines(secondLines))")
            #expect(fileLines(secondLines).last?.contains("c,b,a") == true, "\(fileLines(secondLines))")
            let log = (firstLines.value + secondLines.value).joined(separator: "\n")
            expectAbsent(keyA, named: "key a", in: log)
            expectAbsent(keyB, named: "key b", in: log)
            expectAbsent(keyC, named: "key c", in: log)
        }
    }
}

extension KeysFileLogTests {
    /// README, "Logging": the `keys file read again` line names the ids, "never a key". An id that may hold key
    /// material (a key typed, unpadded, where its id belongs) is described there, as everywhere else.
    @Test func theLineForAKeysFileReadAgainDoesNotQuoteAnIdThatMayHoldAKey() async throws {
        try await withTemporaryDirectory { dir in
            let keysPath = dir + "/keys"
            let k1 = try SecretKey.generate(id: "k1")
            FollowedKeyRingStoreTests.replaceKeysFile(keysPath, with: k1.unredactedKeysFileLine() + "\n")
            try makeStore(in: dir).close()
            let lines = Locked<[String]>([])
            var configuration = StoreConfiguration(path: dir + "/accounts.sqlite")
            configuration.logger = capturingLogger(lines)
            let ring = try KeyRing.loadFile(path: keysPath, recheckInterval: .zero)
            let store = try AccountStore(configuration: configuration, keyRing: ring)
            defer { try? store.close() }

            // When the file is rewritten with a first key whose id is 43 characters of unpadded base64
            let keyLikeID = String(try SecretKey.generate(id: "x").unredactedKeysFileLine().dropFirst(2).dropLast())
            try #require(keyLikeID.count == 43)
            let k2 = try SecretKey.generate(id: "k2")
            let k2Key = String(k2.unredactedKeysFileLine().dropFirst(3))
            FollowedKeyRingStoreTests.replaceKeysFile(
                keysPath, with: keyLikeID + ":" + k2Key + "\n" + k1.unredactedKeysFileLine() + "\n")
            try await SealedSecretsTests.linkCredentials(1, firstTwitterID: 300, in: store)

            // Then the line is logged, and does not hold the id
            let logged = lines.value
            #expect(logged.contains { $0.contains("keys file read again") && $0.contains("k1") })
            let quoted = logged.contains { $0.contains(keyLikeID) }
            #expect(!quoted, "a log line holds the key-like id")
        }
    }
}
