import Foundation
import TestSupport
import Testing

struct UsersCommandTests {
    /// A database holding the transfer fixture.
    func fixtureDatabase(_ dir: String) throws -> String {
        let database = try migratedDatabase(dir)
        writeFile(dir + "/fixture.jsonl", Array(transferFixtureJSONL.utf8))
        let result = try runAccounts(["--database", database, "import", "--format", "jsonl", dir + "/fixture.jsonl"])
        #expect(result.status == 0, "\(result.stderr)")
        return database
    }

    @Test func showPrintsTheAccountItsIdentityPasswordStateAndEventsButNoSecret() throws {
        try withTemporaryDirectorySync { dir in
            let database = try fixtureDatabase(dir)
            let table = try runAccounts(["--database", database, "users", "show", "ZOE"])
            #expect(table.status == 0, "\(table.stderr)")
            for expected in [
                "username        zoe\n", "email           Zoe@Example.org\n", "name            Zoë Ångström\n",
                "password        yes\n", "created         2024-05-01T12:30:00.250000Z\n", "last sign-in    never\n",
                "twitter         @zoe_a (Zoë Å), id 18446744073709551615\n", "  access token  none\n",
                "recent events (newest first):\n  none\n",
            ] {
                #expect(table.stdout.contains(expected), "\(expected) in \(table.stdout)")
            }

            let json = try runAccounts(["--database", database, "users", "show", "zoe", "--format", "json"])
            #expect(json.status == 0)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            #expect(object["username"] as? String == "zoe")
            #expect(object["has_password"] as? Bool == true)
            #expect(object["last_sign_in_at"] is NSNull)
            let twitter = try #require(object["twitter"] as? [String: Any])
            #expect(twitter["id"] as? String == "18446744073709551615")
            #expect(twitter["has_credential"] as? Bool == false)
            #expect((object["recent_events"] as? [Any])?.isEmpty == true)

            // By public id too; and no hash anywhere
            let id = try #require(object["id"] as? String)
            let byID = try runAccounts(["--database", database, "users", "show", id.uppercased(), "--format", "json"])
            #expect(byID.stdout == json.stdout)
            for output in [table.stdout, json.stdout] {
                #expect(!output.contains("pbkdf2") && !output.contains("lVmtlpgxpubYPgU2pQlWmm"))
            }
        }
    }

    @Test func deleteRemovesTheAccountPrintsWhatWentAndLeavesAnAnonymousEvent() throws {
        try withTemporaryDirectorySync { dir in
            let database = try fixtureDatabase(dir)
            let id = try #require(
                (try JSONSerialization.jsonObject(
                    with: Data(
                        try runAccounts(["--database", database, "users", "show", "zoe", "--format", "json"]).stdout
                            .utf8))
                    as? [String: Any])?["id"] as? String)
            let deleted = try runAccounts(["--database", database, "users", "delete", "zoe"])
            #expect(deleted.status == 0, "\(deleted.stderr)")
            #expect(
                deleted.stdout == """
                    deleted account \(id) (zoe)
                      Twitter identity 18446744073709551615 (@zoe_a) (no stored access token)
                      its password hash
                      0 registration drafts
                      0 pending Twitter authorizations

                    """)
            let show = try runAccounts(["--database", database, "users", "show", "zoe"])
            #expect(show.status == 1)
            #expect(show.stderr == "accounts: error: no account 'zoe'\n")
            #expect(!(try cliExport(database)).contains("zoe"))
            #expect(try cliExport(database).split(separator: "\n").count == 6)

            // The deleted event carries the public id only
            let events = try databaseDump(database).split(separator: "\n").filter { $0.contains("deleted") }
            #expect(events.count == 1)
            #expect(events.first?.contains(id) == true)
            #expect(events.first.map { !$0.contains("zoe") && !$0.contains("Zoe@") } == true)

            // Deleting again, or someone unknown, changes nothing
            let dump = try databaseDump(database)
            let again = try runAccounts(["--database", database, "users", "delete", id])
            #expect(again.status == 1)
            #expect(again.stderr == "accounts: error: no account \(id)\n")
            #expect(try databaseDump(database) == dump)
        }
    }
}
