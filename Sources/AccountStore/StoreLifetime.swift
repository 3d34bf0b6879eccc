import Foundation
import Synchronization

/// Whether ``AccountStore/close()`` was called on a store (and on every copy of it: the copies share this), and
/// which calls are on their way into the database.
///
/// Every call enters (``enter()``) before it touches the database, so that a call made after the close fails with
/// ``StoreError/closed(path:)`` and changes nothing. A call that entered is under way: ``markClosed()`` waits until
/// each has reached its connection (GRDB's `close` then waits for what runs on it) or ended, since GRDB hands a read
/// that got past its own check as the pool closed a closed connection, on which SQLite dereferences a NULL handle.
final class StoreLifetime: Sendable {
    private struct State {
        var closed = false
        /// Calls that entered and have neither reached their connection nor ended.
        var entering = 0
        /// What ``markClosed()`` calls to stop the long calls under way (imports), by registration number.
        var stops: [Int: @Sendable () -> Void] = [:]
        var nextStop = 0
    }

    private let state = Mutex(State())

    /// Whether ``markClosed()`` was called.
    var isClosed: Bool { state.withLock { $0.closed } }

    /// How many calls entered and have neither reached their connection nor ended.
    var entering: Int { state.withLock { $0.entering } }

    /// A call on its way into the database, or `nil` once the store is closed.
    func enter() -> Entry? {
        state.withLock { state in
            guard !state.closed else { return nil }
            state.entering += 1
            return Entry(self)
        }
    }

    /// Registers `stop`, which ``markClosed()`` calls to end a long call under way early (an import, whose file may
    /// keep it waiting for ever); its number for ``unregister(_:)``, or `nil` once the store is closed.
    func register(stop: @escaping @Sendable () -> Void) -> Int? {
        state.withLock { state in
            guard !state.closed else { return nil }
            state.nextStop += 1
            state.stops[state.nextStop] = stop
            return state.nextStop
        }
    }

    /// Forgets what ``register(stop:)`` registered (the call ended).
    func unregister(_ number: Int) {
        _ = state.withLock { $0.stops.removeValue(forKey: number) }
    }

    /// Marks the store closed, stops the long calls under way (``register(stop:)``), then waits for the calls that
    /// entered to reach their connection or end; whether it was open until now (`false` for a second close).
    func markClosed() -> Bool {
        let (wasOpen, stops) = state.withLock { state in
            defer {
                state.closed = true
                state.stops.removeAll()
            }
            return (!state.closed, Array(state.stops.values))
        }
        for stop in stops { stop() }
        while state.withLock({ $0.entering }) > 0 { usleep(50) }
        return wasOpen
    }

    fileprivate func left() {
        state.withLock { $0.entering -= 1 }
    }

    /// One call on its way into the database: ended (``end()``) when it runs on its connection, or when it returns.
    final class Entry: Sendable {
        private let lifetime: StoreLifetime
        private let ended = Atomic<Bool>(false)

        fileprivate init(_ lifetime: StoreLifetime) {
            self.lifetime = lifetime
        }

        /// Ends the entry (again: nothing).
        func end() {
            if !ended.exchange(true, ordering: .acquiringAndReleasing) { lifetime.left() }
        }
    }
}
