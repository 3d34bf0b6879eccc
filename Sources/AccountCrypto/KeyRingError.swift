/// Why a key ring could not be built or loaded. Descriptions name key ids, files, lines and modes, never key bytes.
public enum KeyRingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with a key id.
    public enum KeyIDProblem: Sendable, Equatable {
        /// The id is empty.
        case empty
        /// The id is longer than 255 bytes of UTF-8.
        case tooLong(byteCount: Int)
        /// The id starts with `#`, which a keys file reads as a comment.
        case startsWithHash
        /// The id contains `:`, `,`, whitespace, a control character or an invisible format character (U+FEFF, U+200B,
        /// U+202E and the like).
        case forbiddenCharacter
        /// The id holds a whole key (44 characters of padded base64 decoding to 32 bytes), alone or beside other
        /// text: a key written where its id belongs.
        case looksLikeKeyMaterial

        /// Whether an error may quote the id (not when it could be key material or is unreasonably long).
        var mayShowID: Bool {
            switch self {
            case .tooLong, .looksLikeKeyMaterial: false
            case .empty, .startsWithHash, .forbiddenCharacter: true
            }
        }
    }

    /// No keys are configured at all (or an empty list was given).
    case noKeys
    /// A key id is not valid; the id is nil when quoting it could leak a key or flood the log.
    case invalidKeyID(String?, problem: KeyIDProblem, location: KeyLocation)
    /// A key decoded to a length other than 32 bytes.
    case wrongKeyLength(keyID: String, byteCount: Int, location: KeyLocation)
    /// A key is not standard padded base64.
    case invalidBase64(keyID: String, location: KeyLocation)
    /// Two keys share an id.
    case duplicateKeyID(String, location: KeyLocation)
    /// Two key ids are the same text in different Unicode forms (`"caf\u{E9}"` and `"cafe\u{301}"`): they look alike
    /// but are different bytes, and a value is sealed under the bytes. Blamed on the later entry, `id` at `location`;
    /// `earlierID` at `earlierLocation` is the entry it looks like.
    case equivalentKeyIDs(String, location: KeyLocation, earlierID: String, earlierLocation: KeyLocation)
    /// Two ids hold the same key bytes: almost always a line pasted twice, and rotating from one to the other would
    /// change nothing. Blamed on the later entry, `keyID` at `location`; `earlierKeyID` at `earlierLocation` holds the
    /// same key.
    case duplicateKey(keyID: String, location: KeyLocation, earlierKeyID: String, earlierLocation: KeyLocation)
    /// An entry is not of the form `id:base64`.
    case malformedEntry(location: KeyLocation)
    /// A keys file can be read by others than its owner; `mode` holds the permission bits.
    case insecureKeysFileMode(path: String, mode: UInt32)
    /// A keys file is owned by another user than the one running (or root): whoever owns it chose the sealing key.
    case keysFileOwnedByAnotherUser(path: String, owner: UInt32)
    /// A keys file could not be opened or read.
    case unreadableKeysFile(path: String, reason: String)
    /// A keys file holds no keys (only blank lines and comments).
    case emptyKeysFile(path: String)

    /// A plain sentence for the operator.
    public var description: String {
        switch self {
        case .noKeys:
            return message(
                advice: "give KeyRing.load(keysFile:environment:) a keys file (its `keysFile:` parameter, or "
                    + "ACCOUNTS_KEYS_FILE=FILE in the environment it is given), or ACCOUNTS_KEYS=\"id:BASE64KEY\" in "
                    + "that environment, or give KeyRing(keys:) one key at least; SecretKey.generate(id:) makes a key, "
                    + "and its unredactedKeysFileLine() is the line to write")
        case .invalidKeyID(let id, let problem, let location):
            // (the character at fault may not print, or reorder the line: `\u{FEFF}k1`, `k\u{200B}1`, `k\u{202E}1`)
            let shown = problem == .forbiddenCharacter ? KeyRingError.shownEscaped : KeyRingError.shown
            let subject = id.map { "key id \(shown($0))" } ?? "a key id"
            return "\(subject)\(location.suffix) is invalid: \(problem.sentence)"
        case .wrongKeyLength(let keyID, let byteCount, let location):
            return "key \(KeyRingError.shown(keyID))\(location.suffix) is \(byteCount) bytes long; keys must be "
                + "exactly 32 bytes (44 characters of base64)"
        case .invalidBase64(let keyID, let location):
            return "key \(KeyRingError.shown(keyID))\(location.suffix) is not valid base64 (standard alphabet "
                + "A-Z a-z 0-9 + /, with = padding)"
        case .duplicateKeyID(let id, let location):
            return "key id \(KeyRingError.shown(id))\(location.suffix) appears more than once; give one of the two "
                + "keys another id"
        case .equivalentKeyIDs(let id, let location, let earlierID, let earlierLocation):
            return "key ids \(KeyRingError.shownEscaped(earlierID))\(earlierLocation.suffix) and "
                + "\(KeyRingError.shownEscaped(id))\(location.suffix) are the same text in different Unicode forms "
                + "(or with and without a presentation selector): they look alike but are different bytes, and a "
                + "value sealed under one does not open under the other; give one of the two keys another id"
        case .duplicateKey:
            return message(advice: "make a new key with SecretKey.generate(id:)")
        case .malformedEntry(let location):
            return "the entry\(location.suffix) is not of the form id:BASE64KEY"
        case .insecureKeysFileMode(let path, let mode):
            // (what is wrong with the mode, then the rule: a mode of 0700 is readable by its owner alone, and was
            // told it must be, until session 63)
            let others =
                mode & 0o077 != 0
                ? "others may read or write it"
                : mode & 0o111 != 0 ? "it is executable" : "it has the set-user-ID, set-group-ID or sticky bit"
            return
                "keys file \(path) has mode \(KeyRingError.octal(mode)) (\(others)); it must have mode 0600 or 0400, "
                + "readable by its owner alone (chmod 600)"
        case .keysFileOwnedByAnotherUser:
            return message(runningUser: "the user this process runs as")
        case .unreadableKeysFile(let path, let reason):
            return "keys file \(path) cannot be read: \(reason); check the path, and that this user may read it"
        case .emptyKeysFile:
            return message(advice: "SecretKey.generate(id:) makes a key, and its unredactedKeysFileLine() is the line")
        }
    }

    /// The message of an error whose advice depends on who reads it: what is wrong, said here once, with `advice` in
    /// its place, what to do: the library's (``description``: `KeyRing.load`'s parameters, `SecretKey.generate(id:)`)
    /// or `accounts`'s (its options and `accounts keys generate`). Every other error reads the same for all: its
    /// ``description`` (``keysFileOwnedByAnotherUser(path:owner:)`` takes ``message(runningUser:)``).
    package func message(advice: String) -> String {
        switch self {
        case .noKeys:
            "no encryption keys are configured: \(advice)"
        case .duplicateKey(let keyID, let location, let earlierKeyID, let earlierLocation):
            "key \(KeyRingError.shown(keyID))\(location.suffix) is the same key as "
                + "\(KeyRingError.shown(earlierKeyID))\(earlierLocation.suffix): each id needs a key of its own (a "
                + "rewrap from one to the other would change nothing); \(advice)"
        case .emptyKeysFile(let path):
            "keys file \(path) holds no keys; add lines of the form id:BASE64KEY (\(advice))"
        default:
            description
        }
    }

    /// The message of ``keysFileOwnedByAnotherUser(path:owner:)``, said here once, with `runningUser` naming the user
    /// the file should belong to as its reader knows it: the library's process (``description``) or `accounts`.
    /// Every other error reads as its ``description``.
    package func message(runningUser: String) -> String {
        guard case .keysFileOwnedByAnotherUser(let path, let owner) = self else { return description }
        return "keys file \(path) belongs to user id \(owner), not to \(runningUser) or root; whoever owns it chooses "
            + "the key new secrets are sealed with (chown it, or copy it to a file of your own)"
    }

    /// A key id as messages quote it (`"k1"`); one that may hold key material (a long run of base64 or hex, such as
    /// a key typed where its id belongs) is described, not quoted.
    package static func shown(_ id: String) -> String {
        SecretKey.mightHoldKeyMaterial(id) ? notShown(id) : String(reflecting: id)
    }

    /// A key id as a command prints it (`k1`, unquoted); described, not printed, as in ``shown(_:)``.
    package static func shownPlain(_ id: String) -> String {
        SecretKey.mightHoldKeyMaterial(id) ? notShown(id) : id
    }

    /// A key id as ``shown(_:)`` quotes it, with every character outside printable ASCII written as its Unicode
    /// scalar (`"caf\u{E9}"`, `"cafe\u{301}"`), so that ids that print alike can be told apart.
    package static func shownEscaped(_ id: String) -> String {
        guard !SecretKey.mightHoldKeyMaterial(id) else { return notShown(id) }
        var text = "\""
        for scalar in id.unicodeScalars {
            if (0x20...0x7e).contains(scalar.value) && scalar != "\"" && scalar != "\\" {
                text.unicodeScalars.append(scalar)
            } else {
                text += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            }
        }
        return text + "\""
    }

    private static func notShown(_ id: String) -> String {
        "(an id of \(id.utf8.count) bytes, not shown: it may hold key material)"
    }

    /// Permission bits as four octal digits, e.g. `0644`.
    static func octal(_ mode: UInt32) -> String {
        let digits = String(mode & 0o7777, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

extension KeyRingError.KeyIDProblem {
    /// The rule that was broken, as the end of a sentence.
    var sentence: String {
        switch self {
        case .empty: "it is empty; key ids are 1 to 255 bytes"
        case .tooLong(let byteCount): "it is \(byteCount) bytes long; key ids are at most 255 bytes"
        case .startsWithHash: "it starts with #, which a keys file reads as a comment"
        case .forbiddenCharacter:
            "key ids may not contain ':', ',', whitespace, control characters or invisible formatting characters "
                + "(a byte-order mark, a zero-width space, a direction override)"
        case .looksLikeKeyMaterial:
            "it holds a base64 key; write entries as id:BASE64KEY (in ACCOUNTS_KEYS, separated by commas)"
        }
    }
}
