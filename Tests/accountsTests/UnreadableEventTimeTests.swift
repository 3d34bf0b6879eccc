import Foundation
import TestSupport
import Testing

/// `accounts users show` reading an audit trail that another program wrote into.
struct UnreadableEventTimeTests {
    /// An event another program wrote (README: kept and shown as it is) may hold an `occurred_at` that is no whole
    /// number of microseconds: an RFC 3339 time, which the column's INTEGER affinity keeps as text; a sentinel at the
    /// top of the range; text that is no time. `users show` (table and JSON) prints the first as that time, the
    /// second as the last time the files can carry, the third as 0001-01-01T00:00:00Z; it once trapped on all three.
    @Test(arguments: [
        ("'2024-12-04T08:13:20Z'", "2024-12-04T08:13:20Z"), ("9223372036854775807", "9999-12-31T23:59:59.999999Z"),
        ("'yesterday'", "0001-01-01T00:00:00Z"), ("1e300", "9999-12-31T23:59:59.999999Z"),
    ])
    func usersShowReadsAnEventWhoseTimeIsNoWholeMicroseconds(_ occurredAt: String, _ shownAs: String) async throws {
        try await withTemporaryDirectory { dir in
            let database = try await migratedDatabase(dir)
            writeFile(dir + "/fixture.jsonl", Array(transferFixtureJSONL.utf8))
            let imported = try await runAccounts(
                ["--database", database, "import", "--format", "jsonl", dir + "/fixture.jsonl"])
            try #require(imported.status == 0, "\(imported.stderr)")
            try executeSQL(
                database,
                """
                INSERT INTO account_events (subject, kind, actor, details, occurred_at)
                SELECT public_id, 'support_note', 'ops-script', '{"ticket": "4711"}', \(occurredAt)
                FROM users WHERE username = 'zoe'
                """)

            let shown = try await runAccounts(["--database", database, "users", "show", "zoe"])
            #expect(shown.status == 0, "\(shown.stderr)")
            #expect(shown.stdout.contains(shownAs) && shown.stdout.contains("support_note"), "\(shown.stdout)")
            let json = try await runAccounts(["--database", database, "users", "show", "zoe", "--format", "json"])
            #expect(json.status == 0, "\(json.stderr)")
            #expect(json.stdout.contains("\"\(shownAs)\""), "\(json.stdout)")
        }
    }
}
