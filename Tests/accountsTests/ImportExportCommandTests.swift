import AccountTransfer
import Foundation
import Glibc
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
// (`stat`'s members are found in Dispatch's C module or in Glibc, depending on the build: both are imported)
#if canImport(CDispatch)
    import CDispatch
#endif

let commandCSVHeader = "username,email,first_name,last_name,created_at,twitter_id,twitter_screen_name,twitter_name"

/// A migrated database in `dir`.
func migratedDatabase(_ dir: String, name: String = "accounts.sqlite") async throws -> String {
    let database = dir + "/" + name
    let result = try await runAccounts(["--database", database, "migrate"])
    #expect(result.status == 0, "\(result.stderr)")
    return database
}

/// Runs `accounts` with `arguments` on a terminal (`script` gives it one): its stdout and stderr, as the terminal
/// shows them (lines ending CR LF), in `stdout`.
func runAccountsOnATerminal(_ arguments: [String]) async throws -> CommandResult {
    let command = ([accountsExecutable()] + arguments).map { "'\($0)'" }.joined(separator: " ")
    return try await runProcess("/usr/bin/script", ["-qec", command, "/dev/null"])
}

/// A JSON Lines file in `dir` of `count` accounts (`user0`, … with Gmail addresses), for the progress tests; its path.
func writeProgressAccounts(in dir: String, count: Int = 50) -> String {
    let file = dir + "/a.jsonl"
    writeFile(
        file,
        Array(
            (0..<count).map { #"{"username": "user\#($0)", "email": "u.ser+\#($0)@gmail.com"}"# }
                .joined(separator: "\n").utf8))
    return file
}

/// `accounts export` of `database` to stdout.
/// Runs `accounts` with `arguments`, its stdout `/dev/full` (a disk with no space left).
func runAccountsIntoAFullDisk(_ arguments: [String]) async throws -> CommandResult {
    try await runProcess("/bin/sh", ["-c", #"exec "$0" "$@" > /dev/full"#, accountsExecutable()] + arguments)
}

func cliExport(_ database: String, format: String = "jsonl", hashes: Bool = false) async throws -> String {
    let result = try await runAccounts(
        ["--database", database, "export", "--format", format] + (hashes ? ["--include-password-hashes"] : []))
    #expect(result.status == 0, "\(result.stderr)")
    return result.stdout
}

struct ImportExportCommandTests {
    @Test(arguments: ["jsonl", "csv"])
    func exportImportExportThroughTheCLIIsByteIdentical(format: String) async throws {
        try await withTemporaryDirectory { dir in
            // Given the fixture imported into A
            let first = try await migratedDatabase(dir, name: "a.sqlite")
            writeFile(dir + "/fixture.jsonl", Array(transferFixtureJSONL.utf8))
            let imported = try await runAccounts([
                "--database", first, "import", "--format", "jsonl", dir + "/fixture.jsonl",
            ])
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(imported.stdout == "imported 7 accounts (3 with a Twitter identity)\n")
            #expect(imported.stderr.isEmpty)

            // When A is exported (stdout and --output agree), imported into B from stdin, and B exported
            let exported = try await cliExport(first, format: format, hashes: true)
            let file = dir + "/out." + format
            let toFile = try await runAccounts(
                ["--database", first, "export", "--format", format, "--include-password-hashes", "--output", file])
            #expect(toFile.status == 0 && toFile.stdout.isEmpty)
            #expect(toFile.stderr == "exported 7 accounts to \(file)\n")
            #expect(textDigest(String(decoding: fileBytes(file), as: UTF8.self)) == textDigest(exported))
            let second = try await migratedDatabase(dir, name: "b.sqlite")
            let fromStdin = try await runAccounts(
                ["--database", second, "import", "--format", format, "-"], stdin: Array(exported.utf8))
            #expect(fromStdin.status == 0, "\(fromStdin.stderr)")

            // Then B's export has the same bytes, with and without hashes
            #expect(textDigest(try await cliExport(second, format: format, hashes: true)) == textDigest(exported))
            #expect(
                textDigest(try await cliExport(second, format: format))
                    == textDigest(try await cliExport(first, format: format)))
            let holdsHash = try await cliExport(first, format: format).contains("pbkdf2_sha256")
            #expect(!holdsHash, "the export without --include-password-hashes holds a pbkdf2_sha256 hash")
        }
    }

    /// A hash dearer than import allows is refused (exit 65, its line named, nothing written) unless the operator
    /// says to keep it, as when a store's own export holding such hashes goes back in.
    @Test func aCostlyPasswordHashNeedsTheFlagToBeImported() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await migratedDatabase(dir)
            let line =
                "{\"username\": \"dear\", \"password_hash\": "
                + "\"pbkdf2_sha256$5000000$salt$yQkjjJBu4KZk7Wi0VmcOqgFx8+t43oPnbAalH3UM1Hk=\"}\n"
            writeFile(dir + "/dear.jsonl", Array(line.utf8))
            let dump = try databaseDump(database)
            let refused = try await runAccounts([
                "--database", database, "import", "--format", "jsonl", dir + "/dear.jsonl",
            ])
            #expect(refused.status == 65)
            #expect(
                refused.stderr.hasPrefix(
                    "line 1: password_hash: the pbkdf2_sha256 password hash has parameters out of range: 5000000 "
                        + "iterations is more than the 3000000 an imported hash may"), "\(refused.stderr)")
            // The message names the flag that lets it through.
            #expect(
                refused.stderr.contains("(import it anyway with --allow-costly-password-hashes)\n"),
                "\(refused.stderr)")
            // Its one line is invalid: --skip-invalid would import nothing, so it is not suggested.
            #expect(
                refused.stderr.hasSuffix(
                    "accounts: error: nothing imported: 1 invalid line in \(dir)/dear.jsonl (fix it; no valid line is "
                        + "left to import)\n"), "\(refused.stderr)")
            #expect(!refused.stderr.contains("yQkjj"))
            #expect(try databaseDump(database) == dump)
            let allowed = try await runAccounts(
                [
                    "--database", database, "import", "--format", "jsonl", "--allow-costly-password-hashes",
                    dir + "/dear.jsonl",
                ])
            #expect(allowed.status == 0, "\(allowed.stderr)")
            let hashImported = try await cliExport(database, hashes: true).contains("pbkdf2_sha256$5000000$")
            #expect(hashImported, "the export holds no pbkdf2_sha256 hash of 5,000,000 iterations")
        }
    }

    @Test func invalidLinesAreListedAndNothingIsImportedWithExit65() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await migratedDatabase(dir)
            writeFile(dir + "/seed.jsonl", Array("{\"username\": \"kept\"}\n".utf8))
            #expect(
                try await runAccounts(["--database", database, "import", "--format", "jsonl", dir + "/seed.jsonl"])
                    .status
                    == 0)
            let dump = try databaseDump(database)
            let export = try await cliExport(database)

            writeFile(
                dir + "/bad.jsonl",
                Array("{\"username\": \"a\"}\n{\"username\": \"KEPT\"}\n{\"username\": \"b\", \"email\": \"@\"}\n".utf8)
            )
            let result = try await runAccounts([
                "--database", database, "import", "--format", "jsonl", dir + "/bad.jsonl",
            ])
            #expect(result.status == 65)
            #expect(result.stdout.isEmpty)
            #expect(
                result.stderr == """
                    line 2: username: 'KEPT' is already taken by an account already in the store (as 'kept'; usernames ignore case)
                    line 3: email: needs a mailbox name before '@'
                    accounts: error: nothing imported: 2 invalid lines in \(dir)/bad.jsonl (fix them, or use --skip-invalid to import the other 1)

                    """)
            #expect(try databaseDump(database) == dump)
            #expect(try await cliExport(database) == export)

            // With --skip-invalid the valid line goes in and the others are still listed
            let skipping = try await runAccounts(
                ["--database", database, "import", "--format", "jsonl", "--skip-invalid", dir + "/bad.jsonl"])
            #expect(skipping.status == 0)
            #expect(skipping.stdout == "imported 1 account (0 with a Twitter identity), skipped 2 invalid lines\n")
            #expect(skipping.stderr.components(separatedBy: "\n").filter { $0.hasPrefix("line ") }.count == 2)
            #expect(try await cliExport(database).contains("\"username\": \"a\""))
        }
    }

    /// A line that repeats a key of a refused line is listed in the same run, and the hint counts it among the lines
    /// --skip-invalid would import (it would: the refused line is skipped), which the count once left out.
    @Test func theSkipInvalidHintCountsTheLinesThatRepeatARefusedLinesKey() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await migratedDatabase(dir)
            let dump = try databaseDump(database)
            let file = dir + "/repeat.jsonl"
            writeFile(
                file,
                Array(
                    "{\"username\": \"ann\", \"email\": \"nope\"}\n{\"username\": \"ANN\"}\n{\"username\": \"bob\"}\n"
                        .utf8))
            let result = try await runAccounts(["--database", database, "import", "--format", "jsonl", file])
            #expect(result.status == 65)
            #expect(
                result.stderr == """
                    line 1: email: must contain '@'
                    line 2: username: 'ANN' is also on line 1 of this file, which is refused (as 'ann'; usernames ignore case)
                    accounts: error: nothing imported: 2 invalid lines in \(file) (fix them, or use --skip-invalid to import 2 lines: the other 1, and 1 listed only for sharing a key with a refused line)

                    """)
            #expect(try databaseDump(database) == dump)
            let skipping = try await runAccounts(
                ["--database", database, "import", "--format", "jsonl", "--skip-invalid", file])
            #expect(skipping.status == 0)
            #expect(skipping.stdout == "imported 2 accounts (0 with a Twitter identity), skipped 1 invalid line\n")
        }
    }

    /// With --skip-invalid, a JSON Lines file whose lines end with CR alone imports nothing, and stderr says why
    /// (it once said only "unexpected character" or "longer than 1 MiB", then "imported 0 accounts", exit 0).
    @Test func aJSONLinesFileWithCROnlyLineEndingsSaysWhyEvenWithSkipInvalid() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await migratedDatabase(dir)
            let dump = try databaseDump(database)
            let file = dir + "/mac.jsonl"
            writeFile(file, Array((0..<60_000).map { "{\"username\": \"user\($0)\"}\r" }.joined().utf8))
            let result = try await runAccounts(
                ["--database", database, "import", "--format", "jsonl", "--skip-invalid", file])
            #expect(
                result.stderr.hasPrefix(
                    "line 1: json: is longer than 1 MiB (1048576 bytes) and holds a carriage return (CR) that ends no "
                        + "line: lines that end with CR alone (as old Mac programs write them) read as one; save the "
                        + "file with LF or CRLF line endings\n"), "\(result.stderr)")
            #expect(result.stdout == "imported 0 accounts (0 with a Twitter identity), skipped 1 invalid line\n")
            #expect(try databaseDump(database) == dump)
        }
    }

    /// A bad input file: its exit status and a phrase of its message.
    struct BadInput: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: [UInt8]
        let format: String
        let status: Int32
        let message: String

        init(_ name: String, _ bytes: [UInt8], _ format: String, _ status: Int32, _ message: String) {
            self.name = name
            self.bytes = bytes
            self.format = format
            self.status = status
            self.message = message
        }

        init(_ name: String, _ text: String, _ format: String, _ status: Int32, _ message: String) {
            self.init(name, Array(text.utf8), format, status, message)
        }

        var testDescription: String { name }
    }

    static let badInputs: [BadInput] = {
        let header = commandCSVHeader
        let longLine: [UInt8] =
            Array("{\"username\": \"ok\"}\n{\"username\": \"x\", \"pad\": \"".utf8)
            + [UInt8](repeating: 0x61, count: 1 << 20) + Array("\"}\n".utf8)
        let latin1JSON: [UInt8] = Array("{\"username\": \"ok\"}\n{\"username\": \"caf".utf8) + [0xE9, 0x22, 0x7D, 0x0A]
        let latin1CSV: [UInt8] = Array((header + "\nzoe,,Zo").utf8) + [0xEB] + Array(",,,,,\n".utf8)
        return [
            BadInput("empty file", [], "jsonl", 0, "holds no accounts; nothing imported"),
            BadInput("only a CSV header", header + "\n", "csv", 0, "holds no accounts; nothing imported"),
            BadInput("not UTF-8", latin1JSON, "jsonl", 65, "line 2: json: is not valid UTF-8 (byte 0xE9 at column 18)"),
            BadInput("Latin-1 CSV", latin1CSV, "csv", 65, "line 2: csv: is not valid UTF-8 (byte 0xEB at column 8)"),
            BadInput("a line over 1 MiB", longLine, "jsonl", 65, "line 2: json: is longer than 1 MiB (1048576 bytes)"),
            BadInput(
                "a CSV without a column",
                "username,email,first_name,last_name,created_at,twitter_id,twitter_name\nok,,,,,,\n", "csv", 65,
                // The columns may come in any order: the message does not ask for one.
                "line 1: csv: missing column twitter_screen_name (the columns are username,email,first_name,last_name,"
                    + "created_at,twitter_id,twitter_screen_name,twitter_name in any order, each once, and optionally "
                    + "password_hash); nothing was imported"),
            BadInput(
                "a CSV with an extra column", header + ",nickname\nok,,,,,,,,nick\n", "csv", 65,
                "line 1: csv: unknown column nickname"),
            BadInput(
                // Three lines, the last ended by a line feed: the record runs to line 3, not 4.
                "a CSV record with an unclosed quote", header + "\n\"ok,,,,,,,\nnext,,,,,,,\n", "csv", 65,
                "line 2: csv: a quoted field is not closed before the end of the file (the record runs to line 3)\n"),
            BadInput(
                "a CSV record with a missing field", header + "\nok,,,,,,,\nbad,,,,,,\n", "csv", 65,
                "line 3: csv: has 7 fields; the header has 8"),
            BadInput(
                "a CSV record with an extra field", header + "\nok,,,,,,,\nbad,,,,,,,,\n", "csv", 65,
                "line 3: csv: has 9 fields; the header has 8"),
            // Excel's "CSV (Macintosh)" and old Mac programs end lines with CR alone: the file reads as one line, and
            // the message once was "the column (an empty name) appears twice".
            BadInput(
                "a CSV file whose lines end with CR alone", header + "\rann,,,,,,,\rbob,,,,,,,\r", "csv", 65,
                "line 1: csv: the header holds a carriage return (CR) that ends no line"),
            // The same in JSON Lines: it once said only "unexpected character '{' after the end of the value".
            BadInput(
                "a JSON Lines file whose lines end with CR alone", "{\"username\": \"ann\"}\r{\"username\": \"bob\"}\r",
                "jsonl", 65,
                "line 1: json: unexpected character '{' after the end of the value at column 21; the line holds a "
                    + "carriage return (CR) that ends no line"),
            // ISO 8601 allows a comma before the fraction, RFC 3339 does not: it once said "needs a time zone".
            BadInput(
                "a time with a comma before its fraction",
                "{\"username\": \"t\", \"created_at\": \"2024-05-01T12:30:00,25Z\"}\n", "jsonl", 65,
                "line 1: created_at: has ',' before the fraction of a second, where RFC 3339 takes '.'"),
            BadInput(
                "a Twitter id as a JSON number",
                "{\"username\": \"t\", \"twitter\": {\"id\": 12345678901234567890, \"screen_name\": \"t\", \"name\": \"T\"}}\n",
                "jsonl", 65, "line 1: twitter.id: must be a string of decimal digits, not a JSON number"),
        ]
    }()

    /// Each bad input: its exit status, a phrase of its message, and the store unchanged (rows and export bytes).
    @Test(arguments: badInputs)
    func badInputIsRefusedWithAClearMessageAndTheStoreIsUnchanged(input: BadInput) async throws {
        let (name, bytes, format, status, message) = (
            input.name, input.bytes, input.format, input.status, input.message
        )
        try await withTemporaryDirectory { dir in
            // Given a store with one account
            let database = try await migratedDatabase(dir)
            writeFile(
                dir + "/seed.jsonl", Array("{\"username\": \"kept\", \"created_at\": \"2020-01-01T00:00:00Z\"}\n".utf8))
            #expect(
                try await runAccounts(["--database", database, "import", "--format", "jsonl", dir + "/seed.jsonl"])
                    .status
                    == 0)
            let dump = try databaseDump(database)
            let export = try await cliExport(database)

            // When the bad file is imported
            writeFile(dir + "/input", bytes)
            let result = try await runAccounts(["--database", database, "import", "--format", format, dir + "/input"])

            // Then the message names the problem, and nothing changed
            #expect(result.status == status, "\(name): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(name): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(name)")
            #expect(try databaseDump(database) == dump, "\(name)")
            #expect(try await cliExport(database) == export, "\(name)")
        }
    }

    /// An `--output` name near the file system's 255 bytes is written (its temporary sibling keeps only part of the
    /// name): before, the 26 bytes the temporary name adds made it "File name too long", blamed on a valid name.
    @Test func anOutputNameNearTheLengthLimitIsWritten() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await migratedDatabase(dir)
            writeFile(dir + "/fixture.jsonl", Array(transferFixtureJSONL.utf8))
            #expect(
                try await runAccounts(["--database", database, "import", "--format", "jsonl", dir + "/fixture.jsonl"])
                    .status
                    == 0)
            let name = String(repeating: "é", count: 120) + ".jsonl"  // 246 bytes
            #expect(name.utf8.count == 246)
            let result = try await runAccounts([
                "--database", database, "export", "--format", "jsonl", "--output", dir + "/" + name,
            ])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(String(decoding: fileBytes(dir + "/" + name), as: UTF8.self) == (try await cliExport(database)))
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).allSatisfy { !$0.contains(".partial-") })
        }
    }

    @Test func anUnknownFormatIsAUsageErrorWithExit64() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await migratedDatabase(dir)
            writeFile(dir + "/x.xml", Array("<accounts/>".utf8))
            let dump = try databaseDump(database)
            for arguments in [["import", "--format", "xml", dir + "/x.xml"], ["export", "--format", "xml"]] {
                let result = try await runAccounts(["--database", database] + arguments)
                #expect(result.status == 64)
                #expect(result.stderr.contains("xml"))
                #expect(result.stdout.isEmpty)
            }
            #expect(try databaseDump(database) == dump)
        }
    }

    #if os(Linux)
        /// On a terminal (`script` gives the command one) an import shows its progress line and ends it before the
        /// summary, and a duplicate report's progress never counts back; each update clears the line first.
        @Test func progressOnATerminalEndsItsLineAndNeverCountsBack() async throws {
            try await withTemporaryDirectory { dir in
                let database = try await migratedDatabase(dir)
                let file = writeProgressAccounts(in: dir)
                func onTerminal(_ arguments: [String]) async throws -> String {
                    let result = try await runAccountsOnATerminal(["--database", database] + arguments)
                    #expect(result.status == 0, "\(result.stdout)")
                    return result.stdout
                }
                let imported = try await onTerminal(["import", "--format", "jsonl", file])
                #expect(imported.contains("import: "), "\(imported)")
                #expect(imported.contains("\nimported 50 accounts"), "\(imported.debugDescription)")
                let reported = try await onTerminal(["duplicates", "--format", "json", "--output", dir + "/r.json"])
                let counts = reported.matches(of: /comparing: (\d+)\//).map { Int($0.1)! }
                #expect(!counts.isEmpty, "\(reported.debugDescription)")
                #expect(counts == counts.sorted(), "\(counts)")
                #expect(reported.contains("\nwrote "), "\(reported.debugDescription)")
                // Each update clears the rest of the line (ESC [ K), so a shorter one leaves nothing of a longer one
                // (the terminal ends lines with CR LF)
                for output in [imported, reported] {
                    #expect(output.matches(of: /\r(?!\x{1B}\[K|\n)/).isEmpty, "\(output.debugDescription)")
                }
            }
        }
    #endif

    #if os(Linux)
        /// An import whose last line is refused, on a terminal, prints the refusal and the error with no blank line
        /// between them (until session 60 the progress line cleared for the refusal was ended again: a blank line).
        @Test func anImportWhoseLastLineIsRefusedLeavesNoBlankLineOnATerminal() async throws {
            try await withTemporaryDirectory { dir in
                let database = try await migratedDatabase(dir)
                let file = writeProgressAccounts(in: dir)
                let handle = try #require(FileHandle(forWritingAtPath: file))
                try handle.seekToEnd()
                try handle.write(contentsOf: Array("\n{\"username\": \"\"}\n".utf8))
                try handle.close()
                let result = try await runAccountsOnATerminal([
                    "--database", database, "import", "--format", "jsonl", file,
                ])
                #expect(result.status == 65, "\(result.stdout.debugDescription)")
                #expect(result.stdout.contains("line 51: username"), "\(result.stdout.debugDescription)")
                #expect(result.stdout.contains("import: "), "\(result.stdout.debugDescription)")
                #expect(!result.stdout.contains("\r\n\r\n"), "\(result.stdout.debugDescription)")
            }
        }
    #endif

    #if os(Linux)
        /// A reindex that fails after batches committed (here a trigger refuses one row's new form) ends its progress
        /// line before the error: until session 59 the error was written on it (`reindex: 30/50 (60%)accounts: error`).
        @Test func aReindexThatFailsOnATerminalEndsItsProgressLineFirst() async throws {
            try await withTemporaryDirectory { dir in
                let database = try await migratedDatabase(dir)
                let file = writeProgressAccounts(in: dir)
                let imported = try await runAccounts(["--database", database, "import", "--format", "jsonl", file])
                #expect(imported.status == 0, "\(imported.stderr)")
                try executeSQL(
                    database,
                    """
                    UPDATE users SET email_rules_version = 1;
                    CREATE TRIGGER refuse BEFORE UPDATE OF email_rules_version ON users WHEN old.username = 'user40'
                    BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END;
                    """)
                let result = try await runAccountsOnATerminal(["--database", database, "reindex", "--batch-size", "5"])
                #expect(result.stdout.contains("reindex: "), "\(result.stdout.debugDescription)")
                #expect(result.stdout.contains("refused by a test trigger"), "\(result.stdout.debugDescription)")
                #expect(result.stdout.matches(of: /\)accounts: error/).isEmpty, "\(result.stdout.debugDescription)")
            }
        }
    #endif

    #if os(Linux)
        /// An export that cannot reach stdout (a full disk, here `/dev/full`) says so as README does, exit 1.
        @Test func anExportToAStdoutThatCannotBeWrittenSaysSo() async throws {
            try await withTemporaryDirectory { dir in
                let database = try await migratedDatabase(dir)
                let result = try await runAccountsIntoAFullDisk(["export", "--format", "csv", "--database", database])
                #expect(result.status == 1, "\(result.stderr)")
                #expect(
                    result.stderr == "accounts: error: cannot write to standard output: No space left on device\n",
                    "\(result.stderr)")
            }
        }
    #endif

    @Test func aMissingInputOrUnwritableOutputIsAnOperationalFailure() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await migratedDatabase(dir)
            let missing = try await runAccounts([
                "--database", database, "import", "--format", "csv", dir + "/none.csv",
            ])
            #expect(missing.status == 1)
            #expect(missing.stderr == "accounts: error: cannot open \(dir)/none.csv: No such file or directory\n")
            // A missing directory is a usage error, found before anything is read.
            let nowhere = try await runAccounts(
                ["--database", database, "export", "--format", "csv", "--output", dir + "/no/such/dir.csv"])
            #expect(nowhere.status == 64)
            #expect(
                nowhere.stderr.contains("--output \(dir)/no/such/dir.csv: the directory \(dir)/no/such does not exist"))
            let unwritable = try await runAccounts(
                ["--database", database, "export", "--format", "csv", "--output", "/dev/full"])
            #expect(unwritable.status == 1)
            #expect(unwritable.stderr.contains("/dev/full"), "\(unwritable.stderr)")
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: dir).filter { !$0.hasPrefix("accounts.sqlite") }
                    == [])
        }
    }

    @Test func importAndExportRefuseAnUnmigratedDatabase() async throws {
        try await withTemporaryDirectory { dir in
            writeFile(dir + "/a.jsonl", Array("{\"username\": \"a\"}\n".utf8))
            for arguments in [["import", "--format", "jsonl", dir + "/a.jsonl"], ["export", "--format", "jsonl"]] {
                let result = try await runAccounts(["--database", dir + "/none.sqlite"] + arguments)
                #expect(result.status == 1)
                #expect(result.stderr.contains("run `accounts migrate`"))
            }
            #expect(!FileManager.default.fileExists(atPath: dir + "/none.sqlite"))
        }
    }
}

