import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing
import TwitterOAuth

extension RegistrationFlowTests {
    /// A callback whose `access_token` Twitter refuses for the app's set-up (here the clock: 401, code 135, as on a
    /// server whose clock stepped, or another instance behind the balancer with a clock off) is no forged verifier:
    /// it must surface as the set-up problem it is (`isTwitterSetupProblem`), and leave the pending authorization
    /// usable, not restart as `refused_by_twitter`, logged as "Twitter refused the callback's verifier".
    @Test func anAccessTokenRefusedForTheAppsSetUpIsASetupProblemNotAForgedVerifier() async throws {
        try await withFlow { flow throws in
            let service = flow.service(
                through: RewritingTransport(inner: flow.sandbox.transport) { url, response in
                    if url.path.hasSuffix("/oauth/access_token") {
                        response.status = 401
                        response.headers = [HTTPHeader(name: "content-type", value: "application/json")]
                        response.body = Array(#"{"errors":[{"code":135,"message":"Timestamp out of bounds."}]}"#.utf8)
                    }
                })
            let url = try await service.begin(purpose: .register, browserSession: "b")
            let query = try await flow.approve(url, as: Self.zoe)
            var outcome: CallbackOutcome?
            var thrown: RegistrationError?
            do {
                outcome = try await service.handleCallback(query: query, browserSession: "b")
            } catch let error as RegistrationError {
                thrown = error
            }
            // (it was `.restart(.refusedByTwitter)`, nothing thrown, the pending authorization used up)
            #expect(outcome == nil, "\(String(describing: outcome))")
            #expect(thrown?.isTwitterSetupProblem == true)
            if case .twitter(let error) = thrown { #expect(error.apiErrorCode == 135) }
            #expect(
                countQuery(
                    flow.directory + "/accounts.sqlite",
                    "SELECT count(*) FROM pending_authorizations WHERE consumed_at IS NULL") == 1)
        }
    }
}
