import AccountCrypto
import AccountModel
import AccountStore
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

struct DuplicatesCommandTests {
    /// A migrated database with one gmail pair, one email/Twitter pair and a few strangers.
    static func populatedDatabase(in dir: String) async throws -> String {
        let store = try makeStore(in: dir)
        defer { try? store.close() }
        _ = try await store.createAccount(
            NewAccount(
                username: try Username(validating: "john"), email: try EmailAddress(validating: "j.o.h.n+x@gmail.com"),
                firstName: "John", lastName: "Smith"))
        _ = try await store.createAccount(newAccount("johnny", email: "john@googlemail.com"))
        _ = try await store.createAccount(
            NewAccount(username: try Username(validating: "sk8erboi99"), firstName: "Zoë", lastName: "Ångström"))
        _ = try await store.createAccount(
            NewAccount(username: try Username(validating: "zoe_tw")),
            linking: twitterIdentity("1234567890123456789", screenName: "sk8erboi99", name: "Zoe Angstrom <b>"),
            credential: TwitterCredential(token: "t", secret: Secret("s")))
        for index in 0..<5 {
            _ = try await store.createAccount(newAccount("stranger\(index)", email: "s\(index)@example.org"))
        }
        return dir + "/accounts.sqlite"
    }

    /// A note names the largest blocks by what their members share: a mailbox by an address, which may hold
    /// direction overrides. On stderr too it is shown as the table's cells are. The minimum is printed as given.
    @Test func notesOnStderrAreCleanedAndTheMinimumIsPrintedAsGiven() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            for index in 1...14 {
                _ = try await store.createAccount(newAccount("v\(index)", email: "victim+X\(index)gpj.exe@gmail.com"))
            }
            try store.close()
            let database = dir + "/accounts.sqlite"
            // Addresses with a direction override, stored before the store refused them (or by another program)
            try executeSQL(
                database,
                "UPDATE users SET email = replace(email, 'X', char(8238)), email_key = replace(email_key, 'x', char(8238))"
            )
            let json = try await runAccounts(["duplicates", "--format", "json", "--database", database])
            #expect(json.status == 0, "\(json.stderr)")
            #expect(json.stderr.contains("note: ") && !json.stderr.contains("\u{202E}"))
            #expect(json.stderr.contains("mailbox of victim+?1gpj.exe@gmail.com: 14 accounts"))
            let table = try await runAccounts(["duplicates", "--min-score", "-0", "--database", database])
            #expect(table.stdout.hasPrefix("14 accounts scanned, 1 cluster at minimum score 0.0\n"))
            #expect(!table.stdout.contains("\u{202E}"))
            let exact = try await runAccounts(["duplicates", "--min-score", "0.7004", "--database", database])
            #expect(exact.stdout.hasPrefix("14 accounts scanned, 1 cluster at minimum score 0.7004\n"))
        }
    }

    @Test func writesTheJSONReportToStdout() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await Self.populatedDatabase(in: dir)
            let result = try await runAccounts(["duplicates", "--format", "json", "--database", database])
            #expect(result.status == 0, "\(result.stderr)")
            let report = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(report["accounts_scanned"] as? Int == 9)
            let clusters = try #require(report["clusters"] as? [[String: Any]])
            let usernames = clusters.map {
                ($0["members"] as? [[String: Any]] ?? []).compactMap { $0["username"] as? String }
            }
            #expect(usernames == [["john", "johnny"], ["sk8erboi99", "zoe_tw"]])
            #expect((clusters[0]["reasons"] as? [String])?.first == "same mailbox after gmail normalisation")
            // The Twitter id, read from the store, every digit as stored (a string: it passes 2^53)
            let members = clusters.last?["members"] as? [[String: Any]] ?? []
            #expect(members.first?["twitter_id"] is NSNull)
            #expect(members.last?["twitter_id"] as? String == "1234567890123456789")
            let generated = try #require(report["generated_at"] as? String)
            #expect(generated.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil)
        }
    }

    @Test(arguments: ["table", "csv", "json", "html"])
    func writesEachFormatToAFile(_ format: String) async throws {
        try await withTemporaryDirectory { dir in
            let database = try await Self.populatedDatabase(in: dir)
            let output = dir + "/report.\(format)"
            let result = try await runAccounts([
                "--database", database, "duplicates", "--format", format, "--output", output,
            ])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.contains("wrote 2 clusters (4 of 9 accounts) to \(output)"))
            let text = String(decoding: fileBytes(output), as: UTF8.self)
            switch format {
            case "table": #expect(text.contains("CLUSTER") && text.contains("sk8erboi99"))
            case "csv": #expect(text.hasPrefix("cluster_id,cluster_score,cluster_reasons,id,username,"))
            case "json": #expect(text.hasPrefix("{\"generated_at\": "))
            default:
                #expect(text.hasPrefix("<!DOCTYPE html>"))
                #expect(text.contains("Zoe Angstrom &lt;b&gt;") && !text.contains("<b>"))
            }
        }
    }

    @Test func defaultIsAnAlignedTable() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await Self.populatedDatabase(in: dir)
            let result = try await runAccounts(["duplicates"], environment: ["ACCOUNTS_DATABASE": database])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasPrefix("9 accounts scanned, 2 clusters at minimum score 0.7\n"))
            #expect(result.stdout.contains("CLUSTER"))
        }
    }

    /// The help states each default and each list of values once (argument-parser adds them; the text repeated them).
    @Test func helpStatesEachDefaultOnce() async throws {
        let help = try await runAccounts(["duplicates", "--help"])
        #expect(help.status == 0, "\(help.stderr)")
        let text = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("do not join accounts. (default: 0.7)"), "\(help.stdout)")
        #expect(text.ranges(of: "0.7").count == 1, "\(help.stdout)")
        #expect(text.ranges(of: "html").count == 1, "\(help.stdout)")
    }

    @Test(arguments: ["1.5", "-0.1", "-1", "abc", "nan", ""])
    func minScoreMustBeANumberFromZeroToOne(_ value: String) async throws {
        try await withTemporaryDirectory { dir in
            let database = try await Self.populatedDatabase(in: dir)
            let output = dir + "/report.json"
            let result = try await runAccounts([
                "duplicates", "--min-score", value, "--output", output, "--database", database,
            ])
            #expect(result.status == 64, "\(result.stderr)")
            // One message for every value, quoting it as typed (README's errors table): a negative number is a value
            // out of range, not a missing one, and `-1` is not echoed as `-1.0`.
            let shown = value.isEmpty ? "''" : value
            #expect(
                result.stderr.contains("--min-score must be a number from 0 to 1, not \(shown)\n"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: output))
        }
    }

    @Test func minScoreChangesWhatIsLinked() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await Self.populatedDatabase(in: dir)
            let strict = try await runAccounts([
                "duplicates", "--format", "json", "--min-score", "1", "--database", database,
            ])
            #expect(strict.status == 0)
            #expect(strict.stdout.hasSuffix("\"clusters\": []}\n"))
            let loose = try await runAccounts([
                "duplicates", "--format", "csv", "--min-score", "0", "--database", database,
            ])
            #expect(loose.status == 0)
            #expect(loose.stdout.contains("john"))
        }
    }

    /// `--output /dev/null` (or a FIFO, as here) is written to: an atomic replace would rename a file over it, and
    /// as root that replaced the null device with a regular file.
    @Test func aFIFOGivenAsOutputIsWrittenToNotReplaced() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await Self.populatedDatabase(in: dir)
            let fifo = dir + "/report-pipe"
            #expect(mkfifo(fifo, 0o600) == 0)
            let read = readAll(fifo)
            let result = try await runAccounts([
                "--database", database, "duplicates", "--format", "json", "--output", fifo,
            ])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(String(decoding: read(), as: UTF8.self).hasPrefix("{\"generated_at\": "))
            var info = stat()
            #expect(lstat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        }
    }

    #if os(Linux)
        /// `--output /dev/stdout` with stdout redirected to a regular file reaches that file through `/proc`: it is
        /// written through, not replaced (replacing it would replace `/dev/stdout` itself, as root). Tested through a
        /// link of our own to `/proc/self/fd/1`, and through `/dev/fd/1`.
        @Test func aPathToOurOwnStdoutIsWrittenThroughNotReplaced() async throws {
            try await withTemporaryDirectory { dir in
                let database = try await Self.populatedDatabase(in: dir)
                let link = dir + "/stdout-link"
                #expect(symlink("/proc/self/fd/1", link) == 0)
                let linkToLink = dir + "/dev-stdout-link"
                #expect(symlink("/dev/stdout", linkToLink) == 0)
                for (index, output) in [link, linkToLink, "/dev/fd/1"].enumerated() {
                    let captured = dir + "/captured-\(index).json"
                    // stderr goes to the same file: the report and the message after it share one offset.
                    let result = try await runProcess(
                        "/bin/sh",
                        [
                            "-c", #"exec "$0" duplicates --format json --database "$1" --output "$2" > "$3" 2>&1"#,
                            accountsExecutable(), database, output, captured,
                        ])
                    #expect(result.status == 0, "\(result.stderr)")
                    let text = String(decoding: fileBytes(captured), as: UTF8.self)
                    #expect(text.hasPrefix("{\"generated_at\": "), "\(output): \(text.prefix(80))")
                    #expect(text.contains("]}\nwrote 2 clusters"), "\(output): \(text.suffix(120))")
                }
                var info = stat()
                #expect(lstat(link, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK)
                #expect(lstat(linkToLink, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK)
                // A descriptor that is not open when the command starts (the store's own would take it) is refused.
                // Descriptors 3 to 9 closed first (the test runner may pass some on), so 9 is surely not open, and
                // the low ones are the runtime's own (eventfd, epoll) or closed.
                func run(_ output: String) async throws -> CommandResult {
                    try await runProcess(
                        "/bin/sh",
                        [
                            "-c",
                            #"exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-; exec "$0" duplicates --database "$1" --output "$2""#,
                            accountsExecutable(), database, output,
                        ])
                }
                let closed = try await run("/dev/fd/9")
                #expect(closed.status == 64, "\(closed.stderr)")
                #expect(
                    closed.stderr.contains("--output /dev/fd/9 names descriptor 9, which is not open"),
                    "\(closed.stderr)")
                for low in 3...5 {
                    let own = try await run("/dev/fd/\(low)")
                    #expect(own.status == 64, "\(own.stderr)")
                    #expect(
                        own.stderr.contains("--output /dev/fd/\(low) names descriptor \(low), which"), "\(own.stderr)")
                }
                #expect(try FileManager.default.contentsOfDirectory(atPath: dir).allSatisfy { !$0.contains("partial") })
            }
        }
    #endif

    /// A report written where this user may not create a file is refused before the store is read, not after a
    /// scan and detection that take seconds at a million accounts. As root modes stop nothing, so the command runs as
    /// the unprivileged `nobody`.
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func anOutputDirectoryThisUserCannotWriteIsRefusedBeforeTheScan() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await Self.populatedDatabase(in: dir)
            chmod(dir, 0o755)
            let locked = dir + "/locked"
            try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
            try Data("old report\n".utf8).write(to: URL(fileURLWithPath: locked + "/old.json"))
            chmod(locked + "/old.json", 0o666)
            chmod(locked, 0o555)
            func asNobody(_ output: String) async throws -> CommandResult {
                try await runProcess(
                    "/usr/bin/setpriv",
                    [
                        "--reuid=65534", "--regid=65534", "--clear-groups", accountsExecutable(), "--database",
                        database, "duplicates", "--format", "json", "--output", output,
                    ])
            }
            for output in [locked + "/report.json", locked + "/old.json"] {
                let result = try await asNobody(output)
                #expect(result.status == 64, "\(result.stderr)")
                #expect(
                    result.stderr.contains(
                        "--output \(output): the directory \(locked) does not let this user create files (Permission denied)"
                    ),
                    "\(result.stderr)")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: locked) == ["old.json"])
            #expect(try String(contentsOfFile: locked + "/old.json", encoding: .utf8) == "old report\n")
            // A device is written as it is, whatever its directory allows: refused later, for the database this user
            // cannot open, not for /dev.
            let device = try await asNobody("/dev/null")
            #expect(!device.stderr.contains("does not let this user"), "\(device.stderr)")
        }
    }

    @Test func aDirectoryGivenAsOutputIsRefusedAndLeftAlone() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await Self.populatedDatabase(in: dir)
            let reports = dir + "/reports"
            try FileManager.default.createDirectory(atPath: reports, withIntermediateDirectories: false)
            let result = try await runAccounts(["--database", database, "duplicates", "--output", reports])
            // Refused as a usage error before the store is read.
            #expect(result.status == 64, "\(result.stderr)")
            #expect(result.stderr.contains("--output \(reports) is a directory; name a file"))
            var isDirectory: ObjCBool = false
            #expect(FileManager.default.fileExists(atPath: reports, isDirectory: &isDirectory) && isDirectory.boolValue)
            #expect(try FileManager.default.contentsOfDirectory(atPath: reports).isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).allSatisfy { !$0.contains("partial") })
        }
    }

    @Test func outputInAMissingDirectoryIsAUsageError() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await Self.populatedDatabase(in: dir)
            let result = try await runAccounts([
                "duplicates", "--output", dir + "/missing/report.html", "--database", database,
            ])
            #expect(result.status == 64)
            #expect(
                result.stderr.contains(
                    "--output \(dir)/missing/report.html: the directory \(dir)/missing does not exist"))
        }
    }

    /// `--output` naming the database (or its write-ahead log) would replace the accounts with the report: refused
    /// before anything is read, for the report and for an export, and the database is untouched.
    @Test(arguments: ["duplicates", "export"])
    func outputOverTheDatabaseIsRefused(_ command: String) async throws {
        try await withTemporaryDirectory { dir in
            let database = try await Self.populatedDatabase(in: dir)
            let before = try Data(contentsOf: URL(fileURLWithPath: database))
            let extra = command == "export" ? ["--format", "jsonl"] : []
            for output in [database, dir + "/./" + (database as NSString).lastPathComponent] {
                let result = try await runAccounts([command, "--output", output, "--database", database] + extra)
                #expect(result.status == 64, "\(result.stderr)")
                #expect(
                    result.stderr.contains("--output \(output) is the database file \(database)"), "\(result.stderr)")
            }
            // Through a link to the database, its write-ahead log (beside the link's target, whether it exists yet
            // or not), and the demo's key file beside it.
            let link = dir + "/link.sqlite"
            #expect(symlink(database, link) == 0)
            for (output, what) in [
                (database + "-wal", "the database file \(link)-wal"), (database, "the database file \(link)"),
                (link + ".keys", "the key file \(link).keys"),
            ] {
                let result = try await runAccounts([command, "--output", output, "--database", link] + extra)
                #expect(result.status == 64, "\(result.stderr)")
                #expect(result.stderr.contains("--output \(output) is \(what)"), "\(result.stderr)")
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: database)) == before)
            let listed = try await runAccounts(["users", "show", "john", "--database", database])
            #expect(listed.status == 0 && listed.stdout.contains("john"), "\(listed.stderr)")
            // Not a path to write a file at: a directory, nothing, a path under a file (or deeper under one), a
            // directory that cannot be reached (a loop of links), which is not said not to exist.
            let loop = dir + "/loop"
            #expect(symlink(loop, loop) == 0)
            for (output, message) in [
                (dir, "--output \(dir) is a directory; name a file"),
                ("", "--output: the path is empty"),
                (database + "/report.json", "--output \(database)/report.json: \(database) is a file, not a directory"),
                (
                    database + "/deeper/report.json",
                    "--output \(database)/deeper/report.json: part of \(database)/deeper is a file, not a directory"
                ),
                (
                    loop + "/report.json",
                    "--output \(loop)/report.json: the directory \(loop) cannot be reached (Too many levels of symbolic links)"
                ),
            ] {
                let result = try await runAccounts([command, "--output", output, "--database", database] + extra)
                #expect(result.status == 64, "\(result.stderr)")
                #expect(result.stderr.contains(message), "\(result.stderr)")
            }
        }
    }

    /// The commands that only read open the file read-only: not a byte of it changes (opened for writing, every run
    /// bumped its schema counter and made and dropped a probe table; a reader without write permission was refused).
    @Test func readingCommandsLeaveTheFileAsItWas() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await Self.populatedDatabase(in: dir)
            let before = fileBytes(database)
            for command in [
                ["duplicates"], ["duplicates", "--explain", "john,johnny"], ["export", "--format", "jsonl"],
                ["users", "show", "john"], ["keys", "status"],
            ] {
                let result = try await runAccounts(command + ["--database", database])
                #expect(result.status == 0, "\(command): \(result.stderr)")
                #expect(fileBytes(database) == before, "\(command) changed the database file")
            }
        }
    }

    #if os(Linux)
        /// A report that cannot reach stdout (a full disk, here `/dev/full`) is an error with exit status 1, not a crash
        /// and not a success.
        @Test func aStdoutThatCannotBeWrittenIsAnError() async throws {
            try await withTemporaryDirectory { dir in
                let database = try await Self.populatedDatabase(in: dir)
                let result = try await runAccountsIntoAFullDisk([
                    "duplicates", "--format", "json", "--database", database,
                ])
                #expect(result.status == 1, "\(result.stderr)")
                #expect(
                    result.stderr.contains("accounts: error: cannot write to standard output: No space left on device"),
                    "\(result.stderr)")
            }
        }
    #endif

    @Test func explainSaysWhyTwoAccountsAreLinkedByUsernameOrID() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await Self.populatedDatabase(in: dir)
            let text = try await runAccounts([
                "duplicates", "--explain", "john, johnny,stranger0", "--database", database,
            ])
            #expect(text.status == 0, "\(text.stderr)")
            #expect(
                text.stdout.hasPrefix("john and johnny: linked: score 0.95, at least the minimum 0.7; one cluster\n"))
            #expect(text.stdout.contains("  mailbox: same mailbox after gmail normalisation\n"))
            #expect(text.stdout.contains("john and stranger0: not compared: they share no blocking key"))
            #expect(text.stdout.contains("johnny and stranger0: not compared: they share no blocking key"))
            let json = try await runAccounts([
                "duplicates", "--explain", "zoe_tw,sk8erboi99", "--format", "json", "--database", database,
            ])
            #expect(json.status == 0, "\(json.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            let pair = try #require((object["pairs"] as? [[String: Any]])?.first)
            #expect(pair["linked"] as? Bool == true && pair["clustered"] as? Bool == true)
            let id = try #require((pair["first"] as? [String: Any])?["id"] as? String)
            let byID = try await runAccounts(["duplicates", "--explain", "\(id),sk8erboi99", "--database", database])
            #expect(byID.status == 0 && byID.stdout.hasPrefix("zoe_tw and sk8erboi99: linked"), "\(byID.stderr)")
            let output = dir + "/why.txt"
            let written = try await runAccounts([
                "duplicates", "--explain", "john,johnny", "--output", output, "--database", database,
            ])
            #expect(written.status == 0 && written.stdout.isEmpty, "\(written.stderr)")
            #expect(written.stderr.contains("wrote 1 pair explanation to \(output)"))
            #expect(String(decoding: fileBytes(output), as: UTF8.self).hasPrefix("john and johnny: linked"))
        }
    }

    /// How many others carry a name is an estimate, said in whole accounts: in a small store "fewer than one other",
    /// not "about 0.7 others".
    @Test func explainCountsTheOthersCarryingANameInWholeAccounts() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            // Three pairs of namesakes: the estimate for John Smith is below one other account (0.7).
            for (first, last, handle) in [
                ("John", "Smith", "jsmith"), ("Kenji", "Fujita", "kfujita"), ("Zeb", "Quix", "zq"),
            ] {
                for (username, domain) in [(handle, "example.org"), (handle + "_", "example.com")] {
                    _ = try await store.createAccount(
                        NewAccount(
                            username: try Username(validating: username),
                            email: try EmailAddress(validating: "\(username)@\(domain)"), firstName: first,
                            lastName: last))
                }
            }
            try store.close()
            let result = try await runAccounts([
                "duplicates", "--explain", "jsmith,jsmith_", "--database", dir + "/accounts.sqlite",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(
                result.stdout.contains(
                    "  names: account names match; fewer than one other account expected to carry it\n"),
                "\(result.stdout)")
        }
    }

    @Test func explainRefusesUnknownAccountsTooFewAndOtherFormatsAndWritesNothing() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await Self.populatedDatabase(in: dir)
            let output = dir + "/why.txt"
            let unknown = try await runAccounts([
                "duplicates", "--explain", "john,nobody,nobody2", "--output", output, "--database", database,
            ])
            #expect(
                unknown.status == 1 && unknown.stderr.contains("no account 'nobody', 'nobody2'"), "\(unknown.stderr)")
            for (list, message) in [
                ("john", "--explain needs two different accounts or more"),
                ("john,JOHN", "--explain needs two different accounts or more"),
                ("john,,johnny", "--explain: account 2 of the list is empty"),
            ] {
                let result = try await runAccounts([
                    "duplicates", "--explain", list, "--output", output, "--database", database,
                ])
                #expect(result.status == 64 && result.stderr.contains(message), "\(result.stderr)")
            }
            let shown = try await runAccounts(["users", "show", "john", "--format", "json", "--database", database])
            let johnObject = try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any]
            let johnID = try #require(johnObject?["id"] as? String)
            let twice = try await runAccounts([
                "duplicates", "--explain", "john,\(johnID)", "--output", output, "--database", database,
            ])
            #expect(twice.status == 64, "\(twice.stderr)")
            #expect(
                twice.stderr.contains(
                    "--explain needs two different accounts or more: 'john', '\(johnID)' are one account"))
            let csv = try await runAccounts([
                "duplicates", "--explain", "john,johnny", "--format", "csv", "--database", database,
            ])
            #expect(csv.status == 64 && csv.stderr.contains("--explain writes table or json, not csv"))
            #expect(!FileManager.default.fileExists(atPath: output))
        }
    }

    @Test func missingOrUnmigratedDatabaseSaysToMigrate() async throws {
        try await withTemporaryDirectory { dir in
            let result = try await runAccounts(["duplicates", "--database", dir + "/none.sqlite"])
            #expect(result.status == 1)
            #expect(result.stderr.contains("run `accounts migrate`"))
            #expect(!FileManager.default.fileExists(atPath: dir + "/none.sqlite"))
        }
    }

    /// The check before opening reads the store SQLite would read: through a link (whose target keeps the log, with
    /// the latest migrations still in it), by a relative path, or by one written with `//`. And a history table of
    /// another layout is an error, with the file left as it was.
    @Test func theMigrationCheckReadsThroughLinksAndRelativePathsAndRefusesOtherLayouts() async throws {
        try await withTemporaryDirectory { dir in
            // A migrated store whose migrations are still in its log: copied while the store is open.
            let live = try makeStore(in: dir, name: "live.sqlite")
            let store = dir + "/store/accounts.sqlite"
            try FileManager.default.createDirectory(atPath: dir + "/store", withIntermediateDirectories: false)
            for suffix in ["", "-wal", "-shm"] {
                try FileManager.default.copyItem(atPath: dir + "/live.sqlite" + suffix, toPath: store + suffix)
            }
            try live.close()
            #expect(try Data(contentsOf: URL(fileURLWithPath: store + "-wal")).count > 0)
            try FileManager.default.createDirectory(atPath: dir + "/links", withIntermediateDirectories: false)
            #expect(symlink(store, dir + "/links/accounts.sqlite") == 0)
            for (database, directory) in [
                (dir + "/links/accounts.sqlite", nil), ("accounts.sqlite", dir + "/store"), ("/" + store, nil),
            ] {
                let result = try await runAccounts(
                    ["export", "--format", "jsonl", "--database", database], currentDirectory: directory)
                #expect(result.status == 0, "\(database): \(result.stderr)")
            }
            // Another application's `schema_migrations`, of its own layout (Rails: one `version` column).
            let rails = dir + "/rails.sqlite"
            try executeSQL(
                rails, "CREATE TABLE schema_migrations(version TEXT); INSERT INTO schema_migrations VALUES ('1')")
            let before = try Data(contentsOf: URL(fileURLWithPath: rails))
            let result = try await runAccounts(["export", "--format", "jsonl", "--database", rails])
            #expect(result.status == 1, "\(result.stderr)")
            #expect(
                result.stderr.contains(
                    "has a schema_migrations table without the columns this store keeps in it (name, checksum, "
                        + "applied_at, execution_micros): another tool's"),
                "\(result.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: rails)) == before)
            #expect(!FileManager.default.fileExists(atPath: rails + "-wal"))
        }
    }

    /// A file refused because it is not migrated is left exactly as it was: an empty file does not become a database,
    /// and an SQLite file of another application is not switched to WAL mode.
    @Test(arguments: ["duplicates", "export", "reindex"])
    func aRefusedDatabaseIsLeftUnchanged(_ command: String) async throws {
        try await withTemporaryDirectory { dir in
            let empty = dir + "/empty.sqlite"
            #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
            let other = dir + "/other.sqlite"
            try executeSQL(other, "CREATE TABLE t(x); INSERT INTO t VALUES (1)")
            let before = try Data(contentsOf: URL(fileURLWithPath: other))
            // Another application's file in WAL mode, checkpointed: GRDB's pool wrote to such a file when it opened.
            let walFile = dir + "/wal.sqlite"
            try executeSQL(walFile, "CREATE TABLE t(x); INSERT INTO t VALUES (1)")
            try executeSQLOutsideTransaction(walFile, "PRAGMA journal_mode = WAL")
            let walBefore = try Data(contentsOf: URL(fileURLWithPath: walFile))
            // One that stopped without closing: its rows are still in its write-ahead log, which a connection closing
            // read-write would have checkpointed into the file and deleted.
            let crashed = dir + "/crashed.sqlite"
            try makeUncheckpointedWALDatabase(crashed, rows: 50)
            let crashedBefore = try ["", "-wal"].map { try Data(contentsOf: URL(fileURLWithPath: crashed + $0)) }
            let extra = command == "export" ? ["--format", "jsonl"] : []
            // `"/" + other`: a path written with `//` (as the working directory `/` made of `./accounts.sqlite`).
            for database in [empty, other, "/" + other, walFile, crashed] {
                let result = try await runAccounts([command, "--database", database] + extra)
                #expect(result.status == 1, "\(result.stderr)")
                #expect(result.stderr.contains("run `accounts migrate`"), "\(result.stderr)")
                if database != crashed {
                    #expect(!FileManager.default.fileExists(atPath: database + "-wal"))
                    #expect(!FileManager.default.fileExists(atPath: database + "-shm"))
                }
            }
            #expect(try ["", "-wal"].map { try Data(contentsOf: URL(fileURLWithPath: crashed + $0)) } == crashedBefore)
            #expect(try Data(contentsOf: URL(fileURLWithPath: empty)).isEmpty)
            #expect(try Data(contentsOf: URL(fileURLWithPath: other)) == before)
            #expect(try Data(contentsOf: URL(fileURLWithPath: walFile)) == walBefore)
        }
    }
}

