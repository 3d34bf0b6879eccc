import AccountStore
import Foundation
import GRDB
import TestSupport
import Testing

/// Deleting an account in a large store: `ON DELETE CASCADE` and the deletion's own counts look up every table that
/// refers to `users` by the account's row id, inside the write lock.
struct AccountReferenceIndexTests {
    /// Every column that refers to `users (id)` leads an index, so that deleting one account (`accounts users delete`,
    /// the web's "Delete account") reads only that account's rows. Without one, each deletion scans the whole table:
    /// with 100,000 pending authorizations (the cap) and 20,000 drafts, 50 ms in the write lock per deletion (counts
    /// plus cascade), against under 1 ms with none (`pending_authorizations.link_user_id` and
    /// `registration_drafts.link_user_id` had none until migration 0014).
    @Test func everyColumnReferringToAnAccountIsIndexed() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            try store.close()
            var config = Configuration()
            config.readonly = true
            let queue = try DatabaseQueue(path: dir + "/accounts.sqlite", configuration: config)
            defer { try? queue.close() }
            let scanned = try await queue.read { db -> [String] in
                var scanned: [String] = []
                let tables = try String.fetchAll(
                    db, sql: "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                for table in tables {
                    let references = try Row.fetchAll(
                        db, sql: "SELECT \"from\", \"table\" FROM pragma_foreign_key_list(?)", arguments: [table])
                    for reference in references where (reference[1] as String) == "users" {
                        let column: String = reference[0]
                        // What a cascade and the deletion's counts run: a lookup by the account's row id.
                        let plan = try Row.fetchAll(
                            db, sql: "EXPLAIN QUERY PLAN SELECT count(*) FROM \"\(table)\" WHERE \"\(column)\" = 1"
                        ).map { row -> String in row["detail"] }.joined(separator: "; ")
                        if plan.contains("SCAN") { scanned.append("\(table).\(column) (\(plan))") }
                    }
                }
                return scanned
            }
            #expect(scanned.isEmpty, "deleting an account scans these tables whole: \(scanned)")
        }
    }
}
