import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// The stored Twitter profile in the account's JSON ("Download your data": `includingProfile`).
struct StoredProfileDownloadTests {
    /// The profile is pasted as it is only when it is a strict JSON object: one stored with a trailing comma
    /// (`{"verified": false,}`, which `JSONSerialization` takes, but Python's `json`, `jq` and browsers' `JSON.parse`
    /// refuse) is `null` in the download, which stays JSON.
    @Test func aStoredProfileWithATrailingCommaDoesNotBreakTheDownload() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let profile = #"{"id_str": "5", "screen_name": "zoe", "name": "Zoe", "verified": false,}"#
            let identity = NewTwitterIdentity(
                userID: TwitterUserID(5), screenName: "zoe", name: "Zoe", profileJSON: Array(profile.utf8))
            let account = try await store.createAccount(
                newAccount("zoe"), linking: identity, credential: TwitterCredential(token: "t", secret: Secret("s")))
            let overview = try #require(try await store.accountOverview(.id(account.id)))
            let json = overview.json(eventsKey: "events", includingProfile: true)
            // (the only trailing comma is the profile's)
            #expect(!json.contains("false,}"), "the download holds the profile's trailing comma: it is not JSON")
        }
    }
}
