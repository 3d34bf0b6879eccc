import AccountModel
import AccountStore
import Foundation

extension ClosedStoreSample {
    /// README "Forgot your password?": what a call on a closed store throws.
    func run() async throws {
        do {
            try await store.recordEvent(AccountEvent(kind: .signedIn, subject: user, actor: "user", occurredAt: Date()))
        } catch StoreError.closed {
            // the app is stopping: nothing was written; drop the work, or hand it to the next start
        }
    }
}
