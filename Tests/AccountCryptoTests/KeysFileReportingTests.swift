import AccountCrypto
import Foundation
import Synchronization
import Testing

/// The reporters told of a followed keys file's changes (one per store opened on the ring): set and ended from any
/// thread, also from inside a report, without a wait that cannot end.
extension KeysFileFollowerEdgeTests {
    /// Runs `body` on a thread of its own and waits up to 30 s for it: whether it returned.
    func returnsInTime(_ body: @escaping @Sendable () -> Void) -> Bool {
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            body()
            done.signal()
        }
        return done.wait(timeout: .now() + 30) == .success
    }

    /// A reporter that, from inside a report, ends its own reporting and another's and sets a new one (a store
    /// closed or opened by what its logger does) is not stopped: the reporters ended are not told again, not even
    /// of the version under way, and the new one is told of the next version.
    @Test func aReporterEndsAndSetsReportingsFromInsideAReport() throws {
        replaceKeys("a:\(keyA)\n")
        let ring = try KeyRing.loadFile(path: path, recheckInterval: .zero)
        let told = Mutex<[String]>([])
        let reportings = Mutex<[String: KeysFileReporting]>([:])
        let first = ring.reportFileChanges { change in
            told.withLock { $0.append("first \(change)") }
            let ended = reportings.withLock { [$0.removeValue(forKey: "first"), $0.removeValue(forKey: "second")] }
            for reporting in ended { reporting?.end() }
            let third = ring.reportFileChanges { change in told.withLock { $0.append("third \(change)") } }
            reportings.withLock { $0["third"] = third }
        }
        let second = ring.reportFileChanges { change in told.withLock { $0.append("second \(change)") } }
        reportings.withLock {
            $0["first"] = first
            $0["second"] = second
        }

        // When the file changes twice, each version read by a seal
        replaceKeys("b:\(keyB)\na:\(keyA)\n")
        let readB = returnsInTime { _ = try? ring.seal(Array("one".utf8), purpose: .twitterCredential, rowKey: "1") }
        try #require(readB, "a seal reading the keys file did not return within 30 s (its reporter ended itself)")
        replaceKeys("c:\(keyC)\nb:\(keyB)\na:\(keyA)\n")
        let readC = returnsInTime { _ = try? ring.seal(Array("two".utf8), purpose: .twitterCredential, rowKey: "2") }
        try #require(readC, "a seal reading the keys file did not return within 30 s")

        // Then the first reporter was told once, the second never, and the third of the last version
        #expect(
            told.withLock { $0 } == [
                "first \(KeysFileChange.taken(keyIDs: ["b", "a"]))",
                "third \(KeysFileChange.taken(keyIDs: ["c", "b", "a"]))",
            ])
        reportings.withLock { $0.removeAll() }
    }

    /// A reporting ended on another thread while its reporter is being told waits for that report to return, and its
    /// reporter is not told again; ending another reporter's reporting meanwhile does not wait.
    @Test func endingAReportingWhileItsReporterIsToldWaitsForThatReportAlone() throws {
        replaceKeys("a:\(keyA)\n")
        let ring = try KeyRing.loadFile(path: path, recheckInterval: .zero)
        let inReport = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let told = Atomic<Int>(0)
        let slow = try #require(
            ring.reportFileChanges { _ in
                told.add(1, ordering: .relaxed)
                inReport.signal()
                release.wait()
            })
        let other = try #require(ring.reportFileChanges { _ in })

        // When a seal reads a changed file and its report is under way
        replaceKeys("b:\(keyB)\na:\(keyA)\n")
        let sealed = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            _ = try? ring.seal(Array("one".utf8), purpose: .twitterCredential, rowKey: "1")
            sealed.signal()
        }
        try #require(inReport.wait(timeout: .now() + 30) == .success)
        // Then ending the other reporting returns at once
        #expect(returnsInTime { other.end() })
        // And ending the slow one waits for its report
        let ended = Atomic<Bool>(false)
        let endedSignal = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            slow.end()
            ended.store(true, ordering: .relaxed)
            endedSignal.signal()
        }
        Thread.sleep(forTimeInterval: 0.3)
        let endedEarly = ended.load(ordering: .relaxed)
        #expect(!endedEarly, "a reporting ended while its reporter was being told")
        release.signal()
        #expect(endedSignal.wait(timeout: .now() + 30) == .success)
        #expect(sealed.wait(timeout: .now() + 30) == .success)

        // And the file changing again tells it nothing
        replaceKeys("c:\(keyC)\nb:\(keyB)\na:\(keyA)\n")
        _ = try? ring.seal(Array("two".utf8), purpose: .twitterCredential, rowKey: "2")
        let timesTold = told.load(ordering: .relaxed)
        #expect(timesTold == 1)
    }
}
