import AccountMatching
import Dispatch
import Foundation

/// Blocking: each account gets a few keys, and only accounts sharing a key are compared, so the work grows with the
/// number of accounts rather than with its square.
///
/// | key | accounts that share it |
/// | --- | --- |
/// | mailbox | the same normalised mailbox |
/// | handle | a normalised username, screen name or email local part (3 characters or more) |
/// | handle prefix | the first 10 characters of a handle of 10 or more (a screen name cut at 15 characters, a taken
/// username with digits added: found even when the names differ by a typo) |
/// | name | the same family word and given name, nicknames resolved to their full names, in either order |
///
/// A block of up to ``DetectionSettings/maximumBlockSize`` accounts is compared all pairs against all. A larger
/// block (a very common name, a popular local part) is sorted (by username, or by name for handle blocks) and each
/// account is compared with its next ``DetectionSettings/neighbourWindow`` neighbours only (in the blocks of loose
/// keys, names and handle prefixes, ``DetectionSettings/looseNeighbourWindow``); the report counts such blocks and
/// names the largest.
enum BlockKind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case mailbox = 1
    case handle = 2
    case handlePrefix = 3
    case name = 4

    var description: String {
        switch self {
        case .mailbox: return "mailbox"
        case .handle: return "handle"
        case .handlePrefix: return "handle prefix"
        case .name: return "name"
        }
    }

    /// How many neighbours each account of a block of this kind larger than
    /// ``DetectionSettings/maximumBlockSize`` is compared with. Names and handles' first characters are loose keys,
    /// which many strangers share and whose members mostly meet again through a handle or a mailbox: the smaller
    /// window. None for a handle: one that many accounts share (`mike`, `jsmith`) says nothing on its own, and its
    /// holders that share more meet in a name, mailbox or handle-prefix block. (At a million accounts such blocks made 273,000 of the first set's 2.93 million
    /// comparisons, for 18 of its 74,669 links; without them, the five labelled sets lost 7 true links and 18 false
    /// ones.)
    func neighbourWindow(_ settings: DetectionSettings) -> Int {
        switch self {
        case .handle: return 0
        case .name, .handlePrefix: return settings.looseNeighbourWindow
        case .mailbox: return settings.neighbourWindow
        }
    }
}

/// What it takes of an account's names (both of them) to tell that its names and another's cannot agree, so that a
/// block of a handle or of a handle's first characters need not score the pair: its family words' first letters
/// (`a`…`z` as bits 0…25, any other letter as bit 26), first and second letters, and letters (up to four family
/// words), and the first letters of its given names and of their full forms (`Peggy`: Margaret).
struct NameInitials {
    /// The family words' first letters; 0 when a name has no family word (or there is no name).
    var family: UInt32 = 0
    /// The family words' first and second letters.
    var familyNear: UInt32 = 0
    /// The given names' first letters, and those of their full forms.
    var given: UInt32 = 0
    /// The letters of each family word (`words` of them).
    var letters: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
    var words = 0

    private static let other: UInt32 = 1 << 26

    static func bit(_ byte: UInt8) -> UInt32 {
        guard byte >= UInt8(ascii: "a"), byte <= UInt8(ascii: "z") else { return other }
        return 1 << UInt32(byte - UInt8(ascii: "a"))
    }

    /// What ``NameInitials`` takes of one word, worked out once per word of the table (``AccountTable/wordInitials``)
    /// rather than for every block that holds an account.
    struct Word: Sendable {
        /// As a given name: its first letter and those of its full forms (`Peggy`: Margaret).
        var given: UInt32 = 0
        /// As a family word: its first letter; 0 for an empty word.
        var first: UInt32 = 0
        /// Its first and second letters.
        var near: UInt32 = 0
        /// Its letters; 0 when it is long.
        var letters: UInt32 = 0
        /// Whether it has 14 bytes or more: a typo may change more than four of its letters.
        var isLong = false

        /// The facts of every word of `words`.
        static func all(of words: WordTable) -> [Word] {
            (0..<words.utf8.count).map { id in
                let word = words.utf8[id]
                var facts = Word()
                facts.given = NameInitials.bit(word.first ?? 0)
                for full in words.fullNames[id] { facts.given |= NameInitials.bit(words.utf8[Int(full)].first ?? 0) }
                guard let first = word.first else { return facts }
                facts.first = NameInitials.bit(first)
                facts.near = facts.first | (word.count > 1 ? NameInitials.bit(word[1]) : 0)
                facts.isLong = word.count >= 14
                if !facts.isLong {
                    for byte in word { facts.letters |= NameInitials.bit(byte) }
                }
                return facts
            }
        }
    }

