import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// Key rotation run by the CLI (`accounts keys rewrap`, a process of its own) against a store an app has open.
struct LiveStoreKeyRotationTests {
    /// Writes `keys` to `path` as a keys file (mode 0600), replacing what was there.
    static func writeKeysFile(_ path: String, _ keys: [SecretKey]) {
        unlink(path)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        precondition(descriptor >= 0)
        let text = keys.map { $0.unredactedKeysFileLine() }.joined(separator: "\n") + "\n"
        _ = text.utf8CString.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count - 1) }
        close(descriptor)
    }

    /// README: rotate by putting the new key first, restarting every app process (each reads the keys file once,
    /// at start), then running `accounts keys rewrap`. An app left running on the old ring cannot open what the
    /// rewrap moved, and its error says why, and what to do.
    @Test func anAppStillOnTheOldRingAfterARewrapIsToldToRestart() async throws {
        try await withTemporaryDirectory { dir in
            let k1 = try SecretKey.generate(id: "k1")
            let k2 = try SecretKey.generate(id: "k2")
            let keysFile = dir + "/keys"
            Self.writeKeysFile(keysFile, [k1])
            var configuration = StoreConfiguration(path: dir + "/accounts.sqlite")
            configuration.schemaPolicy = .applyPendingMigrations
            let app = try AccountStore(
                configuration: configuration, keyRing: try KeyRing.load(keysFile: keysFile, environment: [:]))
            defer { try? app.close() }
            try await app.savePendingAuthorization(
                PendingAuthorization(
                    requestToken: "request-token-1", requestTokenSecret: Secret("request-secret"),
                    browserSession: "browser-1", purpose: .signIn, linkUser: nil, createdAt: Date(),
                    expiresAt: Date().addingTimeInterval(600)))

            Self.writeKeysFile(keysFile, [k2, k1])
            let rewrap = try await runAccountsOffPool(
                ["--database", dir + "/accounts.sqlite", "--keys-file", keysFile, "keys", "rewrap"])
            try #require(rewrap.status == 0, "\(rewrap.stderr)")

            var failure: StoreError?
            do throws(StoreError) {
                _ = try await app.pendingAuthorization(requestToken: "request-token-1")
            } catch {
                failure = error
            }
            guard case .secret(_, let reason) = failure else {
                Issue.record(
                    "the app on the old ring opened the value, or failed otherwise: \(String(describing: failure))")
                return
            }
            #expect(reason.contains("\"k2\", which is not in the key ring"), "\(reason)")
            #expect(reason.contains("processes read it when they start"), "\(reason)")
        }
    }
}

extension LiveStoreKeyRotationTests {
    /// A rewrap checks, before it changes anything, that every stored value is under a key of its ring, and refuses
    /// with "add that key to the ring … and run again" when one is not. A value sealed meanwhile by another process
    /// under a key this ring lacks (an app instance already given the next ring, while the long rewrap of the last
    /// rotation still runs) is met half way instead, and then the run stops telling the operator to "repair or delete
    /// that row" would lose a sound access token (the person could no longer be signed out at Twitter, nor their token
    /// revoked): it says what the up-front check says, that the key is not in the ring.
    @Test func aValueSealedMeanwhileUnderAKeyTheRingLacksIsNotCalledARowToDelete() async throws {
        try await withTemporaryDirectory { dir in
            let k1 = try SecretKey.generate(id: "k1")
            let k2 = try SecretKey.generate(id: "k2")
            let k3 = try SecretKey.generate(id: "k3")
            let count = 1_500
            try await KeysCommandTests.seedCredentials(count, sealedUnder: k1, in: dir)
            let database = dir + "/accounts.sqlite"

            // The rewrap to k2, one value per transaction, as a process of its own.
            let rewrap = Process()
            rewrap.executableURL = URL(fileURLWithPath: accountsExecutable())
            rewrap.arguments = ["--database", database, "keys", "rewrap", "--batch-size", "1"]
            var environment = ProcessInfo.processInfo.environment
            environment["ACCOUNTS_KEYS_FILE"] = nil
            environment["ACCOUNTS_KEYS"] = k2.unredactedKeysFileLine() + "," + k1.unredactedKeysFileLine()
            rewrap.environment = environment
            let errors = Pipe()
            rewrap.standardError = errors
            rewrap.standardOutput = FileHandle.nullDevice
            let collected = Locked(Data())
            let drained = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                let data = errors.fileHandleForReading.readDataToEndOfFile()
                collected.withLock { $0 = data }
                drained.signal()
            }
            try rewrap.run()
            defer { if rewrap.isRunning { rewrap.terminate() } }
            // Once it is under way, an app instance already on the next ring links a new account.
            let deadline = ContinuousClock.now + .seconds(60)
            while countQuery(database, "SELECT count(*) FROM twitter_credentials WHERE key_id = 'k2'") < 10
                && ContinuousClock.now < deadline
            {
                try await Task.sleep(for: .milliseconds(20))
            }
            var configuration = StoreConfiguration(path: database)
            configuration.busyTimeout = .seconds(20)
            let app = try AccountStore(configuration: configuration, keyRing: try KeyRing(keys: [k3, k2, k1]))
            let zed = try await app.createAccount(newAccount("zed"))
            try await app.linkTwitter(
                twitterIdentity("7777777"), credential: TwitterCredential(token: "zt", secret: Secret("zs")),
                to: .id(zed.id))
            try app.close()
            let wasRunning = rewrap.isRunning
            rewrap.waitUntilExit()
            drained.wait()
            let stderr = String(decoding: collected.value, as: UTF8.self)
            try #require(wasRunning, "the rewrap ended before the app sealed under k3; make it longer")

            #expect(
                !stderr.contains("delete that row"),
                "a sound value under a key the ring lacks is called a row to delete: \(stderr)")
        }
    }
}
