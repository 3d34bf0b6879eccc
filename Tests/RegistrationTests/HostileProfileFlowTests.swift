import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing
import TwitterOAuth
import TwitterSandbox

/// Odd profiles followed from the callback through the draft to the account.
struct HostileProfileFlowTests {
    typealias Flow = RegistrationFlowTests

    /// A service whose `verify_credentials` answers have `original` replaced by `replacement`.
    static func service(_ flow: Flow.Context, replacing original: String, with replacement: String)
        -> RegistrationService
    {
        flow.service(
            through: Flow.RewritingTransport(inner: flow.sandbox.transport) { url, response in
                if url.path.hasSuffix("verify_credentials.json") {
                    response.body = Array(
                        String(decoding: response.body, as: UTF8.self)
                            .replacingOccurrences(of: original, with: replacement).utf8)
                }
            })
    }

    /// A screen name beginning with NUL (`"\u0000zoe_angstrom"`) makes a draft that completes: the draft keeps the
    /// screen name as every stored name is kept, the NUL dropped (SQLite text read back through GRDB ends at a NUL,
    /// which would leave the draft an empty screen name, refused at every completion until it expired).
    @Test func aScreenNameWithANULMakesADraftThatCompletes() async throws {
        try await Flow().withFlow { flow throws in
            let service = Self.service(
                flow, replacing: #""screen_name":"zoe_angstrom""#, with: #""screen_name":"\u0000zoe_angstrom""#)
            let url = try await service.begin(purpose: .register, browserSession: "zoe")
            let query = try await flow.approve(url, as: Flow.zoe)
            let outcome: CallbackOutcome
            do {
                outcome = try await service.handleCallback(query: query, browserSession: "zoe")
            } catch {
                // (refused at the callback: it must name the field, and leave nothing)
                #expect("\(error)".contains("screen_name"), "\(error)")
                #expect(
                    countQuery(flow.directory + "/accounts.sqlite", "SELECT count(*) FROM registration_drafts") == 0)
                return
            }
            guard case .needsDetails(let draft) = outcome else {
                Issue.record("expected a draft, got \(outcome)")
                return
            }
            // (compared as Swift literals: a NUL in a failure message cuts the test output short)
            #expect(draft.screenName.debugDescription == #""zoe_angstrom""#)
            let completed: CompletionOutcome
            do {
                completed = try await service.complete(
                    draftID: draft.id,
                    form: RegistrationForm(
                        username: "zoe_angstrom", email: "zoe@example.com", firstName: "Zoë", lastName: "Ångström"),
                    browserSession: "zoe")
            } catch {
                Issue.record("the draft cannot be completed: \(error)")
                return
            }
            guard case .registered(let account) = completed else {
                Issue.record("expected a registration, got \(completed)")
                return
            }
            #expect(account.twitter?.screenName.debugDescription == #""zoe_angstrom""#)
        }
    }

    /// The same with a NUL inside the screen name (`zoe\u0000angstrom`): the draft, and the account registered from
    /// it, keep `zoeangstrom`, as a sign-in with the same profile stores it (not `zoe`, cut at the NUL).
    @Test func aScreenNameWithANULInsideIsStoredAsASignInStoresIt() async throws {
        try await Flow().withFlow { flow throws in
            let service = Self.service(
                flow, replacing: #""screen_name":"zoe_angstrom""#, with: #""screen_name":"zoe\u0000angstrom""#)
            let url = try await service.begin(purpose: .register, browserSession: "zoe")
            let query = try await flow.approve(url, as: Flow.zoe)
            guard case .needsDetails(let draft) = try await service.handleCallback(query: query, browserSession: "zoe")
            else {
                Issue.record("expected a draft")
                return
            }
            #expect(draft.screenName.debugDescription == #""zoeangstrom""#)
            guard
                case .registered(let account) = try await service.complete(
                    draftID: draft.id,
                    form: RegistrationForm(
                        username: "zoe_angstrom", email: "zoe@example.com", firstName: "Zoë", lastName: "Ångström"),
                    browserSession: "zoe")
            else {
                Issue.record("expected a registration")
                return
            }
            #expect(account.twitter?.screenName.debugDescription == #""zoeangstrom""#)
        }
    }
}
