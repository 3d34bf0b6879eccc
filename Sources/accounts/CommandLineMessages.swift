import AccountCrypto
import AccountStore
import AccountTransfer
import Migrations
import TwitterOAuth

// The library's errors give the library's advice (`AccountStore.migrate(_:)`, the `keysFile:` parameter of
// `KeyRing.load`, `SecretKey.generate(id:)`); where the command line has its own way (`accounts migrate`,
// `--keys-file`, `accounts keys generate`, a flag), the CLI says that instead. What is wrong is the library's, said
// once in its `message(advice:)` (or its `costlyHash`, for an import line): the CLI gives only its advice, so the two
// cannot drift apart. Every other error reads the same.

extension StoreError {
    /// The sentence `accounts` prints for this error: ``description``, with command-line advice where the CLI has
    /// its own way.
    var commandLineDescription: String {
        switch self {
        case .databaseMissing: message(advice: "run `accounts migrate` to create it")
        case .notADatabase: message(advice: "wrong --database?")
        case .schemaBehind(_, let versions) where versions.count == Migrations.sqlite.count:
            // (another program's SQLite file named by mistake: `accounts migrate` would add the accounts tables to it)
            message(
                advice: "no accounts migration was ever applied to it: wrong --database? If it is to be the accounts "
                    + "database, run `accounts migrate`")
        case .schemaBehind: message(advice: "run `accounts migrate`")
        case .interruptedWrite: message(advice: "run `accounts migrate` (it rolls the write back), then try again")
        case .noKeyRing:
            message(advice: "set ACCOUNTS_KEYS or --keys-file (make one with `accounts keys generate`)")
        case .readOnly:
            message(
                advice: "run accounts as the database's owner, or let this user write the file, its -wal and -shm "
                    + "files and its directory (and check that its file system is not mounted read-only)")
        case .migration(let error): error.commandLineDescription
        default: description
        }
    }
}

extension MigrationError {
    /// The sentence `accounts` prints for this error: the target is `migrate --to`.
    var commandLineDescription: String {
        switch self {
        case .targetNotFound(let version):
            message(
                target: "--to \(version)", advice: "`accounts migrations status` lists the versions this build carries")
        case .targetBelowApplied(let target, _): message(target: "--to \(target)", advice: nil)
        default: description
        }
    }
}

extension KeyRingError {
    /// The sentence `accounts` prints for this error: keys come from `--keys-file`, `ACCOUNTS_KEYS_FILE` or
    /// `ACCOUNTS_KEYS`, and `accounts keys generate` makes them.
    var commandLineDescription: String {
        switch self {
        case .noKeys:
            message(
                advice: "run `accounts keys generate --output FILE` and pass --keys-file FILE (or set "
                    + "ACCOUNTS_KEYS_FILE=FILE), or set ACCOUNTS_KEYS=\"id:BASE64KEY\"")
        case .duplicateKey: message(advice: "make a new key with `accounts keys generate`")
        case .keysFileOwnedByAnotherUser: message(runningUser: "the user running accounts")
        case .emptyKeysFile: message(advice: "`accounts keys generate` makes one")
        default: description
        }
    }
}

extension LineProblem {
    /// The line `accounts import` prints for this problem: a hash refused as too costly names the command's flag
    /// rather than the parameters an app passes.
    var commandLineDescription: String {
        guard let costlyHash else { return description }
        let problem = costlyHash.error(advice: "import it anyway with --allow-costly-password-hashes")
        return LineProblem(line: line, field: field, problem: problem.description).description
    }
}

extension TwitterError {
    /// The sentence `accounts` prints for this error from `client`: the command has no time-out or response-size
    /// option, so those name the figure; `--twitter-api-base` is named when it was given (`client` talks to another
    /// API than Twitter's own).
    func commandLineDescription(from client: TwitterClient) -> String {
        let flagGiven = client.baseURL != TwitterClient.defaultBaseURL
        switch self {
        case .timedOut:
            return "Twitter did not answer within \(client.timeout.components.seconds) s; check the network"
                + (flagGiven ? " and the --twitter-api-base URL" : "")
        case .responseTooLarge(let limit):
            return "Twitter's response is larger than the \(limit)-byte limit and was not read"
                + (flagGiven ? "; Twitter's answers take a few kilobytes, so check the --twitter-api-base URL" : "")
        case .unexpectedStatus(let status):
            return "Twitter answered with unexpected HTTP status \(status) and no error list"
                + (flagGiven ? "; check the --twitter-api-base URL (redirects are not followed)" : "")
        case .connectionFailed(let host, let reason):
            return "could not reach Twitter at \(host): \(reason); check the network"
                + (flagGiven ? " and the --twitter-api-base URL" : "")
        case .closedBeforeAnswer(let host):
            return "the connection to Twitter at \(host) closed before any answer came, on a second try too; check the "
                + "network" + (flagGiven ? " and the --twitter-api-base URL" : "")
        case .malformedResponse(let reason):
            // (the library's advice names the client's base URL, which the command sets only with the flag)
            return "Twitter's response could not be read: \(reason)"
                + (flagGiven ? "; check the --twitter-api-base URL" : "")
        default:
            return description
        }
    }
}
