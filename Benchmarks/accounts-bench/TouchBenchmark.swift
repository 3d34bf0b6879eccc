import AccountModel
import AccountStore
import Foundation

/// A browser session's "last used" write (`touchBrowserSession`, once a minute per session on a page view) in a
/// store at `synchronous=FULL`: as the library does it (committed at NORMAL, no fsync while the request waits)
/// against the same write committed at FULL, as it was before session 41. The figures depend on the disk; the
/// ratio is what to read.
struct TouchBenchmark {
    static let sessions = 2000

    func run(in context: BenchContext) async throws -> [Row] {
        let path = context.freshPath("touch.sqlite")
        var configuration = StoreConfiguration(path: path)
        configuration.schemaPolicy = .applyPendingMigrations
        let store = try AccountStore(configuration: configuration, keyRing: try context.keyRing())
        defer { try? store.close() }
        let start = Date()
        let hashes = (0..<Self.sessions).map { index in
            String(repeating: "0", count: 56) + String(format: "%08x", index)
        }
        context.progress("touch: \(Self.sessions) sessions, each touched twice per side")
        for hash in hashes {
            try await store.createBrowserSession(
                BrowserSession(
                    tokenHash: hash, user: nil, csrfToken: "bench", createdAt: start, lastSeenAt: start,
                    idleExpiresAt: start.addingTimeInterval(86_400), expiresAt: start.addingTimeInterval(172_800)))
        }
        var minute = 0.0
        func side(durable: Bool) async throws -> [Double] {
            var times: [Double] = []
            times.reserveCapacity(hashes.count)
            for hash in hashes {
                minute += 1
                let at = start.addingTimeInterval(minute)
                let begin = Measure.now()
                let touched = try await store.touchBrowserSession(
                    tokenHash: hash, at: at, idleExpiresAt: at.addingTimeInterval(3600), durable: durable)
                times.append(Double(Measure.now() - begin) / 1000)
                guard touched else { throw BenchError.mismatch("a seeded session was not touched") }
            }
            return times.sorted()
        }
        // alternate the sides so a busy moment of the disk hits both
        var relaxed: [Double] = []
        var durable: [Double] = []
        for _ in 0..<2 {
            relaxed += try await side(durable: false)
            durable += try await side(durable: true)
        }
        relaxed.sort()
        durable.sort()
        let note = "store at FULL; limit column: the same write committed at FULL (before session 41)"
        return [
            Row(
                "session touch p50 (µs)", better: .lower, ours: Measure.percentile(relaxed, 0.5),
                limit: Measure.percentile(durable, 0.5), note: note),
            Row(
                "session touch p99 (µs)", better: .lower, ours: Measure.percentile(relaxed, 0.99),
                limit: Measure.percentile(durable, 0.99)),
        ]
    }
}