    mutating func addFamily(_ word: Word) {
        guard word.first != 0 else { return }
        family |= word.first
        familyNear |= word.near
        guard words < 4, !word.isLong else {
            // More family words than are kept, or one so long that a typo may change more than four of its
            // letters: may agree with anything.
            familyNear |= NameInitials.other
            return
        }
        let mask = word.letters
        switch words {
        case 0: letters.0 = mask
        case 1: letters.1 = mask
        case 2: letters.2 = mask
        default: letters.3 = mask
        }
        words += 1
    }

    private func letters(_ index: Int) -> UInt32 {
        switch index {
        case 0: return letters.0
        case 1: return letters.1
        case 2: return letters.2
        default: return letters.3
        }
    }

    /// Whether the names of the two accounts may agree. They cannot when both have family names, no letter is
    /// beyond `a`…`z`, no family word of either begins with the first or second letter of a family word or the
    /// first letter of a given name (or of its full form) of the other, and every family word of one differs from
    /// every family word of the other in more than four of the letters they hold. That leaves out no typo the names
    /// comparison allows: one keeping the first letter, adding one in front (`Centeno`, `Icenteno`), dropping or
    /// swapping it keeps the first letters near; one changing the first letter (`Carlsen`, `Karlsen`), and
    /// Jaro–Winkler's likeness of two words with different first letters (`Christensen`, `Kristensen`: at least 0.9
    /// leaves at most three letters of words under 14 unmatched), leave the rest of the letters mostly alike.
    func mayAgree(with other: NameInitials) -> Bool {
        if family == 0 || other.family == 0 || (familyNear | other.familyNear) & NameInitials.other != 0 {
            return true
        }
        if family & (other.familyNear | other.given) != 0 || other.family & (familyNear | given) != 0 { return true }
        for a in 0..<words {
            for b in 0..<other.words where (letters(a) ^ other.letters(b)).nonzeroBitCount <= 4 { return true }
        }
        return false
    }

    /// Whether a block of a handle or of a handle's first characters may pass over a pair with these names (and no
    /// mailbox in common): when the names cannot agree (``mayAgree(with:)``), unless the block is of a handle that only
    /// the two hold (`onlyTwoHoldHandle`) and their given names may agree, which with such a handle still links
    /// (``PairScorer/familyChanged(_:_:into:cache:)``).
    func clashes(with other: NameInitials, onlyTwoHoldHandle: Bool) -> Bool {
        !mayAgree(with: other) && !(onlyTwoHoldHandle && given & other.given != 0)
    }
}

/// One account's membership of one block.
struct BlockEntry: Sendable {
    var key: UInt64
    var account: UInt32
}

/// A block key with the text it stands for (for describing oversized blocks).
struct DescribedKey {
    var key: UInt64
    var text: String
}

extension AccountTable {
    static func key(_ kind: BlockKind, _ hash: UInt64) -> UInt64 {
        UInt64(kind.rawValue) << 56 | hash >> 8
    }

    static func kind(of key: UInt64) -> BlockKind {
        BlockKind(rawValue: UInt8(key >> 56)) ?? .mailbox
    }

    /// The block keys of `account`, deduplicated, appended to `entries`.
    func appendKeys(of account: Int, to entries: inout [BlockEntry], scratch: inout [UInt64]) {
        scratch.removeAll(keepingCapacity: true)
        forEachKey(of: account) { key, _ in scratch.append(key) }
        scratch.sort()
        var previous: UInt64 = 0
        for key in scratch where key != previous {
            entries.append(BlockEntry(key: key, account: UInt32(account)))
            previous = key
        }
    }

    /// The keys of `account` with what each stands for.
    func describedKeys(of account: Int) -> [DescribedKey] {
        var keys: [DescribedKey] = []
        forEachKey(of: account) { key, describe in keys.append(DescribedKey(key: key, text: describe())) }
        return keys
    }

