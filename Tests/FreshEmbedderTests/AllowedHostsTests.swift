import AccountCrypto
import AccountStore
import AccountsHummingbird
import Foundation
import Registration
import Testing
import TwitterOAuth

/// `AccountRoutes.Configuration.allowedHosts` as an app new to the package writes it: an entry no request's host can
/// match (a port, a capital letter, an IPv6 address without brackets) stops the app when the routes are made, naming
/// it, as a bad `mountPath` or `cookieName` does. Until session 54 the routes took it and answered every request with
/// 421 Misdirected Request, with a warning only in a log the app may not have given them.
struct AllowedHostsTests {
    static func makeRoutes(in directory: String, allowedHosts: Set<String>) throws {
        var storeConfiguration = StoreConfiguration(path: directory + "/accounts.sqlite")
        storeConfiguration.schemaPolicy = .applyPendingMigrations
        let store = try AccountStore(
            configuration: storeConfiguration, keyRing: try KeyRing(keys: [try SecretKey.generate(id: "k1")]))
        defer { try? store.close() }
        let registration = RegistrationService(
            store: store,
            twitter: TwitterClient(
                consumer: ConsumerCredentials(key: "key", secret: "secret"), baseURL: URL(string: "http://127.0.0.1:9")!
            ),
            configuration: .init(callbackURL: "http://127.0.0.1:8080" + AccountRoutes.callbackPath))
        var web = AccountRoutes.Configuration()
        web.allowedHosts = allowedHosts
        _ = AccountRoutes(
            store: store, registration: registration, local: LocalAccounts(store: store), configuration: web)
    }

    static func withDirectory(_ body: (String) async throws -> Void) async throws {
        let directory = NSTemporaryDirectory() + "allowed-hosts-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await body(directory)
    }

    @Test(arguments: ["localhost:8080", "App.example", "::1", "[::1]:8080", "app.example/", ""])
    func anEntryNoHostCanMatchStopsTheApp(_ entry: String) async throws {
        try await Self.withDirectory { (directory: String) async -> Void in
            let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
                [entry, directory = directory as String] in
                try AllowedHostsTests.makeRoutes(in: directory, allowedHosts: ["127.0.0.1", entry])
            }
            let said = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
            #expect(said.contains("allowedHosts") && said.contains("\"\(entry)\""), "\(said)")
        }
    }

    @Test func hostNamesAsRequestsNameThemAreTaken() async throws {
        try await Self.withDirectory { directory in
            try Self.makeRoutes(
                in: directory,
                allowedHosts: [
                    "127.0.0.1", "localhost", "[::1]", "app.example", "x-1.example", "xn--bcher-kva.example",
                    "app.example.", "[::ffff:127.0.0.1]",
                ])
        }
    }
}
