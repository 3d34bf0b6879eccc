import AccountStore
import AccountsHummingbird
import Hummingbird

extension ShutdownSample {
    /// README "Forgot your password?": stopping an app that mails links.
    func run() async throws {
        try await application.runService()  // SIGINT or SIGTERM: a graceful shutdown, then it returns
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await routes.finishMails() }  // every link asked for so far issued and mailed
            group.addTask { try? await Task.sleep(for: .seconds(10)) }  // or 10 seconds, whichever comes first
            await group.next()
            group.cancelAll()
        }
        // checkpoints the -wal file: deleted accounts leave it too (secure_delete zeroes what they held)
        try store.close()
    }
}
