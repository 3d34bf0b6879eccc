import AccountMatching

/// What two accounts have in common: the evidence a link rests on, and which fields carried it.
struct PairEvidence: Sendable, Hashable {
    var sharesMailbox = false
    /// The best agreement between a name of each account (``NameAgreement/unknown`` when there was none to compare).
    var name = NameAgreement.unknown
    var nameSlotA = AccountTable.NameSlotKind.account
    var nameSlotB = AccountTable.NameSlotKind.account
    var handle = HandleStrength.none
    var handleAgreement = HandleAgreement.different
    var handleSlotA = AccountTable.HandleSlot.username
    var handleSlotB = AccountTable.HandleSlot.username
    /// The matching name is rare (few accounts carry it, and it is not a very common name), so handles made from it
    /// counted as distinctive.
    var rareName = false
}

/// How much a shared or resembling handle says.
enum HandleStrength: Int, Sendable, Hashable, Comparable, CaseIterable {
    /// No handle in common.
    case none
    /// Resembling handles that the names explain (`jsmith` and `jsmith_` for John Smith).
    case weakResembling
    /// The same handle, but one the names explain (`jsmith` for John Smith).
    case weak
    /// Distinctive handles that resemble each other (same digits and a typo, or same letters).
    case resembling
    /// The same distinctive handle.
    case identical

    static func < (lhs: HandleStrength, rhs: HandleStrength) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The pair scores: one table, documented in README ("How a link is scored").
enum ScoreTable {
    /// Accounts sharing a normalised mailbox.
    static let sharedMailbox = 0.95
    /// … whose names also match (exact, nickname, swapped, typo or initial).
    static let sharedMailboxNamesMatch = 0.99
    /// … whose names clash (a shared family mailbox, say): still reported, ranked lower.
    static let sharedMailboxNamesDiffer = 0.75

    /// Without a shared mailbox: rows by name agreement, columns by ``HandleStrength`` (resembling handles the names
    /// explain count as no handle at all).
    static func score(name: NameAgreement, handle: HandleStrength) -> Double {
        let columns: [HandleStrength] = [.none, .weak, .resembling, .identical]
        return row(name)[columns.firstIndex(of: handle == .weakResembling ? .none : handle) ?? 0]
    }

    /// The best score a pair can still reach given its names.
    static func best(name: NameAgreement) -> Double {
        score(name: name, handle: .identical)
    }

    private static func row(_ name: NameAgreement) -> [Double] {
        switch name {
        case .exact, .nickname, .swapped: return [0.30, 0.50, 0.85, 0.95]
        case .typo, .initial: return [0.20, 0.40, 0.70, 0.90]
        case .givenOnly: return [0.10, 0.30, 0.50, 0.65]
        case .unknown: return [0.00, 0.30, 0.60, 0.80]
        case .conflict: return [0.00, 0.00, 0.20, 0.50]
        }
    }
}

/// Compares two accounts of a table.
struct PairScorer: Sendable {
    let table: AccountTable
    let minimumScore: Double
    /// Every account's block keys, sorted: a name block's size is how many accounts carry that name.
    let entries: [BlockEntry]

    /// A handle that is a name and a year-like number counts as distinctive when at most this many accounts carry
    /// the name.
    static let yearHandleCarrierLimit = 5.0
    /// The expected number of accounts sharing a full name by chance at or below which the name is rare.
    static let rareNameExpectation = 0.01

    /// The score and evidence of `i` and `j`, or `nil` when the score is below the minimum.
    func evaluate(_ i: Int, _ j: Int) -> (score: Double, evidence: PairEvidence)? {
        var evidence = PairEvidence()
        evidence.sharesMailbox = table.mailbox[i] != 0 && table.mailbox[i] == table.mailbox[j]
        compareNames(i, j, into: &evidence)
        if evidence.sharesMailbox {
            // Handles add nothing to the score here, but they are part of the story an operator reads.
            compareHandles(i, j, into: &evidence, needResembling: true)
            let score: Double
            if evidence.name.isMatch || evidence.name == .initial {
                score = ScoreTable.sharedMailboxNamesMatch
            } else if evidence.name == .conflict {
                score = ScoreTable.sharedMailboxNamesDiffer
            } else {
                score = ScoreTable.sharedMailbox
            }
            return score >= minimumScore ? (score, evidence) : nil
        }
        if ScoreTable.best(name: evidence.name) < minimumScore { return nil }
        let needResembling = ScoreTable.score(name: evidence.name, handle: .resembling) >= minimumScore
        compareHandles(i, j, into: &evidence, needResembling: needResembling)
        // Few people could have made a handle out of a rare name: it counts as distinctive. Names that agree only
        // within a typo or an initial need the very same handle (siblings' `alanduncan` and `alanaduncan` resemble).
        let exactNames = evidence.name == .exact || evidence.name == .nickname || evidence.name == .swapped
        let typoNames = evidence.name == .typo || evidence.name == .initial
        if evidence.handle == .weak && (exactNames || typoNames) || evidence.handle == .weakResembling && exactNames,
            isRare(i, evidence.nameSlotA), isRare(j, evidence.nameSlotB)
        {
            evidence.rareName = true
            evidence.handle = evidence.handle == .weak ? .identical : .resembling
        }
        let score = ScoreTable.score(name: evidence.name, handle: evidence.handle)
        return score >= minimumScore ? (score, evidence) : nil
    }

