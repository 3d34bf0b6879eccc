import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing
import TwitterOAuth
import TwitterSandbox

/// The registration flow when Twitter's answers are odd: what they leave in the store and in the logs.
struct HostileTwitterAnswerTests {
    typealias Flow = RegistrationFlowTests

    /// A `verify_credentials` answer in UTF-16 (which Foundation's JSON decoder reads) is kept "byte for byte" as the
    /// identity's profile, and "Download your data" pastes those bytes into its UTF-8 JSON: the download is not JSON.
    /// Whatever the fix (refuse the answer, or keep it as UTF-8), the account's data must stay readable.
    @Test func aProfileSentInUTF16DoesNotBreakTheDataDownload() async throws {
        try await Flow().withFlow { flow throws in
            let service = flow.service(
                through: Flow.RewritingTransport(inner: flow.sandbox.transport) { url, response in
                    if url.path.hasSuffix("verify_credentials.json") {
                        response.body = Array(String(decoding: response.body, as: UTF8.self).data(using: .utf16)!)
                    }
                })
            let url = try await service.begin(purpose: .register, browserSession: "zoe")
            let query = try await flow.approve(url, as: Flow.zoe)
            let outcome: CallbackOutcome
            do {
                outcome = try await service.handleCallback(query: query, browserSession: "zoe")
            } catch {
                // Refused as a malformed answer: nothing is stored, nothing to download.
                #expect(try await flow.store.accountCount() == 0)
                return
            }
            guard case .needsDetails(let draft) = outcome else {
                Issue.record("expected a draft, got \(outcome)")
                return
            }
            guard
                case .registered(let account) = try await service.complete(
                    draftID: draft.id, form: RegistrationForm(username: "zoe16", email: "zoe16@example.org"),
                    browserSession: "zoe")
            else {
                Issue.record("Zoë did not register")
                return
            }
            let overview = try #require(try await flow.store.accountOverview(.id(account.id), eventLimit: 100))
            let download = overview.json(eventsKey: "events", includingProfile: true)
            let parsed = try? JSONSerialization.jsonObject(with: Data(download.utf8))
            let profile = download.range(of: "\"profile\": ").map { download[$0.upperBound...].prefix(12) } ?? ""
            #expect(parsed != nil, "the data download is not JSON; its profile starts \(profile.debugDescription)")
        }
    }

    /// A refused verifier is "logged as a warning, no secret in it" (README): not even when Twitter's error message
    /// repeats the verifier it was sent.
    @Test func aVerifierEchoedInTwittersRefusalIsNotLogged() async throws {
        try await Flow().withFlow { flow throws in
            let lines = Locked<[String]>([])
            let sent = Locked<String>("")
            let transport = Flow.RewritingTransport(inner: flow.sandbox.transport) { url, response in
                if url.path.hasSuffix("/oauth/access_token") && response.status == 401 {
                    let verifier = sent.withLock { $0 }
                    response.body = Array(
                        #"{"errors":[{"code":89,"message":"Invalid oauth_verifier \#(verifier)"}]}"#.utf8)
                }
            }
            let service = RegistrationService(
                store: flow.store,
                twitter: TwitterClient(
                    consumer: flow.sandbox.consumer, baseURL: flow.sandbox.baseURL, transport: transport),
                configuration: RegistrationService.Configuration(callbackURL: SandboxHarness.callback),
                logger: capturingLogger(lines))
            let url = try await service.begin(purpose: .register, browserSession: "b")
            var query = try await flow.approve(url, as: Flow.zoe)
            let verifier = String(try #require(query["oauth_verifier"]).reversed())
            query["oauth_verifier"] = verifier
            sent.withLock { $0 = verifier }
            #expect(try await service.handleCallback(query: query, browserSession: "b") == .restart(.refusedByTwitter))
            let logged = lines.withLock { $0 }
            #expect(logged.contains { $0.contains("refused the callback's verifier") })
            #expect(!logged.contains { $0.contains(verifier) }, "the verifier is in a log line")
        }
    }
}
