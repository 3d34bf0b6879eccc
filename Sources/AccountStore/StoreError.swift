import AccountCrypto
public import AccountModel
public import Foundation

/// What can go wrong in the account store, in words an operator can act on. Never carries a secret.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database file's directory does not exist, where the file was to be created (a migration, or a store opened
    /// with ``StoreConfiguration/SchemaPolicy/applyPendingMigrations``); a store that creates none throws
    /// ``databaseMissing(path:)`` instead.
    case directoryMissing(path: String)
    /// The database file (or its directory) does not exist, and the store was opened not to create one (commands
    /// other than `migrate` never create one); also a migration status or dry run in a missing directory, which
    /// create nothing (``AccountStore/migrationStatus(path:migrations:onIntegrityCheck:)``).
    case databaseMissing(path: String)
    /// The file is not an SQLite database.
    case notADatabase(path: String)
    /// The database was to be written into the file at `path` (empty, or SQLite with no migration applied; or a
    /// `-wal`, `-shm` or `-journal` file beside it), which user `owner` owns, not this one: its owner could read and
    /// change everything the store keeps (another user's file planted in a shared directory). Nothing was written.
    case fileOfAnotherUser(path: String, owner: UInt32)
    /// The path cannot be looked at by this user (a directory on the way it may not search: permission denied),
    /// `reason` the system's: the database may well be there.
    case unreachable(path: String, reason: String)
    /// SQLite reports the file as damaged.
    case corrupt(path: String, message: String)
    /// The database cannot be written (read-only file, directory or connection).
    case readOnly(path: String)
    /// A write to the database was interrupted (a process killed, or a machine stopped, in the middle of a transaction
    /// in rollback-journal mode, the mode of a backup copy) and left a hot journal (`-journal`) that only a connection
    /// that may write rolls back: one that only reads (a migration status or dry run, a store opened read-only)
    /// cannot read the database until then, and read and changed nothing.
    /// ``AccountStore/migrate(_:to:dryRun:migrations:onApplied:onIntegrityCheck:)`` rolls it back, as does opening a
    /// store that is not read-only.
    case interruptedWrite(path: String)
    /// The disk (or the database's page limit) is full; nothing of the failed write was kept.
    case diskFull(path: String)
    /// Another process held the database longer than the busy timeout.
    case busy(path: String)
    /// The call came after ``AccountStore/close()`` (or reached the database as it closed): nothing was read or
    /// changed. A call under way when the store closes either finishes or fails so.
    case closed(path: String)
    /// The schema has migrations this binary knows that the database lacks.
    case schemaBehind(path: String, pendingVersions: [Int])
    /// While the store was open, another process (a newer `accounts migrate`) migrated the database to `version`,
    /// past `knownVersion`, the newest migration this binary carries: this binary's queries may no longer fit the
    /// schema, or may write rows the newer one reads otherwise, so the call read and changed nothing, as will every
    /// later one but a backup. Restart the app with a build that carries migration `version`.
    case schemaAhead(path: String, version: Int, knownVersion: Int)
    /// A migration step failed or was refused.
    case migration(MigrationError)
    /// A value that must be unique is taken already.
    case duplicate(Field)
    /// The account already has a Twitter identity (one per account).
    case alreadyLinked(UserID)
    /// No account matches.
    case accountNotFound(String)
    /// The account has no linked Twitter identity.
    case notLinked(UserID)
    /// The change would leave the account with no way to sign in (no password and no Twitter identity).
    case lastSignInMethod(UserID)
    /// The account is disabled: it may not sign in (the refusal is audited as `sign_in_refused`), and its password and
    /// Twitter identity may not be changed, until an operator enables it again.
    case accountDisabled(UserID)
    /// The account's owner may not delete it yet: its address was changed, and the link that undoes the change (mailed
    /// to the former address) works until `until`. Whoever moved the address knew the password; deleting the account
    /// would end that link, and the former address's owner would lose the account for good. An operator may delete it
    /// (``AccountStore/deleteAccount(_:actor:)``).
    case addressChangeUndoable(UserID, until: Date)
    /// The account's password may not be removed yet: a Twitter account was linked to it less than
    /// ``AccountStore/recentLinkWindow`` ago (until `until`). Whoever knows the password could otherwise link their
    /// own Twitter account and remove the password, and no password reset to the account's address would give it
    /// back (an account without a password gets none once its address is confirmed).
    case twitterLinkedRecently(UserID, until: Date)
    /// The browser session a change was asked from has ended (signed out, or every session of the account ended by
    /// "sign out everywhere", a password change or reset on another device) while the request was under way; nothing
    /// was written (see ``AccountStore/onBehalfOfSession(_:_:)``).
    case sessionEnded
    /// A value was refused by validation before anything was written.
    case invalid([FieldError])
    /// A sealed secret could not be sealed or opened (the reason names the key id or failure kind, never the secret).
    case secret(kind: String, reason: String)
    /// Sealed secrets cannot be written or read: the store was opened without a key ring.
    case noKeyRing
    /// Any other database failure, with SQLite's message (bound values are never included).
    case database(path: String, code: Int32, message: String)
    /// A backup (``AccountStore/backUp(to:progress:)``) could not be written to `path`, or its copy failed its check;
    /// the database is unchanged, and so is the file at `path`.
    case backupFailed(path: String, reason: String)
    /// A backup (``AccountStore/backUp(to:progress:)``) was stopped because its task was cancelled; the database is
    /// unchanged, and so is the file at `path`.
    case backupCancelled(path: String)
    /// A key rewrap (``AccountStore/rewrapSealedValues(batchSize:actor:progress:)``) was stopped because its task was
    /// cancelled: the `rewrapped` values it moved to key `keyID` are committed, the rest are under the keys they were,
    /// every value opens under the ring, and running it again finishes the work.
    case rewrapCancelled(keyID: String, rewrapped: Int)
    /// The purge's rebuild of the database file at `path` (``AccountStore/purgeExpired()``) was stopped before it
    /// began, because its task was cancelled as it waited for the write lock another process held, or before it asked
    /// for the lock: nothing was rebuilt and no `file_rebuilt` event written (the purge's removals, committed before,
    /// stand); purging again rebuilds the file.
    case rebuildCancelled(path: String)
    /// Reading the database at `database` failed during a backup to `path` (its disk or file system returned an error);
    /// nothing was written to `path`, which is as it was.
    case backupReadFailed(database: String, path: String, reason: String)

    /// `2026-12-03T17:04:05Z`, rounded up to the second (not earlier than the time it stands for).
    package static func time(_ date: Date) -> String {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.up)).formatted(.iso8601)
    }

    /// A sentence an operator can act on, with the library's advice; never a secret.
    public var description: String {
        switch self {
        case .directoryMissing(let path):
            return "cannot create the database \(path): its directory does not exist; create the directory first, or "
                + "give a path in one that does"
        case .databaseMissing:
            return message(
                advice: "create it with AccountStore.migrate(_:), or open the store with "
                    + "schemaPolicy = .applyPendingMigrations")
        case .notADatabase:
            return message(advice: "wrong StoreConfiguration path?")
        case .fileOfAnotherUser(let path, let owner):
            let log = ["-wal", "-shm", "-journal"].contains { path.hasSuffix($0) }
            return "\(path), which the database was to be written into, is owned by uid \(owner), not by this user "
                + "(uid \(geteuid())): its owner could read and change everything the store keeps, so nothing was "
                + "written to it; "
                + (log
                    ? "if no process has the database open, remove that file and try again"
                    : "if it is not a file of this app's, remove it and try again (if that user runs the app, run "
                        + "this as that user)")
        case .unreachable(let path, let reason):
            return "cannot reach the database \(path): \(reason); run as a user who may (the database's owner), or "
                + "let this one through its directories; it was left untouched"
        case .corrupt(let path, let message):
            return "the database \(path) is damaged (\(message)); restore it from a backup"
        case .readOnly:
            return message(advice: "check its permissions or open it for writing")
        case .interruptedWrite:
            return message(
                advice: "open it for writing once (AccountStore.migrate(_:), or a store that is not read-only), "
                    + "then try again")
        case .diskFull(let path):
            return "the disk holding \(path) is full; nothing of the failed change was kept: free space on it and "
                + "try again"
        case .busy(let path):
            return "the database \(path) stayed locked by another process past the busy timeout; try again"
        case .closed(let path):
            return "the account store \(path) was closed; nothing was read or changed: make the call before `close()` "
                + "(an app stops taking requests and waits for its mails first), or open the store again"
        case .schemaBehind:
            return message(
                advice: "apply them with AccountStore.migrate(_:), or open the store with "
                    + "schemaPolicy = .applyPendingMigrations")
        case .schemaAhead(let path, let version, let known):
            return "the database \(path) was migrated to version \(version) by another process while this app was "
                + "running; this app knows migrations up to \(known) only, so it read and changed nothing: restart it "
                + "with a build that carries migration \(version)"
        case .migration(let error):
            return error.description
        case .duplicate(let field):
            return "\(field): is already taken by another account"
        case .alreadyLinked(let user):
            return "account \(user) already has a linked Twitter identity; unlink it first"
        case .accountNotFound(let reference):
            return "no account \(reference)"
        case .notLinked(let user):
            return "account \(user) has no linked Twitter identity; there is nothing to unlink"
        case .lastSignInMethod(let user):
            // (one sentence for both changes that throw it: an unlink without a password, a password removed without
            // Twitter; until session 60 it told a removal to "set a password first", which the account had)
            return "account \(user) would be left with no way to sign in: it must keep a password or a linked Twitter "
                + "account; set a password before unlinking Twitter, or link Twitter before removing the password"
        case .accountDisabled(let user):
            return "account \(user) is disabled; it may not sign in or change how it signs in until it is enabled again"
        case .addressChangeUndoable(let user, let until):
            return
                "account \(user) may not be deleted by its owner until \(Self.time(until)): its address was changed, and the "
                + "link mailed to the former address can undo that change until then; nothing was changed (an "
                + "operator can delete it with `accounts users delete`)"
        case .twitterLinkedRecently(let user, let until):
            return
                "account \(user)'s password may not be removed until \(Self.time(until)): a Twitter account was linked to it "
                + "less than 7 days before, and until then a password reset must be able to give the account back to "
                + "its address's owner; nothing was changed"
        case .sessionEnded:
            return "the browser session that asked for this change has ended (signed out); nothing was changed: sign "
                + "in again and repeat the change"
        case .invalid(let errors):
            return errors.map(\.description).joined(separator: "; ")
        case .secret(let kind, let reason):
            return "cannot use the sealed \(kind): \(reason)"
        case .noKeyRing:
            return message(
                advice: "open it with one, as KeyRing.load(keysFile:environment:) reads it from its `keysFile:` "
                    + "parameter or from ACCOUNTS_KEYS_FILE or ACCOUNTS_KEYS in the environment")
        case .database(let path, let code, let message):
            return "database error on \(path) (SQLite code \(code)): \(message)"
        case .backupFailed(let path, let reason):
            return "cannot write the backup \(path): \(reason); the database is unchanged, and no file was left"
        case .backupCancelled(let path):
            return "the backup to \(path) was cancelled; the database is unchanged, and \(path) is as it was"
        case .rewrapCancelled(let keyID, let rewrapped):
            return "the key rewrap was cancelled after moving \(rewrapped) values to key \(KeyRingError.shown(keyID)) "
                + "(committed; the others are under the keys they were, and every value opens under the key ring): "
                + "run it again to finish"
        case .rebuildCancelled(let path):
            return "the rebuild of the database file \(path) was cancelled before it began; nothing was rebuilt: purge "
                + "again to rebuild it"
        case .backupReadFailed(let database, let path, let reason):
            return "cannot back up the database \(database): reading it failed (\(reason)); check the disk it is on "
                + "(the system log names the device and the error); \(path) is as it was, and no file was left"
        }
    }

    /// The message of an error whose advice depends on who reads it: what is wrong, said here once, with `advice` in
    /// its place, what to do: the library's (``description``: an app's calls and settings) or `accounts`'s (its
    /// commands and flags). Every other error reads the same for all: its ``description``.
    package func message(advice: String) -> String {
        switch self {
        case .databaseMissing(let path):
            "no database at \(path); \(advice)"
        case .interruptedWrite(let path):
            "the database \(path) cannot be read yet: a write to it was interrupted, and only a connection that may "
                + "write rolls it back (its -journal holds the pages as they were); nothing was read or changed: "
                + advice
        case .notADatabase(let path):
            "\(path) is not an SQLite database (\(advice)); it was left untouched"
        case .schemaBehind(let path, let versions):
            "the database \(path) lacks migrations \(versions.map(String.init).joined(separator: ", ")); \(advice)"
        case .noKeyRing:
            "no encryption keys configured: the store was opened without a key ring; \(advice)"
        case .readOnly(let path):
            "the database \(path) is read-only; \(advice)"
        default:
            description
        }
    }
}
