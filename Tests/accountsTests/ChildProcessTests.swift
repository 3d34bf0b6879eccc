import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The test suite's way of running the built executables: a child holds no descriptor of another test's, and no
/// wait lasts for ever.
struct ChildProcessTests {
    /// Descriptors that other tests open while a child starts (pipes made without close-on-exec, as Foundation's
    /// `Pipe` makes them) never reach the child: each of 200 children, started while another thread keeps opening
    /// and closing such pipes, has only its standard streams (and the directory `ls` reads).
    @Test func aChildHoldsNoDescriptorOpenedWhileItStarts() async throws {
        let stop = Locked(false)
        let churn = Thread {
            var ends: [Int32] = [-1, -1]
            while !stop.value {
                // (a pause of 0.1 ms: pipes still open many times over while each child starts, without this thread
                // taking a whole core from the tests beside it)
                defer { usleep(100) }
                guard pipe(&ends) == 0 else { continue }
                close(ends[0])
                close(ends[1])
            }
        }
        churn.start()
        defer { stop.withLock { $0 = true } }
        var strays: [String] = []
        for _ in 0..<200 {
            let result = try await runProcess("/bin/ls", ["/proc/self/fd"])
            let descriptors = result.stdout.split(separator: "\n").map(String.init)
            if descriptors != ["0", "1", "2", "3"] { strays.append(descriptors.joined(separator: " ")) }
        }
        #expect(strays.isEmpty, "children held descriptors beyond their own: \(strays.prefix(5))")
    }

    /// Children run through `runProcess`, more at once than the cooperative pool has threads, leave the pool to the
    /// tests beside them: a task of the pool that the children wait for (it creates the file they look for) still
    /// runs while they wait, and every child ends before its limit. (Waits that held the pool's threads would never
    /// let that task run: each child would be killed at its limit.)
    @Test func childrenRunningSideBySideLeaveThePoolFree() async throws {
        try await withTemporaryDirectory { dir in
            let flag = dir + "/flag"
            let children = ProcessInfo.processInfo.activeProcessorCount + 2
            let statuses = try await withThrowingTaskGroup(of: Int32.self) { group in
                for _ in 0..<children {
                    group.addTask {
                        try await runProcess(
                            "/bin/sh", ["-c", #"while [ ! -e "$0" ]; do sleep 0.01; done"#, flag], limit: .seconds(300)
                        ).status
                    }
                }
                group.addTask {
                    // (once the children run: the task then needs a pool thread while every child waits)
                    try await Task.sleep(for: .milliseconds(500))
                    writeFile(flag, [])
                    return 0
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 0, count: children + 1))
        }
    }

    /// A child starts with no signal blocked or ignored, as a shell starts it, also when a Dispatch thread (which
    /// blocks nearly every signal) starts it: SIGTERM ends a child that does not handle it.
    @Test func aChildStartsWithNoSignalBlockedOrIgnored() async throws {
        let result = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Result { try runProcessBlocking("/bin/grep", ["-E", "^Sig(Blk|Ign):", "/proc/self/status"]) })
            }
        }
        // (of the standard signals, 1 to 31: the C library keeps its own above them)
        let masks = result.stdout.split(separator: "\n").map {
            UInt64($0.suffix(16), radix: 16).map { $0 & 0x7fff_ffff }
        }
        #expect(masks == [0, 0], "\(result.stdout)")
        let sleeper = try ChildProcess("/bin/sleep", ["60"], environment: childEnvironment())
        sleeper.send(SIGTERM)
        #expect(try await sleeper.exit(upTo: .seconds(30)).signal == SIGTERM)
    }

    /// A child still running at its limit is killed, and the wait ends with an error naming the command.
    @Test func aChildPastItsLimitIsKilledAndTheWaitSaysSo() async throws {
        // (timed on the thread that waits: the wait for a pool thread to resume the test is not counted)
        let (outcome, took) = await onOwnThread {
            let started = ContinuousClock.now
            let outcome = Result { try runProcessBlocking("/bin/sleep", ["30"], limit: .seconds(1)) }
            return (outcome, ContinuousClock.now - started)
        }
        #expect(throws: ChildProcess.Failure.self) { try outcome.get() }
        #expect(took < .seconds(20))

        let child = try ChildProcess("/bin/sleep", ["30"], environment: childEnvironment())
        do {
            try child.waitOrKill(upTo: .milliseconds(200))
            Issue.record("sleep 30 ended within 200 ms")
        } catch {
            #expect(error.description == "sleep 30 did not end within 0.2 seconds")
        }
        #expect(child.termination?.signal == SIGKILL)
        #expect(kill(child.pid, 0) == -1 && errno == ESRCH, "the killed child is still there (not reaped)")
    }
}
