import AccountCrypto
import AccountModel
import TwitterOAuth

extension TwitterClientSample {
    /// README "Twitter OAuth 1.0a client".
    func run() async throws {
        let client = TwitterClient(consumer: ConsumerCredentials(key: key, secret: secret))  // base https://api.x.com
        let requestToken = try await client.requestToken(callback: "https://app.example/register/twitter/callback")
        // /oauth/authenticate; authorizationURL → /oauth/authorize
        redirect(to: client.authenticationURL(for: requestToken))
        // … on the callback, with the requestToken kept for this browser (its secret too) server-side:
        switch try TwitterCallback(url: callbackURL) {
        // the token this browser was sent with
        case .authorized(let token, let verifier) where ConstantTime.equals(token, requestToken.token):
            let access = try await client.accessToken(requestToken: requestToken, verifier: verifier)
            let profile = try await client.verifyCredentials(accessToken: access)  // id exact from id_str, rawJSON kept
            signIn(profile)  // the app's own: the account linked to profile.id, or a new one
        case .authorized, .denied: startOver()  // another browser's token (a forged callback), or the person cancelled
        }
        // when the account unlinks Twitter or is deleted: the token stops working at Twitter, not only here
        // POST /1.1/oauth/invalidate_token
        try await client.invalidateToken(stored.token, secret: stored.secret.revealed)
    }
}
