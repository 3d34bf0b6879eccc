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
    /// The sandbox clock (injectable for tests).
    public var now: @Sendable () -> Date

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
        self.now = { Date() }
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
}
