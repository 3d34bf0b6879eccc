import Foundation
import TwitterOAuth

extension SandboxClientSample {
    /// README "Twitter sandbox": a client pointed at `accounts sandbox`.
    func run() -> TwitterClient {
        let twitter = TwitterClient(
            consumer: ConsumerCredentials(key: key, secret: secret),
            baseURL: URL(string: "http://127.0.0.1:8081")!)  // the line `accounts sandbox` printed
        return twitter
    }
}
