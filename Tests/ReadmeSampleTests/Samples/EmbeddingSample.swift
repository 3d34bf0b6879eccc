import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import Logging

/// README "Embedding the library": opening a store as an app does (its top-level statements, in a function).
func embeddingSample() async throws {
    let logger = Logger(label: "app.accounts")

    // Keys: --keys-file / ACCOUNTS_KEYS_FILE / ACCOUNTS_KEYS, as the CLI reads them.
    let keyRing = try KeyRing.load(keysFile: nil, environment: ProcessInfo.processInfo.environment)

    var configuration = StoreConfiguration(path: "accounts.sqlite")
    configuration.schemaPolicy = .applyPendingMigrations  // default .requireCurrent: refuse (StoreError.schemaBehind)
    configuration.logger = logger  // swift-log; info, warning to act on; never secrets
    let store = try AccountStore(configuration: configuration, keyRing: keyRing)

    let ann = try await store.createAccount(
        NewAccount(
            username: try Username(validating: "ann"),
            email: try EmailAddress(validating: "ann@example.org")))
    if let existing = try store.accountID(twitterUserID: TwitterUserID(decimal: "1234567890123456789")!) {
        print("already registered as \(existing): sign them in")
    }
    // the audit trail, newest first (`created`, `signed_in`, `linked`, …; `recentEvents(limit:)` for every account's)
    for event in try await store.events(for: ann.id, limit: 20) {
        print(event.occurredAt, event.kind.rawValue, event.actor, event.details)
    }

    try store.close()  // at shutdown: checkpoints the -wal file, so deleted rows leave it too
}
