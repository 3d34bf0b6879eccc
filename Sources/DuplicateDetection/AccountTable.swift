import AccountMatching
import AccountModel
import Dispatch
import Foundation
import Synchronization

/// Every account the detector was given, packed for a million accounts: raw text in one byte arena, normalised
/// features in flat arrays, name words interned.
struct AccountTable: Sendable {
    /// Raw fields, in this order, per account.
    enum RawField: Int, CaseIterable {
        case id, username, email, firstName, lastName, twitterScreenName, twitterName
    }

    /// Which handle of an account.
    enum HandleSlot: Int, CaseIterable {
        case username, screenName, emailLocalPart
    }

    /// Which name of an account.
    enum NameSlotKind: Int, CaseIterable {
        case account, twitter
    }

    /// A name as interned word ids; `given < 0` means no name.
    struct NameSlot: Sendable {
        var given: Int32 = -1
        /// The second word of a first-name field of two words or more (`Van Minh`, `Tae Woo`, `Mary Ann`); -1
        /// otherwise, and always for display names (whose later words may be family names).
        var given1: Int32 = -1
        var family0: Int32 = -1
        var family1: Int32 = -1
        var family2: Int32 = -1

        var isEmpty: Bool { given < 0 }

        var familyCount: Int { family0 < 0 ? 0 : family1 < 0 ? 1 : family2 < 0 ? 2 : 3 }

        func family(_ index: Int) -> Int32 {
            switch index {
            case 0: return family0
            case 1: return family1
            default: return family2
            }
        }

        init() {}

        init(given: Int32, family: [Int32]) {
            self.given = given
            family0 = family.count > 0 ? family[0] : -1
            family1 = family.count > 1 ? family[1] : -1
            family2 = family.count > 2 ? family[2] : -1
        }
    }

    static let rawFieldCount = RawField.allCases.count
    /// The bit of ``rawPresent`` set when the account has a Twitter user id (``twitterIDs``), after the raw fields'.
    static let twitterIDBit: UInt8 = 1 << UInt8(rawFieldCount)
    static let handleCount = HandleSlot.allCases.count
    static let nameCount = NameSlotKind.allCases.count

    private(set) var count = 0
    /// `rawFieldCount + 1` starts per account (the last is the end of the last field).
    private(set) var rawStarts: [UInt32] = []
    /// Bit `field` set when the field is present (not nil); ``twitterIDBit`` when the Twitter user id is.
    private(set) var rawPresent: [UInt8] = []
    private(set) var rawText: [UInt8] = []
    /// The linked Twitter identity's user id (0 when there is none: see ``twitterIDBit``), for the report only: a
    /// number per account, not text.
    private(set) var twitterIDs: [UInt64] = []
    /// FNV-1a of the normalised mailbox; 0 when there is none. Equal hashes say only that two mailboxes may be the
    /// same: ``sameMailbox(_:_:)`` compares their text (FNV-1a collisions are easy to make on purpose).
    private(set) var mailbox: [UInt64] = []
    /// `count + 1` starts into ``mailboxText``: the normalised mailboxes.
    private(set) var mailboxStarts: [UInt32] = [0]
    private(set) var mailboxText: [UInt8] = []
    /// Each handle's hash and cheap facts about it (to skip pairs that cannot resemble before comparing bytes), the
    /// three of an account side by side.
    private(set) var handleShape: [HandleShape] = []
    /// `handleCount + 1` starts per account into `handleText`.
    private(set) var handleStarts: [UInt32] = []
    private(set) var handleText: [UInt8] = []
    /// `nameCount` per account.
    private(set) var names: [NameSlot] = []
    private(set) var words = WordTable()

    /// A first-name field's first and second words (-1 for none) and how many words it has.
    private var givenCache = TextCache<(first: Int32, second: Int32, count: Int)>()
    /// A last-name field's first three words, as a slot with no given name.
    private var familyCache = TextCache<NameSlot>()
    private var displayCache = TextCache<NameSlot>()
    let nicknames: Nicknames
    let knownNames: KnownNameWords

    init(nicknames: Nicknames) {
        self.nicknames = nicknames
        knownNames = nicknames.knownNameWords
    }

    mutating func reserveCapacity(_ accounts: Int) {
        rawStarts.reserveCapacity(accounts * (AccountTable.rawFieldCount + 1))
        rawPresent.reserveCapacity(accounts)
        rawText.reserveCapacity(accounts * 96)
        twitterIDs.reserveCapacity(accounts)
        mailbox.reserveCapacity(accounts)
        mailboxStarts.reserveCapacity(accounts + 1)
        mailboxText.reserveCapacity(accounts * 24)
        handleShape.reserveCapacity(accounts * AccountTable.handleCount)
        handleStarts.reserveCapacity(accounts * (AccountTable.handleCount + 1))
        handleText.reserveCapacity(accounts * 24)
        names.reserveCapacity(accounts * AccountTable.nameCount)
    }

    mutating func append(_ account: MatchableAccount) {
        append(PreparedAccounts([account]))
    }

    /// Adds accounts whose raw text, mailboxes and handles were laid out already (see ``PreparedAccounts``): their
    /// arrays are copied whole, and only the names, which share the table's word list and caches, are worked out
    /// here.
    mutating func append(_ batch: PreparedAccounts) {
        count += batch.count
        let rawBase = UInt32(rawText.count)
        rawText.append(contentsOf: batch.rawText)
        rawStarts.append(contentsOf: batch.rawStarts.lazy.map { $0 + rawBase })
        rawPresent.append(contentsOf: batch.rawPresent)
        twitterIDs.append(contentsOf: batch.twitterIDs)
        mailbox.append(contentsOf: batch.mailbox)
        let mailboxBase = UInt32(mailboxText.count)
        mailboxText.append(contentsOf: batch.mailboxText)
        mailboxStarts.append(contentsOf: batch.mailboxStarts.dropFirst().lazy.map { $0 + mailboxBase })
        let handleBase = UInt32(handleText.count)
        handleText.append(contentsOf: batch.handleText)
        handleStarts.append(contentsOf: batch.handleStarts.lazy.map { $0 + handleBase })
        handleShape.append(contentsOf: batch.handleShape)
        // The names, read from the batch's raw text: a string is made only for a spelling not seen before.
        batch.rawText.withUnsafeBufferPointer { text in
            func field(_ index: Int, _ field: RawField) -> UnsafeBufferPointer<UInt8>? {
                guard batch.rawPresent[index] & (1 << UInt8(field.rawValue)) != 0 else { return nil }
                let base = index * (AccountTable.rawFieldCount + 1) + field.rawValue
                return UnsafeBufferPointer(rebasing: text[Int(batch.rawStarts[base])..<Int(batch.rawStarts[base + 1])])
            }
            for index in 0..<batch.count {
                names.append(accountName(first: field(index, .firstName), last: field(index, .lastName)))
                names.append(
                    field(index, .twitterName).map {
                        displayName(
                            $0, parsed: batch.parsedDisplayNames.isEmpty ? nil : batch.parsedDisplayNames[index])
                    } ?? NameSlot())
            }
        }
    }

    private mutating func accountName(
        first firstBytes: UnsafeBufferPointer<UInt8>?, last lastBytes: UnsafeBufferPointer<UInt8>?
    ) -> NameSlot {
        guard let firstBytes else { return NameSlot() }
        let given: (first: Int32, second: Int32, count: Int)
        let foundGiven = givenCache.find(firstBytes)
        if let cached = foundGiven.value {
            given = cached
        } else {
            let first = String(decoding: firstBytes, as: UTF8.self)
            let parsed = PersonName.givenWords(first)
            // A handle written where the name goes (`red_samurai06`) is no name.
            let ids =
                AccountTable.isHandle(first, words: parsed)
                ? [] : parsed.map { words.intern($0, nicknames: nicknames) }
            addUmlautSpellings(of: first, ids, PersonName.givenWords)
            if let id = ids.first, let parts = PersonName.hyphenParts(first) {
                // `jeandupont` and `pierredupont` are Jean-Pierre Dupont's handles too.
                for part in parts { words.addSpelling(id, part) }
            }
            given = (ids.first ?? -1, ids.count > 1 ? ids[1] : -1, ids.count)
            givenCache.insert(firstBytes, given, at: foundGiven)
        }
        guard given.first >= 0 else { return NameSlot() }
        var family = NameSlot()
        if let lastBytes {
            let foundFamily = familyCache.find(lastBytes)
            if let cached = foundFamily.value {
                family = cached
            } else {
                let last = String(decoding: lastBytes, as: UTF8.self)
                let ids = PersonName.familyWords(last).prefix(3).map { words.intern($0, nicknames: nicknames) }
                addUmlautSpellings(of: last, ids) { Array(PersonName.familyWords($0).prefix(3)) }
                family = NameSlot(given: -1, family: ids)
                familyCache.insert(lastBytes, family, at: foundFamily)
            }
        }
        // A first name that is only a title (`Prof.` from the display name `Prof. Kat Murphy`) gives way to the
        // first word of the last name.
        if given.count == 1, words.title[Int(given.first)], family.familyCount >= 2 {
            var slot = NameSlot()
            slot.given = family.family0
            slot.family0 = family.family1
            slot.family1 = family.family2
            return slot
        }
        family.given = given.first
        family.given1 = given.second
        return family
    }

