import AccountCrypto
import AccountModel
import AccountStore
import Foundation
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
            #expect(report.schemaVersion == 15)
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

    /// A backup whose task is cancelled while it copies stops, throws `backupFailed` saying so, and leaves no file
    /// at its path nor beside it; the store goes on.
    @Test func aCancelledBackupStopsAndLeavesNoFile() async throws {
        try await withTemporaryDirectory { dir throws in
            let store = try makeStore(in: dir, synchronous: .normal)
            defer { try? store.close() }
            for index in 0..<3_000 {
                _ = try await store.createAccount(newAccount("user\(index)"))
            }
            let copy = dir + "/copy.sqlite"
            let canceller = Canceller()
            let task = Task {
                try await store.backUp(to: copy) { _, _ in
                    // The first report comes once the copy has begun: cancel there.
                    canceller.cancel()
                }
            }
            canceller.hold(task)

            await #expect(throws: StoreError.backupFailed(path: copy, reason: "cancelled")) {
                _ = try await task.value
            }
            #expect(canceller.asked)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains("copy") }.isEmpty)
            #expect(try await store.accountCount() == 3_000)
            _ = try await store.createAccount(newAccount("after"))
        }
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
