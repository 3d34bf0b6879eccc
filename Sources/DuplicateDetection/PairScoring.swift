import AccountMatching
import Foundation

/// Decisions already made, per worker: typos per pair of word ids, and how surprising a handle is given the names of
/// the two accounts that share it (the same handles and names come up again and again in a block).
struct TypoCache {
    var entries = KeyedCache<Bool>()
    var surprise = KeyedCache<Double>()
    /// Where the carriers of a name are, per name (its word ids).
    var carriers = KeyedCache<NameCarriers>()
    /// The explainer of the pair whose handle surprise was last worked out, its storage reused by the next.
    var explainer: HandleExplainer?
}

/// The name blocks of a name (ranges of the sorted block entries) and the fewest other carriers it counts as having
/// (`g × f / population`).
struct NameCarriers {
    /// The name's word ids (given, then up to three family words; -1 for none): the memo's key is a hash of them,
    /// and a hit counts only when they agree.
    var name: SIMD4<Int32>
    var blocks: [Range<Int>]
    var floor: Double
}

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
    /// The handle counted although the names explain it: the name is so rare in the store that nobody else could
    /// have made that handle from it (or so rare that few could, with a nickname or with no mailbox on one side:
    /// ``PairScorer/looseMarginFactor``).
    var rareName = false
    /// The handles resemble through a number they share (``PairScorer/sharedNumber(_:_:)``), not their letters.
    var sharesNumber = false
    /// One account's username marks it an alternate account of the other's handle (`fresh_cat_alt`, `fresh_cat`;
    /// ``PairScorer/altOf(_:_:text:)``).
    var altAccount = false
    /// The given names agree but the family names differ, and the accounts share a handle that no third account holds
    /// and no name of theirs spells (``PairScorer/familyChanged(_:_:into:cache:)``): one person who took another family
    /// name, or wrote a word in its place.
    var familyChanged = false

    /// The same evidence with the two accounts' places swapped.
    var swapped: PairEvidence {
        var evidence = self
        (evidence.nameSlotA, evidence.nameSlotB) = (nameSlotB, nameSlotA)
        (evidence.handleSlotA, evidence.handleSlotB) = (handleSlotB, handleSlotA)
        return evidence
    }
}

/// How much a shared or resembling handle says.
enum HandleStrength: Int, Sendable, Hashable, Comparable, CaseIterable {
    /// No handle in common.
    case none
    /// Resembling handles that others with the name could have picked (`jsmith` and `jsmith_` for John Smith).
    case weakResembling
    /// The same handle, but one that others with the name could have picked.
    case weak
    /// Resembling handles (same digits and a typo, same letters, one extending the other) that say who picked them.
    case resembling
    /// The same handle, and one that says who picked it.
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
    /// Without a shared mailbox: given names that agree, family names that differ, and a handle that only these two
    /// accounts hold and that no name of theirs spells (``PairEvidence/familyChanged``). At the default minimum, so
    /// that a stricter `--min-score` leaves such links out.
    static let familyChanged = 0.70

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
        case .givenOnly: return [0.10, 0.30, 0.60, 0.80]
        case .unknown: return [0.00, 0.30, 0.60, 0.80]
        case .conflict: return [0.00, 0.00, 0.20, 0.50]
        }
    }
}

/// Compares two accounts of a table. A class: workers and the closures of a comparison share one scorer instead of
/// copying the table's thirty-odd arrays (a retain and a release each) at every turn.
final class PairScorer: Sendable {
    let table: AccountTable
    let minimumScore: Double
    /// Every account's block keys, sorted: a name block's size is how many accounts carry that name.
    let entries: [BlockEntry]

    init(table: AccountTable, minimumScore: Double, entries: [BlockEntry]) {
        precondition(table.handleCountsReady, "the table's handle counts are awaited before it is scored")
        self.table = table
        self.minimumScore = minimumScore
        self.entries = entries
    }

    /// A shared handle counts when fewer than `2^-margin` other accounts are expected to have it by chance (see
    /// `compareHandles`).
    static let surpriseMargin = 5.0
    /// The chance that another carrier of the names, making a handle from them, writes it with the same letters
    /// (`john.smith`, `johnsmith`, `john_smith84` share theirs; `jsmith`, `smithj` do not): about two in three, the
    /// given-and-family forms being the most common. (On the generated accounts 1 gave precision 0.991 and recall
    /// 0.632, 0.7 gave 0.988 and 0.654, 0.5 gave 0.978 and 0.669; see README.)
    static let styleShare = 0.7
    /// How many spellings of a matching name (nicknames, typos, initials) an account carrying the name stands for,
    /// when the chance that a stranger with the same handle letters also carries it is estimated.
    static let nameVariants = 4.0
    /// How many times more others may have been able to make the same handle from the names (the names' estimate
    /// in `compareHandles`, `2^-surpriseMargin` otherwise) when the names agree through a nickname, and again when the
    /// names match (exactly, swapped, through a nickname or within a typo) and one account has no mailbox, up to
    /// ``looseMarginCap`` for both; such a handle scores as resembling handles do. A handle the names explain whole
    /// then counts with up to about 0.18 other carriers of the name (0.36 with a nickname and a mailbox missing),
    /// instead of 0.045. Session 17 set 2 (0.089 and 0.18); session 20 measured 4 after Apple's and Proton's domains
    /// stopped being one mailbox, which had cost the independent set its precision margin: 2,935 true and 300 false
    /// links more over the first, independent, fourth and fifth sets at a million, 320 / 252 on the third (see
    /// README, "A nickname, or no mailbox, loosens the margin").
    static let looseMarginFactor = 4.0
    /// The most a nickname and a missing mailbox together loosen the margin by.
    static let looseMarginCap = 8.0

    /// The score and evidence of `i` and `j`, or `nil` when the score is below the minimum.
    ///
    /// The pair is scored with the account whose username comes first as the first, whichever of them the caller
    /// names first: where several pairs of fields agree equally well, the fields the evidence names (and so the
    /// reasons and matched fields of the report) are those the first account's fields are tried in order from, and
    /// they must not depend on the order the accounts were added in.
    func evaluate(_ i: Int, _ j: Int, cache: inout TypoCache) -> (score: Double, evidence: PairEvidence)? {
        guard table.usernamePrecedes(i, j) else {
            return evaluateInOrder(j, i, cache: &cache).map { ($0.score, $0.evidence.swapped) }
        }
        return evaluateInOrder(i, j, cache: &cache)
    }

