import AccountModel
import AccountTransfer
import Foundation
import Glibc
import TestSupport
import Testing

/// `OutputFile` writes a FIFO, device or socket directly: only one of this user's (or root's), opened without
/// blocking. (Tests run as root: "another user" is nobody, uid 65534, owning a file made here.)
struct OutputFileOwnerTests {
    /// The uid files of "another user" are given.
    static let nobody: uid_t = 65_534

    /// Releases a reader started with `readAll` that no writer reached: it sees the end of the pipe.
    static func release(_ fifo: String) {
        // (the reader may not have opened its end yet: a writer's open fails, ENXIO, until it has; tried for up to 5 s,
        // or the reader's thread stayed blocked for good and `read()` waited its 10 s)
        for _ in 0..<500 {
            let descriptor = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
            if descriptor >= 0 {
                close(descriptor)
                return
            }
            usleep(10_000)
        }
    }

    /// Another user's FIFO (planted in a shared directory) is refused unopened, with the owner named: its reader got
    /// the export, password hashes and all.
    @Test func anotherUsersFIFOIsRefusedAndGetsNothing() throws {
        try withTemporaryDirectorySync { dir in
            let fifo = dir + "/out.jsonl"
            #expect(mkfifo(fifo, 0o666) == 0)
            #expect(chown(fifo, Self.nobody, Self.nobody) == 0)
            let read = readAll(fifo)
            let expected = TransferError.cannotOpen(
                path: fifo,
                reason: "is a FIFO (named pipe) owned by uid 65534, another user, who would get what is written to "
                    + "it: name a file of this user's, or leave out --output and redirect stdout")
            #expect(throws: expected) {
                let writer = try AccountWriter(format: .jsonl, includePasswordHashes: true, path: fifo)
                try writer.write(bareRecord)
                try writer.finish()
            }
            Self.release(fifo)
            #expect(read().isEmpty)
            #expect(OutputFile.directWriteRefusal(fifo) != nil)
        }
    }

    /// A symbolic link of another user's is not followed to a FIFO, even one of this user's.
    @Test func anotherUsersLinkToAFIFOIsNotFollowed() throws {
        try withTemporaryDirectorySync { dir in
            let fifo = dir + "/pipe"
            #expect(mkfifo(fifo, 0o600) == 0)
            #expect(symlink("pipe", dir + "/out.jsonl") == 0)
            #expect(lchown(dir + "/out.jsonl", Self.nobody, Self.nobody) == 0)
            let read = readAll(fifo)
            #expect(throws: TransferError.self) {
                let writer = try AccountWriter(format: .jsonl, includePasswordHashes: true, path: dir + "/out.jsonl")
                try writer.write(bareRecord)
                try writer.finish()
            }
            Self.release(fifo)
            #expect(read().isEmpty)
            let refusal = OutputFile.directWriteRefusal(dir + "/out.jsonl") ?? ""
            #expect(refusal.hasPrefix("is a symbolic link owned by uid 65534, another user, to a FIFO"), "\(refusal)")
        }
    }

    /// This user's FIFO and root's devices are written, as before.
    @Test func ownFIFOsAndRootsDevicesAreWritten() throws {
        try withTemporaryDirectorySync { dir in
            #expect(mkfifo(dir + "/pipe", 0o600) == 0)
            #expect(OutputFile.directWriteRefusal(dir + "/pipe") == nil)
            #expect(OutputFile.directWriteRefusal("/dev/null") == nil)
            let writer = try AccountWriter(format: .jsonl, includePasswordHashes: false, path: "/dev/null")
            try writer.write(bareRecord)
            try writer.finish()
            var info = stat()
            #expect(stat("/dev/null", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
        }
    }

    /// A FIFO no process reads is refused after ``OutputFile/readerWait``, saying so: the open used to block, and
    /// the command with it, for ever. (Opened on a thread of its own, so that the code that blocked fails this test
    /// instead of holding it.)
    @Test func aFIFOWithNoReaderIsRefusedInsteadOfWaitedForForEver() throws {
        try withTemporaryDirectorySync { dir in
            let fifo = dir + "/pipe"
            #expect(mkfifo(fifo, 0o600) == 0)
            let outcome = Locked<String?>(nil)
            let done = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                defer { done.signal() }
                do {
                    _ = try OutputFile(path: fifo)
                    outcome.withLock { $0 = "opened" }
                } catch {
                    outcome.withLock { $0 = "\(error)" }
                }
            }
            let ended = done.wait(timeout: .now() + 60) == .success
            if !ended {
                // (a reader lets the blocked open return, and the thread end)
                let reader = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
                _ = done.wait(timeout: .now() + 10)
                close(reader)
            }
            #expect(ended, "the open of a FIFO nobody reads did not return within 60 s")
            #expect(
                outcome.value
                    == "cannot open \(fifo): no process is reading the pipe (none opened it within 5 s): start the "
                    + "reader first")
        }
    }

    /// A reader that opens the FIFO a moment after the writer (`accounts export --output pipe & cat pipe`) gets
    /// everything: the writer waits for it, and then writes blocking.
    @Test func aReaderThatComesLateGetsEverything() throws {
        try withTemporaryDirectorySync { dir in
            let fifo = dir + "/pipe"
            #expect(mkfifo(fifo, 0o600) == 0)
            let started = DispatchSemaphore(value: 0)
            let result = Locked<[UInt8]>([])
            let finished = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                started.wait()
                usleep(300_000)
                // (reads slowly, so that the writer fills the pipe and must wait)
                let descriptor = open(fifo, O_RDONLY | O_CLOEXEC)
                defer {
                    close(descriptor)
                    finished.signal()
                }
                var chunk = [UInt8](repeating: 0, count: 4096)
                while true {
                    let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
                    if count < 0 && errno == EINTR { continue }
                    if count <= 0 { break }
                    result.withLock { $0.append(contentsOf: chunk[0..<count]) }
                }
            }
            started.signal()
            let file = try OutputFile(path: fifo)
            let bytes = [UInt8](repeating: 0x61, count: 1 << 20)
            try file.write(bytes)
            try file.commit()
            #expect(finished.wait(timeout: .now() + 60) == .success)
            #expect(result.value.count == bytes.count)
        }
    }
}
