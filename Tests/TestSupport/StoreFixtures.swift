public import AccountCrypto
import AccountModel
public import AccountStore
public import Foundation
public import Logging

/// A key ring of fresh random keys with the given ids (the first seals).
public func makeKeyRing(_ ids: [String] = ["k1"]) -> KeyRing {
    try! KeyRing(keys: ids.map { try! SecretKey.generate(id: $0) })
}

/// A store over a new migrated database file in `directory`.
public func makeStore(
    in directory: String, name: String = "accounts.sqlite", keyRing: KeyRing? = makeKeyRing(),
    synchronous: StoreConfiguration.Synchronous = .full, now: (@Sendable () -> Date)? = nil, logger: Logger? = nil
) throws -> AccountStore {
    var configuration = StoreConfiguration(path: directory + "/" + name)
    configuration.schemaPolicy = .applyPendingMigrations
    configuration.synchronous = synchronous
    if let now { configuration.now = now }
    if let logger { configuration.logger = logger }
    return try AccountStore(configuration: configuration, keyRing: keyRing)
}

/// A new account to create, with a valid username and, optionally, email.
public func newAccount(
    _ username: String, email: String? = nil, passwordHash: String? = nil, emailVerified: Bool = false
) -> NewAccount {
    NewAccount(
        username: try! Username(validating: username), email: email.map { try! EmailAddress(validating: $0) },
        firstName: nil, lastName: nil, passwordHash: passwordHash, emailVerified: emailVerified)
}

/// A store over a new migrated database in `directory` whose file is due a rebuild: `accounts` accounts made
/// (`user0`, `user1`, …; 400 make copying a table run well past SQLite's 1,000-step progress interval), then `user7`
/// deleted.
public func makeStoreWithARebuildDue(in directory: String, accounts: Int = 400) async throws -> AccountStore {
    let store = try makeStore(in: directory)
    do {
        for index in 0..<accounts { _ = try await store.createAccount(newAccount("user\(index)")) }
        _ = try await store.deleteAccount(.username("user7"))
    } catch {
        try? store.close()
        throw error
    }
    return store
}

/// A Twitter identity as the profile would give it.
public func twitterIdentity(_ id: String, screenName: String = "someone", name: String = "Some One")
    -> NewTwitterIdentity
{
    NewTwitterIdentity(
        userID: TwitterUserID(decimal: id)!, screenName: screenName, name: name,
        profileJSON: Array("{\"id_str\":\"\(id)\",\"screen_name\":\"\(screenName)\"}".utf8))
}

/// A clock tests can move.
public final class TestClock: Sendable {
    private let current: Locked<Date>

    /// A clock standing at `start`.
    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = Locked(start)
    }

    /// The current time.
    public var now: Date { current.value }

    /// Moves the clock forward.
    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    /// The clock as a store's `now` closure.
    public var closure: @Sendable () -> Date { { self.now } }
}

/// Dates every Twitter link of `store`'s database 8 days back, past `AccountStore.recentLinkWindow`: for a test that
/// removes a password right after linking Twitter (refused within 7 days of the link).
public func backdateTwitterLinks(of store: AccountStore) throws {
    try executeSQL(store.path, "UPDATE twitter_identities SET linked_at = linked_at - 691200000000")
}
