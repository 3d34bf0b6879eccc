import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import Glibc
import TestSupport
import Testing

struct KeysCommandTests {
    /// `count` accounts in `dir/accounts.sqlite`, each with a Twitter identity `1000000 + i` and its access token
    /// (`t<i>`, secret `secret-<i>`) sealed under `key`; the store is closed.
    /// (on a thread of its own: the store's writes run on the calling thread, and thousands of them would hold one of
    /// the cooperative pool's threads, which the tests beside it need, for seconds)
    static func seedCredentials(_ count: Int, sealedUnder key: SecretKey, in dir: String) async throws {
        let thread = OneThreadExecutor()
        defer { thread.stop() }
        try await Task(executorPreference: thread) {
            let store = try makeStore(in: dir, keyRing: try KeyRing(keys: [key]), synchronous: .normal)
            for index in 0..<count {
                let user = try await store.createAccount(newAccount("user\(index)"))
                try await store.linkTwitter(
                    twitterIdentity(String(1_000_000 + index)),
                    credential: TwitterCredential(token: "t\(index)", secret: Secret("secret-\(index)")),
                    to: .id(user.id))
            }
            try store.close()
        }.value
    }

    @Test func generatePrintsOneKeyLineOrWritesAnOwnerOnlyFile() async throws {
        try await withTemporaryDirectory { dir in
            let printed = try await runAccounts(["keys", "generate", "--id", "k1"])
            #expect(printed.status == 0)
            #expect(printed.stdout.wholeMatch(of: /k1:[A-Za-z0-9+\/]{43}=\n/) != nil)
            // The printed key loads as a key ring
            let ring = try KeyRing.load(
                keysFile: nil, environment: ["ACCOUNTS_KEYS": String(printed.stdout.dropLast())])
            #expect(ring.sealingKeyID == "k1")

            let file = dir + "/keys"
            let written = try await runAccounts(["keys", "generate", "--output", file])
            #expect(written.status == 0)
            #expect(written.stdout.isEmpty)
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            let before = fileDigest(file)
            let again = try await runAccounts(["keys", "generate", "--output", file])
            #expect(again.status == 1)
            #expect(again.stderr.contains("already exists"))
            #expect(fileDigest(file) == before)
        }
    }

    /// `--output` naming a symbolic link to nothing is refused as that, not as a file that "already exists": the link
    /// is not followed (a key is written only where the path itself is new), and nothing is written.
    @Test func generateThroughADanglingLinkSaysSo() async throws {
        try await withTemporaryDirectory { dir in
            let link = dir + "/keys"
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: dir + "/missing/keys")
            let result = try await runAccounts(["keys", "generate", "--output", link])
            #expect(result.status == 1)
            #expect(
                result.stderr.contains("cannot write \(link): it is a symbolic link to nothing"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/missing/keys"))
            #expect(result.stdout.isEmpty)
        }
    }

    /// `--output` naming a directory (or a link to one) is a usage error, as the other commands' `--output` says it:
    /// it said "it already exists (keys are never overwritten)", exit 1, as if a key were there to keep.
    @Test func generateIntoADirectoryIsAUsageError() async throws {
        try await withTemporaryDirectory { dir in
            #expect(symlink(dir, dir + "/here") == 0)
            for output in [dir, dir + "/here", dir + "/"] {
                let result = try await runAccounts(["keys", "generate", "--output", output])
                #expect(result.status == 64, "\(output): \(result.stderr)")
                #expect(result.stderr.contains("--output \(output) is a directory; name a file"), "\(result.stderr)")
                #expect(!result.stderr.contains("already exists"), "\(result.stderr)")
                #expect(result.stdout.isEmpty)
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["here"])
        }
    }

