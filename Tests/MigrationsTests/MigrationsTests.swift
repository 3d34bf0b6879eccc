import Foundation
import Migrations
import TestSupport
import Testing

struct MigrationsTests {
    /// The embedded list is the folder: same names, same order, same bytes. Adding a file without its line (or the
    /// other way round) fails here.
    @Test func embeddedListMatchesTheFolder() throws {
        // Given the files committed under Migrations/sqlite
        let folder = repositoryRoot() + "/Migrations/sqlite"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".sql") }.sorted()

        // Then the binary carries exactly those, byte for byte
        #expect(Migrations.sqlite.map(\.fileName) == files)
        for migration in Migrations.sqlite {
            #expect(migration.contents == fileBytes(folder + "/" + migration.fileName), "\(migration.fileName)")
        }
    }

    /// Versions are four digits and strictly increasing. (Branches are given numbers ahead of time, so a branch may
    /// carry 0008 before 0007 is merged; the runner orders by version and applies whatever is pending.)
    @Test func fileNamesAreNumberedInOrder() {
        let versions = Migrations.sqlite.map { Int($0.fileName.prefix(4)) }
        #expect(versions.allSatisfy { $0 != nil })
        #expect(versions.first == 1)
        for (earlier, later) in zip(versions, versions.dropFirst()) {
            #expect((earlier ?? 0) < (later ?? 0), "\(String(describing: earlier)) before \(String(describing: later))")
        }
    }
}
