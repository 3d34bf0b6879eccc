// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "accounts",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "AccountModel", targets: ["AccountModel"]),
        .library(name: "AccountMatching", targets: ["AccountMatching"]),
        .library(name: "AccountCrypto", targets: ["AccountCrypto"]),
        .library(name: "AccountStore", targets: ["AccountStore"]),
        .library(name: "AccountTransfer", targets: ["AccountTransfer"]),
        .library(name: "DuplicateDetection", targets: ["DuplicateDetection"]),
        .library(name: "Migrations", targets: ["Migrations"]),
        .library(name: "Registration", targets: ["Registration"]),
        .library(name: "TwitterOAuth", targets: ["TwitterOAuth"]),
        .library(name: "TwitterSandbox", targets: ["TwitterSandbox"]),
        .library(name: "AccountsHummingbird", targets: ["AccountsHummingbird"]),
        .library(name: "AccountsHummingbirdTesting", targets: ["AccountsHummingbirdTesting"]),
        .executable(name: "accounts", targets: ["accounts"]),
        .executable(name: "accounts-bench", targets: ["accounts-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .target(
            name: "COpenSSL",
            linkerSettings: [.linkedLibrary("crypto")]
        ),
        .target(name: "AccountCrypto", dependencies: ["COpenSSL"]),
        .target(name: "AccountModel"),
        .target(name: "AccountMatching", dependencies: ["AccountModel"]),
        .target(name: "AccountTransfer", dependencies: ["AccountModel", "AccountCrypto"]),
        .target(
            name: "Migrations",
            path: "Migrations",
            resources: [.embedInCode("sqlite")]
        ),
        .target(
            name: "AccountStore",
            dependencies: [
                "AccountModel", "AccountMatching", "AccountCrypto", "AccountTransfer", "Migrations",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "DuplicateDetection", dependencies: ["AccountMatching", "AccountModel"],
            exclude: ["HISTORY.md"]  // the measured record of the report's rules, linked from README.md
        ),
        .target(
            name: "TwitterOAuth",
            dependencies: [
                "AccountCrypto", "AccountModel",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "ServerLimits",
            dependencies: [
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ]
        ),
        .target(
            name: "TwitterSandbox",
            dependencies: [
                "TwitterOAuth", "AccountCrypto", "AccountModel", "ServerLimits",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "Registration",
            dependencies: [
                "AccountStore", "AccountModel", "AccountCrypto", "AccountMatching", "TwitterOAuth",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "AccountsHummingbird",
            dependencies: [
                "Registration", "AccountStore", "AccountModel", "AccountMatching", "AccountCrypto", "AccountTransfer",
                "ServerLimits",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ]
        ),
        // A browser for an app's tests of the routes it mounts: plain HTTP, no test framework (an app may use either)
        .target(name: "AccountsHummingbirdTesting", dependencies: ["TwitterOAuth"]),
        .executableTarget(
            name: "accounts",
            dependencies: [
                "AccountModel", "AccountStore", "AccountCrypto", "AccountTransfer", "AccountMatching",
                "DuplicateDetection", "Migrations", "TwitterOAuth", "TwitterSandbox", "Registration",
                "AccountsHummingbird",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "AccountModel", "AccountStore", "AccountCrypto", "AccountTransfer", "TwitterOAuth", "TwitterSandbox",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/TestSupport"
        ),
        .target(
            name: "CBaselines",
            path: "Benchmarks/CBaselines",
            linkerSettings: [.linkedLibrary("crypto"), .linkedLibrary("sqlite3")]
        ),
        .executableTarget(
            name: "accounts-bench",
            dependencies: [
                "CBaselines", "AccountCrypto", "AccountModel", "AccountStore", "Migrations", "TwitterOAuth",
                "AccountMatching", "Registration", "AccountsHummingbird", "TwitterSandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/accounts-bench"
        ),
        .target(name: "FuzzSupport", dependencies: ["AccountCrypto"], path: "Fuzz/FuzzSupport"),
        .target(name: "CFuzzDriver", path: "Fuzz/CFuzzDriver"),
        .executableTarget(
            name: "fuzz-callback", dependencies: ["CFuzzDriver", "FuzzSupport", "TwitterOAuth"],
            path: "Fuzz/fuzz-callback"),
        .executableTarget(
            name: "fuzz-twitter-json", dependencies: ["CFuzzDriver", "FuzzSupport", "TwitterOAuth"],
            path: "Fuzz/fuzz-twitter-json"),
        .executableTarget(
            name: "fuzz-oauth-form", dependencies: ["CFuzzDriver", "FuzzSupport", "TwitterOAuth"],
            path: "Fuzz/fuzz-oauth-form"),
        .executableTarget(
            name: "fuzz-import-line", dependencies: ["CFuzzDriver", "FuzzSupport", "AccountTransfer"],
            path: "Fuzz/fuzz-import-line"),
        .executableTarget(
            name: "fuzz-sealed", dependencies: ["CFuzzDriver", "FuzzSupport", "AccountCrypto"], path: "Fuzz/fuzz-sealed"
        ),
        .executableTarget(
            name: "fuzz-password-hash", dependencies: ["CFuzzDriver", "FuzzSupport", "AccountCrypto"],
            path: "Fuzz/fuzz-password-hash"),
        .executableTarget(
            name: "fuzz-mailbox", dependencies: ["CFuzzDriver", "FuzzSupport", "AccountMatching", "AccountModel"],
            path: "Fuzz/fuzz-mailbox"),
        .executableTarget(
            name: "fuzz-names", dependencies: ["CFuzzDriver", "FuzzSupport", "AccountMatching", "AccountModel"],
            path: "Fuzz/fuzz-names"),
        .executableTarget(
            name: "fuzz-text-misc",
            dependencies: ["CFuzzDriver", "FuzzSupport", "AccountTransfer", "AccountCrypto", "AccountStore"],
            path: "Fuzz/fuzz-text-misc"),
        .executableTarget(
            name: "fuzz-web", dependencies: ["CFuzzDriver", "FuzzSupport", "AccountsHummingbird"], path: "Fuzz/fuzz-web"
        ),
        .executableTarget(
            name: "fuzz-sandbox", dependencies: ["CFuzzDriver", "FuzzSupport", "TwitterSandbox", "TwitterOAuth"],
            path: "Fuzz/fuzz-sandbox"),
        .executableTarget(
            name: "accounts-test-worker",
            dependencies: ["AccountCrypto", "AccountModel", "AccountStore", "Registration", "TwitterOAuth"],
            path: "Tests/Worker"
        ),
        .testTarget(name: "AccountCryptoTests", dependencies: ["AccountCrypto"]),
        .testTarget(name: "AccountModelTests", dependencies: ["AccountModel"]),
        .testTarget(name: "AccountMatchingTests", dependencies: ["AccountMatching", "TestSupport"]),
        .testTarget(
            name: "AccountTransferTests",
            dependencies: ["AccountTransfer", "AccountModel", "AccountCrypto", "TestSupport"]
        ),
        .testTarget(
            name: "DuplicateDetectionTests",
            dependencies: ["DuplicateDetection", "AccountMatching", "AccountModel", "TestSupport"]
        ),
        .testTarget(name: "MigrationsTests", dependencies: ["Migrations", "TestSupport"]),
        .testTarget(name: "TwitterOAuthTests", dependencies: ["TwitterOAuth", "TestSupport"]),
        .testTarget(
            name: "RegistrationTests",
            dependencies: [
                "Registration", "AccountStore", "AccountModel", "AccountCrypto", "AccountMatching", "AccountTransfer",
                "TwitterOAuth", "TwitterSandbox", "TestSupport", "accounts-test-worker",
            ]
        ),
        .testTarget(
            name: "TwitterSandboxTests",
            dependencies: [
                "TwitterSandbox", "TwitterOAuth", "TestSupport",
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "AccountStoreTests",
            dependencies: [
                "AccountStore", "AccountModel", "AccountCrypto", "AccountTransfer", "Migrations", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "AccountsHummingbirdTests",
            dependencies: [
                "AccountsHummingbird", "Registration", "AccountStore", "AccountModel", "AccountCrypto", "Migrations",
                "TwitterOAuth", "TwitterSandbox", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ReadmeSampleTests",
            dependencies: [
                "AccountCrypto", "AccountModel", "AccountStore", "AccountsHummingbird", "AccountsHummingbirdTesting",
                "DuplicateDetection", "Registration", "TwitterOAuth", "TwitterSandbox", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // README's samples, compiled as an app that depends on this package compiles them: public API only
            packageAccess: false
        ),
        .testTarget(
            name: "FreshEmbedderTests",
            dependencies: [
                "AccountCrypto", "AccountModel", "AccountStore", "AccountsHummingbird", "AccountsHummingbirdTesting",
                "Registration", "TwitterOAuth", "TwitterSandbox",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            // an app new to the package, built from README alone: the products' public API only, no TestSupport
            packageAccess: false
        ),
        .testTarget(
            name: "accountsTests",
            dependencies: [
                "accounts", "TestSupport", "AccountStore", "AccountCrypto", "AccountModel", "AccountTransfer",
                "Migrations", "TwitterOAuth",
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.treatAllWarnings(as: .error))
    settings.append(.treatWarning("ExplicitSendable", as: .error))
    target.swiftSettings = settings
}
