import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing
import TwitterOAuth

/// The edges of writing a key file under a temporary name and of stopping on a signal.
struct CrashConsistencyEdgeTests {
    /// A key file is written under a temporary name beside it and linked to its name: any name the file system takes
    /// is written, up to the longest it allows (255 bytes), the temporary name being short whatever the file's.
    @Test func generateWritesAKeyFileWhoseNameIsCloseToTheLongestAllowed() async throws {
        try await withTemporaryDirectory { dir in
            let name = String(repeating: "k", count: 245) + ".key"
            // (the name itself is one the file system takes)
            let probe = dir + "/" + name
            #expect(FileManager.default.createFile(atPath: probe, contents: Data()))
            try FileManager.default.removeItem(atPath: probe)

            let written = try await runAccounts(["keys", "generate", "--output", probe])
            #expect(written.status == 0, "\(written.stderr)")
            #expect(FileManager.default.fileExists(atPath: probe))
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == [name])
        }
    }
}
