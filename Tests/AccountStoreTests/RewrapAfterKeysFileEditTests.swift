import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// `rewrapSealedValues` begun right after the keys file changed: it waits until every process following the file has
/// seen the change, then sweeps again, on a real SQLite file and a real keys file.
struct RewrapAfterKeysFileEditTests {
    /// Three credentials sealed under `k1` in a new store in `dir`, then the keys file `dir/keys` written with `k2`
    /// first: a rotation just begun. Returns the keys file's path.
    static func rotationJustBegun(in dir: String, k1: SecretKey, k2: SecretKey) async throws -> String {
        let keysPath = dir + "/keys"
        FollowedKeyRingStoreTests.replaceKeysFile(keysPath, with: k1.unredactedKeysFileLine() + "\n")
        let seeding = try makeStore(in: dir, keyRing: try KeyRing.loadFile(path: keysPath))
        try await SealedSecretsTests.linkCredentials(3, firstTwitterID: 300, in: seeding)
        try seeding.close()
        FollowedKeyRingStoreTests.replaceKeysFile(
            keysPath, with: k2.unredactedKeysFileLine() + "\n" + k1.unredactedKeysFileLine() + "\n")
        return keysPath
    }

    /// An app that puts a new key first in its keys file and rewraps at once moves every value to that key: the rewrap
    /// reads the file as it is now, not as its ring last looked at it (at most `recheckInterval` before).
    @Test func aRewrapRightAfterTheFileChangedMovesValuesToItsNewFirstKey() async throws {
        try await withTemporaryDirectory { dir in
            let k1 = try SecretKey.generate(id: "k1")
            let k2 = try SecretKey.generate(id: "k2")
            let keysPath = dir + "/keys"
            FollowedKeyRingStoreTests.replaceKeysFile(keysPath, with: k1.unredactedKeysFileLine() + "\n")
            // Given an app's store whose ring looked at the keys file a moment ago (it looks again every 5 s)
            let ring = try KeyRing.loadFile(path: keysPath, recheckInterval: .seconds(5))
            let store = try makeStore(in: dir, keyRing: ring)
            defer { try? store.close() }
            try await SealedSecretsTests.linkCredentials(3, firstTwitterID: 300, in: store)

            // When the operator puts k2 first and the app rewraps at once
            FollowedKeyRingStoreTests.replaceKeysFile(
                keysPath, with: k2.unredactedKeysFileLine() + "\n" + k1.unredactedKeysFileLine() + "\n")
            let report = try await store.rewrapSealedValues()

            // Then every value is under k2
            #expect(report.keyID == "k2")
            #expect(report.rewrapped == 3)
            let counts = try await store.sealedValueCounts()
            #expect(counts == [SealedValueCount(keyID: "k2", credentials: 3, pendingAuthorizations: 0, drafts: 0)])
        }
    }

