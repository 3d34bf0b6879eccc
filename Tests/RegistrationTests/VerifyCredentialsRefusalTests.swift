import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing
import TwitterOAuth

extension RegistrationFlowTests {
    /// A registration begun and approved as Zoë, whose `verify_credentials` Twitter answers with `status` and `body`
    /// (JSON when it starts with `{`): the callback's outcome, or what it threw.
    func callbackWithProfileAnswer(_ flow: Context, status: Int, body: String) async throws -> (
        CallbackOutcome?, RegistrationError?
    ) {
        let service = flow.service(
            through: RewritingTransport(inner: flow.sandbox.transport) { url, response in
                if url.path.hasSuffix("verify_credentials.json") {
                    response.status = status
                    response.headers = [
                        HTTPHeader(name: "content-type", value: body.hasPrefix("{") ? "application/json" : "text/plain")
                    ]
                    response.body = Array(body.utf8)
                }
            })
        let url = try await service.begin(purpose: .register, browserSession: "b")
        let query = try await flow.approve(url, as: Self.zoe)
        do throws(RegistrationError) {
            return (try await service.handleCallback(query: query, browserSession: "b"), nil)
        } catch {
            return (nil, error)
        }
    }

    /// `verify_credentials` refusing the access token Twitter has just issued (401, code 89, as for a token revoked at
    /// once; 403, code 326, as for a locked account) is a refusal, like a refused verifier: the person starts again
    /// (`refused_by_twitter`), not the "Twitter could not be reached, try again in a moment" of an outage, since the
    /// pending authorization is used up and a retry of the callback could only restart as `already_used`.
    @Test(arguments: [(401, 89), (403, 326), (403, 64)])
    func aProfileRefusedForTheNewTokenRestartsAsRefusedByTwitter(status: Int, code: Int) async throws {
        try await withFlow { flow throws in
            let (outcome, thrown) = try await callbackWithProfileAnswer(
                flow, status: status, body: #"{"errors":[{"code":\#(code),"message":"Refused."}]}"#)
            #expect(outcome == .restart(.refusedByTwitter), "thrown: \(String(describing: thrown))")
            let database = flow.directory + "/accounts.sqlite"
            #expect(countQuery(database, "SELECT count(*) FROM users") == 0)
            #expect(countQuery(database, "SELECT count(*) FROM registration_drafts") == 0)
            #expect(
                countQuery(database, "SELECT count(*) FROM pending_authorizations WHERE consumed_at IS NULL") == 0)
        }
    }

    /// Any other 4xx from `verify_credentials` (the app's access level, 453; a 404 from a proxy or a wrong base path)
    /// says nothing against this person's token: it stays Twitter trouble the operator sees, not a restart.
    @Test(arguments: [(403, #"{"errors":[{"code":453,"message":"Access level."}]}"#), (404, "Not Found")])
    func aProfileRefusedForAnotherReasonStaysTwitterTrouble(status: Int, body: String) async throws {
        try await withFlow { flow throws in
            let (outcome, thrown) = try await callbackWithProfileAnswer(flow, status: status, body: body)
            #expect(outcome == nil, "\(String(describing: outcome))")
            guard case .twitter = thrown else {
                Issue.record("expected Twitter trouble, got \(String(describing: thrown))")
                return
            }
        }
    }

    /// A `verify_credentials` refused for the app's set-up (its clock: 401, code 135; its access level, 403, code
    /// 453, X's answer for a v1.1 call outside the app's plan; its permissions, 403, code 87) stays the operator's
    /// problem (`isTwitterSetupProblem`: the "unavailable" page, not "try again in a moment", which no retry cures),
    /// not a restart the person is blamed for. Until session 58 the access level was not one (a retry's page).
    @Test(arguments: [(401, 135), (403, 453), (403, 87)])
    func aProfileRefusedForTheAppsSetUpStaysASetupProblem(status: Int, code: Int) async throws {
        try await withFlow { flow throws in
            let (outcome, thrown) = try await callbackWithProfileAnswer(
                flow, status: status, body: #"{"errors":[{"code":\#(code),"message":"Refused for the app."}]}"#)
            #expect(outcome == nil, "\(String(describing: outcome))")
            #expect(thrown?.isTwitterSetupProblem == true, "\(String(describing: thrown))")
        }
    }
}
