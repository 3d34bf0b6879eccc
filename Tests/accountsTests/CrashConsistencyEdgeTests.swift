import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing
import TwitterOAuth

/// The edges of writing a key file under a temporary name and of stopping on a signal.
struct CrashConsistencyEdgeTests {
    /// A key file is written under a temporary name beside it and linked to its name: any name the file system takes
    /// is written, up to the longest it allows (255 bytes), the temporary name being short whatever the file's.
    @Test func generateWritesAKeyFileWhoseNameIsCloseToTheLongestAllowed() throws {
        try withTemporaryDirectorySync { dir in
            let name = String(repeating: "k", count: 245) + ".key"
            // (the name itself is one the file system takes)
            let probe = dir + "/" + name
            #expect(FileManager.default.createFile(atPath: probe, contents: Data()))
            try FileManager.default.removeItem(atPath: probe)

            let written = try runAccounts(["keys", "generate", "--output", probe])
            #expect(written.status == 0, "\(written.stderr)")
            #expect(FileManager.default.fileExists(atPath: probe))
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == [name])
        }
    }

    /// `users delete --revoke-twitter-token`: once the deletion has committed, the report of it is the operator's only
    /// record of what happened (a rerun says the account does not exist). An operator who presses Ctrl-C and, as the
    /// command does not end that very instant, again (or a supervisor's SIGTERM after the operator's Ctrl-C) is still
    /// told that the account was deleted: a second signal only cancels the revocations again. (Three rounds: which
    /// handler runs first is up to Dispatch.)
    @Test func aSecondSignalWhileRevokingStillReportsTheCommittedDeletion() async throws {
        try await SandboxHarness.run { sandbox in
            try await withTemporaryDirectory { root in
                for round in 0..<3 {
                    let dir = root + "/round-\(round)"
                    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
                    let (reported, detail) = try await Self.deleteSignallingTwice(sandbox, in: dir, round: round)
                    #expect(reported, "round \(round): the committed deletion was not reported; \(detail)")
                    if !reported { break }
                }
            }
        }
    }

    /// Deletes an account whose token Twitter takes 8 s to revoke, sends SIGINT and SIGTERM half a second into the
    /// revocation, and says whether the command named the deleted account (and what it exited with, and printed).
    static func deleteSignallingTwice(
        _ sandbox: SandboxHarness, in dir: String, round: Int
    ) async throws -> (Bool, String) {
        let keys = "k1:" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let store = try makeStore(
            in: dir, keyRing: try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": keys]))
        // (the sandbox's Zoë, signed in afresh each round: a new token to revoke)
        let zoe: UInt64 = 1_234_567_890_123_456_789
        let access = try await sandbox.signIn(as: zoe, client: sandbox.client())
        let account = try await store.createAccount(newAccount("ann", email: "ann@example.org"))
        try await store.linkTwitter(
            twitterIdentity(String(zoe), screenName: access.screenName),
            credential: TwitterCredential(token: access.token, secret: Secret(access.secret)),
            to: .id(account.id))
        try store.close()
        let database = dir + "/accounts.sqlite"
        _ = try await sandbox.failNext(#"{"endpoint": "invalidate_token", "mode": "slow", "delay_ms": 8000}"#)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: accountsExecutable())
        process.arguments = [
            "--database", database, "users", "delete", "ann", "--revoke-twitter-token", "--twitter-api-base",
            sandbox.baseURL.absoluteString,
        ]
        var environment = ProcessInfo.processInfo.environment
        for key in ["ACCOUNTS_DATABASE", "ACCOUNTS_KEYS_FILE"] { environment[key] = nil }
        environment["ACCOUNTS_KEYS"] = keys
        environment["TWITTER_CONSUMER_KEY"] = sandbox.consumer.key
        environment["TWITTER_CONSUMER_SECRET"] = sandbox.consumer.secret
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let collected = Locked<(out: Data, err: Data)>((Data(), Data()))
        let readers = DispatchGroup()
        DispatchQueue.global().async(group: readers) {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            collected.withLock { $0.out = data }
        }
        DispatchQueue.global().async(group: readers) {
            let data = errors.fileHandleForReading.readDataToEndOfFile()
            collected.withLock { $0.err = data }
        }

        // When the deletion has committed and the revocation waits on Twitter, the operator presses Ctrl-C and a
        // supervisor sends SIGTERM right after
        let deleted: Bool = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let deadline = Date().addingTimeInterval(10)
                var gone = false
                while Date() < deadline && process.isRunning {
                    if countQuery(database, "SELECT count(*) FROM users WHERE username = 'ann'") == 0
                        && countQuery(database, "SELECT count(*) FROM schema_migrations") > 0
                    {
                        gone = true
                        break
                    }
                    usleep(5_000)
                }
                if gone {
                    usleep(500_000)  // well inside Twitter's 8 s
                    if process.isRunning {
                        kill(process.processIdentifier, SIGINT)
                        kill(process.processIdentifier, SIGTERM)
                    }
                }
                continuation.resume(returning: gone)
            }
        }
        #expect(deleted, "the deletion did not commit")
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                let deadline = Date().addingTimeInterval(15)
                while Date() < deadline && process.isRunning { usleep(10_000) }
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                process.waitUntilExit()
                readers.wait()
                continuation.resume()
            }
        }
        let (rawOut, rawErr) = collected.withLock {
            (String(decoding: $0.out, as: UTF8.self), String(decoding: $0.err, as: UTF8.self))
        }
        let secrets = [access.token, access.secret, sandbox.consumer.secret]
        let leaked = secrets.contains { rawOut.contains($0) || rawErr.contains($0) }
        #expect(!leaked, "the output holds a token or a secret")
        let (out, err) = leaked ? ("<withheld>", "<withheld>") : (rawOut, rawErr)
        let status =
            process.terminationReason == .uncaughtSignal
            ? 128 + process.terminationStatus : process.terminationStatus

        // Then the account is gone, and the command said so, whatever it exited with
        #expect(countQuery(database, "SELECT count(*) FROM users") == 0)
        let reported = (out + err).contains("deleted account \(account.id)") || err.contains(account.id.rawValue)
        return (reported, "exit status \(status); stdout: \(out) stderr: \(err)")
    }
}
