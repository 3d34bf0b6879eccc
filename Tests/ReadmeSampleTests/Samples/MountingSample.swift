// Package.swift: .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1") beside
// this package and swift-log; target dependencies: .product(name: "AccountsHummingbird", package: "accounts"), plus
// AccountStore, AccountModel, AccountCrypto, Registration, TwitterOAuth, Hummingbird and Logging (swift-log)
import AccountCrypto
import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import Hummingbird
import Logging
import Registration
import TwitterOAuth

/// README "Mounting the routes": an app serving the routes (its top-level statements, in a function).
func mountingSample(consumerKey: String, consumerSecret: String) async throws {
    let logger = Logger(label: "app.accounts")  // the routes, the service and the store log nothing without one
    var storeConfiguration = StoreConfiguration(path: "accounts.sqlite")  // migrated by `accounts migrate` on deploy
    storeConfiguration.logger = logger
    let store = try AccountStore(
        configuration: storeConfiguration,
        keyRing: try KeyRing.load(keysFile: nil, environment: ProcessInfo.processInfo.environment))
    let registration = RegistrationService(
        store: store, twitter: TwitterClient(consumer: ConsumerCredentials(key: consumerKey, secret: consumerSecret)),
        configuration: .init(callbackURL: "https://app.example" + AccountRoutes.callbackPath), logger: logger)
    var web = AccountRoutes.Configuration()
    web.allowedHosts = ["app.example"]  // browsers reach the app directly: another Host gets 421 (DNS rebinding)
    let routes = AccountRoutes(
        store: store, registration: registration, local: LocalAccounts(store: store), configuration: web, logger: logger
    )

    let router = Router(context: AccountsRequestContext.self)  // knows each request's peer address
    router.add(middleware: routes.hostCheck())  // allowedHosts for the app's own routes too
    routes.addRoutes(to: router)  // the routes below
    router.get("/hello") { request, context in  // the app's own routes can ask who is signed in
        let account = try await routes.signedInAccount(request, context: context)
        return "Hello, \(account?.username ?? "stranger")"
    }
    try await Application(
        // closes idle, trickling, non-reading clients (30 s); at most 16 connections per client (no proxy in front)
        router: router, server: AccountRoutes.http1Server(connectionsPerClient: 16),
        configuration: .init(
            address: .hostname("0.0.0.0", port: 8080),
            availableConnectionsDelegate: AccountRoutes.connectionLimit())  // at most a quarter of `ulimit -n`
    ).runService()
    try store.close()  // after a graceful shutdown: checkpoints the -wal file (see the shutdown example below)
}
