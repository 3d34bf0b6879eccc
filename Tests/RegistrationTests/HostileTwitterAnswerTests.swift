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

    /// A `verify_credentials` answer in UTF-16 (which Foundation's JSON decoder reads) would be kept "byte for byte"
    /// as the identity's profile, and "Download your data" pastes those bytes into its UTF-8 JSON: it is refused.
    @Test func aProfileSentInUTF16IsRefusedAndNothingIsStored() async throws {
        try await Flow().withFlow { flow throws in
            let service = flow.service(
                through: Flow.RewritingTransport(inner: flow.sandbox.transport) { url, response in
                    if url.path.hasSuffix("verify_credentials.json") {
                        response.body = Array(String(decoding: response.body, as: UTF8.self).data(using: .utf16)!)
                    }
                })
            let url = try await service.begin(purpose: .register, browserSession: "zoe")
            let query = try await flow.approve(url, as: Flow.zoe)
            // Refused as a malformed answer, naming why: nothing is stored, so nothing can reach a data download.
            do {
                let outcome = try await service.handleCallback(query: query, browserSession: "zoe")
                Issue.record("a profile sent in UTF-16 was taken: \(outcome)")
            } catch {
                #expect("\(error)".contains("the body is not UTF-8 JSON"), "\(error)")
            }
            #expect(try await flow.store.accountCount() == 0)
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
                    consumer: flow.sandbox.consumer, baseURL: flow.sandbox.baseURL, transport: transport,
                    timeout: SandboxHarness.answerTimeout),
                configuration: RegistrationService.Configuration(callbackURL: SandboxHarness.callback),
                logger: capturingLogger(lines))
            let url = try await service.begin(purpose: .register, browserSession: "b")
            var query = try await flow.approve(url, as: Flow.zoe)
            let verifier = String(try #require(query["oauth_verifier"]).reversed())
            query["oauth_verifier"] = verifier
            sent.withLock { $0 = verifier }
            #expect(try await service.handleCallback(query: query, browserSession: "b") == .restart(.refusedByTwitter))
            let logged = lines.withLock { $0 }
            #expect(logged.contains { $0.hasPrefix("notice Twitter refused the callback's verifier") })
            let leaked = logged.contains { $0.contains(verifier) }
            #expect(!leaked, "the verifier is in a log line")
        }
    }
}
