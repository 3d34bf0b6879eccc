import AccountModel
import AccountStore
import Foundation
import Glibc
import TestSupport
import Testing

/// `accounts purge` on a store whose file is too large for the rebuild to fit in what the disk has left.
struct PurgeRebuildFailureTests {
    /// The purge commits its row removals first, then rebuilds the file (`VACUUM`), which in WAL mode writes the whole
    /// file again into the `-wal` (and a copy into the temporary directory). When that cannot be written (a disk with
    /// less room than the file: here a file size limit, as a full disk gives `the disk holding … is full; nothing of
    /// the failed change was kept`), the command says what it removed (committed first), that the rebuild failed, and
    /// that it needs about the file's size free: not only the error, which read as if nothing was kept, while a daily
    /// purge failed every day with `df` showing free space.
    @Test func aPurgeWhoseRebuildFailsStillSaysWhatItRemovedAndWhatTheRebuildNeeds() async throws {
        try await withTemporaryDirectory { dir in
            // Given a store of 5,000 accounts (about 2 MB), one account deleted since the last rebuild, and one expired
            // pending authorization that the purge removes
            let lines = (0..<5_000).map { index in
                "{\"username\": \"user\(index)\", \"email\": \"user\(index)@example.org\", \"first_name\": \"Ann\", "
                    + "\"last_name\": \"Smith\"}\n"
            }.joined()
            writeFile(dir + "/accounts.jsonl", Array(lines.utf8))
            let database = try await migratedDatabase(dir)
            let imported = try await runAccounts([
                "--database", database, "import", "--format", "jsonl", dir + "/accounts.jsonl",
            ])
            #expect(imported.status == 0, "\(imported.stderr)")
            let store = try makeStore(in: dir)
            _ = try await store.deleteAccount(.username("user17"))
            try await store.savePendingAuthorization(
                PendingAuthorization(
                    requestToken: "used-token", requestTokenSecret: Secret("request-secret"), browserSession: "browser",
                    purpose: .signIn, linkUser: nil, createdAt: Date().addingTimeInterval(-8_100),
                    expiresAt: Date().addingTimeInterval(-7_200)))
            try store.close()
            #expect(countQuery(database, "SELECT count(*) FROM pending_authorizations") == 1)

            // When the purge runs where no file may grow past 1 MiB (the rebuild's -wal cannot be written)
            let result = try await runProcess(
                "/bin/bash",
                [
                    "-c", #"trap '' XFSZ; ulimit -f 1024; exec "$0" --database "$1" purge"#, accountsExecutable(),
                    database,
                ])

            // Then the rebuild failed (exit 1), but the row removal was committed
            #expect(result.status != 0, "\(result.stdout)")
            #expect(countQuery(database, "SELECT count(*) FROM pending_authorizations") == 0)
            // and the command says so: what it removed, and that the rebuild (not the purge) failed and why
            #expect(result.stdout.hasPrefix("removed 1 pending authorizations"), "\(result.stdout.debugDescription)")
            #expect(result.stderr.contains("rebuilding the database file failed"), "\(result.stderr)")
            #expect(result.stderr.contains("MB) into the -wal beside it"), "\(result.stderr)")
            // (a file size limit is an I/O error to SQLite, not a full disk: the message names what refuses a write so,
            // rather than only "make that much room")
            #expect(result.stderr.contains("disk I/O error"), "\(result.stderr)")
            #expect(result.stderr.contains("a file size limit (`ulimit -f`)"), "\(result.stderr)")
            #expect(!result.stderr.contains("make that much room"), "\(result.stderr)")
        }
    }

