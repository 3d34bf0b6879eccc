import Foundation
import Glibc
import TestSupport
import Testing

// (`stat`'s members are found in Dispatch's C module or in Glibc, depending on the build: both are imported)
#if canImport(CDispatch)
    import CDispatch
#endif

/// `accounts migrate` (and the demo's store) writing the database into an empty file that is there already: made
/// owner-only first, or refused when another user owns it. (Tests run as root: "another user" is nobody, uid 65534.)
struct EmptyDatabaseFileTests {
    /// `touch accounts.sqlite; accounts migrate` left a database of password hashes and sealed tokens readable by
    /// every user (0644), its `-wal` and `-shm` with it.
    @Test func anEmptyFileOfThisUsersIsMadeOwnerOnly() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/accounts.sqlite"
            writeFile(path, [UInt8]())
            #expect(chmod(path, 0o644) == 0)
            let result = try await runAccounts(["--database", path, "migrate"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(fileMode(path).map { $0 & 0o7777 } == 0o600)
            for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
                #expect(fileMode(path + suffix).map { $0 & 0o7777 } == 0o600, "\(suffix)")
            }
            #expect(try databaseDump(path).contains("CREATE TABLE"))
        }
    }

    /// Through a symbolic link to an empty file (SQLite follows it): the file it names is made owner-only.
    @Test func anEmptyFileBehindALinkIsMadeOwnerOnly() async throws {
        try await withTemporaryDirectory { dir in
            let target = dir + "/data.sqlite"
            writeFile(target, [UInt8]())
            #expect(chmod(target, 0o664) == 0)
            #expect(symlink("data.sqlite", dir + "/accounts.sqlite") == 0)
            let result = try await runAccounts(["--database", dir + "/accounts.sqlite", "migrate"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(fileMode(target).map { $0 & 0o7777 } == 0o600)
        }
    }

    /// Another user's empty 0666 file where the database goes (planted in a shared directory): root migrated into
    /// it, and it stayed theirs, 0666, for them to read and write the store. Refused now, naming the file and its
    /// owner, and left as it was; the demo refuses it too.
    @Test(arguments: [["migrate"], ["demo", "--port", "0"]])
    func anotherUsersEmptyFileIsRefused(command: [String]) async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/accounts.sqlite"
            writeFile(path, [UInt8]())
            #expect(chmod(path, 0o666) == 0)
            #expect(chown(path, 65_534, 65_534) == 0)
            let result = try await runAccounts(["--database", path] + command, limit: .seconds(60))
            #expect(result.status == 1, "\(result.stderr)")
            #expect(
                result.stderr.contains(
                    "\(path), which the database was to be written into, is owned by uid 65534, not by this user (uid "
                        + "\(geteuid())): its owner could read and change everything the store keeps, so nothing was "
                        + "written to it"),
                "\(result.stderr)")
            var info = stat()
            #expect(
                stat(path, &info) == 0 && info.st_size == 0 && info.st_uid == 65_534 && info.st_mode & 0o777 == 0o666)
            #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        }
    }

    /// A database with something in it keeps its own mode (README: "an existing database keeps its own").
    @Test func aDatabaseWithContentsKeepsItsMode() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/accounts.sqlite"
            #expect(try await runAccounts(["--database", path, "migrate", "--to", "3"]).status == 0)
            #expect(chmod(path, 0o640) == 0)
            let result = try await runAccounts(["--database", path, "migrate"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(fileMode(path).map { $0 & 0o7777 } == 0o640)
        }
    }

    /// The same with a one-page SQLite file of another user's (`CREATE TABLE t(x); DROP TABLE t;`): no migration
    /// applied, nothing of anyone's to keep, and migrated into as readily as an empty file (until r10 of session 64
    /// it was, staying theirs, 0666).
    @Test func anotherUsersUnmigratedSQLiteFileIsRefused() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/accounts.sqlite"
            try executeSQL(path, "CREATE TABLE t(x); DROP TABLE t;")
            #expect(chmod(path, 0o666) == 0)
            #expect(chown(path, 65_534, 65_534) == 0)
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            let result = try await runAccounts(["--database", path, "migrate"], limit: .seconds(60))
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains("is owned by uid 65534, not by this user"), "\(result.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        }
    }

    /// A `-wal` file of another user's planted beside this user's database while no connection had it open: SQLite
    /// would open it as it is and write every change through it, for its owner to read. Refused, naming it; the
    /// database's owner's own (an app running as its user while root migrates) are not.
    @Test func aLogOfAnotherUserBesideTheDatabaseIsRefused() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/accounts.sqlite"
            #expect(try await runAccounts(["--database", path, "migrate", "--to", "1"]).status == 0)
            for suffix in ["-wal", "-shm"] { unlink(path + suffix) }
            writeFile(path + "-wal", [UInt8]())
            #expect(chmod(path + "-wal", 0o666) == 0)
            #expect(chown(path + "-wal", 65_534, 65_534) == 0)
            let result = try await runAccounts(["--database", path, "migrate"], limit: .seconds(60))
            #expect(result.status == 1, "\(result.stderr)")
            #expect(
                result.stderr.contains("\(path)-wal, which the database was to be written into, is owned by uid 65534"),
                "\(result.stderr)")
            #expect(countQuery(path, "SELECT count(*) FROM schema_migrations") == 1)

            // The database's owner's own log: migrated as before
            #expect(chown(path, 65_534, 65_534) == 0)
            let owners = try await runAccounts(["--database", path, "migrate"], limit: .seconds(60))
            #expect(owners.status == 0, "\(owners.stderr)")
        }
    }
}
