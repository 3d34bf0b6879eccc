import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// What the store's log keeps about a person: README strips the Twitter id and screen name from a deleted account's
/// audit trail ("no username, email or Twitter id"), and the web's log lines carry account ids. A log is kept apart
/// from the database and outlives a deletion, so it must not hold what the deletion removes.
struct PersonalDataInLogsTests {
    /// `createAccount(_:linking:credential:)` logs `account registered with twitter` at info with `twitter.id`: the
    /// log then ties the public id (kept in the trail after deletion) to the person's Twitter account for good, which
    /// the deletion's redaction of the trail was meant to undo.
    @Test func registeringWithTwitterLogsNoTwitterIDAtInfo() async throws {
        try await withTemporaryDirectory { dir in
            let lines = Locked<[String]>([])
            var configuration = StoreConfiguration(path: dir + "/accounts.sqlite")
            configuration.schemaPolicy = .applyPendingMigrations
            configuration.logger = capturingLogger(lines)
            let store = try AccountStore(configuration: configuration, keyRing: makeKeyRing())
            defer { try? store.close() }
            let ann = try await store.createAccount(
                newAccount("ann", email: "ann@example.org"),
                linking: twitterIdentity("9007199254740993", screenName: "ann_hidden_t", name: "Ann Hidden"),
                credential: TwitterCredential(token: "token-ann", secret: Secret("secret-ann")))
            _ = try await store.deleteAccount(.id(ann.id))
            let shown = lines.value.filter { !$0.hasPrefix("debug ") && !$0.hasPrefix("trace ") }
            #expect(shown.contains { $0.contains(ann.id.rawValue) })
            for personal in ["9007199254740993", "ann_hidden_t", "ann@example.org"] {
                #expect(!shown.contains { $0.contains(personal) }, "\(personal) is in an info log line")
            }
        }
    }
}
