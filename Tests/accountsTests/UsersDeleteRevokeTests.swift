import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing
import TwitterOAuth

/// `accounts users delete --revoke-twitter-token` against a real sandbox on 127.0.0.1 and a real database file.
struct UsersDeleteRevokeTests {
    static let zoe: UInt64 = 1_234_567_890_123_456_789
    static let yamada: UInt64 = 9_007_199_254_740_993
    static let ada: UInt64 = 783_214

    @Test func deleteRevokesTheStoredTokenAtTwitterWhenAsked() async throws {
        try await SandboxHarness.runInItsOwnProcess { sandbox in
            try await withTemporaryDirectory { dir in
                let keys = "k1:" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
                let store = try makeStore(
                    in: dir, keyRing: try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": keys]))
                var tokens: [String: AccessToken] = [:]
                for (username, id) in [("ann", Self.zoe), ("ben", Self.yamada)] {
                    let access = try await sandbox.signIn(as: id, client: sandbox.client())
                    let account = try await store.createAccount(
                        newAccount(username, email: "\(username)@example.org", emailVerified: true))
                    try await store.linkTwitter(
                        twitterIdentity(String(id), screenName: access.screenName),
                        credential: TwitterCredential(token: access.token, secret: Secret(access.secret)),
                        to: .id(account.id))
                    tokens[username] = access
                }
                try store.close()
                let database = dir + "/accounts.sqlite"
                let consumer = [
                    "TWITTER_CONSUMER_KEY": sandbox.consumer.key, "TWITTER_CONSUMER_SECRET": sandbox.consumer.secret,
                ]
                let delete = ["--database", database, "users", "delete"]
                let revoke = ["--revoke-twitter-token", "--twitter-api-base", sandbox.baseURL.absoluteString]

                // Without the consumer pair: a usage error, nothing deleted
                let before = try databaseDump(database)
                let refused = try await runAccounts(
                    delete + ["ann"] + revoke, environment: ["ACCOUNTS_KEYS": keys])
                #expect(refused.status == 64)
                #expect(refused.stderr.contains("needs TWITTER_CONSUMER_KEY and TWITTER_CONSUMER_SECRET"))
                let stray = try await runAccounts(delete + ["ann", "--twitter-api-base", "https://api.x.com"])
                #expect(stray.status == 64 && stray.stderr.contains("--twitter-api-base is for --revoke-twitter-token"))
                // A base with credentials is named as such (until session 62: "must be an absolute http(s) URL")
                let withPassword = try await runAccounts(
                    delete + [
                        "ann", "--revoke-twitter-token", "--twitter-api-base", "https://u:PROXYPASSWORD@api.x.com",
                    ],
                    environment: consumer.merging(["ACCOUNTS_KEYS": keys]) { $1 })
                #expect(withPassword.status == 64)
                // (what it said as a failure shows it: the password, should it be echoed, as <the password>)
                let said = withPassword.stderr.replacingOccurrences(of: "PROXYPASSWORD", with: "<the password>")
                #expect(
                    said.contains(
                        "--twitter-api-base must not carry a user name or password (user:password@host): it would be "
                            + "sent and logged with every request"), "\(said)")
                #expect(!withPassword.stderr.contains("PROXYPASSWORD"))
                #expect(try databaseDump(database) == before)

                // With it: deleted, and the token no longer works at Twitter
                let deleted = try await runAccounts(
                    delete + ["ann"] + revoke, environment: consumer.merging(["ACCOUNTS_KEYS": keys]) { $1 })
                #expect(deleted.status == 0, "\(deleted.stderr)")
                #expect(deleted.stdout.contains("\n  its access token revoked at Twitter\n"), "\(deleted.stdout)")
                try await Self.expectRefused(tokens["ann"]!, sandbox)
                #expect(try await sandbox.client().verifyCredentials(accessToken: tokens["ben"]!).id == Self.yamada)

                // When Twitter fails: deleted all the same, exit 75 with a warning, never the token
                _ = try await sandbox.failNext(
                    #"{"endpoint": "invalidate_token", "mode": "server_error", "status": 503}"#)
                let failed = try await runAccounts(
                    delete + ["ben"] + revoke, environment: consumer.merging(["ACCOUNTS_KEYS": keys]) { $1 })
                #expect(failed.status == 75)
                #expect(failed.stdout.contains("\n  its access token NOT revoked at Twitter (see the warning)\n"))
                #expect(
                    failed.stderr.hasPrefix("accounts: warning: the account is deleted, but Twitter did not revoke"))
                for secret in [tokens["ben"]!.token, tokens["ben"]!.secret, sandbox.consumer.secret] {
                    // (a failure names no secret)
                    let leaked = failed.stdout.contains(secret) || failed.stderr.contains(secret)
                    #expect(!leaked, "the output holds a token, its secret or the consumer secret")
                }
                let show = try await runAccounts(["--database", database, "users", "show", "ben"])
                #expect(show.status == 1)
            }
        }
    }

