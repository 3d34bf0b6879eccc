import AccountCrypto
import Foundation
import Glibc
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A followed keys file under the load of a running app (many callers sealing and opening at once) and under the
/// ways a file gets changed: what a process held, and what the file says now, must both be kept.
extension KeysFileFollowerEdgeTests {
    /// After a rotation's new key reaches the file, every value sealed under it opens, whoever asks first: the
    /// reread one caller makes for a key id the ring lacks serves the callers that meet the same id meanwhile (they
    /// wait for it, rather than being told the key is not in the file).
    @Test func valuesUnderAKeyJustAddedToTheFileOpenForEveryCallerAtOnce() throws {
        let rotated = try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": "b:\(keyB),a:\(keyA)"])
        let callers = 4
        let rounds = 10
        let comment = String(
            repeating: "# notes on these keys, who holds them and when they were made\n", count: 16_000)
        let sealed = try (0..<callers).map { index in
            try rotated.seal(Array("secret-\(index)".utf8), purpose: .twitterCredential, rowKey: "\(index)")
        }
        var failures: [String] = []
        for _ in 0..<rounds {
            // Given an app whose ring has read the file with a alone (and does not look again on its own for now)
            replaceKeys("a:\(keyA)\n")
            let ring = try KeyRing.loadFile(path: path, recheckInterval: .seconds(3600))

            // When b is put first (in a file with a long comment, so that reading it takes a while, as a busy
            // machine's read does) and several requests open values another process sealed under b at once
            replaceKeys("b:\(keyB)\na:\(keyA)\n" + comment)
            let errors = Mutex<[String]>([])
            let ready = Atomic<Int>(0)
            let done = DispatchGroup()
            for index in 0..<callers {
                done.enter()
                Thread.detachNewThread {
                    ready.add(1, ordering: .relaxed)
                    while ready.load(ordering: .relaxed) < callers {}
                    do {
                        _ = try ring.open(sealed[index], purpose: .twitterCredential, rowKey: "\(index)")
                    } catch {
                        errors.withLock { $0.append("\(error)") }
                    }
                    done.leave()
                }
            }
            try #require(
                done.wait(timeout: .now() + 120) == .success,
                "\(callers) threads opening values did not end within 120 s")
            failures += errors.withLock { $0 }
        }

