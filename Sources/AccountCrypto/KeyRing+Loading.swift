extension KeyRing {
    /// The environment variable naming a keys file.
    public static let keysFileVariable = "ACCOUNTS_KEYS_FILE"

    /// The environment variable holding keys inline, `id2:BASE64KEY,id1:BASE64KEY`.
    public static let keysVariable = "ACCOUNTS_KEYS"

    /// Loads the key ring from, in order of precedence: `keysFile` (the `--keys-file` option), the file named by
    /// `ACCOUNTS_KEYS_FILE`, or the keys in `ACCOUNTS_KEYS`. Empty variables count as unset.
    ///
    /// A keys file holds one `id:BASE64KEY` a line, sealing key first; blank lines and lines starting with `#` are
    /// skipped and whitespace around ids and keys is trimmed. It is refused unless its mode is 0600 or 0400.
    /// `ACCOUNTS_KEYS` holds the same entries separated by commas (or line breaks, as `ACCOUNTS_KEYS=$(cat FILE)` gives
    /// them). Keys are standard padded base64 of 32 bytes.
    ///
    /// Throws `.noKeys` when none of the three is set; other errors name the file and line or the variable and
    /// entry, and the key id, but never key material. Refuses a repeated id (`.duplicateKeyID`), two ids that are the
    /// same text in different Unicode forms (`.equivalentKeyIDs`) and one key under two ids (`.duplicateKey`).
    public static func load(keysFile: String?, environment: [String: String]) throws(KeyRingError) -> KeyRing {
        if let path = keysFile ?? environment[keysFileVariable].flatMap({ $0.isEmpty ? nil : $0 }) {
            return try loadFile(path: path)
        }
        if let value = environment[keysVariable], !value.allSatisfy(\.isWhitespace) {
            return try parse(environmentValue: value, variable: keysVariable)
        }
        throw .noKeys
    }

    /// Parses `id:BASE64KEY` entries separated by commas or line breaks; empty entries (a trailing comma) are skipped.
    static func parse(environmentValue value: String, variable: String) throws(KeyRingError) -> KeyRing {
        // A byte-order mark from a file read into the variable (`ACCOUNTS_KEYS=$(cat keys.txt)`) is no part of the
        // first id, as in a keys file; anywhere else it is refused with the id.
        var text = Array(value.utf8.starts(with: [0xEF, 0xBB, 0xBF]) ? value.utf8.dropFirst(3) : value.utf8[...])
        defer { LibCrypto.cleanse(&text) }  // this copy of the keys' text is ours to zero
        var keys: [(key: SecretKey, location: KeyLocation)] = []
        var entry = 0
        // A line break separates entries too: a keys file read into the variable has one a line, and an entry run on
        // into the next line was reported as a key that is not base64.
        let separators: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: "\n")]
        for field in text.split(omittingEmptySubsequences: false, whereSeparator: separators.contains) {
            let trimmed = trimmingWhitespace(field)
            if trimmed.isEmpty { continue }
            // (entries are numbered as the keys they hold: a comma ending each line, as YAML or compose files give
            // the variable, once made the second key "entry 3")
            entry += 1
            keys.append(try parseEntry(trimmed, location: .environment(variable: variable, entry: entry)))
        }
        return try ring(of: keys, noKeys: .noKeys)
    }

    /// Reads and parses a keys file after checking that it is a regular file with mode 0600 or 0400; the ring follows
    /// the file (``KeysFileFollower``), checked again at most every `recheckInterval`. `changeTimeShiftForTests`:
    /// seconds added to the file's change time as ``KeyRing/followersSeeTheFileBy`` reads it (a file server's clock
    /// ahead of this one, for tests).
    package static func loadFile(
        path: String, recheckInterval: Duration = .seconds(2), changeTimeShiftForTests: Double = 0
    ) throws(KeyRingError) -> KeyRing {
        let identity = KeysFileFollower.identity(ofFileAt: path)
        let ring = try readFile(path: path)
        return KeyRing(
            checkedKeys: ring.keys,
            follower: KeysFileFollower(
                path: path, ring: ring, identity: identity, recheckInterval: recheckInterval,
                changeTimeShift: changeTimeShiftForTests))
    }

    /// Reads and parses a keys file after checking that it is a regular file with mode 0600 or 0400.
    static func readFile(path: String) throws(KeyRingError) -> KeyRing {
        var contents = try KeysFile.contents(ofFileAt: path)
        defer { LibCrypto.cleanse(&contents) }
        var keys: [(key: SecretKey, location: KeyLocation)] = []
        var line = 0
        // A byte-order mark (an editor's) is no part of the first key's id: kept, it made an id that looks like `k2`
        // but is not, and the values sealed under it opened with no other file.
        let start = contents.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        for rawLine in contents[start...].split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            line += 1
            let trimmed = trimmingWhitespace(rawLine)
            if trimmed.isEmpty || trimmed.first == UInt8(ascii: "#") { continue }
            keys.append(try parseEntry(trimmed, location: .file(path: path, line: line)))
        }
        return try ring(of: keys, noKeys: .emptyKeysFile(path: path))
    }

    /// A ring of `keys`, with repeated and equivalent ids, and one key under two ids, blamed on the later entry.
    private static func ring(
        of keys: [(key: SecretKey, location: KeyLocation)], noKeys: KeyRingError
    ) throws(KeyRingError) -> KeyRing {
        guard !keys.isEmpty else { throw noKeys }
        try checkIDs(of: keys)
        try checkKeyBytes(of: keys)
        return KeyRing(checkedKeys: keys.map(\.key))
    }

    /// Refuses one key under two ids (`.duplicateKey`, blamed on the later entry): almost always a line pasted twice
    /// and renamed, and rotating to such a "new" key changes nothing. Keys are compared in constant time.
    private static func checkKeyBytes(of keys: [(key: SecretKey, location: KeyLocation)]) throws(KeyRingError) {
        for (index, (key, location)) in keys.enumerated() {
            for (earlier, earlierLocation) in keys[..<index] where key.hasSameBytes(as: earlier) {
                throw .duplicateKey(
                    keyID: key.id, location: location, earlierKeyID: earlier.id, earlierLocation: earlierLocation)
            }
        }
    }

    /// One `id:BASE64KEY` entry, already trimmed.
    private static func parseEntry(
        _ entry: ArraySlice<UInt8>, location: KeyLocation
    ) throws(KeyRingError) -> (key: SecretKey, location: KeyLocation) {
        guard let colon = entry.firstIndex(of: UInt8(ascii: ":")) else { throw .malformedEntry(location: location) }
        let idBytes = trimmingWhitespace(entry[..<colon])
        let keyText = trimmingWhitespace(entry[(colon + 1)...])
        guard let id = String(validating: idBytes, as: UTF8.self) else { throw .malformedEntry(location: location) }
        if let problem = SecretKey.problem(withID: id) {
            throw .invalidKeyID(problem.mayShowID ? id : nil, problem: problem, location: location)
        }
        guard var bytes = Base64.decode(keyText) else { throw .invalidBase64(keyID: id, location: location) }
        defer { LibCrypto.cleanse(&bytes) }
        return (try SecretKey(id: id, bytes: bytes, location: location), location)
    }

    /// `bytes` without leading and trailing ASCII whitespace (space, tab, CR, LF, VT, FF).
    private static func trimmingWhitespace(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0d).contains(byte) }
        guard let start = bytes.firstIndex(where: { !isWhitespace($0) }),
            let end = bytes.lastIndex(where: { !isWhitespace($0) })
        else {
            return bytes[bytes.endIndex...]
        }
        return bytes[start...end]
    }
}
