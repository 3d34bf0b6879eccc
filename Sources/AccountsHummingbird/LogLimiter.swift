import Foundation
import Synchronization

/// One log line a minute at most for each kind of event a client can cause at will (a forged `Host`, an `Origin`
/// of the other scheme, mails refused while too many are under way), counting the events each line stands for: a
/// flood is otherwise a line a request, and operators alerting on error lines would be paged by anyone.
final class LogLimiter: Sendable {
    private let logged = Mutex<[String: (at: Date?, since: Int)]>([:])

    /// How many events of `kind` the line logged now stands for (this one and those not logged since the last line),
    /// or nil when a line of that kind was logged less than a minute before `now`.
    func eventsToLog(_ kind: String, at now: Date) -> Int? {
        logged.withLock { logged in
            var entry = logged[kind] ?? (at: nil, since: 0)
            entry.since += 1
            defer { logged[kind] = entry }
            if let last = entry.at, now >= last, now.timeIntervalSince(last) < 60 { return nil }
            defer { entry.since = 0 }
            entry.at = now
            return entry.since
        }
    }
}
