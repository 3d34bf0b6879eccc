import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// `accounts purge` on a store whose file is too large for the rebuild to fit in what the disk has left.
struct PurgeRebuildFailureTests {
    /// The purge commits its row removals first, then rebuilds the file (`VACUUM`), which in WAL mode writes the whole
    /// file again into the `-wal` (and a copy into the temporary directory). When that cannot be written (a disk with
    /// less room than the file: here a file size limit, as a full disk gives `the disk holding … is full; nothing of
    /// the failed change was kept`), the command says what it removed (committed first), that the rebuild failed, and
    /// that it needs about the file's size free: not only the error, which read as if nothing was kept, while a daily
    /// purge failed every day with `df` showing free space.
    @Test func aPurgeWhoseRebuildFailsStillSaysWhatItRemovedAndWhatTheRebuildNeeds() async throws {
        try await withTemporaryDirectory { dir in
            // Given a store of 5,000 accounts (about 2 MB), one account deleted since the last rebuild, and one expired
            // pending authorization that the purge removes
            let lines = (0..<5_000).map { index in
                "{\"username\": \"user\(index)\", \"email\": \"user\(index)@example.org\", \"first_name\": \"Ann\", "
                    + "\"last_name\": \"Smith\"}\n"
            }.joined()
            writeFile(dir + "/accounts.jsonl", Array(lines.utf8))
            let database = try await migratedDatabase(dir)
            let imported = try await runAccounts([
                "--database", database, "import", "--format", "jsonl", dir + "/accounts.jsonl",
            ])
            #expect(imported.status == 0, "\(imported.stderr)")
            let store = try makeStore(in: dir)
            _ = try await store.deleteAccount(.username("user17"))
            try await store.savePendingAuthorization(
                PendingAuthorization(
                    requestToken: "used-token", requestTokenSecret: Secret("request-secret"), browserSession: "browser",
                    purpose: .signIn, linkUser: nil, createdAt: Date().addingTimeInterval(-8_100),
                    expiresAt: Date().addingTimeInterval(-7_200)))
            try store.close()
            #expect(countQuery(database, "SELECT count(*) FROM pending_authorizations") == 1)

            // When the purge runs where no file may grow past 1 MiB (the rebuild's -wal cannot be written)
            let result = try await runProcess(
                "/bin/bash",
                [
                    "-c", #"trap '' XFSZ; ulimit -f 1024; exec "$0" --database "$1" purge"#, accountsExecutable(),
                    database,
                ])

            // Then the rebuild failed (exit 1), but the row removal was committed
            #expect(result.status != 0, "\(result.stdout)")
            #expect(countQuery(database, "SELECT count(*) FROM pending_authorizations") == 0)
            // and the command says so: what it removed, and that the rebuild (not the purge) failed and why
            #expect(result.stdout.hasPrefix("removed 1 pending authorizations"), "\(result.stdout.debugDescription)")
            #expect(result.stderr.contains("rebuilding the database file failed"), "\(result.stderr)")
            #expect(result.stderr.contains("MB) into the -wal beside it"), "\(result.stderr)")
        }
    }
}
