import Foundation
import TestSupport
import Testing

/// What `accounts reindex` and `accounts migrate` print of stored addresses reaches the terminal cleaned, as the
/// report's text does.
struct ReindexWarningTerminalTests {
    /// Two addresses stored before migration 0009 (or by another program) that differ only in letter case, each
    /// holding a terminal escape sequence (an OSC that retitles the window) and a direction override. `reindex` (and
    /// `migrate`, which runs it) names such pairs on stderr: the addresses were printed raw, so stored text drove the
    /// operator's terminal. Everywhere else stored text reaches a terminal (the report's table, its notes on stderr,
    /// `--explain`) control characters and direction overrides are shown as `?`.
    @Test func reindexWarningShowsStoredAddressesAsTheReportDoes() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/accounts.sqlite"
            let old = try await runAccounts(["migrate", "--to", "8", "--database", database])
            #expect(old.status == 0, "\(old.stderr)")
            for (id, username, local) in [(1, "umlaut", "Änn"), (2, "clash", "äNN")] {
                // `char(27)`: ESC; `char(7)`: BEL; `char(8238)`: U+202E RIGHT-TO-LEFT OVERRIDE.
                try executeSQL(
                    database,
                    """
                    INSERT INTO users (id, public_id, username, email, email_mailbox, email_rules_version, created_at,
                        updated_at)
                    VALUES (\(id), '0000000\(id)-0000-4000-8000-000000000000', '\(username)',
                        '\(local)' || char(27) || ']0;pwned' || char(7) || char(8238) || 'gro.elpmaxe@example.org',
                        'x', 4, 0, 0)
                    """)
            }
            let migrate = try await runAccounts(["migrate", "--database", database])
            #expect(migrate.status == 0, "\(migrate.stderr)")
            #expect(migrate.stderr.contains("accounts: warning: the address of"), "no warning: \(migrate.stderr)")
            #expect(!migrate.stderr.contains("\u{1B}"), "migrate's warning holds a stored escape character")
            #expect(!migrate.stderr.contains("\u{202E}"), "migrate's warning holds a stored direction override")
            let reindex = try await runAccounts(["reindex", "--database", database])
            #expect(reindex.status == 0, "\(reindex.stderr)")
            #expect(reindex.stderr.contains("accounts: warning: the address of"), "no warning: \(reindex.stderr)")
            #expect(!reindex.stderr.contains("\u{1B}"), "reindex's warning holds a stored escape character")
            #expect(!reindex.stderr.contains("\u{202E}"), "reindex's warning holds a stored direction override")
        }
    }
}