    /// A rewrap cancelled while it waits for the followers of a keys file changed a moment ago (an app shutting down
    /// cancels its task) stops at once with ``StoreError/rewrapCancelled(keyID:rewrapped:)`` counting what it
    /// committed, rather than cutting the wait short, sweeping again and reporting success; every value still opens.
    @Test func aRewrapCancelledWhileItWaitsForFollowersStopsAtOnceAndSaysSo() async throws {
        try await withTemporaryDirectory { dir in
            let k1 = try SecretKey.generate(id: "k1")
            let k2 = try SecretKey.generate(id: "k2")
            let keysPath = try await Self.rotationJustBegun(in: dir, k1: k1, k2: k2)
            // (followers that look at the file every 300 s: the wait is under way however slow the machine is)
            let store = try makeStore(
                in: dir, keyRing: try KeyRing.loadFile(path: keysPath, recheckInterval: .seconds(300)))
            defer { try? store.close() }

            // Given a rewrap that has swept once and now waits for the followers
            let swept = Locked(false)
            let rewrap = Task {
                try await store.rewrapSealedValues(batchSize: 10) { done, _ in
                    if done == 3 { swept.withLock { $0 = true } }
                }
            }
            try #require(try await eventually(timeout: .seconds(300)) { swept.value })

            // When its task is cancelled
            let cancelled = ContinuousClock.now
            rewrap.cancel()
            let result = await rewrap.result
            let took = ContinuousClock.now - cancelled

            // Then it stops at once, says so, and every value opens under the ring
            // (the wait it cuts short lasts about 300 s: a minute tells "at once" from "after the wait" on any machine)
            #expect(took < .seconds(60), "the cancelled rewrap took \(took) to end")
            switch result {
            case .success(let report):
                Issue.record("a cancelled rewrap finished: \(report)")
            case .failure(let error):
                #expect(error as? StoreError == .rewrapCancelled(keyID: "k2", rewrapped: 3), "\(error)")
                #expect("\(error)".contains("run it again"), "\(error)")
            }
            for index in 0..<3 {
                #expect(
                    try await store.credential(for: TwitterUserID(UInt64(300 + index)))?.secret == Secret("s\(index)"))
            }
            let counts = try await store.sealedValueCounts()
            #expect(counts == [SealedValueCount(keyID: "k2", credentials: 3, pendingAuthorizations: 0, drafts: 0)])
        }
    }

    /// A task cancelled before the rewrap starts changes nothing and gets
    /// ``StoreError/rewrapCancelled(keyID:rewrapped:)`` with a count of 0.
    @Test func aRewrapWhoseTaskIsCancelledAlreadyChangesNothing() async throws {
        try await withTemporaryDirectory { dir in
            let k1 = try SecretKey.generate(id: "k1")
            let k2 = try SecretKey.generate(id: "k2")
            let keysPath = try await Self.rotationJustBegun(in: dir, k1: k1, k2: k2)
            let store = try makeStore(in: dir, keyRing: try KeyRing.loadFile(path: keysPath))
            defer { try? store.close() }

            let rewrap = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await store.rewrapSealedValues()
            }
            let result = await rewrap.result

            #expect(throws: StoreError.rewrapCancelled(keyID: "k2", rewrapped: 0)) { try result.get() }
            let counts = try await store.sealedValueCounts()
            #expect(counts == [SealedValueCount(keyID: "k1", credentials: 3, pendingAuthorizations: 0, drafts: 0)])
            #expect(try await store.recentEvents().filter { $0.kind == .keysRewrapped }.isEmpty)
        }
    }

    /// Values an app still on the old first key seals while the rewrap waits for the followers are moved by its
    /// second sweep: the progress it reports counts them in its total too, so the count done never passes the total.
    @Test func progressNeverPassesItsTotalWhenTheSecondSweepFindsMore() async throws {
        try await withTemporaryDirectory { dir in
            let k1 = try SecretKey.generate(id: "k1")
            let k2 = try SecretKey.generate(id: "k2")
            let keysPath = dir + "/keys"
            FollowedKeyRingStoreTests.replaceKeysFile(keysPath, with: k1.unredactedKeysFileLine() + "\n")
            // The app: its ring read the file before the edit, and looks again only 600 s later
            let app = try makeStore(
                in: dir, keyRing: try KeyRing.loadFile(path: keysPath, recheckInterval: .seconds(600)))
            defer { try? app.close() }
            try await SealedSecretsTests.linkCredentials(3, firstTwitterID: 300, in: app)
            FollowedKeyRingStoreTests.replaceKeysFile(
                keysPath, with: k2.unredactedKeysFileLine() + "\n" + k1.unredactedKeysFileLine() + "\n")
            // (followers that look at the file every 15 s, the file written again just before the rewrap starts: the
            // rewrap sweeps twice)
            let store = try makeStore(
                in: dir, keyRing: try KeyRing.loadFile(path: keysPath, recheckInterval: .seconds(15)))
            defer { try? store.close() }
            FollowedKeyRingStoreTests.replaceKeysFile(
                keysPath, with: k2.unredactedKeysFileLine() + "\n" + k1.unredactedKeysFileLine() + "\n")

            // Given a rewrap that swept once, and the app sealing two more values under k1 before it goes on (the
            // rewrap, on a thread of its own, is held in its progress report until they are written, however slow
            // the machine)
            let reports = Locked<[(done: Int, total: Int)]>([])
            let lateWritesDone = DispatchSemaphore(value: 0)
            let thread = OneThreadExecutor()
            defer { thread.stop() }
            let rewrap = Task(executorPreference: thread) {
                try await store.rewrapSealedValues(batchSize: 1) { done, total in
                    reports.withLock { $0.append((done, total)) }
                    if done == 3 { lateWritesDone.wait() }
                }
            }
            try #require(try await eventually(timeout: .seconds(300)) { reports.value.last?.done == 3 })
            defer { lateWritesDone.signal() }  // (on a failure below too: the rewrap must not wait for ever)
            for index in 0..<2 {
                let user = try await app.createAccount(newAccount("late\(index)"))
                try await app.linkTwitter(
                    twitterIdentity(String(400 + index)),
                    credential: TwitterCredential(token: "t", secret: Secret("late\(index)")), to: .id(user.id))
            }
            #expect(
                countQuery(dir + "/accounts.sqlite", "SELECT count(*) FROM twitter_credentials WHERE key_id = 'k1'")
                    == 2)

            // When the rewrap goes on and ends
            lateWritesDone.signal()
            let report = try await rewrap.value

            // Then it moved all five, and no report counted more done than its total
            #expect(report.rewrapped == 5)
            let seen = reports.value
            #expect(seen.allSatisfy { $0.done <= $0.total }, "\(seen)")
            #expect(seen.last.map { $0.done == 5 && $0.total == 5 } == true, "\(seen)")
        }
    }
}