    /// ``evaluate(_:_:cache:)`` with `i` as the first account.
    private func evaluateInOrder(_ i: Int, _ j: Int, cache: inout TypoCache) -> (score: Double, evidence: PairEvidence)?
    {
        var evidence = PairEvidence()
        evidence.sharesMailbox = table.sameMailbox(i, j)
        // Most candidate pairs share a name block and nothing else: names alone never reach the minimum, so without
        // a shared mailbox or a handle that might match, stop before comparing names.
        var overlap = HandleOverlap.handles
        if !evidence.sharesMailbox && ScoreTable.score(name: .exact, handle: .none) < minimumScore {
            overlap = handleOverlap(i, j)
            if case .none = overlap { return nil }
        }
        compareNames(i, j, into: &evidence, cache: &cache)
        if evidence.sharesMailbox {
            // Handles add nothing to the score here, but they are part of the story an operator reads.
            compareHandles(i, j, into: &evidence, needResembling: true, cache: &cache)
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
        if evidence.name == .conflict, ScoreTable.familyChanged >= minimumScore,
            familyChanged(i, j, into: &evidence, cache: &cache)
        {
            return (ScoreTable.familyChanged, evidence)
        }
        if ScoreTable.best(name: evidence.name) < minimumScore { return nil }
        // A given name alone gets past `.resembling` only through a screen name cut at Twitter's limit (see
        // `compareHandles`).
        let needResembling =
            ScoreTable.score(name: evidence.name, handle: .resembling) >= minimumScore
            || (evidence.name == .givenOnly && ScoreTable.score(name: .givenOnly, handle: .identical) >= minimumScore)
        if case .number(let number) = overlap {
            // No handle is the same as or like another: only the shared number can count.
            guard needResembling else { return nil }
            countSharedNumber(number, i, j, into: &evidence, pickers: nil, cache: &cache)
        } else {
            compareHandles(i, j, into: &evidence, needResembling: needResembling, cache: &cache)
        }
        let score = ScoreTable.score(name: evidence.name, handle: evidence.handle)
        return score >= minimumScore ? (score, evidence) : nil
    }

    // MARK: - Names

    private func compareNames(_ i: Int, _ j: Int, into evidence: inout PairEvidence, cache: inout TypoCache) {
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
                let level = agreement(a, b, cache: &cache)
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

    private func agreement(
        _ a: AccountTable.NameSlot, _ b: AccountTable.NameSlot, cache: inout TypoCache
    ) -> NameAgreement {
        let given = givenNames(a, b, cache: &cache)
        guard a.familyCount > 0, b.familyCount > 0 else {
            switch given {
            case .exact, .nickname: return .givenOnly
            case .typo, .initial: return .unknown
            case .none: return .conflict
            }
        }
        let family = familyAgreement(a, b, cache: &cache)
        if let level = PersonName.combine(family: family, given: given) { return level }
        var swappedGiven = false
        var swappedFamily = false
        for index in 0..<b.familyCount where givenAgreement(a.given, b.family(index), cache: &cache) >= .typo {
            swappedGiven = true
        }
        for index in 0..<a.familyCount where givenAgreement(a.family(index), b.given, cache: &cache) >= .typo {
            swappedFamily = true
        }
        return swappedGiven && swappedFamily ? .swapped : .conflict
    }

    /// Whether `i` and `j`, whose names clash, are one person all the same: one of them without a mailbox, a full name
    /// of each with the same first name (or one through a nickname; both words of a first name of two) and family
    /// names that do not agree, and a handle they share that no third account holds (in any field), of six letters
    /// `a`…`z` or more, no name word of either (nor a nickname of one) spelling three
    /// letters of it (``isUnspelled(_:_:_:)``), and that a stranger with the given name is unlikely to hold
    /// (below ``familyChangedMargin``): `unfairrhino` for Indira Palazzo's username and the mailbox of Indira Blogs.
    /// Such a handle says who picked it however the family names read: a family name changed (marriage), or a word
    /// written in its place. A handle made from a name is not enough (`jess99` for two Jessicas), nor one others hold
    /// too, nor two common words (`earlycontext` for two Michaels). Sets the evidence's name slots and handle when it
    /// says yes.
    func familyChanged(_ i: Int, _ j: Int, into evidence: inout PairEvidence, cache: inout TypoCache) -> Bool {
        // Two mailboxes would say whose each account is: two people of one given name mostly have two.
        guard table.mailbox[i] == 0 || table.mailbox[j] == 0 else { return false }
        // The cheap part first: a handle in common whose letters no third account has (most clashing pairs have none).
        var sharesHandle = false
        for slotA in AccountTable.HandleSlot.allCases where table.handleHash(i, slotA) != 0 {
            for slotB in AccountTable.HandleSlot.allCases where table.sameHandle(i, slotA, j, slotB) {
                if table.letterCarriers(table.handleShape(i, slotA).letters) <= 2 { sharesHandle = true }
            }
        }
        guard sharesHandle else { return false }
        // Every pair of full names whose first names agree (the same, or through a nickname) and whose family names
        // do not: the commonest of their given names counts, and the reason names the pair of fields chosen by what
        // they are, not by which account came first (the report is the same in any input order).
        var slots: (AccountTable.NameSlotKind, AccountTable.NameSlotKind)?
        var slotsRank: (kinds: Int, text: [UInt8]) = (Int.max, [])
        var givenCarriers = 0
        // The pair's words as text, in an order of their own (ids follow the order the accounts were added in).
        func textRank(_ a: AccountTable.NameSlot, _ b: AccountTable.NameSlot) -> [UInt8] {
            func ordered(_ x: Int32, _ y: Int32) -> [UInt8] {
                let (first, second) = (table.words.utf8[Int(x)], table.words.utf8[Int(y)])
                let (low, high) = first.lexicographicallyPrecedes(second) ? (first, second) : (second, first)
                return low + [0] + high + [0]
            }
            return ordered(a.given, b.given) + ordered(a.family0, b.family0)
        }
        for kindA in AccountTable.NameSlotKind.allCases {
            let a = table.name(i, kindA)
            guard !a.isEmpty, a.familyCount > 0 else { continue }
            for kindB in AccountTable.NameSlotKind.allCases {
                let b = table.name(j, kindB)
                guard !b.isEmpty, b.familyCount > 0, givenNames(a, b, cache: &cache) >= .nickname,
                    familyAgreement(a, b, cache: &cache) == .none
                else { continue }
                givenCarriers = max(givenCarriers, table.givenCount(of: a.given), table.givenCount(of: b.given))
                // Both account names first, then both display names, then one of each; then by the names' text.
                let kinds = kindA == kindB ? kindA.rawValue : 2
                if kinds < slotsRank.kinds
                    || (kinds == slotsRank.kinds && textRank(a, b).lexicographicallyPrecedes(slotsRank.text))
                {
                    slotsRank = (kinds, textRank(a, b))
                    slots = (kindA, kindB)
                }
            }
        }
        guard let slots else { return false }
        let givenShare = Double(givenCarriers) / Double(max(1, table.count))
        // Of the handles that count, the one the reason names is chosen by its fields and its text, not by which
        // account came first.
        let shared: (AccountTable.HandleSlot, AccountTable.HandleSlot)? = table.handleText.withUnsafeBufferPointer {
            text in
            var chosen: (AccountTable.HandleSlot, AccountTable.HandleSlot)?
            var chosenRank = (Int.max, Int.max, UInt64.max)
            for slotA in AccountTable.HandleSlot.allCases {
                let hash = table.handleHash(i, slotA)
                if hash == 0 { continue }
                let range = table.handleRange(i, slotA)
                let letters = text[range].reduce(0) { count, byte in
                    count + (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? 1 : 0)
                }
                if letters < PairScorer.familyChangedHandleLetters { continue }
                for slotB in AccountTable.HandleSlot.allCases where table.sameHandle(i, slotA, j, slotB) {
                    let handle = UnsafeBufferPointer(rebasing: text[range])
                    // No third account holds it, nor a handle of its letters with other digits (`ghost11` among
                    // `ghost7` and `ghost_99`: a word many pick); and strangers with this given name are unlikely to
                    // hold it: the handles as many as its first and last four letters make likely (`earlycontext`
                    // where handles are made of a few thousand words), times the chance of its digits, times the
                    // given name's share of the store.
                    let lookalikes = table.affixCarriers(handle) * exp2(-Handle.digitSurprise(handle))
                    if table.letterCarriers(table.handleShape(i, slotA).letters) <= 2,
                        lookalikes * givenShare <= exp2(-PairScorer.familyChangedMargin),
                        isUnspelled(handle, i, j), blockRange(AccountTable.handleKey(handle)).count == 2
                    {
                        let rank = (min(slotA.rawValue, slotB.rawValue), max(slotA.rawValue, slotB.rawValue), hash)
                        if rank < chosenRank {
                            chosenRank = rank
                            chosen = (slotA, slotB)
                        }
                    }
                }
            }
            return chosen
        }
        guard let shared else { return false }
        evidence.familyChanged = true
        (evidence.nameSlotA, evidence.nameSlotB) = slots
        evidence.handle = .identical
        evidence.handleAgreement = .identical
        (evidence.handleSlotA, evidence.handleSlotB) = shared
        return true
    }

    /// The fewest letters `a`…`z` a handle needs for ``familyChanged(_:_:into:cache:)`` (the store's estimate of how
    /// common a handle's letters are needs six).
    static let familyChangedHandleLetters = 6
    /// In bits, how unlikely a stranger with the same given name must be to hold the handle, for
    /// ``familyChanged(_:_:into:cache:)``: twice ``surpriseMargin``, the family names speaking against the link.
    static let familyChangedMargin = 2 * surpriseMargin

    /// Whether no word of either account's names, nor a nickname or spelling of one, has its first three letters in
    /// `handle` (words of three letters or more), every word being in Latin letters (a name in another script may be
    /// in the handle romanised: `olgak` for Ольга).
    private func isUnspelled(_ handle: UnsafeBufferPointer<UInt8>, _ i: Int, _ j: Int) -> Bool {
        let words = table.words
        func spells(_ id: Int32) -> Bool {
            guard id >= 0 else { return false }
            if words.scalars[Int(id)].contains(where: { $0 >= 0x80 }) { return true }
            for word in words.variants[Int(id)] + words.spellings[Int(id)] where word.count >= 3 {
                if handleContains(handle, word[..<3]) { return true }
            }
            return false
        }
        for account in [i, j] {
            for kind in AccountTable.NameSlotKind.allCases {
                let slot = table.name(account, kind)
                if slot.isEmpty { continue }
                if spells(slot.given) || spells(slot.given1) { return false }
                for index in 0..<slot.familyCount where spells(slot.family(index)) { return false }
            }
        }
        return true
    }

    /// How the first names of two names agree: their given names (a clipped one counting as a nickname), or one
    /// written as the other's first two words (`jeanpierre`, `Jean Pierre`).
    private func givenNames(
        _ a: AccountTable.NameSlot, _ b: AccountTable.NameSlot, cache: inout TypoCache
    ) -> PersonName.WordAgreement {
        var given = givenAgreement(a.given, b.given, clipping: true, cache: &cache)
        if given == .none && (joins(a, b) || joins(b, a)) { given = .exact }
        // Two first names of two words each (`Van Minh` and `Văn Vinh`, `Tae Woo` and `Tae Soo`): the second words
        // must agree too (the same, a nickname, or within a typo: `Ann` and `Anne`), unless one is an initial
        // (`Mary J.`). One second word alone is a middle name left out.
        if given != .none, a.given1 >= 0, b.given1 >= 0, a.given1 != b.given1,
            table.words.scalars[Int(a.given1)].count > 1, table.words.scalars[Int(b.given1)].count > 1,
            givenAgreement(a.given1, b.given1, cache: &cache) < .typo, !isTypo(a.given1, b.given1, cache: &cache)
        {
            given = .none
        }
        return given
    }

    /// Whether `a`'s given name is `b`'s first two words written as one (`jeanpierre` for `Jean Pierre`, in a
    /// first-name field or a display name).
    private func joins(_ a: AccountTable.NameSlot, _ b: AccountTable.NameSlot) -> Bool {
        let second = b.given1 >= 0 ? b.given1 : b.family0
        guard second >= 0 else { return false }
        let whole = table.words.utf8[Int(a.given)]
        let first = table.words.utf8[Int(b.given)]
        let rest = table.words.utf8[Int(second)]
        return whole.count == first.count + rest.count && whole.starts(with: first)
            && whole[first.count...].elementsEqual(rest)
    }

    /// Mirrors `PersonName.givenAgreement` over interned words; with `clipping`, for two given names, a clipped one
    /// is a nickname too (``isClipped(_:_:)``: the store's counts say which long forms are given names).
    private func givenAgreement(
        _ a: Int32, _ b: Int32, clipping: Bool = false, cache: inout TypoCache
    ) -> PersonName.WordAgreement {
        if a == b { return .exact }
        let words = table.words
        let fullA = words.fullNames[Int(a)]
        let fullB = words.fullNames[Int(b)]
        if fullA.contains(where: { fullB.contains($0) }) { return .nickname }
        let scalarsA = words.scalars[Int(a)]
        let scalarsB = words.scalars[Int(b)]
        if scalarsA.count == 1 || scalarsB.count == 1 { return scalarsA.first == scalarsB.first ? .initial : .none }
        if clipping && isClipped(a, b) { return .nickname }
        if !(words.known[Int(a)] && words.known[Int(b)]) && isTypo(a, b, cache: &cache) {
            let textA = String(decoding: words.utf8[Int(a)], as: UTF8.self)
            let textB = String(decoding: words.utf8[Int(b)], as: UTF8.self)
            if !PersonName.isExtension(textA, textB) || isDroppedLastLetter(a, b) { return .typo }
        }
        return .none
    }

    /// Whether one given name is the other clipped (`Kel` for Kelly, `Tiff` for Tiffany, `Court` for Courtney):
    /// three letters or more of a given name that other accounts of the store carry too, two letters or more cut
    /// off, the short form not in the nickname table (which would say whose nickname it is: `Dan` is Daniel's, not
    /// Danica's). Letters are Unicode scalars of the folded words.
    private func isClipped(_ a: Int32, _ b: Int32) -> Bool {
        let words = table.words
        let (short, long) =
            words.scalars[Int(a)].count <= words.scalars[Int(b)].count ? (a, b) : (b, a)
        let shortLetters = words.scalars[Int(short)]
        let longLetters = words.scalars[Int(long)]
        return shortLetters.count >= 3 && longLetters.count - shortLetters.count >= 2
            && longLetters.starts(with: shortLetters) && !words.known[Int(short)]
            && table.givenCount(of: long) >= PairScorer.clippedNameCarriers
    }

    /// How many accounts must carry a given name for a clipped form of it to count as its nickname.
    static let clippedNameCarriers = 3

    /// Whether of two words, one the other with a letter added at the end (`Pere` and `Perez`, `Ebeaynik` and
    /// `Ebeaynike`), one is the other slipped: neither is a given name the nickname table knows or a very common one
    /// (`Paul` and `Paula`, `Eric` and `Erica` are two names, often siblings'), the store holds the rarer spelling at
    /// most ``droppedLetterCarriers`` times, and the shorter has four letters or more. (Measured: on the third
    /// generator +9 true links and no false one at 100,000 accounts, +54 and +2 at a million; the other two
    /// generators unchanged.)
    private func isDroppedLastLetter(_ a: Int32, _ b: Int32) -> Bool {
        let words = table.words
        let scalarsA = words.scalars[Int(a)]
        let scalarsB = words.scalars[Int(b)]
        let (short, long) = scalarsA.count <= scalarsB.count ? (scalarsA, scalarsB) : (scalarsB, scalarsA)
        guard short.count >= 4, long.count == short.count + 1, long.starts(with: short) else { return false }
        for word in [a, b] where words.known[Int(word)] || words.commonGiven[Int(word)] { return false }
        let carriersA = table.givenCount(of: a) + table.familyCount(of: a)
        let carriersB = table.givenCount(of: b) + table.familyCount(of: b)
        return min(carriersA, carriersB) <= PairScorer.droppedLetterCarriers
    }

    /// See ``isDroppedLastLetter(_:_:)``.
    static let droppedLetterCarriers = 2

    /// Mirrors `PersonName.familyAgreement` over interned words.
    private func familyAgreement(
        _ a: AccountTable.NameSlot, _ b: AccountTable.NameSlot, cache: inout TypoCache
    ) -> PersonName.WordAgreement {
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
            for y in 0..<b.familyCount where isTypo(a.family(x), b.family(y), cache: &cache) {
                let textA = String(decoding: words.utf8[Int(a.family(x))], as: UTF8.self)
                let textB = String(decoding: words.utf8[Int(b.family(y))], as: UTF8.self)
                if !PersonName.isExtension(textA, textB) || isDroppedLastLetter(a.family(x), b.family(y)) {
                    return .typo
                }
            }
        }
        return .none
    }

    /// Whether two words are one word with a typo, as ``AccountMatching/PersonName/isTypo(_:_:)`` has it (Jaro–Winkler
    /// ≥ ``PersonName/typoThreshold``, or a letter written twice), or one slip apart in a spelling the store holds
    /// rarely (``isSlip(_:_:)``); remembered per pair of words: the same pairs (John and Jane) come up again and
    /// again.
    private func isTypo(_ a: Int32, _ b: Int32, cache: inout TypoCache) -> Bool {
        let scalarsA = table.words.scalars[Int(a)]
        let scalarsB = table.words.scalars[Int(b)]
        guard scalarsA.count >= 3, scalarsB.count >= 3 else { return false }
        // Quadratic in the words' length: a word longer than any name is no typo (see `PersonName.longestTypoWord`).
        guard scalarsA.count <= PersonName.longestTypoWord, scalarsB.count <= PersonName.longestTypoWord else {
            return false
        }
        // Jaro–Winkler ≥ 0.9 needs Jaro ≥ 0.833, out of reach when one word is under half the other's length.
        guard min(scalarsA.count, scalarsB.count) * 2 >= max(scalarsA.count, scalarsB.count) else { return false }
        let key = UInt64(UInt32(bitPattern: min(a, b))) << 32 | UInt64(UInt32(bitPattern: max(a, b)))
        if let known = cache.entries[key] { return known }
        let typo =
            scalarsA.withUnsafeBufferPointer { x in
                scalarsB.withUnsafeBufferPointer { y in JaroWinkler.similarity(x, y) >= PersonName.typoThreshold }
            } || PersonName.isDoubling(scalarsA, scalarsB) || PersonName.isDoubling(scalarsB, scalarsA)
            || (PersonName.isOneSlipApart(scalarsA, scalarsB) && isSlip(a, b))
        cache.entries[key] = typo
        return typo
    }

    /// Of two words one slip apart (``AccountMatching/PersonName/isOneSlipApart(_:_:)``), the rarer is a slip of the
    /// other when the store holds it at most a ``slipRarity``th as often (and the other at least that many times):
    /// `Kaaen` beside `Karen`, but not `Ross` beside `Rose` or `Todd` beside `Dodd`, names of their own. (Measured at
    /// a million accounts: without the check the independent generator gained 10 false links and no true one; with
    /// it, 2 and none, while the first generator kept 441 of its 513 new true links.)
    private func isSlip(_ a: Int32, _ b: Int32) -> Bool {
        let carriersA = table.givenCount(of: a) + table.familyCount(of: a)
        let carriersB = table.givenCount(of: b) + table.familyCount(of: b)
        // The commoner at least `slipRarity` times (a word counted nowhere, a second first name, says nothing).
        return min(carriersA, carriersB) * PairScorer.slipRarity <= max(carriersA, carriersB)
            && max(carriersA, carriersB) >= PairScorer.slipRarity
    }

    /// See ``isSlip(_:_:)``.
    static let slipRarity = 4

    // MARK: - Handles

    /// A number two handles share: its surprise in bits, and which handles.
    typealias SharedNumber = (bits: Double, a: AccountTable.HandleSlot, b: AccountTable.HandleSlot)

    /// What the handles of two accounts may have in common.
    enum HandleOverlap {
        /// Nothing.
        case none
        /// A number (``sharedNumber(_:_:)``), and nothing else.
        case number(SharedNumber)
        /// A handle that is, or might resemble, a handle of the other account.
        case handles
    }

    /// Whether any handle of `i` is, might resemble, or shares a number with a handle of `j` (cheap checks first).
    private func handleOverlap(_ i: Int, _ j: Int) -> HandleOverlap {
        var mayShareNumber = false
        for slotA in AccountTable.HandleSlot.allCases {
            let hashA = table.handleHash(i, slotA)
            if hashA == 0 { continue }
            let shapeA = table.handleShape(i, slotA)
            for slotB in AccountTable.HandleSlot.allCases {
                let hashB = table.handleHash(j, slotB)
                if hashB == 0 { continue }
                let shapeB = table.handleShape(j, slotB)
                if hashA == hashB || shapeA.mayResemble(shapeB) { return .handles }
                if shapeA.numberMask & shapeB.numberMask != 0 { mayShareNumber = true }
            }
        }
        // The masks only say that a number may be shared (one pair of handles in sixteen has meeting bits by chance).
        guard mayShareNumber, let number = sharedNumber(i, j) else { return .none }
        return .number(number)
    }

    /// What explains a handle is the words of both accounts' names, each in its role (a given name explains through
    /// its nicknames and endings, a family name through its spellings, and only the first two family words through
    /// what stands in front of them): a signature of them, under which a comparer remembers a handle's surprise, that
    /// does not depend on the order of the slots: `signature` with `slot` added.
    ///
    /// Each (word, role) is scrambled before the sum. A sum of linear terms depended only on the sums of the ids and
    /// of the roles, so Lee Morgan and Morgan Lee still shared a signature after roles were added, as did any names
    /// whose ids summed alike; which surprise a worker remembered for both then depended on which pair it met first.
    static func nameSignature(adding slot: AccountTable.NameSlot, to signature: UInt64) -> UInt64 {
        guard !slot.isEmpty else { return signature }
        var signature = signature
        func add(_ id: Int32, role: UInt64) {
            guard id >= 0 else { return }
            // The splitmix64 finaliser: every input bit reaches every output bit.
            var z = UInt64(UInt32(bitPattern: id)) | role << 32
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            signature &+= z ^ (z >> 31)
        }
        add(slot.given, role: 1)
        add(slot.given1, role: 2)
        add(slot.family0, role: 3)
        add(slot.family1, role: 4)
        add(slot.family2, role: 5)
        return signature
    }

    private func compareHandles(
        _ i: Int, _ j: Int, into evidence: inout PairEvidence, needResembling: Bool, cache: inout TypoCache
    ) {
        var explainerSet = false
        var signature: UInt64 = 0
        for kind in AccountTable.NameSlotKind.allCases {
            signature = Self.nameSignature(adding: table.name(i, kind), to: signature)
            signature = Self.nameSignature(adding: table.name(j, kind), to: signature)
        }
        func surprise(_ handle: UnsafeBufferPointer<UInt8>) -> Double {
            let key = Self.memoKey(handle) ^ signature
            if let known = cache.surprise[key] { return known }
            if !explainerSet {
                if cache.explainer == nil {
                    cache.explainer = HandleExplainer(table: table, accounts: (i, j))
                } else {
                    cache.explainer!.reset(table: table, accounts: (i, j))
                }
                explainerSet = true
            }
            let computed = cache.explainer!.surprise(handle)
            cache.surprise[key] = computed
            return computed
        }
        // A handle counts when few other accounts could have it by chance. Two estimates, both must be small:
        // - from the names: the other accounts that could have made a handle from them, times the chance of the
        //   handle's unexplained part (its surprise in bits);
        // - from the store, for letters the names do not explain: the other accounts whose handles have the very
        //   same letters, times the chance of the same digits (`neonsurfer93` is common when thirty accounts have a
        //   `neonsurfer` handle), times the chance that such an account also carries the matching name, or the very
        //   same given name when that is all the names agree on (`sharesUnspelledGiven`). (Letters the names explain
        //   are the first estimate's business: the carriers of `meganarwyli` are Megan Arwylis, this person's other
        //   accounts among them.)
        let limit = exp2(-PairScorer.surpriseMargin)
        var namePickers: Double?
        var namesSpell: Bool?
        // The same handle is usually judged for several pairs of fields (username and email local part alike).
        var spelledMemo: (key: UInt64, value: Double)?
        // The same handle may have more others who could have made it from the names (``looseMarginFactor``) when
        // a stranger making it would also have had to write the name the other way (a nickname on one account,
        // the full name on the other), and again when the names match and one account has no mailbox to say it is
        // someone else's (two people of one name mostly have two).
        let unopposed = evidence.name.isMatch && (table.mailbox[i] == 0 || table.mailbox[j] == 0)
        let factor = PairScorer.looseMarginFactor
        let slack = min(
            PairScorer.looseMarginCap, (evidence.name == .nickname ? factor : 1) * (unopposed ? factor : 1))
        var countedLoosely = false
        func counts(
            _ handle: UnsafeBufferPointer<UInt8>, letters: UInt32, sameHandle: Bool = false
        ) -> (counts: Bool, bits: Double) {
            let bits = surprise(handle)
            if namePickers == nil { namePickers = otherPickers(i, j, evidence, cache: &cache) }
            var pickers = namePickers!
            if evidence.name == .unknown || evidence.name == .givenOnly {
                // The names say little about who else could have made the handle; what the handle spells says
                // more (see `spellingPickers`).
                let key = Self.memoKey(handle)
                let spelled: Double
                if let known = spelledMemo, known.key == key {
                    spelled = known.value
                } else {
                    spelled =
                        spellingPickers(
                            handle, i, j,
                            sharedGiven: evidence.name == .givenOnly ? (evidence.nameSlotA, evidence.nameSlotB) : nil,
                            cache: &cache) ?? Double(table.count)
                    spelledMemo = (key, spelled)
                }
                pickers = evidence.name == .unknown ? spelled : min(pickers, spelled)
            }
            let byNames = pickers * exp2(-bits) * PairScorer.styleShare
            countedLoosely = false
            if byNames > limit {
                guard sameHandle, byNames <= limit * slack else { return (false, bits) }
                countedLoosely = true
            }
            let digitBits = Handle.digitSurprise(handle)
            if namesSpell == nil { namesSpell = namesCanSpellHandles(i, j) }
            let hasLetters = handle.contains { $0 < UInt8(ascii: "0") || $0 > UInt8(ascii: "9") }
            if namesSpell! && hasLetters && bits - digitBits < 0.5 { return (true, bits) }
            // The same letters elsewhere, or as many as the handle's first and last words make likely.
            var byLetters =
                max(Double(max(0, table.letterCarriers(letters) - 2)), table.affixCarriers(handle)) * exp2(-digitBits)
            if evidence.name.isMatch || evidence.name == .initial || sharesUnspelledGiven(handle, i, j, evidence) {
                byLetters *= min(1, PairScorer.nameVariants * (namePickers! + 1) / Double(max(1, table.count)))
            }
            return (byLetters <= limit, bits)
        }
        var countedBits = 0.0
        table.handleText.withUnsafeBufferPointer { text in
            for slotA in AccountTable.HandleSlot.allCases {
                let hashA = table.handleHash(i, slotA)
                if hashA == 0 { continue }
                for slotB in AccountTable.HandleSlot.allCases where table.sameHandle(i, slotA, j, slotB) {
                    let handle = UnsafeBufferPointer(rebasing: text[table.handleRange(i, slotA)])
                    let (counted, bits) = counts(
                        handle, letters: table.handleShape(i, slotA).letters, sameHandle: true)
                    // Counted only with the looser margin (a nickname, no mailbox on one side): ranked with resembling
                    // handles.
                    let strength: HandleStrength = counted ? (countedLoosely ? .resembling : .identical) : .weak
                    if strength > evidence.handle {
                        evidence.handle = strength
                        evidence.handleAgreement = .identical
                        evidence.handleSlotA = slotA
                        evidence.handleSlotB = slotB
                        countedBits = bits
                    }
                }
            }
            // A username saying that its account is the alt of the other's handle, which no other person's account
            // has.
            if evidence.handle < .identical, let slots = altOf(i, j, text: text) {
                evidence.handle = .identical
                evidence.handleAgreement = .identical
                (evidence.handleSlotA, evidence.handleSlotB) = slots
                evidence.altAccount = true
                return
            }
            guard needResembling, evidence.handle < .resembling else { return }
            for slotA in AccountTable.HandleSlot.allCases where table.handleHash(i, slotA) != 0 {
                let shapeA = table.handleShape(i, slotA)
                let a = UnsafeBufferPointer(rebasing: text[table.handleRange(i, slotA)])
                for slotB in AccountTable.HandleSlot.allCases where table.handleHash(j, slotB) != 0 {
                    if table.sameHandle(i, slotA, j, slotB) { continue }
                    let shapeB = table.handleShape(j, slotB)
                    if !shapeA.mayResemble(shapeB) { continue }
                    let b = UnsafeBufferPointer(rebasing: text[table.handleRange(j, slotB)])
                    let agreement = Handle.compare(a, b)
                    // Only what the two handles share is evidence.
                    let verdict: (counts: Bool, bits: Double)
                    switch agreement {
                    case .different, .identical: continue
                    case .sameLetters:
                        // The digits are on one side only: only the letters are shared.
                        verdict = Handle.withLettersAndDigits(a) { letters, _ in
                            counts(letters, letters: shapeA.letters)
                        }
                    case .extended:
                        if let word = Handle.frontWordBeforeCut(a, b) ?? Handle.frontWordBeforeCut(b, a) {
                            // What follows the front word (`silverrunner` of `thesilverrunner`): all the two share.
                            let cut = Handle.frontWordBeforeCut(a, b) != nil ? a : b
                            let shared = UnsafeBufferPointer(rebasing: cut[word...])
                            verdict = counts(shared, letters: HandleShape.letterHash(shared))
                        } else if Handle.cutForNumber(a, b) != nil || Handle.cutForNumber(b, a) != nil {
                            // The letters the cut kept (`jessesanderso` of `jessesanderso_8`) are all the two
                            // share, and must count as the word they were cut from does (`anthonydavi` of
                            // `anthonydavis` is Anthony D.'s common name, not three letters of its own). Only a screen
                            // name can have been cut so (`crazytiger134` is a handle of its own).
                            guard let (kept, whole) = keptBeforeNumber(a, i, slotA, b, j, slotB) else { continue }
                            let shared = UnsafeBufferPointer(rebasing: a[..<kept])
                            let first = counts(shared, letters: HandleShape.letterHash(shared))
                            let second = counts(whole, letters: HandleShape.letterHash(whole))
                            verdict = (first.counts && second.counts, min(first.bits, second.bits))
                        } else {
                            // The shorter one (a screen name cut at 15 characters shows no more).
                            verdict =
                                a.count <= b.count
                                ? counts(a, letters: shapeA.letters) : counts(b, letters: shapeB.letters)
                        }
                    case .similar:
                        // Handles that differ where the names differ are each made from its own name: their
                        // likeness is the names' own, already counted.
                        if evidence.name == .typo && handlesFollowNames(a, b, i, j, evidence) { continue }
                        if evidence.name == .initial && familyIsInitial(i, j, evidence) { continue }
                        let first = counts(a, letters: shapeA.letters)
                        let second = counts(b, letters: shapeB.letters)
                        verdict = (first.counts && second.counts, min(first.bits, second.bits))
                    }
                    var strength: HandleStrength = verdict.counts ? .resembling : .weakResembling
                    var slots = (slotA, slotB)
                    // A screen name cut at Twitter's 15 characters from the other handle is that handle, as far as
                    // Twitter lets it be; the shared given name vouches for the letters the cut took away.
                    if verdict.counts, agreement == .extended, evidence.name == .givenOnly,
                        isCutAtTwitterLimit(a, i, slotA, b, j, slotB)
                    {
                        strength = .identical
                        if a.count < b.count { slots.0 = .screenName } else { slots.1 = .screenName }
                    }
                    if strength > evidence.handle {
                        evidence.handle = strength
                        evidence.handleAgreement = agreement
                        (evidence.handleSlotA, evidence.handleSlotB) = slots
                        countedBits = verdict.bits
                        if strength >= .resembling { return }
                    }
                }
            }
        }
        // A handle the names explain counted only because nobody else carries so rare a name.
        evidence.rareName = evidence.handle >= .resembling && countedBits == 0 && !evidence.altAccount
        if needResembling, evidence.handle < .resembling {
            if evidence.name.isMatch, let number = sharedNumber(i, j) {
                countSharedNumber(number, i, j, into: &evidence, pickers: namePickers, cache: &cache)
            }
        }
    }

    /// Whether two similar handles differ just where the names within a typo differ: `chiaramontgrini` and
    /// `chiaramontgiani` for Chiara Montgrini and Chiara Montgiani, each handle spelling a word of its own account's
    /// name that the other's lacks, and not the other's word. (A person's typo in a name field leaves the handles
    /// alike: `veronika88` and `veronika.zharbeskaia02` for Veronika and Veroinka.)
    private func handlesFollowNames(
        _ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ j: Int,
        _ evidence: PairEvidence
    ) -> Bool {
        func ids(_ slot: AccountTable.NameSlot) -> [Int32] {
            [slot.given, slot.given1] + (0..<slot.familyCount).map(slot.family)
        }
        let idsA = ids(table.name(i, evidence.nameSlotA)).filter { $0 >= 0 }
        let idsB = ids(table.name(j, evidence.nameSlotB)).filter { $0 >= 0 }
        let spellings = table.words.spellings
        for x in idsA where !idsB.contains(x) {
            // One word written two ways (`Müller` and `Mueller`) is no difference.
            for y in idsB where !idsA.contains(y) && !spellings[Int(x)].contains(where: spellings[Int(y)].contains) {
                for wordA in spellings[Int(x)] where wordA.count >= 3 && contains(a, wordA) && !contains(b, wordA) {
                    for wordB in spellings[Int(y)]
                    where wordB.count >= 3 && contains(b, wordB) && !contains(a, wordB) {
                        return true
                    }
                }
            }
        }
        return false
    }

    /// The key a handle's worked-out figures are remembered by (its surprise, how many could spell it): Swift's
    /// `Hasher`, seeded anew by each process, so that no handle can be made to collide with another's key and be
    /// given its figures (an FNV-1a key could: FNV-1a steps can be undone, and a handle hashing like a victim's is
    /// found in about 2^32 steps). Two handles sharing a key by chance (about one in 2^64 a pair) is the only way the
    /// memo can answer for the wrong handle.
    static func memoKey(_ handle: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(handle))
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }

