import AccountModel
import AccountStore
import CBaselines

/// The already-registered check over many accounts: our synchronous `accountID(twitterUserID:)` (its own connection
/// and prepared statement), the async `account(twitterUserID:)` (a pool read returning the whole account, through
/// `ReadGate`) and the same read always handed to GRDB's reader queue, against
/// TwitterLookup's SQL through the bare C API with one prepared statement. The database is migrated by
/// `AccountStore.migrate` and seeded through the C registrar in big transactions at NORMAL.
struct LookupBenchmark {
    static let warmup = 1000
    static let seedTransaction = 10_000

    func run(in context: BenchContext) async throws -> [Row] {
        let path = context.freshPath("lookup.sqlite")
        let ids = Fixtures.twitterIDs(count: context.lookupAccounts, seed: 3)
        context.progress("lookup: seeding \(context.lookupAccounts) accounts")
        var configuration = StoreConfiguration(path: path)
        configuration.synchronous = .normal
        _ = try AccountStore.migrate(configuration)
        var start = 0
        while start < ids.count {
            let chunk = Array(ids[start..<min(start + Self.seedTransaction, ids.count)])
            _ = try RegistrationBenchmark.registerWithC(
                chunk, path: path, synchronous: "NORMAL", perTransaction: Self.seedTransaction, context: context)
            start += chunk.count
        }

        var generator = Fixtures.Generator(state: 5)
        let keys = (0..<context.lookups).map { _ in ids.randomElement(using: &generator)! }
        let twitterIDs = keys.map(TwitterUserID.init)
        let store = try AccountStore(configuration: configuration, keyRing: try context.keyRing())
        defer { try? store.close() }
        guard try await store.accountCount() == ids.count else {
            throw BenchError.mismatch("the seeded store does not hold \(ids.count) accounts")
        }

        context.progress("lookup: \(context.lookups) lookups each, sync, async and raw")
        var raw = [UInt64](repeating: 0, count: keys.count)
        guard c_baseline_lookup_run(path, keys, keys.count, Self.warmup, &raw) == 1 else {
            throw BenchError.limitFailed("the lookup through the SQLite C API")
        }
        let limit = raw.map { Double($0) / 1000 }.sorted()

        for id in twitterIDs.prefix(Self.warmup) { _ = try store.accountID(twitterUserID: id) }
        var sync: [Double] = []
        sync.reserveCapacity(twitterIDs.count)
        for id in twitterIDs {
            let begin = Measure.now()
            let found = try store.accountID(twitterUserID: id)
            sync.append(Double(Measure.now() - begin) / 1000)
            guard found != nil else { throw BenchError.mismatch("accountID(twitterUserID:) missed a seeded id") }
        }
        sync.sort()

        let async = try await Self.timed(twitterIDs, "account(twitterUserID:)") {
            try await store.account(twitterUserID: $0) != nil
        }
        let handedOff = try await Self.timed(twitterIDs, "accountOnReaderQueue(twitterUserID:)") {
            try await store.accountOnReaderQueue(twitterUserID: $0) != nil
        }

        let peers = context.peers
        let allauth = peers.source("allauth")
        let scale = "over \(context.lookupAccounts) accounts, \(context.lookups) random registered ids"
        let peerScale = "the peer looks up 10,000 ids among its 5,000 registrations"
        return [
            Row(
                "lookup p50 (µs)", better: .lower, ours: Measure.percentile(sync, 0.5),
                limit: Measure.percentile(limit, 0.5), peer: peers[PeerFigures.allauthLookupP50], peerSource: allauth,
                note: "sync accountID(twitterUserID:) \(scale); \(peerScale)"),
            Row(
                "lookup p99 (µs)", better: .lower, ours: Measure.percentile(sync, 0.99),
                limit: Measure.percentile(limit, 0.99), peer: peers[PeerFigures.allauthLookupP99], peerSource: allauth),
            Row(
                "lookup async p50 (µs)", better: .lower, ours: Measure.percentile(async, 0.5),
                limit: Measure.percentile(limit, 0.5), peer: peers[PeerFigures.allauthLookupP50], peerSource: allauth,
                note: "async account(twitterUserID:): a pool read returning the whole account with its identity"),
            Row(
                "lookup async p99 (µs)", better: .lower, ours: Measure.percentile(async, 0.99),
                limit: Measure.percentile(limit, 0.99), peer: peers[PeerFigures.allauthLookupP99], peerSource: allauth),
            Row(
                "lookup async, reader queue, p50 (µs)", better: .lower, ours: Measure.percentile(handedOff, 0.5),
                limit: Measure.percentile(limit, 0.5), peer: peers[PeerFigures.allauthLookupP50], peerSource: allauth,
                note: "the same read always handed to GRDB's reader queue (every async read before ReadGate)"),
            Row(
                "lookup async, reader queue, p99 (µs)", better: .lower, ours: Measure.percentile(handedOff, 0.99),
                limit: Measure.percentile(limit, 0.99), peer: peers[PeerFigures.allauthLookupP99], peerSource: allauth),
        ]
    }

    /// Each of `ids` looked up through `lookup` (after a warm-up), timed one by one: the sorted times in µs.
    static func timed(
        _ ids: [TwitterUserID], _ name: String, _ lookup: (TwitterUserID) async throws -> Bool
    ) async throws -> [Double] {
        for id in ids.prefix(warmup) { _ = try await lookup(id) }
        var times: [Double] = []
        times.reserveCapacity(ids.count)
        for id in ids {
            let begin = Measure.now()
            let found = try await lookup(id)
            times.append(Double(Measure.now() - begin) / 1000)
            guard found else { throw BenchError.mismatch("\(name) missed a seeded id") }
        }
        return times.sorted()
    }
}
