internal import AccountCrypto
public import Foundation
public import TwitterOAuth

/// How a ``TwitterSandbox`` runs: where it listens, which app it accepts, which fake users it offers.
public struct SandboxConfiguration: Sendable {
    /// The TCP port on 127.0.0.1; 0 picks a free one (reported to `onReady`).
    public var port: Int
    /// The only consumer (app) the sandbox accepts; any other key or secret gets 401 code 32.
    public var consumer: ConsumerCredentials
    /// The fake users the consent page offers.
    public var users: [SandboxUser]
    /// When true, `/oauth/authenticate` skips the consent page for a browser whose signed-in fake user has already
    /// approved the app (as Twitter does for "Sign in with Twitter").
    public var rememberApprovals: Bool
    /// How far `oauth_timestamp` may be from the sandbox clock (Twitter: 5 minutes); further gets 401 code 135.
    public var timestampTolerance: Duration
    /// How long an unused request token stays valid.
    public var requestTokenLifetime: Duration
    /// Whether `POST /_sandbox/fail-next` is served.
    public var enablesControlEndpoint: Bool
    /// The app's registered callback URLs, as in Twitter's developer portal (at most ten, absolute http(s) URLs
    /// without a query or fragment). When the list is not empty, `/oauth/request_token` refuses any other callback
    /// with Twitter's 403 and error 415, in Twitter's XML form; a registered URL with a query string added is
    /// accepted, as Twitter does, and so is `oob`. Empty (the default): every http(s) callback is accepted.
    public var callbackURLs: [String]
    /// The sandbox clock (injectable for tests).
    public var now: @Sendable () -> Date
    /// How a `slow` injected failure waits: `Task.sleep`. (A seam for the package's tests, which move a test clock by
    /// the delay instead of waiting it out.)
    var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    /// How long a connection may wait for its next request, take to send a request's body after its headers, or
    /// leave an answer unread, before the sandbox closes it: 30 seconds.
    public var connectionTimeout: Duration

    /// Makes a configuration.
    /// - Parameters:
    ///   - consumer: The accepted consumer credentials (see ``resolveConsumer(key:secret:environment:)``).
    ///   - port: The port on 127.0.0.1, 0 for a free one.
    ///   - users: The fake users, by default ``SandboxUser/builtIn``.
    ///   - rememberApprovals: Let `/oauth/authenticate` skip the page for a returning user.
    public init(
        consumer: ConsumerCredentials,
        port: Int = 0,
        users: [SandboxUser] = SandboxUser.builtIn,
        rememberApprovals: Bool = false
    ) {
        self.port = port
        self.consumer = consumer
        self.users = users
        self.rememberApprovals = rememberApprovals
        self.timestampTolerance = .seconds(300)
        self.requestTokenLifetime = .seconds(900)
        self.enablesControlEndpoint = true
        self.callbackURLs = []
        self.now = { Date() }
        self.connectionTimeout = .seconds(30)
    }

    /// The most callback URLs an app can register (Twitter's limit).
    public static let maximumCallbackURLs = 10

    /// Why `url` cannot be a registered callback URL, or nil when it can: Twitter's portal takes absolute http(s)
    /// URLs without a query string (the app adds its query at `request_token`) and, here, without a fragment.
    public static func problem(withCallbackURL url: String) -> String? {
        guard url.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            return "\(String(reflecting: url)) is not an absolute http(s) URL: a URL holds printable ASCII only "
                + "(percent-encode the rest)"
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", components.host?.isEmpty == false
        else { return "\"\(url)\" is not an absolute http(s) URL" }
        if components.query != nil {
            return "\"\(url)\" has a query string; register it without one (the app may add a query when it asks)"
        }
        if components.fragment != nil { return "\"\(url)\" has a fragment (#…), which a callback cannot carry" }
        return nil
    }

    /// Whether `callback`, as given to `/oauth/request_token`, is registered: `oob`, or a registered URL with any
    /// query string added. Scheme and host compare without case, the rest exactly.
    func approves(callback: String) -> Bool {
        if callbackURLs.isEmpty || callback == "oob" { return true }
        guard let given = Self.comparable(callback, droppingQuery: true) else { return false }
        return callbackURLs.contains { Self.comparable($0, droppingQuery: false) == given }
    }

    private static func comparable(_ url: String, droppingQuery: Bool) -> String? {
        guard var components = URLComponents(string: url), components.fragment == nil else { return nil }
        if droppingQuery { components.query = nil }
        components.scheme = components.scheme?.lowercased()
        components.host = components.host?.lowercased()
        return components.string
    }

    /// Where a sandbox's consumer credentials came from.
    public enum ConsumerSource: Sendable, Equatable {
        /// Given explicitly (command-line flags).
        case given
        /// Read from `TWITTER_CONSUMER_KEY` and `TWITTER_CONSUMER_SECRET`.
        case environment
        /// Invented for this run by ``generateConsumerCredentials()``.
        case generated
    }

    /// Picks the consumer credentials: `key`/`secret` when given, else `TWITTER_CONSUMER_KEY` and
    /// `TWITTER_CONSUMER_SECRET` from `environment`, else a throwaway pair.
    /// - Throws: ``SandboxError/incompleteConsumerCredentials`` when only one half is given (or set).
    public static func resolveConsumer(
        key: String?,
        secret: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(SandboxError) -> (credentials: ConsumerCredentials, source: ConsumerSource) {
        switch (key, secret) {
        case (let key?, let secret?):
            return (ConsumerCredentials(key: key, secret: secret), .given)
        case (nil, nil):
            break
        default:
            throw .incompleteConsumerCredentials
        }
        switch (environment["TWITTER_CONSUMER_KEY"], environment["TWITTER_CONSUMER_SECRET"]) {
        case (let key?, let secret?) where !key.isEmpty && !secret.isEmpty:
            return (ConsumerCredentials(key: key, secret: secret), .environment)
        case (nil, nil), ("", ""), ("", nil), (nil, ""):
            return (generateConsumerCredentials(), .generated)
        default:
            throw .incompleteConsumerCredentials
        }
    }

    /// A throwaway consumer pair from the secure random generator: a 25-character key and a 50-character secret of
    /// letters and digits, the shape of Twitter's.
    public static func generateConsumerCredentials() -> ConsumerCredentials {
        ConsumerCredentials(key: RandomToken.alphanumeric(count: 25), secret: RandomToken.alphanumeric(count: 50))
    }
}

/// Random letters and digits for tokens, secrets and verifiers.
enum RandomToken: Sendable {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// `count` characters drawn uniformly (rejection sampling over secure random bytes).
    static func alphanumeric(count: Int) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(count)
        while output.count < count {
            for byte in SecureRandom.bytes(count: count) where byte < 248 && output.count < count {
                output.append(alphabet[Int(byte) % alphabet.count])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// `count` decimal digits drawn uniformly (rejection sampling over secure random bytes), such as a PIN.
    static func digits(count: Int) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(count)
        while output.count < count {
            for byte in SecureRandom.bytes(count: count) where byte < 250 && output.count < count {
                output.append(UInt8(ascii: "0") + byte % 10)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
