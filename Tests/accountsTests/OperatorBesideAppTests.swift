import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing
import TwitterOAuth
import TwitterSandbox

/// The operator's commands run against a database an app has open: a store in this process stands for the app, the
/// commands are real `accounts` processes over the same file.
struct OperatorBesideAppTests {
    /// "Put the new key's line first, then run `accounts keys rewrap`": an app that follows the keys file looks at it
    /// again at most every 2 s, so for up to 2 s after the edit it still seals new values (a Twitter account linked, a
    /// sign-in begun) under the old first key. A rewrap that starts at once ends before the app has looked again; it
    /// waits until every follower has seen the edit, then moves what was sealed under the old key meanwhile, so that
    /// once it has said it is done nothing the app writes later is left under the old key.
    @Test func aRewrapRightAfterTheKeysFileChangedLeavesNothingTheAppSealsLaterUnderTheOldKey() async throws {
        try await withTemporaryDirectory { dir in
            let k1 = try SecretKey.generate(id: "k1")
            let k2 = try SecretKey.generate(id: "k2")
            let keysFile = dir + "/keys"
            let database = try await migratedDatabase(dir)
            LiveStoreKeyRotationTests.writeKeysFile(keysFile, [k1])
            let app = try AccountStore(
                configuration: StoreConfiguration(path: database),
                keyRing: try KeyRing.load(keysFile: keysFile, environment: [:]))
            defer { try? app.close() }
            let ann = try await app.createAccount(newAccount("ann"))
            let ben = try await app.createAccount(newAccount("ben"))
            try await app.linkTwitter(
                twitterIdentity("9100"), credential: TwitterCredential(token: "t", secret: Secret("s")),
                to: .id(ann.id))

            // The operator puts k2 first and runs the rewrap at once
            LiveStoreKeyRotationTests.writeKeysFile(keysFile, [k2, k1])
            let edited = ContinuousClock.now
            let rewrap = try await runAccounts(["--database", database, "--keys-file", keysFile, "keys", "rewrap"])
            try #require(rewrap.status == 0, "\(rewrap.stderr)")
            let rewrapTime = ContinuousClock.now - edited

            // The app links Ben's Twitter account just after the rewrap said it was done
            try await app.linkTwitter(
                twitterIdentity("9200"), credential: TwitterCredential(token: "u", secret: Secret("v")),
                to: .id(ben.id))
            let status = try await runAccounts(
                ["--database", database, "--keys-file", keysFile, "keys", "status", "--format", "json"])
            #expect(
                countQuery(database, "SELECT count(*) FROM twitter_credentials WHERE key_id = 'k1'") == 0,
                "left under k1 after a rewrap that took \(rewrapTime): \(status.stdout)")
            #expect(try await app.credential(for: TwitterUserID(decimal: "9200")!)?.secret == Secret("v"))
        }
    }

    /// An app's write that sealed a secret under the old first key (its ring had not yet looked at the keys file
    /// again) and then waited for the write lock, held by another process's long write, past the end of a rewrap begun
    /// at once, is not left under the old key: the write seals in its transaction, with the ring as it is then, and
    /// the rewrap's last check that nothing is left under another key runs in a write transaction of its own. Once
    /// the rewrap has said it is done, the old key holds nothing, and an operator who drops it loses nothing.
    @Test func anAppWriteHeldByTheWriteLockPastARewrapIsNotLeftUnderTheOldKey() async throws {
        try await withTemporaryDirectory { dir in
            let k1 = try SecretKey.generate(id: "k1")
            let k2 = try SecretKey.generate(id: "k2")
            let keysFile = dir + "/keys"
            let database = try await migratedDatabase(dir)
            var configuration = StoreConfiguration(path: database)
            configuration.busyTimeout = .seconds(120)
            let setUp = try AccountStore(configuration: configuration, keyRing: nil)
            let ben = try await setUp.createAccount(newAccount("ben"))
            try setUp.close()
            LiveStoreKeyRotationTests.writeKeysFile(keysFile, [k1])
            let app = try AccountStore(
                configuration: configuration, keyRing: try KeyRing.load(keysFile: keysFile, environment: [:]))
            defer { try? app.close() }

            // The operator puts k2 first while another process writes (the write lock held); the app links Ben's
            // Twitter account just then, and its write waits for the lock
            LiveStoreKeyRotationTests.writeKeysFile(keysFile, [k2, k1])
            let edited = ContinuousClock.now
            let holder = try WriteLockHolder(path: database)
            let link = Task {
                try await app.linkTwitter(
                    twitterIdentity("9200"), credential: TwitterCredential(token: "u", secret: Secret("v")),
                    to: .id(ben.id))
            }
            try #require(try await eventually(timeout: .seconds(30)) { app.writesInFlight == 1 })

            // The operator runs the rewrap at once; the other process's write ends after the rewrap did (or, when
            // the rewrap waits for the lock, 8 s after the edit)
            let rewrapEnded = Locked(false)
            let rewrap = Task {
                defer { rewrapEnded.withLock { $0 = true } }
                return try await runAccounts(["--database", database, "--keys-file", keysFile, "keys", "rewrap"])
            }
            _ = try await eventually(timeout: .seconds(8) - (ContinuousClock.now - edited)) { rewrapEnded.value }
            let endedFirst = rewrapEnded.value
            try holder.release()
            _ = try await link.value
            let result = try await rewrap.value

            #expect(result.status == 0, "\(result.stderr)")
            #expect(
                countQuery(database, "SELECT count(*) FROM twitter_credentials WHERE key_id = 'k1'") == 0,
                "left under k1 (the rewrap ended \(endedFirst ? "before" : "after") the lock was let go)")
            #expect(try await app.credential(for: TwitterUserID(decimal: "9200")!)?.secret == Secret("v"))
        }
    }

    /// A writing command that meets the write lock held by another process (a long import, a rebuild) past its busy
    /// timeout ends with an error that names the database and says it is locked, exit 1, and changes nothing: it never
    /// waits for ever, and never reports a locked database as something else.
    @Test func writingCommandsMeetingALockHeldPastTheBusyTimeoutSaySoAndChangeNothing() async throws {
        try await withTemporaryDirectory { dir in
            let k1 = try SecretKey.generate(id: "k1")
            let k2 = try SecretKey.generate(id: "k2")
            let database = try await migratedDatabase(dir)
            let app = try AccountStore(
                configuration: StoreConfiguration(path: database), keyRing: try KeyRing(keys: [k1]))
            let ann = try await app.createAccount(newAccount("ann", email: "ann@example.org"))
            try await app.linkTwitter(
                twitterIdentity("9100"), credential: TwitterCredential(token: "t", secret: Secret("s")),
                to: .id(ann.id))
            _ = try await app.createAccount(newAccount("ben"))
            try app.close()
            writeFile(dir + "/new.jsonl", Array(#"{"username": "cat"}"#.utf8) + [10])
            let before = try databaseDump(database)

            let holder = try WriteLockHolder(path: database)
            let keys = ["ACCOUNTS_KEYS": k2.unredactedKeysFileLine() + "," + k1.unredactedKeysFileLine()]
            let commands: [[String]] = [
                ["users", "disable", "ann"], ["users", "enable", "ann"], ["users", "sign-out", "ann"],
                ["users", "delete", "ben"], ["purge"], ["reindex"], ["keys", "rewrap"],
                ["import", "--format", "jsonl", dir + "/new.jsonl"],
            ]
            // A command still waiting at its limit is killed, and its status is then not 1: the limit is what tells a
            // command that gives up after its busy timeout (30 s) from one that waits for ever, whatever the load.
            let results = try await withThrowingTaskGroup(of: ([String], CommandResult).self) { group in
                for command in commands {
                    group.addTask {
                        (
                            command,
                            try await runAccounts(
                                ["--database", database] + command, environment: keys, limit: .seconds(300))
                        )
                    }
                }
                var results: [([String], CommandResult)] = []
                for try await result in group { results.append(result) }
                return results
            }
            try holder.release()

            for (command, result) in results {
                #expect(result.status == 1, "\(command): \(result.status) \(result.stdout) \(result.stderr)")
                #expect(
                    result.stderr.contains("the database \(database) stayed locked by another process"),
                    "\(command): \(result.stderr)")
            }
            #expect(try databaseDump(database) == before)
        }
    }
}

