import AccountCrypto
import Foundation
import Testing

/// Changes to a followed keys file that must not leave a running process unable to open what it opened before, nor
/// go unseen.
final class KeysFileFollowerEdgeTests {
    let keyA = Base64.encode(SecureRandom.bytes(count: 32))
    let keyB = Base64.encode(SecureRandom.bytes(count: 32))
    let keyC = Base64.encode(SecureRandom.bytes(count: 32))
    let keyZ = Base64.encode(SecureRandom.bytes(count: 32))
    let directory: URL
    var path: String { directory.appendingPathComponent("keys").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("keysfile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A new file of mode 0600 holding `text`, renamed over the keys file at `path` (as deploy tools write it).
    static func replaceKeys(_ text: String, at path: String) {
        let temporary = path + ".new"
        _ = FileManager.default.createFile(
            atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        #expect(rename(temporary, path) == 0)
    }

    /// ``replaceKeys(_:at:)`` over this test's keys file.
    func replaceKeys(_ text: String) {
        Self.replaceKeys(text, at: path)
    }

    /// The keys file truncated and `text` written over it, in place (as `cat new > keys` or an editor saving in place).
    func overwriteKeysInPlace(_ text: String) throws {
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    /// A rotation written in place (`b` first, then `a`) caught half written, its first line done: the text reads as a
    /// ring of `b` alone. The process keeps `a` (after `b`) all the same: a key it holds is never dropped while it
    /// runs (nor when a hand edit drops the old key's line by mistake), so what is sealed under `a` still opens.
    @Test func aRingWrittenHalfWayToItsFirstLineDoesNotDropTheKeysAfterIt() async throws {
        replaceKeys("a:\(keyA)\n")
        let ring = try KeyRing.load(keysFile: path, environment: [:])
        let sealedUnderA = try ring.seal(Array("secret-a".utf8), purpose: .twitterCredential, rowKey: "1")

        // When the rotation to "b:…\na:…\n" is seen with only its first line written
        try overwriteKeysInPlace("b:\(keyB)\n")
        try await Task.sleep(for: .milliseconds(2_100))

        // Then the value sealed under a still opens
        #expect(throws: Never.self) {
            _ = try ring.open(sealedUnderA, purpose: .twitterCredential, rowKey: "1")
        }
        #expect(ring.holdsKey(withID: "a"))
    }
}
