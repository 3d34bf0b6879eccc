import Foundation
import Synchronization

/// What reading a changed keys file came to, given to the reporter set with ``KeyRing/reportFileChanges(to:)``.
package enum KeysFileChange: Sendable, Equatable {
    /// The file's keys were taken: the ids the ring now holds, the sealing key first.
    case taken(keyIDs: [String])
    /// The file was not taken, and the keys read before stay: why, naming the file (never key material).
    case refused(reason: String)
}

/// A reporter set with ``KeyRing/reportFileChanges(to:)``: told of the keys file's changes until ``end()`` is called
/// or this is released.
package final class KeysFileReporting: Sendable {
    private let ending: @Sendable () -> Void

    init(ending: @escaping @Sendable () -> Void) {
        self.ending = ending
    }

    /// Stops telling the reporter: once this returns, it is not called again (a call under way on another thread
    /// returns first; it may be called from inside the reporter itself). Calling it again does nothing.
    package func end() {
        ending()
    }

    deinit {
        ending()
    }
}

/// A keys file as a running process follows it: a rotation ("put the new key's line first, then `accounts keys
/// rewrap`") done while an app runs must not leave the app unable to open what the rewrap moved to the new key, nor
/// sealing under the old one after it.
///
/// The file is checked (one `stat`) at most every `recheckInterval` when the ring seals or opens, and read again when
/// it changed (another inode, size, modification or status-change time); a value naming a key id the ring lacks has it
/// checked at once (a `stat`; callers meanwhile wait for the check under way). One check runs at a time, so an older
/// read never replaces a newer one. A file that no longer reads as a valid ring
/// (half written, its mode widened), or that gives a key id the ring holds other bytes (a key regenerated under its
/// old id: values sealed under the held bytes would fail as if altered, and new ones would be sealed under other bytes
/// with the same id) or a look-alike of it (the same text in another Unicode form), is not taken: the keys read last
/// stay, and the next change is tried again. Keys are added, never dropped: one the file no longer holds stays (after
/// the file's) until the process restarts.
final class KeysFileFollower: Sendable {
    /// What tells one version of the file from another. The status-change time changes on every write (and cannot be
    /// set back), so an edit in place that keeps the size and the modification time (`cp -p`, `touch -r`, a file
    /// system with whole-second times) is seen too.
    struct Identity: Equatable, Sendable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modifiedSeconds: Int
        var modifiedNanoseconds: Int
        var changedSeconds: Int
        var changedNanoseconds: Int
    }

    private struct State: Sendable {
        var ring: KeyRing
        var identity: Identity?
        var checkedAt: ContinuousClock.Instant
        /// The version of the file last refused, so that it is reported once, not at every check.
        var refused: Identity?
    }

    let path: String
    let recheckInterval: Duration
    /// Seconds added to the file's change time as read (``KeyRing/loadFile(path:recheckInterval:changeTimeShiftForTests:)``).
    let changeTimeShift: Double
    private let state: Mutex<State>
    /// Held for the length of a check (a `stat`, and a read when the file changed): checks run one at a time. Never
    /// taken inside `state`'s lock; sealing and opening between checks take only `state`'s.
    private let checking = Mutex(())
    /// The reporters told of each version of the file read after the first (taken or not), once each, in the order
    /// they were set: every store opened on the ring has one. Never held while a reporter is called.
    private let reporters = Mutex(Reporters())
    /// Held while one reporter is called (checks, and so reports, run one at a time): a reporting ended on another
    /// thread while its reporter is called waits on it for that call to return.
    private let telling = Mutex(())

    private struct Reporters {
        var next = 0
        var all: [(number: Int, report: @Sendable (KeysFileChange) -> Void)] = []
        /// The reporter being called, and on which thread.
        var calling: (number: Int, thread: UInt)?
    }

    /// Tells `reporter` of each version of the file read from now on, whether its keys were taken or not (once per
    /// version), beside the reporters set before, until the reporting returned ends. The reporter is called inside a
    /// check: it must not use the ring; it may set reporters and end reportings, its own included.
    func report(to reporter: @escaping @Sendable (KeysFileChange) -> Void) -> KeysFileReporting {
        let number = reporters.withLock { reporters in
            defer { reporters.next += 1 }
            reporters.all.append((reporters.next, reporter))
            return reporters.next
        }
        return KeysFileReporting { [self] in
            // (the reporter is released after the lock: what it holds may end a reporting as it goes)
            let (removed, calledElsewhere) = reporters.withLock { reporters in
                let removed = reporters.all.firstIndex { $0.number == number }.map { reporters.all.remove(at: $0) }
                guard let calling = reporters.calling else { return (removed, false) }
                return (removed, calling.number == number && calling.thread != Self.currentThread())
            }
            // (once this returns, the reporter is not called again: a call under way on another thread ends first;
            // one under way on this thread is the caller's own, from inside the report)
            if calledElsewhere { telling.withLock { _ in } }
            withExtendedLifetime(removed) {}
        }
    }

    /// Tells every reporter set, and not ended, of `change`: each one with no lock held but `telling`, so that a
    /// reporter may set or end reportings (a report under way on another thread delays only its own reporter's end).
    private func tell(_ change: KeysFileChange) {
        let numbers = reporters.withLock { $0.all.map(\.number) }
        for number in numbers {
            telling.withLock { _ in
                let reporter = reporters.withLock { reporters -> (@Sendable (KeysFileChange) -> Void)? in
                    guard let found = reporters.all.first(where: { $0.number == number }) else { return nil }
                    reporters.calling = (number, Self.currentThread())
                    return found.report
                }
                guard let reporter else { return }
                defer { reporters.withLock { $0.calling = nil } }
                reporter(change)
            }
        }
    }

    /// The calling thread's id.
    private static func currentThread() -> UInt {
        #if canImport(Darwin)
            UInt(bitPattern: pthread_self())
        #else
            UInt(pthread_self())
        #endif
    }

    init(path: String, ring: KeyRing, identity: Identity?, recheckInterval: Duration, changeTimeShift: Double = 0) {
        self.path = path
        self.recheckInterval = recheckInterval
        self.changeTimeShift = changeTimeShift
        state = Mutex(State(ring: ring, identity: identity, checkedAt: .now))
    }

    /// The ring as the file last read gives it, after checking the file when `recheckInterval` has passed.
    var current: KeyRing {
        let now = ContinuousClock.now
        let (ring, due) = state.withLock { state in
            (state.ring, now - state.checkedAt >= recheckInterval)
        }
        guard due else { return ring }
        return checking.withLock { _ in
            // (another caller may have checked while this one waited)
            let stillDue = state.withLock { now - $0.checkedAt >= recheckInterval }
            return stillDue ? check(at: now) : state.withLock { $0.ring }
        }
    }

    /// The ring after checking the file now (one `stat`, and a read only when it changed since it was last read),
    /// whatever `recheckInterval` says, for a value naming a key id the ring lacks. Checks run one at a time: a caller
    /// meeting such an id while another checks waits for that check, then checks in its turn (a `stat`), so a key
    /// added just after a check is seen too, and a flood of unknown ids costs a `stat` each, never a read.
    func rereadNow() -> KeyRing {
        checking.withLock { _ in check(at: .now) }
    }

    /// Checks the file, and reads it when it changed. The ring now current. Called with `checking` held.
    private func check(at now: ContinuousClock.Instant) -> KeyRing {
        let identity = Self.identity(ofFileAt: path)
        let (known, ring) = state.withLock { state in
            state.checkedAt = now
            return (state.identity, state.ring)
        }
        guard identity != known, let identity else { return ring }
        let read: KeyRing
        do {
            read = try KeyRing.readFile(path: path)
        } catch {
            return refuse(identity, ring, because: "\(error)")
        }
        if let id = Self.disagreeingKeyID(read, with: ring) {
            return refuse(
                identity, ring,
                because: "\(path): key \(KeyRingError.shown(id)) is not the key of that id read before (a key "
                    + "regenerated under its old id, or an id written another way); values sealed under it would not "
                    + "open")
        }
        // A key the ring holds stays, after the file's, though the file lacks it: values may still be sealed under
        // it (a file caught half written, a line deleted by mistake, a rotation whose rewrap has not run), and only a
        // restart drops it.
        let kept = ring.keys.filter { key in !read.keys.contains { KeyRing.sameKeyID($0.id, key.id) } }
        let reread: KeyRing
        do {
            reread = kept.isEmpty ? read : try KeyRing(keys: read.keys + kept)
        } catch {
            return refuse(identity, ring, because: "\(path) with the keys it no longer lists: \(error)")
        }
        // (read after the stat: a change made in between is read now and seen again, harmlessly, next time)
        state.withLock { state in
            state.ring = reread
            state.identity = identity
            state.refused = nil
        }
        tell(.taken(keyIDs: reread.keys.map(\.id)))
        return reread
    }

    /// Keeps `ring` for a version of the file that is not taken, telling the reporter why the first time that version
    /// is read. Called with `checking` held.
    private func refuse(_ identity: Identity, _ ring: KeyRing, because reason: String) -> KeyRing {
        let first = state.withLock { state in
            defer { state.refused = identity }
            return state.refused != identity
        }
        if first { tell(.refused(reason: reason)) }
        return ring
    }

    /// Whether every key of `read` whose id the ring `held` holds (or a look-alike of it) is that key, byte for byte:
    /// else the file is not taken.
    static func agrees(_ read: KeyRing, with held: KeyRing) -> Bool {
        disagreeingKeyID(read, with: held) == nil
    }

    /// The id of the first key of `read` that the ring `held` holds (or a look-alike of it) as other bytes or under
    /// another spelling, or `nil` when there is none (``agrees(_:with:)``).
    static func disagreeingKeyID(_ read: KeyRing, with held: KeyRing) -> String? {
        read.keys.first { key in
            !held.keys.allSatisfy { heldKey in
                let alike =
                    heldKey.id == key.id
                    || KeyRing.withoutPresentationSelectors(heldKey.id) == KeyRing.withoutPresentationSelectors(key.id)
                return !alike || (KeyRing.sameKeyID(heldKey.id, key.id) && heldKey.hasSameBytes(as: key))
            }
        }?.id
    }

    /// The file's identity, `nil` when it cannot be read.
    static func identity(ofFileAt path: String) -> Identity? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return Identity(
            device: UInt64(status.st_dev), inode: UInt64(status.st_ino), size: Int64(status.st_size),
            modifiedSeconds: Int(status.st_mtim.tv_sec), modifiedNanoseconds: Int(status.st_mtim.tv_nsec),
            changedSeconds: Int(status.st_ctim.tv_sec), changedNanoseconds: Int(status.st_ctim.tv_nsec))
    }
}
