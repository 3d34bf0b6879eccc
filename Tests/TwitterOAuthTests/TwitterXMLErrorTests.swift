import Foundation
import TestSupport
import Testing
import TwitterOAuth

/// Twitter's OAuth endpoints answer errors in XML where the REST API answers in JSON; the callback refusal (415) is
/// the one an operator meets first, and must name the URL to register.
struct TwitterXMLErrorTests {
    static let callbackMessage =
        "Callback URL not approved for this client application. Approved callback URLs can be adjusted in your "
        + "application settings"
    static let callback = "https://accounts.example/register/twitter/callback?step=1"

    /// The bodies Twitter has been seen to send for an unregistered callback (its documentation gives the JSON and
    /// the `<hash>` forms; reports from the field the `<errors>` one, once indented over several lines).
    static let refusals: [String] = [
        #"{"errors":[{"code":415,"message":"\#(callbackMessage)."}]}"#,
        #"<?xml version="1.0" encoding="UTF-8"?><errors><error code="415">\#(callbackMessage)</error></errors>"#,
        #"<?xml version='1.0' encoding='UTF-8'?><errors><error code='415'>\#(callbackMessage)</error></errors>"#,
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <errors>
            <error code="415">
                Callback URL not approved for this client application.
                Approved callback URLs can be adjusted in your application settings
            </error>
        </errors>
        """,
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <hash>
        <error>\(callbackMessage)</error>
        <request>/oauth/request_token</request>
        </hash>
        """,
    ]

    @Test(arguments: refusals)
    func anUnregisteredCallbackIsNamedWithWhatToDo(body: String) async {
        let transport = StubTransport(status: 403, body: body)
        let error = await #expect(throws: TwitterError.self) {
            try await TwitterClientTests.client(transport).requestToken(callback: Self.callback)
        }
        #expect(error == .callbackNotApproved(callback: Self.callback))
        let description = error.map(String.init(describing:)) ?? ""
        #expect(description.contains(Self.callback))
        #expect(description.contains("developer portal"))
        #expect(error?.isSetupProblem == true)
        expectAbsent(TwitterClientTests.consumer.secret, named: "the consumer secret", in: description)
    }

    /// The XML list reads like the JSON one: codes, messages with entities decoded, several entries.
    @Test func readsAnXMLErrorListOnAnyEndpoint() async {
        let body = """
            <?xml version="1.0" encoding="UTF-8"?><errors><error code="32">Could not &quot;authenticate&quot; \
            you &amp; me.</error><error code="416">Invalid / suspended application&#46;</error></errors>
            """
        let transport = StubTransport(status: 401, body: body)
        let error = await #expect(throws: TwitterError.self) {
            try await TwitterClientTests.client(transport).requestToken(callback: "oob")
        }
        #expect(
            error
                == .rejected(
                    status: 401,
                    errors: [
                        TwitterAPIError(code: 32, message: #"Could not "authenticate" you & me."#),
                        TwitterAPIError(code: 416, message: "Invalid / suspended application."),
                    ]))
        #expect(error?.isSetupProblem == true)
    }

    /// A message's control and format characters are dropped (an escape sequence must not reach a terminal through
    /// a log line), whether the body was XML or JSON.
    @Test(arguments: [
        #"<errors><error code="32">Could not&#27;[31m authenticate&#x202E; you.&#0;</error></errors>"#,
        #"{"errors":[{"code":32,"message":"Could not\u001b[31m authenticate\u202e you.\u0000"}]}"#,
    ])
    func controlCharactersInAMessageAreDropped(body: String) async {
        let transport = StubTransport(status: 401, body: body)
        let error = await #expect(throws: TwitterError.self) {
            try await TwitterClientTests.client(transport).requestToken(callback: "oob")
        }
        #expect(
            error
                == .rejected(
                    status: 401, errors: [TwitterAPIError(code: 32, message: "Could not[31m authenticate you.")]))
        let message: String? = if case .rejected(_, let errors) = error { errors.first?.message } else { nil }
        #expect(message == "Could not[31m authenticate you.")
    }

    /// What is not one of Twitter's two XML shapes stays an unexpected status, as before: no guessing.
    @Test(arguments: [
        "<errors><error code=\"415\">unclosed",
        "<errors><error>no code</error></errors>",
        "<errors><error code=\"4x5\">bad code</error></errors>",
        "<errors><error code=\"415\" extra=\"1\">two attributes</error></errors>",
        "<errors><error code=\"415\">a <b>tag</b> inside</error></errors>",
        "<errors><error code=\"415\">an &unknown; entity</error></errors>",
        "<errors></errors>",
        "<errors><error code=\"415\">x</error></errors>trailing",
        "<hash><error>Something else entirely</error></hash>",
        "<html><body>Forbidden</body></html>",
        "Forbidden",
    ])
    func otherBodiesStayAnUnexpectedStatus(body: String) async {
        let transport = StubTransport(status: 403, body: body)
        await #expect(throws: TwitterError.unexpectedStatus(403)) {
            try await TwitterClientTests.client(transport).requestToken(callback: Self.callback)
        }
    }

    /// Error 415 from another endpoint is no callback refusal of ours to name: it stays Twitter's list.
    @Test func code415ElsewhereStaysTheList() async {
        let transport = StubTransport(
            status: 403, body: #"<errors><error code="415">\#(Self.callbackMessage)</error></errors>"#)
        let error = await #expect(throws: TwitterError.self) {
            try await TwitterClientTests.client(transport).accessToken(
                requestToken: RequestToken(token: "t", secret: "s"), verifier: "v")
        }
        #expect(error?.apiErrorCode == TwitterAPIError.callbackNotApproved)
    }

    @Test(arguments: [
        (TwitterError.callbackNotApproved(callback: callback), true),
        (.callbackNotConfirmed, true),
        (.rejected(status: 401, errors: [TwitterAPIError(code: 32, message: "")]), true),
        (.rejected(status: 401, errors: [TwitterAPIError(code: 135, message: "")]), true),
        (.rejected(status: 403, errors: [TwitterAPIError(code: 417, message: "")]), true),
        (.rejected(status: 403, errors: [TwitterAPIError(code: 453, message: "")]), true),
        (.rejected(status: 403, errors: [TwitterAPIError(code: 87, message: "")]), true),
        (.rejected(status: 401, errors: [TwitterAPIError(code: 89, message: "")]), false),
        (.rejected(status: 403, errors: []), false),
        (.serverError(status: 503), false),
        (.rateLimited(RateLimit(limit: nil, remaining: nil, reset: nil)), false),
        (.timedOut, false),
        (.unexpectedStatus(403), false),
    ])
    func setupProblemsAreThoseOnlyTheOperatorCanFix(error: TwitterError, expected: Bool) {
        #expect(error.isSetupProblem == expected, "\(error)")
    }
}
