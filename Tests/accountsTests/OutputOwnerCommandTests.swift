import Foundation
import Glibc
import TestSupport
import Testing

// (`stat`'s members are found in Dispatch's C module or in Glibc, depending on the build: both are imported)
#if canImport(CDispatch)
    import CDispatch
#endif

/// `--output` naming a FIFO: another user's is refused before any work (exit 64), one nobody reads is refused
/// instead of waited for for ever (exit 1), and the command's own stdout, a pipe, is still written through
/// `/dev/stdout` and `/dev/fd/1`. (Tests run as root: "another user" is nobody, uid 65534.)
struct OutputOwnerCommandTests {
    /// Another user's FIFO in a shared directory got `accounts export --include-password-hashes`, or, with nobody
    /// reading it, held the command for ever.
    @Test(arguments: [["export", "--format", "jsonl", "--include-password-hashes"], ["duplicates"]])
    func anotherUsersFIFOIsAUsageErrorBeforeAnyWork(command: [String]) async throws {
        try await withTemporaryDirectory { dir in
            let database = try await migratedDatabase(dir)
            let fifo = dir + "/out"
            #expect(mkfifo(fifo, 0o666) == 0)
            #expect(chown(fifo, 65_534, 65_534) == 0)
            let result = try await runAccounts(
                ["--database", database] + command + ["--output", fifo], limit: .seconds(60))
            #expect(result.status == 64, "\(result.stderr)")
            #expect(
                result.stderr.contains(
                    "--output \(fifo) is a FIFO (named pipe) owned by uid 65534, another user, who would get what is "
                        + "written to it: name a file of this user's, or leave out --output and redirect stdout"),
                "\(result.stderr)")
            var info = stat()
            #expect(lstat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        }
    }

    /// A FIFO of one's own that no process reads is refused, saying so, after a few seconds' wait for its reader.
    @Test func aFIFONobodyReadsFailsInsteadOfHanging() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await migratedDatabase(dir)
            let fifo = dir + "/out"
            #expect(mkfifo(fifo, 0o600) == 0)
            let result = try await runAccounts(
                ["--database", database, "export", "--format", "jsonl", "--output", fifo], limit: .seconds(60))
            #expect(result.status == 1, "\(result.stderr)")
            #expect(
                result.stderr.contains(
                    "cannot open \(fifo): no process is reading the pipe (none opened it within 5 s): start the reader "
                        + "first"),
                "\(result.stderr)")
        }
    }

    /// `/dev/stdout` and `/dev/fd/1` reach the command's own stdout, a pipe here (this user's): still written.
    @Test(arguments: ["/dev/stdout", "/dev/fd/1"])
    func theCommandsOwnStdoutPipeIsStillWritten(output: String) async throws {
        try await withTemporaryDirectory { dir in
            let database = try await migratedDatabase(dir)
            writeFile(dir + "/a.jsonl", Array("{\"username\": \"ann\"}\n".utf8))
            let imported = try await runAccounts([
                "--database", database, "import", "--format", "jsonl", dir + "/a.jsonl",
            ])
            try #require(imported.status == 0, "\(imported.stderr)")
            let result = try await runAccounts(
                ["--database", database, "export", "--format", "jsonl", "--output", output], limit: .seconds(60))
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("\"username\": \"ann\""), "\(result.stdout)")
        }
    }
}
