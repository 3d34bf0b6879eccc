/// Where a key came from, so that an error can say which entry to fix without quoting the key.
public enum KeyLocation: Sendable, Equatable, CustomStringConvertible {
    /// Passed in by code (`SecretKey(id:bytes:)`, `KeyRing(keys:)`).
    case program
    /// The `entry`th comma-separated entry (from 1) of an environment variable such as `ACCOUNTS_KEYS`.
    case environment(variable: String, entry: Int)
    /// Line `line` (from 1) of a keys file.
    case file(path: String, line: Int)

    /// `ACCOUNTS_KEYS entry 2`, `/etc/accounts/keys line 3`, or `code` for a key passed in by the program.
    public var description: String {
        switch self {
        case .program: "code"
        case .environment(let variable, let entry): "\(variable) entry \(entry)"
        case .file(let path, let line): "\(path) line \(line)"
        }
    }

    /// `" in ACCOUNTS_KEYS entry 2"`, or nothing for a key passed in by the program.
    package var suffix: String {
        self == .program ? "" : " in \(description)"
    }
}