    private func forEachKey(of account: Int, _ body: (UInt64, () -> String) -> Void) {
        let mailboxHash = mailbox[account]
        if mailboxHash != 0 {
            body(AccountTable.key(.mailbox, mailboxHash)) { "mailbox of \(raw(account, .email) ?? "")" }
        }
        for slot in HandleSlot.allCases {
            let range = handleRange(account, slot)
            guard range.count >= 3 else { continue }
            body(AccountTable.handleKey(handleText[range])) {
                "handle \"\(String(decoding: handleText[range], as: UTF8.self))\""
            }
            guard range.count >= AccountTable.handlePrefixLength else { continue }
            func prefixKey(from start: Int) {
                let prefix = start..<(start + AccountTable.handlePrefixLength)
                body(AccountTable.handlePrefixKey(handleText[prefix])) {
                    "handles starting \"\(String(decoding: handleText[prefix], as: UTF8.self))\""
                }
            }
            prefixKey(from: range.lowerBound)
            // A front word and another handle cut at 15 (`thesilverrunner`): also the block of what follows the word.
            if handleShape(account, slot).cutHead != 0,
                let word = Handle.frontWords.first(where: { handleText[range].starts(with: $0) }),
                range.count - word.count >= AccountTable.handlePrefixLength
            {
                prefixKey(from: range.lowerBound + word.count)
            }
        }
        // An alt's username (`fresh_cat_alt`): also the block of the handle it names.
        if let base = altBase(account) {
            body(AccountTable.handleKey(handleText[base])) {
                "handle \"\(String(decoding: handleText[base], as: UTF8.self))\""
            }
        }
        for kind in NameSlotKind.allCases {
            let name = name(account, kind)
            guard !name.isEmpty, name.familyCount > 0 else { continue }
            let families = (0..<min(2, name.familyCount)).map(name.family)
            for full in words.fullNames[Int(name.given)].prefix(3) {
                for family in families {
                    body(AccountTable.nameKey(full, family)) { "name \"\(word(full)) \(word(family))\"" }
                }
            }
        }
    }

    /// Handles at least this long also get a key of their first this many characters.
    static let handlePrefixLength = 10

    /// The key of the accounts with `handle` (a normalised handle) in any field.
    static func handleKey(_ handle: some Sequence<UInt8>) -> UInt64 {
        var hasher = FNV1a()
        hasher.combine(BlockKind.handle.rawValue)
        hasher.combine(bytes: handle)
        return key(.handle, hasher.value)
    }

    /// The key of the handles starting with `prefix` (``handlePrefixLength`` bytes of a normalised handle).
    static func handlePrefixKey(_ prefix: some Sequence<UInt8>) -> UInt64 {
        var hasher = FNV1a()
        hasher.combine(BlockKind.handlePrefix.rawValue)
        hasher.combine(bytes: prefix)
        return key(.handlePrefix, hasher.value)
    }

    static func nameKey(_ full: Int32, _ family: Int32) -> UInt64 {
        var hasher = FNV1a()
        hasher.combine(BlockKind.name.rawValue)
        hasher.combine(UInt32(bitPattern: min(full, family)))
        hasher.combine(UInt32(bitPattern: max(full, family)))
        return key(.name, hasher.value)
    }

    /// The name-block keys of a name: its given name's full forms with each of its first two family words.
    func nameKeys(of name: NameSlot) -> [UInt64] {
        guard !name.isEmpty, name.familyCount > 0 else { return [] }
        var keys: [UInt64] = []
        for full in words.fullNames[Int(name.given)].prefix(3) {
            for index in 0..<min(2, name.familyCount) { keys.append(AccountTable.nameKey(full, name.family(index))) }
        }
        return keys
    }

    private func word(_ id: Int32) -> String {
        String(decoding: words.utf8[Int(id)], as: UTF8.self)
    }

    /// See ``NameInitials``. Only once loading is finished (``finishLoading()`` sets ``wordInitials``).
    func nameInitials(_ account: Int) -> NameInitials {
        var initials = NameInitials()
        for kind in NameSlotKind.allCases {
            let slot = name(account, kind)
            if slot.isEmpty { continue }
            // A name with no family word may agree with the other's by its given name alone.
            if slot.familyCount == 0 { return NameInitials() }
            if slot.given >= 0 { initials.given |= wordInitials[Int(slot.given)].given }
            if slot.given1 >= 0 { initials.given |= wordInitials[Int(slot.given1)].given }
            for index in 0..<slot.familyCount { initials.addFamily(wordInitials[Int(slot.family(index))]) }
        }
        return initials
    }

