import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing

/// The services' lengths of time are used within bounds: a setting that is no length of time (0, negative, NaN)
/// is used as its default, and one longer than its bound (`.infinity` included) as the bound. Until session 62 a
/// negative `failureWindow` switched the cool-down off (every count started empty), an infinite one made a retry
/// time that trapped the page that showed it, and a `failureWindow` over a day was cut short by the purge.
struct SettingBoundsTests {
    static let password = LocalAccountsTests.password

    /// Ann signed up through a service that `configure` set up, on a test clock.
    func withAnn<T>(
        _ configure: (inout LocalAccounts) -> Void, _ body: (LocalAccounts, TestClock) async throws -> T
    ) async throws -> T {
        try await withTemporaryDirectory { dir in
            let clock = TestClock()
            let store = try makeStore(in: dir, now: clock.closure)
            defer { try? store.close() }
            var local = LocalAccounts(store: store, hasher: LocalAccountsTests.fastHasher, failureFloor: .zero)
            configure(&local)
            _ = try await local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            return try await body(local, clock)
        }
    }

    /// Ten wrong passwords for ann, a second apart under `window`; then the `.throttled` answer of the eleventh, with
    /// the time of the first failure.
    func throttling(under window: TimeInterval) async throws -> (retryAfter: Date?, firstFailure: Date) {
        try await withAnn({ $0.failureWindow = window }) { local, clock in
            let first = clock.now
            for _ in 0..<10 {
                _ = try await local.signIn(login: "ann", password: Secret("wrong password!"))
                clock.advance(by: 1)
            }
            guard case .throttled(let retryAfter) = try await local.signIn(login: "ann", password: Self.password) else {
                return (nil, first)
            }
            return (retryAfter, first)
        }
    }

    @Test(arguments: [-60, 0, TimeInterval.nan, 900] as [TimeInterval])
    func aWindowThatIsNoLengthOfTimeIsTheDefault(window: TimeInterval) async throws {
        let (retryAfter, first) = try await throttling(under: window)
        #expect(retryAfter == first.addingTimeInterval(15 * 60), "window \(window): \(String(describing: retryAfter))")
    }

    @Test(arguments: [172_800, TimeInterval.infinity] as [TimeInterval])
    func aWindowLongerThanADayIsADay(window: TimeInterval) async throws {
        let (retryAfter, first) = try await throttling(under: window)
        #expect(
            retryAfter == first.addingTimeInterval(24 * 60 * 60), "window \(window): \(String(describing: retryAfter))")
    }

    /// Links: a reset link of an infinite lifetime works a year; one of a negative lifetime, the default hour.
    @Test(
        arguments: [(TimeInterval.infinity, 31_536_000), (-1, 3_600), (TimeInterval.nan, 3_600)]
            as [(TimeInterval, TimeInterval)])
    func aLinkLifetimeIsBounded(lifetime: TimeInterval, used: TimeInterval) async throws {
        try await withAnn({ $0.passwordResetLifetime = lifetime }) { local, clock in
            let reset = try #require(try await local.requestPasswordReset(email: "ann@example.org"))
            #expect(reset.expiresAt == clock.now.addingTimeInterval(used))
        }
    }

    /// The limit on reset links mailed to one account counts within its window: a window of 0 or less is the default
    /// hour (until the fix it counted no link, and the limit never held).
    @Test(arguments: [0, -60, TimeInterval.nan] as [TimeInterval])
    func aMailLimitWindowThatIsNoLengthOfTimeIsTheDefault(window: TimeInterval) async throws {
        try await withAnn({ $0.passwordResetWindow = window }) { local, clock in
            for _ in 0..<3 {
                let issued = try await local.requestPasswordReset(email: "ann@example.org")
                #expect(issued != nil)
                clock.advance(by: 1)
            }
            let fourth = try await local.requestPasswordReset(email: "ann@example.org")
            #expect(fourth == nil, "a fourth link was issued within the hour")
        }
    }
}
