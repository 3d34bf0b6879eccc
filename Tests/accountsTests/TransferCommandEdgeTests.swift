import Foundation
import TestSupport
import Testing

/// `accounts import` and `accounts export` at the edges of their streams: closed, full, a terminal.
struct TransferCommandEdgeTests {
    #if os(Linux)
        /// ExportCommand: "Progress only when the data does not go to the same terminal". `--output /dev/stdout` (a
        /// path README says is written through the command's own stdout, "whatever stdout is: a terminal, …") sends
        /// the accounts to the terminal as `--output -` does, but the progress line (`\r ESC[K export: N/N (100%)`)
        /// is drawn into them on that terminal too.
        @Test(arguments: ["/dev/stdout", "/dev/fd/1"])
        func anExportToTheTerminalThroughDevStdoutShowsNoProgress(output: String) async throws {
            try await withTemporaryDirectory { dir in
                let database = try await migratedDatabase(dir)
                writeFile(dir + "/a.jsonl", Array("{\"username\": \"ann\"}\n{\"username\": \"bob\"}\n".utf8))
                let imported = try await runAccounts([
                    "--database", database, "import", "--format", "jsonl", dir + "/a.jsonl",
                ])
                try #require(imported.status == 0, "\(imported.stderr)")
                func onTerminal(_ arguments: [String]) async throws -> String {
                    let result = try await runAccountsOnATerminal(["--database", database] + arguments)
                    #expect(result.status == 0, "\(result.stdout)")
                    return result.stdout
                }
                // Given: to the terminal through `--output -`, no progress is drawn among the accounts
                let plain = try await onTerminal(["export", "--format", "jsonl", "--output", "-"])
                #expect(plain.contains("\"username\": \"bob\""), "\(plain.debugDescription)")
                #expect(!plain.contains("export: "), "\(plain.debugDescription)")
                // Then the same terminal reached through /dev/stdout gets none either
                let throughProc = try await onTerminal(["export", "--format", "jsonl", "--output", output])
                #expect(throughProc.contains("\"username\": \"bob\""), "\(throughProc.debugDescription)")
                #expect(!throughProc.contains("export: "), "\(throughProc.debugDescription)")
            }
        }
    #endif