    /// A rebuild that fails for another reason than room is not told to "make that much room": here a newer
    /// `accounts migrate` ran between the purge's removals and its rebuild (`StoreError.schemaAhead`), which more
    /// room does not cure; the command says what failed, that nothing was rebuilt, and what to run instead.
    @Test func aRebuildRefusedByANewerSchemaSaysSoAndNotToMakeRoom() async throws {
        try await withTemporaryDirectory { dir in
            // Given a deleted account (a rebuild is due) and an expired browser session (a removal)
            let database = try await Self.storeWithARebuildDue(in: dir)

            // When a newer `accounts migrate` applies a migration while the purge has committed its removals
            let (termination, out, err) = try await Self.purgeHeldAfterItsRemovals(database) { _ in
                try await executeSQLOnOwnThread(
                    database,
                    "INSERT INTO schema_migrations (version, name, checksum, applied_at, execution_micros) "
                        + "VALUES (9999, 'from_the_future', '0000000000000000000000000000000000000000000000000000000000000000', 0, 0)"
                )
            }

            // Then the rebuild failed (exit 1) after the removals, and the command says why, not to make room
            #expect(termination.status == 1, "stderr: \(err)")
            #expect(
                out.hasPrefix("removed 0 pending authorizations, 0 registration drafts, 1 browser sessions"), "\(out)")
            #expect(err.contains("the removals above are committed, but rebuilding the database file failed"), "\(err)")
            #expect(err.contains("migrated to version 9999"), "\(err)")
            #expect(!err.contains("make that much room"), "\(err)")
            #expect(!err.contains("restart it"), "\(err)")
            #expect(countQuery(database, "SELECT count(*) FROM account_events WHERE kind = 'file_rebuilt'") == 0)
        }
    }

    /// A damaged file is not told to "make that much room" either: the command gives the error's own advice.
    @Test func aRebuildThatMeetsADamagedPageGivesTheErrorsOwnAdvice() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await Self.storeWithARebuildDue(in: dir)
            let pageSize = countQuery(database, "PRAGMA page_size")
            let usersRoot = countQuery(database, "SELECT rootpage FROM sqlite_master WHERE name = 'users'")
            #expect(pageSize >= 512 && usersRoot > 1)

            // When the page of `users` is damaged on disk after the purge's removals (which do not read it)
            let (termination, out, err) = try await Self.purgeHeldAfterItsRemovals(database) { _ in
                let file = try #require(FileHandle(forWritingAtPath: database))
                try file.seek(toOffset: UInt64((usersRoot - 1) * pageSize))
                try file.write(contentsOf: [UInt8](repeating: 0xFF, count: pageSize))
                try file.close()
            }

            // Then the rebuild failed (exit 1) after the removals, and the command gives the damage's advice
            #expect(termination.status == 1, "stderr: \(err)")
            #expect(out.hasPrefix("removed 0 pending authorizations"), "\(out)")
            #expect(err.contains("the removals above are committed, but rebuilding the database file failed"), "\(err)")
            #expect(err.contains("is damaged"), "\(err)")
            #expect(err.contains("restore it from a backup"), "\(err)")
            #expect(!err.contains("make that much room"), "\(err)")
        }
    }

    /// Ctrl-C while the purge's removals run, with no other process holding anything, also stops the rebuild before
    /// it begins: the message says nothing was rebuilt, and does not claim another process held the write lock.
    @Test func aSignalWithNoOtherProcessDoesNotBlameOne() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await Self.storeWithARebuildDue(in: dir)

            // When the operator presses Ctrl-C as the purge prints its removals (no other process holds any lock)
            let (termination, out, err) = try await Self.purgeHeldAfterItsRemovals(database) { process in
                process.send(SIGINT)
                // (the signal is handled on another thread: let it cancel the purge before its output is read)
                try await Task.sleep(for: .milliseconds(500))
            }

            // Then it stopped before the rebuild, having printed its removals, and says so without blaming anyone
            #expect(termination.status == 128 + SIGINT, "stderr: \(err)")
            #expect(
                out.hasPrefix("removed 0 pending authorizations, 0 registration drafts, 1 browser sessions"), "\(out)")
            #expect(err.contains("nothing was rebuilt; run `accounts purge` again"), "stderr: \(err)")
            #expect(!err.contains("another process"), "stderr: \(err)")
            #expect(countQuery(database, "SELECT count(*) FROM account_events WHERE kind = 'file_rebuilt'") == 0)
        }
    }

    /// A store in `dir` with one account deleted (a rebuild is due) and one expired browser session (a removal); its
    /// path.
    static func storeWithARebuildDue(in dir: String) async throws -> String {
        let clock = TestClock(Date().addingTimeInterval(-7200))
        let store = try makeStore(in: dir, now: clock.closure)
        let ann = try await store.createAccount(newAccount("ann"))
        _ = try await store.createAccount(newAccount("bob"))
        _ = try await store.deleteAccount(.username("bob"))
        try await store.createBrowserSession(
            BrowserSession(
                tokenHash: String(repeating: "a", count: 64), user: ann.id, csrfToken: "t", createdAt: clock.now,
                lastSeenAt: clock.now, idleExpiresAt: clock.now.addingTimeInterval(1800),
                expiresAt: clock.now.addingTimeInterval(3600)))
        try store.close()
        return dir + "/accounts.sqlite"
    }

    /// Runs `accounts purge` on `database`, held between its removals and its rebuild: its stdout is a pipe the test
    /// filled, so it waits to print the removals it committed. `whileHeld` runs once they are committed; then the pipe
    /// is read, and the purge goes on to its end. Its termination, stdout (without the filler) and stderr.
    static func purgeHeldAfterItsRemovals(
        _ database: String, whileHeld: (ChildProcess) async throws -> Void
    ) async throws -> (ChildProcess.Termination, String, String) {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let (reading, writing) = (ends[0], ends[1])
        let flags = fcntl(writing, F_GETFL)
        _ = fcntl(writing, F_SETFL, flags | O_NONBLOCK)
        let filler = [UInt8](repeating: UInt8(ascii: "."), count: 4096)
        var filled = 0
        while true {
            let written = filler.withUnsafeBytes { write(writing, $0.baseAddress, $0.count) }
            if written <= 0 { break }
            filled += written
        }
        _ = fcntl(writing, F_SETFL, flags)
        let process = try ChildProcess(
            accountsExecutable(), ["--database", database, "purge"], environment: childEnvironment(),
            stdout: .descriptor(writing), stderr: .pipe)
        close(writing)
        let collected = Locked<[UInt8]?>(nil)
        process.readOutput { _, err in collected.withLock { $0 = err } }
        let removed = await onOwnThread { () -> Bool in
            let deadline = ContinuousClock.now + .seconds(300)
            while ContinuousClock.now < deadline && process.isRunning {
                if countQuery(database, "SELECT count(*) FROM browser_sessions") == 0 { return true }
                usleep(1_000)
            }
            return false
        }
        #expect(removed, "the purge removed nothing within 300 s")
        try await whileHeld(process)
        let output = Locked<[UInt8]?>(nil)
        Thread.detachNewThread {
            let bytes = ChildProcess.readToEnd(reading)
            output.withLock { $0 = bytes }
        }
        let termination = try await process.exit(upTo: .seconds(120))
        try #require(
            try await eventually { collected.value != nil && output.value != nil },
            "the output of \(process.command) did not reach its end within 60 s")
        close(reading)
        return (
            termination, String(decoding: (output.value ?? []).dropFirst(filled), as: UTF8.self),
            String(decoding: collected.value ?? [], as: UTF8.self)
        )
    }
}
