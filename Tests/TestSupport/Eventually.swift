public import AccountStore
import Foundation

/// Waits until `condition` holds, looking every 10 ms, for at most `timeout` (60 s: long enough for a loaded CI
/// machine, where a background task may wait a while for a thread and for the disk; a test whose condition holds
/// goes on at once). Whether it held.
@discardableResult
public func eventually(
    timeout: Duration = .seconds(60), _ condition: @Sendable () throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while try !condition() {
        guard ContinuousClock.now < deadline else { return false }
        try await Task.sleep(for: .milliseconds(10))
    }
    return true
}

/// Waits until `count` writes of `store` are in flight (running, or waiting for the write lock): each request a race
/// test started has reached its write. Five minutes at most: a test process running hundreds of tests on two cores
/// can leave a request's task (or its password hashing on Dispatch's queue) waiting for a minute before it runs.
public func writesReached(_ count: Int, in store: AccountStore) async throws -> Bool {
    try await eventually(timeout: .seconds(300)) { store.writesInFlight == count }
}