    /// The slots (of `i`, of `j`) when one account's username marks it the alt of the other's handle
    /// (``AccountTable/altBase(_:)``: `fresh_cat_alt` and `fresh_cat`) and no third account has that handle but the
    /// other's own (its mailbox with a tag); `nil` otherwise. People name an alternate account after their main one;
    /// a stranger would not name theirs after somebody else's. When several people's accounts have the handle, whose
    /// alt it is is not said. On the labelled sets at
    /// 100,000, usernames ending `_alt` whose handle one other account had were the same person's 436 times in 438
    /// on the fifth (seed 1), 99 in 101 on the first.
    func altOf(
        _ i: Int, _ j: Int, text: UnsafeBufferPointer<UInt8>
    ) -> (AccountTable.HandleSlot, AccountTable.HandleSlot)? {
        for (alt, other) in [(i, j), (j, i)] {
            guard let base = table.altBase(alt) else { continue }
            let handle = UnsafeBufferPointer(rebasing: text[base])
            let hash = FNV1a.hash(handle)
            func holds(_ account: Int, _ slot: AccountTable.HandleSlot) -> Bool {
                table.hasHandle(account, slot, handle, hash: hash)
            }
            guard let slot = AccountTable.HandleSlot.allCases.first(where: { holds(other, $0) }) else { continue }
            for index in blockRange(AccountTable.handleKey(handle)) {
                let member = Int(entries[index].account)
                if member == i || member == j { continue }
                if AccountTable.HandleSlot.allCases.contains(where: { holds(member, $0) }),
                    // A third account whose mailbox is the other's, a tag aside (`abhasin007+accounts@yahoo.com`
                    // beside `abhasin007@yahoo.com`), holds the handle as that person, whatever the provider does with
                    // tags. (One that is the alt's own says the alt is its alt, not the other's.)
                    !sameMailboxApartFromTag(member, other)
                {
                    return nil
                }
            }
            return alt == i ? (.username, slot) : (slot, .username)
        }
        return nil
    }

