import Foundation
import Testing
import TwitterOAuth

/// `POST /oauth/request_token` carries no user token: the only things Twitter can refuse with a 401 there are the
/// consumer key and secret, the signature, the timestamp and the nonce, all of them the app's set-up. Twitter's OAuth
/// endpoints have answered that refusal in plain text or in the code-less `<hash>` form as well as in JSON; whatever
/// the body, it is a set-up problem (the 503 "unavailable" page and an error line), not Twitter trouble to retry.
struct RequestTokenRefusalTests {
    @Test(arguments: [
        "Failed to validate oauth signature and token",
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <hash>
          <error>Could not authenticate you.</error>
          <request>/oauth/request_token</request>
        </hash>
        """,
    ])
    func aRequestTokenRefusedWith401IsASetupProblemWhateverItsBody(body: String) async {
        let transport = StubTransport(
            status: 401, body: body, headers: [HTTPHeader(name: "content-type", value: "text/html; charset=utf-8")])
        let error = await #expect(throws: TwitterError.self) {
            try await TwitterClientTests.client(transport).requestToken(callback: "https://app.example/cb")
        }
        // (it was `.unexpectedStatus(401)`, not a set-up problem: the 502 "try again in a moment" page)
        #expect(error?.isSetupProblem == true, "\(String(describing: error))")
        #expect(error?.apiErrorCode == TwitterAPIError.couldNotAuthenticate)
    }
}
