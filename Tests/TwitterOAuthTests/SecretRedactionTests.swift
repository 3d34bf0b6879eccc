import Foundation
import TestSupport
import Testing
import TwitterOAuth

struct SecretRedactionTests {
    /// Each secret of the fixtures, with the name a failure gives it (neither it nor the text holding it is printed).
    static let secrets = [
        (secret: "CONSUMER-SECRET-xyz", name: "the consumer secret"),
        (secret: "REQ-SECRET-abc", name: "the request token secret"),
        (secret: "ACCESS-SECRET-def", name: "the access token secret"),
        (secret: "VERIFIER-ghi", name: "the verifier"),
        (secret: "ACCESS-TOKEN-jkl", name: "the access token"),
    ]

    static func expectNoSecret(in text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for (secret, name) in secrets {
            expectAbsent(secret, named: name, in: text, sourceLocation: sourceLocation)
        }
    }

    @Test func credentialAndTokenDescriptionsHideSecrets() {
        let values: [any Sendable] = [
            ConsumerCredentials(key: "key", secret: "CONSUMER-SECRET-xyz"),
            RequestToken(token: "REQ", secret: "REQ-SECRET-abc"),
            AccessToken(token: "ACCESS-TOKEN-jkl", secret: "ACCESS-SECRET-def", userID: 1, screenName: "zoe"),
            TwitterCallback.authorized(token: "REQ", verifier: "VERIFIER-ghi"),
        ]
        for value in values {
            Self.expectNoSecret(in: String(describing: value))
            Self.expectNoSecret(in: String(reflecting: value))
            Self.expectNoSecret(in: "\(value)")
        }
        #expect(String(describing: ConsumerCredentials(key: "key", secret: "s")).contains("key"))
    }