    /// Whether `x` and `y` have one mailbox once a `+` tag is taken off either local part (`name+news@aol.com` and
    /// `name@aol.com`), also at a provider that does not document plus-addressing. Reads the raw addresses: for the
    /// rare pair that needs it.
    func sameMailboxApartFromTag(_ x: Int, _ y: Int) -> Bool {
        func untagged(_ account: Int) -> String? {
            guard let email = table.raw(account, .email), let mailbox: String = Mailbox.normalize(email),
                let at = mailbox.lastIndex(of: "@")
            else { return nil }
            let local: Substring = mailbox[..<at]
            var kept = local
            if let plus = local.firstIndex(of: "+"), plus != local.startIndex { kept = local[..<plus] }
            return String(kept) + String(mailbox[at...])
        }
        guard let first = untagged(x), let second = untagged(y) else { return false }
        return first == second
    }

    /// How many letters two handles (`a` of account `i`, `b` of `j`) share when one is its account's screen name, of
    /// Twitter's full 15 characters, cut short to make room for a number (``Handle/cutForNumber(_:_:)``:
    /// `jessesanderso_8` for `jessesanderson5`), with the other handle's letters up to its number (`jessesanderson`,
    /// what was cut); `nil` otherwise.
    private func keptBeforeNumber(
        _ a: UnsafeBufferPointer<UInt8>, _ i: Int, _ slotA: AccountTable.HandleSlot,
        _ b: UnsafeBufferPointer<UInt8>, _ j: Int, _ slotB: AccountTable.HandleSlot
    ) -> (kept: Int, whole: UnsafeBufferPointer<UInt8>)? {
        for (cut, account, slot, other) in [(a, i, slotA, b), (b, j, slotB, a)] {
            guard let kept = Handle.cutForNumber(cut, other),
                table.sameHandle(account, .screenName, account, slot),
                table.rawLength(account, .twitterScreenName) == Handle.screenNameLimit,
                // Another handle beginning so (`anthonywilliams` beside `anthonywildyogi` for `anthony_wil9987`)
                // could be what was cut.
                noOtherHandleBegins(with: UnsafeBufferPointer(rebasing: cut[..<kept]), besides: i, j)
            else { continue }
            let end = other[kept...].firstIndex(where: Handle.isDigit) ?? other.count
            return (kept, UnsafeBufferPointer(rebasing: other[..<end]))
        }
        return nil
    }

