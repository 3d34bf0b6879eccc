public import Foundation
public import Logging

/// How an ``AccountStore`` opens its database.
public struct StoreConfiguration: Sendable {
    /// SQLite's durability setting for the writer.
    public enum Synchronous: String, Sendable, Hashable {
        /// Every committed transaction is on disk before the call returns (the default).
        case full = "FULL"
        /// Faster; in WAL mode a power loss may drop the last transactions, never corrupts.
        case normal = "NORMAL"
    }

    /// What opening does with migrations the database lacks.
    public enum SchemaPolicy: Sendable, Hashable {
        /// Apply them (creating the database file when its directory exists).
        case applyPendingMigrations
        /// Refuse with ``StoreError/schemaBehind(path:pendingVersions:)``; never create the file.
        case requireCurrent
    }

    /// The database file.
    public var path: String
    /// Durability of commits; ``Synchronous/full`` by default. (One write never waits for the disk: a browser
    /// session's last use, see ``AccountStore/touchBrowserSession(tokenHash:at:idleExpiresAt:)``.)
    public var synchronous: Synchronous = .full
    /// How long a write waits for another process's lock before failing with ``StoreError/busy(path:)``. Used as 0
    /// to 24 days (SQLite counts it in milliseconds, in a 32-bit integer): a "never" such as `.seconds(Int64.max)`
    /// waits 24 days, a negative one not at all.
    public var busyTimeout: Duration = .seconds(30)

    /// ``busyTimeout`` as used: 0 to `Int32.max` milliseconds (until session 62 a value above 24.8 days trapped the
    /// store's opening, where it is converted to SQLite's milliseconds).
    package var usableBusyTimeout: Duration {
        min(max(busyTimeout, .zero), .milliseconds(Int64(Int32.max)))
    }
    /// What to do when migrations are pending; ``SchemaPolicy/requireCurrent`` by default.
    public var schemaPolicy: SchemaPolicy = .requireCurrent
    /// Open with SQLite's read-only flag: every write fails with ``StoreError/readOnly(path:)``.
    public var readOnly = false
    /// With ``readOnly``: open whatever migrations the database has, lacks or does not know, without checking its
    /// history, for ``AccountStore/backUp(to:progress:)`` alone (`accounts backup`: a backup comes before a migration,
    /// and is most wanted when a history fails its checks). Other calls may fail on a schema they do not know.
    package var acceptsAnySchema = false
    /// Where the store logs: info for routine events, warning for what an operator must act on (a keys file refused, a
    /// removed token that could not be revoked at Twitter); never secrets.
    public var logger = Logger(label: "accounts.store", factory: { _ in SwiftLogNoOpLogHandler() })
    /// The clock used for timestamps and expiry (injected by tests).
    public var now: @Sendable () -> Date = { Date() }

    /// A configuration for the database at `path`, with the defaults above.
    public init(path: String) {
        self.path = path
    }
}
