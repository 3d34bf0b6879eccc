import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import GRDB
import Glibc
import Synchronization
import TestSupport
import Testing

/// `AccountStore.backUp(to:progress:)`: one snapshot of a store in use, written whole or not at all.
struct StoreBackupTests {
    /// A backup made while another task keeps registering accounts (each with a Twitter identity and its sealed
    /// token, one transaction each) is one snapshot: sound, every identity with its user and credential, and as many
    /// accounts as some moment between the backup's start and its end held. The store goes on taking writes.
    @Test func aBackupMadeWhileWritesGoOnIsOneSnapshot() async throws {
        try await withTemporaryDirectory { dir throws in
            let store = try makeStore(in: dir, synchronous: .normal)
            defer { try? store.close() }
            for index in 0..<2_000 {
                _ = try await store.createAccount(newAccount("seed\(index)"))
            }
            let writing = Atomic<Bool>(true)
            let writer = Task {
                var index = 0
                while writing.load(ordering: .relaxed) {
                    let user = try await store.createAccount(newAccount("busy\(index)"))
                    try await store.linkTwitter(
                        twitterIdentity(String(5_000_000 + index)),
                        credential: TwitterCredential(token: "t\(index)", secret: Secret("s\(index)")), to: .id(user.id)
                    )
                    index += 1
                    // (the store's writes run on the calling thread: a pause lets the pool's other tasks, the backup's
                    // among them, have this thread between two registrations)
                    try await Task.sleep(for: .milliseconds(1))
                }
                return index
            }
            // (some writes first, so that the backup starts among them)
            while try await store.accountCount() < 2_050 { try await Task.sleep(for: .milliseconds(5)) }
            let before = try await store.accountCount()
            let copy = dir + "/copy.sqlite"
            let report = try await store.backUp(to: copy)
            let after = try await store.accountCount()
            writing.store(false, ordering: .relaxed)
            let written = try await writer.value

            #expect(report.accounts >= before && report.accounts <= after, "\(before) ≤ \(report.accounts) ≤ \(after)")
            #expect(countQuery(copy, "SELECT count(*) FROM users") == report.accounts)
            #expect(report.schemaVersion == 18)
            #expect(textQuery(copy, "PRAGMA integrity_check") == "ok")
            #expect(countQuery(copy, "SELECT count(*) FROM pragma_foreign_key_check") == 0)
            #expect(
                countQuery(
                    copy,
                    """
                    SELECT count(*) FROM twitter_identities i
                    WHERE NOT EXISTS (SELECT 1 FROM twitter_credentials c WHERE c.identity_id = i.id)
                    """) == 0)
            #expect(try await store.accountCount() == 2_000 + written)
        }
    }

    /// The copy is read through a connection of its own, opened read-write (SQLite opened read-only, as the store's
    /// readers are, writes the copy's pages several times over), but only while the path still names the store's
    /// file: a database moved from its path while the store is open, and another database put there, are not what
    /// the copy holds, nor is one made anew there. The copy is the store's own data, read by its reader.
    @Test(arguments: [false, true])
    func aBackupOfADatabaseMovedFromItsPathCopiesTheStoresOwn(anotherAtThePath: Bool) async throws {
        try await withTemporaryDirectory { dir throws in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            for index in 0..<3 { _ = try await store.createAccount(newAccount("moved\(index)")) }
            let database = dir + "/accounts.sqlite"
            // (with its log and index, which hold the writes not yet checkpointed)
            for suffix in ["", "-wal", "-shm"] {
                #expect(rename(database + suffix, dir + "/elsewhere.sqlite" + suffix) == 0)
            }
            if anotherAtThePath {
                let other = try makeStore(in: dir)
                _ = try await other.createAccount(newAccount("other"))
                try other.close()
            }
            _ = try await store.createAccount(newAccount("afterTheMove"))

            let copy = dir + "/copy.sqlite"
            let report = try await store.backUp(to: copy)

            #expect(report.accounts == 4)
            #expect(countQuery(copy, "SELECT count(*) FROM users WHERE username = 'afterthemove'") == 1)
            #expect(countQuery(copy, "SELECT count(*) FROM users WHERE username = 'other'") == 0)
            #expect(FileManager.default.fileExists(atPath: database) == anotherAtThePath, "a database was made there")
            #expect(countQuery(dir + "/elsewhere.sqlite", "SELECT count(*) FROM users") == 4)
        }
    }

    /// A backup whose task is cancelled while it copies stops and throws `backupCancelled` naming its path (a
    /// caller tells it from a failure by its case); the earlier copy at that path stays byte for byte, no unfinished
    /// copy is left beside it, and the store goes on.
    @Test func aCancelledBackupStopsAndLeavesTheEarlierCopy() async throws {
        try await withTemporaryDirectory { dir throws in
            let store = try makeStore(in: dir, synchronous: .normal)
            defer { try? store.close() }
            for index in 0..<3_000 {
                _ = try await store.createAccount(newAccount("user\(index)"))
            }
            let copy = dir + "/copy.sqlite"
            writeFile(copy, Array("yesterday's backup".utf8))
            let canceller = Canceller()
            let task = Task {
                try await store.backUp(to: copy) { _, _ in
                    // The first report comes once the copy has begun: cancel there.
                    canceller.cancel()
                }
            }
            canceller.hold(task)

            await #expect(throws: StoreError.backupCancelled(path: copy)) {
                _ = try await task.value
            }
            #expect(canceller.asked)
            #expect(fileBytes(copy) == Array("yesterday's backup".utf8))
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains("copy") } == [
                    "copy.sqlite"
                ])
            #expect(try await store.accountCount() == 3_000)
            _ = try await store.createAccount(newAccount("after"))
        }
    }

    /// A backup during which reading the database fails (here: pages of the snapshot in the `-wal`, which is cut
    /// short under the copy, as a failing disk would return them) says that reading the database failed, naming the
    /// database, not the backup's path as a file that could not be written; the earlier copy stays byte for byte
    /// and no unfinished copy is left.
    @Test func aBackupWhoseDatabaseCannotBeReadNamesTheDatabase() async throws {
        try await withTemporaryDirectory { dir throws in
            let store = try makeStore(in: dir, synchronous: .normal)
            defer { try? store.close() }
            let database = dir + "/accounts.sqlite"
            // Given rows that only the -wal holds (another connection, which never checkpoints, wrote them)
            var configuration = Configuration()
            configuration.journalMode = .wal
            let writer = try DatabasePool(path: database, configuration: configuration)
            defer { try? writer.close() }
            try writer.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
                try db.execute(
                    sql: """
                        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
                        INSERT INTO users (public_id, username, first_name, last_name, password_hash, created_at,
                            updated_at)
                        SELECT printf('%08x-0000-4000-8000-000000000000', i), 'user' || i, 'Ann', 'Lee',
                            'pbkdf2_sha256$1000$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', i, i FROM n
                        """)
            }
            #expect(fileBytes(database + "-wal").count > 1_000_000)
            let copy = dir + "/copy.sqlite"
            writeFile(copy, Array("yesterday's backup".utf8))

            // When the -wal is cut short once the copy has begun
            let cut = Atomic<Bool>(false)
            let result: Result<AccountStore.BackupReport, StoreError>
            do throws(StoreError) {
                result = .success(
                    try await store.backUp(to: copy) { _, _ in
                        if !cut.exchange(true, ordering: .relaxed) { _ = truncate(database + "-wal", 4096) }
                    })
            } catch {
                result = .failure(error)
            }

            // Then the error names the database and says reading it failed
            let wasCut = cut.load(ordering: .relaxed)
            #expect(wasCut)
            guard case .failure(let error) = result else {
                Issue.record("the backup succeeded")
                return
            }
            #expect(error.description.contains(database) && error.description.contains("reading"), "\(error)")
            #expect(!error.description.contains("cannot write the backup"), "\(error)")
            #expect(error.description.contains("\(copy) is as it was"), "\(error)")
            // And the earlier copy is as it was, with nothing left beside it
            #expect(fileBytes(copy) == Array("yesterday's backup".utf8))
            #expect(hiddenFiles(in: dir).isEmpty, "\(hiddenFiles(in: dir))")
        }
    }

    /// A backup killed outright (SIGKILL, the OOM killer) leaves its hidden partial copy, a whole database of hashes
    /// and sealed tokens. The next backup to the same file removes the ones no process holds that were last written
    /// over a minute ago (until session 64 each kill left one more, for good), and leaves alone one that a backup
    /// under way holds, a fresh one, and files of other names.
    @Test func aLaterBackupRemovesTheCopiesOfBackupsKilledOutright() async throws {
        try await withTemporaryDirectory { dir throws in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            _ = try await store.createAccount(newAccount("ada"))
            let copy = dir + "/copy.sqlite"
            func make(_ path: String, age: TimeInterval) throws {
                try Data("half a copy".utf8).write(to: URL(fileURLWithPath: path))
                let then = Date().addingTimeInterval(-age)
                try FileManager.default.setAttributes([.modificationDate: then], ofItemAtPath: path)
            }
            let killed = dir + "/.copy.sqlite.partial-32814def7d4815b3"
            try make(killed, age: 3_600)
            try make(killed + "-journal", age: 3_600)
            let held = dir + "/.copy.sqlite.partial-dc2a7081aa"
            try make(held, age: 3_600)
            let fresh = dir + "/.copy.sqlite.partial-47f97dd2"
            // (dated ahead: however slow the machine, it stays "written less than a minute ago" through both backups)
            try make(fresh, age: -600)
            let other = dir + "/.other.sqlite.partial-c5d128eb"
            try make(other, age: 3_600)
            let notOurs = dir + "/.copy.sqlite.partial-notahexname"
            try make(notOurs, age: 3_600)
            // (another backup's lock on its copy under way, taken as that backup takes it: on the copy's lock file)
            // (O_CLOEXEC: not inherited by the commands other tests run, which would hold it)
            let lock = open(held + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            #expect(lock >= 0 && flock(lock, LOCK_EX | LOCK_NB) == 0)

            _ = try await store.backUp(to: copy)
            let exists = { (path: String) in FileManager.default.fileExists(atPath: path) }
            #expect(!exists(killed) && !exists(killed + "-journal"), "the killed backup's copy is still there")
            #expect(!exists(killed + ".lock"))
            let locks = try FileManager.default.contentsOfDirectory(atPath: dir).filter {
                $0.hasPrefix(".copy.sqlite.partial-") && $0.hasSuffix(".lock") && !$0.contains("dc2a7081aa")
            }
            #expect(locks.isEmpty, "\(locks)")
            #expect(exists(held), "a copy held by a backup under way was removed")
            #expect(exists(fresh) && exists(other) && exists(notOurs))
            #expect(countQuery(copy, "SELECT count(*) FROM users") == 1)

            close(lock)
            _ = try await store.backUp(to: copy)
            #expect(!exists(held) && !exists(held + ".lock"), "a copy no process holds any longer was left")
            #expect(exists(fresh) && exists(other) && exists(notOurs))
        }
    }

    /// A backup written over an earlier copy that a killed program left with changes in its `-wal` (and its
    /// `-shm`) reads as the new copy: the log of the file it replaces is not replayed into it, and no `-wal`,
    /// `-shm` or `-journal` of the old file stays beside it.
    @Test func aBackupOverACopyWithALeftoverLogReadsAsTheNewCopy() async throws {
        try await withTemporaryDirectory { dir throws in
            let store = try makeStore(in: dir, synchronous: .normal)
            defer { try? store.close() }
            for index in 0..<5 {
                _ = try await store.createAccount(newAccount("early\(index)"))
            }
            let copy = dir + "/copy.sqlite"
            _ = try await store.backUp(to: copy)
            try leaveUncheckpointedChange(
                in: copy, "DELETE FROM users; CREATE TABLE stale (x); INSERT INTO stale VALUES (1)")
            #expect(countQuery(copy, "SELECT count(*) FROM stale") == 1)
            for index in 0..<3 {
                _ = try await store.createAccount(newAccount("late\(index)"))
            }

            let report = try await store.backUp(to: copy)

            #expect(report.accounts == 8)
            #expect(countQuery(copy, "SELECT count(*) FROM users") == 8)
            #expect(countQuery(copy, "SELECT count(*) FROM sqlite_master WHERE name = 'stale'") == 0)
            #expect(textQuery(copy, "PRAGMA integrity_check") == "ok")
            for suffix in ["-wal", "-shm", "-journal"] {
                #expect(!FileManager.default.fileExists(atPath: copy + suffix), "\(suffix)")
            }
        }
    }

    /// Through a symbolic link to the database, the `-wal` and `-shm` files SQLite keeps beside the file the link
    /// points to are the database's own: a backup to one of them is refused naming it, the file is not replaced,
    /// and the store goes on.
    @Test(arguments: ["-wal", "-shm"])
    func aBackupOverTheLogOfALinkedDatabaseIsRefused(_ suffix: String) async throws {
        try await withTemporaryDirectory { dir throws in
            #expect(mkdir(dir + "/data", 0o700) == 0)
            let real = dir + "/data/accounts.sqlite"
            #expect(symlink(real, dir + "/accounts.sqlite") == 0)
            let store = try makeStore(in: dir, synchronous: .normal)
            defer { try? store.close() }
            _ = try await store.createAccount(newAccount("ann"))
            let target = real + suffix
            var before = stat()
            #expect(stat(target, &before) == 0)

            await #expect {
                _ = try await store.backUp(to: target)
            } throws: { error in
                guard case .backupFailed(let path, let reason) = error as? StoreError else { return false }
                return path == target && reason.contains("database's own file")
            }

            var after = stat()
            #expect(stat(target, &after) == 0 && after.st_ino == before.st_ino)
            _ = try await store.createAccount(newAccount("bob"))
            #expect(try await store.accountCount() == 2)
            #expect(hiddenFiles(in: dir + "/data").isEmpty)
        }
    }

    /// The names in `dir` that begin with `.` (an unfinished copy is `.NAME.partial-…`).
    private func hiddenFiles(in dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix(".") }
    }

    /// Leaves `sql`'s changes to the database at `path` in its `-wal` (and `-shm`), uncheckpointed, as a program
    /// killed while it had the file open leaves them.
    private func leaveUncheckpointedChange(in path: String, _ sql: String) throws {
        var configuration = Configuration()
        configuration.journalMode = .wal
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            try db.execute(sql: sql)
        }
        let log = fileBytes(path + "-wal")
        let index = fileBytes(path + "-shm")
        try pool.close()
        writeFile(path + "-wal", log)
        writeFile(path + "-shm", index)
    }
}

/// Cancels a task from a callback that may come before the task is known.
private final class Canceller: Sendable {
    private let state = Mutex<(task: Task<AccountStore.BackupReport, any Error>?, asked: Bool)>((nil, false))

    /// Whether ``cancel()`` was called.
    var asked: Bool { state.withLock { $0.asked } }

    func cancel() {
        state.withLock { state in
            state.asked = true
            state.task?.cancel()
        }
    }

    func hold(_ task: Task<AccountStore.BackupReport, any Error>) {
        state.withLock { state in
            state.task = task
            if state.asked { task.cancel() }
        }
    }
}
