import AccountsHummingbirdTesting
import Testing

extension TestBrowserSample {
    /// README "Testing an app's routes": an email sign-up, a registration with Twitter, and a cancel at the sandbox.
    func run() async throws {
        var browser = TestBrowser(baseURL: appURL)  // the app on 127.0.0.1 (port 0), its Twitter at `sandboxURL`
        let signUp = try await browser.submit(
            form: "/signup", to: "/signup",
            [("username", "ada"), ("email", "ada@example.org"), ("password", "correct horse battery")])
        #expect(signUp.location == "/account?notice=registered")
        let account = try await browser.follow(signUp)  // GET /account?notice=registered, with the session cookie
        #expect(account.status == 200 && browser.cookie("accounts_session") != nil)

        var zoe = TestBrowser(baseURL: appURL)  // another person, another browser
        let arrival = try await zoe.useTwitter(
            .approve(userID: 1_234_567_890_123_456_789), sandbox: sandboxURL,
            action: "/register/twitter")
        let form = try await zoe.follow(arrival)  // /register/details?draft=…, filled in from Twitter
        let registered = try await zoe.post(
            "/register/complete",
            form: [
                ("csrf_token", form.csrfToken ?? ""), ("draft", form.hiddenValue("draft") ?? ""),
                ("username", "zoe"), ("email", "zoe@example.com"),
            ])
        #expect(registered.location == "/account?notice=registered")

        var undecided = TestBrowser(baseURL: appURL)
        let cancelled = try await undecided.useTwitter(.cancel, sandbox: sandboxURL, action: "/register/twitter")
        #expect(cancelled.location == "/?notice=denied")  // the app's page to start again
    }
}
