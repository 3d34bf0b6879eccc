import AccountStore
import ArgumentParser
import Foundation
import TestSupport
import Testing

@testable import accounts

/// `accounts purge` when the rebuilt file's `file_rebuilt` event is not written.
struct PurgeEventLossTests {
    /// The room a failed rebuild asks for is the database file's size, also when `--database` names a symbolic link to
    /// it (until session 59 the link's own size: 1 MB for a file of any size).
    @Test func theRoomAFailedRebuildNeedsIsThatOfTheFileALinkNames() throws {
        try withTemporaryDirectorySync { dir throws in
            let file = dir + "/accounts.sqlite"
            #expect(FileManager.default.createFile(atPath: file, contents: Data(count: 5_000_000)))
            try FileManager.default.createSymbolicLink(atPath: dir + "/link.sqlite", withDestinationPath: file)
            for path in [file, dir + "/link.sqlite"] {
                let message = PurgeCommand.rebuildFailure(.diskFull(path: path), databasePath: path)
                #expect(message.contains("the rebuild writes the whole file again (5 MB)"), "\(message)")
            }
        }
    }

    /// Ctrl-C (the task cancelled) while the event waits for the write lock another process took as the rebuild
    /// ended: the file is rebuilt, the event is not, and the purge stops as a signal stops it (130), having said so on
    /// stderr, rather than exit 0 in silence (until session 58: the store's warning went to a log that goes nowhere).
    @Test func aSignalWhileTheEventWaitsEndsThePurgeAsStopped() async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/accounts.sqlite"
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            _ = try await store.createAccount(newAccount("kept"))
            _ = try await store.createAccount(newAccount("gone"))
            _ = try await store.deleteAccount(.username("gone"))
            // Given another process that takes the write lock as soon as the file is rebuilt
            let holder = Locked<Result<WriteLockHolder, any Error>?>(nil)
            // (the task is cancelled by the hook itself, once the lock is taken, before the event's wait begins: no
            // timing to miss on a loaded machine, where a cancel sent from a test task came after the busy timeout)
            let task = Locked<Task<Void, any Error>?>(nil)
            store.setAfterRebuildForTests {
                let taken = Result { () throws -> WriteLockHolder in try WriteLockHolder(path: path) }
                holder.withLock { $0 = taken }
                for _ in 0..<6000 where task.value == nil { usleep(10_000) }
                task.value?.cancel()
            }

            // When the task is cancelled (Ctrl-C) while the event waits for that lock
            let said = Locked<[String]>([])
            let started = Task {
                try await PurgeCommand.purge(
                    store, databasePath: path, say: { line in said.withLock { $0.append(line) } })
            }
            task.withLock { $0 = started }
            let result = await started.result
            store.setAfterRebuildForTests(nil)
            try holder.value?.get().release()

            // Then the purge ended as stopped by the signal (exit 130), and no event says the file was rebuilt
            switch result {
            case .success: Issue.record("the purge ended as if nothing had been stopped")
            case .failure(let error): #expect((error as? ExitCode)?.rawValue == 130, "\(error)")
            }
            #expect(countQuery(path, "SELECT count(*) FROM account_events WHERE kind = 'file_rebuilt'") == 0)
            // (and the signal, which came once the copy was written back, was not told the rebuild runs on)
            #expect(said.value.isEmpty, "\(said.value)")
        }
    }

    /// Ctrl-C (the task cancelled) while the rebuild copies does not stop it, and is told so at once (until session 60
    /// it got no answer, which invited the second Ctrl-C that throws the rebuild away); nor does it stop the wait of
    /// the rebuild's event for the write lock another process took as the copy ended: the purge ends as usual, the file
    /// rebuilt with its event.
    @Test func aSignalDuringTheRebuildIsToldItRunsToItsEnd() async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/accounts.sqlite"
            // (enough accounts that the copying reports before it ends)
            let store = try await makeStoreWithARebuildDue(in: dir)
            defer { try? store.close() }
            let said = Locked<[String]>([])
            let reports = Locked<[AccountStore.RebuildProgress]>([])
            let task = Locked<Task<Void, any Error>?>(nil)
            // Given another process that takes the write lock as the copy ends, for 300 ms
            let holder = Locked<Result<WriteLockHolder, any Error>?>(nil)
            store.setAfterRebuildForTests {
                let taken = Result { () throws -> WriteLockHolder in try WriteLockHolder(path: path) }
                holder.withLock { $0 = taken }
                Thread.detachNewThread {
                    Thread.sleep(forTimeInterval: 0.3)
                    try? taken.get().release()
                }
            }

            // When the operator presses Ctrl-C (the task cancelled) as the rebuild reports its copying
            let started = Task {
                try await PurgeCommand.purge(
                    store, databasePath: path, say: { line in said.withLock { $0.append(line) } },
                    observe: { report in
                        let first = reports.withLock { reports in
                            reports.append(report)
                            return reports.count == 1
                        }
                        guard first, !report.finished else { return }
                        for _ in 0..<6000 where task.value == nil { usleep(10_000) }
                        task.value?.cancel()
                    })
            }
            task.withLock { $0 = started }
            let result = await started.result
            store.setAfterRebuildForTests(nil)

            // Then it said at once that the rebuild runs to its end, and how to abandon it
            #expect(reports.value.first?.finished == false, "the copying did not report: \(reports.value)")
            #expect(said.value.count == 1, "\(said.value)")
            #expect(said.value.first?.contains("the rebuild of the database file under way runs to its end") == true)
            #expect(said.value.first?.contains("a second Ctrl-C abandons it") == true)
            // And the purge ended as usual once the lock came free, the file rebuilt with its event
            #expect((try? holder.value?.get()) != nil, "the other process did not take the lock")
            if case .failure(let error) = result { Issue.record("the purge failed: \(error)") }
            #expect(countQuery(path, "SELECT count(*) FROM account_events WHERE kind = 'file_rebuilt'") == 1)
        }
    }
}
