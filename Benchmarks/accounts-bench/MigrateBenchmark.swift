import AccountStore
import CBaselines
import Foundation
import Migrations

/// `AccountStore.migrate` on a new file, against the same migration scripts run through the bare C API, each in its
/// own transaction, WAL and synchronous FULL (ours also checks integrity, keeps its history table and checkpoints).
struct MigrateBenchmark {
    static let rounds = 7

    func run(in context: BenchContext) throws -> [Row] {
        context.progress("migrate: \(Migrations.sqlite.count) migrations, \(Self.rounds) rounds each")
        let scripts = Migrations.sqlite.map { String(decoding: $0.contents, as: UTF8.self) }
        var round = 0
        let times = try Measure.interleavedMilliseconds(
            rounds: Self.rounds,
            [
                {
                    round += 1
                    _ = try AccountStore.migrate(
                        StoreConfiguration(path: context.freshPath("migrate-ours-\(round).sqlite")))
                },
                {
                    let path = context.freshPath("migrate-raw-\(round).sqlite")
                    let pointers = scripts.map { strdup($0) }
                    defer { pointers.forEach { free($0) } }
                    let status = pointers.map { UnsafePointer($0) }.withUnsafeBufferPointer { buffer in
                        c_baseline_migrate(path, buffer.baseAddress, buffer.count)
                    }
                    guard status == 1 else { throw BenchError.limitFailed("migrating through the SQLite C API") }
                },
            ])
        return [
            Row(
                "migrate empty DB (ms)", better: .lower, ours: times[0], limit: times[1],
                note: "median of \(Self.rounds), new file each; limit: the same SQL files through sqlite3_exec, "
                    + "one transaction each")
        ]
    }
}
