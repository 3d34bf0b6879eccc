import AccountsHummingbird
import Registration
import TwitterOAuth

extension WithoutTwitterSample {
    /// README "Without Twitter": the routes with Twitter once its credentials are given, email and password only
    /// before.
    func run() -> AccountRoutes {
        // (environment: ProcessInfo.processInfo.environment) no key yet: no Twitter; the same store either way
        let registration = environment["TWITTER_CONSUMER_KEY"].map { key in
            RegistrationService(
                store: store,
                twitter: TwitterClient(
                    consumer: ConsumerCredentials(key: key, secret: environment["TWITTER_CONSUMER_SECRET"] ?? "")),
                configuration: .init(callbackURL: "https://app.example" + AccountRoutes.callbackPath), logger: logger)
        }
        let routes = AccountRoutes(
            store: store, registration: registration, local: LocalAccounts(store: store), configuration: web,
            logger: logger)
        routes.addRoutes(to: router)  // without Twitter: no Twitter routes, buttons or form-action origins
        return routes
    }
}
