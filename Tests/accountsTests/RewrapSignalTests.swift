import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import Glibc
import TestSupport
import Testing

/// `accounts keys rewrap` stopped by Ctrl-C or SIGTERM.
struct RewrapSignalTests {
    /// Ctrl-C (or SIGTERM) stops a rewrap between batches, not in one: every batch it committed stays, nothing is
    /// half-sealed, and the command says on stderr how many values it moved to which key (the id, never a key), that
    /// running it again finishes the work, and that the old key stays in the ring until then; it exits 128 + the
    /// signal's number (130, 143), as a shell reports a command a signal stopped, not 0 (nothing looks done) nor 1
    /// (nothing failed). Until session 52 the signal killed it with no word of what it had done.
    ///
    /// The rewrap is held between two batches by the write lock, which the test takes once some batches have
    /// committed (the next batch waits for it), with the rewrap stopped (SIGSTOP) meanwhile, so that the signal meets
    /// it under way on any machine.
    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalStopsTheRewrapBetweenBatchesAndSaysHowToFinish(signal: Int32) async throws {
        try await withTemporaryDirectory { dir in
            // Given 2,000 credentials sealed under key A, and a ring [B, A]
            let keyA = try SecretKey.generate(id: "keyA")
            let keyB = try SecretKey.generate(id: "keyB")
            let count = 2_000
            try await KeysCommandTests.seedCredentials(count, sealedUnder: keyA, in: dir)
            let database = dir + "/accounts.sqlite"
            let lines = [keyB.unredactedKeysFileLine(), keyA.unredactedKeysFileLine()]
            let rotated = ["ACCOUNTS_KEYS": lines.joined(separator: ",")]
            let underB = "SELECT count(*) FROM twitter_credentials WHERE key_id = 'keyB'"

            // When a rewrap a value per batch has committed some batches, another process takes the write lock (the
            // rewrap's next batch waits for it), and the operator presses Ctrl-C (or a supervisor sends SIGTERM)
            let process = try ChildProcess(
                accountsExecutable(), ["--database", database, "keys", "rewrap", "--batch-size", "1"],
                environment: childEnvironment(rotated), stdout: .pipe, stderr: .pipe)
            let collected = Locked<(out: [UInt8], err: [UInt8])?>(nil)
            process.readOutput { out, err in collected.withLock { $0 = (out, err) } }
            // (all on a thread of its own, from the first batches seen to the signal: the rewrap's next batch waits
            // for the lock only its busy timeout, and a test resumed on a busy cooperative pool was seen to take
            // longer than that between the two. The rewrap is stopped while the test takes the lock: its batches come
            // back to back, and a lock taken beside them through SQLite's busy handler was seen to come only after
            // all 2,000; stopped holding the lock itself, it is let go on a little, and stopped again)
            let (begun, holder, movedBeforeTheSignal, runningAtTheSignal) = await onOwnThread {
                () -> (Bool, Result<WriteLockHolder, any Error>, Int, Bool) in
                var begun = false
                let deadline = ContinuousClock.now + .seconds(300)
                while ContinuousClock.now < deadline && process.isRunning {
                    if countQuery(database, underB) >= 10 {
                        process.send(SIGSTOP)
                        begun = true
                        break
                    }
                    usleep(1_000)
                }
                var holder: Result<WriteLockHolder, any Error> = .failure(CancellationError())
                for _ in 0..<100 where begun {
                    holder = Result { try WriteLockHolder(path: database, waitingUpTo: .milliseconds(200)) }
                    process.send(SIGCONT)
                    if case .success = holder { break }
                    usleep(2_000)
                    process.send(SIGSTOP)
                }
                let moved = countQuery(database, underB)
                let running = process.isRunning
                process.send(signal)
                return (begun, holder, moved, running)
            }
            let termination = try await process.exit(upTo: .seconds(120))
            try holder.get().release()
            try #require(
                try await eventually { collected.value != nil },
                "the output of \(process.command) did not reach its end within 60 s")
            let (out, err) = collected.withLock {
                (String(decoding: $0?.out ?? [], as: UTF8.self), String(decoding: $0?.err ?? [], as: UTF8.self))
            }
            #expect(begun, "the rewrap committed no batch within 300 s")
            #expect(
                runningAtTheSignal, "the rewrap ended before the test took the lock (\(movedBeforeTheSignal) moved)")
            let keyMaterial = lines.map { String($0.drop { $0 != ":" }.dropFirst()) }
            let printsAKey = keyMaterial.contains { out.contains($0) || err.contains($0) }
            #expect(!printsAKey, "the output holds a key")

            // Then it stopped cleanly, with the status of a command a signal stopped
            #expect(termination.signal == nil, "killed by signal \(termination.signal ?? 0); stderr: \(err)")
            #expect(termination.status == 128 + signal, "exit status \(termination.status); stderr: \(err)")
            // And it said how many values it moved to which key, and how to finish
            let moved = countQuery(database, underB)
            #expect(moved >= movedBeforeTheSignal && moved < count, "moved \(moved) of \(count)")
            #expect(
                err.contains("\(moved) values were rewrapped under key keyB"), "moved \(moved); stderr: \(err)")
            #expect(err.contains("Run `accounts keys rewrap` again to finish"), "stderr: \(err)")
            #expect(err.contains("keep the old keys"), "stderr: \(err)")
            #expect(out.isEmpty, "stdout: \(out)")
            // And every value is under A or B, whole: each opens with the ring
            #expect(
                countQuery(database, "SELECT count(*) FROM twitter_credentials WHERE key_id = 'keyA'") == count - moved)
            let ring = try KeyRing(keys: [keyB, keyA])
            do {
                let store = try makeStore(in: dir, keyRing: ring)
                defer { try? store.close() }
                var opened = 0
                for index in 0..<count {
                    let credential = try await store.credential(for: TwitterUserID(UInt64(1_000_000 + index)))
                    if credential?.secret.revealed == "secret-\(index)" { opened += 1 }
                }
                #expect(opened == count)
            }

            // When it runs again, it finishes the rest
            let rerun = try await runAccounts(["--database", database, "keys", "rewrap"], environment: rotated)
            #expect(rerun.status == 0, "\(rerun.stderr)")
            #expect(rerun.stdout.contains("rewrapped \(count - moved) values under key keyB"), "\(rerun.stdout)")
            #expect(countQuery(database, underB) == count)
        }
    }
}