/// A ring whose key under an id is not the key that sealed the values under it (a key made again under its old id).
struct RewrapWithAWrongKeyTests {
    /// Every value under that id fails alike: the rewrap's error says the ring's key may be the wrong one, and to
    /// delete nothing, rather than only to repair or delete the row, which would throw sound tokens away one by one.
    @Test func aRewrapWhoseRingHoldsAnotherKeyUnderTheIdSaysSoAndChangesNothing() async throws {
        try await withTemporaryDirectory { dir in
            let k1 = try SecretKey.generate(id: "k1")
            let seeding = try makeStore(in: dir, keyRing: KeyRing(keys: [k1]))
            try await SealedSecretsTests.linkCredentials(2, firstTwitterID: 300, in: seeding)
            try seeding.close()
            let before = try databaseDump(dir + "/accounts.sqlite")

            let store = try makeStore(
                in: dir, keyRing: KeyRing(keys: [try SecretKey.generate(id: "k2"), try SecretKey.generate(id: "k1")]))
            defer { try? store.close() }
            do throws(StoreError) {
                let report = try await store.rewrapSealedValues()
                Issue.record("the rewrap finished: \(report)")
            } catch {
                let message = error.description
                #expect(message.contains("failed authentication"), "\(message)")
                #expect(
                    message.contains(
                        "when values under key \"k1\" fail alike, the ring's key of that id is not the one that "
                            + "sealed them: put that key back in the ring, and delete nothing"),
                    "\(message)")
            }
            #expect(try databaseDump(dir + "/accounts.sqlite") == before)
        }
    }
}

/// The keys file's change time is another clock's (a file server's, or this machine's before a step): a rewrap begun
/// soon after the change, the change time an hour ahead of this machine's clock, waits the followers' recheck interval
/// and a second, on the monotonic clock, not the hour (until session 62 it slept until the change time plus 3 s).
extension RewrapAfterKeysFileEditTests {
    @Test func aKeysFileChangedAheadOfTheClockIsWaitedForOnlyTheRecheckInterval() async throws {
        try await withTemporaryDirectory { dir in
            let k1 = try SecretKey.generate(id: "k1")
            let k2 = try SecretKey.generate(id: "k2")
            let keysPath = try await Self.rotationJustBegun(in: dir, k1: k1, k2: k2)
            // (a file server whose clock is an hour ahead of this machine's)
            let store = try makeStore(
                in: dir,
                keyRing: try KeyRing.loadFile(
                    path: keysPath, recheckInterval: .seconds(1), changeTimeShiftForTests: 3600))
            defer { try? store.close() }

            let done = Locked(false)
            let rewrap = Task {
                defer { done.withLock { $0 = true } }
                return try await store.rewrapSealedValues()
            }
            let finished = try await eventually(timeout: .seconds(120)) { done.value }
            if !finished { rewrap.cancel() }
            #expect(finished, "the rewrap waited for the file's change time, an hour ahead of its clock")
            let report = try await rewrap.value
            #expect(report.rewrapped == 3 && report.keyID == "k2")
        }
    }
}
