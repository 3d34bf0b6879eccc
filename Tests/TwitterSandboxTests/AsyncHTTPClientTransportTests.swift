import Foundation
import TestSupport
import Testing
import TwitterOAuth
import TwitterSandbox

/// The real transport against the sandbox on loopback: caps, timeouts and connection failures.
struct AsyncHTTPClientTransportTests {
    @Test func refusesAConnectionToAClosedPort() async throws {
        // Given: a port where nothing listens, kept bound so that no server another test starts is given it (until
        // session 60 the port of a sandbox just stopped, which a server starting meanwhile could take)
        let port = try refusedPort()
        // When (limits far above what a refusal takes, which comes back at once on loopback: with 1 s and 2 s, a
        // loaded machine once answered "did not answer in time" first)
        let error = await #expect(throws: TwitterError.self) {
            try await AsyncHTTPClientTransport.withTransport(connectTimeout: .seconds(30)) { transport in
                try await transport.send(
                    method: "GET",
                    url: URL(string: "http://127.0.0.1:\(port)/")!,
                    headers: [],
                    body: [],
                    timeout: .seconds(60),
                    maximumResponseBodySize: 1024
                )
            }
        }
        // Then
        guard case .connectionFailed(let host, _) = error else {
            Issue.record("expected connectionFailed, got \(String(describing: error))")
            return
        }
        #expect(host == "127.0.0.1")
    }

    @Test func returnsStatusHeadersAndBody() async throws {
        try await SandboxHarness.run { sandbox in
            let response = try await sandbox.transport.send(
                method: "GET",
                url: sandbox.baseURL,
                headers: [],
                body: [],
                timeout: SandboxHarness.answerTimeout,
                maximumResponseBodySize: 1 << 20
            )
            #expect(response.status == 200)
            #expect(response.headerValue("Content-Type") == "text/html; charset=utf-8")
            #expect(String(decoding: response.body, as: UTF8.self).contains("Twitter sandbox"))
        }
    }

    @Test func theSharedTransportWorksWithoutShutdown() async throws {
        try await SandboxHarness.run { sandbox in
            let response = try await AsyncHTTPClientTransport.shared.send(
                method: "GET",
                url: sandbox.baseURL,
                headers: [],
                body: [],
                timeout: SandboxHarness.answerTimeout,
                maximumResponseBodySize: 1 << 20
            )
            #expect(response.status == 200)
        }
    }
}
