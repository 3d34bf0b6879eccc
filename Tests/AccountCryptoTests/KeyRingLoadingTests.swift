import AccountCrypto
import Foundation
import Testing

final class KeyRingLoadingTests {
    /// Fresh 32-byte keys for each test, as their base64.
    let keyA = Base64.encode(SecureRandom.bytes(count: 32))
    let keyB = Base64.encode(SecureRandom.bytes(count: 32))
    /// A directory of its own for each test.
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("keyring-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Writes `text` to a file in the test's directory with `mode`, returning its path.
    func keysFile(_ text: String, mode: Int = 0o600, name: String = "keys") throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
        return url.path
    }

    // MARK: Environment

    @Test func loadsFromTheEnvironmentInOrder() throws {
        // When
        let ring = try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": "id2:\(keyB),id1:\(keyA)"])

        // Then
        #expect(ring.keyIDs == ["id2", "id1"])
        #expect(ring.sealingKeyID == "id2")
    }

    @Test func toleratesWhitespaceAndATrailingComma() throws {
        let ring = try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": " id2 : \(keyB) ,\n id1:\(keyA),"])
        #expect(ring.keyIDs == ["id2", "id1"])
    }

    /// `ACCOUNTS_KEYS=$(cat keys-file)` gives one entry a line: before, the first key was called "not valid base64"
    /// (its text ran on into the next line), which sent the operator to check a key that was fine.
    @Test(arguments: ["\n", "\r\n"])
    func takesLineBreaksBetweenEntriesAsAKeysFileHasThem(_ lineBreak: String) throws {
        let ring = try KeyRing.load(
            keysFile: nil, environment: ["ACCOUNTS_KEYS": "id2:\(keyB)\(lineBreak)id1:\(keyA)\(lineBreak)"])
        #expect(ring.keyIDs == ["id2", "id1"])
    }

    @Test(arguments: [[:], ["ACCOUNTS_KEYS": ""], ["ACCOUNTS_KEYS": "  "], ["ACCOUNTS_KEYS_FILE": ""]])
    func nothingConfiguredIsNoKeys(_ environment: [String: String]) {
        #expect(throws: KeyRingError.noKeys) { try KeyRing.load(keysFile: nil, environment: environment) }
    }

    /// An app that loads its ring (or builds one) has no `--keys-file` and no `accounts keys generate`: the message
    /// names `KeyRing.load`'s `keysFile:` parameter, the variables it reads, and how code makes a key.
    @Test func noKeysSaysHowAnAppConfiguresKeys() throws {
        let loaded = try #require(throws: KeyRingError.self) { try KeyRing.load(keysFile: nil, environment: [:]) }
        let built = try #require(throws: KeyRingError.self) { try KeyRing(keys: []) }
        for text in [loaded.description, built.description] {
            #expect(text.hasPrefix("no encryption keys are configured: "), "\(text)")
            #expect(text.contains("KeyRing.load(keysFile:environment:)"), "\(text)")
            #expect(text.contains("`keysFile:` parameter"), "\(text)")
            #expect(text.contains("ACCOUNTS_KEYS_FILE=FILE"), "\(text)")
            #expect(text.contains("ACCOUNTS_KEYS=\"id:BASE64KEY\""), "\(text)")
            #expect(text.contains("KeyRing(keys:) one key at least"), "\(text)")
            #expect(text.contains("SecretKey.generate(id:) makes a key"), "\(text)")
            #expect(!text.contains("--"), "\(text)")
            #expect(!text.contains("accounts keys"), "\(text)")
        }
    }

    @Test func wrongLengthNamesTheIDAndNotTheKey() throws {
        // Given: a 16-byte key
        let short = Base64.encode(SecureRandom.bytes(count: 16))

        // When
        let error = try #require(throws: KeyRingError.self) {
            try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": "id2:\(keyB),id1:\(short)"])
        }