    /// `dump` and the debugger read a value's mirror, not its description: every value that holds a secret has a
    /// mirror that hides it, and so does anything holding such a value.
    @Test func dumpHidesSecretsToo() {
        struct Holder {
            var consumer = ConsumerCredentials(key: "key", secret: "CONSUMER-SECRET-xyz")
            var request = RequestToken(token: "REQ", secret: "REQ-SECRET-abc")
            var access = AccessToken(
                token: "ACCESS-TOKEN-jkl", secret: "ACCESS-SECRET-def", userID: 7, screenName: "zoe")
            var callback = TwitterCallback.authorized(token: "REQ", verifier: "VERIFIER-ghi")
            var parameters = [OAuthParameter(name: "oauth_verifier", value: "VERIFIER-ghi")]
            var headers = [
                HTTPHeader(name: "Authorization", value: #"OAuth oauth_verifier="VERIFIER-ghi""#),
                HTTPHeader(name: "Content-Type", value: "text/plain"),
            ]
            // An access_token answer: the body carries the token secret.
            var response = HTTPTransportResponse(
                status: 200, headers: [HTTPHeader(name: "Set-Cookie", value: "s=REQ-SECRET-abc")],
                body: Array("oauth_token=t&oauth_token_secret=ACCESS-SECRET-def&user_id=7".utf8))
        }
        let holder = Holder()
        var dumped = ""
        dump(holder, to: &dumped)
        Self.expectNoSecret(in: dumped)
        Self.expectNoSecret(in: String(reflecting: holder))
        Self.expectNoSecret(in: "\(holder.headers)")
        Self.expectNoSecret(in: "\(holder.response)")
        let showsLength = "\(holder.response)".contains("body: 60 bytes")
        #expect(showsLength, "the response's description does not give its body's length as 60 bytes")
        // What is not secret still shows.
        for shown in ["key", "REQ", "zoe", "oauth_verifier", "Authorization", "text/plain"] {
            #expect(dumped.contains(shown), "dump no longer shows \(shown)")
        }
        #expect(HTTPHeader(name: "content-type", value: "text/plain").description == "content-type: text/plain")
    }

    /// The signer keeps the encoded consumer secret as bytes: neither its description nor `dump` shows them.
    @Test func signerDescriptionAndDumpHideTheConsumerSecret() {
        let signer = OAuthSigner(consumer: ConsumerCredentials(key: "key", secret: "CONSUMER-SECRET-xyz"))
        var dumped = ""
        dump(signer, to: &dumped)
        for text in [String(describing: signer), String(reflecting: signer), "\(signer)", dumped] {
            Self.expectNoSecret(in: text)
            let showsKeyBytes = text.contains("keyPrefix")
            #expect(!showsKeyBytes, "the signer shows the stored key bytes")
            #expect(text.contains("key"))
        }
        // The secret is kept as bytes, which `dump` would print one number a line under whatever the property is
        // called: the dump shows the signer's own line and no child at all (checked without naming the property).
        let secretBytes = Array("CONSUMER-SECRET-xyz".utf8).map { "- \($0)" }
        let dumpedLines = dumped.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let showsSecretBytes = secretBytes.allSatisfy { dumpedLines.contains($0) }
        #expect(!showsSecretBytes, "the signer's dump shows the secret's bytes")
        #expect(dumpedLines.count == 1, "the signer's dump has \(dumpedLines.count) lines")
    }

    /// Every error the client can throw when the answers themselves carry secrets.
    @Test(arguments: [
        (200, "oauth_token=ACCESS-TOKEN-jkl&oauth_token_secret=ACCESS-SECRET-def&user_id=x&screen_name=z"),
        (200, "oauth_token=ACCESS-TOKEN-jkl&oauth_token_secret=ACCESS-SECRET-def&user_i"),
        (200, "oauth_token=%ZZ&oauth_token_secret=ACCESS-SECRET-def"),
        (401, #"{"errors":[{"code":32,"message":"Could not authenticate you."}]}"#),
        (401, "oauth_token_secret=ACCESS-SECRET-def"),
        (500, "VERIFIER-ghi CONSUMER-SECRET-xyz"),
    ])
    func errorDescriptionsNeverContainSecrets(status: Int, body: String) async {
        // Given
        let transport = StubTransport(status: status, body: body)
        let client = TwitterClient(
            consumer: ConsumerCredentials(key: "key", secret: "CONSUMER-SECRET-xyz"),
            transport: transport
        )
        // When
        let error = await #expect(throws: TwitterError.self) {
            try await client.accessToken(
                requestToken: RequestToken(token: "REQ", secret: "REQ-SECRET-abc"),
                verifier: "VERIFIER-ghi"
            )
        }
        // Then
        Self.expectNoSecret(in: String(describing: error))
        Self.expectNoSecret(in: String(reflecting: error))
    }

    @Test func everyErrorCaseReadsAsASentence() {
        let errors: [TwitterError] = [
            .rejected(status: 401, errors: [TwitterAPIError(code: 32, message: "Could not authenticate you.")]),
            .rejected(status: 401, errors: [TwitterAPIError(code: 89, message: "Invalid or expired token.")]),
            .rejected(status: 401, errors: [TwitterAPIError(code: 135, message: "Timestamp out of bounds.")]),
            .rejected(status: 400, errors: [TwitterAPIError(code: 215, message: "Bad Authentication data.")]),
            .rateLimited(RateLimit(limit: 15, remaining: 0, reset: Date(timeIntervalSince1970: 1_539_202_764))),
            .serverError(status: 503), .unexpectedStatus(404), .timedOut,
            .connectionFailed(host: "api.x.com", reason: "connection refused"), .malformedResponse("why"),
            .responseTooLarge(limit: 1_048_576), .callbackNotConfirmed, .missingCallbackParameter("oauth_verifier"),
            .cancelled,
        ]
        for error in errors {
            #expect(!error.description.isEmpty)
        }
        #expect(errors[1].description.contains("start the sign-in again"))
        #expect(errors[2].description.contains("clock"))
        #expect(errors[4].description.contains("0 of 15 requests left, resets at 2018-10-10T20:19:24Z"))
    }
}
