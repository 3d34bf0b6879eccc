public import Foundation
import Synchronization

extension RegistrationService {
    /// A limit on how often something may happen: `count` per `period` on average, as a burst of `count` at once,
    /// then one more every `period / count` seconds (so up to `2 × count − 1` within one `period` that starts with a
    /// full burst; `count` in any `period` only when the allowance was not saved up).
    public struct Rate: Sendable, Hashable, CustomStringConvertible {
        /// How many per `period` (and the largest burst).
        public let count: Int
        /// The period, in seconds.
        public let period: TimeInterval

        /// `count` (1 or more) per `period` seconds (more than 0, a year at most): a burst of `count`, then one every
        /// `period / count`.
        public init(_ count: Int, per period: TimeInterval) {
            precondition(count >= 1, "RegistrationService.Rate: count must be 1 or more (it is \(count))")
            precondition(
                period > 0 && period <= 31_536_000,
                "RegistrationService.Rate: period must be above 0 s and at most a year (it is \(period))")
            self.count = count
            self.period = period
        }

        /// `10 per 600.0 s`.
        public var description: String { "\(count) per \(period) s" }

        /// The time one more allows after the last: `period / count`.
        var interval: TimeInterval { period / Double(count) }
    }

    /// Whose limit a begin was refused by (``RegistrationError/throttled(retryAfter:scope:)``).
    public enum ThrottleScope: String, Sendable, Hashable {
        /// The client's own (``Configuration/beginsPerClient``): this client began too many authorizations.
        case client
        /// The client's network's (``Configuration/beginsPerNetwork``): its clients together began too many.
        case network
        /// The whole site's (``Configuration/beginsInAll``): too many began from everyone together.
        case site
    }
}

/// Counts requests of one kind (Twitter authorizations begun; password reset links asked for), per client, per network
/// and in all, and refuses those over the limits (the generic cell rate algorithm: each key keeps the time at which its
/// allowance is whole again, so one `Date` per client).
///
/// In memory, per process: an app that runs several processes gets each one's limits. A client that has asked nothing
/// for one period is forgotten (each table is swept when it has doubled since its last sweep). Shared with
/// `AccountsHummingbird`, which limits "Forgot your password?" requests with it.
package final class RequestThrottle: Sendable {
    package enum Decision: Equatable {
        case allowed
        case refused(retryAfter: Date, scope: RegistrationService.ThrottleScope)
    }

    package let perClient: RegistrationService.Rate?
    package let perNetwork: RegistrationService.Rate?
    package let inAll: RegistrationService.Rate?
    private let state = Mutex(State())

    private struct State {
        /// Per scope and key: when its allowance is whole again (the "theoretical arrival time"); the site's one key
        /// is "".
        var allowances: [RegistrationService.ThrottleScope: [String: Date]] = [:]
        var sweepAbove: [RegistrationService.ThrottleScope: Int] = [:]
        /// Per scope: when a refusal was last logged, and the refusals since.
        var logged: [RegistrationService.ThrottleScope: (at: Date, since: Int)] = [:]
    }

    /// How often refusals of one scope are logged at most: a flood would otherwise write a line per request.
    static let logInterval: TimeInterval = 60

    /// Whether to log a refusal of `scope` at `now`: the refusals it stands for (itself and those not logged since
    /// the last line), or `nil` when a line for `scope` was written less than ``logInterval`` ago.
    package func refusalsToLog(_ scope: RegistrationService.ThrottleScope, at now: Date) -> Int? {
        state.withLock { state in
            if let last = state.logged[scope], now.timeIntervalSince(last.at) < Self.logInterval,
                now >= last.at
            {
                state.logged[scope] = (last.at, last.since + 1)
                return nil
            }
            let count = (state.logged[scope]?.since ?? 0) + 1
            state.logged[scope] = (now, 0)
            return count
        }
    }

    package init(
        perClient: RegistrationService.Rate?, perNetwork: RegistrationService.Rate?, inAll: RegistrationService.Rate?
    ) {
        self.perClient = perClient
        self.perNetwork = perNetwork
        self.inAll = inAll
    }

    /// Counts one request by `client` (of `network`, when known) at `now` when every limit allows it; counts nothing
    /// when one refuses.
    package func admit(client: String, network: String?, at now: Date) -> Decision {
        state.withLock { state in
            let tiers: [(scope: RegistrationService.ThrottleScope, key: String?, rate: RegistrationService.Rate?)] = [
                (.client, client, perClient), (.network, network, perNetwork), (.site, "", inAll),
            ]
            var admitted: [(scope: RegistrationService.ThrottleScope, key: String, next: Date)] = []
            for tier in tiers {
                guard let key = tier.key, let rate = tier.rate else { continue }
                let next = Self.next(after: &state.allowances[tier.scope, default: [:]][key], now: now, rate: rate)
                if Self.isOver(next, now: now, rate: rate) {
                    return .refused(retryAfter: next.addingTimeInterval(-rate.period), scope: tier.scope)
                }
                admitted.append((tier.scope, key, next))
            }
            for (scope, key, next) in admitted {
                state.allowances[scope, default: [:]][key] = next
                let count = state.allowances[scope]?.count ?? 0
                if count > state.sweepAbove[scope, default: 1024] {
                    // Keys whose allowance is whole again are as good as new.
                    state.allowances[scope] = state.allowances[scope]?.filter { $0.value > now }
                    state.sweepAbove[scope] = max(1024, 2 * (state.allowances[scope]?.count ?? 0))
                }
            }
            return .allowed
        }
    }

    /// When the allowance would be whole again after one more begin at `now`. A stored time more than one period
    /// ahead (only after the clock was set back) is brought back to one period ahead, and kept so even when this
    /// begin is refused: a clock set back by an hour holds a key for one interval, not for the hour (the site-wide
    /// key included).
    private static func next(after whole: inout Date?, now: Date, rate: RegistrationService.Rate) -> Date {
        let full = now.addingTimeInterval(rate.period)
        if let stored = whole, stored > full { whole = full }
        return max(whole ?? now, now).addingTimeInterval(rate.interval)
    }

    /// Whether `next` is more than one period ahead of `now`, give or take the rounding of the `Date` sums: each
    /// `addingTimeInterval` rounds to the last bit of a `Double` of about 10⁹ s (~10⁻⁷ s), and a burst adds `count`
    /// intervals, so without the slack the `count`th begin of a burst is refused for rates such as 3 per 10 s.
    private static func isOver(_ next: Date, now: Date, rate: RegistrationService.Rate) -> Bool {
        let magnitude = now.timeIntervalSinceReferenceDate.magnitude + rate.period
        let slack = min((Double(rate.count) + 2) * magnitude.ulp + 4 * rate.period.ulp, rate.interval / 2)
        return next.timeIntervalSince(now) > rate.period + slack
    }
}
