import Foundation
import TwitterOAuth
import TwitterSandbox

extension SandboxInProcessSample {
    /// README "Twitter sandbox": the sandbox in a test's process, asked for a request token.
    func run() async throws {
        let consumer = SandboxConfiguration.generateConsumerCredentials()
        let sandbox = try TwitterSandbox(configuration: SandboxConfiguration(consumer: consumer))  // the built-in users
        try await withThrowingTaskGroup(of: Void.self) { group in
            let (ports, ready) = AsyncStream<Int>.makeStream()
            group.addTask {
                defer { ready.finish() }
                try await sandbox.run { port in ready.yield(port) }
            }
            var announced = ports.makeAsyncIterator()
            guard let port = await announced.next() else { return try await group.waitForAll() }  // its error
            let twitter = TwitterClient(
                consumer: consumer, baseURL: URL(string: "http://127.0.0.1:\(port)")!,
                timeout: .seconds(300))  // a busy test process can be slow to answer
            let token = try await twitter.requestToken(callback: "oob")
            seen.note(token.token)  // the app over `twitter` (on port 0), and the test's requests
            group.cancelAll()  // stops the sandbox
        }
    }
}
