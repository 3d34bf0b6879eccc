import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing

/// The failure floor hides what a wrong guess cost. A password whose NFKC form differs from what was typed (a
/// full-width letter, a decomposed accent: an attacker chooses one at will) is checked twice, against the account's
/// hash or two dummies; one floor then hid one check but not two, so against an imported Django hash dearer than
/// half the floor a wrong guess outlasted one at an unknown login, and told the login existed.
struct FailureFloorTests {
    @Test(arguments: [("wrong-password", 1), ("ｗrong-password", 2)])
    func aFailedSignInWaitsOneFloorForEachFormOfThePassword(password: String, forms: Int) async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir, now: TestClock().closure)
            defer { try? store.close() }
            let floor = Duration.milliseconds(800)
            let local = LocalAccounts(store: store, hasher: LocalAccountsTests.fastHasher, failureFloor: floor)
            _ = try await local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Secret("ann's long password")))
            for login in ["ann", "nobody"] {
                let started = ContinuousClock.now
                let outcome = try await local.signIn(login: login, password: Secret(password))
                let elapsed = ContinuousClock.now - started
                #expect(outcome == .invalidCredentials)
                #expect(elapsed >= floor * forms, "\(login): \(elapsed)")
            }
        }
    }
}
