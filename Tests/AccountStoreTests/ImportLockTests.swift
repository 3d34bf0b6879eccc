import AccountModel
import AccountStore
import AccountTransfer
import Foundation
import TestSupport
import Testing

/// An import takes the write lock once its first batch (or its end) has arrived, not before: a file slow to give its
/// first lines (a pipe from another machine, a decompressor) does not hold every other process's writes meanwhile.
/// Until session 62 it did, and an app's sign-ins failed with `busy` while the pipe said nothing.
struct ImportLockTests {
    @Test func anImportWaitingForItsFirstLinesHoldsNoLock() async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/accounts.sqlite"
            let store = try makeStore(in: dir, synchronous: .normal)
            defer { try? store.close() }
            // Another process's store over the same file, which waits 2 s at most for the write lock
            var configuration = StoreConfiguration(path: path)
            configuration.busyTimeout = .seconds(2)
            let other = try AccountStore(configuration: configuration, keyRing: makeKeyRing())
            defer { try? other.close() }

            // Given an import reading a pipe that has said nothing yet
            let fifo = dir + "/import.jsonl"
            #expect(mkfifo(fifo, 0o600) == 0)
            let feed = open(fifo, O_RDWR | O_CLOEXEC)
            #expect(feed >= 0)
            let importing = Task {
                await onOwnThread { () -> Result<ImportReport, any Error> in
                    Result { try store.importAccounts(from: try AccountReader(path: fifo, format: .jsonl)) }
                }
            }
            let reached = try await writesReached(1, in: store)
            try await Task.sleep(for: .milliseconds(300))

            // When the other process writes meanwhile
            let written: Result<Account, StoreError>
            do throws(StoreError) {
                written = .success(try await other.createAccount(newAccount("ann")))
            } catch {
                written = .failure(error)
            }

            // Then its write lands, and the import, once its lines come, imports them
            let bytes = Array("{\"username\": \"bob\"}\n{\"username\": \"cy\"}\n".utf8)
            #expect(bytes.withUnsafeBytes { write(feed, $0.baseAddress, $0.count) } == bytes.count)
            close(feed)
            let report = await importing.value
            #expect(reached, "the import never reached its writer")
            #expect(throws: Never.self) { try written.get() }
            #expect(try report.get().imported == 2)
            #expect(countQuery(path, "SELECT count(*) FROM users") == 3)
        }
    }
}
