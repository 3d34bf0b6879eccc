import AccountCrypto
import Foundation
import Testing

/// A ring read from a keys file follows the file while the process runs: a rotation made meanwhile (the new key's
/// line first, then `accounts keys rewrap` in another process) leaves it opening what the rewrap moved, and sealing
/// under the new key.
final class KeysFileFollowingTests {
    let keyA = Base64.encode(SecureRandom.bytes(count: 32))
    let keyB = Base64.encode(SecureRandom.bytes(count: 32))
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("keysfile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Replaces the keys file with `text` (a new file renamed over it, as editors and deploy tools do when `inPlace`
    /// is false; else written over in place).
    func writeKeys(_ text: String, inPlace: Bool = false) throws -> String {
        let path = directory.appendingPathComponent("keys").path
        if inPlace, FileManager.default.fileExists(atPath: path) {
            let handle = try #require(FileHandle(forUpdatingAtPath: path))
            try handle.truncate(atOffset: 0)
            try handle.write(contentsOf: Data(text.utf8))
            try handle.close()
            return path
        }
        let temporary = path + ".new"
        try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: temporary)
        #expect(rename(temporary, path) == 0)
        return path
    }

    @Test(arguments: [false, true])
    func aRotationMadeWhileTheRingIsInUseIsFollowed(inPlace: Bool) async throws {
        let path = try writeKeys("a:\(keyA)\n")
        let ring = try KeyRing.load(keysFile: path, environment: [:])
        let sealedUnderA = try ring.seal(Array("secret-a".utf8), purpose: .twitterCredential, rowKey: "1")
        // Another process, its ring already rotated, seals under b
        let rotated = try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": "b:\(keyB),a:\(keyA)"])
        let sealedUnderB = try rotated.seal(Array("secret-b".utf8), purpose: .twitterCredential, rowKey: "2")
        // Before the file has b, the value does not open
        #expect(throws: OpenError.unknownKeyID("b")) {
            try ring.open(sealedUnderB, purpose: .twitterCredential, rowKey: "2")
        }

        // When the file gets b first, a moment later
        _ = try writeKeys("b:\(keyB)\na:\(keyA)\n", inPlace: inPlace)
        try await Task.sleep(for: .milliseconds(1_100))

        // Then the ring opens values under b at once, and old ones under a
        #expect(try ring.open(sealedUnderB, purpose: .twitterCredential, rowKey: "2") == Array("secret-b".utf8))
        #expect(try ring.open(sealedUnderA, purpose: .twitterCredential, rowKey: "1") == Array("secret-a".utf8))
        // and, once it has looked at the file again (every 2 s at most), seals under b
        try await Task.sleep(for: .milliseconds(2_100))
        #expect(ring.sealingKeyID == "b")
        #expect(ring.keyIDs == ["b", "a"])
        let sealed = try ring.seal(Array("new".utf8), purpose: .twitterCredential, rowKey: "3")
        #expect(KeyRing.keyID(ofSealed: sealed) == "b")
        #expect(ring.needsRewrap(sealedUnderA) && !ring.needsRewrap(sealed))
    }

    /// A file changed into something that does not read as a ring (half written, a stray line) is not taken: the
    /// keys read last stay in use.
    @Test func aFileThatNoLongerReadsAsARingLeavesTheKeysReadLast() async throws {
        let path = try writeKeys("a:\(keyA)\n")
        let ring = try KeyRing.load(keysFile: path, environment: [:])
        _ = try writeKeys("b:not base64 at all\na:\(keyA)\n")
        try await Task.sleep(for: .milliseconds(2_100))
        #expect(ring.sealingKeyID == "a")
        let sealed = try ring.seal(Array("x".utf8), purpose: .registrationDraft, rowKey: "d")
        #expect(try ring.open(sealed, purpose: .registrationDraft, rowKey: "d") == Array("x".utf8))
        // And a later good version is taken
        _ = try writeKeys("b:\(keyB)\na:\(keyA)\n")
        try await Task.sleep(for: .milliseconds(2_100))
        #expect(ring.sealingKeyID == "b")
    }

    /// Keys given in `ACCOUNTS_KEYS` are read once: the variable cannot change under a running process.
    @Test func keysFromTheEnvironmentStayAsGiven() throws {
        let ring = try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": "a:\(keyA)"])
        #expect(ring.keyIDs == ["a"])
        #expect(String(describing: ring) == "KeyRing(keyIDs: [\"a\"])")
    }
}