    /// Whether the shorter of two handles (`a` of account `i`, `b` of `j`) is its account's screen name, of Twitter's
    /// full 15 characters, and the other handle begins with it: `bitterwriter_ur` for `bitterwriter_urbangeek`. (The
    /// username Registration made from that screen name is the same handle.)
    private func isCutAtTwitterLimit(
        _ a: UnsafeBufferPointer<UInt8>, _ i: Int, _ slotA: AccountTable.HandleSlot,
        _ b: UnsafeBufferPointer<UInt8>, _ j: Int, _ slotB: AccountTable.HandleSlot
    ) -> Bool {
        let (cut, account, slot, whole) = a.count < b.count ? (a, i, slotA, b) : (b, j, slotB, a)
        guard cut.count >= AccountTable.handlePrefixLength, cut.count < whole.count, whole.starts(with: cut),
            table.sameHandle(account, .screenName, account, slot),
            table.rawLength(account, .twitterScreenName) == Handle.screenNameLimit
        else { return false }
        // Another account with a handle that begins the same way (`margaretelectricviolin` beside
        // `margaretelectricpiano`) could be what was cut: then the cut is only a resemblance.
        return noOtherHandleBegins(with: cut, besides: i, j)
    }

    /// Whether no account but `i` and `j` has a handle beginning with `cut` (10 characters or more), which could be
    /// what a screen name was cut from.
    private func noOtherHandleBegins(with cut: UnsafeBufferPointer<UInt8>, besides i: Int, _ j: Int) -> Bool {
        let others = blockRange(AccountTable.handlePrefixKey(cut[..<AccountTable.handlePrefixLength]))
        return table.handleText.withUnsafeBufferPointer { text in
            for index in others {
                let member = Int(entries[index].account)
                if member == i || member == j { continue }
                for other in AccountTable.HandleSlot.allCases
                where text[table.handleRange(member, other)].starts(with: cut) {
                    return false
                }
            }
            return true
        }
    }

    /// Whether one of the names compared has a family name written as an initial (`Pooja S.`), not only a given
    /// name (`R. Venkataraman`).
    private func familyIsInitial(_ i: Int, _ j: Int, _ evidence: PairEvidence) -> Bool {
        for slot in [table.name(i, evidence.nameSlotA), table.name(j, evidence.nameSlotB)] where slot.familyCount > 0 {
            if (0..<slot.familyCount).allSatisfy({ table.words.scalars[Int(slot.family($0))].count == 1 }) {
                return true
            }
        }
        return false
    }

    /// Counts `number`, which the handles of `i` and `j` share (``sharedNumber(_:_:)``), as resembling handles when
    /// the names match and few of their other carriers would write it. `pickers`: ``otherPickers(_:_:_:cache:)`` when
    /// known.
    private func countSharedNumber(
        _ number: SharedNumber, _ i: Int, _ j: Int, into evidence: inout PairEvidence, pickers: Double?,
        cache: inout TypoCache
    ) {
        guard evidence.name.isMatch else { return }
        // Two people's years meet more often than one in fifty: birth years crowd into a few decades.
        let bits = number.bits <= Handle.yearBits ? number.bits - PairScorer.sharedYearDiscount : number.bits
        let others = pickers ?? otherPickers(i, j, evidence, cache: &cache)
        guard others * exp2(-bits) <= exp2(-PairScorer.surpriseMargin) else { return }
        evidence.handle = .resembling
        evidence.sharesNumber = true
        evidence.handleSlotA = number.a
        evidence.handleSlotB = number.b
    }

    /// The most surprising number a handle of `i` and a handle of `j` share, with their slots.
    ///
    /// A shared number (`storm940` and `s_adeyemi940` for Stephen and Steve Adeyemi) counts as resembling handles
    /// when the names match and fewer than `2^-margin` of their other carriers are expected to write the same number
    /// in a handle: each carrier counted as picking one number, as likely as the number's surprise says
    /// (``AccountMatching/Handle/digitSurprise(_:)``: a year or `123` is common, `940` is not).
    private func sharedNumber(_ i: Int, _ j: Int) -> SharedNumber? {
        var best: SharedNumber?
        table.handleText.withUnsafeBufferPointer { text in
            for slotA in AccountTable.HandleSlot.allCases where table.handleHash(i, slotA) != 0 {
                let a = UnsafeBufferPointer(rebasing: text[table.handleRange(i, slotA)])
                for slotB in AccountTable.HandleSlot.allCases where table.handleHash(j, slotB) != 0 {
                    let b = UnsafeBufferPointer(rebasing: text[table.handleRange(j, slotB)])
                    if let bits = Handle.sharedNumberBits(a, b), bits > (best?.bits ?? 0) {
                        best = (bits, slotA, slotB)
                    }
                }
            }
        }
        return best
    }