    /// Whether a name as written (`text`, read into `words`) is a handle written where the name goes, which says
    /// nothing of who the person is: an underscore anywhere (`lone_storm`, read as two words), or a word with a digit
    /// (`wittygamer33`) other than an ordinal (`3rd`).
    static func isHandle(_ text: String, words: [String]) -> Bool {
        if text.utf8.contains(UInt8(ascii: "_")) { return true }
        return words.contains { word in
            let digits = word.utf8.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
            if digits > 0, ["st", "nd", "rd", "th"].contains(String(word.dropFirst(digits)).lowercased()) {
                return false
            }
            return word.utf8.contains { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        }
    }

    /// When `text` has umlauts, records the spelled-out form of each of its words (`ids`, as `parse` read them) as
    /// another spelling of the word.
    private mutating func addUmlautSpellings(of text: String, _ ids: [Int32], _ parse: (String) -> [String]) {
        guard let spelled = NameText.spellingOutUmlauts(text) else { return }
        addSpellings(ids, parse(spelled))
    }

    /// Records each of `other` as another spelling of the word of `ids` in its place, when the two name the same
    /// number of words and the spellings differ in length (`mueller` for `muller`).
    private mutating func addSpellings(_ ids: [Int32], _ other: [String]) {
        guard other.count == ids.count else { return }
        for (id, word) in zip(ids, other) where word.utf8.count != words.utf8[Int(id)].count {
            words.addSpelling(id, word)
        }
    }

    /// The name in a display name: read without the parse when it is two plain words, from the cache when the same
    /// text came before, and otherwise from `parsed` (parsed ahead on the thread that prepared the batch) or parsed
    /// here. Its words are interned, and their other spellings recorded, the first time the text comes.
    private mutating func displayName(
        _ bytes: UnsafeBufferPointer<UInt8>, parsed: @autoclosure () -> ParsedDisplayName?
    ) -> NameSlot {
        if let plain = plainDisplayName(bytes) { return plain }
        let found = displayCache.find(bytes)
        if let cached = found.value { return cached }
        let name = parsed() ?? ParsedDisplayName(bytes)
        var slot = NameSlot()
        if let parts = name.words {
            slot = NameSlot(
                given: words.intern(parts[0], nicknames: nicknames),
                family: parts.dropFirst().map { words.intern($0, nicknames: nicknames) })
            for part in name.hyphenParts { words.addSpelling(slot.given, part) }
            if let other = name.umlautWords {
                addSpellings([slot.given] + (0..<slot.familyCount).map(slot.family), other)
            }
        }
        displayCache.insert(bytes, slot, at: found)
        return slot
    }

    /// A display name that ``AccountMatching/PersonName/plainDisplayName(_:)`` reads without the full parse (most
    /// display names), its words interned as the parse's would be; `nil` for any other text. Most such names are
    /// written once in the store, so a cache of whole names would only grow; at a million accounts the parse took a
    /// third of the loading thread's time.
    private mutating func plainDisplayName(_ bytes: UnsafeBufferPointer<UInt8>) -> NameSlot? {
        guard let (given, family) = PersonName.plainDisplayName(bytes) else { return nil }
        let givenID = words.intern(given, nicknames: nicknames)
        return NameSlot(given: givenID, family: [words.intern(family, nicknames: nicknames)])
    }

    /// Accounts carrying each word as a given name, and as a family name.
    private var givenCounts: [Int32] = []
    private var familyCounts: [Int32] = []

    /// Frees the parsing caches once every account is in, drops names that are their account's own handles and
    /// phrases posing as names, and counts how many accounts carry each name word. The handles are counted on another
    /// core meanwhile and go on being counted after this returns (blocking needs none of it):
    /// ``awaitHandleCounts()`` installs them, and must be called before the table is scored.
    mutating func finishLoading() {
        givenCache = TextCache()
        familyCache = TextCache()
        displayCache = TextCache()
        forgetOwnHandles()
        markAlts()
        // Handles' letters and affixes are counted with the accounts' given names as they stand now, own handles
        // dropped (copied out: the names are rewritten when phrases are dropped).
        var givens: [Int32] = []
        givens.reserveCapacity(count * AccountTable.nameCount)
        var families: [Int32] = []
        families.reserveCapacity(count * AccountTable.nameCount * 2)
        for slot in names {
            givens.append(slot.given)
            families.append(slot.family0)
            families.append(slot.family1)
        }
        let handles = (
            count: count, shapes: handleShape, starts: handleStarts, text: handleText, givens: givens,
            families: families, words: words.utf8, spellings: words.spellings
        )
        let pending = PendingHandleCounts()
        DispatchQueue.global().async(group: pending.group) {
            let result = AccountTable.countHandles(
                count: handles.count, shapes: handles.shapes, starts: handles.starts, text: handles.text,
                givens: handles.givens, families: handles.families, words: handles.words,
                spellings: handles.spellings)
            pending.counts.withLock { $0 = result }
        }
        pendingHandleCounts = pending
        countNameWords()
        // The words of the phrases dropped are not anyone's name: count again without them.
        if forgetPhrases() { countNameWords() }
        countNamePools()
        familyWords = FamilyWordCounts(words: words, counts: familyCounts)
        wordInitials = NameInitials.Word.all(of: words)
    }

    /// Waits for the handle counts ``finishLoading()`` set going, and installs them (nothing when they are in).
    mutating func awaitHandleCounts() {
        guard let pending = pendingHandleCounts else { return }
        pending.group.wait()
        guard let handleCounts = pending.counts.withLock({ $0 }) else {
            preconditionFailure("the handle counts are in once the group is done")
        }
        pendingHandleCounts = nil
        handleStarts4 = handleCounts.starts4
        handleEnds4 = handleCounts.ends4
        affixHandles = handleCounts.affixHandles
        sharedLetters = handleCounts.sharedLetters
        affixCounts = AffixCounts(
            starts: handleStarts4, ends: handleEnds4, handles: affixHandles, givenStarts: handleCounts.givenStarts,
            givenStartCounts: handleCounts.givenStartCounts, givenCarriers: givenCounts,
            givenFronts: handleCounts.givenFronts, givenFrontCounts: handleCounts.givenFrontCounts)
        handleCountsReady = true
    }

    /// Whether ``awaitHandleCounts()`` installed the handle counts the scorer reads.
    private(set) var handleCountsReady = false
    private var pendingHandleCounts: PendingHandleCounts?

    /// Handle counts being worked out on another core.
    private final class PendingHandleCounts: Sendable {
        let group = DispatchGroup()
        let counts = Mutex<HandleCounts?>(nil)
    }

    /// How many accounts carry each family name, by its letters (set by ``finishLoading()``).
    private(set) var familyWords = FamilyWordCounts(words: WordTable(), counts: [])
    /// What ``nameInitials(_:)`` takes of each word, by word id (set by ``finishLoading()``).
    private(set) var wordInitials: [NameInitials.Word] = []

    /// How many accounts carry each family word written in ASCII letters (three or more), looked up by the letters,
    /// how many carry one beginning with given letters (four or more, short of the whole word), and how many carry
    /// one beginning with each letter: what a family name written as an initial (`Rohit N.`) stands for, when a
    /// handle spells it out (`rohitnaidu96`), or spells its beginning where Twitter cut the screen name
    /// (`realbeatazielin` for Beata Z.). A class, held once by the table.
    final class FamilyWordCounts: Sendable {
        /// FNV-1a of each spelling, sorted, and its carriers.
        private let hashes: [UInt64]
        private let counts: [Int32]
        /// FNV-1a of each beginning of a spelling, sorted, and the carriers of the words it begins.
        private let prefixHashes: [UInt64]
        private let prefixCounts: [Int32]
        /// Carriers of family words beginning with each letter `a`–`z`.
        let initialCarriers: [Int32]

        /// The shortest beginning of a family name counted as one (``prefixCarriers(hash:)``).
        static let minimumPrefix = 4

        init(words: WordTable, counts familyCounts: [Int32]) {
            var pairs: [(UInt64, Int32)] = []
            var prefixPairs: [(UInt64, Int32)] = []
            var initials = [Int32](repeating: 0, count: 26)
            var prefixesSeen: [UInt64] = []
            for (id, count) in familyCounts.enumerated() where count > 0 {
                var counted = false
                prefixesSeen.removeAll(keepingCapacity: true)
                for spelling in words.spellings[id]
                where spelling.count >= 3 && spelling.allSatisfy({ $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") })
                {
                    pairs.append((FNV1a.hash(spelling), count))
                    // Each word's carriers once under its letter (`muller` and `mueller` are one Müller), and once
                    // under each beginning (`schro` of `schroder` and `schroeder`).
                    if !counted { initials[Int(spelling[0] - UInt8(ascii: "a"))] += count }
                    counted = true
                    var hasher = FNV1a()
                    for (index, byte) in spelling.enumerated() where index < spelling.count - 1 {
                        hasher.combine(byte)
                        guard index + 1 >= FamilyWordCounts.minimumPrefix else { continue }
                        let hash = hasher.value == 0 ? 1 : hasher.value
                        if prefixesSeen.contains(hash) { continue }
                        prefixesSeen.append(hash)
                        prefixPairs.append((hash, count))
                    }
                }
            }
            (hashes, counts) = FamilyWordCounts.summed(pairs)
            (prefixHashes, prefixCounts) = FamilyWordCounts.summed(prefixPairs)
            initialCarriers = initials
        }

        /// `pairs` sorted by hash, the counts of equal hashes added up.
        private static func summed(_ pairs: [(UInt64, Int32)]) -> ([UInt64], [Int32]) {
            let pairs = pairs.sorted { $0.0 < $1.0 }
            var hashes: [UInt64] = []
            var counts: [Int32] = []
            for (hash, count) in pairs {
                if hashes.last == hash {
                    counts[counts.count - 1] += count
                } else {
                    hashes.append(hash)
                    counts.append(count)
                }
            }
            return (hashes, counts)
        }

        /// The carriers of the family word whose letters hash to `hash` (``FNV1a/hash(_:)``), 0 for none.
        func carriers(hash: UInt64) -> Int32 {
            sortedCount(of: hash, in: hashes, counts)
        }

        /// The carriers of family words that begin with the letters hashing to `hash` and go on (``minimumPrefix``
        /// letters or more), 0 for none.
        func prefixCarriers(hash: UInt64) -> Int32 {
            sortedCount(of: hash, in: prefixHashes, prefixCounts)
        }
    }

    /// What ``finishLoading()`` counts of the handles: their first and last four letters, and how many accounts
    /// share each handle's letters (three or more).
    private struct HandleCounts: Sendable {
        var starts4: [Int32]
        var ends4: [Int32]
        var affixHandles = 0
        var sharedLetters: [UInt32: Int32] = [:]
        /// Each given word with the first four letters of a handle of an account carrying it (given id << 32 |
        /// letters), sorted and distinct, and how many accounts have the two together.
        var givenStarts: [UInt64] = []
        var givenStartCounts: [Int32] = []
        /// Each given word with the letters in front of the family name in a handle of an account carrying both
        /// (given id << 32 | the letters' FNV-1a, 32 bits: `deepak` of Deepu Shah's `deepakshah`), sorted and
        /// distinct, and how many accounts have the two together.
        var givenFronts: [UInt64] = []
        var givenFrontCounts: [Int32] = []
    }

    /// Where in `handle` the family name `family` begins, for handles that have two letters or more, and no digit,
    /// in front of it: the last place `family` stands, or at the end of a handle of 13–15 characters its first four
    /// letters or more (a screen name cut at 15). With the key of the letters in front (``HandleCounts/givenFronts``,
    /// without the given). The first two family words of each name are counted.
    static func familyFront(_ handle: UnsafeBufferPointer<UInt8>, _ family: [UInt8]) -> (start: Int, key: UInt32)? {
        guard family.count >= 3, handle.count >= min(family.count, 4) + 2 else { return nil }
        var position: Int?
        if handle.count >= family.count + 2 {
            // The last place it stands (`mohammedham` for Mohammed Ham: in front is `mohammed`, not `mo`).
            let first = family[0]
            for start in stride(from: handle.count - family.count, through: 2, by: -1)
            where handle[start] == first && handle[start..<(start + family.count)].elementsEqual(family) {
                position = start
                break
            }
        }
        if position == nil, (13...15).contains(handle.count) {
            for length in stride(from: min(family.count - 1, handle.count - 2), through: 4, by: -1)
            where handle[(handle.count - length)...].elementsEqual(family[..<length]) {
                position = handle.count - length
                break
            }
        }
        guard let position else { return nil }
        var hasher = FNV1a()
        var letters = 0
        for byte in handle[..<position] {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { return nil }
            guard byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") else { continue }
            hasher.combine(byte)
            letters += 1
        }
        guard letters >= 2 else { return nil }
        return (position, UInt32(truncatingIfNeeded: hasher.value ^ (hasher.value >> 32)))
    }

    private static func countHandles(
        count: Int, shapes: [HandleShape], starts: [UInt32], text: [UInt8], givens givenIDs: [Int32],
        families familyIDs: [Int32], words: [[UInt8]], spellings: [[[UInt8]]]
    ) -> HandleCounts {
        var counts = HandleCounts(
            starts4: Array(repeating: 0, count: AccountTable.affixCount),
            ends4: Array(repeating: 0, count: AccountTable.affixCount))
        var letterHashes: [UInt32] = []
        letterHashes.reserveCapacity(count * 2)
        var givenStarts: [UInt64] = []
        givenStarts.reserveCapacity(count * 2)
        var accountKeys: [UInt64] = []
        var givenFronts: [UInt64] = []
        var frontKeys: [UInt64] = []
        // A handle beginning with the given name itself (`sergio…`) has no word in front of it: not counted.
        let ownStarts = words.map { word -> Int32 in
            var prefix = 0
            var letters = 0
            for byte in word where byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") && letters < 4 {
                prefix = prefix * 26 + Int(byte - UInt8(ascii: "a"))
                letters += 1
            }
            return letters == 4 ? Int32(prefix) : -1
        }
        for account in 0..<count {
            var seen: (UInt32, UInt32) = (0, 0)
            accountKeys.removeAll(keepingCapacity: true)
            frontKeys.removeAll(keepingCapacity: true)
            let givens = givenIDs[(account * AccountTable.nameCount)..<((account + 1) * AccountTable.nameCount)]
            let families = familyIDs[
                (account * AccountTable.nameCount * 2)..<((account + 1) * AccountTable.nameCount * 2)]
            for slot in HandleSlot.allCases {
                let shape = shapes[account * AccountTable.handleCount + slot.rawValue]
                if shape.hash == 0 { continue }
                let base = account * (AccountTable.handleCount + 1) + slot.rawValue
                if shape.letterCount == 0 || shape.letters == seen.0 || shape.letters == seen.1 { continue }
                letterHashes.append(shape.letters)
                seen = (seen.1, shape.letters)
                if !families.allSatisfy({ $0 < 0 }) {
                    text.withUnsafeBufferPointer { all in
                        let handle = UnsafeBufferPointer(rebasing: all[Int(starts[base])..<Int(starts[base + 1])])
                        for (index, family) in families.enumerated()
                        where family >= 0 && !families.prefix(index).contains(family) {
                            for spelling in spellings[Int(family)] {
                                guard let (_, front) = AccountTable.familyFront(handle, spelling) else { continue }
                                for given in givens where given >= 0 {
                                    let key = UInt64(UInt32(bitPattern: given)) << 32 | UInt64(front)
                                    if !frontKeys.contains(key) { frontKeys.append(key) }
                                }
                            }
                        }
                    }
                }
                if let (prefix, suffix) = AccountTable.affixes(text[Int(starts[base])..<Int(starts[base + 1])]) {
                    counts.starts4[prefix] += 1
                    counts.ends4[suffix] += 1
                    counts.affixHandles += 1
                    for given in givens where given >= 0 && ownStarts[Int(given)] != Int32(prefix) {
                        let key = UInt64(UInt32(bitPattern: given)) << 32 | UInt64(prefix)
                        if !accountKeys.contains(key) { accountKeys.append(key) }
                    }
                }
            }
            givenStarts.append(contentsOf: accountKeys)
            givenFronts.append(contentsOf: frontKeys)
        }
        (counts.givenFronts, counts.givenFrontCounts) = distinctCounts(&givenFronts)
        // Only what several accounts share can say anything (``AffixCounts/wordBits(_:after:givens:)``).
        (counts.givenStarts, counts.givenStartCounts) = distinctCounts(&givenStarts)
        letterHashes.sort()
        var start = 0
        while start < letterHashes.count {
            var end = start + 1
            while end < letterHashes.count && letterHashes[end] == letterHashes[start] { end += 1 }
            if end - start >= 3 { counts.sharedLetters[letterHashes[start]] = Int32(end - start) }
            start = end
        }
        return counts
    }

    /// The keys that more than two accounts have, sorted, and how many have each (looked up again with
    /// ``sortedCount(of:in:_:)``).
    private static func distinctCounts(_ keys: inout [UInt64]) -> ([UInt64], [Int32]) {
        keys.sort()
        var distinct: [UInt64] = []
        var counts: [Int32] = []
        var position = 0
        while position < keys.count {
            var end = position + 1
            while end < keys.count && keys[end] == keys[position] { end += 1 }
            if end - position > 2 {
                distinct.append(keys[position])
                counts.append(Int32(end - position))
            }
            position = end
        }
        return (distinct, counts)
    }

    /// How many accounts carry each given and family word (an account counts once per word, whichever of its names
    /// carry it).
    private mutating func countNameWords() {
        givenCounts = Array(repeating: 0, count: words.utf8.count)
        familyCounts = Array(repeating: 0, count: words.utf8.count)
        var givenSeen: [Int32] = []
        var familySeen: [Int32] = []
        for account in 0..<count {
            givenSeen.removeAll(keepingCapacity: true)
            familySeen.removeAll(keepingCapacity: true)
            for kind in NameSlotKind.allCases {
                let slot = name(account, kind)
                if slot.isEmpty { continue }
                givenSeen.append(slot.given)
                for index in 0..<slot.familyCount { familySeen.append(slot.family(index)) }
            }
            givenSeen.sort()
            familySeen.sort()
            for (index, id) in givenSeen.enumerated() where index == 0 || givenSeen[index - 1] != id {
                givenCounts[Int(id)] += 1
            }
            for (index, id) in familySeen.enumerated() where index == 0 || familySeen[index - 1] != id {
                familyCounts[Int(id)] += 1
            }
        }
    }

    func givenCount(of word: Int32) -> Int { Int(givenCounts[Int(word)]) }

    /// What one name word goes with: for a given name, the family names its carriers have (for a family name, the
    /// given names).
    struct NamePool: Sendable {
        /// Carriers of the word, once per full name they carry.
        var samples: Int32 = 0
        /// The carriers of each distinct word it goes with, summed.
        var partnerCarriers: Int64 = 0
        /// How many of the words it goes with do so exactly once.
        var partnersOnce: Int32 = 0
    }

    private var givenPools: [NamePool] = []
    private var familyPools: [NamePool] = []
    /// The world a word's partners keep to (``countPartnersWorlds()``), for when the word's own pool tells nothing
    /// (too few carriers, or each partner seen once); 0 when too few partners have a world of their own.
    private var givenPartnersWorld: [Float] = []
    private var familyPartnersWorld: [Float] = []
    /// Each distinct full name (given word id << 32 | family word id), sorted, and how many accounts carry it.
    private var fullNames: [UInt64] = []
    private var fullNameCarriers: [Int32] = []

    /// Given and family names go together by language and origin: Kenji with Fujita, Anjali with Pandey. For each
    /// name word, which words of the other kind its carriers have, to tell how many people a name's words are
    /// drawn from (``population(given:family:)``).
    private mutating func countNamePools() {
        var keys: [UInt64] = []
        keys.reserveCapacity(count * 2)
        var seen: [UInt64] = []
        for account in 0..<count {
            seen.removeAll(keepingCapacity: true)
            for kind in NameSlotKind.allCases {
                let slot = name(account, kind)
                if slot.isEmpty { continue }
                for index in 0..<slot.familyCount {
                    let key =
                        UInt64(UInt32(bitPattern: slot.given)) << 32
                        | UInt64(UInt32(bitPattern: slot.family(index)))
                    if !seen.contains(key) { seen.append(key) }
                }
            }
            keys.append(contentsOf: seen)
        }
        keys.sort()
        fullNames = []
        fullNameCarriers = []
        givenPools = Array(repeating: NamePool(), count: words.utf8.count)
        familyPools = givenPools
        var start = 0
        while start < keys.count {
            var end = start + 1
            while end < keys.count && keys[end] == keys[start] { end += 1 }
            let carriers = Int32(end - start)
            let given = Int(keys[start] >> 32)
            let family = Int(UInt32(truncatingIfNeeded: keys[start]))
            fullNames.append(keys[start])
            fullNameCarriers.append(carriers)
            givenPools[given].samples += carriers
            givenPools[given].partnerCarriers += Int64(familyCounts[family])
            familyPools[family].samples += carriers
            familyPools[family].partnerCarriers += Int64(givenCounts[given])
            if carriers == 1 {
                givenPools[given].partnersOnce += 1
                familyPools[family].partnersOnce += 1
            }
            start = end
        }
        countPartnersWorlds()
    }

    /// A word's world from its own pool (see ``population(given:family:)``): its partners' carriers scaled up by the
    /// share of partners seen once, or `nil` when the pool tells nothing.
    private static func world(samples: Int, once: Int, partnerCarriers: Double, total: Double) -> Double? {
        guard samples >= AccountTable.poolMinimumSample, once < samples else { return nil }
        return min(total, max(1, partnerCarriers / (1 - Double(once) / Double(samples))))
    }

    /// A rare word's own pool tells nothing: Vismara's eight carriers have eight different given names, each seen
    /// once. Its partners' pools do: Erika, Giuseppe and Chiara keep to the store's Italians, and so, by them, does
    /// Vismara. The world of such a word is the geometric mean of its partners' own worlds, weighted by how many
    /// carry each partner with it, when at least ``partnersWorldMinimum`` partners have one. (Without it, every rare
    /// word's world was the whole store, and a name of two such words from one small language group looked as rare
    /// as if drawn from everyone.)
    private mutating func countPartnersWorlds() {
        givenPartnersWorld = Array(repeating: 0, count: givenPools.count)
        familyPartnersWorld = Array(repeating: 0, count: familyPools.count)
        // Sums of log worlds and weights, and partner counts, per word.
        var givenSums = [(log: Double, weight: Double, partners: Int32)](
            repeating: (0, 0, 0), count: givenPools.count)
        var familySums = givenSums
        func own(_ pool: NamePool) -> Double? {
            AccountTable.world(
                samples: Int(pool.samples), once: Int(pool.partnersOnce),
                partnerCarriers: Double(pool.partnerCarriers), total: Double(count))
        }
        let givenOwn = givenPools.map(own)
        let familyOwn = familyPools.map(own)
        for (index, key) in fullNames.enumerated() {
            let given = Int(key >> 32)
            let family = Int(UInt32(truncatingIfNeeded: key))
            let carriers = Double(fullNameCarriers[index])
            if let world = familyOwn[family] {
                givenSums[given].log += log(world) * carriers
                givenSums[given].weight += carriers
                givenSums[given].partners += 1
            }
            if let world = givenOwn[given] {
                familySums[family].log += log(world) * carriers
                familySums[family].weight += carriers
                familySums[family].partners += 1
            }
        }
        for word in givenSums.indices where givenSums[word].partners >= AccountTable.partnersWorldMinimum {
            givenPartnersWorld[word] = Float(exp(givenSums[word].log / givenSums[word].weight))
        }
        for word in familySums.indices where familySums[word].partners >= AccountTable.partnersWorldMinimum {
            familyPartnersWorld[word] = Float(exp(familySums[word].log / familySums[word].weight))
        }
    }

    /// How many partners with a world of their own a word needs before their worlds stand for its own.
    static let partnersWorldMinimum: Int32 = 2

    /// How many accounts carry exactly this given and family word.
    func fullNameCount(given: Int32, family: Int32) -> Int {
        let key = UInt64(UInt32(bitPattern: given)) << 32 | UInt64(UInt32(bitPattern: family))
        var low = 0
        var high = fullNames.count
        while low < high {
            let middle = (low + high) / 2
            if fullNames[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low < fullNames.count && fullNames[low] == key ? Int(fullNameCarriers[low]) : 0
    }

    /// How many people the words of a name are drawn from: the whole store, unless its words keep to a smaller
    /// world. Kenji's carriers have Japanese family names and Fujita's carriers Japanese given names, so a Kenji
    /// Fujita is one of the store's Japanese, not one of everyone; with `g` Kenjis and `f` Fujitas among them, about
    /// `g × f / population` people are called Kenji Fujita by chance, many more than `g × f / n`.
    ///
    /// A word's world is the carriers of the words it goes with, summed (without the name itself), scaled up by the
    /// share of those words seen only once (Good–Turing: a word seen with many once-only partners has partners not
    /// yet seen). A word with fewer than ``poolMinimumSample`` other carriers, or only once-only partners, tells
    /// nothing by itself: its world is then the one its partners keep to (``countPartnersWorlds()``), or the whole
    /// store when too few of them tell. The smaller of the two words' worlds counts (one word keeping to a
    /// small world is enough: Mary Singh is not one of the store's Indians, but counting her as one only makes her
    /// name look commoner, never rarer).
    func population(given: Int32, family: Int32) -> Double {
        let total = Double(count)
        guard !givenPools.isEmpty else { return total }
        let together = fullNameCount(given: given, family: family)
        // The name itself is left out of its words' pools.
        func world(_ pool: NamePool, partnerCarriers: Int) -> Double? {
            AccountTable.world(
                samples: Int(pool.samples) - together, once: Int(pool.partnersOnce) - (together == 1 ? 1 : 0),
                partnerCarriers: Double(pool.partnerCarriers - (together > 0 ? Int64(partnerCarriers) : 0)),
                total: total)
        }
        func partners(_ world: Float) -> Double? { world > 0 ? min(total, Double(world)) : nil }
        return min(
            world(givenPools[Int(given)], partnerCarriers: familyCount(of: family))
                ?? partners(givenPartnersWorld[Int(given)]) ?? total,
            world(familyPools[Int(family)], partnerCarriers: givenCount(of: given))
                ?? partners(familyPartnersWorld[Int(family)]) ?? total)
    }

    static let poolMinimumSample = 5

    /// Drops a name that is one of its account's own handles: a Twitter display name left as the screen name
    /// (`thedrunkbasket`), pre-filled into the first-name field, says nothing about who the person is, and read as a
    /// given name it would clash with the person's real name on another account. Only a name of one word, that word
    /// neither in the nickname table nor a very common given name (a Melissa whose username is `melissa` keeps her
    /// name).
    private mutating func forgetOwnHandles() {
        handleText.withUnsafeBufferPointer { text in
            for account in 0..<count {
                for kind in NameSlotKind.allCases {
                    let index = account * AccountTable.nameCount + kind.rawValue
                    let slot = names[index]
                    guard !slot.isEmpty, slot.familyCount == 0, slot.given1 < 0 else { continue }
                    let given = Int(slot.given)
                    guard !words.known[given], !words.commonGiven[given] else { continue }
                    let word = words.utf8[given]
                    for handleSlot in HandleSlot.allCases {
                        let range = handleRange(account, handleSlot)
                        if range.count == word.count && text[range].elementsEqual(word) {
                            names[index] = NameSlot()
                            break
                        }
                    }
                }
            }
        }
    }

    /// A "name" that many people carry although its words seldom go with others is a phrase, not a person's name:
    /// `Book Club` or `Just Vibing` as a Twitter display name (and the names registration filled in from it). Such
    /// names are dropped (the account counts as nameless): comparing them with a person's name is not a conflict,
    /// and a block of everyone who wrote them links nobody.
    ///
    /// A phrase: at least ``phraseMinimumCarriers`` people carry the pair of words (accounts sharing a mailbox are
    /// one person: someone with many accounts does not turn their own name into a phrase); at least
    /// ``phraseOverrepresentation`` times as many accounts as the words' own frequencies predict (`g × f / n`); its
    /// rarer word appears in this pair at least half the time; and its first word is not a known given name. Real
    /// names are carried about as often as predicted (John Smith: ×1, and most Smiths are not Johns).
    /// - Returns: whether any name was dropped.
    private mutating func forgetPhrases() -> Bool {
        guard count > 0 else { return false }
        func key(_ slot: NameSlot) -> UInt64? {
            guard !slot.isEmpty, slot.familyCount > 0, !words.known[Int(slot.given)],
                !words.commonGiven[Int(slot.given)]
            else { return nil }
            return UInt64(UInt32(bitPattern: slot.given)) << 32 | UInt64(UInt32(bitPattern: slot.family0))
        }
        func keys(of account: Int) -> (UInt64?, UInt64?) {
            let first = key(name(account, .account))
            let second = key(name(account, .twitter))
            return (first, second == first ? nil : second)
        }
        // Accounts carrying each pair of words, each account once.
        var carriers: [UInt64: Int32] = [:]
        for account in 0..<count {
            let (first, second) = keys(of: account)
            if let first { carriers[first, default: 0] += 1 }
            if let second { carriers[second, default: 0] += 1 }
        }
        let total = Double(count)
        var candidates = Set<UInt64>()
        for (key, carried) in carriers where carried >= AccountTable.phraseMinimumCarriers {
            let givenCarriers = Double(givenCounts[Int(key >> 32)])
            let familyCarriers = Double(familyCounts[Int(UInt32(truncatingIfNeeded: key))])
            let expected = givenCarriers * familyCarriers / total
            if Double(carried) >= AccountTable.phraseOverrepresentation * max(1, expected),
                Double(carried) * 2 >= min(givenCarriers, familyCarriers)
            {
                candidates.insert(key)
            }
        }
        guard !candidates.isEmpty else { return false }
        // People, not accounts: accounts sharing a mailbox (by its text: equal hashes could be made) count once.
        var people: [UInt64: Int32] = [:]
        var mailboxesSeen = Set<[UInt8]>()
        for account in 0..<count {
            let (first, second) = keys(of: account)
            for key in [first, second].compactMap({ $0 }) where candidates.contains(key) {
                if mailbox[account] != 0 {
                    var seen = withUnsafeBytes(of: key.littleEndian) { Array($0) }
                    seen += mailboxText[Int(mailboxStarts[account])..<Int(mailboxStarts[account + 1])]
                    if !mailboxesSeen.insert(seen).inserted { continue }
                }
                people[key, default: 0] += 1
            }
        }
        let phrases = candidates.filter { (people[$0] ?? 0) >= AccountTable.phraseMinimumCarriers }
        guard !phrases.isEmpty else { return false }
        for index in names.indices {
            if let key = key(names[index]), phrases.contains(key) { names[index] = NameSlot() }
        }
        return true
    }

    static let phraseMinimumCarriers: Int32 = 8
    static let phraseOverrepresentation = 5.0

    /// How many handles (once per account) begin, and end, with each four letters (base 26): word handles are
    /// made of a few thousand common words, and `quietcherry` is as common as handles starting `quie` and ending
    /// `erry` together.
    private var handleStarts4: [Int32] = []
    private var handleEnds4: [Int32] = []
    private var affixHandles = 0
    static let affixCount = 26 * 26 * 26 * 26
    /// Handles besides the pair's that must end (begin) like a handle's word for the store to judge the word.
    static let wordMinimumOthers: Int32 = 2

    /// How many handles begin and end with each four letters, for judging the word in a handle.
    /// A class, held once by the table: every pair's handle explainer refers to it (a struct of six arrays was six
    /// retains and releases per explainer).
    final class AffixCounts: Sendable {
        let starts: [Int32]
        let ends: [Int32]
        let handles: Int
        /// ``HandleCounts/givenStarts`` and their counts, and the carriers of each given word.
        let givenStarts: [UInt64]
        let givenStartCounts: [Int32]
        let givenCarriers: [Int32]
        /// ``HandleCounts/givenFronts`` and their counts.
        let givenFronts: [UInt64]
        let givenFrontCounts: [Int32]

        init(
            starts: [Int32], ends: [Int32], handles: Int, givenStarts: [UInt64], givenStartCounts: [Int32],
            givenCarriers: [Int32], givenFronts: [UInt64] = [], givenFrontCounts: [Int32] = []
        ) {
            self.starts = starts
            self.ends = ends
            self.handles = handles
            self.givenStarts = givenStarts
            self.givenStartCounts = givenStartCounts
            self.givenCarriers = givenCarriers
            self.givenFronts = givenFronts
            self.givenFrontCounts = givenFrontCounts
        }

        /// How many accounts carrying given word `given` have a handle with the letters keyed `front` in front of
        /// their family name (``AccountTable/familyFront(_:_:)``; 0 when two or fewer do).
        func fronting(_ front: UInt32, among given: Int32) -> Int32 {
            sortedCount(of: UInt64(UInt32(bitPattern: given)) << 32 | UInt64(front), in: givenFronts, givenFrontCounts)
        }

        /// How many handles (of six letters or more) begin with `word`, letters `a`–`z` of two or more: with its
        /// first four letters, or for a shorter word with it and any letters after.
        func starting(with word: some Collection<UInt8>) -> Int {
            var prefix = 0
            var length = 0
            for byte in word.prefix(4) {
                prefix = prefix * 26 + Int(byte - UInt8(ascii: "a"))
                length += 1
            }
            guard length >= 2 else { return 0 }
            var span = 1
            for _ in length..<4 {
                prefix *= 26
                span *= 26
            }
            var total = 0
            for index in prefix..<(prefix + span) { total += Int(starts[index]) }
            return total
        }

        /// How many accounts carrying given word `given` have a handle starting with letters `prefix` (0 when two or
        /// fewer do).
        func starting(_ prefix: Int, among given: Int32) -> Int32 {
            sortedCount(of: UInt64(UInt32(bitPattern: given)) << 32 | UInt64(prefix), in: givenStarts, givenStartCounts)
        }

        /// When a name word begins `handle`'s letters and four letters or more follow it (`stephen|cowboy`), or
        /// ends them after four or more (`cowboy|stephen`): the bits of the other part, from how many handles end
        /// (begin) with its last (first) four letters; `nil` otherwise, or when fewer than ``wordMinimumOthers``
        /// other handles do. The two handles of the pair are left out.
        ///
        /// A word in front of the name is also judged among the carriers of the pair's given names (`givens`): when
        /// many Sergios' handles begin `checo`, it is a name Sergios go by (a nickname the table does not know), and
        /// its bits are the share of Sergios whose handles begin that way.
        func wordBits(_ handle: UnsafeBufferPointer<UInt8>, after words: [[UInt8]], givens: [Int32]) -> Double? {
            guard handles > 0 else { return nil }
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: handle.count) { buffer in
                var count = 0
                for byte in handle where byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") {
                    buffer[count] = byte
                    count += 1
                }
                guard count >= 7, let (first4, last4) = AccountTable.affixes(handle) else { return nil }
                let letters = UnsafeBufferPointer(rebasing: buffer[..<count])
                var carriers: Int32?
                var amongGiven: Double?
                // The other end must be the word's, not another name word's (`stephencowboysmith`).
                func starts(_ word: [UInt8]) -> Bool { word.count >= 3 && letters.starts(with: word) }
                func ends(_ word: [UInt8]) -> Bool {
                    word.count >= 3 && word.count <= count && letters[(count - word.count)...].elementsEqual(word)
                }
                for word in words where word.count >= 3 && count - word.count >= 4 {
                    if starts(word), !words.contains(where: ends) {
                        carriers = max(carriers ?? 0, self.ends[last4])
                    } else if ends(word), !words.contains(where: starts) {
                        carriers = max(carriers ?? 0, self.starts[first4])
                        for given in givens {
                            let others = starting(first4, among: given) - 2
                            guard others >= AccountTable.wordMinimumOthers else { continue }
                            // Never below 0 bits (phrase names dropped after counting can leave fewer carriers).
                            let carriers = max(Double(givenCarriers[Int(given)]), Double(others))
                            let bits = log2(carriers / Double(others))
                            amongGiven = min(amongGiven ?? bits, bits)
                        }
                    }
                }
                // Only a word other handles share says how common it is: unseen elsewhere, the letters count as
                // letters.
                var bits = amongGiven
                if let carriers, carriers - 2 >= AccountTable.wordMinimumOthers {
                    let overall = log2(Double(handles) / Double(carriers - 2))
                    bits = min(bits ?? overall, overall)
                }
                return bits
            }
        }
    }

    /// How common handles' first and last letters are, overall and among each given name's carriers (set by
    /// ``finishLoading()``).
    private(set) var affixCounts = AffixCounts(
        starts: [], ends: [], handles: 0, givenStarts: [], givenStartCounts: [], givenCarriers: [])

    /// The first and last four letters of a handle with six letters or more (digits and other characters skipped),
    /// as indexes.
    fileprivate static func affixes(_ handle: some Collection<UInt8>) -> (Int, Int)? {
        var letters = 0
        var prefix = 0
        var suffix = 0
        for byte in handle where byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") {
            let letter = Int(byte - UInt8(ascii: "a"))
            if letters < 4 { prefix = prefix * 26 + letter }
            suffix = (suffix * 26 + letter) % AccountTable.affixCount
            letters += 1
        }
        return letters >= 6 ? (prefix, suffix) : nil
    }

    /// How many other accounts are expected to have a handle with the letters of `handle` by chance, from how many
    /// handles start with its first four letters and how many end with its last four (independently); 0 for a handle
    /// of fewer than six letters. The two accounts of the pair are left out.
    func affixCarriers(_ handle: UnsafeBufferPointer<UInt8>) -> Double {
        guard affixHandles > 0, let (prefix, suffix) = AccountTable.affixes(handle) else { return 0 }
        let starting = Double(max(0, handleStarts4[prefix] - 2))
        let ending = Double(max(0, handleEnds4[suffix] - 2))
        return starting * ending / Double(affixHandles)
    }

    /// How many accounts have handles with these letters, for letters that three accounts or more share.
    private var sharedLetters: [UInt32: Int32] = [:]

    /// How many accounts have a handle whose letters hash to `letters` (2 when it is at most two).
    func letterCarriers(_ letters: UInt32) -> Int {
        Int(sharedLetters[letters] ?? 2)
    }

    func familyCount(of word: Int32) -> Int { Int(familyCounts[Int(word)]) }

    // MARK: - Reading

    func raw(_ account: Int, _ field: RawField) -> String? {
        guard rawPresent[account] & (1 << UInt8(field.rawValue)) != 0 else { return nil }
        let base = account * (AccountTable.rawFieldCount + 1) + field.rawValue
        return String(decoding: rawText[Int(rawStarts[base])..<Int(rawStarts[base + 1])], as: UTF8.self)
    }

    /// Where in ``handleText`` the handle an account's username marks it an alternate account of lies: the
    /// username written as another handle with `_alt` (or `-alt`, `.alt`) behind, `nil` otherwise. `fresh_cat_alt`
    /// is the alt of whoever is `fresh_cat`; `cobalt` and `christophersalt` say nothing of the kind.
    func altBase(_ account: Int) -> Range<Int>? {
        // Most accounts are no alts: a bit each says so without reading the username.
        if account >> 6 < altAccounts.count && altAccounts[account >> 6] & (1 << UInt64(account & 63)) == 0 {
            return nil
        }
        return readAltBase(account)
    }

    /// The accounts whose username marks an alt (``altBase(_:)``), a bit each (set by ``finishLoading()``).
    private var altAccounts: [UInt64] = []

    private mutating func markAlts() {
        altAccounts = Array(repeating: 0, count: (count + 63) >> 6)
        for account in 0..<count where readAltBase(account) != nil {
            altAccounts[account >> 6] |= 1 << UInt64(account & 63)
        }
    }

    private func readAltBase(_ account: Int) -> Range<Int>? {
        let base = account * (AccountTable.rawFieldCount + 1) + RawField.username.rawValue
        let raw = Int(rawStarts[base])..<Int(rawStarts[base + 1])
        guard raw.count >= 4 + AccountTable.altMinimumBase else { return nil }
        let marker = raw.upperBound - 4
        let separator = rawText[marker]
        guard separator == UInt8(ascii: "_") || separator == UInt8(ascii: "-") || separator == UInt8(ascii: "."),
            rawText[marker + 1] | 0x20 == UInt8(ascii: "a"), rawText[marker + 2] | 0x20 == UInt8(ascii: "l"),
            rawText[marker + 3] | 0x20 == UInt8(ascii: "t")
        else { return nil }
        let handle = handleRange(account, .username)
        guard handle.count >= 3 + AccountTable.altMinimumBase else { return nil }
        return handle.lowerBound..<(handle.upperBound - 3)
    }

    /// The fewest characters of handle an alt's username must name (`jo_alt` names too little).
    static let altMinimumBase = 5

    /// Whether `x`'s username comes before `y`'s, byte by byte (then the account order, for a table given one
    /// username twice): an order of the accounts that does not depend on the order they were added in, for the
    /// choices the report must make the same in any input order.
    func usernamePrecedes(_ x: Int, _ y: Int) -> Bool {
        let baseX = x * (AccountTable.rawFieldCount + 1) + RawField.username.rawValue
        let baseY = y * (AccountTable.rawFieldCount + 1) + RawField.username.rawValue
        let startX = Int(rawStarts[baseX])
        let startY = Int(rawStarts[baseY])
        let countX = Int(rawStarts[baseX + 1]) - startX
        let countY = Int(rawStarts[baseY + 1]) - startY
        // One pass over the bytes in place (every pair scored asks: no slices retained and released).
        let common = min(countX, countY)
        let order =
            common == 0
            ? 0
            : rawText.withUnsafeBufferPointer { text in
                memcmp(text.baseAddress! + startX, text.baseAddress! + startY, common)
            }
        if order != 0 { return order < 0 }
        return countX != countY ? countX < countY : x < y
    }

    /// The length in bytes of a field as the detector was given it (0 when absent).
    func rawLength(_ account: Int, _ field: RawField) -> Int {
        let base = account * (AccountTable.rawFieldCount + 1) + field.rawValue
        return Int(rawStarts[base + 1] - rawStarts[base])
    }

    /// The account as the detector was given it (the stored mailbox is not kept).
    func matchable(_ account: Int) -> MatchableAccount {
        MatchableAccount(
            id: UserID(uncheckedRawValue: raw(account, .id) ?? ""), username: raw(account, .username) ?? "",
            email: raw(account, .email), firstName: raw(account, .firstName), lastName: raw(account, .lastName),
            twitterScreenName: raw(account, .twitterScreenName), twitterName: raw(account, .twitterName),
            twitterUserID: rawPresent[account] & AccountTable.twitterIDBit != 0
                ? TwitterUserID(twitterIDs[account]) : nil)
    }

    func handleRange(_ account: Int, _ slot: HandleSlot) -> Range<Int> {
        let base = account * (AccountTable.handleCount + 1) + slot.rawValue
        return Int(handleStarts[base])..<Int(handleStarts[base + 1])
    }

    /// FNV-1a of the normalised handle; 0 when absent. Equal hashes say only that two handles may be the same:
    /// ``sameHandle(_:_:_:_:)`` compares their text.
    func handleHash(_ account: Int, _ slot: HandleSlot) -> UInt64 {
        handleShape[account * AccountTable.handleCount + slot.rawValue].hash
    }

    /// Whether handle `slotA` of account `a` and handle `slotB` of account `b` are both present and the same text.
    /// The hashes first (they differ for almost every pair), then the bytes: FNV-1a is no defence against a handle
    /// chosen to collide with somebody else's.
    func sameHandle(_ a: Int, _ slotA: HandleSlot, _ b: Int, _ slotB: HandleSlot) -> Bool {
        let hash = handleHash(a, slotA)
        guard hash != 0, hash == handleHash(b, slotB) else { return false }
        return handleText.withUnsafeBufferPointer { text in
            text[handleRange(a, slotA)].elementsEqual(text[handleRange(b, slotB)])
        }
    }

    /// Whether handle `slot` of `account` is `handle`, whose FNV-1a is `hash` (see ``sameHandle(_:_:_:_:)``).
    func hasHandle(_ account: Int, _ slot: HandleSlot, _ handle: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Bool {
        guard hash != 0, handleHash(account, slot) == hash else { return false }
        return handleText.withUnsafeBufferPointer { text in text[handleRange(account, slot)].elementsEqual(handle) }
    }

    /// Whether accounts `a` and `b` both have a mailbox and it is the same once normalised: the hashes first, then
    /// the text (see ``sameHandle(_:_:_:_:)``).
    func sameMailbox(_ a: Int, _ b: Int) -> Bool {
        guard mailbox[a] != 0, mailbox[a] == mailbox[b] else { return false }
        return mailboxText.withUnsafeBufferPointer { text in
            text[Int(mailboxStarts[a])..<Int(mailboxStarts[a + 1])]
                .elementsEqual(text[Int(mailboxStarts[b])..<Int(mailboxStarts[b + 1])])
        }
    }

    func handleShape(_ account: Int, _ slot: HandleSlot) -> HandleShape {
        handleShape[account * AccountTable.handleCount + slot.rawValue]
    }

    func name(_ account: Int, _ kind: NameSlotKind) -> NameSlot {
        names[account * AccountTable.nameCount + kind.rawValue]
    }
}

/// Interned name words with what matching needs to know about each.
struct WordTable: Sendable {
    private var ids: [String: Int32] = [:]
    /// The word's Unicode scalars.
    private(set) var scalars: [[UInt32]] = []
    /// The word's UTF-8 bytes.
    private(set) var utf8: [[UInt8]] = []
    /// The full names (nickname table) the word may stand for, as word ids, in the order of their text.
    private(set) var fullNames: [[Int32]] = []
    /// Whether the nickname table knows the word.
    private(set) var known: [Bool] = []
    /// Every nickname variant of the word, as UTF-8 (for explaining handles).
    private(set) var variants: [[[UInt8]]] = []
    /// The word as handles may spell it, as UTF-8: the word itself and, for a name written with umlauts, the spelling
    /// with them spelled out (`muller` and `mueller` for Müller).
    private(set) var spellings: [[[UInt8]]] = []
    /// Whether the word is a very common given name (``CommonNames``).
    private(set) var commonGiven: [Bool] = []
    /// Whether the word is a title (`dr`, `prof`).
    private(set) var title: [Bool] = []

    mutating func intern(_ word: String, nicknames: Nicknames) -> Int32 {
        if let id = ids[word] { return id }
        let id = Int32(scalars.count)
        ids[word] = id
        scalars.append(word.unicodeScalars.map(\.value))
        utf8.append(Array(word.utf8))
        fullNames.append([])
        // Most words (family names above all) are unknown to the nickname table: their only variant and full name
        // is the word folded, without the sets and sorts of the table's look-ups.
        let folded = NameText.fold(word)
        let isKnown = nicknames.isKnown(folded: folded)
        known.append(isKnown)
        variants.append(isKnown ? nicknames.variants(of: word).map { Array($0.utf8) } : [Array(folded.utf8)])
        spellings.append([Array(word.utf8)])
        commonGiven.append(CommonNames.givenNames.contains(word))
        title.append(PersonName.isTitle(word))
        var full: [Int32] = []
        for name in isKnown ? nicknames.fullNames(of: word) : [folded] {
            full.append(name == word ? id : intern(name, nicknames: nicknames))
        }
        // By their text, not by id: ids follow the order the store's words came in, and the first full forms are
        // the ones a name is blocked under (the report is the same in any input order).
        fullNames[Int(id)] = full.sorted { utf8[Int($0)].lexicographicallyPrecedes(utf8[Int($1)]) }
        return id
    }

    /// Records another way handles spell word `id` (see ``spellings``).
    mutating func addSpelling(_ id: Int32, _ spelling: String) {
        let bytes = Array(spelling.utf8)
        guard !spellings[Int(id)].contains(bytes) else { return }
        spellings[Int(id)].append(bytes)
        variants[Int(id)].append(bytes)
    }

    func firstScalar(_ id: Int32) -> UInt32 {
        scalars[Int(id)].first ?? 0
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

/// Cheap facts about a normalised handle: hashes of its letters and of its digits, lengths, first and last byte.
struct HandleShape: Sendable {
    /// FNV-1a of the whole handle; 0 when there is none.
    var hash: UInt64 = 0
    var letters: UInt32 = 0
    var digits: UInt32 = 0
    /// Bit `c - "a"` set for each letter `c` (bit 26 for anything else).
    var letterMask: UInt32 = 0
    var length: UInt8 = 0
    var letterCount: UInt8 = 0
    /// One bit (of 16, by hash) for each number of two digits or more in the handle: two handles may share a number
    /// (``AccountMatching/Handle/sharedNumberBits(_:_:)``) only when their masks meet.
    var numberMask: UInt16 = 0
    /// The first and the last eight bytes (fewer when shorter), packed: a handle extending another starts or ends
    /// with all of it.
    var head: UInt64 = 0
    var tail: UInt64 = 0
    /// For a handle that may be a front word and another handle cut at 15 characters (`thesilverrunner`), the eight
    /// bytes after the word packed as ``head`` packs them; 0 otherwise.
    var cutHead: UInt64 = 0

    init() {}

    init(_ handle: String) {
        var handle = handle
        self = handle.withUTF8 { HandleShape($0) }
    }

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        var digitHash = FNV1a()
        var hasDigits = false
        hash = FNV1a.hash(bytes)
        // head: byte 0 in the top byte; tail: the last byte in the lowest byte.
        for (index, byte) in bytes.prefix(8).enumerated() { head |= UInt64(byte) << UInt64(56 - 8 * index) }
        for byte in bytes.suffix(8) { tail = tail << 8 | UInt64(byte) }
        if (13...15).contains(bytes.count), let word = Handle.frontWords.first(where: { bytes.starts(with: $0) }) {
            for (index, byte) in bytes[word.count...].prefix(8).enumerated() {
                cutHead |= UInt64(byte) << UInt64(56 - 8 * index)
            }
        }
        for byte in bytes {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                digitHash.combine(byte)
                hasDigits = true
            } else {
                letterCount &+= 1
                letterMask |= byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? 1 << UInt32(byte - 97) : 1 << 26
            }
        }
        if hasDigits { numberMask = HandleShape.numberMask(bytes) }
        letters = HandleShape.letterHash(bytes)
        digits = hasDigits ? UInt32(truncatingIfNeeded: digitHash.value) | 1 : 0
        length = UInt8(clamping: bytes.count)
    }

    /// The bits of ``numberMask`` for `bytes`: each run of two digits or more, once when written twice, as
    /// ``AccountMatching/Handle/sharedNumberBits(_:_:)`` compares them.
    private static func numberMask(_ text: UnsafeBufferPointer<UInt8>) -> UInt16 {
        var mask: UInt16 = 0
        Handle.forEachNumber(in: text) { run in
            var hash = FNV1a()
            hash.combine(bytes: text[run])
            mask |= 1 << UInt16(hash.value >> 60)
        }
        return mask
    }

    /// The ``letters`` hash of any handle (what ``AccountTable/letterCarriers(_:)`` is keyed by).
    static func letterHash(_ handle: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var hash = FNV1a()
        for byte in handle where byte < UInt8(ascii: "0") || byte > UInt8(ascii: "9") { hash.combine(byte) }
        return UInt32(truncatingIfNeeded: hash.value)
    }

    /// Whether `Handle.compare` could find these two handles alike (same letters, a typo, or one extending the
    /// other); `false` means they are surely different.
    func mayResemble(_ other: HandleShape) -> Bool {
        if (cutHead != 0 && cutHead == other.head) || (other.cutHead != 0 && other.cutHead == head) { return true }
        if letters == other.letters && letterCount >= 3 && (digits == 0 || other.digits == 0 || digits == other.digits)
        {
            return true
        }
        let shorter = min(length, other.length)
        let extra = max(length, other.length) - shorter
        if shorter >= 5 && (extra <= 4 || (13...15).contains(shorter)) {
            // The shorter handle's first (last) min(8, shorter) bytes must be the longer one's.
            let shared = UInt64(min(8, shorter)) * 8
            let headMask: UInt64 = shared == 64 ? ~0 : ~(~0 >> shared)
            let tailMask: UInt64 = shared == 64 ? ~0 : (1 << shared) - 1
            if head & headMask == other.head & headMask || tail & tailMask == other.tail & tailMask { return true }
        }
        // Two edits change at most four letters' presence.
        let letterGap = max(letterCount, other.letterCount) - min(letterCount, other.letterCount)
        return digits == other.digits && letterGap <= 2 && min(letterCount, other.letterCount) >= 4
            && (letterMask ^ other.letterMask).nonzeroBitCount <= 4
    }
}

/// Accounts laid out the way ``AccountTable`` stores them, apart from their names: raw text, mailbox hashes, handles
/// and their shapes (offsets relative to the batch). Made on whichever thread reads the accounts, so that the thread
/// filling the table only copies arrays and interns names.
public struct PreparedAccounts: Sendable {
    /// How many accounts.
    public private(set) var count = 0
    private(set) var rawStarts: [UInt32] = []
    private(set) var rawPresent: [UInt8] = []
    private(set) var rawText: [UInt8] = []
    private(set) var twitterIDs: [UInt64] = []
    private(set) var mailbox: [UInt64] = []
    /// `count + 1` starts into `mailboxText`, from 0.
    private(set) var mailboxStarts: [UInt32] = [0]
    private(set) var mailboxText: [UInt8] = []
    private(set) var handleStarts: [UInt32] = []
    private(set) var handleText: [UInt8] = []
    private(set) var handleShape: [HandleShape] = []
    /// Display names parsed ahead (by ``DuplicateDetector/Preparer``), by account index in the batch.
    private(set) var parsedDisplayNames: [Int: ParsedDisplayName] = [:]

    /// How many display names of the batch were parsed ahead.
    package var displayNamesParsedAhead: Int { parsedDisplayNames.count }

    init(_ accounts: [MatchableAccount]) {
        self.init(MatchableAccountBatch(accounts))
    }

    init(_ batch: MatchableAccountBatch) {
        rawStarts.reserveCapacity(batch.count * (AccountTable.rawFieldCount + 1))
        rawPresent.reserveCapacity(batch.count)
        rawText.reserveCapacity(batch.count * 96)
        twitterIDs.reserveCapacity(batch.count)
        mailbox.reserveCapacity(batch.count)
        mailboxStarts.reserveCapacity(batch.count + 1)
        mailboxText.reserveCapacity(batch.count * 24)
        handleStarts.reserveCapacity(batch.count * (AccountTable.handleCount + 1))
        handleText.reserveCapacity(batch.count * 32)
        handleShape.reserveCapacity(batch.count * AccountTable.handleCount)
        var scratch: [UInt8] = []
        for index in 0..<batch.count { add(batch, index, scratch: &scratch) }
    }

    /// Parses the display names beyond ASCII that `seen` does not hold yet (and adds them to it): the costliest names
    /// to read (folding and splitting them goes through Unicode tables), left to the thread that prepares the batches,
    /// which has time to spare, rather than the one that fills the table. A text is parsed the first time it comes
    /// only: the table reads it from its own cache after that.
    mutating func parseDisplayNamesAhead(_ batch: MatchableAccountBatch, seen: inout TextCache<Bool>) {
        for index in 0..<batch.count {
            batch.withField(.twitterName, of: index) { bytes in
                guard let bytes, bytes.contains(where: { $0 >= 0x80 }) else { return }
                let found = seen.find(bytes)
                guard found.value == nil else { return }
                seen.insert(bytes, true, at: found)
                parsedDisplayNames[index] = ParsedDisplayName(bytes)
            }
        }
    }

    /// The batch's fields kept as raw text, in ``AccountTable/RawField`` order.
    private static let rawFields: [MatchableAccountBatch.Field] = [
        .id, .username, .email, .firstName, .lastName, .twitterScreenName, .twitterName,
    ]

    private mutating func add(_ batch: MatchableAccountBatch, _ index: Int, scratch: inout [UInt8]) {
        count += 1
        // Raw text, for the report.
        var present: UInt8 = 0
        for (slot, field) in Self.rawFields.enumerated() {
            rawStarts.append(UInt32(rawText.count))
            batch.withField(field, of: index) { bytes in
                guard let bytes else { return }
                present |= 1 << UInt8(slot)
                rawText.append(contentsOf: bytes)
            }
        }
        rawStarts.append(UInt32(rawText.count))
        let twitterID = batch.twitterUserID(of: index)
        if twitterID != nil { present |= AccountTable.twitterIDBit }
        rawPresent.append(present)
        twitterIDs.append(twitterID?.value ?? 0)

        // The mailbox: the stored form when the rules that made it are current, else computed now.
        scratch.removeAll(keepingCapacity: true)
        var hasMailbox = false
        if batch.has(.emailMailbox, of: index), batch.emailRulesVersion(of: index) == Mailbox.rulesVersion {
            batch.withField(.emailMailbox, of: index) { if let stored = $0 { scratch.append(contentsOf: stored) } }
            hasMailbox = true
        } else if let email = batch.text(.email, of: index), let normalised = Mailbox.normalize(email) {
            scratch.append(contentsOf: normalised.utf8)
            hasMailbox = true
        }
        mailbox.append(hasMailbox ? scratch.withUnsafeBufferPointer { FNV1a.hash($0) } : 0)
        if hasMailbox { mailboxText.append(contentsOf: scratch) }
        mailboxStarts.append(UInt32(mailboxText.count))

        // Handles. A username that registration made from the screen name (`jsmith84_2` for @jsmith84, the plain one
        // being taken) says no more than the screen name: the screen name stands for it.
        let usernameCounts = batch.withField(.username, of: index) { username in
            batch.withField(.twitterScreenName, of: index) { screen in
                guard let username, let screen else { return true }
                return !Self.isMadeFromScreenName(username, screen)
            }
        }
        if usernameCounts {
            batch.withField(.username, of: index) { appendHandle($0) }
        } else {
            appendHandle(nil)
        }
        batch.withField(.twitterScreenName, of: index) { appendHandle($0) }
        handleStarts.append(UInt32(handleText.count))
        let start = handleText.count
        var fromMailbox =
            hasMailbox && scratch.withUnsafeBufferPointer({ Handle.appendFromMailbox($0, to: &handleText) })
        if fromMailbox, handleText.count - start > Handle.longestCompared {
            // Past any real local part (64 bytes): not compared (see `appendHandle`).
            handleText.removeSubrange(start...)
            fromMailbox = false
        }
        if fromMailbox {
            handleShape.append(
                handleText.withUnsafeBufferPointer { HandleShape(UnsafeBufferPointer(rebasing: $0[start...])) })
        } else {
            handleShape.append(HandleShape())
        }
        handleStarts.append(UInt32(handleText.count))
    }

    /// Appends a handle normalised, with its shape; an empty one for none, or for one longer than
    /// ``AccountMatching/Handle/longestCompared`` (a screen name of one character can hold hundreds of thousands of
    /// bytes, and explaining a handle costs more than its length squared: no real handle is that long).
    private mutating func appendHandle(_ text: UnsafeBufferPointer<UInt8>?) {
        handleStarts.append(UInt32(handleText.count))
        let start = handleText.count
        if let text { Handle.appendNormalized(text, to: &handleText) }
        if handleText.count - start > Handle.longestCompared { handleText.removeSubrange(start...) }
        if handleText.count > start {
            handleShape.append(
                handleText.withUnsafeBufferPointer { HandleShape(UnsafeBufferPointer(rebasing: $0[start...])) })
        } else {
            handleShape.append(HandleShape())
        }
    }

    /// Whether `username` is `screen`, an underscore and digits (case aside): what registration makes when the screen
    /// name is taken as a username.
    package static func isMadeFromScreenName(
        _ username: UnsafeBufferPointer<UInt8>, _ screen: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        guard username.allSatisfy({ $0 < 0x80 }) && screen.allSatisfy({ $0 < 0x80 }) else {
            let username = String(decoding: username, as: UTF8.self)
            let screen = String(decoding: screen, as: UTF8.self)
            return username.count > screen.count + 1
                && username.lowercased().hasPrefix(screen.lowercased() + "_")
                && username.dropFirst(screen.count + 1).allSatisfy(\.isASCIIDigit)
        }
        func lower(_ byte: UInt8) -> UInt8 {
            byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
        }
        guard username.count > screen.count + 1, username[screen.count] == UInt8(ascii: "_") else { return false }
        for offset in 0..<screen.count where lower(username[offset]) != lower(screen[offset]) { return false }
        return username[(screen.count + 1)...].allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}

/// The count kept for `key` in `keys` (sorted, distinct) and `counts` (one each), 0 when it is not there.
private func sortedCount(of key: UInt64, in keys: [UInt64], _ counts: [Int32]) -> Int32 {
    var low = 0
    var high = keys.count
    while low < high {
        let middle = (low + high) / 2
        if keys[middle] < key { low = middle + 1 } else { high = middle }
    }
    return low < keys.count && keys[low] == key ? counts[low] : 0
}

/// What a display name says of a name, as ``AccountTable`` interns it: parsed on whichever thread has the time.
struct ParsedDisplayName: Sendable {
    /// The given name and the last three family words, folded; `nil` when there is no name, or the text is a handle
    /// (`wittygamer33 | Nurse`).
    var words: [String]?
    /// The parts of a hyphenated given name (`jean`, `pierre`), which handles may spell.
    var hyphenParts: [String] = []
    /// ``words`` of the text with its umlauts spelled out (`Müller`: `mueller`); `nil` when it has none.
    var umlautWords: [String]?

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let name = PersonName(displayName: text),
            !AccountTable.isHandle(text, words: [name.given] + name.family)
        else { return }
        words = [name.given] + name.family.suffix(3)
        hyphenParts = PersonName.hyphenParts(text) ?? []
        if let spelled = NameText.spellingOutUmlauts(text) {
            umlautWords = PersonName(displayName: spelled).map { [$0.given] + $0.family.suffix(3) } ?? []
        }
    }
}
