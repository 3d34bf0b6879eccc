import AccountModel
import AccountStore
import Foundation
import Glibc
import TestSupport
import Testing

/// `accounts purge` stopped by Ctrl-C or SIGTERM while its rebuild of the file waits for another process's write lock.
struct PurgeSignalTests {
    /// Ctrl-C (or SIGTERM) while the purge's rebuild waits for the write lock another process holds stops the wait
    /// at once (it waited up to the busy timeout, 30 s, in SQLite's busy handler, and the signal killed the process):
    /// the command says that the removals it printed are committed, that nothing was rebuilt and that purging again
    /// rebuilds, and exits 128 + the signal's number. No `file_rebuilt` event is written, and the next purge
    /// rebuilds the file.
    ///
    /// The purge is held between its removals and its rebuild by its stdout, a pipe the test filled, while the test
    /// takes the write lock; then the pipe is read, and the rebuild meets the lock held.
    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalWhileTheRebuildWaitsForTheLockStopsItAndSaysHowToFinish(signal: Int32) async throws {
        try await withTemporaryDirectory { dir in
            // Given a deleted account (a rebuild is due) and an expired browser session (a removal)
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
            let database = dir + "/accounts.sqlite"
            let rebuilds = "SELECT count(*) FROM account_events WHERE kind = 'file_rebuilt'"

            // And a stdout pipe already full
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

            // When the purge has committed its removals (and waits to print them), another process takes the write
            // lock, the purge's output is read (its rebuild then waits for the lock), and the operator presses Ctrl-C
            // (or a supervisor sends SIGTERM)
            let process = try ChildProcess(
                accountsExecutable(), ["--database", database, "purge"], environment: childEnvironment(),
                stdout: .descriptor(writing), stderr: .pipe)
            close(writing)
            let collected = Locked<(out: [UInt8], err: [UInt8])?>(nil)
            process.readOutput { out, err in collected.withLock { $0 = (out, err) } }
            let removed = await onOwnThread { () -> Bool in
                let deadline = ContinuousClock.now + .seconds(300)
                while ContinuousClock.now < deadline && process.isRunning {
                    if countQuery(database, "SELECT count(*) FROM browser_sessions") == 0 { return true }
                    usleep(1_000)
                }
                return false
            }
            let holder = await onOwnThread { Result { try WriteLockHolder(path: database) } }
            let output = Locked<[UInt8]>([])
            let drained = Locked(false)
            Thread.detachNewThread {
                let bytes = ChildProcess.readToEnd(reading)
                output.withLock { $0 = bytes }
                drained.withLock { $0 = true }
            }
            try await Task.sleep(for: .milliseconds(500))
            process.send(signal)
            let termination = try await process.exit(upTo: .seconds(120))
            try holder.get().release()
            try #require(
                try await eventually { collected.value != nil && drained.value },
                "the output of \(process.command) did not reach its end within 60 s")
            close(reading)
            let out = String(decoding: output.value.dropFirst(filled), as: UTF8.self)
            let err = String(decoding: collected.value?.err ?? [], as: UTF8.self)
            #expect(removed, "the purge removed nothing within 300 s")

            // Then it stopped, with the status of a command a signal stopped, having printed its removals
            #expect(termination.signal == nil, "killed by signal \(termination.signal ?? 0); stderr: \(err)")
            #expect(termination.status == 128 + signal, "exit status \(termination.status); stderr: \(err)")
            #expect(
                out.hasPrefix("removed 0 pending authorizations, 0 registration drafts, 1 browser sessions"), "\(out)")
            #expect(!out.contains("rebuilt"), "stdout: \(out)")
            // And it said that nothing was rebuilt and how to rebuild
            #expect(err.contains("the removals above are committed"), "stderr: \(err)")
            #expect(err.contains("nothing was rebuilt; run `accounts purge` again"), "stderr: \(err)")
            #expect(!err.contains("runs to its end"), "stderr: \(err)")
            // And no rebuild was recorded; the next purge rebuilds
            #expect(countQuery(database, rebuilds) == 0)
            let rerun = try await runAccounts(["--database", database, "purge"])
            #expect(rerun.status == 0, "\(rerun.stderr)")
            #expect(rerun.stdout.contains("rebuilt the database file"), "\(rerun.stdout)")
            #expect(countQuery(database, rebuilds) == 1)
        }
    }
    #if os(Linux)
        /// On a terminal (`script` gives the command one) the rebuild shows its progress on stderr and ends that line
        /// before the report of the rebuild.
        @Test func theRebuildShowsItsProgressOnATerminal() async throws {
            try await withTemporaryDirectory { dir in
                let store = try makeStore(in: dir)
                for index in 0..<50 { _ = try await store.createAccount(newAccount("user\(index)")) }
                _ = try await store.deleteAccount(.username("user7"))
                try store.close()
                let result = try await runAccountsOnATerminal(["--database", dir + "/accounts.sqlite", "purge"])
                #expect(result.status == 0, "\(result.stdout.debugDescription)")
                let ended = /rebuild: \d+ MB written back \(100%\); recording the rebuild\Rrebuilt the database file/
                #expect(
                    result.stdout.contains(ended),
                    "\(result.stdout.debugDescription)")
                #expect(result.stdout.matches(of: /\r(?!\x{1B}\[K|\n)/).isEmpty, "\(result.stdout.debugDescription)")
            }
        }
    #endif
}
