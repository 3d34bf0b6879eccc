import AccountModel
import AccountStore
import AccountTransfer
import Foundation
import TestSupport
import Testing

/// Imported accounts are numbered after the store's largest `users.id`. A store whose largest id leaves no room (a row
/// written by hand, or by another program, at 2^63 − 1) stops the import with an error that says so, not a crash.
struct ImportRowIDTests {
    @Test func aStoreWithNoRowIDsLeftRefusesTheImportAndChangesNothing() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir, now: TestClock().closure)
            defer { try? store.close() }
            let path = dir + "/accounts.sqlite"
            try executeSQL(
                path,
                """
                INSERT INTO users (id, public_id, username, status, created_at, updated_at)
                VALUES (9223372036854775806, '6f1c0a52-3b7e-4c1d-9a8e-2f5b7c9d0e1f', 'big', 'active', 0, 0)
                """)
            let dump = try databaseDump(path)
            let text = "{\"username\": \"ann\"}\n{\"username\": \"bob\"}\n"
            var thrown: TransferFailure?
            do {
                _ = try importText(text, format: .jsonl, into: store, directory: dir)
            } catch let error as TransferFailure {
                thrown = error
            }
            guard case .store(.database(let errorPath, _, let message)) = thrown else {
                Issue.record("expected a store error, got \(String(describing: thrown))")
                return
            }
            #expect(errorPath == path)
            #expect(message.contains("9223372036854775806") && message.contains("users.id"), "\(message)")
            #expect(try databaseDump(path) == dump)
        }
    }
}
