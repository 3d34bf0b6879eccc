/// Why the sandbox cannot start.
public enum SandboxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The users file cannot be read or is not a valid list of users (the reason says where: the file, from
    /// ``SandboxUser/load(contentsOf:)``, then the entry and field, or the line and column).
    case invalidUsersFile(String)
    /// The users file cannot be read at `path` (missing, or not readable by this user): `reason` is the system's.
    case unreadableUsersFile(path: String, reason: String)
    /// Only one of the consumer key and secret was given; give both or neither.
    case incompleteConsumerCredentials
    /// The configuration cannot work (the reason says why).
    case invalidConfiguration(String)

    /// A plain sentence saying what is wrong.
    public var description: String {
        switch self {
        case .invalidUsersFile(let reason):
            "invalid sandbox users file: \(reason)"
        case .unreadableUsersFile(let path, let reason):
            "cannot read the sandbox users file \(path): \(reason); check the path, and that this user may read it"
        case .incompleteConsumerCredentials:
            "give both the consumer key and the consumer secret, or neither (a throwaway pair is then generated)"
        case .invalidConfiguration(let reason):
            "invalid sandbox configuration: \(reason)"
        }
    }
}
