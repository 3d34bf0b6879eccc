import AccountCrypto
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// README ("Running apps follow the file"): a ring read from a keys file reads it again "at once when it meets a key
/// id it lacks".
extension KeysFileFollowerEdgeTests {
    /// A value under a key the file holds opens, though the ring met another key id it lacks (a stray value under a
    /// key that left the file long ago) a moment before the new key reached the file: that earlier reread found
    /// nothing, and the file has changed since.
    @Test func aKeyAddedJustAfterAnUnrelatedRereadIsSeenByTheNextValueUnderIt() throws {
        // Given an app whose ring read the file with a alone (and does not look again on its own for now)
        replaceKeys("a:\(keyA)\n")
        let ring = try KeyRing.loadFile(path: path, recheckInterval: .seconds(3600))
        let stray = try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": "z:\(keyZ)"])
            .seal(Array("old".utf8), purpose: .twitterCredential, rowKey: "1")
        let rotated = try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": "b:\(keyB),a:\(keyA)"])
        let underB = try rotated.seal(Array("secret-b".utf8), purpose: .twitterCredential, rowKey: "2")

        // When it meets a value under z (no file holds it), then b is put first and it meets a value under b
        #expect(throws: OpenError.unknownKeyID("z")) {
            try ring.open(stray, purpose: .twitterCredential, rowKey: "1")
        }
        replaceKeys("b:\(keyB)\na:\(keyA)\n")

        // Then the value under b opens: the file holds b, and the ring lacks it
        var opened: [UInt8]?
        var failure = ""
        do {
            opened = try ring.open(underB, purpose: .twitterCredential, rowKey: "2")
        } catch {
            failure = "\(error)"
        }
        #expect(opened == Array("secret-b".utf8), "a key in the file was not read for a value under it: \(failure)")
    }
}