    /// Whether the name in `kind` of `account` is rare: not a very common name (``CommonNames``), and unlikely to
    /// be shared by chance in this store. The chance is estimated from the store itself: with `g` accounts carrying
    /// the given name, `f` carrying the family name and `n` accounts in all,
    /// about `g × f / n` accounts would carry the full name by chance; the name is rare when that is at most
    /// ``rareNameExpectation``. (In a handful of accounts nothing is rare: the store is too small to tell.)
    private func isRare(_ account: Int, _ kind: AccountTable.NameSlotKind) -> Bool {
        let name = table.name(account, kind)
        guard !name.isEmpty, name.familyCount > 0 else { return false }
        let words = table.words
        // A handle can only be made from a name written in the handle's letters.
        let ids = [name.given] + (0..<name.familyCount).map(name.family)
        if ids.contains(where: { id in words.scalars[Int(id)].contains { $0 >= 0x80 } }) { return false }
        let given = String(decoding: words.utf8[Int(name.given)], as: UTF8.self)
        let family = (0..<name.familyCount).map { String(decoding: words.utf8[Int(name.family($0))], as: UTF8.self) }
        if CommonNames.isCommon(given: given, family: family) { return false }
        return expectedCarriers(name) <= PairScorer.rareNameExpectation
    }

    // MARK: - Names

    private func compareNames(_ i: Int, _ j: Int, into evidence: inout PairEvidence) {
        // A comparison of two full names (given and family) outranks any comparison involving a partial name: a
        // clash between full names must not be hidden by a one-word display name that says nothing.
        var bestFull: NameAgreement?
        var bestPartial: NameAgreement?
        var fullSlots = (AccountTable.NameSlotKind.account, AccountTable.NameSlotKind.account)
        var partialSlots = fullSlots
        for kindA in AccountTable.NameSlotKind.allCases {
            let a = table.name(i, kindA)
            if a.isEmpty { continue }
            for kindB in AccountTable.NameSlotKind.allCases {
                let b = table.name(j, kindB)
                if b.isEmpty { continue }
                let level = agreement(a, b)
                if a.familyCount > 0 && b.familyCount > 0 {
                    if bestFull.map({ level > $0 }) ?? true {
                        bestFull = level
                        fullSlots = (kindA, kindB)
                    }
                } else if bestPartial.map({ level > $0 }) ?? true {
                    bestPartial = level
                    partialSlots = (kindA, kindB)
                }
            }
        }
        if let bestFull {
            evidence.name = bestFull
            (evidence.nameSlotA, evidence.nameSlotB) = fullSlots
        } else if let bestPartial {
            evidence.name = bestPartial
            (evidence.nameSlotA, evidence.nameSlotB) = partialSlots
        }
    }

    private func agreement(_ a: AccountTable.NameSlot, _ b: AccountTable.NameSlot) -> NameAgreement {
        let given = givenAgreement(a.given, b.given)
        guard a.familyCount > 0, b.familyCount > 0 else {
            switch given {
            case .exact, .nickname: return .givenOnly
            case .typo, .initial: return .unknown
            case .none: return .conflict
            }
        }
        let family = familyAgreement(a, b)
        if let level = PersonName.combine(family: family, given: given) { return level }
        var swappedGiven = false
        var swappedFamily = false
        for index in 0..<b.familyCount where givenAgreement(a.given, b.family(index)) >= .typo { swappedGiven = true }
        for index in 0..<a.familyCount where givenAgreement(a.family(index), b.given) >= .typo { swappedFamily = true }
        return swappedGiven && swappedFamily ? .swapped : .conflict
    }

