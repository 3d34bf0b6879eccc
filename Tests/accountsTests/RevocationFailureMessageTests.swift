import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// `accounts users delete --revoke-twitter-token` when Twitter times out, answers too much, answers an unexpected
/// status or cannot be reached: the warning says what was at fault and what to check in the command's own terms (it
/// has no time-out or size option; `--twitter-api-base` is the API it talks to), never a `TwitterClient` parameter.
/// Real database files, a sandbox in a process of its own on 127.0.0.1.
struct RevocationFailureMessageTests {
    static let zoe: UInt64 = 1_234_567_890_123_456_789
    static let consumer = ["TWITTER_CONSUMER_KEY": "ck", "TWITTER_CONSUMER_SECRET": "cs-SECRET-0123456789"]

    /// Deletes an account whose stored token (and its secret) is `token`, revoking at `apiBase`; returns the result
    /// and whether the account is gone.
    static func deleteRevoking(at apiBase: String, token: String) async throws -> (CommandResult, gone: Bool) {
        try await withTemporaryDirectory { dir in
            let keys = "k1:" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
            let store = try makeStore(
                in: dir, keyRing: try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": keys]))
            let account = try await store.createAccount(newAccount("ann", email: "ann@example.org"))
            try await store.linkTwitter(
                twitterIdentity(String(Self.zoe), screenName: "ann"),
                credential: TwitterCredential(token: token, secret: Secret(token + "-SECRET")), to: .id(account.id))
            try store.close()
            let database = dir + "/accounts.sqlite"
            let result = try await runAccounts(
                [
                    "--database", database, "users", "delete", "ann", "--revoke-twitter-token", "--twitter-api-base",
                    apiBase,
                ],
                environment: Self.consumer.merging(["ACCOUNTS_KEYS": keys]) { $1 })
            let show = try await runAccounts(["--database", database, "users", "show", "ann"])
            for secret in [token, token + "-SECRET", Self.consumer["TWITTER_CONSUMER_SECRET"]!] {
                let leaked = result.stdout.contains(secret) || result.stderr.contains(secret)
                #expect(!leaked, "the output holds a token, its secret or the consumer secret")
            }
            return (result, show.status == 1)
        }
    }

    static let prefix =
        "accounts: warning: the account is deleted, but Twitter did not revoke its access token or that of a draft "
        + "offered to it ("
    static let suffix = "); the person can revoke the app in Twitter's settings\n"

    /// The warning holds `reason` (if given), exit 75, the account gone, and no library parameter offered as advice.
    static func expectWarning(_ result: CommandResult, gone: Bool, _ reason: String?) {
        #expect(result.status == 75, "\(result.stderr)")
        if let reason { #expect(result.stderr == prefix + reason + suffix) }
        #expect(result.stdout.contains("\n  its access token NOT revoked at Twitter (see the warning)\n"))
        #expect(gone)
        for library in ["TwitterClient", "timeout:", "maximumResponseBodySize", "baseURL", "raise the timeout"] {
            #expect(!result.stderr.contains(library), "\(result.stderr)")
        }
    }

    @Test func aRefusedConnectionSaysSoAndNamesTheFlag() async throws {
        // (a port where nothing listens: each connection is refused. The command says so at once, not a time-out after
        // its 10 s for the call: the HTTP client does not try to connect again until then)
        let port = try refusedPort()
        let (result, gone) = try await Self.deleteRevoking(at: "http://127.0.0.1:\(port)", token: "token-unreachable")
        Self.expectWarning(
            result, gone: gone,
            "could not reach Twitter at 127.0.0.1: connection refused; check the network and the --twitter-api-base URL"
        )
    }

    @Test func aTimeOutAnOversizedAnswerAndAnUnexpectedStatusSayWhatToCheck() async throws {
        try await SandboxHarness.runInItsOwnProcess { sandbox in
            let base = sandbox.baseURL.absoluteString
            // An address where no Twitter API is: the sandbox answers 404 without an error list
            let (wrongPath, gone404) = try await Self.deleteRevoking(at: base + "/not-the-api", token: "token-404")
            Self.expectWarning(
                wrongPath, gone: gone404,
                "Twitter answered with unexpected HTTP status 404 and no error list; check the --twitter-api-base "
                    + "URL (redirects are not followed)")

            #expect(
                try await sandbox.failNext(
                    #"{"endpoint": "invalidate_token", "mode": "oversized", "size": 3145728}"#) == 200)
            let (oversized, goneLarge) = try await Self.deleteRevoking(at: base, token: "token-large")
            Self.expectWarning(
                oversized, gone: goneLarge,
                "Twitter's response is larger than the 1048576-byte limit and was not read; Twitter's answers take "
                    + "a few kilobytes, so check the --twitter-api-base URL")

            // (the command gives Twitter 10 s; the sandbox holds the answer for 20)
            #expect(
                try await sandbox.failNext(#"{"endpoint": "invalidate_token", "mode": "slow", "delay_ms": 20000}"#)
                    == 200)
            let (slow, goneSlow) = try await Self.deleteRevoking(at: base, token: "token-slow")
            Self.expectWarning(
                slow, gone: goneSlow,
                "Twitter did not answer within 10 s; check the network and the --twitter-api-base URL")
        }
    }
}
