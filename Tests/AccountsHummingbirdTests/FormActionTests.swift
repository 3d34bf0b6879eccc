import AccountsHummingbird
import Testing

/// The pages' CSP `form-action`: "Log in with Twitter" posts here and is sent on to Twitter, whose authorization page
/// may send the browser on again (to log in at x.com); every origin of that chain must be allowed, and no other.
struct FormActionTests {
    @Test(arguments: ["https://api.x.com", "https://api.twitter.com"])
    func twitterItselfAllowsEachOfItsOrigins(origin: String) {
        #expect(
            AccountRoutes.formActionSources(twitterOrigin: origin) == [
                "https://api.x.com", "https://api.twitter.com", "https://x.com", "https://twitter.com",
            ])
    }

    @Test(arguments: ["http://127.0.0.1:50123", "https://twitter.example", "http://api.x.com"])
    func anyOtherServerIsAllowedAlone(origin: String) {
        #expect(AccountRoutes.formActionSources(twitterOrigin: origin) == [origin])
    }
}
