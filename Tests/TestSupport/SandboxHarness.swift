public import Foundation
public import Logging
public import TwitterOAuth
public import TwitterSandbox

/// A running sandbox on a free loopback port, with a transport of its own and a browser's view of it.
public struct SandboxHarness: Sendable {
    public let baseURL: URL
    public let consumer: ConsumerCredentials
    public let transport: AsyncHTTPClientTransport

    public static let callback = "http://127.0.0.1:9/register/twitter/callback?step=1"

    /// How long the harness's requests (and, by default, its clients' calls) wait for the sandbox: five minutes. A
    /// sandbox in the test process answers on the cooperative pool, which the tests running beside it can hold for
    /// longer than 30 s on a loaded 2-core machine (a control request timed out after 30 s so); a test about a time-out
    /// gives its client one of its own (``client(consumer:timeout:maximumResponseBodySize:nonce:timestamp:)``).
    public static let answerTimeout: Duration = .seconds(300)

    /// Starts a sandbox, runs `body`, then stops the sandbox and shuts the HTTP client down.
    public static func run<Result>(
        configuration: SandboxConfiguration? = nil,
        logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
        _ body: (SandboxHarness) async throws -> Result
    ) async throws -> Result {
        let configuration =
            configuration
            ?? SandboxConfiguration(
                consumer: SandboxConfiguration.generateConsumerCredentials()
            )
        let sandbox = try TwitterSandbox(configuration: configuration, logger: logger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { continuation.finish() }
                try await sandbox.run { port in continuation.yield(port) }
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                try await group.next()
                throw SandboxDidNotStart()
            }
            do {
                let result = try await AsyncHTTPClientTransport.withTransport(connectTimeout: .seconds(10)) {
                    transport in
                    try await body(
                        SandboxHarness(
                            baseURL: URL(string: "http://127.0.0.1:\(port)")!,
                            consumer: configuration.consumer,
                            transport: transport
                        )
                    )
                }
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    public struct SandboxDidNotStart: Error {}

    /// Starts `accounts sandbox` in a process of its own (with fresh consumer credentials and its fake users), runs
    /// `body` with it, then stops it. For a test in which another process keeps time on the sandbox: an `accounts`
    /// command gives Twitter 10 s. A sandbox in the test process answers on that process's cooperative pool, which
    /// the tests running beside it may hold for longer (a command or a blocking test on each of its two threads), and
    /// the command then reports "Twitter did not answer in time"; a sandbox process of its own answers on threads of
    /// its own.
    public static func runInItsOwnProcess<Result>(_ body: (SandboxHarness) async throws -> Result) async throws
        -> Result
    {
        let consumer = SandboxConfiguration.generateConsumerCredentials()
        let server = try ServerProcess(
            accountsExecutable(),
            ["sandbox", "--port", "0", "--consumer-key", consumer.key, "--consumer-secret", consumer.secret])
        let outcome: Swift.Result<Result, any Error>
        do {
            let line = try await server.firstLine()
            guard let baseURL = URL(string: String(line.dropLast())), baseURL.port != nil else {
                throw UnexpectedResponse(description: "accounts sandbox announced \(line), not its URL")
            }
            outcome = .success(
                try await AsyncHTTPClientTransport.withTransport(connectTimeout: .seconds(10)) { transport in
                    try await body(SandboxHarness(baseURL: baseURL, consumer: consumer, transport: transport))
                })
        } catch {
            outcome = .failure(error)
        }
        // (the stop waits for the process to end on a thread of its own, not one of the pool's)
        await server.stop()
        return try outcome.get()
    }

    /// A step of the browser leg did not go as a browser expects.
    public struct UnexpectedResponse: Error, CustomStringConvertible {
        public let description: String
    }

    /// A client of the sandbox signed with `consumer` (by default the sandbox's own).
    public func client(
        consumer: ConsumerCredentials? = nil,
        timeout: Duration = answerTimeout,
        maximumResponseBodySize: Int = TwitterClient.defaultMaximumResponseBodySize,
        nonce: (@Sendable () -> String)? = nil,
        timestamp: @escaping @Sendable () -> Int64 = OAuthSigner.currentTimestamp
    ) -> TwitterClient {
        TwitterClient(
            consumer: consumer ?? self.consumer,
            baseURL: baseURL,
            transport: transport,
            timeout: timeout,
            maximumResponseBodySize: maximumResponseBodySize,
            nonce: nonce,
            timestamp: timestamp
        )
    }

    /// What a browser does with a URL: GET it without following redirects, sending `cookie` if any.
    public func browse(_ url: URL, cookie: String? = nil) async throws -> HTTPTransportResponse {
        var headers = [HTTPHeader(name: "Accept", value: "text/html")]
        if let cookie { headers.append(HTTPHeader(name: "Cookie", value: cookie)) }
        return try await transport.send(
            method: "GET",
            url: url,
            headers: headers,
            body: [],
            timeout: Self.answerTimeout,
            maximumResponseBodySize: 1 << 20
        )
    }

    /// What a browser does when the consent form is submitted with one of its buttons.
    public func submitConsent(token: String, userID: UInt64?, action: String) async throws -> HTTPTransportResponse {
        var fields = "oauth_token=\(PercentEncodingForTests.encode(token))&action=\(action)"
        if let userID { fields += "&user_id=\(userID)" }
        return try await transport.send(
            method: "POST",
            url: baseURL.appending(path: "oauth/authorize"),
            headers: [HTTPHeader(name: "Content-Type", value: "application/x-www-form-urlencoded")],
            body: Array(fields.utf8),
            timeout: Self.answerTimeout,
            maximumResponseBodySize: 1 << 20
        )
    }

    /// `POST /_sandbox/fail-next` with a JSON object; returns the status.
    @discardableResult
    public func failNext(_ json: String) async throws -> Int {
        let response = try await transport.send(
            method: "POST",
            url: baseURL.appending(path: "_sandbox/fail-next"),
            headers: [HTTPHeader(name: "Content-Type", value: "application/json")],
            body: Array(json.utf8),
            timeout: Self.answerTimeout,
            maximumResponseBodySize: 1 << 20
        )
        return response.status
    }

    /// The whole browser leg: consent page, approval as `userID`, and the callback parsed from the redirect.
    public func approve(
        _ requestToken: RequestToken,
        as userID: UInt64,
        client: TwitterClient
    ) async throws -> (callback: TwitterCallback, cookie: String?) {
        let page = try await browse(client.authenticationURL(for: requestToken))
        guard page.status == 200 else { throw UnexpectedResponse(description: "consent page answered \(page.status)") }
        let redirect = try await submitConsent(token: requestToken.token, userID: userID, action: "authorize")
        guard redirect.status == 302, let location = redirect.headerValue("location") else {
            throw UnexpectedResponse(description: "consent answered \(redirect.status) without a redirect")
        }
        let cookie = redirect.headerValue("set-cookie").map { String($0.prefix { $0 != ";" }) }
        guard let url = URL(string: location) else { throw UnexpectedResponse(description: "bad redirect \(location)") }
        return (try TwitterCallback(url: url), cookie)
    }

    /// Request token, approval as `userID`, access token.
    public func signIn(as userID: UInt64, client: TwitterClient) async throws -> AccessToken {
        let requestToken = try await client.requestToken(callback: Self.callback)
        let (callback, _) = try await approve(requestToken, as: userID, client: client)
        guard case .authorized(let token, let verifier) = callback, token == requestToken.token else {
            throw UnexpectedResponse(description: "expected an approval, got \(callback)")
        }
        return try await client.accessToken(requestToken: requestToken, verifier: verifier)
    }
}

/// RFC 3986 unreserved-only encoding for building test form bodies by hand.
public enum PercentEncodingForTests: Sendable {
    public static func encode(_ text: String) -> String {
        text.addingPercentEncoding(
            withAllowedCharacters: CharacterSet(
                charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"
            )
        ) ?? text
    }
}
