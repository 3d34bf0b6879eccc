import AccountModel
import Hummingbird
import Registration
import TwitterOAuth

extension RegistrationServiceSample {
    /// README "With Twitter: `RegistrationService`", its `…` filled in.
    func run() async throws {
        // An outline (`…` is the app's own code). TwitterClient talks to api.x.com; for `accounts sandbox`, pass its URL:
        // TwitterClient(consumer: consumer, baseURL: URL(string: "http://127.0.0.1:8081")!)
        let registration = RegistrationService(
            store: store, twitter: TwitterClient(consumer: consumer),
            configuration: .init(callbackURL: "https://app.example/register/twitter/callback"))

        // GET /register/twitter → redirect the browser
        let url = try await registration.begin(purpose: .register, browserSession: session.id)

        // GET /register/twitter/callback?oauth_token=…&oauth_verifier=… (or ?denied=…): the query as the request has it
        // (Hummingbird: request.uri.query ?? ""), or handleCallback(query:browserSession:) with a [String: String]
        switch try await registration.handleCallback(queryString: request.uri.query ?? "", browserSession: session.id) {
        case .signedIn(let account): _ = account  // already linked: credential and screen name refreshed
        case .needsDetails(let draft): _ = draft  // new person: draft.fields pre-filled, draft.missing named
        // same mailbox as an account: sign in to it, then link
        case .matchesExistingAccount(let candidate, let draft): _ = (candidate, draft)
        case .readyToLink(let draft): _ = draft  // purpose .link: confirm, then registration.link(…)
        case .restart(let reason): _ = reason  // back to the start with reason.message; nothing written
        }

        // POST /register/complete
        switch try await registration.complete(
            draftID: id, form: RegistrationForm(username: "ann", email: "ann@example.org"),
            browserSession: session.id)
        {
        // .signedIn: another tab registered this person first
        case .registered(let account), .signedIn(let account): _ = account
        case .invalid(let fieldErrors): _ = fieldErrors  // every problem at once; the draft is kept
        }
        _ = url
    }
}