extension OperatorBesideAppTests {
    /// `GET path` on the demo with `cookie`.
    static func get(_ base: URL, _ path: String, cookie: String) async throws -> HTTPTransportResponse {
        try await AsyncHTTPClientTransport.shared.send(
            method: "GET", url: base.appending(path: path), headers: [HTTPHeader(name: "Cookie", value: cookie)],
            body: [], timeout: .seconds(60), maximumResponseBodySize: 1 << 20)
    }

    /// Signs `login` in on the demo with the password and returns the session cookie it answers with.
    static func signIn(_ base: URL, _ login: String) async throws -> String {
        let (visitor, _) = try await DemoCommandTests.Visitor.arrive(at: base)
        let answer = try await visitor.post(
            base.appending(path: "login"), "login=\(login)&password=correct+horse+battery")
        #expect(answer.status == 303 && answer.headerValue("location") == "/account?notice=signed_in")
        return answer.headerValue("set-cookie").map { String($0.prefix { $0 != ";" }) } ?? visitor.cookie
    }

    /// While a person is signed in to the running demo, `accounts users sign-out`, `disable` and `delete` in another
    /// process end that browser session at once: the next page the browser asks for is not signed in, and a disabled
    /// account cannot sign in again until it is enabled.
    @Test func signOutDisableAndDeleteFromTheCLIEndASessionOpenInTheRunningDemo() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/demo.sqlite"
            let server = try ServerProcess(accountsExecutable(), ["demo", "--port", "0", "--database", database])
            let base = try #require(URL(string: try await server.firstLine()))
            let (first, _) = try await DemoCommandTests.Visitor.arrive(at: base)
            let signUp = try await first.post(
                base.appending(path: "signup"), "username=ann&email=ann%40example.org&password=correct+horse+battery")
            #expect(signUp.status == 303)
            let keys = ["ACCOUNTS_KEYS_FILE": database + ".keys"]

            for command in ["sign-out", "disable", "delete"] {
                let cookie = try await Self.signIn(base, "ann")
                let before = try await Self.get(base, "account", cookie: cookie)
                #expect(before.status == 200 && String(decoding: before.body, as: UTF8.self).contains("ann"))

                let result = try await runAccounts(
                    ["--database", database, "users", command, "ann"], environment: keys)
                #expect(result.status == 0, "\(command): \(result.stderr)")

                let after = try await Self.get(base, "account", cookie: cookie)
                #expect(after.status != 200, "\(command): the session still opens the account page")
                if command == "disable" {
                    let (visitor, _) = try await DemoCommandTests.Visitor.arrive(at: base)
                    let refused = try await visitor.post(
                        base.appending(path: "login"), "login=ann&password=correct+horse+battery")
                    #expect(refused.headerValue("location") != "/account?notice=signed_in")
                    let enabled = try await runAccounts(["--database", database, "users", "enable", "ann"])
                    #expect(enabled.status == 0, "\(enabled.stderr)")
                }
            }
            #expect(await server.stop() == 0)
        }
    }
}
