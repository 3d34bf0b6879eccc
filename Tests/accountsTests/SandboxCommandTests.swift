import Foundation
import TestSupport
import Testing
import TwitterOAuth

struct SandboxCommandTests {
    /// `accounts sandbox` serves the whole three-legged flow to the real client over loopback, and stops on SIGTERM.
    @Test func servesTheFullFlowAndStopsCleanly() async throws {
        // Given the sandbox started from the CLI with given consumer credentials
        let consumer = ConsumerCredentials(key: "cli-test-key", secret: "cli-test-secret-0123456789")
        let server = try ServerProcess(
            accountsExecutable(),
            ["sandbox", "--port", "0", "--consumer-key", consumer.key, "--consumer-secret", consumer.secret])
        let line = try await server.firstLine()
        #expect(line.wholeMatch(of: /http:\/\/127\.0\.0\.1:\d+\//) != nil)
        let base = try #require(URL(string: String(line.dropLast())))

        // When the client runs request token → consent → access token → verify_credentials
        // (with room: a call waited past the 30 s default in session 61's CI, the whole suite's processes on 2 cores)
        let client = TwitterClient(consumer: consumer, baseURL: base, timeout: .seconds(120))
        let callback = "http://127.0.0.1:9/callback"
        let requestToken = try await client.requestToken(callback: callback)
        let consent = try await AsyncHTTPClientTransport.shared.send(
            method: "POST", url: base.appendingPathComponent("oauth/authorize"),
            headers: [HTTPHeader(name: "Content-Type", value: "application/x-www-form-urlencoded")],
            body: Array("oauth_token=\(requestToken.token)&user_id=9007199254740993&action=authorize".utf8),
            timeout: .seconds(120), maximumResponseBodySize: 1 << 20)
        let location = try #require(consent.headers.first { $0.name.lowercased() == "location" }?.value)
        guard case .authorized(_, let verifier) = try TwitterCallback(url: try #require(URL(string: location))) else {
            Issue.record("expected an approval at \(location)")
            return
        }
        let accessToken = try await client.accessToken(requestToken: requestToken, verifier: verifier)
        let profile = try await client.verifyCredentials(accessToken: accessToken)

        // Then the profile is the fake user's, id exact above 2^53, and SIGTERM ends the server with status 0
        #expect(profile.id == 9_007_199_254_740_993)
        #expect(profile.name == "山田 太郎")
        #expect(await server.stop() == 0)
        expectAbsent(consumer.secret, named: "the consumer secret", in: server.stderrText.value)
        // an ordinary stop is graceful, not an error (HummingbirdCore logged "Waiting on child channel:
        // CancellationError()" at error level when the server was cancelled outright)
        #expect(!server.stderrText.value.contains(" error "), "\(server.stderrText.value)")
    }

