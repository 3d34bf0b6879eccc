import AccountStore
import AccountsHummingbird
import Foundation
import TestSupport
import Testing

/// `AccountRoutes.init`'s check of the mail link bases (`passwordReset.baseURL`, `emailVerification.baseURL`).
struct MailLinkBaseRelativeURLTests {
    /// A `URL` made relative to another (`URL(string: "shop/", relativeTo: site)`) is an ordinary http address with a
    /// host and no query or fragment: its `absoluteString`, on which the links are built, is
    /// `https://app.example/shop/`. The check reads it resolved (not only its relative part, `shop/`, with no scheme or
    /// host), and the app starts.
    @Test func aBaseURLMadeRelativeToTheSitesAddressStartsTheApp() async throws {
        try await withTemporaryDirectory { (directory: String) async -> Void in
            await #expect(processExitsWith: .success) { [directory = directory as String] in
                let store = try makeStore(in: directory)
                let base = URL(string: "shop/", relativeTo: URL(string: "https://app.example/")!)!
                precondition(base.absoluteString == "https://app.example/shop/")
                MountPathTests.makeRoutes(store: store, mountPath: "", resetBase: base)
            }
        }
    }
}
