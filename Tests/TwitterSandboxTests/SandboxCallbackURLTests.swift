import Foundation
import TestSupport
import Testing
import TwitterOAuth
import TwitterSandbox

/// The sandbox holds an app's registered callback URLs as Twitter's developer portal does, and refuses others with
/// Twitter's 403 and error 415, so that an app's handling of that mistake can be tried offline.
struct SandboxCallbackURLTests {
    static let registered = "http://127.0.0.1:9/register/twitter/callback"

    static func configuration(_ urls: [String]) -> SandboxConfiguration {
        var configuration = SandboxConfiguration(consumer: SandboxConfiguration.generateConsumerCredentials())
        configuration.callbackURLs = urls
        return configuration
    }

    @Test(arguments: [
        "http://127.0.0.1:9/register/twitter/callback/",
        "http://127.0.0.1:8/register/twitter/callback",
        "https://127.0.0.1:9/register/twitter/callback",
        "http://localhost:9/register/twitter/callback",
        "http://127.0.0.1:9/register/twitter/Callback",
        "http://evil.example/register/twitter/callback",
    ])
    func refusesAnUnregisteredCallbackWithError415(callback: String) async throws {
        try await SandboxHarness.run(
            configuration: Self.configuration(["https://accounts.example/cb", Self.registered])
        ) { sandbox in
            let error = await #expect(throws: TwitterError.self) {
                try await sandbox.client().requestToken(callback: callback)
            }
            #expect(error == .callbackNotApproved(callback: callback))
            #expect(error.map(String.init(describing:))?.contains(callback) == true)
        }
    }

    /// Twitter's own answer, byte for byte in its shape: 403 and the XML error list.
    @Test func answers403WithTwitterXMLErrorList() async throws {
        try await SandboxHarness.run(configuration: Self.configuration([Self.registered])) { sandbox in
            let transport = RecordingTransport(inner: sandbox.transport)
            let client = TwitterClient(
                consumer: sandbox.consumer, baseURL: sandbox.baseURL, transport: transport,
                timeout: SandboxHarness.answerTimeout)
            _ = try? await client.requestToken(callback: "http://127.0.0.1:9/elsewhere")
            let response = try #require(transport.responses.value.first)
            #expect(response.status == 403)
            let body = String(decoding: response.body, as: UTF8.self)
            #expect(body.hasPrefix(#"<?xml version="1.0" encoding="UTF-8"?><errors><error code="415">"#))
            #expect(body.contains("Callback URL not approved for this client application"))
            #expect(response.headerValue("content-type")?.hasPrefix("application/xml") == true)
        }
    }

    /// A registered URL with a query added is accepted (Twitter's documented way to need fewer than ten), scheme and
    /// host compare without case, and `oob` is always accepted; the whole sign-in then works.
    @Test(arguments: [
        registered, registered + "?step=1&next=%2Faccount", "HTTP://127.0.0.1:9/register/twitter/callback", "oob",
    ])
    func acceptsARegisteredCallback(callback: String) async throws {
        try await SandboxHarness.run(configuration: Self.configuration([Self.registered])) { sandbox in
            let client = sandbox.client()
            let requestToken = try await client.requestToken(callback: callback)
            #expect(!requestToken.token.isEmpty)
            if callback != "oob" {
                let (approval, _) = try await sandbox.approve(
                    requestToken, as: SandboxUser.builtIn[0].id, client: client)
                guard case .authorized(let token, _) = approval else {
                    Issue.record("expected an approval, got \(approval)")
                    return
                }
                #expect(token == requestToken.token)
            }
        }
    }

    /// Cancelling a PIN (`oob`) sign-in answers a page saying so, as approving one shows the PIN: there is no
    /// callback to send the browser to (it was sent to `oob?denied=…`, a page that does not exist).
    @Test func cancellingAPINSignInAnswersAPage() async throws {
        try await SandboxHarness.run(configuration: Self.configuration([])) { sandbox in
            let requestToken = try await sandbox.client().requestToken(callback: "oob")
            let answer = try await sandbox.submitConsent(token: requestToken.token, userID: nil, action: "cancel")
            #expect(answer.status == 200 && answer.headerValue("location") == nil, "\(answer.status)")
            #expect(String(decoding: answer.body, as: UTF8.self).contains("not authorized"))
        }
    }

    /// Approving a PIN (`oob`) sign-in shows the PIN as Twitter does, seven digits (Twitter's example exchange sends
    /// `oauth_verifier=4868795`), which a person can type; the app then exchanges it. (The sandbox showed its
    /// 32-character callback verifier.)
    @Test func approvingAPINSignInShowsASevenDigitPIN() async throws {
        try await SandboxHarness.run(configuration: Self.configuration([])) { sandbox in
            // Given a PIN sign-in
            let client = sandbox.client()
            let requestToken = try await client.requestToken(callback: "oob")
            // When Zoë approves it
            let answer = try await sandbox.submitConsent(
                token: requestToken.token, userID: SandboxUser.builtIn[0].id, action: "authorize")
            // Then the page shows seven digits, and they exchange for her access token
            let page = String(decoding: answer.body, as: UTF8.self)
            #expect(answer.status == 200 && answer.headerValue("location") == nil, "\(answer.status)")
            let start = try #require(page.range(of: "<code>")?.upperBound)
            let end = try #require(page.range(of: "</code>", range: start..<page.endIndex)?.lowerBound)
            let pin = String(page[start..<end])
            #expect(pin.count == 7 && pin.allSatisfy { ("0"..."9").contains($0) }, "a PIN of \(pin.count) characters")
            let accessToken = try await client.accessToken(requestToken: requestToken, verifier: pin)
            #expect(accessToken.userID == SandboxUser.builtIn[0].id)
        }
    }

    @Test func withoutRegisteredURLsEveryCallbackIsAccepted() async throws {
        try await SandboxHarness.run(configuration: Self.configuration([])) { sandbox in
            _ = try await sandbox.client().requestToken(callback: "http://anything.example:1234/x?y=z")
        }
    }

    @Test(arguments: [
        ("/register/twitter/callback", "callback URL \"/register/twitter/callback\" is not an absolute http(s) URL"),
        ("ftp://a.example/cb", "callback URL \"ftp://a.example/cb\" is not an absolute http(s) URL"),
        (
            "https://a.example/cb?source=twitter",
            "callback URL \"https://a.example/cb?source=twitter\" has a query string; register it without one (the "
                + "app may add a query when it asks)"
        ),
        (
            "https://a.example/cb#top",
            "callback URL \"https://a.example/cb#top\" has a fragment (#…), which a callback "
                + "cannot carry"
        ),
    ])
    func refusesACallbackURLThePortalWouldNotTake(url: String, reason: String) {
        let error = #expect(throws: SandboxError.self) {
            try TwitterSandbox(configuration: Self.configuration([Self.registered, url]))
        }
        #expect(error == .invalidConfiguration(reason))
    }

    @Test func refusesMoreThanTenCallbackURLs() {
        let urls = (1...11).map { "https://a.example/cb\($0)" }
        #expect(throws: SandboxError.self) { try TwitterSandbox(configuration: Self.configuration(urls)) }
        #expect((try? TwitterSandbox(configuration: Self.configuration(Array(urls.prefix(10))))) != nil)
    }
}

/// A transport that keeps every response it passes on.
final class RecordingTransport: HTTPTransport, Sendable {
    let inner: any HTTPTransport
    let responses = Locked<[HTTPTransportResponse]>([])

    init(inner: any HTTPTransport) { self.inner = inner }

    func send(
        method: String, url: URL, headers: [HTTPHeader], body: [UInt8], timeout: Duration, maximumResponseBodySize: Int
    ) async throws(TwitterError) -> HTTPTransportResponse {
        let response = try await inner.send(
            method: method, url: url, headers: headers, body: body, timeout: timeout,
            maximumResponseBodySize: maximumResponseBodySize)
        responses.withLock { $0.append(response) }
        return response
    }
}