    /// The order of a large block's members for neighbour comparison: username for name and mailbox blocks, the
    /// name (family word, then given name, by their text) for handle-prefix blocks (whose members share the handle's
    /// first characters already). Never by word id or account index, which follow the order the accounts were added
    /// in: the neighbours compared, and so the report, must not.
    func neighbourOrder(_ kind: BlockKind, _ a: UInt32, _ b: UInt32) -> Bool {
        let x = Int(a)
        let y = Int(b)
        if kind == .handle || kind == .handlePrefix {
            let nameX = name(x, .account).isEmpty ? name(x, .twitter) : name(x, .account)
            let nameY = name(y, .account).isEmpty ? name(y, .twitter) : name(y, .account)
            if nameX.family0 != nameY.family0 { return wordPrecedes(nameX.family0, nameY.family0) }
            if nameX.given != nameY.given { return wordPrecedes(nameX.given, nameY.given) }
            return usernamePrecedes(x, y)
        }
        let rangeX = handleRange(x, .username)
        let rangeY = handleRange(y, .username)
        if !handleText[rangeX].elementsEqual(handleText[rangeY]) {
            return handleText[rangeX].lexicographicallyPrecedes(handleText[rangeY])
        }
        return usernamePrecedes(x, y)
    }

    /// Whether word `x` comes before word `y` by its text (no word, -1, first). Two ids are two texts.
    private func wordPrecedes(_ x: Int32, _ y: Int32) -> Bool {
        if x < 0 || y < 0 { return x < 0 && y >= 0 }
        return words.utf8[Int(x)].lexicographicallyPrecedes(words.utf8[Int(y)])
    }
}

/// LSD radix sort of block entries by key (then by account, since each pass is stable and entries arrive in
/// account order): four passes of 16 bits. Each pass counts and scatters its slices of the entries on every core: a
/// slice's entries of a digit go after those of the slices before it, so the passes stay stable and the order is the
/// one a single core would give. (At a million accounts, under the profiler: about 0.5 s on one core while the
/// other waited, 0.2 s on both.)
func radixSort(_ entries: inout [BlockEntry]) {
    let count = entries.count
    let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8, count / radixSortMinimumSlice))
    var buffer = [BlockEntry](repeating: BlockEntry(key: 0, account: 0), count: count)
    // One histogram of the 2^16 digits per slice, turned into where each slice writes each digit.
    var starts = [Int](repeating: 0, count: parts << 16)
    entries.withUnsafeMutableBufferPointer { entries in
        buffer.withUnsafeMutableBufferPointer { buffer in
            starts.withUnsafeMutableBufferPointer { starts in
                var source = SharedBuffer(entries)
                var target = SharedBuffer(buffer)
                let positions = SharedBuffer(starts)
                for pass in 0..<4 {
                    let shift = UInt64(pass * 16)
                    let from = source
                    DispatchQueue.concurrentPerform(iterations: parts) { part in
                        let histogram = positions.base + (part << 16)
                        histogram.update(repeating: 0, count: 1 << 16)
                        for index in (count * part / parts)..<(count * (part + 1) / parts) {
                            histogram[Int((from.base[index].key >> shift) & 0xFFFF)] += 1
                        }
                    }
                    var total = 0
                    for digit in 0..<(1 << 16) {
                        for part in 0..<parts {
                            let slot = (part << 16) + digit
                            let digitCount = positions.base[slot]
                            positions.base[slot] = total
                            total += digitCount
                        }
                    }
                    let to = target
                    DispatchQueue.concurrentPerform(iterations: parts) { part in
                        let next = positions.base + (part << 16)
                        for index in (count * part / parts)..<(count * (part + 1) / parts) {
                            let entry = from.base[index]
                            let digit = Int((entry.key >> shift) & 0xFFFF)
                            to.base[next[digit]] = entry
                            next[digit] += 1
                        }
                    }
                    swap(&source, &target)
                }
            }
        }
    }
    // Four passes: the sorted entries are back where they started.
}

/// Below this many entries per core the radix sort runs on fewer cores.
let radixSortMinimumSlice = 256

/// A buffer that the slices of a parallel pass read, or write at positions no other slice writes.
private struct SharedBuffer<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>

    init(_ buffer: UnsafeMutableBufferPointer<Element>) {
        base = buffer.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!
    }
}
