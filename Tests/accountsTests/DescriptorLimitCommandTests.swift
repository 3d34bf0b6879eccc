import Foundation
import TestSupport
import Testing

/// `accounts sandbox` and `accounts demo` run with few file descriptors (`ulimit -n 64`) and flooded with more
/// connections than that (one at a time: each floods a server with 150 clients).
@Suite(.serialized) struct DescriptorLimitCommandTests {
    /// `accounts sandbox` under `ulimit -n 64`, flooded for 8 s by 150 clients asking for pages without pause, keeps
    /// running (it holds fewer connections than its descriptors allow, so nothing else it does runs out of them),
    /// and answers a new client within 10 s of their going.
    @Test func theSandboxOutlivesAFloodAtItsDescriptorLimit() async throws {
        // Given the sandbox with 64 descriptors
        let server = try ServerProcess(
            "/bin/sh", ["-c", "ulimit -n 64 && exec \"$0\" sandbox --port 0", accountsExecutable()],
            environment: Self.noBacktrace)
        defer { server.kill() }
        let port = try #require(URL(string: try await server.firstLine())?.port)

        try await expectOutlivesAFlood(
            server, port: port, request: "GET /oauth/authorize?oauth_token=x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    }

    /// `accounts demo` under `ulimit -n 64` (its app and its sandbox in one process, over a database), flooded for
    /// 8 s by 150 clients asking for its front page without pause, keeps running and answers a new client within
    /// 10 s of their going.
    @Test func theDemoOutlivesAFloodAtItsDescriptorLimit() async throws {
        try await withTemporaryDirectory { dir in
            // Given the demo with 64 descriptors
            let server = try ServerProcess(
                "/bin/sh",
                [
                    "-c", "ulimit -n 64 && exec \"$0\" demo --port 0 --database \"$1\"", accountsExecutable(),
                    dir + "/demo.sqlite",
                ],
                environment: Self.noBacktrace)
            defer { server.kill() }
            let port = try #require(URL(string: try await server.firstLine())?.port)

            try await expectOutlivesAFlood(server, port: port, request: "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        }
    }

    /// A process that traps ends at once, rather than running on while the runtime writes its backtrace.
    private static let noBacktrace = ["SWIFT_BACKTRACE": "enable=no"]

    private func expectOutlivesAFlood(_ server: ServerProcess, port: Int, request: String) async throws {
        // When 150 clients connect at once and keep asking, for 8 s
        let answers = await onOwnThread {
            SlowClient.flood(port: port, clients: 150, request: request, for: .seconds(8))
        }

        // Then the server answered them, still runs, and answers a new client soon after they have gone
        #expect(answers > 0)
        let running = server.isRunning
        #expect(running, "it ended during the flood")
        if running {
            let answered = await onOwnThread {
                SlowClient.firstAnswer(port: port, request: request, within: .seconds(10))
            }
            #expect(answered != nil, "no answer to a new client within 10 s of the flood")
        }
        #expect(await server.stop() == 0)
    }
}
