import Foundation
import TestSupport
import Testing

/// `accounts sandbox`'s messages for a busy port and a users path that is no file.
struct SandboxCommandMessageTests {
    /// `accounts sandbox --port P` on a busy port says what `accounts demo` says, `cannot listen on 127.0.0.1:P: the
    /// port is in use (…)` (it once printed NIO's `Error: bind(descriptor:ptr:bytes:): Address already in use)`).
    @Test func aPortInUseIsReportedPlainly() async throws {
        let first = try ServerProcess(
            accountsExecutable(), ["sandbox", "--port", "0", "--consumer-key", "k", "--consumer-secret", "s"])
        let port = try #require(URL(string: try await first.firstLine())?.port)
        let second = try await runAccounts(
            ["sandbox", "--port", "\(port)", "--consumer-key", "k", "--consumer-secret", "s"])
        #expect(second.status == 1)
        #expect(second.stderr.contains("cannot listen on 127.0.0.1:\(port): the port is in use"), "\(second.stderr)")
        #expect(!second.stderr.contains("bind(descriptor"), "\(second.stderr)")
        #expect(second.stdout.isEmpty)
        #expect(await first.stop() == 0)
    }

    /// `--users` naming a directory says so (it once said `(NSCocoaErrorDomain error 256.)`).
    @Test func aUsersPathThatIsADirectoryIsNamedAsOne() async throws {
        try await withTemporaryDirectory { dir in
            let result = try await runAccounts(
                ["sandbox", "--port", "0", "--consumer-key", "k", "--consumer-secret", "s", "--users", dir])
            #expect(result.status == 65)
            #expect(
                result.stderr == "accounts: error: invalid sandbox users file: \(dir): a directory, not a users file\n")
            #expect(!result.stderr.contains("NSCocoaErrorDomain"), "\(result.stderr)")
        }
    }

    /// A `--users` file that cannot be read (missing) is an operational failure, exit 1, as an import file that
    /// cannot be opened (it exited 65, the code for contents refused); the demo creates no database for it.
    @Test(arguments: [
        ["sandbox", "--port", "0", "--consumer-key", "k", "--consumer-secret", "s"], ["demo", "--port", "0"],
    ])
    func aUsersFileThatCannotBeReadExitsOne(_ command: [String]) async throws {
        try await withTemporaryDirectory { dir in
            let missing = dir + "/absent.json"
            let result = try await runAccounts(["--database", dir + "/a.sqlite"] + command + ["--users", missing])
            #expect(result.status == 1, "\(result.stderr)")
            #expect(
                result.stderr.hasPrefix("accounts: error: cannot read the sandbox users file \(missing): "),
                "\(result.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
        }
    }
}