        // Then every one of them opens
        #expect(
            failures.isEmpty,
            "\(failures.count) of \(rounds * callers) opens failed, the first: \(failures.first ?? "")")
    }

    /// A key the process held is never dropped while it runs, also when two callers look at a changing file at once:
    /// checks run one at a time, so a check that began before b was read (here, one reading a long version of the
    /// file) cannot store a ring without b over one a quicker check stored with it; with the file then left without
    /// b's line (a mistaken edit), b stays, and what this process sealed under b while it was first still opens.
    @Test func aKeyHeldOnceIsKeptThroughChecksMadeAtOnceWhileTheFileChanges() throws {
        // (a long comment makes the slow caller's read take a while, so that the window is met every time; an app
        // under load meets it with a short file too, less often)
        let comment = String(
            repeating: "# notes on these keys, who holds them and when they were made\n", count: 16_000)
        var held = 0
        var lost = 0
        var unopened = 0
        let runs = 5
        for _ in 0..<runs {
            replaceKeys("a:\(keyA)\n" + comment)
            let ring = try KeyRing.loadFile(path: path, recheckInterval: .zero)
            let rotated = try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": "b:\(keyB),a:\(keyA)"])
            let underB = try rotated.seal(Array("secret-b".utf8), purpose: .twitterCredential, rowKey: "2")

            // Given one caller reading a new version of the file (the same keys, written again)
            replaceKeys("a:\(keyA)\n" + comment)
            let started = DispatchSemaphore(value: 0)
            let finished = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                started.signal()
                _ = ring.keyIDs
                finished.signal()
            }
            try #require(
                started.wait(timeout: .now() + 60) == .success, "the thread reading the keys did not start within 60 s")
            Thread.sleep(forTimeInterval: 0.002)

            // When, meanwhile, b is put first and another caller takes it (b is then held, and seals)
            replaceKeys("b:\(keyB)\na:\(keyA)\n")
            let heldB = ring.holdsKey(withID: "b")
            try #require(
                finished.wait(timeout: .now() + 60) == .success, "the thread reading the keys did not end within 60 s")
            // and b's line is then deleted by mistake
            replaceKeys("a:\(keyA)\n")
            guard heldB else { continue }
            held += 1

            // Then b, which the process held, is held still, and what was sealed under it opens
            if !ring.holdsKey(withID: "b") { lost += 1 }
            if (try? ring.open(underB, purpose: .twitterCredential, rowKey: "2")) == nil { unopened += 1 }
        }
        #expect(held > 0, "b was never taken while the slow check ran")
        #expect(lost == 0, "b, once held, was dropped in \(lost) of \(held) runs")
        #expect(unopened == 0, "a value sealed under b did not open in \(unopened) of \(held) runs")
    }

    /// A key the process holds is never dropped while it runs: not when the file gives its id other bytes (a key
    /// regenerated under the old id by mistake) either. Such a file is not taken, so what was sealed under the held
    /// bytes opens, and nothing new is sealed under other bytes with the same id.
    @Test func aHeldKeyWhoseIDTheFileGivesOtherBytesStillOpensWhatItSealed() throws {
        replaceKeys("a:\(keyA)\n")
        let ring = try KeyRing.loadFile(path: path, recheckInterval: .zero)
        let sealed = try ring.seal(Array("secret-a".utf8), purpose: .twitterCredential, rowKey: "1")

        // When the file's line for a gets another key
        replaceKeys("a:\(keyB)\n")

        // Then what was sealed under the key the process held still opens
        #expect(throws: Never.self) {
            _ = try ring.open(sealed, purpose: .twitterCredential, rowKey: "1")
        }
    }

    /// A file giving a look-alike of a held key's id (the same text in another Unicode form) is not taken: no held
    /// key is dropped, the look-alike's nor any other the file lacks.
    @Test func aLookAlikeIDInTheFileDoesNotDropTheOtherHeldKeys() throws {
        replaceKeys("caf\u{E9}:\(keyA)\nold:\(keyC)\n")
        let ring = try KeyRing.loadFile(path: path, recheckInterval: .zero)
        let underOld = try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": "old:\(keyC)"])
            .seal(Array("secret-old".utf8), purpose: .twitterCredential, rowKey: "1")

        // When the file is rewritten with the first id in another Unicode form, and old's line dropped by mistake
        replaceKeys("cafe\u{301}:\(keyB)\n")
        _ = ring.keyIDs

        // Then what is sealed under old, a key the process held and whose id nothing in the file resembles, opens
        #expect(ring.holdsKey(withID: "old"))
        #expect(throws: Never.self) {
            _ = try ring.open(underOld, purpose: .twitterCredential, rowKey: "1")
        }
    }

    /// An edit made in place that keeps the file's size and modification time (the new key's line moved first, on a
    /// file system with whole-second times, or its time set back as `touch -r` and `cp -p` do) is still a change: the
    /// status change time (`st_ctime`), which no one can set, moved, and the ring seals under the new first key.
    @Test func anEditInPlaceKeepingSizeAndModificationTimeIsFollowed() throws {
        replaceKeys("a:\(keyA)\nb:\(keyB)\n")
        let ring = try KeyRing.loadFile(path: path, recheckInterval: .zero)
        #expect(ring.sealingKeyID == "a")
        var before = stat()
        #expect(stat(path, &before) == 0)

        // When b's line is put first in place, with the time the file had
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data("b:\(keyB)\na:\(keyA)\n".utf8))
        try handle.close()
        var times = [before.st_atim, before.st_mtim]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)

        // Then the ring seals under b, as `keys status` and `keys rewrap` (which read the file) do
        #expect(try KeyRing.load(keysFile: path, environment: [:]).sealingKeyID == "b")
        #expect(ring.sealingKeyID == "b")
        let value = try ring.seal(Array("new".utf8), purpose: .registrationDraft, rowKey: "d")
        #expect(KeyRing.keyID(ofSealed: value) == "b")
    }
}
