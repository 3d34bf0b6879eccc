import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// A command that writes, run beside a live app and another process that reads (an `accounts export` into a pipe, a
/// `duplicates` report over a big store): what it does to the app's writes when it closes.
struct CrossProcessCloseTests {
    /// `accounts users disable` writes in a moment, then closes the store. A truncating checkpoint that waited for
    /// every reader of the WAL (the busy timeout, 30 s) would hold the write lock meanwhile, and every write of the
    /// app over the same file would wait behind it and, past its own busy timeout, fail with `busy`. Closing
    /// checkpoints without waiting: the command ends at once and the app's writes go on.
    @Test func aWriteCommandClosingWhileAnotherProcessReadsLeavesTheAppsWritesAlone() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await migratedDatabase(dir)
            // Enough accounts that an export's output outgrows a pipe (64 KiB): an export nobody drains holds its
            // read snapshot open, as one piped into a slow consumer does.
            var lines = ""
            for index in 0..<4_000 {
                lines +=
                    #"{"username": "user\#(index)", "email": "user\#(index)@example.org", "first_name": "First", "#
                    + #""last_name": "Last"}"# + "\n"
            }
            writeFile(dir + "/accounts.jsonl", Array(lines.utf8))
            let imported = try await runAccounts([
                "--database", database, "import", "--format", "jsonl", dir + "/accounts.jsonl",
            ])
            try #require(imported.status == 0, "\(imported.stderr)")

            // The app: its own store over the file, with a busy timeout of 8 s.
            var configuration = StoreConfiguration(path: database)
            configuration.busyTimeout = .seconds(8)
            let app = try AccountStore(configuration: configuration, keyRing: nil)
            defer { try? app.close() }
            try await app.recordEvent(AccountEvent(kind: .imported, subject: nil, actor: "app", occurredAt: Date()))

            // Another process reading: an export whose output nobody reads past its first bytes.
            let export = try ChildProcess(
                accountsExecutable(), ["--database", database, "export", "--format", "jsonl"],
                environment: childEnvironment(removing: []), stdout: .pipe)
            defer { export.send(SIGTERM) }
            var firstBytes = [UInt8](repeating: 0, count: 4096)
            #expect(read(export.outputDescriptor, &firstBytes, firstBytes.count) > 0)

            // The operator disables an account (on a thread of its own, timed there: the suite's other tests may keep
            // the few cooperative threads busy).
            let outcome = Locked<(result: CommandResult?, time: Duration)?>(nil)
            let started = ContinuousClock.now
            Thread {
                let result = try? runAccountsBlocking(["--database", database, "users", "disable", "user1"])
                outcome.withLock { $0 = (result, ContinuousClock.now - started) }
            }.start()

            // The app keeps writing meanwhile (as sign-ins do); each write is timed.
            var slowest: Duration = .zero
            var failure: StoreError?
            while outcome.value == nil && ContinuousClock.now - started < .seconds(60) {
                let before = ContinuousClock.now
                do throws(StoreError) {
                    try await app.recordEvent(
                        AccountEvent(kind: .signedIn, subject: nil, actor: "app", occurredAt: Date()))
                } catch {
                    failure = error
                    break
                }
                slowest = max(slowest, ContinuousClock.now - before)
                try await Task.sleep(for: .milliseconds(50))
            }
            // Let the reader go, so that the command can end whatever happened.
            export.send(SIGTERM)
            while outcome.value == nil { try await Task.sleep(for: .milliseconds(20)) }
            let (result, commandTime) = try #require(outcome.value)
            #expect(result?.status == 0, "\(result?.stderr ?? "the command did not run")")

            // (a write held behind a checkpoint that waits for the reader, 30 s, fails with `busy` past the app's 8 s;
            // how long each took is not bounded more tightly than that: it includes the test task's resumption, which
            // on a loaded machine comes seconds late. The command is timed on its own thread; the regression took
            // 30 s there.)
            #expect(failure == nil, "an app write failed while the command closed: \(String(describing: failure))")
            #expect(slowest < .seconds(8), "an app write waited \(slowest) behind the command's close")
            #expect(commandTime < .seconds(20), "users disable took \(commandTime) to finish beside a reader")
        }
    }
}
