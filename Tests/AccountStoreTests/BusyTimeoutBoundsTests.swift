import AccountStore
import Foundation
import TestSupport
import Testing

/// `StoreConfiguration.busyTimeout` is used as 0 to `Int32.max` milliseconds: a "never" such as `.seconds(Int64.max)`
/// opens the store (until session 62 it trapped converting it to SQLite's milliseconds, as anything above 24.8 days
/// did), and so does a negative one.
struct BusyTimeoutBoundsTests {
    @Test(arguments: [Duration.seconds(Int64.max), .seconds(30 * 24 * 60 * 60), .seconds(-5)])
    func aBusyTimeoutOutOfSQLitesRangeStillOpensTheStore(timeout: Duration) async throws {
        try await withTemporaryDirectory { dir in
            var configuration = StoreConfiguration(path: dir + "/accounts.sqlite")
            configuration.schemaPolicy = .applyPendingMigrations
            configuration.busyTimeout = timeout
            #expect(configuration.usableBusyTimeout >= .zero)
            #expect(configuration.usableBusyTimeout <= .milliseconds(2_147_483_647))
            let store = try AccountStore(configuration: configuration, keyRing: makeKeyRing())
            defer { try? store.close() }
            _ = try await store.createAccount(newAccount("ann"))
            #expect(try await store.accountCount() == 1)
        }
    }
}
