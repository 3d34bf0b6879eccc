import Foundation
import InMemoryLogging
import Logging
import TestSupport
import Testing
import TwitterOAuth
import TwitterSandbox

struct TwitterSandboxFlowTests {
    static let zoe: UInt64 = 1_234_567_890_123_456_789
    static let yamada: UInt64 = 9_007_199_254_740_993

    /// `invalidate_token` revokes the access token it is signed with: the profile call and a second revocation are
    /// refused with code 89, the other user's token keeps working, and the next approval issues a new token.
    @Test func invalidatingAnAccessTokenStopsItWorking() async throws {
        try await SandboxHarness.run { sandbox in
            let client = sandbox.client()
            let zoe = try await sandbox.signIn(as: Self.zoe, client: client)
            let yamada = try await sandbox.signIn(as: Self.yamada, client: client)

            try await client.invalidateToken(zoe.token, secret: zoe.secret)

            for attempt in ["profile", "second revocation"] {
                do {
                    if attempt == "profile" {
                        _ = try await client.verifyCredentials(accessToken: zoe)
                    } else {
                        try await client.invalidateToken(zoe.token, secret: zoe.secret)
                    }
                    Issue.record("\(attempt): a revoked token was accepted")
                } catch let error as TwitterError {
                    guard case .rejected(let status, let errors) = error else { throw error }
                    #expect(status == 401 && errors.map(\.code) == [89], "\(attempt)")
                }
            }
            #expect(try await client.verifyCredentials(accessToken: yamada).id == Self.yamada)
            let again = try await sandbox.signIn(as: Self.zoe, client: client)
            #expect(again.token != zoe.token)
            #expect(try await client.verifyCredentials(accessToken: again).id == Self.zoe)
        }
    }

