import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing
import TwitterOAuth

/// Commands ended by a signal at the moment that hurts most: what they leave must not break the next run, and a change
/// they committed must be reported.
struct CrashConsistencyTests {
    /// `accounts demo` without a key ring makes `<database>.keys` on its first run. A kill at any moment leaves either
    /// no key file or one the next run can use: never an empty one that every later run would take as the development
    /// key file and refuse (`keys file … holds no keys`, exit 65) until someone removed it by hand.
    @Test func aKillWhileTheDemoWritesItsDevelopmentKeyFileLeavesNothingTheNextRunRefuses() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/demo.sqlite"
            let keys = database + ".keys"
            var unusable = false
            for _ in 0..<100 {
                unlink(keys)
                // Told by the kernel when anything is created in the directory (the key file is the first thing the
                // demo creates there), so the kill lands right after the file appears.
                let watch = inotify_init1(Int32(IN_CLOEXEC))
                try #require(watch >= 0)
                defer { close(watch) }
                try #require(inotify_add_watch(watch, dir, UInt32(IN_CREATE)) >= 0)
                let process = try ChildProcess(
                    accountsExecutable(), ["demo", "--port", "0", "--database", database],
                    environment: childEnvironment())
                // (waited for on a thread of its own, as every wait for a child is)
                let created = await onOwnThread {
                    var poller = pollfd(fd: watch, events: Int16(POLLIN), revents: 0)
                    return poll(&poller, 1, 10_000) > 0
                }
                if !created {
                    Issue.record("the demo created nothing within 10 s")
                }
                process.send(SIGKILL)
                try await process.exit(upTo: .seconds(60))
                guard FileManager.default.fileExists(atPath: keys) else { continue }
                if (try? KeyRing.load(keysFile: keys, environment: [:])) == nil {
                    unusable = true
                    break
                }
                // (a usable file: the next round makes a new one)
            }
            #expect(
                // lint: no secret (keys is the file's path)
                !unusable, "a kill left \(keys) in a state the next run cannot use (\(fileBytes(keys).count) bytes)")
            guard unusable else { return }
            // And the consequence: the next `accounts demo` over that database does not start.
            let again = try ServerProcess(accountsExecutable(), ["demo", "--port", "0", "--database", database])
            let line = try? await again.firstLine(timeout: 20)
            let status = await again.stop()
            #expect(
                line?.hasPrefix("http://127.0.0.1:") == true,
                "the next demo run did not start (status \(status)): \(again.stderrText.value)")
        }
    }

    /// `accounts users delete --revoke-twitter-token` deletes the account (and its stored token) in one transaction,
    /// then asks Twitter to revoke the token. Ctrl-C (or SIGTERM) while Twitter is slow to answer stops the
    /// revocation, not the report: the committed deletion is reported with the revocation's failure, as when Twitter
    /// refuses it (exit 75 with a warning), since the token is gone from the store and a rerun only says the account
    /// does not exist. A second signal (Ctrl-C pressed again, a supervisor's SIGTERM after it) only cancels the
    /// revocations again: the report still comes.
    @Test(arguments: [[SIGINT], [SIGTERM], [SIGINT, SIGTERM]])
    func anInterruptedRevocationStillReportsTheCommittedDeletion(signals: [Int32]) async throws {
        try await SandboxHarness.runInItsOwnProcess { sandbox in
            try await withTemporaryDirectory { dir in
                let keys = "k1:" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
                let store = try makeStore(
                    in: dir, keyRing: try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": keys]))
                let zoe: UInt64 = 1_234_567_890_123_456_789
                let access = try await sandbox.signIn(as: zoe, client: sandbox.client())
                let account = try await store.createAccount(newAccount("ann", email: "ann@example.org"))
                try await store.linkTwitter(
                    twitterIdentity(String(zoe), screenName: access.screenName),
                    credential: TwitterCredential(token: access.token, secret: Secret(access.secret)),
                    to: .id(account.id))
                try store.close()
                let database = dir + "/accounts.sqlite"
                // Twitter takes 8 s to answer the revocation.
                _ = try await sandbox.failNext(#"{"endpoint": "invalidate_token", "mode": "slow", "delay_ms": 8000}"#)

                let process = try ChildProcess(
                    accountsExecutable(),
                    [
                        "--database", database, "users", "delete", "ann", "--revoke-twitter-token",
                        "--twitter-api-base", sandbox.baseURL.absoluteString,
                    ],
                    environment: childEnvironment([
                        "ACCOUNTS_KEYS": keys, "TWITTER_CONSUMER_KEY": sandbox.consumer.key,
                        "TWITTER_CONSUMER_SECRET": sandbox.consumer.secret,
                    ]),
                    stdout: .pipe, stderr: .pipe)
                let collected = Locked<(out: [UInt8], err: [UInt8])?>(nil)
                process.readOutput { out, err in collected.withLock { $0 = (out, err) } }

                // When the deletion has committed (the account is gone) and the revocation is waiting on Twitter, the
                // operator presses Ctrl-C (or a supervisor sends SIGTERM)
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
                            for number in signals { process.send(number) }
                        }
                        continuation.resume(returning: gone)
                    }
                }
                #expect(deleted, "the deletion did not commit")
                let status = try await process.exit(upTo: .seconds(15)).status
                try #require(
                    try await eventually { collected.value != nil },
                    "the output of \(process.command) did not reach its end within 60 s")
                let (rawOut, rawErr) = collected.withLock {
                    (String(decoding: $0?.out ?? [], as: UTF8.self), String(decoding: $0?.err ?? [], as: UTF8.self))
                }
                let secrets = [access.token, access.secret, sandbox.consumer.secret]
                let leaked = secrets.contains { rawOut.contains($0) || rawErr.contains($0) }
                #expect(!leaked, "the output holds a token or a secret")
                // (never shown when it holds one)
                let (out, err) = leaked ? ("<withheld>", "<withheld>") : (rawOut, rawErr)

                // Then the account is gone (committed) and the command says so, and that the token was not revoked,
                // with the documented status for "done, but a step outside the store failed"
                #expect(countQuery(database, "SELECT count(*) FROM users") == 0)
                #expect(status == 75, "exit status \(status) after the signal; stdout: \(out) stderr: \(err)")
                #expect(out.contains("deleted account \(account.id)"), "stdout: \(out)")
                #expect(
                    out.contains("NOT revoked") || err.contains("NOT revoked") || err.contains("not revoke"),
                    "stdout: \(out) stderr: \(err)")
            }
        }
    }

    /// `accounts demo` stops gracefully on Ctrl-C or SIGTERM: it waits for requests under way, and one waiting on a
    /// Twitter that does not answer can hold it for the client's whole time-out (30 s). A second signal ends it at
    /// once.
    @Test func aSecondSignalStopsTheDemoWhileARequestWaitsOnTwitter() async throws {
        try await SandboxHarness.runInItsOwnProcess { sandbox in
            try await withTemporaryDirectory { dir in
                let server = try ServerProcess(
                    accountsExecutable(),
                    [
                        "demo", "--port", "0", "--database", dir + "/a.sqlite", "--twitter-api-base",
                        sandbox.baseURL.absoluteString,
                    ],
                    environment: [
                        "ACCOUNTS_KEYS": "k1:"
                            + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString(),
                        "TWITTER_CONSUMER_KEY": sandbox.consumer.key,
                        "TWITTER_CONSUMER_SECRET": sandbox.consumer.secret,
                    ])
                let base = try #require(URL(string: try await server.firstLine()))
                let (visitor, _) = try await DemoCommandTests.Visitor.arrive(at: base)
                // Twitter takes 15 s to give a request token (the client would wait 30 s).
                _ = try await sandbox.failNext(#"{"endpoint": "request_token", "mode": "slow", "delay_ms": 15000}"#)
                let begin = Task { try? await visitor.post(base.appending(path: "register/twitter"), "") }
                defer { begin.cancel() }
                try await Task.sleep(for: .seconds(1))

                // When the operator presses Ctrl-C, and again a second later (both sent, and the stop timed, on threads
                // of their own: a task of the test's, on a loaded machine, can resume seconds late)
                let stopped = Locked<Int32?>(nil)
                Thread.detachNewThread {
                    let status = server.stopBlocking(signal: SIGINT)
                    stopped.withLock { $0 = status }
                }
                let waited = await onOwnThread { () -> Duration? in
                    Thread.sleep(forTimeInterval: 1)
                    let sent = ContinuousClock.now
                    Thread.detachNewThread { _ = server.stopBlocking(signal: SIGINT) }
                    while stopped.value == nil && ContinuousClock.now - sent < .seconds(5) { usleep(20_000) }
                    return stopped.value == nil ? nil : ContinuousClock.now - sent
                }
                // Then it has stopped within a few seconds of the second signal
                #expect(waited != nil, "the demo still ran 5 s after the second Ctrl-C")
                while stopped.value == nil { try await Task.sleep(for: .milliseconds(50)) }
                #expect(stopped.value == 0 || stopped.value == 128 + SIGINT)
            }
        }
    }
}
