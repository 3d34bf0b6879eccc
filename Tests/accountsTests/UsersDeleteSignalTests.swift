import AccountStore
import Foundation
import Glibc
import TestSupport
import Testing

/// `accounts users delete` stopped by Ctrl-C or SIGTERM while its deletion waits for another process's write lock.
struct UsersDeleteSignalTests {
    /// Ctrl-C (or SIGTERM) while the deletion waits for the write lock another process holds (an app's import, a
    /// purge's rebuild) stops the wait at once: nothing is deleted, the command says so and exits 128 + the signal's
    /// number. Until session 58 the deletion ran in a `Task` of its own, which the signal's cancellation did not
    /// reach: the signal did nothing, and once the lock came free the account was deleted and the command exited 0.
    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalWhileTheDeletionWaitsForTheLockDeletesNothing(signal: Int32) async throws {
        try await withTemporaryDirectory { dir in
            // Given an account, and another process holding the write lock (the store stays open, as an app's would:
            // opening a store when its `-wal` is empty writes, which would wait for the lock before the command ever
            // took over the signals, and a signal then ends it at once, nothing done)
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            _ = try await store.createAccount(newAccount("ann"))
            let database = dir + "/accounts.sqlite"
            let anns = "SELECT count(*) FROM users WHERE username = 'ann'"
            let holder = try await onOwnThread { Result { try WriteLockHolder(path: database) } }.get()
            var released = false
            defer { if !released { try? holder.release() } }

            // When `users delete` has taken over the signals (and so is at, or about to reach, its wait for the
            // lock), the operator presses Ctrl-C (or a supervisor sends SIGTERM)
            let process = try ChildProcess(
                accountsExecutable(), ["--database", database, "users", "delete", "ann"],
                environment: childEnvironment(), stdout: .pipe, stderr: .pipe)
            defer { process.send(SIGKILL) }
            let collected = Locked<(out: [UInt8], err: [UInt8])?>(nil)
            process.readOutput { out, err in collected.withLock { $0 = (out, err) } }
            // (watched on a thread of its own, and the signal sent as soon as Dispatch's source for it is registered,
            // which installs its handler: before that the signal is ignored, and lost; and the cooperative pool, which
            // a loaded suite holds for seconds, could send it after the busy timeout, 30 s, had ended the wait)
            let bit: UInt64 = 1 << UInt64(signal - 1)
            let takenOver = await onOwnThread { () -> Bool in
                let deadline = ContinuousClock.now + .seconds(300)
                while ContinuousClock.now < deadline && process.isRunning {
                    if caughtSignals(of: process.pid) & bit != 0 {
                        usleep(200_000)
                        process.send(signal)
                        return true
                    }
                    usleep(5_000)
                }
                return false
            }
            try #require(takenOver, "\(process.command) ended before it took over the signal, or took 300 s")
            let stoppedWhileLocked = await onOwnThread { process.wait(upTo: .seconds(20)) }
            try holder.release()
            released = true
            let termination = try await process.exit(upTo: .seconds(120))
            try #require(
                try await eventually { collected.value != nil },
                "the output of \(process.command) did not reach its end within 60 s")
            let out = String(decoding: collected.value?.out ?? [], as: UTF8.self)
            let err = String(decoding: collected.value?.err ?? [], as: UTF8.self)

            // Then it stopped while the lock was still held, with the status of a command a signal stopped
            #expect(stoppedWhileLocked != nil, "still running 20 s after the signal; stderr: \(err)")
            #expect(termination.signal == nil, "killed by signal \(termination.signal ?? 0); stderr: \(err)")
            #expect(termination.status == 128 + signal, "exit status \(termination.status); stderr: \(err)")
            // And it said that nothing was deleted
            let name = signal == SIGINT ? "Ctrl-C (SIGINT)" : "SIGTERM"
            #expect(
                err.contains("stopped by \(name) before anything was deleted; nothing changed"), "stderr: \(err)")
            #expect(out.isEmpty, "stdout: \(out)")
            // And the account is still there, with no `deleted` event
            #expect(countQuery(database, anns) == 1)
            #expect(countQuery(database, "SELECT count(*) FROM account_events WHERE kind = 'deleted'") == 0)
        }
    }
}

/// The signals `pid` catches (`SigCgt` in `/proc/PID/status`: bit n - 1 for signal n; Dispatch installs a handler as
/// it registers a signal source), 0 when it cannot be read.
func caughtSignals(of pid: pid_t) -> UInt64 {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigCgt:") })
    else { return 0 }
    return UInt64(line.dropFirst("SigCgt:".count).trimmingCharacters(in: .whitespaces), radix: 16) ?? 0
}
