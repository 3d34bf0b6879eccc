import Foundation
import TestSupport
import Testing
import TwitterOAuth
import TwitterSandbox

/// `POST /_sandbox/fail-next` makes the next call of an endpoint fail; the client reports each failure typed.
struct SandboxFailureInjectionTests {
    static let zoe: UInt64 = 1_234_567_890_123_456_789

    @Test func rateLimitIsDecodedFromTheHeaders() async throws {
        try await SandboxHarness.run { sandbox in
            // Given
            let queued = try await sandbox.failNext(
                #"{"endpoint": "request_token", "mode": "rate_limit", "#
                    + #""limit": 75, "remaining": 0, "reset": 1700000900}"#
            )
            // When
            let error = await #expect(throws: TwitterError.self) {
                try await sandbox.client().requestToken(callback: SandboxHarness.callback)
            }
            // Then
            #expect(queued == 200)
            #expect(
                error
                    == .rateLimited(
                        RateLimit(limit: 75, remaining: 0, reset: Date(timeIntervalSince1970: 1_700_000_900))
                    )
            )
            // and only the next call failed
            _ = try await sandbox.client().requestToken(callback: SandboxHarness.callback)
        }
    }

    @Test func serverErrorIsTyped() async throws {
        try await SandboxHarness.run { sandbox in
            try await sandbox.failNext(#"{"endpoint": "/oauth/access_token", "mode": "server_error"}"#)
            try await sandbox.failNext(#"{"endpoint": "verify_credentials", "mode": "server_error", "status": 503}"#)
            let client = sandbox.client()
            await #expect(throws: TwitterError.serverError(status: 500)) {
                try await sandbox.signIn(as: Self.zoe, client: client)
            }
            await #expect(throws: TwitterError.serverError(status: 503)) {
                try await client.verifyCredentials(
                    accessToken: AccessToken(token: "t", secret: "s", userID: 1, screenName: "")
                )
            }
        }
    }

    @Test func slowAnswerTimesOut() async throws {
        try await SandboxHarness.run { sandbox in
            // Given: the sandbox waits 3 s; the client allows 300 ms
            try await sandbox.failNext(#"{"endpoint": "request_token", "mode": "slow", "delay_ms": 3000}"#)
            let client = sandbox.client(timeout: .milliseconds(300))
            // When / Then: the typed time-out, not the answer the sandbox sends after 3 s (no wall-clock assertion:
            // the suite shares two cores with the soak, and speed belongs to benchmarks)
            await #expect(throws: TwitterError.timedOut) {
                try await client.requestToken(callback: SandboxHarness.callback)
            }
        }
    }

    @Test func malformedJSONIsTyped() async throws {
        try await SandboxHarness.run { sandbox in
            let client = sandbox.client()
            let accessToken = try await sandbox.signIn(as: Self.zoe, client: client)
            try await sandbox.failNext(#"{"endpoint": "verify_credentials", "mode": "malformed_json"}"#)
            await #expect(
                throws: TwitterError.malformedResponse(
                    "verify_credentials: the body is not valid JSON (malformed or truncated)"
                )
            ) {
                try await client.verifyCredentials(accessToken: accessToken)
            }
        }
    }

    @Test func truncatedFormBodyIsTyped() async throws {
        try await SandboxHarness.run { sandbox in
            try await sandbox.failNext("{\"endpoint\": \"request_token\", \"mode\": \"malformed_json\"}")
            let error = await #expect(throws: TwitterError.self) {
                try await sandbox.client().requestToken(callback: SandboxHarness.callback)
            }
            #expect(
                error
                    == .malformedResponse(
                        "request_token: the body lacks oauth_token_secret (truncated or not an OAuth answer)"
                    )
            )
        }
    }

    @Test(arguments: [false, true])
    func oversizedBodyIsRefused(chunked: Bool) async throws {
        try await SandboxHarness.run { sandbox in
            try await sandbox.failNext(
                #"{"endpoint": "request_token", "mode": "oversized", "size": 3145728, "chunked": \#(chunked)}"#
            )
            await #expect(throws: TwitterError.responseTooLarge(limit: 1_048_576)) {
                try await sandbox.client().requestToken(callback: SandboxHarness.callback)
            }
            // the connection problem stays with that call
            _ = try await sandbox.client().requestToken(callback: SandboxHarness.callback)
        }
    }

    @Test func theSizeCapIsConfigurable() async throws {
        try await SandboxHarness.run { sandbox in
            let accessToken = try await sandbox.signIn(as: Self.zoe, client: sandbox.client())
            await #expect(throws: TwitterError.responseTooLarge(limit: 100)) {
                try await sandbox.client(maximumResponseBodySize: 100).verifyCredentials(accessToken: accessToken)
            }
        }
    }

    @Test(arguments: [
        #"{"mode": "slow"}"#,
        #"{"endpoint": "statuses/update", "mode": "slow"}"#,
        #"{"endpoint": "request_token", "mode": "explode"}"#,
        #"{"endpoint": "request_token", "mode": "server_error", "status": 404}"#,
        "not json",
    ])
    func refusesBadControlRequests(json: String) async throws {
        try await SandboxHarness.run { sandbox in
            let status = try await sandbox.failNext(json)
            #expect(status == 400)
        }
    }

    enum WebPagePost: String, CaseIterable, Sendable {
        case form, textPlain, jsonFromAnotherOrigin, noContentType
    }

    /// What a web page open in the developer's browser could send to the loopback port without a CORS preflight
    /// (a form, `text/plain`), or with an `Origin` naming it: refused, and nothing is queued.
    @Test(arguments: WebPagePost.allCases)
    func refusesControlRequestsAWebPageCouldSend(_ post: WebPagePost) async throws {
        try await SandboxHarness.run { sandbox in
            let json = #"{"endpoint": "request_token", "mode": "server_error", "status": 502}"#
            let (contentType, body, origin): (String?, String, String?) =
                switch post {
                case .form: ("application/x-www-form-urlencoded", "endpoint=request_token&mode=server_error", nil)
                case .textPlain: ("text/plain", json, nil)
                case .jsonFromAnotherOrigin: ("application/json", json, "http://evil.example")
                case .noContentType: (nil, json, nil)
                }
            var headers: [HTTPHeader] = []
            if let contentType { headers.append(HTTPHeader(name: "Content-Type", value: contentType)) }
            if let origin { headers.append(HTTPHeader(name: "Origin", value: origin)) }
            let response = try await sandbox.transport.send(
                method: "POST", url: sandbox.baseURL.appending(path: "_sandbox/fail-next"), headers: headers,
                body: Array(body.utf8), timeout: SandboxHarness.answerTimeout, maximumResponseBodySize: 1 << 20)
            #expect(response.status == (post == .jsonFromAnotherOrigin ? 403 : 415))
            let text = String(decoding: response.body, as: UTF8.self)
            #expect(text.contains(post == .jsonFromAnotherOrigin ? "Origin header" : "Content-Type: application/json"))
            // Nothing was queued: the next call answers normally
            _ = try await sandbox.client().requestToken(callback: SandboxHarness.callback)
        }
    }

    @Test func acceptsJSONWithACharset() async throws {
        try await SandboxHarness.run { sandbox in
            let response = try await sandbox.transport.send(
                method: "POST",
                url: sandbox.baseURL.appending(path: "_sandbox/fail-next"),
                headers: [HTTPHeader(name: "Content-Type", value: "Application/JSON; charset=utf-8")],
                body: Array(#"{"endpoint": "request_token", "mode": "server_error", "status": 502}"#.utf8),
                timeout: SandboxHarness.answerTimeout,
                maximumResponseBodySize: 1 << 20
            )
            #expect(response.status == 200)
            await #expect(throws: TwitterError.serverError(status: 502)) {
                try await sandbox.client().requestToken(callback: SandboxHarness.callback)
            }
        }
    }
}
