import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing

extension RegistrationFlowTests {
    /// Local accounts and registration built on a store that was closed (an app shutting down while a request or a
    /// mail is under way) throw the store's ``StoreError/closed(path:)`` from every call, and change nothing: no
    /// sign-up, no sign-in recorded, no link issued, no draft completed.
    @Test func servicesOnAClosedStoreSayTheStoreWasClosedAndChangeNothing() async throws {
        try await withFlow { flow throws in
            // Given an account, a draft, and a Twitter sign-in approved but not called back yet
            let path = flow.directory + "/accounts.sqlite"
            let password = LocalAccountsTests.password
            let ann = try await flow.local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: password))
            guard case .needsDetails(let draft) = try await flow.arrive(as: Self.zoe, session: "browser-1") else {
                Issue.record("expected a draft")
                return
            }
            let url = try await flow.service.begin(purpose: .register, browserSession: "browser-2")
            let query = try await flow.approve(url, as: Self.yamada)

            // When the store is closed
            try flow.store.close()
            let digest = fileDigest(path)
            let files = try FileManager.default.contentsOfDirectory(atPath: flow.directory).sorted()

            // Then every call of the services says the store was closed
            let closed = StoreError.closed(path: path)
            await #expect(throws: LocalAccountError.store(closed)) {
                try await flow.local.signUp(SignUpForm(username: "bob", email: "bob@example.org", password: password))
            }
            await #expect(throws: LocalAccountError.store(closed)) {
                try await flow.local.signIn(login: "ann", password: password)
            }
            await #expect(throws: LocalAccountError.store(closed)) {
                try await flow.local.requestPasswordReset(email: "ann@example.org")
            }
            await #expect(throws: LocalAccountError.store(closed)) {
                try await flow.local.passwordResetAccount(token: Secret(String(repeating: "a", count: 64)))
            }
            await #expect(throws: LocalAccountError.store(closed)) {
                try await flow.local.requestEmailVerification(for: ann.id)
            }
            await #expect(throws: LocalAccountError.store(closed)) {
                try await flow.local.changePassword(
                    for: ann.id, current: password, new: Secret("another horse battery staple"))
            }
            await #expect(throws: LocalAccountError.store(closed)) {
                try await flow.local.deleteAccount(for: ann.id, current: password)
            }
            await #expect(throws: RegistrationError.store(closed)) {
                try await flow.service.begin(purpose: .register, browserSession: "browser-3")
            }
            await #expect(throws: RegistrationError.store(closed)) {
                try await flow.service.handleCallback(query: query, browserSession: "browser-2")
            }
            await #expect(throws: RegistrationError.store(closed)) {
                try await flow.service.complete(
                    draftID: draft.id, form: RegistrationForm(username: "zoe", email: "zoe@example.com"),
                    browserSession: "browser-1")
            }
            // And nothing changed
            #expect(fileDigest(path) == digest)
            #expect(try FileManager.default.contentsOfDirectory(atPath: flow.directory).sorted() == files)
        }
    }
}
