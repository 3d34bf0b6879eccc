import AccountStore
import Foundation
import GRDB
import Migrations
import TestSupport
import Testing

/// What the library tells its caller of a run whose later migration fails: each one that committed, as it commits.
extension MigrationRunnerTests {
    /// Each migration commits on its own; `onApplied` is called with each as it commits, so a caller can say which
    /// stay applied when a later one fails (the error names only the failed one).
    @Test func onAppliedIsCalledWithEachMigrationAsItCommitsAndNotForTheOneThatFails() async throws {
        try await withTemporaryDirectory { dir throws in
            // Given 0001 applied, and a run of 0002 and a broken 0003
            let path = dir + "/a.sqlite"
            _ = try AccountStore.migrate(StoreConfiguration(path: path), migrations: [Self.first])
            let broken = MigrationFile(fileName: "0003_broken.sql", contents: Array("CREATE TABEL w (d);\n".utf8))

            // When it runs
            var reported: [(version: Int, name: String, historyRows: Int)] = []
            var failure: StoreError?
            do {
                _ = try AccountStore.migrate(
                    StoreConfiguration(path: path), migrations: [Self.first, Self.second, broken]
                ) { entry in
                    // (read as it is called: the migration is committed by then, visible to another connection)
                    reported.append(
                        (entry.version, entry.name, countQuery(path, "SELECT count(*) FROM schema_migrations")))
                }
            } catch {
                failure = error as? StoreError
            }

            // Then 0002 was reported once, committed when it was, and 0003 failed and was not
            #expect(reported.map(\.version) == [2])
            #expect(reported.map(\.name) == ["add_u"])
            #expect(reported.map(\.historyRows) == [2])
            guard case .migration(.statementFailed(let file, _, _, _)) = failure else {
                Issue.record("not a failed migration: \(failure.map { "\($0)" } ?? "no error")")
                return
            }
            #expect(file == "0003_broken.sql")
            #expect(try historyVersions(path) == [1, 2])

            // And a dry run reports nothing as applied
            var dryReported = 0
            let dry = try AccountStore.migrate(
                StoreConfiguration(path: path), dryRun: true, migrations: [Self.first, Self.second, broken]
            ) { _ in dryReported += 1 }
            #expect(dry.applied.map(\.version) == [3])
            #expect(dryReported == 0)
        }
    }
}
