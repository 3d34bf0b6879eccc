import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import Hummingbird
import Logging
import Registration
import Synchronization
import TwitterOAuth

// What README's samples take as given (the app's own values and functions), one type per sample: each sample is a
// method of its type, so that its file imports only what the README block does.

/// The browser session an app keeps for the person (README: `session.id`, `currentSession.tokenHash`).
struct AppSession: Sendable {
    let id: String
    let tokenHash: String
}

/// The app's mailer (README: `mailer.send(to:link:)`, `smtp.send(to:subject:body:)`); it keeps what it is given.
final class AppMailer: Sendable {
    let sent = Mutex<[String]>([])
    func send(to address: String, link: String) async throws { sent.withLock { $0.append(address) } }
    func send(to address: String, subject: String, body: String) async throws { sent.withLock { $0.append(address) } }
}

/// Given for "With Twitter: `RegistrationService`".
struct RegistrationServiceSample {
    let store: AccountStore
    let consumer: ConsumerCredentials
    let session: AppSession
    let request: Request
    let id: String
}

/// Given for "With a password: `LocalAccounts`".
struct LocalAccountsSample {
    let store: AccountStore
    let registration: RegistrationService
    let currentSession: AppSession
    let newSession: AppSession
    let newCSRFToken: String
    let typed: String
    let old: String
    let new: String
    let typedEmail: String
    let tokenFromLink: String
    let mailer: AppMailer
    let logger: Logger
}

/// Given for "Twitter OAuth 1.0a client".
struct TwitterClientSample {
    let key: String
    let secret: String
    let callbackURL: URL
    let stored: TwitterCredential
    func redirect(to url: URL) {}
    func startOver() {}
    func signIn(_ profile: TwitterProfile) {}
}

/// Given for "Twitter sandbox".
struct SandboxClientSample {
    let key: String
    let secret: String
}

/// Given for the in-process sandbox of "Twitter sandbox": what the test saw (the request tokens it was given).
struct SandboxInProcessSample {
    final class Seen: Sendable {
        private let tokens = Mutex<[String]>([])
        func note(_ token: String) { tokens.withLock { $0.append(token) } }
        var count: Int { tokens.withLock { $0.count } }
    }
    let seen = Seen()
}

/// Given for the graceful stop sample of "Mounting the routes": the app's router and logger, and the test's requests.
struct GracefulStopSample {
    let router: Router<BasicRequestContext>
    let logger: Logger
    /// The test's requests to the app on `port`.
    let visit: @Sendable (_ port: Int) async throws -> Void
}

/// Given for the mount path sample of "Mounting the routes".
struct MountPathSample {
    let store: AccountStore
    let registration: RegistrationService
    let local: LocalAccounts
    let router: Router<AccountsRequestContext>
}

/// Given for "Without Twitter": the app's store, logger, settings, router and environment.
struct WithoutTwitterSample {
    let store: AccountStore
    let logger: Logger
    let web: AccountRoutes.Configuration
    let router: Router<AccountsRequestContext>
    let environment: [String: String]
}

/// Given for the mail samples (reset links, confirmation links, security notices).
struct MailSample {
    let smtp: AppMailer
}

/// Given for the shutdown sample of "Forgot your password?".
struct ShutdownSample<App: ApplicationProtocol> {
    let application: App
    let routes: AccountRoutes
    let store: AccountStore
}

/// Given for "Forgot your password?" (a call on a closed store).
struct ClosedStoreSample {
    let store: AccountStore
    let user: UserID
}

/// Given for "Why are two accounts (not) linked?".
struct DuplicateExplanationSample {
    let store: AccountStore
    let ann: Account
    let annOnTwitter: Account
}

/// Given for "Testing an app's routes": where the app under test and its in-process sandbox listen.
struct TestBrowserSample {
    let appURL: URL
    let sandboxURL: URL
}

/// The app's HTML escaping (README: `escapeHTML(…)`, for the app's own page of "Mounting the routes").
func escapeHTML(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
