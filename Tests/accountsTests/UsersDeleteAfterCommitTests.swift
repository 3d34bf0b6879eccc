import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing
import TwitterOAuth

/// `accounts users delete` when a step after the deletion committed fails: the offered drafts' deletion, or the look-up
/// of whether a draft's Twitter account is linked by now. A trigger records a migration from a newer build as the
/// account's row goes, so every transaction after the deletion finds the schema ahead (as when another process runs a
/// newer `accounts migrate` in between). Until session 59 the command then exited 1 with the error alone: no report of
/// the deletion, which had committed (running it again said `no account 'ann'`), and no revocation at all.
struct UsersDeleteAfterCommitTests {
    static let ada: UInt64 = 783_214

    static let newerMigrationOnDelete = """
        CREATE TRIGGER newer_build AFTER DELETE ON users BEGIN
            INSERT INTO schema_migrations (version, name, checksum, applied_at, execution_micros)
            VALUES (9999, 'from_a_newer_build', '0000000000000000000000000000000000000000000000000000000000000000', 0, 0);
        END;
        """

    @Test func theDeletionIsReportedWhenTheOfferedDraftsCannotBeDeleted() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            let ann = try await store.createAccount(newAccount("ann", email: "ann@example.org", emailVerified: true))
            try store.close()
            let database = dir + "/accounts.sqlite"
            try executeSQL(database, Self.newerMigrationOnDelete)
            let result = try await runAccounts(["--database", database, "users", "delete", "ann"])
            #expect(result.status == 75, "exit \(result.status): \(result.stderr)")
            #expect(result.stdout.hasPrefix("deleted account \(ann.id) (ann)\n"), "\(result.stdout)")
            #expect(
                result.stderr.hasPrefix(
                    "accounts: warning: the account is deleted (above), but not the drafts of Twitter sign-ins offered "
                        + "to link to it, if any ("),
                "\(result.stderr)")
            #expect(result.stderr.contains("9999"), "the reason names the newer migration: \(result.stderr)")
            #expect(countQuery(database, "SELECT count(*) FROM users") == 0)
        }
    }

    /// With `--revoke-twitter-token`: the deleted link draft's token is not revoked when whether its Twitter account
    /// is linked by now cannot be told (it may hold the same token), and the command says so, exit 75.
    @Test func aTokenWhoseLinkCannotBeCheckedIsReportedNotRevoked() async throws {
        try await SandboxHarness.runInItsOwnProcess { sandbox in
            try await withTemporaryDirectory { dir in
                let keys = "k1:" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
                let store = try makeStore(
                    in: dir, keyRing: try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": keys]))
                let ann = try await store.createAccount(
                    newAccount("ann", email: "ann@example.org", emailVerified: true))
                let access = try await sandbox.signIn(as: Self.ada, client: sandbox.client())
                try await store.saveDraft(
                    RegistrationDraft(
                        id: "link-for-ann", browserSession: "phone", purpose: .link,
                        twitterUserID: TwitterUserID(Self.ada), screenName: access.screenName,
                        credential: TwitterCredential(token: access.token, secret: Secret(access.secret)),
                        profileJSON: Array("{}".utf8), fields: [:], linkUser: ann.id,
                        createdAt: store.currentDate, expiresAt: store.currentDate.addingTimeInterval(3600)))
                try store.close()
                let database = dir + "/accounts.sqlite"
                try executeSQL(database, Self.newerMigrationOnDelete)
                let result = try await runAccounts(
                    [
                        "--database", database, "users", "delete", "ann", "--revoke-twitter-token",
                        "--twitter-api-base", sandbox.baseURL.absoluteString,
                    ],
                    environment: [
                        "TWITTER_CONSUMER_KEY": sandbox.consumer.key,
                        "TWITTER_CONSUMER_SECRET": sandbox.consumer.secret, "ACCOUNTS_KEYS": keys,
                    ])
                #expect(result.status == 75, "exit \(result.status): \(result.stderr)")
                #expect(result.stdout.hasPrefix("deleted account \(ann.id) (ann)\n"), "\(result.stdout)")
                #expect(result.stdout.contains("  1 registration draft (0 tokens revoked at Twitter)\n"))
                #expect(
                    result.stderr.contains(
                        "the Twitter access token of a draft it left was not revoked: could not tell whether Twitter "
                            + "user \(Self.ada) is linked to an account by now"),
                    "\(result.stderr)")
                #expect(!result.stderr.contains("Twitter did not revoke"), "Twitter was not asked: \(result.stderr)")
                #expect(countQuery(database, "SELECT count(*) FROM users") == 0)
                for secret in [access.token, access.secret, sandbox.consumer.secret] {
                    let leaked = result.stdout.contains(secret) || result.stderr.contains(secret)
                    #expect(!leaked, "the output holds a token, its secret or the consumer secret")
                }
            }
        }
    }
}
