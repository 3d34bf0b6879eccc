import AccountCrypto
import AccountStore
import Foundation

/// What every benchmark gets: the options, the peer figures, a scratch directory and one key.
struct BenchContext: Sendable {
    /// Registrations per run (each in its own transaction).
    var registrations: Int
    /// Accounts seeded before the lookups.
    var lookupAccounts: Int
    /// Timed lookups per implementation.
    var lookups: Int
    /// The peers' figures from this run (empty when they were not measured).
    var peers: PeerFigures
    /// A directory of our own, removed when the run ends.
    var directory: String
    /// This executable, for benchmarks that run a child process.
    var executablePath: String
    /// The one key of the ring, as bytes (the C limits seal with the same key).
    var keyBytes: [UInt8]
    /// Store sizes of the duplicates benchmark.
    var duplicateSizes: [Int]
    /// The labelled-account generator script.
    var generator: String
    /// Where generated accounts are cached.
    var dataCache: String
    /// The store sizes (accounts) of the `web` benchmark.
    var webSizes = [100, 100_000]
    /// The parts of the `web` benchmark to run (empty: all).
    var webParts: Set<String> = []
    /// Timed requests per row of the `web` benchmark (fewer for sign-ins).
    var webRequests = 2000
    /// The stores' `synchronous` level in the `web` benchmark.
    var webSynchronous: StoreConfiguration.Synchronous = .full
    /// The key id written into sealed values; the length of a realistic dated id.
    var keyID = "2026-05"

    /// Whether the `web` benchmark runs its part `part`.
    func wants(_ part: String) -> Bool {
        webParts.isEmpty || webParts.contains(part)
    }

    /// A ring of the one key.
    func keyRing() throws -> KeyRing {
        try KeyRing(keys: [SecretKey(id: keyID, bytes: keyBytes)])
    }

    /// A path in the scratch directory that does not exist yet (its SQLite side files neither).
    func freshPath(_ name: String) -> String {
        let path = directory + "/" + name
        for suffix in ["", "-wal", "-shm", "-journal"] {
            try? FileManager.default.removeItem(atPath: path + suffix)
        }
        return path
    }

    /// Prints progress on standard error, keeping standard output for the table.
    func progress(_ message: String) {
        FileHandle.standardError.write(Data("accounts-bench: \(message)\n".utf8))
    }
}
