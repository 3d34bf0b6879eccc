import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing
import TwitterOAuth

/// README, "handleCallback": a pending authorization is kept an hour past its expiry, so that a late callback is told
/// it was late, and a claim is given back when Twitter could not be reached. `accounts purge` (`purgeExpired`), which
/// README asks to run daily, must keep them as `begin` does.
extension RegistrationFlowTests {
    /// The sandbox over loopback HTTP, running `beforeAccessToken` once, before the first `access_token` request
    /// goes out.
    struct PurgingTransport: HTTPTransport {
        let inner: AsyncHTTPClientTransport
        let store: AccountStore
        let ran = Locked(false)
        func send(
            method: String, url: URL, headers: [HTTPHeader], body: [UInt8], timeout: Duration,
            maximumResponseBodySize: Int
        ) async throws(TwitterError) -> HTTPTransportResponse {
            let first = ran.withLock { ran in
                guard !ran, url.path.hasSuffix("/access_token") else { return false }
                ran = true
                return true
            }
            if first { _ = try? await store.purgeExpired() }
            return try await inner.send(
                method: method, url: url, headers: headers, body: body, timeout: timeout,
                maximumResponseBodySize: maximumResponseBodySize)
        }
    }

    @Test func aLateCallbackAfterAPurgeRestartsAsExpired() async throws {
        try await withFlow { flow throws in
            let url = try await flow.service.begin(purpose: .register, browserSession: "slow-browser")
            let query = try await flow.approve(url, as: Self.yamada)
            flow.clock.advance(by: 15 * 60 + 1)
            // The daily purge runs between the expiry and the late callback
            _ = try await flow.store.purgeExpired()

            let outcome = try await flow.service.handleCallback(query: query, browserSession: "slow-browser")
            #expect(outcome == .restart(.expired))
        }
    }

    @Test func aReplayAfterAPurgeRestartsAsAlreadyUsed() async throws {
        try await withFlow { flow throws in
            let url = try await flow.service.begin(purpose: .register, browserSession: "b")
            let query = try await flow.approve(url, as: Self.zoe)
            guard case .needsDetails = try await flow.service.handleCallback(query: query, browserSession: "b") else {
                Issue.record("the genuine callback failed")
                return
            }
            _ = try await flow.store.purgeExpired()

            #expect(try await flow.service.handleCallback(query: query, browserSession: "b") == .restart(.alreadyUsed))
        }
    }

    /// A purge while the callback's claim waits on Twitter: the claim is given back when Twitter fails, and the
    /// person's retry of the same callback goes through.
    @Test func aPurgeDuringTheAccessTokenExchangeLeavesTheClaimToGiveBack() async throws {
        try await withFlow { flow throws in
            let service = flow.service(through: PurgingTransport(inner: flow.sandbox.transport, store: flow.store))
            let url = try await service.begin(purpose: .register, browserSession: "b")
            let query = try await flow.approve(url, as: Self.zoe)
            try await flow.sandbox.failNext(#"{"endpoint": "access_token", "mode": "server_error", "status": 503}"#)
            await #expect(throws: RegistrationError.twitter(.serverError(status: 503))) {
                try await service.handleCallback(query: query, browserSession: "b")
            }

            let retry = try await service.handleCallback(query: query, browserSession: "b")
            guard case .needsDetails = retry else {
                Issue.record("the retry gave \(retry)")
                return
            }
        }
    }
}
