import Foundation
import Testing
import TwitterOAuth

/// The Twitter client at its edges, with a stub transport and a loopback server: refusals at `request_token`, echoed
/// verifiers, time-outs meant as "never".
struct TwitterClientEdgeTests {
    static let consumer = ConsumerCredentials(key: "consumer-key", secret: "CONSUMER-SECRET-xyz")
    static let tokenAnswer =
        "oauth_token=REQ-TOKEN&oauth_token_secret=REQ-SECRET-abcdefghij&oauth_callback_confirmed=true"

    static func client(_ baseURL: URL, timeout: Duration = .seconds(10)) -> TwitterClient {
        TwitterClient(
            consumer: consumer, baseURL: baseURL, transport: AsyncHTTPClientTransport.shared, timeout: timeout)
    }

    // MARK: - request_token 401

    /// README: "A 401 from `request_token` counts as 32 whatever its body … no user token goes with that call, so only
    /// the app's set-up can be refused". Twitter answers a revoked or regenerated consumer pair there with
    /// `89 Invalid or expired token` in JSON (or XML): still the app's set-up, not Twitter trouble worth a retry.
    @Test(arguments: [
        #"{"errors":[{"code":89,"message":"Invalid or expired token."}]}"#,
        #"<?xml version="1.0" encoding="UTF-8"?><errors><error code="89">Invalid or expired token.</error></errors>"#,
        #"{"errors":[{"code":99,"message":"Unable to verify your credentials"}]}"#,
    ])
    func aRequestTokenRefusedWith401IsASetupProblemWhateverTheCodeInItsBody(body: String) async {
        let transport = StubTransport(status: 401, body: body)
        let error = await #expect(throws: TwitterError.self) {
            try await TwitterClientTests.client(transport).requestToken(callback: "https://app.example/cb")
        }
        #expect(error?.isSetupProblem == true, "\(String(describing: error))")
        #expect(error?.apiErrorCode == TwitterAPIError.couldNotAuthenticate, "\(String(describing: error))")
    }

    // MARK: - Redaction

    /// A message loses its invisible characters before the secrets are taken out: a verifier echoed with a zero-width
    /// character, a soft hyphen, a combining grapheme joiner or a variation selector inside (format characters, and
    /// other default-ignorable ones, which print as nothing) is recognised, and does not show once they are stripped.
    @Test(arguments: ["\\u200b", "\\u00ad", "\\u2060", "\\ufeff", "\\u034f", "\\ufe0f"])
    func anEchoedVerifierSplitByAnInvisibleCharacterStaysOutOfTheError(separator: String) async {
        let verifier = "VERIFIER-ghi"
        let split = "VERIFIER" + separator + "-ghi"
        let transport = StubTransport(
            status: 401, body: #"{"errors":[{"code":89,"message":"Invalid oauth_verifier \#(split)"}]}"#)
        let error = await #expect(throws: TwitterError.self) {
            try await TwitterClientTests.client(transport).accessToken(
                requestToken: RequestToken(token: "REQ", secret: "REQ-SECRET-abc"), verifier: verifier)
        }
        #expect(error?.apiErrorCode == 89)
        // What a reader of the log sees: the message without the characters that print as nothing
        let shown = String(
            String.UnicodeScalarView(
                String(describing: error).unicodeScalars.filter { !$0.properties.isDefaultIgnorableCodePoint }))
        let leaksVerifier = shown.contains(verifier)
        #expect(!leaksVerifier, "the verifier reads whole in the error's description")
    }

    // MARK: - Time-outs

    /// A time-out meant as "as long as it takes" (`.seconds(Int64.max)`, the largest `Duration` of whole seconds)
    /// is still a time-out: the call is answered, and the process does not trap in `Task.sleep` (whose deadline, now +
    /// the time-out, would overflow `Duration.components`: "Not enough bits to represent the passed value").
    @Test func theLargestTimeOutDoesNotTrap() async {
        await #expect(processExitsWith: .success) {
            let answer = TwitterClientEdgeTests.tokenAnswer
            let server = try MisbehavingServer(
                raw: "HTTP/1.1 200 OK\r\nContent-Length: \(answer.utf8.count)\r\n\r\n" + answer)
            defer { server.stop() }
            let client = TwitterClientEdgeTests.client(server.baseURL, timeout: .seconds(Int64.max))
            let token = try await client.requestToken(callback: "https://app.example/cb")
            guard token.token == "REQ-TOKEN" else { exit(3) }
        }
    }
}

struct TwitterDateFieldTests {
    /// "nil when `text` … names an impossible day or time": a zone offset with 99 minutes, a signed zone inside the
    /// sign, or signed day, hour or year fields are no Twitter dates (Twitter writes `+0000`, two-digit fields).
    @Test(arguments: [
        "Wed Oct 10 20:19:24 +0099 2018",
        "Wed Oct 10 20:19:24 +9999 2018",
        "Wed Oct 10 20:19:24 +-100 2018",
        "Wed Oct +10 20:19:24 +0000 2018",
        "Wed Oct 10 +20:+19:+24 +0000 2018",
        "Wed Oct 10 20:19:24 +0000 +2018",
    ])
    func refusesImpossibleZonesAndSignedFields(text: String) {
        #expect(TwitterDate.parse(text) == nil, "parsed as \(String(describing: TwitterDate.parse(text)))")
    }
}