/// `export --output FILE` writes a file without a name (Linux's `O_TMPFILE`), named and renamed over FILE only when
/// complete: a command stopped half-way, by Ctrl-C, SIGTERM or even SIGKILL, leaves nothing behind, and FILE as it was.
/// Before, `.FILE.partial-…` stayed behind, holding the accounts written so far and their password hashes, one more on
/// every interrupted run (a signal handler removed it after session 36, but nothing can after a SIGKILL).
struct ExportInterruptionTests {
    /// How many bytes the process `pid` has written so far to its output file: one without a name in `directory`
    /// (`/proc/PID/fd/N` → `DIR/#INODE (deleted)`), or the hidden `.NAME.partial-…` where there is no `O_TMPFILE`.
    static func bytesWritten(by pid: Int32, in directory: String, partialPrefix: String) -> Int {
        var largest = 0
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        for name in descriptors {
            let link = "/proc/\(pid)/fd/" + name
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: link),
                target.hasPrefix(directory + "/#") || target.hasPrefix(directory + "/" + partialPrefix)
            else { continue }
            var info = stat()
            if stat(link, &info) == 0 { largest = max(largest, Int(info.st_size)) }
        }
        return largest
    }

    @Test(arguments: [SIGINT, SIGTERM, SIGKILL])
    func anExportStoppedBySignalLeavesNoHalfWrittenFile(signalNumber: Int32) async throws {
        try await withTemporaryDirectory { dir throws in
            // Given 300,000 accounts with password hashes (written straight into the table: importing them takes
            // longer), and an earlier export at the output's path
            let database = try await migratedDatabase(dir)
            try await executeSQLOnOwnThread(
                database,
                """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000)
                INSERT INTO users (public_id, username, first_name, last_name, password_hash, created_at, updated_at)
                SELECT printf('%08x-0000-4000-8000-000000000000', i), 'user' || i, 'Ann', 'Lee',
                    'pbkdf2_sha256$1000$salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', i, i FROM n
                """)
            let output = dir + "/accounts.jsonl"
            writeFile(output, Array("the earlier export\n".utf8))
            func partialFiles() -> [String] {
                ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter {
                    $0.hasPrefix(".accounts.jsonl.partial-")
                }
            }

            // When an export with hashes is stopped once it has written part of its file
            let process = try ChildProcess(
                accountsExecutable(),
                [
                    "--database", database, "export", "--format", "jsonl", "--include-password-hashes", "--output",
                    output,
                ],
                environment: childEnvironment(removing: []))
            // (watched, and signalled, from a thread of its own: the watch polls every millisecond)
            let written = await onOwnThread {
                let deadline = ContinuousClock.now + .seconds(60)
                var written = false
                while !written && process.isRunning && ContinuousClock.now < deadline {
                    written =
                        Self.bytesWritten(
                            by: process.pid, in: URL(fileURLWithPath: dir).resolvingSymlinksInPath().path,
                            partialPrefix: ".accounts.jsonl.partial-") > 0
                    if !written { usleep(1000) }
                }
                process.send(signalNumber)
                return written
            }
            #expect(written, "the export ended before it had written part of its file")
            let ended = try await process.exit()

            // Then it left no half-written file. Ended by that signal, it left the earlier export as it was; a signal
            // that came as the export was finishing (the handler runs on a queue of its own, on a busy machine
            // after the last write) lets it finish, and the file is the whole export. (Compared as Bools and counts:
            // a failed comparison of 60 MB of bytes has Swift Testing diff them for many minutes.)
            #expect(partialFiles().isEmpty)
            let databaseName = URL(fileURLWithPath: database).lastPathComponent
            let left = try FileManager.default.contentsOfDirectory(atPath: dir).filter { !$0.hasPrefix(databaseName) }
            #expect(left == ["accounts.jsonl"])
            let bytes = fileBytes(output)
            if let signal = ended.signal {
                #expect(signal == signalNumber)
                let unchanged = bytes == Array("the earlier export\n".utf8)
                #expect(unchanged, "the earlier export was replaced by \(bytes.count) bytes")
            } else {
                #expect(ended.status == 0)
                #expect(bytes.count { $0 == UInt8(ascii: "\n") } == 300_000)
            }
        }
    }
}