    /// An id that begins with `#` and a combining mark (one character, not `#`) is refused like `#k2`: before, `keys
    /// generate` wrote it, and a keys file skipped its line as a comment, so with that line first the old key went
    /// on sealing and a rewrap moved nothing.
    @Test func generateRefusesAnIDThatAKeysFileWouldReadAsAComment() async throws {
        try await withTemporaryDirectory { dir in
            let file = dir + "/new.key"
            let result = try await runAccounts(["keys", "generate", "--id", "#\u{301}k2", "--output", file])
            #expect(result.status == 64, "\(result.stderr)")
            #expect(
                result.stderr.contains("it starts with #, which a keys file reads as a comment"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: file))
        }
    }

    /// A key file that cannot be written whole (here: a file size limit of 0) is removed, so that a retry is not
    /// blocked by an empty file that "already exists".
    @Test func aKeyFileThatCannotBeWrittenIsNotLeftBehind() async throws {
        try await withTemporaryDirectory { dir in
            let file = dir + "/keys"
            let failed = try await runProcess(
                "/bin/sh",
                [
                    "-c", #"trap '' XFSZ; ulimit -f 0; exec "$0" keys generate --output "$1""#, accountsExecutable(),
                    file,
                ])
            #expect(failed.status == 1, "\(failed.stderr)")
            #expect(failed.stderr.contains("File too large"), "\(failed.stderr)")
            #expect(!FileManager.default.fileExists(atPath: file))
            let retried = try await runAccounts(["keys", "generate", "--output", file])
            #expect(retried.status == 0, "\(retried.stderr)")
            #expect(try String(contentsOfFile: file, encoding: .utf8).contains(":"))
        }
    }

    /// `keys generate --output` never gives the key a second name, not even for a moment: the directory sees one
    /// new entry, the file itself, made whole. (A hidden temporary name would be left behind, holding the key, by a
    /// process killed while writing.)
    @Test func aGeneratedKeyFileIsNamedOnceAndOnlyWhenWhole() async throws {
        try await withTemporaryDirectory { dir in
            let watcher = inotify_init1(Int32(IN_NONBLOCK))
            try #require(watcher >= 0)
            defer { close(watcher) }
            try #require(inotify_add_watch(watcher, dir, UInt32(IN_CREATE | IN_MOVED_TO)) >= 0)
            let file = dir + "/keys"
            let result = try await runAccounts(["keys", "generate", "--output", file])
            #expect(result.status == 0, "\(result.stderr)")

            var events: [String] = []
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            let count = buffer.withUnsafeMutableBytes { read(watcher, $0.baseAddress, $0.count) }
            var offset = 0
            while count > 0, offset + MemoryLayout<inotify_event>.size <= count {
                let (mask, length) = buffer.withUnsafeBytes { bytes in
                    let event = bytes.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    return (event.mask, Int(event.len))
                }
                let nameStart = offset + MemoryLayout<inotify_event>.size
                let name = String(decoding: buffer[nameStart..<nameStart + length].prefix { $0 != 0 }, as: UTF8.self)
                let kind = mask & UInt32(IN_CREATE) != 0 ? "create" : "move"
                events.append("\(kind) \(name)")
                offset = nameStart + length
            }
            #expect(events == ["create keys"], "\(events)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["keys"])
            #expect(try String(contentsOfFile: file, encoding: .utf8).contains(":"))
        }
    }

    @Test func badKeysAreRefusedWithExit65NamingTheKeyButNeverItsBytes() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/a.sqlite"
            #expect(try await runAccounts(["--database", database, "migrate"]).status == 0)

            // A keys file others can read
            let file = dir + "/keys"
            writeFile(file, Array(try await runAccounts(["keys", "generate", "--id", "k1"]).stdout.utf8))
            chmod(file, 0o644)
            let loose = try await runAccounts(["--database", database, "keys", "status", "--keys-file", file])
            #expect(loose.status == 65)
            #expect(loose.stderr.contains("mode 0644"))

            // A 16-byte key in ACCOUNTS_KEYS
            let shortKey = Data(repeating: 7, count: 16).base64EncodedString()
            let short = try await runAccounts(
                ["--database", database, "keys", "status"], environment: ["ACCOUNTS_KEYS": "good:\(shortKey)"])
            #expect(short.status == 65)
            #expect(short.stderr.contains("good"))
            expectAbsent(shortKey, named: "the 16-byte key", in: short.stderr)
        }
    }

    /// `--keys-file ""` or `--database ""` (an unset shell variable) is a usage error naming the option, before
    /// anything is opened or made.
    @Test(arguments: [
        (["keys", "status", "--keys-file", ""], "--keys-file is empty: give the path of a keys file"),
        (["migrate", "--database", ""], "--database is empty: give the path of the database file"),
    ])
    func anEmptyPathIsAUsageErrorNamingTheOption(_ arguments: [String], _ message: String) async throws {
        try await withTemporaryDirectory { dir in
            let result = try await runAccounts(arguments, currentDirectory: dir)
            #expect(result.status == 64)
            #expect(result.stderr.contains(message), "\(result.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
        }
    }

    @Test func commandsRefuseAnUnmigratedDatabase() async throws {
        try await withTemporaryDirectory { dir in
            let result = try await runAccounts(
                ["--database", dir + "/none.sqlite", "keys", "status"],
                environment: ["ACCOUNTS_KEYS": "k:" + Data(count: 32).base64EncodedString()])
            #expect(result.status == 1)
            #expect(result.stderr.contains("run `accounts migrate`"))
            #expect(!FileManager.default.fileExists(atPath: dir + "/none.sqlite"))
        }
    }

    /// 10,000 credentials move from key A to key B; a SIGKILL half-way loses nothing and the next run finishes.
    @Test func rewrapMovesEveryValueToTheNewKeyAndResumesAfterSIGKILL() async throws {
        try await withTemporaryDirectory { dir in
            // Given 10,000 credentials sealed under key A
            let keyA = try SecretKey.generate(id: "keyA")
            let keyB = try SecretKey.generate(id: "keyB")
            let count = 10_000
            try await Self.seedCredentials(count, sealedUnder: keyA, in: dir)
            let database = dir + "/accounts.sqlite"
            let rotated = ["ACCOUNTS_KEYS": keyB.unredactedKeysFileLine() + "," + keyA.unredactedKeysFileLine()]

            // When a rewrap under [B, A] is killed half-way
            let process = try ChildProcess(
                accountsExecutable(), ["--database", database, "keys", "rewrap", "--batch-size", "1"],
                environment: childEnvironment(rotated, removing: []))
            let killedHalfWay = try await killWhen(process) {
                countQuery(database, "SELECT count(*) FROM twitter_credentials WHERE key_id = 'keyB'") >= count / 10
            }
            #expect(killedHalfWay)
            #expect(process.termination?.signal != nil)

            // Then every value is under A or B, some of each, and the database is sound
            let underA = try await countUnder("keyA", database: database)
            let underB = try await countUnder("keyB", database: database)
            #expect(underA + underB == count)
            #expect(underB > 0 && underA > 0, "the rewrap should have been killed half-way (A \(underA), B \(underB))")

            // When it runs again it finishes
            let rerun = try await runAccounts(["--database", database, "keys", "rewrap"], environment: rotated)
            #expect(rerun.status == 0, "\(rerun.stderr)")
            #expect(rerun.stdout.contains("rewrapped \(underA) values under key keyB"))
            let status = try await runAccounts(
                ["--database", database, "keys", "status", "--format", "json"], environment: rotated)
            #expect(
                status.stdout
                    == "[{\"key_id\": \"keyB\", \"in_ring\": true, \"sealing\": true, \"credentials\": \(count), \"pending_authorizations\": 0, \"drafts\": 0}]\n"
            )

            // And every value opens with key B alone
            let onlyB = try makeStore(in: dir, keyRing: try KeyRing(keys: [keyB]))
            defer { try? onlyB.close() }
            for index in stride(from: 0, to: count, by: 97) {
                let credential = try await onlyB.credential(for: TwitterUserID(UInt64(1_000_000 + index)))
                #expect(credential?.secret == Secret("secret-\(index)"))
            }
        }
    }

    /// A sealed value that no longer opens (tampered, here) stops the rewrap with an error that names its row; the
    /// rows before it are rewrapped, the bad one is left as it was, and no secret is printed.
    @Test func rewrapNamesTheRowThatDoesNotOpen() async throws {
        try await withTemporaryDirectory { dir in
            let keyA = try SecretKey.generate(id: "keyA")
            let keyB = try SecretKey.generate(id: "keyB")
            let store = try makeStore(in: dir, keyRing: try KeyRing(keys: [keyA]))
            for index in 0..<3 {
                let user = try await store.createAccount(newAccount("user\(index)"))
                try await store.linkTwitter(
                    twitterIdentity(String(7_000 + index)),
                    credential: TwitterCredential(token: "t\(index)", secret: Secret("SECRET-\(index)")),
                    to: .id(user.id))
            }
            try store.close()
            let database = dir + "/accounts.sqlite"
            // The last byte (of the GCM tag) of Twitter user 7001's sealed secret, changed.
            try executeSQL(
                database,
                """
                UPDATE twitter_credentials SET sealed_secret = CAST(
                    substr(sealed_secret, 1, length(sealed_secret) - 1)
                    || CASE WHEN substr(sealed_secret, -1) = X'00' THEN X'01' ELSE X'00' END AS BLOB)
                WHERE identity_id = (SELECT id FROM twitter_identities WHERE twitter_user_id = '7001')
                """)
            #expect(
                countQuery(database, "SELECT count(*) FROM twitter_credentials WHERE typeof(sealed_secret) = 'blob'")
                    == 3)
            let rotated = ["ACCOUNTS_KEYS": keyB.unredactedKeysFileLine() + "," + keyA.unredactedKeysFileLine()]

            let result = try await runAccounts(
                ["--database", database, "keys", "rewrap", "--batch-size", "1"], environment: rotated)
            #expect(result.status != 0)
            #expect(
                result.stderr.contains(
                    "cannot use the sealed credential of Twitter user 7001 (twitter_credentials row identity_id "),
                "\(result.stderr)")
            #expect(
                result.stderr.contains("earlier batches were rewrapped, this one was not: repair or delete that row"),
                "\(result.stderr)")
            expectAbsent("SECRET-", named: "a token secret", in: result.stderr, result.stdout)
            // The first row moved in its own batch; the bad one and the one after it did not.
            #expect(countQuery(database, "SELECT count(*) FROM twitter_credentials WHERE key_id = 'keyB'") == 1)
            #expect(countQuery(database, "SELECT count(*) FROM twitter_credentials WHERE key_id = 'keyA'") == 2)
        }
    }

    /// `keys status` and `keys rewrap` tell key ids apart by their bytes, as sealed values record them: a value under
    /// `"caf\u{E9}"` is not under the ring's `"cafe\u{301}"` (the same text in another Unicode form). Before, status
    /// listed it as the sealing key's ("first (seals)"), though that key cannot open it.
    @Test func statusAndRewrapTellKeyIDsApartByTheirBytes() async throws {
        try await withTemporaryDirectory { dir in
            // Given a credential sealed under "caf\u{E9}", and a ring that holds only "cafe\u{301}"
            let composed = try SecretKey.generate(id: "caf\u{E9}")
            let decomposed = try SecretKey.generate(id: "cafe\u{301}")
            let database = try await oneCredential(twitterUserID: "9001", sealedUnder: composed, in: dir)
            let ring = ["ACCOUNTS_KEYS": decomposed.unredactedKeysFileLine()]

            // When
            let status = try await runAccounts(
                ["--database", database, "keys", "status", "--format", "json"], environment: ring)

            // Then the ring's key seals nothing yet, and the value's key is not in the ring (compared as bytes: `==`
            // on these strings would take either id for the other)
            #expect(status.status == 0, "\(status.stderr)")
            let expected =
                "[{\"key_id\": \"cafe\u{301}\", \"in_ring\": true, \"sealing\": true, \"credentials\": 0, "
                + "\"pending_authorizations\": 0, \"drafts\": 0}, {\"key_id\": \"caf\u{E9}\", \"in_ring\": false, "
                + "\"sealing\": false, \"credentials\": 1, \"pending_authorizations\": 0, \"drafts\": 0}]\n"
            #expect(Array(status.stdout.utf8) == Array(expected.utf8), "\(status.stdout)")

            // And rewrap refuses before anything changes, spelling out both forms of the id
            let before = Array(try databaseDump(database).utf8)
            let rewrap = try await runAccounts(["--database", database, "keys", "rewrap"], environment: ring)
            #expect(rewrap.status == 1)
            #expect(
                rewrap.stderr.contains(
                    #"(the ring's key "cafe\u{301}" looks the same, but the values' key id is "caf\u{E9}""#),
                "\(rewrap.stderr)")
            #expect(Array(try databaseDump(database).utf8) == before)
        }
    }

    /// A ring with one key under two ids (the old key's line copied and renamed, instead of a new key) is refused
    /// before anything is opened: exit 65, both ids and lines named, never the key, and the database unchanged. Before,
    /// rewrap "moved" every value to the same key under another id.
    @Test func rewrapWithOneKeyUnderTwoIDsIsRefusedAndChangesNothing() async throws {
        try await withTemporaryDirectory { dir in
            // Given a credential under keyA, and keys that give keyA's bytes a new id in front
            let keyA = try SecretKey.generate(id: "keyA")
            let database = try await oneCredential(twitterUserID: "9002", sealedUnder: keyA, in: dir)
            let line = keyA.unredactedKeysFileLine()
            let keyText = String(line.dropFirst("keyA:".count))
            let copied = "keyB:" + keyText
            let file = dir + "/keys"
            writeFile(file, Array("# rotated\n\(copied)\n\(line)\n".utf8))
            chmod(file, 0o600)
            let before = Array(try databaseDump(database).utf8)

            // When: from a keys file, and from ACCOUNTS_KEYS
            let fromFile = try await runAccounts(["--database", database, "keys", "rewrap", "--keys-file", file])
            let fromVariable = try await runAccounts(
                ["--database", database, "keys", "rewrap"], environment: ["ACCOUNTS_KEYS": copied + "," + line])

            // Then
            for (result, earlier, later) in [
                (fromFile, "\(file) line 2", "\(file) line 3"),
                (fromVariable, "ACCOUNTS_KEYS entry 1", "ACCOUNTS_KEYS entry 2"),
            ] {
                #expect(result.status == 65)
                #expect(
                    result.stderr.contains("key \"keyA\" in \(later) is the same key as \"keyB\" in \(earlier):"),
                    "\(result.stderr)")
                expectAbsent(keyText, named: "the key", in: result.stderr, result.stdout)
                expectAbsent(keyText.prefix(12), named: "the key's first 12 characters", in: result.stderr)
            }
            #expect(Array(try databaseDump(database).utf8) == before)
            #expect(countQuery(database, "SELECT count(*) FROM twitter_credentials WHERE key_id = 'keyA'") == 1)
        }
    }

    /// A sealed value stored as another SQLite type than a BLOB (here the integer 0, as a foreign program or a bad
    /// repair may leave it in the untyped `sealed_secret` column) is a malformed value: rewrap must stop with exit 1
    /// naming its row, as for a value that does not open. It trapped in GRDB's `row[…] as Data` (exit 132, a crash
    /// report on stderr) before anything was said.
    @Test func rewrapReportsASealedValueOfTheWrongSQLiteTypeInsteadOfCrashing() async throws {
        try await withTemporaryDirectory { dir in
            let keyA = try SecretKey.generate(id: "keyA")
            let keyB = try SecretKey.generate(id: "keyB")
            let database = try await oneCredential(twitterUserID: "9003", sealedUnder: keyA, in: dir)
            try executeSQL(database, "UPDATE twitter_credentials SET sealed_secret = 0")
            let rotated = ["ACCOUNTS_KEYS": keyB.unredactedKeysFileLine() + "," + keyA.unredactedKeysFileLine()]

            let result = try await runAccounts(["--database", database, "keys", "rewrap"], environment: rotated)

            #expect(result.status == 1, "\(result.stderr.prefix(400))")
            #expect(result.stderr.contains("Twitter user 9003"), "\(result.stderr.prefix(400))")
            #expect(!result.stderr.contains("Fatal error"), "\(result.stderr.prefix(400))")
            #expect(
                countQuery(
                    database,
                    "SELECT count(*) FROM twitter_credentials "
                        + "WHERE typeof(sealed_secret) = 'integer' AND key_id = 'keyA'"
                ) == 1)
            // and the store's own reader reports it as malformed, naming the kind, rather than stopping the process
            let reopened = try makeStore(in: dir, keyRing: try KeyRing(keys: [keyA]))
            defer { try? reopened.close() }
            await #expect {
                _ = try await reopened.credential(for: TwitterUserID(9003))
            } throws: { error in
                guard case .secret(let kind, let reason) = error as? StoreError else { return false }
                return kind == "credential" && reason.contains("malformed")
            }
        }
    }

    /// A migrated store in `dir` holding ann, whose Twitter identity `twitterUserID` has a credential sealed under
    /// `key`; returns the database's path.
    func oneCredential(twitterUserID: String, sealedUnder key: SecretKey, in dir: String) async throws -> String {
        let store = try makeStore(in: dir, keyRing: try KeyRing(keys: [key]))
        let user = try await store.createAccount(newAccount("ann"))
        try await store.linkTwitter(
            twitterIdentity(twitterUserID), credential: TwitterCredential(token: "t", secret: Secret("s")),
            to: .id(user.id))
        try store.close()
        return dir + "/accounts.sqlite"
    }

    func countUnder(_ keyID: String, database: String) async throws -> Int {
        let dump = try await runAccounts(
            ["--database", database, "keys", "status", "--format", "json"],
            environment: ["ACCOUNTS_KEYS": "probe:" + Data(count: 32).base64EncodedString()])
        guard let entries = try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [[String: Any]] else {
            return 0
        }
        return entries.first { $0["key_id"] as? String == keyID }?["credentials"] as? Int ?? 0
    }
}

