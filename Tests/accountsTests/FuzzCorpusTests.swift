import Foundation
import TestSupport
import Testing

struct FuzzCorpusTests {
    /// Every fuzz target replays its committed seed corpus (and any crash inputs saved beside it) without failing.
    @Test(arguments: [
        "fuzz-callback", "fuzz-twitter-json", "fuzz-oauth-form", "fuzz-sealed", "fuzz-password-hash",
        "fuzz-import-line",
        "fuzz-mailbox", "fuzz-names", "fuzz-text-misc", "fuzz-web", "fuzz-sandbox",
    ])
    func seedCorpusReplaysCleanly(_ target: String) async throws {
        let executable = URL(fileURLWithPath: accountsExecutable()).deletingLastPathComponent().appendingPathComponent(
            target
        ).path
        let corpus = repositoryRoot() + "/Fuzz/Corpus/" + target
        let result = try await runProcess(executable, [corpus])
        #expect(result.status == 0, "\(result.stderr)")
        let count = try FileManager.default.contentsOfDirectory(atPath: corpus).count
        #expect(result.stdout == "replayed \(count) inputs\n")
    }
}