    /// Mirrors `PersonName.givenAgreement` over interned words.
    private func givenAgreement(_ a: Int32, _ b: Int32) -> PersonName.WordAgreement {
        if a == b { return .exact }
        let words = table.words
        let fullA = words.fullNames[Int(a)]
        let fullB = words.fullNames[Int(b)]
        if fullA.contains(where: { fullB.contains($0) }) { return .nickname }
        let scalarsA = words.scalars[Int(a)]
        let scalarsB = words.scalars[Int(b)]
        if scalarsA.count == 1 || scalarsB.count == 1 { return scalarsA.first == scalarsB.first ? .initial : .none }
        if isTypo(a, b) && !(words.known[Int(a)] && words.known[Int(b)]) {
            let textA = String(decoding: words.utf8[Int(a)], as: UTF8.self)
            let textB = String(decoding: words.utf8[Int(b)], as: UTF8.self)
            if !PersonName.isExtension(textA, textB) { return .typo }
        }
        return .none
    }

    /// Mirrors `PersonName.familyAgreement` over interned words.
    private func familyAgreement(_ a: AccountTable.NameSlot, _ b: AccountTable.NameSlot) -> PersonName.WordAgreement {
        let words = table.words
        let initialsA = (0..<a.familyCount).allSatisfy { words.scalars[Int(a.family($0))].count == 1 }
        let initialsB = (0..<b.familyCount).allSatisfy { words.scalars[Int(b.family($0))].count == 1 }
        if initialsA || initialsB {
            for x in 0..<a.familyCount {
                for y in 0..<b.familyCount where words.firstScalar(a.family(x)) == words.firstScalar(b.family(y)) {
                    return .initial
                }
            }
            return .none
        }
        for x in 0..<a.familyCount {
            for y in 0..<b.familyCount where a.family(x) == b.family(y) { return .exact }
        }
        for x in 0..<a.familyCount {
            for y in 0..<b.familyCount where isTypo(a.family(x), b.family(y)) {
                let textA = String(decoding: words.utf8[Int(a.family(x))], as: UTF8.self)
                let textB = String(decoding: words.utf8[Int(b.family(y))], as: UTF8.self)
                if !PersonName.isExtension(textA, textB) { return .typo }
            }
        }
        return .none
    }

    private func isTypo(_ a: Int32, _ b: Int32) -> Bool {
        let scalarsA = table.words.scalars[Int(a)]
        let scalarsB = table.words.scalars[Int(b)]
        guard scalarsA.count >= 3, scalarsB.count >= 3 else { return false }
        return scalarsA.withUnsafeBufferPointer { x in
            scalarsB.withUnsafeBufferPointer { y in JaroWinkler.similarity(x, y) >= PersonName.typoThreshold }
        }
    }

    // MARK: - Handles

    private func compareHandles(_ i: Int, _ j: Int, into evidence: inout PairEvidence, needResembling: Bool) {
        var explainer: HandleExplainer?
        func explain() -> HandleExplainer {
            if let explainer { return explainer }
            let made = HandleExplainer(table: table, accounts: (i, j))
            explainer = made
            return made
        }
        // A handle explained by the names but for a year-like number (`jsmith84`) is distinctive only when few
        // accounts carry the name: two of a hundred John Smiths are easily born the same year.
        var fewCarriers: Bool?
        func counts(_ level: HandleDistinctiveness) -> Bool {
            switch level {
            case .strong: return true
            case .none: return false
            case .yearOnly:
                if let fewCarriers { return fewCarriers }
                let few = [NameAgreement.exact, .nickname, .swapped, .typo].contains(evidence.name)
                    && max(nameCarriers(i, evidence.nameSlotA), nameCarriers(j, evidence.nameSlotB))
                        <= PairScorer.yearHandleCarrierLimit
                fewCarriers = few
                return few
            }
        }
        table.handleText.withUnsafeBufferPointer { text in
            for slotA in AccountTable.HandleSlot.allCases {
                let hashA = table.handleHash(i, slotA)
                if hashA == 0 { continue }
                for slotB in AccountTable.HandleSlot.allCases where table.handleHash(j, slotB) == hashA {
                    let handle = UnsafeBufferPointer(rebasing: text[table.handleRange(i, slotA)])
                    let strength: HandleStrength = counts(explain().distinctiveness(handle)) ? .identical : .weak
                    if strength > evidence.handle {
                        evidence.handle = strength
                        evidence.handleAgreement = .identical
                        evidence.handleSlotA = slotA
                        evidence.handleSlotB = slotB
                    }
                }
            }
            guard needResembling, evidence.handle < .resembling else { return }
            for slotA in AccountTable.HandleSlot.allCases where table.handleHash(i, slotA) != 0 {
                let a = UnsafeBufferPointer(rebasing: text[table.handleRange(i, slotA)])
                for slotB in AccountTable.HandleSlot.allCases where table.handleHash(j, slotB) != 0 {
                    if table.handleHash(j, slotB) == table.handleHash(i, slotA) { continue }
                    let b = UnsafeBufferPointer(rebasing: text[table.handleRange(j, slotB)])
                    let agreement = Handle.compare(a, b)
                    let level: HandleDistinctiveness
                    switch agreement {
                    case .different, .identical: continue
                    case .sameLetters:
                        // The digits are on one side only: only the letters are shared.
                        level = Handle.withLettersAndDigits(a) { letters, _ in explain().distinctiveness(letters) }
                    case .extended:
                        // Only the shared part is evidence (a screen name cut at 15 characters shows no more).
                        level = explain().distinctiveness(a.count <= b.count ? a : b)
                    case .similar:
                        level = min(explain().distinctiveness(a), explain().distinctiveness(b))
                    }
                    let strength: HandleStrength = counts(level) ? .resembling : .weakResembling
                    if strength > evidence.handle {
                        evidence.handle = strength
                        evidence.handleAgreement = agreement
                        evidence.handleSlotA = slotA
                        evidence.handleSlotB = slotB
                        if strength == .resembling { return }
                    }
                }
            }
        }
    }

