import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import Glibc
import TestSupport
import Testing

/// `accounts backup --output FILE`: a checked copy of the database, written whole or not at all.
struct BackupCommandTests {
    /// `count` accounts written straight into the table of the migrated database `database` (importing them takes
    /// longer).
    static func addAccounts(_ count: Int, to database: String) async throws {
        try await executeSQLOnOwnThread(
            database,
            """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(count))
            INSERT INTO users (public_id, username, first_name, last_name, password_hash, created_at, updated_at)
            SELECT printf('%08x-0000-4000-8000-000000000000', i), 'user' || i, 'Ann', 'Lee',
                'pbkdf2_sha256$1000$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', i, i FROM n
            """)
    }

    /// The files in `dir` whose names begin with `.` (a backup's unfinished copy is `.NAME.partial-…`).
    static func hiddenFiles(in dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix(".") }
    }

    /// A relative `--output` whose first directory is named like a URI (`file:x/copy.sqlite`) is that file: SQLite,
    /// which takes URIs on Debian's build, once read the hidden copy's name as `x/…` and failed to check it ("the
    /// copy cannot be opened"), or checked a copy in `x/` and renamed the empty hidden file over `FILE`.
    @Test func aRelativeOutputNamedLikeAURIIsThatFile() async throws {
        try await withTemporaryDirectory { dir throws in
            let key = try SecretKey.generate(id: "k1")
            try await KeysCommandTests.seedCredentials(3, sealedUnder: key, in: dir)
            for folder in ["file:x", "x"] {
                try FileManager.default.createDirectory(atPath: dir + "/" + folder, withIntermediateDirectories: false)
            }

            let result = try await runAccounts(
                ["--database", "accounts.sqlite", "backup", "--output", "file:x/copy.sqlite"], currentDirectory: dir)

            #expect(result.status == 0, "\(result.stderr)")
            #expect(try databaseDump(dir + "/file:x/copy.sqlite") == databaseDump(dir + "/accounts.sqlite"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/x") == [])
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/file:x") == ["copy.sqlite"])
        }
    }

    /// The copy holds the same rows as the database (sealed tokens included, which open with the same keys), is
    /// readable by its owner alone, replaces the file that was at its path, and the command says what it holds.
    @Test func aBackupHoldsTheWholeDatabaseAndReplacesTheOldCopy() async throws {
        try await withTemporaryDirectory { dir throws in
            let key = try SecretKey.generate(id: "k1")
            try await KeysCommandTests.seedCredentials(3, sealedUnder: key, in: dir)
            let database = dir + "/accounts.sqlite"
            let copy = dir + "/copy.sqlite"
            writeFile(copy, Array("yesterday's backup".utf8))
            let before = fileDigest(database)

            let result = try await runAccounts(["--database", database, "backup", "--output", copy])

            #expect(result.status == 0, "\(result.stderr)")
            #expect(
                result.stdout.hasPrefix("backed up 3 accounts (schema version 18) to \(copy): 1 MB, checked"),
                "\(result.stdout)")
            #expect(result.stderr.isEmpty, "\(result.stderr)")
            #expect(try databaseDump(copy) == databaseDump(database))
            #expect(fileDigest(database) == before)
            var info = stat()
            #expect(stat(copy, &info) == 0 && info.st_mode & 0o777 == 0o600)
            #expect(Self.hiddenFiles(in: dir).isEmpty)
            // The copy is a store like any other: its tokens open with the key that sealed them.
            let keys = ["ACCOUNTS_KEYS": key.unredactedKeysFileLine()]
            let status = try await runAccounts(["--database", copy, "keys", "status"], environment: keys)
            #expect(status.status == 0, "\(status.stderr)")
            let shown = try await runAccounts(["--database", copy, "users", "show", "user2"], environment: keys)
            #expect(shown.status == 0, "\(shown.stderr)")
            #expect(shown.stdout.contains("1000002"), "\(shown.stdout)")
        }
    }

    /// A backup comes before `accounts migrate` (README's upgrade steps: back up, then migrate), and may be made by an
    /// older build: a database that lacks this build's last migration, or holds one of a newer build, is copied as it
    /// is. Until session 59 both were refused, the first with the advice to migrate (`lacks migrations 16; run
    /// accounts migrate`), the second with exit 65.
    @Test func aDatabaseBehindOrAheadOfThisBuildIsBackedUpAsItIs() async throws {
        try await withTemporaryDirectory { dir throws in
            let database = dir + "/accounts.sqlite"
            let migrated = try await runAccounts(["--database", database, "migrate", "--to", "15"])
            #expect(migrated.status == 0, "\(migrated.stderr)")
            try executeSQL(
                database,
                """
                INSERT INTO users (public_id, username, created_at, updated_at)
                VALUES ('00000001-0000-4000-8000-000000000000', 'ann', 1, 1)
                """)
            let before = fileDigest(database)
            let behind = try await runAccounts(["--database", database, "backup", "--output", dir + "/behind.sqlite"])
            #expect(behind.status == 0, "\(behind.stderr)")
            #expect(
                behind.stdout.hasPrefix("backed up 1 account (schema version 15) to \(dir)/behind.sqlite"),
                "\(behind.stdout)")
            #expect(try databaseDump(dir + "/behind.sqlite") == databaseDump(database))
            #expect(fileDigest(database) == before)

            try executeSQL(
                database,
                """
                INSERT INTO schema_migrations (version, name, checksum, applied_at, execution_micros)
                VALUES (9999, 'from_a_newer_build', '0000000000000000000000000000000000000000000000000000000000000000', 0, 0)
                """)
            let ahead = try await runAccounts(["--database", database, "backup", "--output", dir + "/ahead.sqlite"])
            #expect(ahead.status == 0, "\(ahead.stderr)")
            #expect(
                ahead.stdout.hasPrefix("backed up 1 account (schema version 9999) to \(dir)/ahead.sqlite"),
                "\(ahead.stdout)")
            #expect(try databaseDump(dir + "/ahead.sqlite") == databaseDump(database))
            // (the other commands still refuse such a file)
            let listed = try await runAccounts(["--database", database, "users", "show", "ann"])
            #expect(listed.status == 65, "\(listed.stderr)")

            // A history table of another layout: copied, its version unknown (the copy was once deleted as failing
            // its check, for want of a `version` column)
            let other = dir + "/other.sqlite"
            try executeSQL(
                other, "CREATE TABLE schema_migrations (name TEXT); INSERT INTO schema_migrations VALUES ('x')")
            let copied = try await runAccounts(["--database", other, "backup", "--output", dir + "/other-copy.sqlite"])
            #expect(copied.status == 0, "\(copied.stderr)")
            #expect(copied.stdout.hasPrefix("backed up 0 accounts (no migration applied)"), "\(copied.stdout)")
            #expect(try databaseDump(dir + "/other-copy.sqlite") == databaseDump(other))
        }
    }

    /// An empty file holds nothing to back up: said so, not the advice to migrate it (which every other command gives
    /// an unmigrated file, and which a backup, made before migrating, should not give), and nothing written.
    @Test func anEmptyFileIsNothingToBackUp() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/empty.sqlite"
            writeFile(database, [])
            let result = try await runAccounts(["--database", database, "backup", "--output", dir + "/copy.sqlite"])
            #expect(result.status == 1)
            #expect(
                result.stderr
                    == "accounts: error: the database \(database) is an empty file: nothing to back up (wrong "
                    + "--database?)\n")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["empty.sqlite"])
        }
    }

    /// A backup whose report cannot be written (stdout on a full disk) is in place all the same: the report goes to
    /// stderr and the command exits 75 (done, a step outside failed), not 1, which would read as no backup made.
    @Test func aBackupWhoseReportCannotBeWrittenExits75WithTheCopyInPlace() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await migratedDatabase(dir)
            try await Self.addAccounts(10, to: database)
            let copy = dir + "/copy.sqlite"

            let result = try await runProcess(
                "/bin/sh",
                [
                    "-c", #"exec "$0" --database "$1" backup --output "$2" > /dev/full"#, accountsExecutable(),
                    database, copy,
                ])

            #expect(result.status == 75, "\(result.stderr)")
            #expect(result.stderr.contains("backed up 10 accounts (schema version 18) to \(copy)"), "\(result.stderr)")
            #expect(countQuery(copy, "SELECT count(*) FROM users") == 10)
        }
    }

    /// A backup that cannot be written whole (here: a file size limit far below the copy's size) fails naming the
    /// backup's path, leaves the earlier copy and the database byte for byte as they were, and leaves no partial file.
    @Test func aBackupThatCannotBeWrittenWholeChangesNothing() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await migratedDatabase(dir)
            try await Self.addAccounts(20_000, to: database)
            let copy = dir + "/copy.sqlite"
            writeFile(copy, Array("yesterday's backup".utf8))
            let before = fileDigest(database)

            let result = try await runProcess(
                "/bin/sh",
                [
                    "-c", #"trap '' XFSZ; ulimit -f 1000; exec "$0" --database "$1" backup --output "$2""#,
                    accountsExecutable(), database, copy,
                ])

            #expect(result.status == 1, "\(result.stderr)")
            #expect(
                result.stderr.contains("accounts: error: cannot write the backup \(copy): "), "\(result.stderr)")
            #expect(result.stderr.contains("the database is unchanged, and no file was left"), "\(result.stderr)")
            #expect(result.stdout.isEmpty)
            #expect(fileBytes(copy) == Array("yesterday's backup".utf8))
            #expect(fileDigest(database) == before)
            #expect(Self.hiddenFiles(in: dir).isEmpty)
        }
    }

    /// An `--output` that is no file a backup can be (standard output, a device, a directory) or that would destroy
    /// something (the database, its `-wal`, the keys file) is a usage error naming it; nothing is read or written.
    @Test(arguments: [
        ("-", "a backup is a database file, not a stream"),
        ("/dev/null", "is not a regular file (a device or a pipe)"),
        ("DIR", "is a directory; name a file"),
        ("DIR/accounts.sqlite", "is the database file"),
        ("DIR/accounts.sqlite-wal", "is the database file"),
        ("DIR/keys", "is the keys file"),
        // (ACCOUNTS_KEYS_FILE, though --keys-file names another: an app's environment, a script's flag)
        ("DIR/environment.keys", "is the keys file"),
    ])
    func anOutputThatIsNoPlaceForABackupIsRefused(_ output: String, _ message: String) async throws {
        try await withTemporaryDirectory { dir in
            let database = try await migratedDatabase(dir)
            for name in ["keys", "environment.keys"] {
                let keys = try await runAccounts(["keys", "generate", "--output", dir + "/" + name])
                #expect(keys.status == 0, "\(keys.stderr)")  // lint: no secret (it writes the key to --output)
            }
            let listing = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
            let before = fileDigest(database)
            let keysBefore = fileDigest(dir + "/environment.keys")

            let target = output.replacingOccurrences(of: "DIR", with: dir)
            let result = try await runAccounts(
                ["--database", database, "--keys-file", dir + "/keys", "backup", "--output", target],
                environment: ["ACCOUNTS_KEYS_FILE": dir + "/environment.keys"])
            #expect(fileDigest(dir + "/environment.keys") == keysBefore)

            #expect(result.status == 64, "\(result.stderr)")
            #expect(result.stderr.contains("--output \(target)"), "\(result.stderr)")
            #expect(result.stderr.contains(message), "\(result.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == listing)
            #expect(fileDigest(database) == before)
        }
    }

    /// Stopped by a signal once it has begun to write (Ctrl-C, SIGTERM, or SIGHUP: the terminal closed), a backup
    /// removes its unfinished copy and the `-journal` SQLite writes beside it (hidden files both), ends by that
    /// signal and leaves the earlier copy as it was (or, should the signal come as it finishes, the copy is whole and
    /// checked).
    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func aBackupStoppedBySignalLeavesNoPartialFile(signalNumber: Int32) async throws {
        try await withTemporaryDirectory { dir throws in
            let database = try await migratedDatabase(dir)
            try await Self.addAccounts(300_000, to: database)
            let copy = dir + "/copy.sqlite"
            writeFile(copy, Array("yesterday's backup".utf8))
            let earlier = fileDigest(copy)

            let process = try ChildProcess(
                accountsExecutable(), ["--database", database, "backup", "--output", copy],
                environment: childEnvironment(removing: []))
            // (watched, and signalled, from a thread of its own: the watch polls every millisecond)
            let writing = await onOwnThread {
                let deadline = ContinuousClock.now + .seconds(60)
                var writing = false
                while !writing && process.isRunning && ContinuousClock.now < deadline {
                    writing = Self.hiddenFiles(in: dir).contains { name in
                        var info = stat()
                        return stat(dir + "/" + name, &info) == 0 && info.st_size > 0
                    }
                    if !writing { usleep(1000) }
                }
                process.send(signalNumber)
                return writing
            }
            #expect(writing, "the backup ended before it had written part of its copy")
            let ended = try await process.exit()

            // (the partial copy and its -journal are both hidden: `.copy.sqlite.partial-…` and `…-journal`)
            #expect(Self.hiddenFiles(in: dir).isEmpty, "\(Self.hiddenFiles(in: dir))")
            if let signal = ended.signal {
                #expect(signal == signalNumber)
                #expect(ended.status == 128 + signalNumber)
                #expect(fileDigest(copy) == earlier)
            } else {
                #expect(ended.status == 0)
                #expect(countQuery(copy, "SELECT count(*) FROM users") == 300_000)
            }
        }
    }

    /// How a database is write-protected from the user who backs it up.
    enum WriteProtection: String, CaseIterable, CustomTestStringConvertible {
        /// The file is mode 0444 in a directory the user may write, and no app has it open (no `-wal`, no `-shm`).
        case readOnlyFile
        /// The file, its `-wal` and `-shm` (an app has it open) are mode 0444, in a directory the user may not write.
        case readOnlyDirectory

        var testDescription: String { rawValue }
    }

    /// Runs `accounts` with `arguments` as a user whom file modes stop: this one, or, when the tests run as root
    /// (whom modes do not stop), the unprivileged `nobody` (uid 65534, through `setpriv`).
    static func runAccountsWhereModesApply(_ arguments: [String]) async throws -> CommandResult {
        guard getuid() == 0 else { return try await runAccounts(arguments) }
        return try await runProcess(
            "/usr/bin/setpriv",
            ["--reuid=65534", "--regid=65534", "--clear-groups", accountsExecutable()] + arguments)
    }

    /// A database its user may only read is backed up all the same, through a read-only connection of its own: the
    /// copy holds every account, and the database's files are as they were, byte for byte, none made or removed (but
    /// for the known issue below: beside a 0444 file in a directory the user may write, with no app running, the
    /// store's read-only reader leaves an empty `-wal` and a `-shm` behind, as every command that only reads does).
    @Test(
        .enabled(if: getuid() != 0 || FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")),
        arguments: WriteProtection.allCases)
    func aDatabaseItsUserMayOnlyReadIsBackedUpWithoutAWrite(_ protection: WriteProtection) async throws {
        try await withTemporaryDirectory { dir in
            let data = dir + "/data"
            let out = dir + "/out"
            for folder in [data, out] {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
            }
            chmod(dir, 0o755)
            // (as root, the backup runs as nobody, who may write the copy's directory)
            if getuid() == 0 { #expect(chown(out, 65534, 65534) == 0) }
            let database = data + "/accounts.sqlite"
            var app: AccountStore?
            defer {
                try? app?.close()
                chmod(data, 0o755)
            }
            switch protection {
            case .readOnlyFile:
                _ = try await migratedDatabase(data)
                try await Self.addAccounts(2_000, to: database)
                if getuid() == 0 { #expect(chown(data, 65534, 65534) == 0) }
                #expect(chmod(database, 0o444) == 0)
            case .readOnlyDirectory:
                app = try makeStore(in: data, keyRing: nil)
                try await Self.addAccounts(2_000, to: database)
                for file in [database, database + "-wal", database + "-shm"] { #expect(chmod(file, 0o444) == 0) }
                #expect(chmod(data, 0o555) == 0)
            }
            let files = try FileManager.default.contentsOfDirectory(atPath: data).sorted()
            #expect(files.contains("accounts.sqlite-wal") == (protection == .readOnlyDirectory), "\(files)")
            let digests = files.map { fileDigest(data + "/" + $0) }
            let copy = out + "/copy.sqlite"

            let result = try await Self.runAccountsWhereModesApply(["--database", database, "backup", "--output", copy])

            #expect(result.status == 0, "\(result.stderr)")
            #expect(
                result.stdout.hasPrefix("backed up 2000 accounts (schema version 18) to \(copy)"), "\(result.stdout)")
            let after = try FileManager.default.contentsOfDirectory(atPath: data).sorted()
            if protection == .readOnlyFile {
                // The store's read-only reader (as for `export`, `users show`) makes the `-wal` and `-shm` every reader
                // of a WAL database needs, and, unable to write the file, cannot checkpoint and remove them as it
                // closes. Made by another user, they leave the owner's next read-write opening read-only.
                withKnownIssue("a read-only store leaves the -wal and -shm it made beside a file it may not write") {
                    #expect(after == files)
                }
                #expect(fileBytes(database + "-wal").isEmpty, "nothing is written into the log")
            } else {
                #expect(after == files)
            }
            #expect(files.map { fileDigest(data + "/" + $0) } == digests, "\(files)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["copy.sqlite"])
            #expect(textQuery(copy, "PRAGMA quick_check") == "ok")
            #expect(try databaseDump(copy) == databaseDump(database))
        }
    }

    /// Backups made while other processes write are each one snapshot: one process registers accounts (each with
    /// its Twitter identity and sealed token, one transaction each), another deletes accounts and runs `purge`,
    /// whose rebuild (`VACUUM`) rewrites every page and whose checkpoints copy the log into the file meanwhile.
    /// Every copy is sound, with no identity lacking its user or token, and the writers go on.
    @Test func backupsMadeWhileOtherProcessesWriteAndRebuildAreSnapshots() async throws {
        try await withTemporaryDirectory { dir throws in
            let database = try await migratedDatabase(dir)
            try await Self.addAccounts(5_000, to: database)
            let key = try SecretKey.generate(id: "k1")
            let worker = URL(fileURLWithPath: accountsExecutable()).deletingLastPathComponent()
                .appendingPathComponent("accounts-test-worker").path
            let registering = try ServerProcess(
                worker, ["register-loop", database, "7000000000"],
                environment: ["ACCOUNTS_KEYS": key.unredactedKeysFileLine()])
            defer { registering.kill() }
            _ = try await registering.firstLine()
            let rebuilding = try ServerProcess(
                "/bin/sh",
                [
                    "-c",
                    #"""
                    echo started; i=1
                    while :; do
                        "$0" --database "$1" users delete "user$i" >/dev/null 2>&1
                        "$0" --database "$1" purge >/dev/null 2>&1
                        i=$((i + 1))
                    done
                    """#,
                    accountsExecutable(), database,
                ])
            defer { rebuilding.kill() }
            _ = try await rebuilding.firstLine()

            let rebuilt = "SELECT count(*) FROM account_events WHERE kind = 'file_rebuilt'"
            let deadline = ContinuousClock.now + .seconds(60)
            var round = 0
            while round < 4 || (countQuery(database, rebuilt) < 3 && ContinuousClock.now < deadline) {
                let copy = dir + "/copy\(round).sqlite"
                let result = try await runAccounts(["--database", database, "backup", "--output", copy])
                #expect(result.status == 0, "\(result.stderr)")
                #expect(textQuery(copy, "PRAGMA integrity_check") == "ok", "\(copy)")
                #expect(countQuery(copy, "SELECT count(*) FROM pragma_foreign_key_check") == 0, "\(copy)")
                #expect(
                    countQuery(
                        copy,
                        """
                        SELECT count(*) FROM twitter_identities i
                        WHERE NOT EXISTS (SELECT 1 FROM twitter_credentials c WHERE c.identity_id = i.id)
                        """) == 0, "\(copy)")
                #expect(countQuery(copy, "SELECT count(*) FROM users") > 0, "\(copy)")
                round += 1
            }
            #expect(countQuery(database, rebuilt) >= 3, "the file was rebuilt during the backups")
            #expect(await registering.stop(signal: SIGTERM) != 1, "\(registering.stderrText.withLock { $0 })")
        }
    }
}
