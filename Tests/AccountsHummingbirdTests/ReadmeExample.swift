import AccountCrypto
import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import Hummingbird
import Logging
import Registration
import TwitterOAuth

/// The README's "Mounting the routes" example, kept here so that it keeps compiling (never run).
func readmeMountingExample(consumerKey: String, consumerSecret: String) async throws {
    let logger = Logger(label: "app.accounts")  // the routes, the service and the store log nothing without one
    var storeConfiguration = StoreConfiguration(path: "accounts.sqlite")
    storeConfiguration.schemaPolicy = .applyPendingMigrations
    storeConfiguration.logger = logger
    let store = try AccountStore(
        configuration: storeConfiguration,
        keyRing: try KeyRing.load(keysFile: nil, environment: ProcessInfo.processInfo.environment))
    let registration = RegistrationService(
        store: store, twitter: TwitterClient(consumer: ConsumerCredentials(key: consumerKey, secret: consumerSecret)),
        configuration: .init(callbackURL: "https://app.example" + AccountRoutes.callbackPath), logger: logger)
    let routes = AccountRoutes(
        store: store, registration: registration, local: LocalAccounts(store: store), logger: logger)

    let router = Router(context: AccountsRequestContext.self)
    routes.addRoutes(to: router)  // the routes below
    router.get("/hello") { request, context in  // the app's own routes can ask who is signed in
        let account = try await routes.signedInAccount(request, context: context)
        return "Hello, \(account?.username ?? "stranger")"
    }
    try await Application(
        router: router, server: AccountRoutes.http1Server(),  // closes idle, trickling, non-reading clients (30 s)
        configuration: .init(
            address: .hostname("0.0.0.0", port: 8080),
            availableConnectionsDelegate: AccountRoutes.connectionLimit())  // at most a quarter of `ulimit -n`
    ).runService()
    try store.close()  // after a graceful shutdown: checkpoints the -wal file (see the shutdown example below)
}

/// The README's shutdown example for "Forgot your password?", kept here so that it keeps compiling (never run).
func readmeResetShutdownExample(
    application: some ApplicationProtocol, routes: AccountRoutes, store: AccountStore
) async throws {
    try await application.runService()  // SIGINT or SIGTERM: a graceful shutdown, then it returns
    await withTaskGroup(of: Void.self) { group in
        group.addTask { await routes.finishMails() }  // every link asked for so far issued and mailed
        group.addTask { try? await Task.sleep(for: .seconds(10)) }  // or 10 seconds, whichever comes first
        await group.next()
        group.cancelAll()
    }
    try store.close()  // checkpoints the -wal file: deleted accounts leave it too (secure_delete zeroes what they held)
}
