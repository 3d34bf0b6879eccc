import AccountStore
import Foundation
import Registration
import TestSupport
import Testing
import TwitterOAuth

/// The origin a page's CSP `form-action` must allow for "Log in with Twitter" to reach Twitter's authorization page.
struct TwitterWebOriginTests {
    @Test(arguments: [
        ("https://api.x.com", "https://api.x.com"),
        ("https://API.X.com/", "https://api.x.com"),
        ("http://127.0.0.1:50123", "http://127.0.0.1:50123"),
        ("http://127.0.0.1:50123/twitter/", "http://127.0.0.1:50123"),
        ("http://[::1]:8081", "http://[::1]:8081"),
    ])
    func isTheSchemeHostAndPortOfTheClientsBase(base: String, origin: String) throws {
        try withTemporaryDirectorySync { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let client = TwitterClient(
                consumer: ConsumerCredentials(key: "k", secret: "s"), baseURL: try #require(URL(string: base)))
            let service = RegistrationService(
                store: store, twitter: client, configuration: .init(callbackURL: "https://app.example/cb"))
            #expect(service.twitterWebOrigin == origin)
            #expect(
                client.authenticationURL(for: RequestToken(token: "t", secret: "s")).absoluteString.lowercased()
                    .hasPrefix(origin))
        }
    }
}