    /// Whether every word of both accounts' names is in ASCII letters once folded, so that the names can spell (and
    /// so explain) a handle's letters; a name in another script (`山田 太郎`) cannot.
    private func namesCanSpellHandles(_ i: Int, _ j: Int) -> Bool {
        let words = table.words
        func spells(_ id: Int32) -> Bool {
            id < 0 || !words.scalars[Int(id)].contains(where: { $0 >= 0x80 })
        }
        for account in 0..<2 {
            for kind in AccountTable.NameSlotKind.allCases {
                let slot = table.name(account == 0 ? i : j, kind)
                if slot.isEmpty { continue }
                if !(spells(slot.given) && spells(slot.given1) && spells(slot.family0) && spells(slot.family1)
                    && spells(slot.family2))
                {
                    return false
                }
            }
        }
        return true
    }

    /// How many other accounts could have picked a handle made from these accounts' names: the other carriers of
    /// the matching name as far as the two agree on it (its name blocks, less these two and accounts sharing their
    /// mailbox, or `g × f / population` by chance, whichever is more: see `otherCarriers`); for a given name alone,
    /// its carriers; with no names to go by, every account of the store.
    /// (When the names agree on little, `compareHandles` asks what the handle spells: see `spellingPickers`.)
    func otherPickers(_ i: Int, _ j: Int, _ evidence: PairEvidence, cache: inout TypoCache) -> Double {
        switch evidence.name {
        case .exact, .nickname, .swapped, .typo, .initial:
            // Only the family words the names agree on: Andy Marie Elilmalu and Andrew Elilmalu agree on Elilmalu,
            // and the other Andy Maries of the store could not have made `andrewelilmalu8`.
            let (familiesA, familiesB) = agreeingFamilies(
                table.name(i, evidence.nameSlotA), table.name(j, evidence.nameSlotB), cache: &cache)
            return max(
                otherCarriers(i, evidence.nameSlotA, families: familiesA, pair: (i, j), cache: &cache),
                otherCarriers(j, evidence.nameSlotB, families: familiesB, pair: (i, j), cache: &cache))
        case .givenOnly:
            let a = table.name(i, evidence.nameSlotA)
            let b = table.name(j, evidence.nameSlotB)
            return Double(max(table.givenCount(of: a.given), table.givenCount(of: b.given)))
        case .unknown, .conflict:
            return Double(table.count)
        }
    }

    /// How many other people could have made `handle` from a full name of `i` or `j` it spells, or `nil` when it
    /// spells none. One name word alone (`burns74`, `william84`): every carrier of that word. Whole given and
    /// family names (`williamburns1974` for William Burns): the other carriers of that name. An initial and a family
    /// name (`wburns74`): the carriers of the family name with that initial, about one in ``initialShare``; a given
    /// name and an initial (`williamb`) likewise. When the two accounts share a given name (`sharedGiven`: the name
    /// slots whose given names agree) and the handle spells the family name of a name with that given name, with or without
    /// the initial (`sfrank92` for Steph Frank and a Steph), another picker would have to carry that whole name:
    /// its carriers count when fewer. When several names fit, the most carried counts. Used when the names
    /// themselves agree on little (one account has none, or only a given name).
    private func spellingPickers(
        _ handle: UnsafeBufferPointer<UInt8>, _ i: Int, _ j: Int,
        sharedGiven: (AccountTable.NameSlotKind, AccountTable.NameSlotKind)?, cache: inout TypoCache
    ) -> Double? {
        var pickers: Double?
        // Worked out for the first name that spells part of the handle (most spell none).
        var particleMemo: [[UInt8]]?
        func particles() -> [[UInt8]] {
            if let particleMemo { return particleMemo }
            let words = particleWords(for: handle)
            particleMemo = words
            return words
        }
        func fits(_ explaining: [[UInt8]], initials: ByteSet) -> Bool {
            Handle.unexplained(handle, words: explaining, initials: initials, knownNames: KnownNameWords.none).letters
                == 0
        }
        for account in [i, j] {
            for kind in AccountTable.NameSlotKind.allCases {
                let slot = table.name(account, kind)
                guard !slot.isEmpty, slot.familyCount > 0 else { continue }
                // Cheap checks first: most handles spell neither name word.
                var spellsFamily = false
                var familyInitials = ByteSet()
                for index in 0..<slot.familyCount {
                    for family in table.words.spellings[Int(slot.family(index))] {
                        if let first = family.first { familyInitials.insert(first) }
                        if contains(handle, family) || endsWithStart(handle, of: family) { spellsFamily = true }
                    }
                }
                let givenWords = table.words.variants[Int(slot.given)]
                let spellsGiven = givenWords.contains { contains(handle, $0) }
                guard spellsFamily || spellsGiven else { continue }
                var familyWords: [[UInt8]] = []
                // Particles dropped from the family name (`del`, `st`) are part of handles made from it.
                familyWords.reserveCapacity(slot.familyCount + particles().count)
                for index in 0..<slot.familyCount {
                    familyWords.append(contentsOf: table.words.spellings[Int(slot.family(index))])
                }
                familyWords.append(contentsOf: particles())
                var familyCarriers = 0
                for index in 0..<slot.familyCount {
                    familyCarriers = max(familyCarriers, table.familyCount(of: slot.family(index)))
                }
                let givenCarriers = table.givenCount(of: slot.given)
                var estimate: Double?
                // A handle spelling a family name (`frank92`, `sfrank92`) of two accounts sharing a given name
                // (Steph Frank and a Steph with no family name) could be another's only if that other Steph were
                // also a Frank: the carriers of the whole name, when fewer.
                func wholeName() -> Double {
                    guard let (slotA, slotB) = sharedGiven,
                        slot.given == table.name(i, slotA).given || slot.given == table.name(j, slotB).given
                    else { return .infinity }
                    return otherCarriers(account, kind, pair: (i, j), cache: &cache)
                }
                if spellsFamily && fits(familyWords, initials: ByteSet()) {
                    // `vorquist84`, `albright` (for Al Albright): any carrier of the family name.
                    estimate = min(Double(familyCarriers), wholeName())
                } else if spellsGiven && fits(givenWords + particles(), initials: ByteSet()) {
                    // `wanda84`: any Wanda.
                    estimate = Double(givenCarriers)
                } else if spellsFamily && spellsGiven && fits(givenWords + familyWords, initials: ByteSet()) {
                    estimate = otherCarriers(account, kind, pair: (i, j), cache: &cache)
                } else if spellsFamily, let initial = table.words.utf8[Int(slot.given)].first,
                    fits(familyWords, initials: ByteSet([initial]))
                {
                    estimate = min(Double(familyCarriers) * PairScorer.initialShare, wholeName())
                } else if spellsGiven, fits(givenWords + particles(), initials: familyInitials) {
                    estimate = Double(givenCarriers) * PairScorer.initialShare
                }
                if let estimate {
                    pickers = max(pickers ?? 0, estimate)
                }
            }
        }
        return pickers
    }

    /// What a year (or a number as common, such as `123`) shared by two handles counts for less than the same year in
    /// one handle, in bits (measured on the independent generator at 100,000 accounts: 0 gave precision 0.982 and
    /// recall 0.680, 1 gave 0.986 and 0.657, 2 gave 0.986 and 0.652, and no shared years at all 0.988 and 0.638).
    static let sharedYearDiscount = 1.0

    /// The share of names with a given initial: about one in ten (J, M and S are more common, X and Q rarer).
    static let initialShare = 0.1

