import Foundation

/// `accounts import` and `accounts duplicates` as an operator runs them: the labelled accounts of
/// `Scripts/generate-duplicates.py` (seed 11) at each size, imported into a freshly migrated database by the `accounts`
/// binary beside this one, then the duplicate report written as JSON. Each command is a child process, timed from
/// its start to its exit, with its peak resident set size from `wait4`.
///
/// Generated files are kept in the data cache (`--data-cache`, default `~/.cache/accounts-bench`): the generator takes
/// about a minute per million accounts.
struct DuplicatesBenchmark {
    static let seed = 11
    /// Quoted by the issue that asked for the report ("Duplicate-account detection reports"), measured on this
    /// machine by whoever filed it; not run here (it needs Spark or DuckDB and a tuned model).
    static let splinkSource = "Splink 5 tuned, quoted by the issue (not run here)"
    static let splinkSeconds1M = 172.0
    static let splinkPeakMiB1M = 16.0 * 1024

    func run(in context: BenchContext, sizes: [Int], generator: String, cache: String) throws -> [Row] {
        let directory = URL(fileURLWithPath: context.executablePath).deletingLastPathComponent().path
        let accounts = directory + "/accounts"
        guard FileManager.default.isExecutableFile(atPath: accounts) else {
            throw BenchError.childFailed(
                "\(accounts) is missing: build it with `swift build -c release --product accounts` (Scripts/bench.sh does)"
            )
        }
        guard FileManager.default.fileExists(atPath: generator) else {
            context.progress("duplicates: skipped, no generator at \(generator) (run from the repository root)")
            return []
        }
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        var rows: [Row] = []
        var seconds: [Int: Double] = [:]
        for size in sizes.sorted() {
            let input = try generated(size: size, generator: generator, cache: cache, context: context)
            let database = context.freshPath("duplicates-\(size).sqlite")
            try check(ChildProcess.run(accounts, arguments: ["--database", database, "migrate"]), "migrate")
            context.progress("duplicates: importing \(size) accounts")
            let started = Measure.now()
            let imported = try ChildProcess.run(
                accounts, arguments: ["--database", database, "import", input, "--format", "jsonl"])
            let importSeconds = Measure.seconds(since: started)
            try check(imported, "import")
            rows.append(
                Row(
                    "import \(Self.label(size)) accounts (rows/s)", better: .higher,
                    ours: Double(size) / importSeconds,
                    note: "accounts import of generated JSON Lines into a migrated file, one transaction; "
                        + "peak RSS \(Self.format(imported.peakRSSMiB)) MiB"))

            context.progress("duplicates: report over \(size) accounts")
            let report = context.freshPath("duplicates-\(size).json")
            let reportStarted = Measure.now()
            let detected = try ChildProcess.run(
                accounts, arguments: ["--database", database, "duplicates", "--format", "json", "--output", report])
            let reportSeconds = Measure.seconds(since: reportStarted)
            try check(detected, "duplicates")
            seconds[size] = reportSeconds
            let isMillion = size == 1_000_000
            rows.append(
                Row(
                    "duplicates \(Self.label(size)) accounts (s)", better: .lower, ours: reportSeconds,
                    peer: isMillion ? Self.splinkSeconds1M : nil, peerSource: isMillion ? Self.splinkSource : nil,
                    note: "accounts duplicates --format json, process start to report written"))
            rows.append(
                Row(
                    "duplicates \(Self.label(size)) peak RSS (MiB)", better: .lower, ours: detected.peakRSSMiB,
                    peer: isMillion ? Self.splinkPeakMiB1M : nil, peerSource: isMillion ? Self.splinkSource : nil))
        }
        let ordered = seconds.keys.sorted()
        if ordered.count >= 2, let small = ordered.first, let large = ordered.last, let fast = seconds[small],
            let slow = seconds[large], fast > 0
        {
            rows.append(
                Row(
                    "duplicates time \(Self.label(large))/\(Self.label(small)) (×)", better: .lower, ours: slow / fast,
                    note: "\(large / small)× the accounts; target at most \(Int(Double(large / small) * 1.2))×"))
        }
        return rows
    }

    /// The generated accounts of `size`, from the cache or made now.
    private func generated(size: Int, generator: String, cache: String, context: BenchContext) throws -> String {
        let stem = "\(cache)/duplicates-\(size)-\(Self.seed)"
        let output = stem + ".jsonl"
        if FileManager.default.fileExists(atPath: output) { return output }
        context.progress("duplicates: generating \(size) labelled accounts (\(generator))")
        let partial = stem + ".partial.jsonl"
        let outcome = try ChildProcess.run(
            "/usr/bin/env",
            arguments: [
                "python3", generator, "--accounts", String(size), "--seed", String(Self.seed), "--out", partial,
                "--labels", stem + ".labels.csv",
            ])
        try check(outcome, "generate-duplicates.py")
        try FileManager.default.moveItem(atPath: partial, toPath: output)
        return output
    }

    private func check(_ outcome: ChildProcess.Outcome, _ what: String) throws {
        guard outcome.exitStatus == 0 else {
            throw BenchError.childFailed(
                "\(what) did not exit 0 (status \(outcome.exitStatus.map(String.init) ?? "signal"))")
        }
    }

    static func label(_ size: Int) -> String {
        size % 1_000_000 == 0 ? "\(size / 1_000_000)M" : size % 1000 == 0 ? "\(size / 1000)k" : String(size)
    }

    static func format(_ value: Double) -> String {
        String(format: "%.0f", value)
    }
}
