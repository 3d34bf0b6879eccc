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

    @Test func fileNamesAreNumberedWithoutGaps() {
        for (index, migration) in Migrations.sqlite.enumerated() {
            #expect(migration.fileName.hasPrefix(String(format: "%04d_", index + 1)), "\(migration.fileName)")
        }
    }
}