    @Test func completesTheThreeLeggedFlowOverLoopback() async throws {
        try await SandboxHarness.run { sandbox in
            // Given
            let client = sandbox.client()
            // When: request token, consent page, approval, access token, profile
            let requestToken = try await client.requestToken(callback: SandboxHarness.callback)
            let page = try await sandbox.browse(client.authenticationURL(for: requestToken))
            let html = String(decoding: page.body, as: UTF8.self)
            let redirect = try await sandbox.submitConsent(
                token: requestToken.token,
                userID: Self.zoe,
                action: "authorize"
            )
            let location = try #require(redirect.headerValue("location"))
            let callback = try TwitterCallback(url: try #require(URL(string: location)))
            guard case .authorized(let token, let verifier) = callback else {
                Issue.record("expected an approval, got \(callback)")
                return
            }
            let accessToken = try await client.accessToken(requestToken: requestToken, verifier: verifier)
            let profile = try await client.verifyCredentials(accessToken: accessToken)
            // Then
            #expect(page.status == 200)
            #expect(html.contains("type=\"radio\" name=\"user_id\" value=\"1234567890123456789\""))
            #expect(html.contains(">Authorize app</button>"))
            #expect(html.contains(">Cancel</button>"))
            #expect(html.contains("Zoë Ångström"))
            #expect(html.contains("山田 太郎"))
            #expect(redirect.status == 302)
            #expect(location.hasPrefix(SandboxHarness.callback + "&oauth_token="))
            #expect(token == requestToken.token)
            #expect(accessToken.userID == Self.zoe)
            #expect(accessToken.screenName == "zoe_angstrom")
            #expect(profile.id == Self.zoe)
            #expect(profile.screenName == "zoe_angstrom")
            #expect(profile.name == "Zoë Ångström")
            #expect(profile.email == "zoe@example.com")
            #expect(profile.location == "Malmö, Sverige")
            #expect(profile.url == "https://example.com/zoe")
            #expect(profile.createdAt == Date(timeIntervalSince1970: 1_539_202_764))
            #expect(profile.verified)
            let raw = String(decoding: profile.rawJSON, as: UTF8.self)
            #expect(raw.contains(#""id":1234567890123456789,"#))
            #expect(raw.contains(#""id_str":"1234567890123456789""#))
            #expect(raw.contains(#""name":"Zoë Ångström""#))
        }
    }

    @Test func keepsAnIDAboveTwoToTheFiftyThirdExactAndOmitsAMissingEmail() async throws {
        try await SandboxHarness.run { sandbox in
            let client = sandbox.client()
            let accessToken = try await sandbox.signIn(as: Self.yamada, client: client)
            let profile = try await client.verifyCredentials(accessToken: accessToken)
            #expect(accessToken.userID == 9_007_199_254_740_993)
            #expect(profile.id == 9_007_199_254_740_993)
            #expect(profile.name == "山田 太郎")
            #expect(profile.email == nil)
            #expect(!String(decoding: profile.rawJSON, as: UTF8.self).contains("\"email\""))
        }
    }

    @Test func returnsTheSameAccessTokenForTheSameUserAndApp() async throws {
        try await SandboxHarness.run { sandbox in
            let client = sandbox.client()
            let first = try await sandbox.signIn(as: Self.zoe, client: client)
            let second = try await sandbox.signIn(as: Self.zoe, client: client)
            #expect(first == second)
        }
    }

    @Test func cancellingRedirectsWithDenied() async throws {
        try await SandboxHarness.run { sandbox in
            // Given
            let client = sandbox.client()
            let requestToken = try await client.requestToken(callback: SandboxHarness.callback)
            // When
            let redirect = try await sandbox.submitConsent(token: requestToken.token, userID: nil, action: "cancel")
            let location = try #require(redirect.headerValue("location"))
            // Then
            #expect(redirect.status == 302)
            #expect(
                try TwitterCallback(url: try #require(URL(string: location)))
                    == .denied(requestToken: requestToken.token)
            )
            let error = await #expect(throws: TwitterError.self) {
                try await client.accessToken(requestToken: requestToken, verifier: "anything")
            }
            #expect(error?.apiErrorCode == TwitterAPIError.invalidOrExpiredToken)
            let page = try await sandbox.browse(client.authorizationURL(for: requestToken))
            #expect(page.status == 403)
        }
    }