struct ReindexCommandTests {
    @Test func reindexRecomputesStaleFormsThenHasNothingToDo() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await DuplicatesCommandTests.populatedDatabase(in: dir)
            try executeSQL(
                database,
                "UPDATE users SET email_mailbox = lower(email), email_rules_version = 1 WHERE username IN ('john', 'johnny')"
            )
            let first = try await runAccounts(["reindex", "--database", database])
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout == "reindexed 2 accounts to rules version 8 (2 mailboxes changed) in 1 batches\n")
            let second = try await runAccounts(["reindex", "--database", database])
            #expect(second.stdout == "nothing to reindex: every stored mailbox is at rules version 8\n")
        }
    }

    @Test func migrateReindexesFormsMadeByOlderRules() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await DuplicatesCommandTests.populatedDatabase(in: dir)
            try executeSQL(database, "UPDATE users SET email_rules_version = 1 WHERE username = 'johnny'")
            let dry = try await runAccounts(["migrate", "--dry-run", "--database", database])
            #expect(dry.status == 0, "\(dry.stderr)")
            #expect(dry.stdout.contains("would reindex 1 stored mailboxes made by older matching rules"))
            let migrate = try await runAccounts(["migrate", "--database", database])
            #expect(migrate.status == 0, "\(migrate.stderr)")
            #expect(
                migrate.stdout.contains("reindexed 1 accounts to rules version 8 (0 mailboxes changed) in 1 batches"))
            let again = try await runAccounts(["migrate", "--database", database])
            #expect(!again.stdout.contains("reindex"))
        }
    }

    @Test func migrateKeysOldAddressesAndWarnsOfThoseThatDifferOnlyInCase() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/accounts.sqlite"
            let old = try await runAccounts(["migrate", "--to", "8", "--database", database])
            #expect(old.status == 0, "\(old.stderr)")
            for (id, username, email) in [(1, "umlaut", "Änn@example.org"), (2, "clash", "äNN@example.org")] {
                try executeSQL(
                    database,
                    """
                    INSERT INTO users (id, public_id, username, email, email_mailbox, email_rules_version, created_at,
                        updated_at)
                    VALUES (\(id), '0000000\(id)-0000-4000-8000-000000000000', '\(username)', '\(email)',
                        'änn@example.org', 4, 0, 0)
                    """)
            }
            let dry = try await runAccounts(["migrate", "--dry-run", "--database", database])
            #expect(dry.status == 0, "\(dry.stderr)")
            let migrate = try await runAccounts(["migrate", "--database", database])
            #expect(migrate.status == 0, "\(migrate.stderr)")
            let warning =
                "accounts: warning: the address of 'clash' (äNN@example.org) differs from that of 'umlaut' "
                + "(Änn@example.org) only in letter case or accent form; it stays without a uniqueness key (other "
                + "spellings of it are still refused) until one of the two accounts is removed\n"
            #expect(migrate.stderr.hasSuffix("\n" + warning), "\(migrate.stderr)")
            #expect(countQuery(database, "SELECT count(*) FROM users WHERE email_key = 'änn@example.org'") == 1)
            // (the key the store's opening gave is reported: until session 61 nothing said so)
            #expect(
                migrate.stdout.contains(
                    "gave 1 stored addresses their uniqueness key (letter case compared in every script)\n"),
                "\(migrate.stdout)")
            // A clash makes no reindex due, but every migrate names it again, as does a reindex
            let rerun = try await runAccounts(["migrate", "--database", database])
            #expect(rerun.status == 0 && !rerun.stdout.contains("reindex"), "\(rerun.stdout)")
            #expect(rerun.stderr.hasSuffix("\n" + warning), "\(rerun.stderr)")
            let again = try await runAccounts(["reindex", "--database", database])
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout == "nothing to reindex: every stored mailbox is at rules version 8\n")
            #expect(again.stderr == warning)
        }
    }

    /// An address without its uniqueness key (stored before the key existed, or left by a clash since resolved) is
    /// keyed by the store's opening, before `reindex` or `migrate` runs: what `migrate --dry-run` announced is reported
    /// as done, once, and counts as a write (until session 61 both said "nothing to reindex" after writing the key).
    @Test(arguments: [["reindex"], ["migrate"]])
    func anAddressKeyedAsTheStoreOpensIsReported(command: [String]) async throws {
        try await withTemporaryDirectory { dir in
            let database = try await DuplicatesCommandTests.populatedDatabase(in: dir)
            try executeSQL(database, "UPDATE users SET email_key = NULL WHERE username = 'john'")
            let dry = try await runAccounts(["migrate", "--dry-run", "--database", database])
            #expect(dry.stdout.contains("would reindex 1 stored mailboxes"), "\(dry.stdout)")
            #expect(
                countQuery(database, "SELECT count(*) FROM users WHERE email_key IS NULL AND email IS NOT NULL") == 1)

            let run = try await runAccounts(command + ["--database", database])

            #expect(run.status == 0, "\(run.stderr)")
            #expect(
                run.stdout.contains(
                    "gave 1 stored addresses their uniqueness key (letter case compared in every script)\n"),
                "\(run.stdout)")
            #expect(!run.stdout.contains("nothing to reindex"), "\(run.stdout)")
            #expect(
                countQuery(database, "SELECT count(*) FROM users WHERE email_key IS NULL AND email IS NOT NULL") == 0)
            let again = try await runAccounts(["reindex", "--database", database])
            #expect(again.stdout == "nothing to reindex: every stored mailbox is at rules version 8\n")
        }
    }

    @Test func batchSizeMustBePositive() async throws {
        let result = try await runAccounts(["reindex", "--batch-size", "0"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--batch-size must be at least 1"))
    }
}
