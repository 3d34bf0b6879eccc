import Foundation
import Glibc
import TestSupport
import Testing
import TwitterOAuth

/// Signals a command was started ignoring stay ignored.
struct IgnoredSignalTests {
    /// `accounts sandbox` started with SIGINT ignored (a script's background job, `accounts sandbox &`: the shell has
    /// it ignore SIGINT) is not stopped by a SIGINT, the Ctrl-C meant for the script's foreground command; SIGTERM
    /// still stops it. Until session 58 the commands that stop on Ctrl-C took SIGINT over whatever it was, and the
    /// sandbox ended (exit 0).
    @Test func aSignalTheSandboxWasStartedIgnoringStaysIgnored() async throws {
        // Given the sandbox started by a shell that ignores SIGINT
        let server = try ServerProcess(
            "/bin/sh", ["-c", "trap '' INT; exec \"$0\" sandbox --port 0", accountsExecutable()])
        defer { server.kill() }
        let line = try await server.firstLine()
        let base = try #require(URL(string: String(line.dropLast())))

        // When it gets a SIGINT
        server.send(SIGINT)
        // (no event marks a signal having been ignored: give the sandbox time to stop, as it did)
        try await Task.sleep(for: .seconds(2))

        // Then it still runs and answers
        #expect(server.isRunning, "stderr: \(server.stderrText.value)")
        let answer = try await AsyncHTTPClientTransport.shared.send(
            method: "GET", url: base.appendingPathComponent("oauth/authorize"), headers: [], body: [],
            timeout: .seconds(30), maximumResponseBodySize: 1 << 20)
        #expect(answer.status > 0)
        // And SIGTERM, which it was not started ignoring, stops it as usual, as its ready line said (not Ctrl-C)
        #expect(await server.stop(signal: SIGTERM) == 0)
        let stderr = server.stderrText.value
        #expect(stderr.contains("fake users; SIGTERM stops it"), "stderr: \(stderr)")
    }
}
