import CBaselines
import Foundation

/// What `--json` writes: the rows, with what was measured and where.
struct Report: Sendable, Codable {
    struct Environment: Sendable, Codable {
        var sqlite: String
        var openssl: String
        var cores: Int
        var registrations: Int
        var lookupAccounts: Int
        var lookups: Int

        enum CodingKeys: String, CodingKey {
            case sqlite, openssl, cores, registrations
            case lookupAccounts = "lookup_accounts"
            case lookups
        }
    }

    var tool = "accounts-bench"
    var date: String
    var environment: Environment
    var peers: PeerFigures?
    var rows: [Row]

    init(rows: [Row], context: BenchContext) {
        self.rows = rows
        date = ISO8601DateFormatter().string(from: Date())
        environment = Environment(
            sqlite: String(cString: c_baseline_sqlite_version()),
            openssl: String(cString: c_baseline_openssl_version()),
            cores: ProcessInfo.processInfo.activeProcessorCount, registrations: context.registrations,
            lookupAccounts: context.lookupAccounts, lookups: context.lookups)
        peers = context.peers.figures.isEmpty ? nil : context.peers
    }

    /// One line saying what ran where.
    var header: String {
        "accounts-bench \(date): SQLite \(environment.sqlite), \(environment.openssl), \(environment.cores) cores"
    }

    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
