import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing

/// `LocalAccounts`' link settings are plain `TimeInterval`s: one too long to store (an app meaning "links that do not
/// expire") must be refused or clamped, not stop the process (in `AccountRoutes` the link is issued in a detached
/// task, so a trap there takes the whole server down on one "Forgot your password?").
struct LinkLifetimeBoundsTests {
    @Test(arguments: ["password reset", "email confirmation"])
    func aLinkLifetimeTooLongToStoreDoesNotStopTheProcess(_ link: String) async throws {
        try await withTemporaryDirectory { (directory: String) async -> Void in
            await #expect(processExitsWith: .success) { [link, directory = directory as String] in
                let store = try makeStore(in: directory)
                defer { try? store.close() }
                var local = LocalAccounts(store: store, hasher: LocalAccountsTests.fastHasher, failureFloor: .zero)
                let ann = try await local.signUp(
                    SignUpForm(
                        username: "ann", email: "ann@example.org", password: Secret("correct horse battery staple")))
                local.passwordResetLifetime = .infinity
                local.emailVerificationLifetime = .infinity
                // (a refusal, thrown, is fine; a trap is not)
                if link == "password reset" {
                    _ = try? await local.requestPasswordReset(email: "ann@example.org")
                } else {
                    _ = try? await local.requestEmailVerification(for: ann.id)
                }
            }
        }
    }
}
