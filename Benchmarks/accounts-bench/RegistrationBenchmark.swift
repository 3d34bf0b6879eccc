import AccountCrypto
import AccountModel
import AccountStore
import ArgumentParser
import CBaselines
import Foundation

/// Twitter registrations, each one transaction, on fresh database files: our
/// `AccountStore.createAccount(_:linking:credential:consumingDraft:)` with the profile already fetched, against the
/// same statements through the bare SQLite C API with prepared statements, at synchronous FULL and NORMAL (WAL).
///
/// Each side and level runs in a child process of its own (`accounts-bench registrations --only [--raw]
/// --synchronous LEVEL`), ours and raw back to back for each level so that the disk treats them alike, and so that
/// each child's peak resident set size is the registration benchmark's alone; that gives the peak RSS row too.
struct RegistrationBenchmark {
    /// A synchronous level as the command line names it.
    enum Level: String, CaseIterable, Sendable, ExpressibleByArgument {
        case full = "FULL"
        case normal = "NORMAL"

        var synchronous: StoreConfiguration.Synchronous {
            switch self {
            case .full: .full
            case .normal: .normal
            }
        }

        var metric: String { "registrations/s (\(rawValue))" }
    }

    static let peakRSSMetric = "peak RSS registration bench (MiB)"

    /// The parent's side: a child per side and level, their rows merged, the peers added.
    func run(in context: BenchContext) throws -> [Row] {
        let peers = context.peers
        let allauth = peers.source("allauth")
        var rows: [Row] = []
        var oursRSS = 0.0
        var rawRSS = 0.0
        for level in Level.allCases {
            context.progress(
                "registrations: N=\(context.registrations) at \(level.rawValue), ours then raw (child processes)")
            let ours = try runChild(raw: false, level: level, context: context)
            let raw = try runChild(raw: true, level: level, context: context)
            oursRSS = max(oursRSS, ours.peakRSSMiB)
            rawRSS = max(rawRSS, raw.peakRSSMiB)
            guard let mine = ours.rows.first(where: { $0.metric == level.metric }),
                let limit = raw.rows.first(where: { $0.metric == level.metric })
            else { throw BenchError.childFailed("a child did not report \(level.metric)") }
            var row = mine.merging(limit)
            row.peer =
                peers[level == .full ? PeerFigures.allauthRegistrationsFull : PeerFigures.allauthRegistrationsNormal]
            row.peerSource = allauth
            row.note =
                level == .full
                ? "WAL; every commit waits for fsync, so FULL figures swing 2-4× with the disk: compare within a run"
                : "WAL; NORMAL syncs at checkpoints only"
            rows.append(row)
        }
        rows.append(
            Row(
                Self.peakRSSMetric, better: .lower, ours: oursRSS, limit: rawRSS,
                peer: peers[PeerFigures.allauthPeakRSS], peerSource: allauth,
                note: "max RSS (wait4) of the children that ran \(context.registrations) registrations each; "
                    + "limit: the same binary running the raw C side"))
        return rows
    }

    private func runChild(
        raw: Bool, level: Level, context: BenchContext
    ) throws -> (rows: [Row], peakRSSMiB: Double) {
        let output = context.freshPath("registrations-\(raw ? "raw" : "ours")-\(level.rawValue).json")
        var arguments = [
            "registrations", "--only", "--synchronous", level.rawValue, "--json", output, "--registrations",
            String(context.registrations),
        ]
        if raw { arguments.append("--raw") }
        let outcome = try ChildProcess.run(context.executablePath, arguments: arguments)
        guard outcome.exitStatus == 0 else {
            throw BenchError.childFailed("accounts-bench \(arguments.joined(separator: " ")) did not exit 0")
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(contentsOf: URL(fileURLWithPath: output)))
        return (report.rows, outcome.peakRSSMiB)
    }

    /// The child's side: one implementation at each of `levels`, each on a new file.
    func runOnly(raw: Bool, levels: [Level], in context: BenchContext) async throws -> [Row] {
        let ids = Fixtures.twitterIDs(count: context.registrations, seed: 7)
        var rows: [Row] = []
        for level in levels {
            let path = context.freshPath("registrations-\(raw ? "raw" : "ours")-\(level.rawValue).sqlite")
            let seconds =
                raw
                ? try Self.registerRaw(ids, path: path, synchronous: level.synchronous, context: context)
                : try await Self.registerOurs(ids, path: path, synchronous: level.synchronous, context: context)
            let rate = Double(ids.count) / seconds
            rows.append(
                raw
                    ? Row(level.metric, better: .higher, ours: nil, limit: rate)
                    : Row(level.metric, better: .higher, ours: rate))
        }
        return rows
    }

    static func registerOurs(
        _ ids: [UInt64], path: String, synchronous: StoreConfiguration.Synchronous, context: BenchContext
    ) async throws -> Double {
        let inputs = try Fixtures.registrations(for: ids, seed: 11)
        var configuration = StoreConfiguration(path: path)
        configuration.schemaPolicy = .applyPendingMigrations
        configuration.synchronous = synchronous
        let store = try AccountStore(configuration: configuration, keyRing: try context.keyRing())
        let start = Measure.now()
        for input in inputs {
            _ = try await store.createAccount(input.account, linking: input.identity, credential: input.credential)
        }
        let seconds = Measure.seconds(since: start)
        let count = try await store.accountCount()
        try store.close()
        guard count == ids.count else { throw BenchError.mismatch("the store holds \(count) of \(ids.count) accounts") }
        return seconds
    }

    static func registerRaw(
        _ ids: [UInt64], path: String, synchronous: StoreConfiguration.Synchronous, context: BenchContext
    ) throws -> Double {
        var configuration = StoreConfiguration(path: path)
        configuration.synchronous = synchronous
        _ = try AccountStore.migrate(configuration)
        let elapsed = try registerWithC(
            ids, path: path, synchronous: synchronous.rawValue, perTransaction: 1, context: context)
        // The same rows, readable by the store: the limit did the store's work.
        let store = try AccountStore(configuration: configuration, keyRing: try context.keyRing())
        defer { try? store.close() }
        let sample = TwitterUserID(ids[ids.count / 2])
        guard try store.accountID(twitterUserID: sample) != nil else {
            throw BenchError.mismatch("the store does not find an account the C limit registered")
        }
        return Double(elapsed) / 1e9
    }

    /// Registers `ids` through the C registrar on a migrated database; returns the nanoseconds the loop took.
    static func registerWithC(
        _ ids: [UInt64], path: String, synchronous: String, perTransaction: Int, context: BenchContext
    ) throws -> UInt64 {
        var registrar: OpaquePointer?
        guard c_baseline_registrar_open(path, synchronous, context.keyBytes, context.keyID, &registrar) == 1 else {
            throw BenchError.limitFailed("opening \(path) with the SQLite C API")
        }
        defer { c_baseline_registrar_close(registrar) }
        var elapsed: UInt64 = 0
        guard c_baseline_registrar_run(registrar, ids, ids.count, perTransaction, &elapsed) == 1 else {
            throw BenchError.limitFailed("registering through the SQLite C API")
        }
        return elapsed
    }
}