struct PurgeCommandTests {
    @Test func purgeRemovesExpiredPendingAuthorizationsDraftsAndSessionsButNoAccounts() async throws {
        try await withTemporaryDirectory { dir in
            let clock = TestClock(Date().addingTimeInterval(-7200))
            let store = try makeStore(in: dir, now: clock.closure)
            let ann = try await store.createAccount(newAccount("ann"))
            // One session past its idle lifetime, one past its absolute lifetime, one live
            for (hash, idle, absolute) in [("a", 1800.0, 86_400.0), ("b", 86_400.0, 3600.0), ("c", 86_400.0, 86_400.0)]
            {
                try await store.createBrowserSession(
                    BrowserSession(
                        tokenHash: String(repeating: hash, count: 64), user: ann.id, csrfToken: "t",
                        createdAt: clock.now, lastSeenAt: clock.now, idleExpiresAt: clock.now.addingTimeInterval(idle),
                        expiresAt: clock.now.addingTimeInterval(absolute)))
            }
            try await store.savePendingAuthorization(
                PendingAuthorization(
                    requestToken: "old", requestTokenSecret: Secret("s"), browserSession: "b", purpose: .register,
                    linkUser: nil, createdAt: clock.now, expiresAt: clock.now.addingTimeInterval(900)))
            try await store.saveDraft(
                RegistrationDraft(
                    id: "d", browserSession: "b", purpose: .register, twitterUserID: TwitterUserID(1), screenName: "x",
                    credential: TwitterCredential(token: "t", secret: Secret("s")), profileJSON: [], fields: [:],
                    linkUser: nil, createdAt: clock.now, expiresAt: clock.now.addingTimeInterval(3600)))
            try store.close()

            let result = try await runAccounts(["--database", dir + "/accounts.sqlite", "purge"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(
                result.stdout
                    == "removed 1 pending authorizations, 1 registration drafts, 2 browser sessions, 0 password reset links, 0 email confirmation, change and undo links and 0 failed sign-ins\n"
            )
            let again = try await runAccounts(["--database", dir + "/accounts.sqlite", "purge"])
            #expect(
                again.stdout
                    == "removed 0 pending authorizations, 0 registration drafts, 0 browser sessions, 0 password reset links, 0 email confirmation, change and undo links and 0 failed sign-ins\n"
            )
            let reopened = try makeStore(in: dir)
            defer { try? reopened.close() }
            #expect(try await reopened.accountCount() == 1)
            #expect(try await reopened.browserSessionCount(of: ann.id) == 1)
        }
    }

    /// The help names everything purge removes, the ended password reset and email confirmation links too.
    @Test func purgeHelpNamesEverythingItRemoves() async throws {
        let help = try await runAccounts(["purge", "--help"])
        #expect(help.status == 0, "\(help.stderr)")
        let text = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for removed in [
            "pending authorizations", "registration drafts", "browser sessions",
            "password reset links and email confirmation, change and undo links that",
        ] {
            #expect(text.contains(removed), "\(removed) in \(help.stdout)")
        }
    }
}