    /// Whether `i` and `j` agree on nothing but the very same given name (not a nickname of it) and `handle` does not
    /// spell it: then a stranger with the handle's letters is unlikely to carry that name as well. When the handle
    /// spells it or one of its nicknames (`nehaqureshi` for two Nehas), or begins or ends with its initial
    /// (`kschwarz`, `hendricks_j` for two Katharinas, two Joyces; so also `tinyunicorn` for two Nathans), the letters'
    /// other carriers carry the name already, or may.
    private func sharesUnspelledGiven(
        _ handle: UnsafeBufferPointer<UInt8>, _ i: Int, _ j: Int, _ evidence: PairEvidence
    ) -> Bool {
        guard evidence.name == .givenOnly else { return false }
        let given = table.name(i, evidence.nameSlotA).given
        guard given >= 0, given == table.name(j, evidence.nameSlotB).given else { return false }
        func isLetter(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
        let initial = table.words.utf8[Int(given)].first
        if initial == handle.first(where: isLetter) || initial == handle.last(where: isLetter) { return false }
        return !table.words.variants[Int(given)].contains { contains(handle, $0) }
    }

    private func contains(_ handle: UnsafeBufferPointer<UInt8>, _ word: [UInt8]) -> Bool {
        handleContains(handle, word)
    }

    /// Whether `handle` ends with the first four letters or more of `word` (a screen name cut at 15 characters).
    private func endsWithStart(_ handle: UnsafeBufferPointer<UInt8>, of word: [UInt8]) -> Bool {
        handleEndsWithStart(handle, of: word, atLeast: 4)
    }

    /// Which family words of `a` and of `b` (bits by index) agree with one of the other's, as `familyAgreement`
    /// has them agree (the same word, or a typo that is not one word extending the other); all of them when none
    /// does (names agreeing through initials, or swapped).
    private func agreeingFamilies(
        _ a: AccountTable.NameSlot, _ b: AccountTable.NameSlot, cache: inout TypoCache
    ) -> (UInt8, UInt8) {
        var maskA: UInt8 = 0
        var maskB: UInt8 = 0
        for x in 0..<a.familyCount {
            for y in 0..<b.familyCount where agree(a.family(x), b.family(y), cache: &cache) {
                maskA |= 1 << UInt8(x)
                maskB |= 1 << UInt8(y)
            }
        }
        return (maskA == 0 ? 0b111 : maskA, maskB == 0 ? 0b111 : maskB)
    }

    /// Whether two family words agree: the same word, or one with a typo (not one extending the other).
    private func agree(_ a: Int32, _ b: Int32, cache: inout TypoCache) -> Bool {
        if a == b { return true }
        guard isTypo(a, b, cache: &cache) else { return false }
        let words = table.words
        return !PersonName.isExtension(
            String(decoding: words.utf8[Int(a)], as: UTF8.self), String(decoding: words.utf8[Int(b)], as: UTF8.self))
    }

    private func otherCarriers(
        _ account: Int, _ kind: AccountTable.NameSlotKind, families: UInt8 = 0b111, pair: (Int, Int),
        cache: inout TypoCache
    ) -> Double {
        let whole = table.name(account, kind)
        guard !whole.isEmpty, whole.familyCount > 0 else { return Double(table.count) }
        // The name as far as it counts: its given name and the family words asked for (`families` always holds
        // one of its words).
        var name = AccountTable.NameSlot()
        name.given = whole.given
        for index in 0..<whole.familyCount where families & (1 << UInt8(index)) != 0 {
            switch name.familyCount {
            case 0: name.family0 = whole.family(index)
            case 1: name.family1 = whole.family(index)
            default: name.family2 = whole.family(index)
            }
        }
        // Remembered by the words themselves: a hash of them picks the entry, and the entry counts only for the same
        // words. (Until session 60 the key was the hash alone, a polynomial in the word ids in which a given name
        // with id 0, the first account's, dropped out: `John` + `Paul Smith` shared the entry of `Paul` + `Smith`,
        // and the count a worker met first stood for both, so the same store could give other links from one run
        // to the next, and `--explain` other figures than the report.)
        let words = SIMD4(name.given, name.family0, name.family1, name.family2)
        var key = UInt64(UInt32(bitPattern: words[0]))
        for index in 1..<4 { key = key &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(UInt32(bitPattern: words[index])) }
        let carriers: NameCarriers
        if let known = cache.carriers[key], known.name == words {
            carriers = known
        } else {
            // The blocks of the name as cut down, so that what is remembered depends on the words alone (a third
            // family word that agrees gets the block its name has without the other two).
            carriers = NameCarriers(
                name: words, blocks: table.nameKeys(of: name).map { blockRange($0) }, floor: expectedCarriers(name))
            cache.carriers[key] = carriers
        }
        // Which members are the pair's own other accounts depends on the pair: counted per pair.
        var others = carriers.floor
        for block in carriers.blocks { others = max(others, otherPeople(in: block, besides: pair)) }
        return others
    }

    /// `g × f / population`: accounts expected to carry this given and family name by chance, where `population` is
    /// how many people the name's words are drawn from (``AccountTable/population(given:family:)``: the whole store
    /// for John Smith, the store's Japanese for Kenji Fujita). Each account carrying a word counts, the pair's own
    /// too: a name carried by the pair alone may still be two namesakes' (measured on the independent generator,
    /// counting the pair once cost more precision than it gained recall).
    func expectedCarriers(_ name: AccountTable.NameSlot) -> Double {
        let givenCarriers = Double(table.givenCount(of: name.given))
        var expected = 0.0
        for index in 0..<name.familyCount {
            let family = name.family(index)
            let familyCarriers = Double(table.familyCount(of: family))
            // A world holds at least every carrier of either word (the pools count accounts, and one person's
            // several accounts could make a world look smaller than that).
            let population = max(
                table.population(given: name.given, family: family), givenCarriers, familyCarriers)
            expected = max(expected, givenCarriers * familyCarriers / population)
        }
        return expected
    }

    /// The carriers of a name block other than the pair and their evident other accounts: a member sharing a mailbox
    /// with either is the same person again (three accounts of one person must not make each other's name look
    /// common). A shared handle does not count here: others with the name make the same handles. A large block is
    /// counted whole, less the pair.
    private func otherPeople(in range: Range<Int>, besides pair: (Int, Int)) -> Double {
        if range.count > PairScorer.carriersCountedOneByOne { return Double(range.count - 2) }
        var others = 0
        for index in range {
            let member = Int(entries[index].account)
            if member == pair.0 || member == pair.1 { continue }
            if sharesMailbox(member, pair.0) || sharesMailbox(member, pair.1) { continue }
            others += 1
        }
        return Double(others)
    }

    /// Name blocks up to this size are counted member by member (see ``otherPeople(in:besides:)``).
    static let carriersCountedOneByOne = 32

    /// Whether `a` and `b` have the same normalised mailbox.
    func sharesMailbox(_ a: Int, _ b: Int) -> Bool {
        table.sameMailbox(a, b)
    }

    /// The entries carrying `key` (binary search in the sorted entries).
    func blockRange(_ key: UInt64) -> Range<Int> {
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
        return bound(false)..<bound(true)
    }
}

/// Measures what a handle holds beyond two accounts' names, nicknames, initials and names anyone might use.
struct HandleExplainer {
    private var words: [[UInt8]] = []
    /// The given names' spellings (`endings` true) and the family names', whose fragments explain handles too: their
    /// beginnings (three letters or more) and the given names' endings (four or more). People shorten names from
    /// either end (`tunde` for Babatunde, `enzo` for Vincenzo, `mila` for Camila, `johnsmi` cut short), so these
    /// letters are the name's, not the handle's own. Worked out only for a handle the whole words leave letters of;
    /// a fragment explains its letters anywhere in the handle (`car` of Carter in `cartercarpool` too: a trade made
    /// for `tunde` and `enzo`).
    private var fragmentSources: [(word: [UInt8], endings: Bool)] = []
    /// The two accounts' given names.
    private var givens: [Int32] = []
    private var initials = ByteSet()
    /// Whether every name word is written in ASCII letters once folded; a name in another script (`山田 太郎`) cannot
    /// explain a romanised handle, so its letters prove nothing.
    private var namesExplainable = true
    /// Given and family names anyone might use in a handle (``KnownNameWords``): `danielle` or `johnson` alone
    /// says nothing about who picked it.
    private let knownNames: KnownNameWords
    /// How common handles' first and last four letters are (``AccountTable/AffixCounts``).
    private let affixes: AccountTable.AffixCounts
    /// The first letters of family names written as an initial (`N` of `Rohit N.`), and how common each family name
    /// is (``AccountTable/FamilyWordCounts``).
    private var familyInitials: [UInt8] = []
    /// The family names' spellings, for ``givenFrontBits(_:words:)``.
    private var familySpellings: [[UInt8]] = []
    private let familyWords: AccountTable.FamilyWordCounts

    /// The words of the names of the pair last set (``reset(table:accounts:)``), kept so that the next pair reuses
    /// their storage.
    private var familySeen: [Int32] = []
    private var frontSeen: [Int32] = []
    private var secondSeen: [Int32] = []

    init(table: borrowing AccountTable, accounts: (Int, Int)) {
        knownNames = table.knownNames
        affixes = table.affixCounts
        familyWords = table.familyWords
        reset(table: table, accounts: accounts)
    }

    /// Explains handles for another pair of the same table, keeping the storage of the last pair's words: a comparing
    /// worker sets one explainer for every pair whose handle surprise it has not worked out yet (making a new one each
    /// time was a fifth of `compareHandles`' samples).
    mutating func reset(table: borrowing AccountTable, accounts: (Int, Int)) {
        words.removeAll(keepingCapacity: true)
        fragmentSources.removeAll(keepingCapacity: true)
        givens.removeAll(keepingCapacity: true)
        initials = ByteSet()
        namesExplainable = true
        familyInitials.removeAll(keepingCapacity: true)
        familySpellings.removeAll(keepingCapacity: true)
        familySeen.removeAll(keepingCapacity: true)
        frontSeen.removeAll(keepingCapacity: true)
        secondSeen.removeAll(keepingCapacity: true)
        // Each word once: the two accounts' names are often the same words.
        for account in [accounts.0, accounts.1] {
            for kind in AccountTable.NameSlotKind.allCases {
                let slot = table.name(account, kind)
                if slot.isEmpty { continue }
                if !givens.contains(slot.given) {
                    givens.append(slot.given)
                    words.append(contentsOf: table.words.variants[Int(slot.given)])
                    for spelling in table.words.spellings[Int(slot.given)] {
                        if spelling.count > 3 && spelling.count <= Handle.longestCompared {
                            fragmentSources.append((spelling, true))
                        }
                        // The initials of a hyphenated name's parts (`jp` for Jean-Pierre).
                        if let first = spelling.first, first < 0x80 { initials.insert(first) }
                    }
                }
                // The second word of a first name (`Luiza` of `Ana Luiza`) is the person's as much as the first.
                if slot.given1 >= 0, !secondSeen.contains(slot.given1) {
                    secondSeen.append(slot.given1)
                    words.append(contentsOf: table.words.variants[Int(slot.given1)])
                    for spelling in table.words.spellings[Int(slot.given1)]
                    where spelling.count > 3 && spelling.count <= Handle.longestCompared {
                        fragmentSources.append((spelling, true))
                    }
                    let scalars = table.words.scalars[Int(slot.given1)]
                    if !scalars.allSatisfy({ $0 < 0x80 }) { namesExplainable = false }
                    if let first = scalars.first, first < 0x80 { initials.insert(UInt8(first)) }
                }
                // The store counts what stands in front of the first two family words only: a word that is one of
                // them in either name counts, whichever name comes first (the comparer remembers a surprise under a
                // signature the order of the two does not change).
                for index in 0..<min(slot.familyCount, 2) where !frontSeen.contains(slot.family(index)) {
                    frontSeen.append(slot.family(index))
                    familySpellings.append(contentsOf: table.words.spellings[Int(slot.family(index))])
                }
                for index in 0..<slot.familyCount where !familySeen.contains(slot.family(index)) {
                    familySeen.append(slot.family(index))
                    words.append(contentsOf: table.words.spellings[Int(slot.family(index))])
                    for spelling in table.words.spellings[Int(slot.family(index))]
                    where spelling.count > 3 && spelling.count <= Handle.longestCompared {
                        fragmentSources.append((spelling, false))
                    }
                }
                for index in -1..<slot.familyCount {
                    let scalars = table.words.scalars[Int(index < 0 ? slot.given : slot.family(index))]
                    if !scalars.allSatisfy({ $0 < 0x80 }) { namesExplainable = false }
                    if let first = scalars.first, first < 0x80 { initials.insert(UInt8(first)) }
                    if index >= 0, scalars.count == 1, let first = scalars.first,
                        first >= UInt32(UInt8(ascii: "a")), first <= UInt32(UInt8(ascii: "z")),
                        !familyInitials.contains(UInt8(first))
                    {
                        familyInitials.append(UInt8(first))
                    }
                }
            }
        }
    }

