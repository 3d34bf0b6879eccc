import Foundation
import TestSupport
import Testing

/// Usernames may begin with `-` (ARCHITECTURE "Storage"), and files may too. Given without `--`, such a name holding
/// an `h` (`-hacker`) reads to argument-parser as short options `-h -a -c -k -e -r`, that is as a request for help.
struct DashLeadingArgumentTests {
    /// `accounts users disable -hacker` (and `delete`, `show`, an import of `-hfile.jsonl`) is a usage error, exit 64
    /// with a message that says to put the name after `--`, and nothing on stdout; it changes nothing. Help on
    /// stdout with exit 0 would let a script take a disable or a deletion that never happened for done.
    @Test(arguments: [
        (["users", "disable", "-hacker"], "accounts users disable"),
        (["users", "delete", "-hacker"], "accounts users delete"),
        (["users", "show", "-hacker", "--format", "json"], "accounts users show"),
        (["users", "disable", "-hacker", "--reason", "abuse"], "accounts users disable"),
        (["import", "--format", "jsonl", "-hfile.jsonl"], "accounts import"),
    ])
    func aDashLeadingNameHoldingAnHIsAUsageErrorNotHelp(_ arguments: [String], _ command: String) async throws {
        try await withTemporaryDirectory { dir in
            // Given
            let database = try await migratedDatabase(dir)
            writeFile(dir + "/hacker.jsonl", Array("{\"username\": \"-hacker\", \"email\": \"h@x.org\"}\n".utf8))
            let imported = try await runAccounts(
                ["--database", database, "import", "--format", "jsonl", "hacker.jsonl"],
                currentDirectory: dir)
            #expect(imported.status == 0, "\(imported.stderr)")
            writeFile(dir + "/-hfile.jsonl", Array("{\"username\": \"ann\"}\n".utf8))
            let before = try databaseDump(database)

            // When
            let result = try await runAccounts(["--database", database] + arguments, currentDirectory: dir)

            // Then
            #expect(result.status == 64, "\(result.stdout.prefix(200))")
            #expect(result.stdout.isEmpty)
            let name = try #require(arguments.first { $0.hasPrefix("-h") })
            #expect(result.stderr.contains("Error: \(name) "), "\(result.stderr)")
            #expect(result.stderr.contains("\(command) [options] -- \(name)"), "\(result.stderr)")
            #expect(result.stderr.contains("Usage: \(command)"), "\(result.stderr)")
            #expect(try databaseDump(database) == before)
        }
    }

    /// After `--` a name beginning with `-` is the account's; `-h`, `--help` and `-help` still ask for help.
    @Test func afterDoubleDashTheNameIsTheAccountAndHelpIsStillHelp() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await migratedDatabase(dir)
            writeFile(dir + "/hacker.jsonl", Array("{\"username\": \"-hacker\"}\n".utf8))
            let imported = try await runAccounts(
                ["--database", database, "import", "--format", "jsonl", "hacker.jsonl"],
                currentDirectory: dir)
            #expect(imported.status == 0, "\(imported.stderr)")

            let disabled = try await runAccounts(["--database", database, "users", "disable", "--", "-hacker"])
            #expect(disabled.status == 0, "\(disabled.stderr)")
            #expect(countQuery(database, "SELECT count(*) FROM users WHERE status = 'disabled'") == 1)

            for help in ["-h", "--help", "-help"] {
                let result = try await runAccounts(["users", "show", help])
                #expect(result.status == 0 && result.stdout.contains("USAGE: accounts users show"), "\(help)")
            }
        }
    }

    /// The advice to put a name after `--` is only for a name read as options: a value beginning with `-h` given to
    /// an option (`--reason -hacked`) is argument-parser's "Missing value" usage error (the value goes as
    /// `--reason=-hacked`), and `accounts help users disable` is the command's help, exit 0.
    @Test(arguments: [
        ["users", "disable", "alice", "--reason", "-hacked"],
        ["--database", "-hx.sqlite", "users", "disable", "alice"],
        ["help", "users", "disable"],
    ])
    func anOptionValueOrAHelpTopicIsNotAdvisedToUseDoubleDash(_ arguments: [String]) async throws {
        let result = try await runAccounts(arguments)
        #expect(!result.stderr.contains("[options] --"), "\(result.stderr)")
        if arguments.first == "help" {
            #expect(result.status == 0 && result.stdout.contains("USAGE: accounts users disable"), "\(result.stderr)")
        } else {
            #expect(result.status == 64 && result.stderr.contains("Missing value for"), "\(result.stderr)")
        }
    }
}