    /// How many accounts carry the name in `kind` of `account`, at least: its name block's size, or the chance
    /// estimate `g × f / n` when that is larger.
    func nameCarriers(_ account: Int, _ kind: AccountTable.NameSlotKind) -> Double {
        let name = table.name(account, kind)
        guard !name.isEmpty, name.familyCount > 0 else { return .infinity }
        let counted = table.nameKeys(of: account, kind).map(blockSize).max() ?? 0
        return max(Double(counted), expectedCarriers(name))
    }

    /// `g × f / n`: accounts expected to carry this given and family name by chance.
    func expectedCarriers(_ name: AccountTable.NameSlot) -> Double {
        let givenCarriers = table.givenCount(of: name.given)
        let familyCarriers = (0..<name.familyCount).map { table.familyCount(of: name.family($0)) }.max() ?? 0
        return Double(givenCarriers) * Double(familyCarriers) / Double(max(1, table.count))
    }

    /// How many block entries carry `key` (binary search in the sorted entries).
    private func blockSize(_ key: UInt64) -> Int {
        func bound(_ upper: Bool) -> Int {
            var low = 0
            var high = entries.count
            while low < high {
                let middle = (low + high) / 2
                if entries[middle].key < key || (upper && entries[middle].key == key) {
                    low = middle + 1
                } else {
                    high = middle
                }
            }
            return low
        }
        return bound(true) - bound(false)
    }
}

/// Says how much a handle holds beyond two accounts' names, nicknames, initials and names anyone might use.
struct HandleExplainer {
    private var words: [[UInt8]] = []
    private var initials: Set<UInt8> = []
    private var namesKnown = false
    /// Whether every name word is written in ASCII letters once folded; a name in another script (`山田 太郎`) cannot
    /// explain a romanised handle.
    private var namesExplainable = true
    /// Given and family names anyone might use in a handle (``KnownNameWords``): `danielle` or `johnson` alone
    /// says nothing about who picked it.
    private let knownNames: KnownNameWords

    init(table: AccountTable, accounts: (Int, Int)) {
        knownNames = table.knownNames
        for account in [accounts.0, accounts.1] {
            for kind in AccountTable.NameSlotKind.allCases {
                let slot = table.name(account, kind)
                if slot.isEmpty { continue }
                namesKnown = true
                words.append(contentsOf: table.words.variants[Int(slot.given)])
                for index in 0..<slot.familyCount { words.append(table.words.utf8[Int(slot.family(index))]) }
                for id in [slot.given] + (0..<slot.familyCount).map(slot.family) {
                    let scalars = table.words.scalars[Int(id)]
                    if !scalars.allSatisfy({ $0 < 0x80 }) { namesExplainable = false }
                    if let first = scalars.first, first < 0x80 { initials.insert(UInt8(first)) }
                }
            }
        }
    }

    func distinctiveness(_ handle: UnsafeBufferPointer<UInt8>) -> HandleDistinctiveness {
        let bytes = Array(handle)
        let remainder = Handle.unexplained(bytes, words: words, initials: initials, knownNames: knownNames)
        return Handle.distinctiveness(
            letters: remainder.letters, digits: bytes.filter { $0 >= 48 && $0 <= 57 }, namesKnown: namesKnown,
            namesExplainable: namesExplainable)
    }
}