/// `accounts import` is one transaction: a SIGKILL half-way leaves the store exactly as it was, and the same command
/// run again imports everything.
struct ImportCrashTests {
    @Test func anImportKilledHalfWayChangesNothingAndTheNextRunImportsEverything() async throws {
        try await withTemporaryDirectory { dir throws in
            // Given a store holding one account, and 120,000 accounts to import (every third with Twitter)
            let database = try await migratedDatabase(dir)
            writeFile(dir + "/seed.jsonl", Array("{\"username\": \"kept\", \"email\": \"kept@example.org\"}\n".utf8))
            #expect(
                try await runAccounts(["--database", database, "import", "--format", "jsonl", dir + "/seed.jsonl"])
                    .status
                    == 0)
            let before = try databaseDump(database)
            let count = 120_000
            var text = ""
            text.reserveCapacity(count * 120)
            for index in 0..<count {
                let twitter =
                    index % 3 == 0
                    ? "{\"id\": \"\(10_000_000 + index)\", \"screen_name\": \"tw\(index)\", \"name\": \"User \(index)\"}"
                    : "null"
                text +=
                    "{\"username\": \"user\(index)\", \"email\": \"user\(index)@example.org\", \"first_name\": "
                    + "\"Ann\", \"last_name\": \"Lee\", \"twitter\": \(twitter)}\n"
            }
            let bytes = Array(text.utf8)

            // When the import reads its first third from a pipe (so it cannot reach the end and commit), has written
            // those rows into its transaction, and is killed
            let process = try ChildProcess(
                accountsExecutable(), ["--database", database, "import", "--format", "jsonl", "-"],
                environment: childEnvironment(removing: []), stdin: .pipe)
            let third = bytes.count / 3
            let cut = bytes[..<third].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? third
            // A pipe holds 64 KiB: once this write returns, the child has read all but that much. (A child that died
            // early makes the write fail, not this process: SIGPIPE is ignored.)
            signal(SIGPIPE, SIG_IGN)
            process.writeInput(Array(bytes[..<cut]))
            // The child cannot finish without the rest of its input: give its writer a moment with the rows it has,
            // then kill it.
            let wrote = ContinuousClock.now
            let killed = try await killWhen(process) { ContinuousClock.now - wrote > .milliseconds(500) }
            process.closeInput()
            #expect(killed, "the import ended before it was killed")
            #expect(process.termination?.signal != nil)

            // Then the store is sound and holds exactly what it held before
            #expect(try integrityCheck(database) == ["ok"])
            #expect(try databaseDump(database) == before)

            // And the same import, run again from the file, brings in every account
            let file = dir + "/big.jsonl"
            writeFile(file, bytes)
            let rerun = try await runAccounts(["--database", database, "import", "--format", "jsonl", file])
            #expect(rerun.status == 0, "\(rerun.stderr)")
            #expect(rerun.stdout == "imported \(count) accounts (\(count / 3) with a Twitter identity)\n")
            #expect(try integrityCheck(database) == ["ok"])
        }
    }

    /// The byte-order mark is dropped only when the first read returns all three of its bytes: from a pipe that
    /// delivers `EF` first, the mark stayed and the first line was refused (JSON Lines: `line 1: json: expected a
    /// value, found non-ASCII character`; CSV: the whole header, `missing column username`).
    @Test(arguments: ["jsonl", "csv"])
    func aByteOrderMarkSplitAcrossPipeReadsIsIgnored(format: String) async throws {
        try await withTemporaryDirectory { dir in
            let database = try await migratedDatabase(dir)
            let body = format == "jsonl" ? #"{"username": "zed"}\n"# : commandCSVHeader + #"\nzed,,,,,,,\n"#
            let script = #"(printf '\357'; sleep 0.3; printf '\273\277"# + body + #"') | exec "$0" "$@""#
            let result = try await runProcess(
                "/bin/sh",
                ["-c", script, accountsExecutable(), "--database", database, "import", "--format", format, "-"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "imported 1 account (0 with a Twitter identity)\n")
        }
    }
}
