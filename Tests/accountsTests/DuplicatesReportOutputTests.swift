import Foundation
import TestSupport
import Testing

/// `accounts duplicates` outputs of accounts brought in by `accounts import`.
struct DuplicatesReportOutputTests {
    /// Two pairs sharing a gmail mailbox: one whose names hold noncharacters (the name rules refuse controls only, so
    /// import takes them), one whose second account has no family name.
    static let accounts = """
        {"username": "zoe", "email": "zoe.q@gmail.com", "first_name": "Zo\\ufdd0e", "last_name": "Q\\ufffe"}
        {"username": "zoe2", "email": "zoeq@gmail.com", "first_name": "Zo\\ufdd0e", "last_name": "Q\\ufffe"}
        {"username": "rob", "email": "rob.jones@gmail.com", "first_name": "Robert", "last_name": "Jones"}
        {"username": "robert", "email": "robjones@gmail.com", "first_name": "Robert"}

        """

    static func importedDatabase(_ dir: String) async throws -> String {
        let database = dir + "/accounts.sqlite"
        #expect(try await runAccounts(["--database", database, "migrate"]).status == 0)
        writeFile(dir + "/accounts.jsonl", Array(accounts.utf8))
        let imported = try await runAccounts([
            "--database", database, "import", "--format", "jsonl", dir + "/accounts.jsonl",
        ])
        #expect(imported.status == 0, "\(imported.stderr)")
        return database
    }

    /// The page is one the HTML syntax allows: no noncharacter (nor DEL or C1 control) in it. Through import, the page
    /// held U+FDD0 and U+FFFE as they were, and the Nu HTML checker refused it ("Forbidden code point U+fdd0").
    @Test func theHTMLPageOfImportedNamesHoldsNoForbiddenCodePoint() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await Self.importedDatabase(dir)
            let output = dir + "/report.html"
            let result = try await runAccounts([
                "--database", database, "duplicates", "--format", "html", "--output", output,
            ])
            #expect(result.status == 0, "\(result.stderr)")
            let html = String(decoding: fileBytes(output), as: UTF8.self)
            #expect(html.contains("<section class=\"cluster\""))
            let forbidden = html.unicodeScalars.filter { scalar in
                let value = scalar.value
                return (0x7F...0x9F).contains(value) || (0xFDD0...0xFDEF).contains(value) || value & 0xFFFE == 0xFFFE
            }.map { String($0.value, radix: 16) }
            #expect(forbidden == [])
        }
    }

    /// `matched_fields` names fields that matched another account of the cluster: never a field that is null. Linked
    /// by their mailbox and their given name, `robert` (no family name) was given `last_name` as a matched field,
    /// and `rob`'s `Jones`, which matched nothing, was highlighted too.
    @Test func matchedFieldsNeverNameANullField() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await Self.importedDatabase(dir)
            let result = try await runAccounts(["--database", database, "duplicates", "--format", "json"])
            #expect(result.status == 0, "\(result.stderr)")
            let report = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let clusters = try #require(report["clusters"] as? [[String: Any]])
            let members = clusters.flatMap { $0["members"] as? [[String: Any]] ?? [] }
            #expect(Set(members.compactMap { $0["username"] as? String }) == ["zoe", "zoe2", "rob", "robert"])
            for member in members {
                let matched = member["matched_fields"] as? [String] ?? []
                let null = matched.filter { member[$0] is NSNull }
                #expect(null == [], "\(member["username"] as? String ?? "?")")
                if member["username"] as? String == "rob" { #expect(!matched.contains("last_name")) }
            }
        }
    }
}
