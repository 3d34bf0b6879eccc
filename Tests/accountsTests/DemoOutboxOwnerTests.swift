import Foundation
import Glibc
import TestSupport
import Testing
import TwitterOAuth

// (`stat`'s members are found in Dispatch's C module or in Glibc, depending on the build: both are imported)
#if canImport(CDispatch)
    import CDispatch
#endif

/// The demo's outbox takes mail only as a regular file of this user's: another user's file is not adopted (its
/// owner would read every reset, confirmation and undo link), and a FIFO neither freezes the demo nor keeps SIGTERM
/// from stopping it. (Tests run as root: "another user" is nobody, uid 65534.)
struct DemoOutboxOwnerTests {
    /// Starts the demo over `database`, signs ann up (a confirmation mail) and has her ask for a reset link (a second
    /// mail), stops it with SIGTERM; its exit status and stderr.
    static func mailTwice(database: String) async throws -> (status: Int32, stderr: String) {
        let server = try ServerProcess(accountsExecutable(), ["demo", "--port", "0", "--database", database])
        defer { server.kill() }
        let base = try #require(URL(string: try await server.firstLine()))
        let (first, _) = try await DemoCommandTests.Visitor.arrive(at: base)
        let signUp = try await first.post(
            base.appending(path: "signup"), "username=ann&email=ann%40example.org&password=correct+horse+battery")
        #expect(signUp.status == 303)
        let (visitor, _) = try await DemoCommandTests.Visitor.arrive(at: base)
        let sent = try await visitor.post(base.appending(path: "password/forgot"), "email=ann%40example.org")
        #expect(sent.status == 200)
        let status = await server.stop()
        return (status, server.stderrText.value)
    }

    /// Another user's file where the outbox goes (their empty 0666 file in a shared directory) is said at start-up
    /// and with each mail, and gets nothing: it was appended to and kept its owner.
    @Test func anotherUsersOutboxIsNotAdopted() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/demo.sqlite"
            let outbox = database + ".outbox"
            writeFile(outbox, [UInt8]())
            #expect(chmod(outbox, 0o666) == 0)
            #expect(chown(outbox, 65_534, 65_534) == 0)
            let (status, stderr) = try await Self.mailTwice(database: database)
            #expect(status == 0, "\(stderr)")
            #expect(fileBytes(outbox).isEmpty, "another user's outbox got the mail")
            let problem =
                "it is owned by uid 65534, not by this user (uid \(geteuid())): its owner could read the links"
            #expect(
                stderr.contains("accounts: warning: the demo outbox \(outbox) cannot take mail: \(problem)"),
                "\(stderr)")
            #expect(
                stderr.contains(
                    "cannot write the demo outbox \(outbox): \(problem) mailed to it; the password reset mail for ann "
                        + "was not written"),
                "\(stderr)")
            var info = stat()
            #expect(stat(outbox, &info) == 0 && info.st_uid == 65_534 && info.st_mode & 0o777 == 0o666)
        }
    }

    /// A FIFO where the outbox goes, which nobody reads: each mail is refused at once, saying what is there; the demo
    /// keeps answering and stops on SIGTERM (the blocking open held a thread of the server, and the stop waited for
    /// that mail for ever).
    @Test func aFIFOOutboxNeitherFreezesTheDemoNorKeepsItFromStopping() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/demo.sqlite"
            let outbox = database + ".outbox"
            #expect(mkfifo(outbox, 0o600) == 0)
            let (status, stderr) = try await Self.mailTwice(database: database)
            #expect(status == 0, "\(stderr)")
            #expect(
                stderr.contains(
                    "cannot write the demo outbox \(outbox): it is a FIFO (named pipe), not a regular file; the "
                        + "password reset mail for ann was not written"),
                "\(stderr)")
            var info = stat()
            #expect(lstat(outbox, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        }
    }
}
