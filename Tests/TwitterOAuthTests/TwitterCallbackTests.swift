import Foundation
import Testing
import TwitterOAuth

struct TwitterCallbackTests {
    @Test(arguments: [
        ("oauth_token=T&oauth_verifier=V", TwitterCallback.authorized(token: "T", verifier: "V")),
        ("?oauth_token=T%20x&oauth_verifier=V%2B", .authorized(token: "T x", verifier: "V+")),
        ("state=1&oauth_verifier=V&oauth_token=T", .authorized(token: "T", verifier: "V")),
        ("denied=T", .denied(requestToken: "T")),
        ("denied=T&oauth_token=T&oauth_verifier=V", .denied(requestToken: "T")),
    ])
    func readsApprovalsAndRefusals(query: String, expected: TwitterCallback) throws {
        #expect(try TwitterCallback(query: query) == expected)
    }

    @Test(arguments: [
        ("", "oauth_token"),
        ("oauth_verifier=V", "oauth_token"),
        ("oauth_token=T", "oauth_verifier"),
        ("oauth_token=T&oauth_verifier=", "oauth_verifier"),
        ("denied=", "oauth_token"),
    ])
    func namesTheMissingParameter(query: String, missing: String) {
        #expect(throws: TwitterError.missingCallbackParameter(missing)) {
            try TwitterCallback(query: query)
        }
    }

    @Test func readsTheCallbackURL() throws {
        let url = try #require(URL(string: "https://app.example/cb?state=x&oauth_token=T&oauth_verifier=V"))
        #expect(try TwitterCallback(url: url) == .authorized(token: "T", verifier: "V"))
    }

    @Test func refusesMalformedEscapes() {
        #expect(throws: TwitterError.self) { try TwitterCallback(query: "oauth_token=%G1&oauth_verifier=V") }
    }
}