    /// The words that explain a handle the whole name words leave letters of: those words, the particles, and the
    /// names' beginnings and endings (see ``fragmentSources``), only the ones the handle holds.
    private func wordsWithFragments(for handle: UnsafeBufferPointer<UInt8>) -> [[UInt8]] {
        var extended = words + particleWords(for: handle)
        for (word, endings) in fragmentSources {
            for length in 3..<word.count {
                let start = word[..<length]
                if handleContains(handle, start) { extended.append(Array(start)) }
                if endings && length >= 4 {
                    let end = word[(word.count - length)...]
                    if handleContains(handle, end) { extended.append(Array(end)) }
                }
            }
        }
        return extended
    }

    /// ``AccountMatching/Handle/surprise(_:by:nicknames:)`` for these accounts' names, and more than it knows: the
    /// names' beginnings and endings (``fragmentSources``), and how common a word is among the store's handles
    /// (``AccountTable/AffixCounts``).
    func surprise(_ handle: UnsafeBufferPointer<UInt8>) -> Double {
        var remainder = Handle.unexplained(handle, words: words, initials: initials, knownNames: knownNames)
        var extended = words
        if remainder.letters > 0 && !words.isEmpty {
            // Particles dropped from family names (`del`, `de la`, `st`, `the`) and names shortened are part of
            // handles made from them; tried only when the names leave letters over (most handles they explain
            // whole, or not at all).
            extended = wordsWithFragments(for: handle)
            remainder = Handle.unexplained(handle, words: extended, initials: initials, knownNames: knownNames)
        }
        var letterBits = min(Handle.maximumLetterBits, Double(remainder.letters) * Handle.letterBits)
        if remainder.letters >= 2, let front = frontWordBits(handle, words: extended) {
            // A word in front of a handle the names explain (`real` of `realstevenscot`): as rare as handles
            // beginning with it.
            letterBits = min(letterBits, front)
        }
        if remainder.letters > 0, let front = givenFrontBits(handle, words: extended) {
            // What many carriers of the given name write in front of their family name (`deepak` for Deepu).
            letterBits = min(letterBits, front)
        }
        if remainder.letters >= 3 && !familyInitials.isEmpty {
            letterBits = min(letterBits, spelledOutInitialBits(handle, words: extended))
        }
        if remainder.letters >= 3, let common = affixes.wordBits(handle, after: words, givens: givens) {
            // A name and a word (`stephencowboy`): the word is as rare as handles ending like it.
            letterBits = min(letterBits, common)
        }
        return (namesExplainable ? letterBits : 0) + Handle.digitSurprise(handle)
    }
}

extension HandleExplainer {
    /// When letters the names do not explain stand in front of a family name in `handle` (`deepak` in `deepakshah`
    /// for Deepu Shah), the bits of those letters as the store counts them: the share of a given name's carriers
    /// whose handles have the very same letters in front of their own family name (when many Deepus write `deepak…`,
    /// it is the name they go by, which the nickname table does not know), plus the letters after it the names leave
    /// unexplained. `nil` when no family name stands so, or too few of the carriers write it.
    fileprivate func givenFrontBits(_ handle: UnsafeBufferPointer<UInt8>, words: [[UInt8]]) -> Double? {
        var best: Double?
        for family in familySpellings {
            guard let (start, front) = AccountTable.familyFront(handle, family) else { continue }
            var fewest: Double?
            for given in givens {
                let others = affixes.fronting(front, among: given) - 2
                guard others >= AccountTable.wordMinimumOthers else { continue }
                let carriers = max(Double(affixes.givenCarriers[Int(given)]), Double(others))
                fewest = min(fewest ?? .infinity, log2(carriers / Double(others)))
            }
            guard let fewest else { continue }
            let rest = Handle.unexplained(
                UnsafeBufferPointer(rebasing: handle[start...]), words: words, initials: initials,
                knownNames: knownNames)
            let bits = fewest + min(Handle.maximumLetterBits, Double(rest.letters) * Handle.letterBits)
            best = min(best ?? .infinity, bits)
        }
        return best
    }

    /// When `handle` is a word people put in front of a handle (``AccountMatching/Handle/frontWords``: `real`,
    /// `its`, `the`, `iam`, …) and then what the names explain whole (`real` and `stevenscot`, `its` and `piotr`, cut
    /// or not), the bits of that word: how few of the store's handles begin with it. `nil` when the handle is not
    /// such, or too few other handles begin that way to judge. Only those words: handles beginning `mar` or `jo` are
    /// mostly Marias and Johns, which says nothing of a word in front.
    private static let frontWordsLongestFirst = Handle.frontWords.sorted { $0.count > $1.count }

    fileprivate func frontWordBits(_ handle: UnsafeBufferPointer<UInt8>, words: [[UInt8]]) -> Double? {
        func isLetter(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
        guard let first = handle.firstIndex(where: isLetter),
            !handle[..<first].contains(where: { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        let letters = UnsafeBufferPointer(rebasing: handle[first...])
        // The longest first (`its`, not `it`, in front of `annasmith`).
        for word in HandleExplainer.frontWordsLongestFirst where letters.starts(with: word) {
            let rest = UnsafeBufferPointer(rebasing: letters[word.count...])
            guard rest.lazy.filter(isLetter).count >= 3,
                Handle.unexplained(rest, words: words, initials: initials, knownNames: knownNames).letters == 0
            else { continue }
            let others = affixes.starting(with: word) - 2
            guard others >= Int(AccountTable.wordMinimumOthers) else { return nil }
            return log2(Double(max(affixes.handles, others)) / Double(others))
        }
        return nil
    }

    /// The bits of `handle`'s letters when it spells out a family name written as an initial (`naidu` in
    /// `rohitnaidu96` for Rohit N.), or ends with the beginning of one (`zielin` in `beatazielin`, what follows `real`
    /// in a screen name cut at 15 for Beata Z.): that family name is as surprising as it is rare among the store's
    /// family names with that letter, not three bits a letter; the letters left over count as before. `.infinity`
    /// when the handle spells out none.
    fileprivate func spelledOutInitialBits(_ handle: UnsafeBufferPointer<UInt8>, words: [[UInt8]]) -> Double {
        var best = Double.infinity
        for start in handle.indices where familyInitials.contains(handle[start]) {
            var hasher = FNV1a()
            var end = start
            while end < handle.count && end - start < 16 && handle[end] >= UInt8(ascii: "a")
                && handle[end] <= UInt8(ascii: "z")
            {
                hasher.combine(handle[end])
                end += 1
                guard end - start >= 3 else { continue }
                let hash = hasher.value == 0 ? 1 : hasher.value
                var carriers = familyWords.carriers(hash: hash)
                // Letters ending the handle may be where a screen name was cut (`realbeatazielin`): the family names
                // they begin.
                if carriers == 0, end == handle.count, end - start >= AccountTable.FamilyWordCounts.minimumPrefix {
                    carriers = familyWords.prefixCarriers(hash: hash)
                }
                guard carriers > 0 else { continue }
                let letter = Int(handle[start] - UInt8(ascii: "a"))
                let all = max(Double(familyWords.initialCarriers[letter]), Double(carriers))
                let rest = Handle.unexplained(
                    handle, words: words + [Array(handle[start..<end])], initials: initials, knownNames: knownNames)
                let bits =
                    min(Handle.maximumLetterBits, Double(rest.letters) * Handle.letterBits)
                    + log2(all / Double(carriers))
                best = min(best, bits)
            }
        }
        return best
    }
}

/// The particles of family names (``AccountMatching/PersonName/particleWords``) that can explain letters of `handle`:
/// those it holds, and those its last letters begin (two or more: a handle cut short). The others explain nothing in
/// it (`Handle.unexplained` gives the same answer without them), and each left out is an array not retained and
/// released for every handle a comparison explains.
func particleWords(for handle: UnsafeBufferPointer<UInt8>) -> [[UInt8]] {
    PersonName.particleWords.filter { particle in
        handleContains(handle, particle) || handleEndsWithStart(handle, of: particle, atLeast: 2)
    }
}

/// Whether `handle` ends with the first `minimum` letters or more of `word`, not all of them (a handle cut short).
private func handleEndsWithStart(_ handle: UnsafeBufferPointer<UInt8>, of word: [UInt8], atLeast minimum: Int) -> Bool {
    for length in stride(from: min(word.count - 1, handle.count), through: minimum, by: -1)
    where handle[(handle.count - length)...].elementsEqual(word[..<length]) {
        return true
    }
    return false
}

/// Whether `handle` holds `part` (two bytes or more) anywhere.
private func handleContains(_ handle: UnsafeBufferPointer<UInt8>, _ part: some Collection<UInt8>) -> Bool {
    let count = part.count
    guard count >= 2, count <= handle.count else { return false }
    for start in 0...(handle.count - count) where handle[start..<(start + count)].elementsEqual(part) {
        return true
    }
    return false
}
