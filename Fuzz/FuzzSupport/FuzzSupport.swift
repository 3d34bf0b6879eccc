public import AccountCrypto
import Foundation

/// Runs `body` on every file named in `paths` (folders: every file inside, sorted), as libFuzzer would.
public enum FuzzReplay: Sendable {
    /// Replays the files; throws when a path cannot be read.
    public static func run(_ paths: some Sequence<String>, _ body: ([UInt8]) -> Void) throws {
        var count = 0
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path])
            }
            let files =
                isDirectory.boolValue
                ? try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { path + "/" + $0 } : [path]
            for file in files {
                body([UInt8](try Data(contentsOf: URL(fileURLWithPath: file))))
                count += 1
            }
        }
        print("replayed \(count) inputs")
    }
}

/// Fixed, public keys for fuzzing: never used for anything real.
public enum FuzzKeys: Sendable {
    /// A key ring with one all-`0x42` key called `fuzz`.
    public static let ring: KeyRing = {
        let key = try! SecretKey(id: "fuzz", bytes: [UInt8](repeating: 0x42, count: 32))
        return try! KeyRing(keys: [key])
    }()

    /// What the seed corpus's one valid sealed value holds.
    public static let plaintext = Array("fuzz-plaintext".utf8)

    /// A password hasher with cheap parameters, so each input is fast.
    public static let hasher = PasswordHasher(parameters: .init(log2N: 4, r: 1, p: 1))
}

/// A scratch file for targets whose parser reads from a file: one per process.
public enum FuzzScratch: Sendable {
    /// `fuzz-<pid>.input` in the temporary directory.
    public static let path = NSTemporaryDirectory() + "fuzz-\(getpid()).input"
}
