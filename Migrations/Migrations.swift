/// One schema migration as shipped inside the binary: its file name and the exact bytes of the file.
public struct MigrationFile: Sendable, Hashable {
    /// The file name, `NNNN_snake_case_description.sql`.
    public let fileName: String
    /// The file's bytes as committed.
    public let contents: [UInt8]

    /// Makes a migration file value (tests make their own sets; the binary's set is ``Migrations/sqlite``).
    public init(fileName: String, contents: [UInt8]) {
        self.fileName = fileName
        self.contents = contents
    }
}

/// The schema migrations carried inside the binary, so nothing ships next to `accounts` or an embedding app.
///
/// `Migrations/sqlite/*.sql` is the one source of truth; SwiftPM's `.embedInCode` rule turns each file into a byte
/// array. Adding a migration means adding its file and one line below; a test pins this list to the folder.
public enum Migrations: Sendable {
    /// The SQLite migrations, in version order.
    public static let sqlite: [MigrationFile] = [
        MigrationFile(fileName: "0001_create_users.sql", contents: PackageResources._001_create_users_sql),
        MigrationFile(
            fileName: "0002_create_twitter_identities.sql",
            contents: PackageResources._002_create_twitter_identities_sql
        ),
        MigrationFile(
            fileName: "0003_create_pending_authorizations.sql",
            contents: PackageResources._003_create_pending_authorizations_sql
        ),
        MigrationFile(
            fileName: "0004_create_registration_drafts.sql",
            contents: PackageResources._004_create_registration_drafts_sql
        ),
        MigrationFile(
            fileName: "0005_create_account_events.sql",
            contents: PackageResources._005_create_account_events_sql
        ),
        MigrationFile(
            fileName: "0006_create_sign_in_failures.sql",
            contents: PackageResources._006_create_sign_in_failures_sql
        ),
        MigrationFile(
            fileName: "0007_create_duplicate_report_indexes.sql",
            contents: PackageResources._007_create_duplicate_report_indexes_sql
        ),
        MigrationFile(
            fileName: "0008_create_browser_sessions.sql",
            contents: PackageResources._008_create_browser_sessions_sql
        ),
        MigrationFile(
            fileName: "0009_add_users_email_key.sql",
            contents: PackageResources._009_add_users_email_key_sql
        ),
        MigrationFile(
            fileName: "0010_create_password_resets.sql",
            contents: PackageResources._010_create_password_resets_sql
        ),
        MigrationFile(
            fileName: "0011_create_email_verifications.sql",
            contents: PackageResources._011_create_email_verifications_sql
        ),
        MigrationFile(
            fileName: "0012_add_session_devices.sql",
            contents: PackageResources._012_add_session_devices_sql
        ),
        MigrationFile(
            fileName: "0013_add_account_events_subject_kind_index.sql",
            contents: PackageResources._013_add_account_events_subject_kind_index_sql
        ),
        MigrationFile(
            fileName: "0014_add_link_user_indexes.sql",
            contents: PackageResources._014_add_link_user_indexes_sql
        ),
        MigrationFile(
            fileName: "0015_create_email_change_undos.sql",
            contents: PackageResources._015_create_email_change_undos_sql
        ),
        MigrationFile(
            fileName: "0016_sign_in_failures_ids_never_reused.sql",
            contents: PackageResources._016_sign_in_failures_ids_never_reused_sql
        ),
        MigrationFile(
            fileName: "0017_add_registration_drafts_carried_from.sql",
            contents: PackageResources._017_add_registration_drafts_carried_from_sql
        ),
        MigrationFile(
            fileName: "0018_index_maintenance_reads.sql",
            contents: PackageResources._018_index_maintenance_reads_sql
        ),
    ]
}