        // Then
        let location = KeyLocation.environment(variable: "ACCOUNTS_KEYS", entry: 2)
        #expect(error == .wrongKeyLength(keyID: "id1", byteCount: 16, location: location))
        let text = String(describing: error)
        #expect(text.contains("\"id1\""))
        #expect(text.contains("ACCOUNTS_KEYS entry 2"))
        #expect(text.contains("16 bytes"))
        let showsShort = text.contains(short)
        let showsKeyB = text.contains(keyB)
        let reflectionShowsShort = String(reflecting: error).contains(short)
        #expect(!showsShort, "the short key's material is in the error's description")
        #expect(!showsKeyB, "key id2's material is in the error's description")
        #expect(!reflectionShowsShort, "the short key's material is in the error's debug description")
    }

    @Test(arguments: ["not base64!", "QUJD", "QUJDRA=", "QUJDRA===", "QU JDRA=="])
    func badBase64NamesTheID(_ value: String) throws {
        let location = KeyLocation.environment(variable: "ACCOUNTS_KEYS", entry: 1)
        let expected: KeyRingError =
            value == "QUJD"
            ? .wrongKeyLength(keyID: "k", byteCount: 3, location: location)
            : .invalidBase64(keyID: "k", location: location)
        let error = try #require(throws: KeyRingError.self) {
            try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": "k:\(value)"])
        }
        #expect(error == expected)
        #expect(!String(describing: error).contains(value))
    }

    @Test func anEntryWithoutAColonIsMalformedAndNotQuoted() throws {
        let error = try #require(throws: KeyRingError.self) {
            try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": keyA])
        }
        #expect(error == .malformedEntry(location: .environment(variable: "ACCOUNTS_KEYS", entry: 1)))
        let showsKeyA = String(describing: error).contains(keyA)
        #expect(!showsKeyA, "the key material of the entry is in the error's description")
    }

    @Test func duplicateIDsAreBlamedOnTheLaterEntry() {
        #expect(
            throws: KeyRingError.duplicateKeyID("k", location: .environment(variable: "ACCOUNTS_KEYS", entry: 2))
        ) {
            try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": "k:\(keyA),k:\(keyB)"])
        }
    }

    /// Ids that are the same text in two Unicode forms print alike and are different bytes: refused, naming both
    /// (spelled out) and both entries.
    @Test func equivalentIDsInTheVariableAreRefusedNamingBothEntries() throws {
        // When
        let error = try #require(throws: KeyRingError.self) {
            try KeyRing.load(
                keysFile: nil, environment: ["ACCOUNTS_KEYS": "caf\u{E9}:\(keyA),k1:\(keyB),cafe\u{301}:\(keyA)"])
        }

        // Then
        guard case .equivalentKeyIDs(let id, let location, let earlierID, let earlierLocation) = error else {
            Issue.record("expected equivalentKeyIDs, got \(error)")
            return
        }
        #expect(Array(id.utf8) == Array("cafe\u{301}".utf8))
        #expect(location == .environment(variable: "ACCOUNTS_KEYS", entry: 3))
        #expect(Array(earlierID.utf8) == Array("caf\u{E9}".utf8))
        #expect(earlierLocation == .environment(variable: "ACCOUNTS_KEYS", entry: 1))
        let text = String(describing: error)
        #expect(
            text.hasPrefix(#"key ids "caf\u{E9}" in ACCOUNTS_KEYS entry 1 and "cafe\u{301}" in ACCOUNTS_KEYS entry 3 "#)
        )
        let showsAKey = text.contains(keyA) || text.contains(keyB)
        #expect(!showsAKey, "key material (keyA or keyB) is in the error's description")
    }

    /// One key under two ids (a line pasted and renamed) is refused naming both ids and entries, never the key: a
    /// rewrap to the "new" id would change nothing.
    @Test func oneKeyUnderTwoIDsInTheVariableIsRefusedNamingBothEntries() throws {
        // When
        let error = try #require(throws: KeyRingError.self) {
            try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": "k2:\(keyA),k1:\(keyB),k0:\(keyA)"])
        }

        // Then
        #expect(
            error
                == .duplicateKey(
                    keyID: "k0", location: .environment(variable: "ACCOUNTS_KEYS", entry: 3), earlierKeyID: "k2",
                    earlierLocation: .environment(variable: "ACCOUNTS_KEYS", entry: 1)))
        #expect(
            String(describing: error)
                == "key \"k0\" in ACCOUNTS_KEYS entry 3 is the same key as \"k2\" in ACCOUNTS_KEYS entry 1: each id "
                + "needs a key of its own (a rewrap from one to the other would change nothing); make a new key with "
                + "SecretKey.generate(id:)")
        expectNoKeyMaterial(in: error, keys: [keyA, keyB])
    }

    // MARK: Keys file

    @Test func loadsAKeysFileWithCommentsAndBlankLines() throws {
        // Given
        let path = try keysFile(
            """
            # accounts keys: the first seals

              id2:\(keyB)  \r

            \tid1 : \(keyA)
            # retired: id0
            """)

        // When
        let ring = try KeyRing.load(keysFile: path, environment: [:])

        // Then
        #expect(ring.keyIDs == ["id2", "id1"])
    }

    @Test func equivalentIDsInAFileAreRefusedNamingBothLines() throws {
        // Given
        let path = try keysFile("# keys\ncafe\u{301}:\(keyA)\n\ncaf\u{E9}:\(keyB)\n")

        // When
        let error = try #require(throws: KeyRingError.self) { try KeyRing.load(keysFile: path, environment: [:]) }

        // Then
        guard case .equivalentKeyIDs(let id, let location, let earlierID, let earlierLocation) = error else {
            Issue.record("expected equivalentKeyIDs, got \(error)")
            return
        }
        #expect(Array(id.utf8) == Array("caf\u{E9}".utf8) && location == .file(path: path, line: 4))
        #expect(Array(earlierID.utf8) == Array("cafe\u{301}".utf8) && earlierLocation == .file(path: path, line: 2))
        let text = String(describing: error)
        #expect(text.contains(#""cafe\u{301}" in \#(path) line 2 and "caf\u{E9}" in \#(path) line 4"#), "\(text)")
        let showsAKey = text.contains(keyA) || text.contains(keyB)
        #expect(!showsAKey, "key material (keyA or keyB) is in the error's description")
    }

    @Test func oneKeyUnderTwoIDsInAFileIsRefusedNamingBothLines() throws {
        // Given: the old key's line copied in front and renamed, instead of a new key
        let path = try keysFile("# keys\nk2:\(keyA)\n\nk1:\(keyA)\n")

        // When
        let error = try #require(throws: KeyRingError.self) { try KeyRing.load(keysFile: path, environment: [:]) }

        // Then
        #expect(
            error
                == .duplicateKey(
                    keyID: "k1", location: .file(path: path, line: 4), earlierKeyID: "k2",
                    earlierLocation: .file(path: path, line: 2)))
        #expect(
            String(describing: error).hasPrefix(
                "key \"k1\" in \(path) line 4 is the same key as \"k2\" in \(path) line 2: each id needs a key"))
        expectNoKeyMaterial(in: error, keys: [keyA])
    }

    /// Keys that differ in one bit only are two keys.
    @Test func keysThatDifferInOneBitAreTwoKeys() throws {
        var bytes = try #require(Base64.decode(Array(keyA.utf8)))
        bytes[31] ^= 0x01
        let ring = try KeyRing.load(
            keysFile: nil, environment: ["ACCOUNTS_KEYS": "k2:\(keyA),k1:\(Base64.encode(bytes))"])
        #expect(ring.keyIDs == ["k2", "k1"])
    }

    /// Neither `description`, `debugDescription` nor a dump of `error` holds any of `keys` (base64), their bytes as
    /// hex, or the bytes as a dumped array would print them.
    func expectNoKeyMaterial(in error: KeyRingError, keys: [String]) {
        var dumped = ""
        dump(error, to: &dumped)
        for text in [String(describing: error), String(reflecting: error), dumped] {
            for (index, key) in keys.enumerated() {
                let bytes = Base64.decode(Array(key.utf8)) ?? []
                // (Bools first: a failing `#expect` prints its operands, here the key and the text holding it)
                let showsKey = text.contains(key)
                let showsPrefix = text.contains(String(key.prefix(16)))
                let showsHex = text.lowercased().contains(hex(bytes.prefix(8)))
                let showsArray = text.contains(bytes.prefix(4).map(String.init).joined(separator: ", "))
                #expect(!showsKey, "key \(index + 1) of \(keys.count) is in the text, in base64")
                #expect(
                    !showsPrefix, "key \(index + 1) of \(keys.count) is in the text, its first 16 base64 characters")
                #expect(!showsHex, "key \(index + 1) of \(keys.count) is in the text, its first 8 bytes in hex")
                #expect(!showsArray, "key \(index + 1) of \(keys.count) is in the text, its bytes as an array")
            }
        }
    }

    @Test(arguments: [0o400, 0o600])
    func acceptsOwnerOnlyModes(_ mode: Int) throws {
        let path = try keysFile("k:\(keyA)\n", mode: mode)
        #expect(try KeyRing.load(keysFile: path, environment: [:]).keyIDs == ["k"])
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o660, 0o700, 0o606, 0o4600])
    func refusesOtherModesNamingPathAndMode(_ mode: Int) throws {
        // Given
        let path = try keysFile("k:\(keyA)\n", mode: mode)

        // When
        let error = try #require(throws: KeyRingError.self) { try KeyRing.load(keysFile: path, environment: [:]) }

        // Then
        #expect(error == .insecureKeysFileMode(path: path, mode: UInt32(mode)))
        // (what is wrong, then the rule: a mode of 0700 is readable by its owner alone, and was told it must be)
        let what = [
            0o644: "others may read or write it", 0o700: "it is executable",
            0o4600: "it has the set-user-ID, set-group-ID or sticky bit",
        ]
        if let what = what[mode] {
            let octal = String(mode, radix: 8)
            #expect(
                String(describing: error)
                    == "keys file \(path) has mode \(octal.count < 4 ? "0" + octal : octal) (\(what)); it must have mode "
                    + "0600 or 0400, readable by its owner alone (chmod 600)")
        }
    }

    @Test func fileErrorsNameThePathAndLine() throws {
        // Given
        let path = try keysFile("# header\nid2:\(keyB)\n\nid1:\(Base64.encode([UInt8](repeating: 1, count: 31)))\n")

        // Then
        #expect(throws: KeyRingError.wrongKeyLength(keyID: "id1", byteCount: 31, location: .file(path: path, line: 4)))
        {
            try KeyRing.load(keysFile: path, environment: [:])
        }
        let text = KeyRingError.wrongKeyLength(keyID: "id1", byteCount: 31, location: .file(path: path, line: 4))
            .description
        #expect(text.contains("\(path) line 4"))
    }

    @Test func aFileWithoutKeysSaysSo() throws {
        let path = try keysFile("# nothing yet\n\n")
        #expect(throws: KeyRingError.emptyKeysFile(path: path)) { try KeyRing.load(keysFile: path, environment: [:]) }
    }

    @Test func aMissingFileIsUnreadable() throws {
        let path = directory.appendingPathComponent("absent").path
        let error = try #require(throws: KeyRingError.self) { try KeyRing.load(keysFile: path, environment: [:]) }
        guard case .unreadableKeysFile(let errorPath, let reason) = error else {
            Issue.record("expected unreadableKeysFile, got \(error)")
            return
        }
        #expect(errorPath == path)
        #expect(reason == "No such file or directory")
    }

    @Test func aDirectoryIsRefused() {
        #expect(throws: KeyRingError.unreadableKeysFile(path: directory.path, reason: "it is not a regular file")) {
            try KeyRing.load(keysFile: directory.path, environment: [:])
        }
    }

    /// A FIFO is refused at once: opened for reading, it waited for a writer forever.
    @Test func aFIFOIsRefusedWithoutWaitingForAWriter() throws {
        let path = directory.appendingPathComponent("keys.fifo").path
        #expect(mkfifo(path, 0o600) == 0)
        #expect(throws: KeyRingError.unreadableKeysFile(path: path, reason: "it is not a regular file")) {
            try KeyRing.load(keysFile: path, environment: [:])
        }
    }

    /// A keys file of another user's is refused (its owner could choose the sealing key); root's is trusted. Needs
    /// to run as root to give a file away (CI does); as anyone else it checks that one's own file is read.
    @Test func aKeysFileOfAnotherUserIsRefused() throws {
        let path = try keysFile("k1:\(keyA)\n")
        #expect(try KeyRing.load(keysFile: path, environment: [:]).keyIDs == ["k1"])
        guard geteuid() == 0 else { return }
        #expect(chown(path, 12_345, 12_345) == 0)
        let error = try #require(throws: KeyRingError.self) { try KeyRing.load(keysFile: path, environment: [:]) }
        #expect(error == .keysFileOwnedByAnotherUser(path: path, owner: 12_345))
        // The process may be an app, not `accounts`: the message names the user it runs as.
        #expect(
            error.description
                == "keys file \(path) belongs to user id 12345, not to the user this process runs as or root; whoever "
                + "owns it chooses the key new secrets are sealed with (chown it, or copy it to a file of your own)")
    }

    /// A keys file of comments only says what a line is and how code makes one, not which command does.
    @Test func anEmptyKeysFileSaysHowAnAppMakesAKey() throws {
        let path = try keysFile("# keys for the app\n\n")
        let error = try #require(throws: KeyRingError.self) { try KeyRing.load(keysFile: path, environment: [:]) }
        #expect(error == .emptyKeysFile(path: path))
        #expect(
            error.description
                == "keys file \(path) holds no keys; add lines of the form id:BASE64KEY (SecretKey.generate(id:) makes "
                + "a key, and its unredactedKeysFileLine() is the line)")
    }

    /// An editor's byte-order mark is no part of the first key's id (it made an id that looks like `k2` and is not).
    @Test func aByteOrderMarkIsNoPartOfTheFirstID() throws {
        let path = try keysFile("\u{FEFF}k2:\(keyA)\nk1:\(keyB)\n")
        #expect(try KeyRing.load(keysFile: path, environment: [:]).keyIDs == ["k2", "k1"])
    }

    /// Elsewhere a byte-order mark (two files joined with `cat`) or any other invisible character is refused with
    /// the line; in the variable, one at the very start (`ACCOUNTS_KEYS=$(cat keys.txt)`) is dropped as in a file.
    @Test func anInvisibleCharacterInALaterIDIsRefusedWithItsLine() throws {
        let path = try keysFile("k1:\(keyA)\n\u{FEFF}k2:\(keyB)\n")
        #expect(
            throws: KeyRingError.invalidKeyID(
                "\u{FEFF}k2", problem: .forbiddenCharacter, location: .file(path: path, line: 2))
        ) {
            try KeyRing.load(keysFile: path, environment: [:])
        }
        #expect(
            KeyRingError.invalidKeyID(
                "\u{FEFF}k2", problem: .forbiddenCharacter, location: .file(path: path, line: 2)
            ).description.hasPrefix(#"key id "\u{FEFF}k2" in \#(path) line 2 is invalid"#))
        let ring = try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": "\u{FEFF}k2:\(keyA),k1:\(keyB)"])
        #expect(ring.keyIDs == ["k2", "k1"])
        #expect(
            throws: KeyRingError.invalidKeyID(
                "k\u{200B}1", problem: .forbiddenCharacter,
                location: .environment(variable: "ACCOUNTS_KEYS", entry: 2))
        ) {
            try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": "k2:\(keyA),k\u{200B}1:\(keyB)"])
        }
    }

    // MARK: Precedence

    @Test func theKeysFileArgumentComesFirst() throws {
        // Given
        let argument = try keysFile("argument:\(keyA)\n", name: "argument")
        let variable = try keysFile("variable:\(keyB)\n", name: "variable")

        // When
        let ring = try KeyRing.load(
            keysFile: argument, environment: ["ACCOUNTS_KEYS_FILE": variable, "ACCOUNTS_KEYS": "inline:\(keyA)"])

        // Then
        #expect(ring.keyIDs == ["argument"])
    }

    @Test func theKeysFileVariableComesBeforeInlineKeys() throws {
        let variable = try keysFile("variable:\(keyB)\n", name: "variable")
        let ring = try KeyRing.load(
            keysFile: nil, environment: ["ACCOUNTS_KEYS_FILE": variable, "ACCOUNTS_KEYS": "inline:\(keyA)"])
        #expect(ring.keyIDs == ["variable"])
    }

    @Test func aBadKeysFileIsNotSilentlyReplacedByInlineKeys() throws {
        let insecure = try keysFile("variable:\(keyB)\n", mode: 0o644)
        #expect(throws: KeyRingError.insecureKeysFileMode(path: insecure, mode: 0o644)) {
            try KeyRing.load(
                keysFile: nil, environment: ["ACCOUNTS_KEYS_FILE": insecure, "ACCOUNTS_KEYS": "i:\(keyA)"])
        }
    }
}
