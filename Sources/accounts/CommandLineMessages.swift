import AccountCrypto
import AccountModel
import AccountStore
import AccountTransfer
import TwitterOAuth

// The library's errors give the library's advice (`AccountStore.migrate(_:)`, the `keysFile:` parameter of
// `KeyRing.load`, `SecretKey.generate(id:)`); where the command line has its own way (`accounts migrate`,
// `--keys-file`, `accounts keys generate`, a flag), the CLI says that instead. Every other error reads the same.

extension StoreError {
    /// The sentence `accounts` prints for this error: ``description``, with command-line advice where the CLI has
    /// its own way.
    var commandLineDescription: String {
        switch self {
        case .databaseMissing(let path):
            return "no database at \(path); run `accounts migrate` to create it"
        case .notADatabase(let path):
            return "\(path) is not an SQLite database (wrong --database?); it was left untouched"
        case .schemaBehind(let path, let versions):
            let list = versions.map(String.init).joined(separator: ", ")
            return "the database \(path) lacks migrations \(list); run `accounts migrate`"
        case .noKeyRing:
            return "no encryption keys configured; set ACCOUNTS_KEYS or --keys-file (make one with "
                + "`accounts keys generate`)"
        case .migration(let error):
            return error.commandLineDescription
        default:
            return description
        }
    }
}

extension MigrationError {
    /// The sentence `accounts` prints for this error: the target is `migrate --to`.
    var commandLineDescription: String {
        switch self {
        case .targetNotFound(let version):
            return "--to \(version): no migration has that version"
        case .targetBelowApplied(let target, let applied):
            return "--to \(target) is below the applied version \(applied); migrations are never undone"
        default:
            return description
        }
    }
}

extension KeyRingError {
    /// The sentence `accounts` prints for this error: keys come from `--keys-file`, `ACCOUNTS_KEYS_FILE` or
    /// `ACCOUNTS_KEYS`, and `accounts keys generate` makes them.
    var commandLineDescription: String {
        switch self {
        case .noKeys:
            return "no encryption keys are configured: run `accounts keys generate --output FILE` and pass "
                + "--keys-file FILE (or set ACCOUNTS_KEYS_FILE=FILE), or set ACCOUNTS_KEYS=\"id:BASE64KEY\""
        case .duplicateKey(let keyID, let location, let earlierKeyID, let earlierLocation):
            return "key \(KeyRingError.shown(keyID))\(location.suffix) is the same key as "
                + "\(KeyRingError.shown(earlierKeyID))\(earlierLocation.suffix): each id needs a key of its "
                + "own (a rewrap from one to the other would change nothing); make a new key with "
                + "`accounts keys generate`"
        case .keysFileOwnedByAnotherUser(let path, let owner):
            return "keys file \(path) belongs to user id \(owner), not to the user running accounts or root; whoever "
                + "owns it chooses the key new secrets are sealed with (chown it, or copy it to a file of your own)"
        case .emptyKeysFile(let path):
            return "keys file \(path) holds no keys; add lines of the form id:BASE64KEY "
                + "(`accounts keys generate` makes one)"
        default:
            return description
        }
    }
}

extension LineProblem {
    /// The line `accounts import` prints for this problem: a hash refused as too costly names the command's flag
    /// rather than the parameters an app passes.
    var commandLineDescription: String {
        guard field == Field.passwordHash.rawValue, problem.hasSuffix("(\(PasswordHasher.costlyHashAdvice))") else {
            return description
        }
        let problem =
            problem.dropLast(PasswordHasher.costlyHashAdvice.count + 1)
            + "import it anyway with --allow-costly-password-hashes)"
        return "line \(line): \(field): \(problem)"
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
        default:
            return description
        }
    }
}
