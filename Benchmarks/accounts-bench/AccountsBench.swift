import AccountCrypto
import ArgumentParser
import Foundation

/// The benchmarks, in the order they run.
enum BenchmarkName: String, CaseIterable, Sendable, ExpressibleByArgument {
    case seal, hmac, sign, registrations, lookup, touch, web, password, migrate, duplicates

    func run(in context: BenchContext) async throws -> [Row] {
        switch self {
        case .seal: try SealBenchmark().run(in: context)
        case .hmac: try HMACBenchmark().run(in: context)
        case .sign: try SignBenchmark().run(in: context)
        case .registrations: try RegistrationBenchmark().run(in: context)
        case .lookup: try await LookupBenchmark().run(in: context)
        case .touch: try await TouchBenchmark().run(in: context)
        case .web: try await WebBenchmark().run(in: context)
        case .password: try PasswordBenchmark().run(in: context)
        case .migrate: try MigrateBenchmark().run(in: context)
        case .duplicates:
            try DuplicatesBenchmark().run(
                in: context, sizes: context.duplicateSizes, generator: context.generator, cache: context.dataCache)
        }
    }
}

/// Measures AccountCrypto and AccountStore against the raw limits (bare OpenSSL and SQLite C API, same process,
/// same run) and the peers' figures, and prints one table.
@main
struct AccountsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accounts-bench",
        abstract: "Benchmarks the account store against raw OpenSSL/SQLite limits and the peers.",
        discussion: """
            Peer figures come from --peers (or $ACCOUNTS_BENCH_PEERS), a JSON file that Scripts/bench.sh writes \
            after running the peer scripts in ../shared/peers.
            """)

    @Argument(help: "Benchmarks to run, in this order (default: all).")
    var benchmarks: [BenchmarkName] = []

    @Option(help: "Write the rows as JSON to this file.")
    var json: String?

    @Option(help: "Peer figures as JSON (default: $ACCOUNTS_BENCH_PEERS; none when unset).")
    var peers: String?

    @Option(help: "Registrations per run, each one transaction.")
    var registrations = 5000

    @Option(help: "Accounts seeded before the lookups.")
    var lookupAccounts = 100_000

    @Option(help: "Timed lookups per implementation.")
    var lookups = 20_000

    @Option(
        help: "With 'web': the store sizes (accounts), comma-separated.",
        transform: { text in
            try text.split(separator: ",").map { part in
                guard let size = Int(part.trimmingCharacters(in: .whitespaces)), size >= 100 else {
                    throw ValidationError("--web-sizes takes sizes of 100 or more, such as 100,100000")
                }
                return size
            }
        })
    var webSizes: [Int] = [100, 100_000]

    @Option(
        help: """
            With 'web': the parts to run, comma-separated (lookup, ping, whoami, home, account, login, signin, \
            twitter, open, backlog; default: all).
            """,
        transform: { text in text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } })
    var webParts: [String] = []

    @Option(help: "With 'web': timed requests per row (half as many log-ins, a sixth as many Twitter sign-ins).")
    var webRequests = 2000

    @Option(help: "With 'web': the stores' synchronous level, FULL or NORMAL.")
    var webSynchronous: RegistrationBenchmark.Level = .full

    @Option(
        help: "With 'duplicates': the store sizes to import and report on, comma-separated.",
        transform: { text in
            try text.split(separator: ",").map { part in
                guard let size = Int(part.trimmingCharacters(in: .whitespaces)), size >= 100 else {
                    throw ValidationError("--duplicate-sizes takes sizes of 100 or more, such as 100000,1000000")
                }
                return size
            }
        })
    var duplicateSizes: [Int] = [100_000, 1_000_000]

    @Option(help: "With 'duplicates': the labelled-account generator (run with python3).")
    var generator = "Scripts/generate-duplicates.py"

    @Option(
        help: "With 'duplicates': where generated accounts are kept between runs (default: ~/.cache/accounts-bench).")
    var dataCache: String?

    @Flag(help: "With 'registrations': measure one side only, in this process (the peak RSS row runs this).")
    var only = false

    @Flag(help: "With --only: measure the raw SQLite C API instead of AccountStore.")
    var raw = false

    @Option(help: "With --only: the synchronous level, FULL or NORMAL (default: both, one after the other).")
    var synchronous: RegistrationBenchmark.Level?

    func validate() throws {
        if only && benchmarks != [.registrations] {
            throw ValidationError("--only runs one side of 'registrations': use 'accounts-bench registrations --only'")
        }
        if raw && !only { throw ValidationError("--raw needs --only") }
        if synchronous != nil && !only { throw ValidationError("--synchronous needs --only") }
        guard registrations >= 1 else { throw ValidationError("--registrations must be at least 1") }
        guard lookupAccounts >= 1 else { throw ValidationError("--lookup-accounts must be at least 1") }
        guard lookups >= 1 else { throw ValidationError("--lookups must be at least 1") }
        guard webRequests >= 1 else { throw ValidationError("--web-requests must be at least 1") }
    }

    func run() async throws {
        let peersPath =
            peers
            ?? ProcessInfo.processInfo.environment["ACCOUNTS_BENCH_PEERS"].flatMap {
                $0.isEmpty ? nil : $0
            }
        let peerFigures = try peersPath.map { path in
            do {
                return try PeerFigures.load(path: path)
            } catch {
                throw ValidationError("cannot read the peer figures in \(path): \(error)")
            }
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "accounts-bench-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var context = BenchContext(
            registrations: registrations, lookupAccounts: lookupAccounts, lookups: lookups,
            peers: peerFigures ?? PeerFigures(), directory: directory,
            executablePath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
            keyBytes: SecureRandom.bytes(count: SecretKey.byteCount), duplicateSizes: duplicateSizes,
            generator: generator,
            dataCache: dataCache ?? FileManager.default.homeDirectoryForCurrentUser.path + "/.cache/accounts-bench")
        context.webSizes = webSizes
        context.webParts = Set(webParts)
        context.webRequests = webRequests
        context.webSynchronous = webSynchronous.synchronous

        let rows: [Row]
        if only {
            let levels = synchronous.map { [$0] } ?? RegistrationBenchmark.Level.allCases
            rows = try await RegistrationBenchmark().runOnly(raw: raw, levels: levels, in: context)
        } else {
            var all: [Row] = []
            for benchmark in benchmarks.isEmpty ? BenchmarkName.allCases : benchmarks {
                all += try await benchmark.run(in: context)
            }
            rows = all
        }
        let report = Report(rows: rows, context: context)
        print(report.header)
        print(Table.render(rows), terminator: "")
        if let json {
            try report.write(to: json)
        }
    }
}
