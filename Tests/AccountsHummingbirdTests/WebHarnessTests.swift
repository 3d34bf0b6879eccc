import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import TestSupport
import Testing
import TwitterOAuth

/// The test harness stops its app as the README's shutdown sample tells apps to.
struct WebHarnessTests {
    /// A test that ends while a reset link is still being mailed does not close the store under it: the harness stops
    /// the server, waits for the mails asked for (``AccountRoutes/finishMails()``), and only then closes the store. The
    /// mailer here holds its mail until the server has stopped, then reads the store.
    @Test func theStoreClosesOnlyAfterTheMailsAskedForAreSent() async throws {
        let sent = Locked<[Result<String?, StoreError>]>([])
        let app = Locked<WebApp?>(nil)
        var routes = AccountRoutes.Configuration()
        routes.passwordReset = AccountRoutes.PasswordResetDelivery(baseURL: URL(string: "https://accounts.example")!) {
            mail in
            // A mail server that takes its time: until the app's server has stopped, and a while more
            let running = try #require(app.value)
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                do {
                    _ = try await running.sandbox.transport.send(
                        method: "GET", url: running.base, headers: [HTTPHeader(name: "Connection", value: "close")],
                        body: [], timeout: .seconds(5), maximumResponseBodySize: 1 << 20)
                    try await Task.sleep(for: .milliseconds(20))
                } catch {
                    break
                }
            }
            try await Task.sleep(for: .milliseconds(200))
            do throws(StoreError) {
                let account = try await running.store.account(email: mail.to)
                sent.withLock { $0.append(.success(account?.username)) }
            } catch {
                sent.withLock { $0.append(.failure(error)) }
            }
        }
        try await WebApp.run(configuration: routes) { running in
            app.withLock { $0 = running }
            // Given a link asked for, its mail held up
            var browser = try await PasswordResetRoutesTests.signUpAda(running)
            let answer = try await browser.submit(
                "/password/forgot", to: "/password/forgot", [("email", "ada@example.org")])
            #expect(answer.status == 200)
            // When the test ends at once
        }
        // Then the mail went out before the app stopped, and the store was still open for it
        #expect(sent.value == [.success("ada")])
    }
}