    @Test func authenticateSkipsTheConsentPageForAReturningUserWhenApprovalsAreRemembered() async throws {
        var configuration = SandboxConfiguration(consumer: SandboxConfiguration.generateConsumerCredentials())
        configuration.rememberApprovals = true
        try await SandboxHarness.run(configuration: configuration) { sandbox in
            // Given: Zoë approved once, and the browser keeps the sandbox's cookie
            let client = sandbox.client()
            let first = try await client.requestToken(callback: SandboxHarness.callback)
            let (_, cookie) = try await sandbox.approve(first, as: Self.zoe, client: client)
            let sessionCookie = try #require(cookie)
            let named = sessionCookie.hasPrefix("twitter_sandbox_session=")
            #expect(named, "the sandbox's cookie is not twitter_sandbox_session (its value is not printed)")
            // When
            let second = try await client.requestToken(callback: SandboxHarness.callback)
            let authenticate = try await sandbox.browse(client.authenticationURL(for: second), cookie: sessionCookie)
            let third = try await client.requestToken(callback: SandboxHarness.callback)
            let authorize = try await sandbox.browse(client.authorizationURL(for: third), cookie: sessionCookie)
            let forced = try await sandbox.browse(
                client.authenticationURL(for: third, forceLogin: true),
                cookie: sessionCookie
            )
            let withoutCookie = try await sandbox.browse(client.authenticationURL(for: third))
            // Then: straight back to the app, and the verifier works
            #expect(authenticate.status == 302)
            let location = try #require(authenticate.headerValue("location"))
            guard case .authorized(_, let verifier) = try TwitterCallback(url: try #require(URL(string: location)))
            else {
                Issue.record("expected an approval")
                return
            }
            #expect(try await client.accessToken(requestToken: second, verifier: verifier).userID == Self.zoe)
            // but /oauth/authorize, force_login and a browser without the cookie still see the page
            #expect(authorize.status == 200)
            #expect(forced.status == 200)
            #expect(withoutCookie.status == 200)
        }
    }

    @Test func showsTheConsentPageToAReturningUserUnlessApprovalsAreRemembered() async throws {
        try await SandboxHarness.run { sandbox in
            let client = sandbox.client()
            let first = try await client.requestToken(callback: SandboxHarness.callback)
            let (_, cookie) = try await sandbox.approve(first, as: Self.zoe, client: client)
            let second = try await client.requestToken(callback: SandboxHarness.callback)
            let sessionCookie = try #require(cookie)
            let page = try await sandbox.browse(client.authenticationURL(for: second), cookie: sessionCookie)
            #expect(page.status == 200)
            // the signed-in fake user is preselected
            #expect(String(decoding: page.body, as: UTF8.self).contains("value=\"1234567890123456789\" checked"))
        }
    }

    @Test func servesUsersFromAUsersFile() async throws {
        // Given
        let json = """
            [{"id_str": "18446744073709551615", "screen_name": "max", "name": "Max Ümlaut", "email": "max@example.net",
              "created_at": "Sat Jan 01 00:00:00 +0000 2000", "verified": false}]
            """
        let users = try SandboxUser.decode(json: Array(json.utf8))
        let configuration = SandboxConfiguration(
            consumer: SandboxConfiguration.generateConsumerCredentials(),
            users: users
        )
        try await SandboxHarness.run(configuration: configuration) { sandbox in
            // When
            let client = sandbox.client()
            let profile = try await client.verifyCredentials(
                accessToken: try await sandbox.signIn(as: UInt64.max, client: client)
            )
            // Then
            #expect(profile.id == UInt64.max)
            #expect(profile.name == "Max Ümlaut")
            #expect(profile.email == "max@example.net")
            #expect(profile.createdAt == Date(timeIntervalSince1970: 946_684_800))
        }
    }

    @Test func logsNoSecretsOrTokens() async throws {
        // Given
        let logs = InMemoryLogHandler()
        var logger = Logger(label: "sandbox", factory: { _ in logs })
        logger.logLevel = .trace
        let consumer = SandboxConfiguration.generateConsumerCredentials()
        var secrets: [(secret: String, name: String)] = [(consumer.secret, "the consumer secret")]
        try await SandboxHarness.run(configuration: SandboxConfiguration(consumer: consumer), logger: logger) {
            sandbox in
            // When: a full sign-in and a refused request
            let client = sandbox.client()
            let requestToken = try await client.requestToken(callback: SandboxHarness.callback)
            secrets.append((requestToken.secret, "a request token secret"))
            let (callback, _) = try await sandbox.approve(requestToken, as: Self.zoe, client: client)
            // (a consent that did not authorize would leave the verifier and the tokens unsearched: a failure)
            guard case .authorized(_, let verifier) = callback else {
                Issue.record("the consent did not authorize: \(callback)")
                return
            }
            let accessToken = try await client.accessToken(requestToken: requestToken, verifier: verifier)
            _ = try await client.verifyCredentials(accessToken: accessToken)
            _ = try? await client.accessToken(requestToken: requestToken, verifier: verifier)
            secrets += [
                (verifier, "a verifier"), (accessToken.token, "an access token"),
                (accessToken.secret, "an access token secret"),
            ]
        }
        // Then
        #expect(secrets.count == 5)
        #expect(!logs.entries.isEmpty)
        for entry in logs.entries {
            let text = "\(entry.message) \(entry.metadata)"
            for (secret, name) in secrets {
                expectAbsent(secret, named: "\(name) (in a log line)", in: text)
            }
        }
    }
}
