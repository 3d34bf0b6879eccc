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
        .library(name: "DuplicateDetection", targets: ["DuplicateDetection"]),
        .library(name: "Migrations", targets: ["Migrations"]),
        .library(name: "Registration", targets: ["Registration"]),
        .library(name: "TwitterOAuth", targets: ["TwitterOAuth"]),
        .library(name: "TwitterSandbox", targets: ["TwitterSandbox"]),
        .executable(name: "accounts", targets: ["accounts"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        .target(
            name: "COpenSSL",
            linkerSettings: [.linkedLibrary("crypto")]
        ),
        .target(name: "AccountCrypto", dependencies: ["COpenSSL"]),
        .target(name: "AccountModel"),
        .target(name: "AccountMatching", dependencies: ["AccountModel"]),
        .target(
            name: "Migrations",
            path: "Migrations",
            resources: [.embedInCode("sqlite")]
        ),
        .target(
            name: "AccountStore",
            dependencies: [
                "AccountModel", "AccountMatching", "AccountCrypto", "Migrations",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "DuplicateDetection", dependencies: ["AccountMatching", "AccountModel"]),
        .target(
            name: "TwitterOAuth",
            dependencies: [
                "AccountCrypto",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "TwitterSandbox",
            dependencies: [
                "TwitterOAuth", "AccountCrypto",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "Registration",
            dependencies: [
                "AccountStore", "AccountModel", "AccountCrypto", "AccountMatching", "TwitterOAuth",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "accounts",
            dependencies: [
                "AccountModel", "AccountStore", "AccountCrypto", "AccountMatching", "DuplicateDetection", "Migrations",
                "TwitterOAuth", "TwitterSandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "AccountModel", "AccountStore", "AccountCrypto", "TwitterOAuth", "TwitterSandbox",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/TestSupport"
        ),
        .executableTarget(
            name: "accounts-test-worker",
            dependencies: ["AccountCrypto", "AccountModel", "AccountStore", "Registration", "TwitterOAuth"],
            path: "Tests/Worker"
        ),
        .testTarget(name: "AccountCryptoTests", dependencies: ["AccountCrypto"]),
        .testTarget(name: "AccountModelTests", dependencies: ["AccountModel"]),
        .testTarget(name: "AccountMatchingTests", dependencies: ["AccountMatching"]),
        .testTarget(
            name: "DuplicateDetectionTests", dependencies: ["DuplicateDetection", "AccountMatching", "AccountModel"]
        ),
        .testTarget(name: "MigrationsTests", dependencies: ["Migrations", "TestSupport"]),
        .testTarget(name: "TwitterOAuthTests", dependencies: ["TwitterOAuth"]),
        .testTarget(
            name: "RegistrationTests",
            dependencies: [
                "Registration", "AccountStore", "AccountModel", "AccountCrypto", "TwitterOAuth", "TwitterSandbox",
                "TestSupport", "accounts-test-worker",
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
                "AccountStore", "AccountModel", "AccountCrypto", "Migrations", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "accountsTests",
            dependencies: ["accounts", "TestSupport", "AccountStore", "AccountCrypto", "AccountModel", "TwitterOAuth"]
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