    /// `--callback-url` registers the app's callback URLs: others are refused with Twitter's error 415, which the
    /// client names with the URL to register.
    @Test func registeredCallbackURLsAreTheOnlyOnesAccepted() async throws {
        let consumer = ConsumerCredentials(key: "cli-test-key", secret: "cli-test-secret-0123456789")
        let server = try ServerProcess(
            accountsExecutable(),
            [
                "sandbox", "--port", "0", "--consumer-key", consumer.key, "--consumer-secret", consumer.secret,
                "--callback-url", "http://127.0.0.1:9/callback", "--callback-url", "https://app.example/cb",
            ])
        let line = try await server.firstLine()
        let base = try #require(URL(string: String(line.dropLast())))
        let client = TwitterClient(consumer: consumer, baseURL: base)
        _ = try await client.requestToken(callback: "http://127.0.0.1:9/callback?next=%2F")
        _ = try await client.requestToken(callback: "https://app.example/cb")
        await #expect(throws: TwitterError.callbackNotApproved(callback: "http://127.0.0.1:8/callback")) {
            try await client.requestToken(callback: "http://127.0.0.1:8/callback")
        }
        #expect(await server.stop() == 0)
    }

    @Test(arguments: [
        (
            ["https://app.example/cb?source=twitter"],
            "--callback-url: \"https://app.example/cb?source=twitter\" has a query"
        ),
        (["app.example/cb"], "--callback-url: \"app.example/cb\" is not an absolute http(s) URL"),
        (
            (1...11).map { "https://app.example/cb\($0)" },
            "--callback-url is given 11 times; an app registers at most 10"
        ),
    ])
    func aCallbackURLThePortalWouldNotTakeIsAUsageError(urls: [String], message: String) async throws {
        let result = try await runAccounts(["sandbox", "--port", "0"] + urls.flatMap { ["--callback-url", $0] })
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func withoutCredentialsItPrintsTheThrowawayPairItInvented() async throws {
        let server = try ServerProcess(accountsExecutable(), ["sandbox"])
        _ = try await server.firstLine()
        #expect(await server.stop(signal: SIGINT) == 0)
        let text = server.stderrText.value
        #expect(text.contains("TWITTER_CONSUMER_KEY="))
        #expect(text.contains("TWITTER_CONSUMER_SECRET="))
    }

    @Test func halfAConsumerPairIsAUsageErrorNamingTheMissingHalf() async throws {
        let result = try await runAccounts(["sandbox", "--consumer-key", "only-key"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--consumer-key is given but --consumer-secret is not"), "\(result.stderr)")
        let other = try await runAccounts(["sandbox", "--consumer-secret", "only-secret"])
        #expect(other.status == 64)
        #expect(other.stderr.contains("--consumer-secret is given but --consumer-key is not"))
        expectAbsent("only-secret", named: "the consumer secret", in: other.stderr)  // (a secret is never echoed)
    }

    /// An empty `--consumer-key` or `--consumer-secret` (an unset shell variable) is half a pair of flags, a usage
    /// error (exit 64) like the other half missing; it exited 65, "invalid input data".
    @Test(arguments: [
        ["--consumer-key", "", "--consumer-secret", "s"], ["--consumer-key", "k", "--consumer-secret", ""],
    ])
    func anEmptyConsumerFlagIsAUsageError(flags: [String]) async throws {
        let result = try await runAccounts(["sandbox", "--port", "0"] + flags)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains(flags[1].isEmpty ? "--consumer-key is empty" : "--consumer-secret is empty"))
        #expect(result.stdout.isEmpty)
    }

    /// Half a pair in the environment is the same usage error as half a pair of flags (it exited 65), and names both
    /// variables, never the value.
    @Test(arguments: ["TWITTER_CONSUMER_KEY", "TWITTER_CONSUMER_SECRET"])
    func halfAConsumerPairInTheEnvironmentIsAUsageError(variable: String) async throws {
        let other = variable == "TWITTER_CONSUMER_KEY" ? "TWITTER_CONSUMER_SECRET" : "TWITTER_CONSUMER_KEY"
        let result = try await runAccounts(
            ["sandbox", "--port", "0"], environment: [variable: "only-half-0123456789", other: ""])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(
            result.stderr.contains("\(variable) is set but \(other) is not: set both, or neither"), "\(result.stderr)")
        #expect(!result.stderr.contains("only-half-0123456789"))
        #expect(result.stdout.isEmpty)
    }

    @Test func aUsersFileThatDoesNotLoadIsInvalidDataNamingTheFile() async throws {
        try await withTemporaryDirectory { dir in
            let file = dir + "/users.json"
            writeFile(file, Array("[]".utf8))
            let result = try await runAccounts(["sandbox", "--port", "0", "--users", file])
            #expect(result.status == 65)
            // (the path once: the library's error names it; the command once put it before that error too)
            #expect(
                result.stderr == "accounts: error: invalid sandbox users file: \(file): the list of users is empty\n")
            #expect(result.stdout.isEmpty)
        }
    }

    /// A bad entry or a syntax error: the file named once, then the entry and field, or the line and column.
    @Test(arguments: [
        (#"[{"id_str": "1", "name": "A"}]"#, "user 1: screen_name is missing"),
        ("[\n  {\"id_str\": \"1\", \"screen_name\": \"a\",\n", "line 3, column 1: not valid JSON"),
    ])
    func aUsersFileWithABadEntryNamesTheFileOnceThenTheEntry(json: String, reason: String) async throws {
        try await withTemporaryDirectory { dir in
            let file = dir + "/users.json"
            writeFile(file, Array(json.utf8))
            let result = try await runAccounts(["sandbox", "--port", "0", "--users", file])
            #expect(result.status == 65)
            #expect(result.stderr == "accounts: error: invalid sandbox users file: \(file): \(reason)\n")
            #expect(result.stdout.isEmpty)
        }
    }
}
