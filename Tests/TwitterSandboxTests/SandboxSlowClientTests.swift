import Foundation
import TestSupport
import Testing
import TwitterOAuth
import TwitterSandbox

struct SandboxSlowClientTests {
    /// The sandbox closes a connection that sends nothing, one whose headers come a byte at a time, and one whose form
    /// body keeps coming a byte every 100 ms, each after ``SandboxConfiguration/connectionTimeout``.
    @Test func idleAndTricklingConnectionsAreClosedAfterTheTimeout() async throws {
        try await SandboxHarness.run(configuration: Self.configuration(timeout: .seconds(1))) { sandbox in
            // Given three slow clients
            let port = try #require(sandbox.baseURL.port)
            // When they go on for up to 10 s
            let closed = try await SlowClient.trickleThree(
                port: port, every: .milliseconds(100), for: .seconds(10), bodyPath: "/oauth/request_token")
            // Then each is closed after the timeout
            #expect(closed.keys.sorted() == ["body", "headers", "idle"], "closed: \(closed)")
            for (name, after) in closed {
                #expect(after >= .milliseconds(800), "\(name) closed after \(after)")
            }
        }
    }

    /// A client that pipelines requests for the consent page and never reads the answers is closed once they have
    /// waited on it for the timeout; the sandbox answers others meanwhile and after. (The answers back up a few
    /// hundred milliseconds into the test alone, far later while other tests hold the threads the sandbox's handlers
    /// run on: the test waits as long as that takes.)
    @Test func aClientThatNeverReadsItsAnswersIsClosed() async throws {
        try await SandboxHarness.run(configuration: Self.configuration(timeout: .seconds(1))) { sandbox in
            // Given a request token and a client with a small receive window
            let port = try #require(sandbox.baseURL.port)
            let token = try await sandbox.client().requestToken(callback: SandboxHarness.callback).token
            // When it asks for the token's consent page over and over for up to 120 s without reading an answer
            let outcome = try await SlowClient.pipelineWithoutReading(
                port: port, request: "GET /oauth/authorize?oauth_token=\(token) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                for: .seconds(120))
            // Then the sandbox closes the connection
            #expect(outcome.closedAfter != nil, "\(outcome)")
            // And it still answers, on a new connection (403: no such request token). (Not through the harness's
            // transport: the keep-alive connection it holds from the request token may be closing for the 1 s idle
            // timeout just as it is used again.)
            let answer = await onOwnThread { () -> String in
                guard let client = try? SlowClient(port: port),
                    client.send("GET /oauth/authorize HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                else { return "" }
                var received = ""
                let started = ContinuousClock.now
                while !received.contains("\r\n") && ContinuousClock.now - started < .seconds(30) {
                    received += client.receivedText()
                    usleep(5_000)
                }
                return received
            }
            #expect(answer.hasPrefix("HTTP/1.1 403"), "\(answer.prefix(200))")
        }
    }

    private static func configuration(timeout: Duration) -> SandboxConfiguration {
        var configuration = SandboxConfiguration(consumer: SandboxConfiguration.generateConsumerCredentials())
        configuration.connectionTimeout = timeout
        return configuration
    }
}
