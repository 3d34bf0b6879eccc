import Foundation
import TestSupport
import Testing
import TwitterOAuth

@testable import TwitterSandbox

/// A `slow` failure waits, then answers normally (README), however long the wait: the request is judged as it
/// arrived. The sandbox's clock is a test clock, and the wait moves it by the delay instead of taking it.
struct SandboxSlowAnswerTests {
    static let zoe: UInt64 = 1_234_567_890_123_456_789

    /// A delay past the 300 s timestamp window: the sandbox slept, then checked `oauth_timestamp` against its clock
    /// and answered 401, code 135.
    @Test(arguments: ["request_token", "access_token", "verify_credentials", "invalidate_token"])
    func aSlowAnswerLongerThanTheTimestampWindowIsTheNormalAnswer(endpoint: String) async throws {
        // Given: a sandbox whose `slow` wait moves its clock; a client signing with that clock
        let clock = TestClock()
        var configuration = SandboxConfiguration(consumer: SandboxConfiguration.generateConsumerCredentials())
        configuration.now = clock.closure
        configuration.sleep = { delay in clock.advance(by: TimeInterval(delay.components.seconds)) }
        try await SandboxHarness.run(configuration: configuration) { sandbox in
            let client = sandbox.client(timestamp: { Int64(clock.now.timeIntervalSince1970.rounded(.down)) })
            let slow = #"{"endpoint": "\#(endpoint)", "mode": "slow", "delay_ms": 400000}"#
            let before: Date
            // When / Then: the normal answer
            switch endpoint {
            case "request_token":
                try await sandbox.failNext(slow)
                before = clock.now
                let requestToken = try await client.requestToken(callback: SandboxHarness.callback)
                #expect(!requestToken.token.isEmpty)
            case "access_token":
                let requestToken = try await client.requestToken(callback: SandboxHarness.callback)
                let (callback, _) = try await sandbox.approve(requestToken, as: Self.zoe, client: client)
                guard case .authorized(_, let verifier) = callback else {
                    Issue.record("expected an approval, got \(callback)")
                    return
                }
                try await sandbox.failNext(slow)
                before = clock.now
                #expect(try await client.accessToken(requestToken: requestToken, verifier: verifier).userID == Self.zoe)
            default:
                let accessToken = try await sandbox.signIn(as: Self.zoe, client: client)
                try await sandbox.failNext(slow)
                before = clock.now
                if endpoint == "verify_credentials" {
                    #expect(try await client.verifyCredentials(accessToken: accessToken).id == Self.zoe)
                } else {
                    try await client.invalidateToken(accessToken.token, secret: accessToken.secret)
                }
            }
            // and the sandbox did wait the 400 s, on its clock
            #expect(clock.now.timeIntervalSince(before) >= 400)
        }
    }
}