    /// README: a quoted multi-line CSV record is blamed on its first line. The column of a byte that is not UTF-8 is
    /// counted from the start of the record, though, so the message names a column of the first line that the
    /// offending byte is not on (here `line 2 … column 27` for a line of 15 bytes; the byte is line 3's 11th).
    @Test func aBadByteInAMultiLineCSVRecordIsPlacedOnItsOwnLine() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await migratedDatabase(dir)
            let bytes =
                Array((commandCSVHeader + "\nok,,\"first line\nsecond caf").utf8) + [0xE9] + Array("\",,,,,\n".utf8)
            writeFile(dir + "/u.csv", bytes)
            let result = try await runAccounts(["--database", database, "import", "--format", "csv", dir + "/u.csv"])
            #expect(result.status == 65, "\(result.stderr)")
            let problem = try #require(result.stderr.split(separator: "\n").first.map(String.init))
            #expect(problem.hasPrefix("line 2: csv: is not valid UTF-8"), "\(problem)")
            // Line 2 (`ok,,"first line`) has 15 bytes: a column past them points nowhere.
            #expect(problem.contains("column 11"), "\(problem)")
            #expect(!problem.contains("column 27"), "\(problem)")
        }
    }

    #if os(Linux)
        /// `import -` with standard input closed (a cron job, a service started with `<&-`) would read whatever
        /// descriptor 0 is by then: the runtime's own non-blocking eventfd (`Invalid argument`, `Resource temporarily
        /// unavailable`, or its 8 bytes taken for a line). It is refused as `--output /dev/fd/N` is ("one not open when
        /// the command starts, or one the runtime opened for itself"), naming standard input as not open.
        @Test func importFromAClosedStandardInputSaysItIsNotOpen() async throws {
            try await withTemporaryDirectory { dir in
                let database = try await migratedDatabase(dir)
                let dump = try databaseDump(database)
                for _ in 0..<3 {
                    let result = try await runProcess(
                        "/bin/sh",
                        [
                            "-c", #"exec "$0" "$@" <&-"#, accountsExecutable(), "--database", database, "import",
                            "--format", "jsonl", "-",
                        ])
                    #expect(result.status == 1 || result.status == 64, "exit \(result.status): \(result.stderr)")
                    #expect(
                        result.stderr.contains("standard input") && result.stderr.contains("not open"),
                        "\(result.stderr)")
                    #expect(!result.stderr.contains("Invalid argument"), "\(result.stderr)")
                    #expect(!result.stderr.contains("temporarily unavailable"), "\(result.stderr)")
                }
                #expect(try databaseDump(database) == dump)
            }
        }
    #endif

    #if os(Linux)
        /// `export`, `duplicates` and `keys generate` with standard output closed (`>&-`) and no `--output` would
        /// write to whatever descriptor 1 is by then: the runtime's own eventfd, which refuses the writes or, by a
        /// race, takes them, and the export said `exported 3 accounts`, exit 0, with the data gone. They are refused
        /// before any work (exit 64), naming standard output as not open. Until session 58 only `import -` checked.
        @Test func aCommandWritingToAClosedStandardOutputSaysItIsNotOpen() async throws {
            try await withTemporaryDirectory { dir in
                let database = try await migratedDatabase(dir)
                writeFile(
                    dir + "/a.jsonl",
                    Array("{\"username\": \"ann\"}\n{\"username\": \"bob\"}\n{\"username\": \"cy\"}\n".utf8))
                let imported = try await runAccounts([
                    "--database", database, "import", "--format", "jsonl", dir + "/a.jsonl",
                ])
                #expect(imported.status == 0, "\(imported.stderr)")
                for command in [["export", "--format", "jsonl"], ["duplicates"], ["keys", "generate"]] {
                    for _ in 0..<3 {
                        let result = try await runProcess(
                            "/bin/sh",
                            ["-c", #"exec "$0" "$@" >&-"#, accountsExecutable(), "--database", database] + command)
                        #expect(result.status == 64, "\(command): exit \(result.status): \(result.stderr)")
                        #expect(
                            result.stderr.contains(
                                "standard output is not open (the command was started without it): give --output FILE"),
                            "\(command): \(result.stderr)")
                        #expect(!result.stderr.contains("exported"), "\(command): \(result.stderr)")
                    }
                }
                // (with stdout open, the same export writes the three)
                let exported = try await runAccounts(["--database", database, "export", "--format", "jsonl"])
                #expect(exported.status == 0 && exported.stdout.split(separator: "\n").count == 3, "\(exported.stderr)")
            }
        }

        /// An import whose summary cannot reach stdout (a full disk, here `/dev/full`) has committed already: it exits
        /// 75 ("done, but a step outside the store failed"), not 1, which would read as nothing done (and the obvious
        /// retry would refuse every line as a duplicate), and stderr says what was imported.
        @Test func anImportWhoseSummaryCannotBePrintedDoesNotLookFailed() async throws {
            try await withTemporaryDirectory { dir in
                let database = try await migratedDatabase(dir)
                writeFile(dir + "/a.jsonl", Array("{\"username\": \"ann\"}\n".utf8))
                let result = try await runAccountsIntoAFullDisk(
                    ["import", "--format", "jsonl", "--database", database, dir + "/a.jsonl"])
                // The import was committed
                #expect(try await cliExport(database).contains("\"username\": \"ann\""))
                // and the command says so
                #expect(result.status == 75, "exit \(result.status): \(result.stderr)")
                #expect(result.stderr.contains("imported 1 account"), "\(result.stderr)")
            }
        }

        /// `--skip-invalid` with no valid line commits nothing, so its summary is an ordinary report: a stdout that
        /// cannot take it fails the command (exit 1), where it once exited 75 with "what is committed goes here
        /// instead", as though an import had been done.
        @Test func aSkipInvalidImportThatCommitsNothingIsNotReportedAsCommitted() async throws {
            try await withTemporaryDirectory { dir in
                let database = try await migratedDatabase(dir)
                let dump = try databaseDump(database)
                writeFile(
                    dir + "/bad.jsonl",
                    Array("{\"username\": \"no way\"}\n{\"username\": \"a\", \"email\": \"@\"}\n".utf8))
                let arguments = [
                    "import", "--format", "jsonl", "--skip-invalid", "--database", database, dir + "/bad.jsonl",
                ]
                let result = try await runAccountsIntoAFullDisk(arguments)
                #expect(result.status == 1, "exit \(result.status): \(result.stderr)")
                #expect(!result.stderr.contains("what is committed"), "\(result.stderr)")
                #expect(result.stderr.contains("cannot write to standard output"), "\(result.stderr)")
                #expect(result.stderr.components(separatedBy: "\n").filter { $0.hasPrefix("line ") }.count == 2)
                #expect(try databaseDump(database) == dump)
                // With a stdout that takes it, the same run says what it skipped, exit 0 (README, "Import rules")
                let written = try await runAccounts(arguments)
                #expect(written.status == 0, "\(written.stderr)")
                #expect(written.stdout == "imported 0 accounts (0 with a Twitter identity), skipped 2 invalid lines\n")
                #expect(try databaseDump(database) == dump)
            }
        }
    #endif
}
