import Foundation
import Synchronization

/// A keys file as a running process follows it: a rotation ("put the new key's line first, then `accounts keys
/// rewrap`") done while an app runs must not leave the app unable to open what the rewrap moved to the new key, nor
/// sealing under the old one after it.
///
/// The file is checked (one `stat`) at most every `recheckInterval` when the ring seals or opens, and read again when
/// it changed (another inode, size or modification time); a value naming a key id the ring lacks has it checked at
/// once (at most once a second). A file that no longer reads as a valid ring (half written, its mode widened) is not
/// taken: the keys read last stay, and the next change is tried again. Keys are added, never dropped: one the file no
/// longer holds stays (after the file's) until the process restarts.
final class KeysFileFollower: Sendable {
    /// What tells one version of the file from another.
    struct Identity: Equatable, Sendable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modifiedSeconds: Int
        var modifiedNanoseconds: Int
    }

    private struct State: Sendable {
        var ring: KeyRing
        var identity: Identity?
        var checkedAt: ContinuousClock.Instant
        var rereadAt: ContinuousClock.Instant?
    }

    let path: String
    private let recheckInterval: Duration
    private let state: Mutex<State>

    init(path: String, ring: KeyRing, identity: Identity?, recheckInterval: Duration) {
        self.path = path
        self.recheckInterval = recheckInterval
        state = Mutex(State(ring: ring, identity: identity, checkedAt: .now, rereadAt: nil))
    }

    /// The ring as the file last read gives it, after checking the file when `recheckInterval` has passed.
    var current: KeyRing {
        let now = ContinuousClock.now
        let (ring, due) = state.withLock { state in
            (state.ring, now - state.checkedAt >= recheckInterval)
        }
        guard due else { return ring }
        return check(at: now)
    }

    /// The ring after checking the file now, whatever `recheckInterval` says (at most once a second: else `nil`), for
    /// a value naming a key id the ring lacks.
    func rereadNow() -> KeyRing? {
        let now = ContinuousClock.now
        let allowed = state.withLock { state in
            guard state.rereadAt.map({ now - $0 >= .seconds(1) }) ?? true else { return false }
            state.rereadAt = now
            return true
        }
        return allowed ? check(at: now) : nil
    }

    /// Checks the file, and reads it when it changed. The ring now current.
    private func check(at now: ContinuousClock.Instant) -> KeyRing {
        let identity = Self.identity(ofFileAt: path)
        let (known, ring) = state.withLock { state in
            state.checkedAt = now
            return (state.identity, state.ring)
        }
        guard identity != known, let identity else { return ring }
        guard let read = try? KeyRing.readFile(path: path) else { return ring }
        // A key the ring holds stays, after the file's, though the file lacks it: values may still be sealed under
        // it (a file caught half written, a line deleted by mistake, a rotation whose rewrap has not run), and only a
        // restart drops it. (A ring that would not check, a kept key's id a look-alike of one in the file, is the
        // file's alone.)
        let kept = ring.keys.filter { key in !read.keys.contains { KeyRing.sameKeyID($0.id, key.id) } }
        let reread = kept.isEmpty ? read : ((try? KeyRing(keys: read.keys + kept)) ?? read)
        // (read after the stat: a change made in between is read now and seen again, harmlessly, next time)
        state.withLock { state in
            state.ring = reread
            state.identity = identity
        }
        return reread
    }

    /// The file's identity, `nil` when it cannot be read.
    static func identity(ofFileAt path: String) -> Identity? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return Identity(
            device: UInt64(status.st_dev), inode: UInt64(status.st_ino), size: Int64(status.st_size),
            modifiedSeconds: Int(status.st_mtim.tv_sec), modifiedNanoseconds: Int(status.st_mtim.tv_nsec))
    }
}
