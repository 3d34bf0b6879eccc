public import Foundation

/// Where one migration stands against a database.
public enum MigrationState: String, Sendable, Hashable, CaseIterable {
    /// Recorded as applied, and the file is unchanged.
    case applied
    /// Not yet applied.
    case pending
    /// Applied, but the file changed since.
    case modified
    /// Applied, but this binary has no file for it.
    case missing
    /// Applied by a newer binary: its version is above every migration this binary has.
    case unknown
}

/// One row of `accounts migrations status`.
public struct MigrationStatusEntry: Sendable, Hashable {
    /// The version number (`NNNN` of the file name).
    public var version: Int
    /// The name without the number and `.sql`.
    public var name: String
    /// Its state.
    public var state: MigrationState
    /// Hex SHA-256 of the file (LF line endings, no byte-order mark); for a missing or unknown one, the recorded one.
    public var checksum: String
    /// The checksum recorded when it was applied (differs from ``checksum`` for a modified one); `nil` when pending.
    public var appliedChecksum: String?
    /// When it was applied, if it was.
    public var appliedAt: Date?
    /// How long applying it took, if it was applied.
    public var executionTime: Duration?
}

/// What `migrate` did (or, with a dry run, would do).
public struct MigrationReport: Sendable, Hashable {
    /// The migrations applied by this run, in order (for a dry run: those that would be).
    public var applied: [MigrationStatusEntry]
    /// Whether nothing was changed because the run was a dry run.
    public var dryRun: Bool
    /// The highest applied version after the run (0 for none).
    public var currentVersion: Int
}

/// SQLite's `quick_check` of an existing database file, which
/// ``AccountStore/migrationStatus(path:migrations:onIntegrityCheck:)`` and
/// ``AccountStore/migrate(_:to:dryRun:migrations:onApplied:onIntegrityCheck:)`` run before anything else, so that a
/// damaged file is reported before it is migrated: reported as it begins and as it ends. It reads the whole file
/// (2.5 s at 460 MB, 10 s at 1.4 GB, on 2 shared cores), so a command can say what it waits for meanwhile, and leave
/// the check's time out of the time the migrations took.
public enum IntegrityCheck: Sendable, Hashable {
    /// The check of the file, `bytes` long, began.
    case began(bytes: Int64)
    /// The check ended (whatever it found), after `duration`.
    case ended(duration: Duration)
}