    /// A Twitter sign-in whose profile's address shares an account's mailbox left a draft offering to link to it,
    /// with that profile and a working token: deleting the account deletes it too (as the web's "Delete account"
    /// does), revoking its token when asked; a draft with another mailbox stays. So does a "Link Twitter account"
    /// approved and not confirmed (a draft to be linked to the account).
    @Test func deleteDiscardsTheDraftsOfferedToTheAccount() async throws {
        try await SandboxHarness.runInItsOwnProcess { sandbox in
            try await withTemporaryDirectory { dir in
                let keys = "k1:" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
                let store = try makeStore(
                    in: dir, keyRing: try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": keys]))
                var tokens: [AccessToken] = []
                var linkToken: AccessToken?
                for (username, id) in [("ann", Self.zoe), ("ben", Self.yamada)] {
                    let account = try await store.createAccount(
                        newAccount(username, email: "\(username)@example.org", emailVerified: true))
                    if username == "ann" {
                        let access = try await sandbox.signIn(as: Self.ada, client: sandbox.client())
                        linkToken = access
                        try await store.saveDraft(
                            RegistrationDraft(
                                id: "link-for-ann", browserSession: "phone", purpose: .link,
                                twitterUserID: TwitterUserID(Self.ada), screenName: access.screenName,
                                credential: TwitterCredential(token: access.token, secret: Secret(access.secret)),
                                profileJSON: Array("{}".utf8), fields: [:], linkUser: account.id,
                                createdAt: store.currentDate, expiresAt: store.currentDate.addingTimeInterval(3600)))
                    }
                    let access = try await sandbox.signIn(as: id, client: sandbox.client())
                    tokens.append(access)
                    try await store.saveDraft(
                        RegistrationDraft(
                            id: "offered-to-\(username)", browserSession: "b", purpose: .register,
                            twitterUserID: TwitterUserID(id), screenName: access.screenName,
                            credential: TwitterCredential(token: access.token, secret: Secret(access.secret)),
                            profileJSON: Array(#"{"email": "\#(username.uppercased())@Example.org"}"#.utf8),
                            fields: [:],
                            linkUser: nil, createdAt: store.currentDate,
                            expiresAt: store.currentDate.addingTimeInterval(3600)))
                }
                try store.close()
                let database = dir + "/accounts.sqlite"
                let environment = [
                    "TWITTER_CONSUMER_KEY": sandbox.consumer.key, "TWITTER_CONSUMER_SECRET": sandbox.consumer.secret,
                    "ACCOUNTS_KEYS": keys,
                ]
                let deleted = try await runAccounts(
                    [
                        "--database", database, "users", "delete", "ann", "--revoke-twitter-token",
                        "--twitter-api-base", sandbox.baseURL.absoluteString,
                    ], environment: environment)
                #expect(deleted.status == 0, "\(deleted.stderr)")
                #expect(
                    deleted.stdout.hasSuffix(
                        """
                          1 registration draft (1 token revoked at Twitter)
                          0 pending Twitter authorizations
                          1 registration draft of a Twitter sign-in offered to link to it (1 token revoked at Twitter)

                        """),
                    "\(deleted.stdout)")
                try await Self.expectRefused(try #require(linkToken), sandbox)
                #expect(countQuery(database, "SELECT count(*) FROM registration_drafts") == 1)
                #expect(
                    countQuery(database, "SELECT count(*) FROM registration_drafts WHERE id = 'offered-to-ben'") == 1)
                try await Self.expectRefused(tokens[0], sandbox)
                #expect(try await sandbox.client().verifyCredentials(accessToken: tokens[1]).id == Self.yamada)

                // Without --revoke-twitter-token the stored draft goes all the same
                let plain = try await runAccounts(["--database", database, "users", "delete", "ben"])
                #expect(plain.status == 0, "\(plain.stderr)")
                #expect(plain.stdout.hasSuffix("\n  1 registration draft of a Twitter sign-in offered to link to it\n"))
                #expect(countQuery(database, "SELECT count(*) FROM registration_drafts") == 0)
            }
        }
    }

    static func expectRefused(_ token: AccessToken, _ sandbox: SandboxHarness) async throws {
        let refusal: TwitterError?
        do {
            _ = try await sandbox.client().verifyCredentials(accessToken: token)
            refusal = nil
        } catch {
            refusal = error
        }
        guard case .rejected(let status, let errors) = refusal else {
            Issue.record("the token still works at Twitter, or another error: \(String(describing: refusal))")
            return
        }
        #expect(status == 401 && errors.map(\.code) == [89])
    }

    /// README: `--revoke-twitter-token` needs "the keys to open the token, else 65, nothing deleted". A key ring
    /// that lacks the token's key exits 1 (nothing is deleted, rightly).
    @Test func revokeWithAKeyRingThatCannotOpenTheTokenExits65() async throws {
        try await withTemporaryDirectory { dir in
            let old = "k1:" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
            let other = "k2:" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
            let store = try makeStore(
                in: dir, keyRing: try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": old]))
            let account = try await store.createAccount(newAccount("ann", email: "ann@example.org"))
            try await store.linkTwitter(
                twitterIdentity(String(Self.zoe), screenName: "ann"),
                credential: TwitterCredential(token: "token-ann", secret: Secret("secret-ann")), to: .id(account.id))
            try store.close()
            let database = dir + "/accounts.sqlite"
            let before = try databaseDump(database)
            let result = try await runAccounts(
                [
                    "--database", database, "users", "delete", "ann", "--revoke-twitter-token", "--twitter-api-base",
                    "http://127.0.0.1:9",
                ],
                environment: ["ACCOUNTS_KEYS": other, "TWITTER_CONSUMER_KEY": "ck", "TWITTER_CONSUMER_SECRET": "cs"])
            #expect(result.status == 65, "\(result.stderr)")
            #expect(
                result.stderr.contains(
                    "cannot revoke the Twitter token: the sealed value was sealed with key \"k1\", which is not in "
                        + "the key ring ("), "\(result.stderr)")
            #expect(result.stderr.hasSuffix("; nothing deleted\n"), "\(result.stderr)")
            #expect(try databaseDump(database) == before)
        }
    }
}
