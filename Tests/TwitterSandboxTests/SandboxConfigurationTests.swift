import Foundation
import TestSupport
import Testing
import TwitterOAuth
import TwitterSandbox

struct SandboxConfigurationTests {
    @Test func flagsWinOverTheEnvironment() throws {
        let resolved = try SandboxConfiguration.resolveConsumer(
            key: "flag-key",
            secret: "flag-secret",
            environment: ["TWITTER_CONSUMER_KEY": "env-key", "TWITTER_CONSUMER_SECRET": "env-secret"]
        )
        #expect(resolved.credentials == ConsumerCredentials(key: "flag-key", secret: "flag-secret"))
        #expect(resolved.source == .given)
    }

    @Test func theEnvironmentWinsOverAGeneratedPair() throws {
        let resolved = try SandboxConfiguration.resolveConsumer(
            key: nil,
            secret: nil,
            environment: ["TWITTER_CONSUMER_KEY": "env-key", "TWITTER_CONSUMER_SECRET": "env-secret"]
        )
        #expect(resolved.credentials == ConsumerCredentials(key: "env-key", secret: "env-secret"))
        #expect(resolved.source == .environment)
    }

    @Test func generatesAThrowawayPairOtherwise() throws {
        let resolved = try SandboxConfiguration.resolveConsumer(key: nil, secret: nil, environment: [:])
        let other = SandboxConfiguration.generateConsumerCredentials()
        #expect(resolved.source == .generated)
        #expect(resolved.credentials.key.count == 25)
        #expect(resolved.credentials.secret.count == 50)
        #expect(resolved.credentials.secret.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        #expect(other != resolved.credentials)
    }

    @Test(arguments: [
        ("k", nil, [String: String]()),
        (nil, "s", [:]),
        (nil, nil, ["TWITTER_CONSUMER_KEY": "k"]),
        (nil, nil, ["TWITTER_CONSUMER_SECRET": "s"]),
    ])
    func refusesHalfAPair(key: String?, secret: String?, environment: [String: String]) {
        #expect(throws: SandboxError.incompleteConsumerCredentials) {
            try SandboxConfiguration.resolveConsumer(key: key, secret: secret, environment: environment)
        }
    }

    @Test func builtInUsersCoverTheHardCases() {
        let users = SandboxUser.builtIn
        #expect(users.contains { $0.id > 1 << 53 && $0.email != nil })
        #expect(users.contains { $0.id > 1 << 53 && $0.email == nil })
        #expect(users.contains { $0.name == "Zoë Ångström" })
        #expect(users.contains { $0.name == "山田 太郎" })
    }

    @Test func usersFileRoundTrips() throws {
        let data = try JSONEncoder().encode(SandboxUser.builtIn)
        #expect(try SandboxUser.decode(json: Array(data)) == SandboxUser.builtIn)
    }

    @Test func readsAUsersFileFromDisk() throws {
        // Given
        let url = FileManager.default.temporaryDirectory.appending(path: "sandbox-users-\(UUID().uuidString).json")
        try Data(#"[{"id_str": "42", "screen_name": "a", "name": "A"}]"#.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        // When
        let users = try SandboxUser.load(contentsOf: url)
        // Then
        #expect(users == [SandboxUser(id: 42, screenName: "a", name: "A")])
    }

    @Test(arguments: [
        ("[]", "invalid sandbox users file: the list of users is empty"),
        ("{}", "invalid sandbox users file: not a JSON array of users"),
        (
            "[{\"id_str\": 42, \"screen_name\": \"a\", \"name\": \"A\"}]",
            "invalid sandbox users file: user 1: id_str has the wrong type"
        ),
        ("[{\"screen_name\": \"a\", \"name\": \"A\"}]", "invalid sandbox users file: user 1: id_str is missing"),
        (
            #"[{"id_str": "1", "screen_name": "a", "name": "A"}, "#
                + #"{"id_str": "1", "screen_name": "b", "name": "B"}]"#,
            "invalid sandbox users file: user 2: id_str 1 appears twice"
        ),
        (
            "[{\"id_str\": \"1\", \"screen_name\": \"a\", \"name\": \"A\", \"created_at\": \"2018-10-10\"}]",
            "invalid sandbox users file: user 1: created_at must look like \"Wed Oct 10 20:19:24 +0000 2018\""
        ),
    ])
    func refusesABadUsersFileSayingWhy(json: String, message: String) {
        let error = #expect(throws: SandboxError.self) { try SandboxUser.decode(json: Array(json.utf8)) }
        #expect(error?.description == message)
    }

    /// `id_str` is Twitter's canonical decimal string. One with a sign or leading zeros (`"+8"`, `"007"`) was read
    /// through `UInt64(_:)` and served as another string (`"8"`, `"7"`) by the consent page, `access_token` and
    /// `verify_credentials`, so the id a tester wrote is not the id the app sees; it should be refused like a number.
    @Test(arguments: ["007", "+8"])
    func refusesAnIDStrThatIsNotCanonicalDecimal(idString: String) {
        let json = "[{\"id_str\": \"\(idString)\", \"screen_name\": \"a\", \"name\": \"A\"}]"
        let error = #expect(throws: SandboxError.self) { try SandboxUser.decode(json: Array(json.utf8)) }
        #expect(error?.description.contains("id_str") == true, "\(String(describing: error))")
    }

    @Test func refusesAnUnusableConfiguration() {
        var configuration = SandboxConfiguration(consumer: ConsumerCredentials(key: "k", secret: "s"))
        configuration.port = 70_000
        #expect(throws: SandboxError.self) { try TwitterSandbox(configuration: configuration) }
        configuration.port = 0
        configuration.users = []
        #expect(throws: SandboxError.invalidConfiguration("at least one fake user is needed")) {
            try TwitterSandbox(configuration: configuration)
        }
    }
}
