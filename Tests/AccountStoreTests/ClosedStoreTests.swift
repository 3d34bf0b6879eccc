import AccountCrypto
import AccountModel
import AccountStore
import AccountTransfer
import Foundation
import Synchronization
import TestSupport
import Testing

/// A store's calls after ``AccountStore/close()`` fail with a typed error, whichever thread makes them: a background
/// write still under way when its app closes the store (a password reset link written after the answer went out)
/// must not take the process down.
struct ClosedStoreTests {
    @Test func writesFromManyThreadsRacingCloseFailWithATypedErrorAndTheProcessGoesOn() async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/accounts.sqlite"
            let store = try makeStore(in: dir, synchronous: .normal)
            _ = try await store.createAccount(newAccount("first"))
            // Writers on many tasks keep writing while a thread of its own closes the store under them.
            let outcomes = await withTaskGroup(of: [Result<Account, StoreError>].self) { group in
                for index in 0..<8 {
                    group.addTask {
                        var outcomes: [Result<Account, StoreError>] = []
                        for round in 0..<40 {
                            if index == 0 && round == 5 { Thread.detachNewThread { try? store.close() } }
                            do throws(StoreError) {
                                outcomes.append(
                                    .success(try await store.createAccount(newAccount("u\(index)x\(round)"))))
                            } catch {
                                outcomes.append(.failure(error))
                            }
                        }
                        return outcomes
                    }
                }
                return await group.reduce(into: []) { $0 += $1 }
            }
            var failures = 0
            for case .failure(let error) in outcomes {
                failures += 1
                #expect(error == .closed(path: path), "a write after close failed with \(error)")
            }
            #expect(failures > 0)
            let successes = outcomes.count - failures
            // A second close does nothing, and a deletion after close says the store was closed.
            try store.close()
            await #expect(throws: StoreError.closed(path: path)) {
                try await store.deleteAccount(.username("first"))
            }
            // What committed before the close is there, and nothing else.
            let reopened = try makeStore(in: dir, synchronous: .normal)
            defer { try? reopened.close() }
            #expect(try await reopened.accountCount() == 1 + successes)
        }
    }

    /// Every call on a closed store, reads and writes alike (backup, import and export, reindex, key rotation,
    /// sessions, the audit trail), throws ``StoreError/closed(path:)``, whose message says the store was closed and
    /// what to do, and changes nothing: not the database file, not the files beside it.
    @Test func everyCallAfterCloseThrowsClosedAndChangesNothing() async throws {
        try await withTemporaryDirectory { dir throws in
            // Given a store holding an account of each kind, a session, a draft and a pending authorization
            let path = dir + "/accounts.sqlite"
            let clock = TestClock()
            let now = clock.now
            let later = now.addingTimeInterval(3600)
            let store = try makeStore(in: dir, now: clock.closure)
            let ann = try await store.createAccount(newAccount("ann", email: "ann@example.org"))
            let zoe = try await store.createAccount(
                newAccount("zoe", email: "zoe@example.org"), linking: twitterIdentity("783214"),
                credential: TwitterCredential(token: "t", secret: Secret("s")))
            let session = BrowserSession(
                tokenHash: String(repeating: "a", count: 64), user: ann.id, csrfToken: "c", createdAt: now,
                lastSeenAt: now, idleExpiresAt: later, expiresAt: later)
            try await store.createBrowserSession(session)
            let draft = RegistrationDraft(
                id: "d", browserSession: "b", purpose: .register, twitterUserID: TwitterUserID(77),
                screenName: "other", credential: TwitterCredential(token: "dt", secret: Secret("ds")),
                profileJSON: Array("{}".utf8), fields: [:], linkUser: nil, createdAt: now, expiresAt: later)
            try await store.saveDraft(draft)
            let pending = PendingAuthorization(
                requestToken: "rt", requestTokenSecret: Secret("rs"), browserSession: "b", purpose: .register,
                linkUser: nil, createdAt: now, expiresAt: later)
            try await store.savePendingAuthorization(pending)
            let importFile = dir + "/import.jsonl"
            writeFile(importFile, Array(#"{"username": "imported"}\#n"#.utf8))
            let mark = try await store.eventMark()

            // When it is closed
            try store.close()
            let dump = try databaseDump(path)
            let digest = fileDigest(path)
            let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()

            // Then every call says so
            let calls: [(String, () async throws -> Void)] = [
                ("createAccount", { _ = try await store.createAccount(newAccount("bob")) }),
                (
                    "createAccount linking",
                    {
                        _ = try await store.createAccount(
                            newAccount("bob"), linking: twitterIdentity("42"),
                            credential: TwitterCredential(token: "t2", secret: Secret("s2")))
                    }
                ),
                ("account", { _ = try await store.account(.id(ann.id)) }),
                ("account(email:)", { _ = try await store.account(email: "ann@example.org") }),
                (
                    "accounts(sharingMailboxWith:)",
                    { _ = try await store.accounts(sharingMailboxWith: "ann@example.org") }
                ),
                ("account(twitterUserID:)", { _ = try await store.account(twitterUserID: TwitterUserID(783214)) }),
                ("accountID(twitterUserID:)", { _ = try store.accountID(twitterUserID: TwitterUserID(783214)) }),
                ("accountCount", { _ = try await store.accountCount() }),
                ("setAccountStatus", { _ = try await store.setAccountStatus(.id(ann.id), to: .disabled) }),
                ("accountOverview", { _ = try await store.accountOverview(.id(ann.id)) }),
                ("emailChangeUndoReservation", { _ = try await store.emailChangeUndoReservation(of: "x@example.org") }),
                ("deleteAccount", { _ = try await store.deleteAccount(.id(ann.id)) }),
                (
                    "deleteAccount ifPasswordHash",
                    { _ = try await store.deleteAccount(ann.id, actor: "user", ifPasswordHash: nil) }
                ),
                ("backUp", { _ = try await store.backUp(to: dir + "/copy.sqlite") }),
                (
                    "recordEvent",
                    {
                        try await store.recordEvent(
                            AccountEvent(kind: .signedIn, subject: ann.id, actor: "user", occurredAt: now))
                    }
                ),
                ("events", { _ = try await store.events(for: ann.id) }),
                ("recentEvents", { _ = try await store.recentEvents() }),
                (
                    "exportAccounts",
                    {
                        _ = try store.exportAccounts(
                            to: try AccountWriter(format: .jsonl, includePasswordHashes: false, path: nil))
                    }
                ),
                (
                    "importAccounts",
                    { _ = try store.importAccounts(from: try AccountReader(path: importFile, format: .jsonl)) }
                ),
                ("sealedValueCounts", { _ = try await store.sealedValueCounts() }),
                ("rewrapSealedValues", { _ = try await store.rewrapSealedValues() }),
                ("savePendingAuthorization", { try await store.savePendingAuthorization(pending) }),
                ("livePendingAuthorizations", { _ = try await store.livePendingAuthorizations(browserSession: "b") }),
                ("pendingAuthorization", { _ = try await store.pendingAuthorization(requestToken: "rt") }),
                (
                    "consumePendingAuthorization",
                    { _ = try await store.consumePendingAuthorization(requestToken: "rt") }
                ),
                ("purgeExpired", { _ = try await store.purgeExpired() }),
                ("saveDraft", { try await store.saveDraft(draft) }),
                ("draft", { _ = try await store.draft(id: "d") }),
                ("deleteDraft", { _ = try await store.deleteDraft(id: "d") }),
                ("staleNormalisedFormCount", { _ = try await store.staleNormalisedFormCount() }),
                ("reindex", { _ = try await store.reindex() }),
                ("emailConflicts", { _ = try await store.emailConflicts() }),
                ("scanMatchableAccounts", { try store.scanMatchableAccounts { _ in } }),
                ("scanMatchableAccountBatches", { try store.scanMatchableAccountBatches { _ in } }),
                ("createBrowserSession", { try await store.createBrowserSession(session) }),
                ("browserSession", { _ = try await store.browserSession(tokenHash: session.tokenHash) }),
                (
                    "touchBrowserSession",
                    {
                        _ = try await store.touchBrowserSession(
                            tokenHash: session.tokenHash, at: now, idleExpiresAt: later)
                    }
                ),
                ("eventMark", { _ = try await store.eventMark() }),
                (
                    "replaceBrowserSession",
                    {
                        _ = try await store.replaceBrowserSession(
                            session.tokenHash, with: session, unlessEndedAfter: mark)
                    }
                ),
                (
                    "rekeyBrowserSession",
                    {
                        _ = try await store.rekeyBrowserSession(
                            session.tokenHash, to: String(repeating: "b", count: 64), csrfToken: "c2")
                    }
                ),
                ("deleteBrowserSession", { _ = try await store.deleteBrowserSession(tokenHash: session.tokenHash) }),
                ("deleteBrowserSessions", { _ = try await store.deleteBrowserSessions(of: ann.id) }),
                ("browserSessions", { _ = try await store.browserSessions(of: ann.id) }),
                ("endBrowserSession", { _ = try await store.endBrowserSession(handle: session.handle, of: ann.id) }),
                ("signInDevices", { _ = try await store.signInDevices(of: ann.id) }),
                ("noteSignInDevice", { _ = try await store.noteSignInDevice("Firefox on Linux", for: ann.id) }),
                ("browserSessionCount", { _ = try await store.browserSessionCount(of: ann.id) }),
                ("rebindDraft", { _ = try await store.rebindDraft("d", from: "b", to: "b2") }),
                (
                    "linkTwitter",
                    {
                        _ = try await store.linkTwitter(
                            twitterIdentity("42"), credential: nil, to: .id(ann.id))
                    }
                ),
                (
                    "recordTwitterSignIn",
                    {
                        _ = try await store.recordTwitterSignIn(
                            twitterIdentity("783214"), credential: TwitterCredential(token: "t3", secret: Secret("s3")))
                    }
                ),
                ("unlinkTwitter", { _ = try await store.unlinkTwitter(from: .id(zoe.id)) }),
                (
                    "setCredential",
                    {
                        try await store.setCredential(
                            TwitterCredential(token: "t4", secret: Secret("s4")), for: TwitterUserID(783214))
                    }
                ),
                ("credential", { _ = try await store.credential(for: TwitterUserID(783214)) }),
            ]
            for (name, call) in calls {
                do {
                    try await call()
                    Issue.record("\(name) after close() returned")
                } catch let error as StoreError {
                    #expect(error == .closed(path: path), "\(name) after close() threw \(error)")
                } catch TransferFailure.store(let error) {
                    #expect(error == .closed(path: path), "\(name) after close() threw \(error)")
                } catch {
                    Issue.record("\(name) after close() threw \(error)")
                }
            }
            #expect(
                StoreError.closed(path: path).description
                    == "the account store \(path) was closed; nothing was read or changed: make the call before "
                    + "`close()` (an app stops taking requests and waits for its mails first), or open the store again")
            // And nothing changed: the file, the files beside it (no backup, no -wal), the data
            #expect(fileDigest(path) == digest)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == files)
            #expect(try databaseDump(path) == dump)
            // And closing again does nothing
            try store.close()
        }
    }

    /// ``AccountStore/close()`` waits for the reads on their way to a connection, and none of them waits for a thread
    /// of the cooperative pool on that way: a read handed to GRDB (a count of the accounts) that waits for a reader
    /// connection as the store closes reaches it while every thread of the pool is busy, so an app that closes its
    /// store from async code (on the pool's last free thread, all of them on a 1-core machine) is not stuck forever.
    @Test func closeDoesNotWaitForTheCooperativePoolToLetAReadReachItsConnection() async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/accounts.sqlite"
            let store = try makeStore(in: dir)
            _ = try await store.createAccount(newAccount("ann"))
            // Given every reader connection (GRDB's 5) held by a scan on a thread of its own
            let readers = 5
            let release = DispatchSemaphore(value: 0)
            let holding = Locked(0)
            for _ in 0..<readers {
                Thread.detachNewThread {
                    try? store.scanMatchableAccounts(batchSize: 1) { _ in
                        holding.withLock { $0 += 1 }
                        release.wait()
                    }
                }
            }
            while holding.value < readers { try await Task.sleep(for: .milliseconds(5)) }
            // And a count of the accounts on its way to a reader connection
            let counting = Task { try await store.accountCount() }
            while store.callsOnTheirWayIn == 0 { try await Task.sleep(for: .milliseconds(5)) }

            // When every thread of the cooperative pool is busy, and another thread lets the scans end and closes the
            // store meanwhile
            let closing = await closeWhileThePoolIsBusy(store) {
                for _ in 0..<(readers * 4) { release.signal() }
            }

            // Then the close ended while the pool's threads were still busy, without an error
            #expect(closing.took < ClosedStoreTests.closeBound, "close() took \(closing.took)")
            #expect(closing.error == nil, "close() threw \(closing.error.map { "\($0)" } ?? "")")
            // And the count either finished or says the store was closed
            if case .failure(let error) = await counting.result {
                #expect(error as? StoreError == .closed(path: path), "the count failed with \(error)")
            }
        }
    }

    /// How long a close made while the pool is busy (``closeWhileThePoolIsBusy(_:first:)``) may take: half of the 3 s
    /// the pool is held.
    static let closeBound = Duration.milliseconds(1_500)

    /// A key rotation under way when the store closes either finishes or throws ``StoreError/closed(path:)``: every
    /// batch it committed is whole, and a new store finishes the rest.
    @Test func aRewrapUnderWayAsTheStoreClosesFinishesOrSaysTheStoreWasClosed() async throws {
        try await withTemporaryDirectory { dir throws in
            let path = dir + "/accounts.sqlite"
            let oldKey = try SecretKey.generate(id: "old")
            let store = try makeStore(in: dir, keyRing: try KeyRing(keys: [oldKey]), synchronous: .normal)
            for index in 0..<40 {
                _ = try await store.createAccount(
                    newAccount("u\(index)"), linking: twitterIdentity("\(1000 + index)"),
                    credential: TwitterCredential(token: "t\(index)", secret: Secret("s\(index)")))
            }
            try store.close()
            let rotated = try KeyRing(keys: [try SecretKey.generate(id: "new"), oldKey])
            var configuration = StoreConfiguration(path: path)
            configuration.synchronous = .normal
            let rotating = try AccountStore(configuration: configuration, keyRing: rotated)
            // When the store is closed from another thread after the first batch
            let closing = Locked(false)
            // (the closing thread waits for the batch under way; the rewrap goes on meanwhile)
            let result: Result<RewrapReport, StoreError>
            do throws(StoreError) {
                result = .success(
                    try await rotating.rewrapSealedValues(batchSize: 4) { _, _ in
                        let first = closing.withLock { closed in
                            defer { closed = true }
                            return !closed
                        }
                        if first {
                            Thread.detachNewThread { try? rotating.close() }
                        }
                    })
            } catch {
                result = .failure(error)
            }
            if case .failure(let error) = result {
                #expect(error == .closed(path: path), "the rewrap under way failed with \(error)")
            }
            try? rotating.close()
            // Then a new store finds every value whole, and finishes the rotation
            let reopened = try AccountStore(configuration: configuration, keyRing: rotated)
            defer { try? reopened.close() }
            _ = try await reopened.rewrapSealedValues()
            #expect(try await reopened.sealedValueCounts().map(\.keyID) == ["new"])
            #expect(try await reopened.credential(for: TwitterUserID(1039))?.secret == Secret("s39"))
        }
    }
}

/// Keeps every thread of Swift's cooperative pool busy for 3 s (kept short: the suite's other tests share the pool),
/// and meanwhile, on a thread of its own, runs `first` 0.2 s in, then closes `store`: how long the close took, and what
/// it threw.
func closeWhileThePoolIsBusy(
    _ store: AccountStore, first: @escaping @Sendable () -> Void
) async -> (took: Duration, error: StoreError?) {
    let busyUntil = DispatchTime.now() + .seconds(3)
    for _ in 0..<(ProcessInfo.processInfo.activeProcessorCount * 4 + 8) {
        Task.detached { _ = DispatchSemaphore(value: 0).wait(timeout: busyUntil) }
    }
    return await onOwnThread { () -> (took: Duration, error: StoreError?) in
        Thread.sleep(forTimeInterval: 0.2)
        first()
        let started = ContinuousClock.now
        do throws(StoreError) {
            try store.close()
            return (ContinuousClock.now - started, nil)
        } catch {
            return (ContinuousClock.now - started, error)
        }
    }
}
