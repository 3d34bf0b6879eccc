import AccountMatching
public import AccountModel
import Dispatch
public import Foundation
import Synchronization

/// Finds accounts that probably belong to one person: feed it every account, then ask for the report.
///
/// ```swift
/// var detector = DuplicateDetector()
/// try store.scanMatchableAccounts { batch in detector.add(contentsOf: batch) }
/// let report = detector.report(generatedAt: Date())
/// print(ReportRenderer.render(report, as: .json))
/// ```
///
/// Blocking keys (``DetectionSettings``) pick the pairs worth comparing; each pair gets a score in [0, 1] from what
/// it shares (mailbox, names, handles); pairs at or above the minimum score are linked, and linked accounts form
/// clusters (union-find, strongest links first, capped in size). A cluster's score is its weakest link.
public struct DuplicateDetector: Sendable {
    var table: AccountTable
    let settings: DetectionSettings

    /// A detector with `settings`.
    public init(settings: DetectionSettings = DetectionSettings()) {
        self.settings = settings
        table = AccountTable(nicknames: settings.nicknames)
    }

    /// How many accounts it holds.
    public var count: Int { table.count }

    /// Makes room for `accounts` accounts.
    public mutating func reserveCapacity(_ accounts: Int) {
        table.reserveCapacity(accounts)
    }

    /// Adds one account.
    public mutating func add(_ account: MatchableAccount) {
        table.append(account)
    }

    /// Adds accounts.
    public mutating func add(contentsOf accounts: some Sequence<MatchableAccount>) {
        table.append(PreparedAccounts(Array(accounts)))
    }

    /// Works out what `accounts` contribute apart from their names (mailboxes, handles) without touching a detector:
    /// a reader can prepare the next batch on its own thread while the detector adds the previous one.
    public static func prepare(_ accounts: [MatchableAccount]) -> PreparedAccounts {
        PreparedAccounts(accounts)
    }

    /// Works out what a batch read as bytes (`AccountStore.scanMatchableAccountBatches`) contributes apart from
    /// its names, as `prepare(_:)` does for values: the cheaper way to read a large store.
    public static func prepare(_ batch: MatchableAccountBatch) -> PreparedAccounts {
        PreparedAccounts(batch)
    }

    /// Prepares batches read one after another, as ``prepare(_:)-(MatchableAccountBatch)`` does, and parses the
    /// display names beyond ASCII that earlier batches did not have, which the detector would otherwise parse on the
    /// thread that adds the batches. For a reader that prepares batches on its own thread while the detector adds
    /// the previous ones (`accounts duplicates`): on a store whose names are mostly beyond ASCII, that thread is
    /// the one the reading waits for.
    package struct Preparer: Sendable {
        private var seenDisplayNames = TextCache<Bool>()

        package init() {}

        /// The batch, prepared.
        package mutating func prepare(_ batch: MatchableAccountBatch) -> PreparedAccounts {
            var prepared = PreparedAccounts(batch)
            prepared.parseDisplayNamesAhead(batch, seen: &seenDisplayNames)
            return prepared
        }
    }

    /// Adds accounts prepared by `prepare(_:)`.
    public mutating func add(_ prepared: PreparedAccounts) {
        table.append(prepared)
    }

    /// Runs the detection over every account added.
    /// - Parameters:
    ///   - generatedAt: the report's time.
    ///   - progress: called now and then with the phase and how far it got (``DetectionProgress``): once as blocking
    ///     begins, once per chunk of blocks compared, once as clustering begins. The comparing calls come from the
    ///     worker threads, several at once and not in order (chunk 5's `done` may arrive before chunk 4's): make it
    ///     thread-safe, and show a count only if it is higher than the last shown.
    ///
    /// Consuming: a detector handed over (`consume detector`, or its last use) is finished in place, its loading
    /// caches freed rather than kept beside a copy of its table, and its table (millions of allocations at a million
    /// accounts) is freed on another thread while the caller goes on with the report.
    public consuming func report(
        generatedAt: Date, progress: @Sendable (DetectionProgress) -> Void = { _ in }
    ) -> DuplicateReport {
        table.finishLoading()
        let report = detect(generatedAt: generatedAt, progress: progress)
        let finished = consume self
        DispatchQueue.global(qos: .utility).async { withExtendedLifetime(finished) {} }
        return report
    }

    /// The report of the finished table; `inspect`, when given, sees it with the sorted block entries before they go.
    func detect(
        generatedAt: Date, progress: @Sendable (DetectionProgress) -> Void,
        inspect: ((DuplicateReport, [BlockEntry]) -> Void)? = nil
    ) -> DuplicateReport {
        var statistics = DetectionStatistics()
        statistics.maximumBlockSize = settings.maximumBlockSize
        statistics.neighbourWindow = settings.neighbourWindow
        statistics.looseNeighbourWindow = settings.looseNeighbourWindow
        statistics.maximumClusterSize = settings.maximumClusterSize

        progress(DetectionProgress(phase: .blocking, done: 0, total: table.count))
        var table = self.table
        var entries = Self.blockEntries(of: table)
        radixSort(&entries)
        let blocks = Self.blocks(in: entries)
        statistics.blocks = blocks.count

        let shared = CompleteBlockKeys(blocks: blocks, entries: entries, accounts: table.count, settings: settings)
        // Counted on another core while the blocks were made (see `AccountTable.finishLoading()`).
        table.awaitHandleCounts()
        let (links, comparisons) = compare(
            blocks, entries: entries, table: table, sharedKeys: shared, progress: progress)
        statistics.comparisons = comparisons
        statistics.links = links.count

        var oversized = blocks.filter { $0.count > settings.maximumBlockSize }
        statistics.oversizedBlocks = oversized.count
        // The largest, those of one size in the order of their descriptions, each described by the member whose
        // username comes first: neither the blocks' order (name keys hash word ids) nor their members' (account
        // indexes) may decide, as both follow the order the accounts were added in.
        let listed = 5
        oversized.sort { $0.count > $1.count }
        let smallestListed = oversized.count > listed ? oversized[listed - 1].count : 0
        let candidates = oversized.prefix { $0.count >= smallestListed }.map { range in
            let key = entries[range.lowerBound].key
            let member = range.lazy.map { Int(entries[$0].account) }.min(by: table.usernamePrecedes) ?? 0
            let text = table.describedKeys(of: member).first { $0.key == key }?.text ?? "\(AccountTable.kind(of: key))"
            return OversizedBlock(description: text, size: range.count)
        }
        statistics.largestOversizedBlocks = Array(
            candidates.sorted { $0.size != $1.size ? $0.size > $1.size : $0.description < $1.description }
                .prefix(listed))

        progress(DetectionProgress(phase: .clustering, done: 0, total: links.count))
        let clustering = Clustering(table: table, settings: settings)
        let (clusters, capped) = clustering.clusters(from: links)
        statistics.cappedClusters = capped
        let report = DuplicateReport(
            generatedAt: generatedAt, accountsScanned: table.count, minimumScore: settings.minimumScore,
            clusters: clusters, statistics: statistics)
        inspect?(report, entries)
        return report
    }

    /// How many handle surprises a comparing worker remembers before it starts afresh (about 40 MB).
    static let rememberedSurprises = 1 << 21

    /// Every account's block keys, in account order, worked out on every core (a slice of the accounts each).
    private static func blockEntries(of table: AccountTable) -> [BlockEntry] {
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8, table.count / 10_000))
        let pieces = inParallel(parts, minimumSlice: 1) { part in
            let accounts = (table.count * part / parts)..<(table.count * (part + 1) / parts)
            var piece: [BlockEntry] = []
            piece.reserveCapacity(accounts.count * 6)
            var scratch: [UInt64] = []
            for account in accounts { table.appendKeys(of: account, to: &piece, scratch: &scratch) }
            return piece
        }
        var entries: [BlockEntry] = []
        entries.reserveCapacity(pieces.reduce(0) { $0 + $1.count })
        for piece in pieces { entries.append(contentsOf: piece) }
        return entries
    }

    /// Ranges of equal keys holding two accounts or more.
    private static func blocks(in entries: [BlockEntry]) -> [Range<Int>] {
        var blocks: [Range<Int>] = []
        var start = 0
        while start < entries.count {
            var end = start + 1
            while end < entries.count && entries[end].key == entries[start].key { end += 1 }
            if end - start >= 2 { blocks.append(start..<end) }
            start = end
        }
        return blocks
    }

    /// Scores the candidate pairs of every block, on every core, and returns the distinct links.
    private func compare(
        _ blocks: [Range<Int>], entries: [BlockEntry], table: AccountTable, sharedKeys: CompleteBlockKeys,
        progress: @Sendable (DetectionProgress) -> Void
    ) -> (links: [Link], comparisons: Int) {
        let settings = self.settings
        let scorer = PairScorer(table: table, minimumScore: settings.linkThreshold, entries: entries)
        // Split the blocks into chunks of similar cost; workers take the next chunk as they come free.
        let cost: (Range<Int>) -> Int = { range in
            if range.count <= settings.maximumBlockSize { return range.count * (range.count - 1) / 2 }
            return range.count * AccountTable.kind(of: entries[range.lowerBound].key).neighbourWindow(settings)
        }
        let totalCost = blocks.reduce(0) { $0 + cost($1) }
        let chunkCount = max(1, min(blocks.count, 128))
        var chunks: [Range<Int>] = []
        var chunkStart = 0
        var running = 0
        for (index, block) in blocks.enumerated() {
            running += cost(block)
            if running >= totalCost * (chunks.count + 1) / chunkCount || index == blocks.count - 1 {
                chunks.append(chunkStart..<(index + 1))
                chunkStart = index + 1
            }
        }
        let chunkList = chunks
        let results = ChunkResults(count: chunkList.count)
        let finished = Atomic<Int>(0)
        // Workers take the next chunk as they come free, so that none is left working alone at the end (the chunks'
        // costs are estimates).
        let nextChunk = Atomic<Int>(0)
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, chunkList.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            // One cache per worker, kept from chunk to chunk: the same names and handles recur all over the store.
            var cache = TypoCache()
            var order: [UInt32] = []
            var initials: [NameInitials] = []
            while true {
                let chunk = nextChunk.add(1, ordering: .relaxed).oldValue
                if chunk >= chunkList.count { break }
                var links: [Link] = []
                var comparisons = 0
                for block in blocks[chunkList[chunk]] {
                    comparisons += Self.compareBlock(
                        block, entries: entries, scorer: scorer, settings: settings,
                        sharedKeys: sharedKeys, order: &order, initials: &initials, cache: &cache
                    ) { link in links.append(link) }
                }
                // Handle surprises are per pair of names: on a store far larger than a million they would pile up.
                if cache.surprise.count > DuplicateDetector.rememberedSurprises {
                    cache.surprise.removeAll()
                }
                results.store(chunk, links: links, comparisons: comparisons)
                let done = finished.add(1, ordering: .relaxed).newValue
                progress(DetectionProgress(phase: .comparing, done: done, total: chunkList.count))
            }
        }
        var (links, comparisons) = results.collected()
        // A pair sharing several oversized blocks may have been scored in each: keep one link per pair.
        links.sort { $0.a != $1.a ? $0.a < $1.a : $0.b < $1.b }
        var unique: [Link] = []
        unique.reserveCapacity(links.count)
        for link in links where unique.last.map({ $0.a != link.a || $0.b != link.b }) ?? true { unique.append(link) }
        return (unique, comparisons)
    }

    /// Scores the pairs of one block: all pairs when it is small, neighbours in sort order when it is large. A pair
    /// that another block scores in full (a smaller key when this block is small, any key when it is large) is left
    /// to that block. In a block of a handle or of a handle's first characters, a pair whose names cannot agree
    /// (``NameInitials``) and who share no mailbox is passed over when the minimum is above what clashing names
    /// with the same handle score (0.5): most such pairs are where a large block's window, sorted by name, reaches
    /// into the next name. (At a million accounts on the first set, that saved 0.42 million of the 2.66 million
    /// comparisons left once large handle blocks were out, and changed no report of the five labelled sets.)
    private static func compareBlock(
        _ block: Range<Int>, entries: [BlockEntry], scorer: PairScorer,
        settings: DetectionSettings, sharedKeys: CompleteBlockKeys, order: inout [UInt32],
        initials: inout [NameInitials], cache: inout TypoCache, emit: (Link) -> Void
    ) -> Int {
        var window = block.count
        let isComplete = block.count <= settings.maximumBlockSize
        let kind = AccountTable.kind(of: entries[block.lowerBound].key)
        if !isComplete {
            window = kind.neighbourWindow(settings)
            if window == 0 { return 0 }
        }
        order.removeAll(keepingCapacity: true)
        for index in block { order.append(entries[index].account) }
        let before = isComplete ? entries[block.lowerBound].key : .max
        let checkNames =
            (kind == .handle || kind == .handlePrefix)
            && ScoreTable.best(name: .conflict) < settings.minimumScore
        if !isComplete {
            // The scorer's table, borrowed: the table captured by value was copied (thirty-odd arrays retained and
            // released) block after block.
            order.sort { scorer.table.neighbourOrder(kind, $0, $1) }
        }
        if checkNames {
            initials.removeAll(keepingCapacity: true)
            for account in order { initials.append(scorer.table.nameInitials(Int(account))) }
        }
        let onlyTwoHoldHandle =
            kind == .handle && block.count == 2 && ScoreTable.familyChanged >= settings.minimumScore
        var comparisons = 0
        for x in 0..<order.count {
            let upper = min(order.count, x + 1 + window)
            for y in (x + 1)..<max(x + 1, upper) {
                let a = min(order[x], order[y])
                let b = max(order[x], order[y])
                if a == b { continue }
                if checkNames && !initials[x].mayAgree(with: initials[y]) && !scorer.sharesMailbox(Int(a), Int(b)) {
                    // Names that clash: passed over, unless this is the block of a handle only the two hold and
                    // their given names may agree. Then every block before it passed them over for the same clash
                    // (or scored them through the same exception: links are deduplicated), so this one scores them
                    // whatever else they share.
                    if initials[x].clashes(with: initials[y], onlyTwoHoldHandle: onlyTwoHoldHandle) { continue }
                } else if sharedKeys.share(a, b, before: before) {
                    continue
                }
                comparisons += 1
                if let (score, evidence) = scorer.evaluate(Int(a), Int(b), cache: &cache) {
                    emit(Link(a: a, b: b, score: score, evidence: evidence))
                }
            }
        }
        return comparisons
    }
}

/// Each account's keys of the blocks compared in full (two to ``DetectionSettings/maximumBlockSize`` accounts), in
/// key order: a pair that shares several is scored in the block of the smallest only.
struct CompleteBlockKeys: Sendable {
    /// `accounts + 1` starts into `keys`.
    private let starts: [UInt32]
    private let keys: [UInt64]

    init(blocks: [Range<Int>], entries: [BlockEntry], accounts: Int, settings: DetectionSettings) {
        var starts = [UInt32](repeating: 0, count: accounts + 1)
        let complete = blocks.filter { $0.count <= settings.maximumBlockSize }
        for block in complete {
            for index in block { starts[Int(entries[index].account) + 1] += 1 }
        }
        for account in 0..<accounts { starts[account + 1] += starts[account] }
        var filled = starts
        var keys = [UInt64](repeating: 0, count: Int(starts[accounts]))
        // Blocks come in key order, so each account's keys do too.
        for block in complete {
            for index in block {
                let account = Int(entries[index].account)
                keys[Int(filled[account])] = entries[index].key
                filled[account] += 1
            }
        }
        self.starts = starts
        self.keys = keys
    }

    /// Whether `a` and `b` share the key of a block compared in full that is smaller than `limit`.
    func share(_ a: UInt32, _ b: UInt32, before limit: UInt64) -> Bool {
        var x = Int(starts[Int(a)])
        let endX = Int(starts[Int(a) + 1])
        var y = Int(starts[Int(b)])
        let endY = Int(starts[Int(b) + 1])
        while x < endX && y < endY {
            let keyX = keys[x]
            let keyY = keys[y]
            if keyX >= limit || keyY >= limit { return false }
            if keyX == keyY { return true }
            if keyX < keyY { x += 1 } else { y += 1 }
        }
        return false
    }
}

/// Where a run is, for progress display.
public struct DetectionProgress: Sendable, Hashable {
    /// The phases of a run.
    public enum Phase: String, Sendable, Hashable {
        /// Computing and sorting blocking keys.
        case blocking
        /// Scoring candidate pairs (`done` and `total` count chunks of blocks).
        case comparing
        /// Joining linked accounts into clusters.
        case clustering
    }

    /// The phase.
    public var phase: Phase
    /// Units done: 0 for blocking and clustering (one call each, as they begin); chunks of blocks scored so far for
    /// comparing.
    public var done: Int
    /// Units in the phase: accounts for blocking, chunks of blocks for comparing (at most 128), links for clustering.
    public var total: Int
}

/// A scored pair, `a < b`.
struct Link: Sendable {
    var a: UInt32
    var b: UInt32
    var score: Double
    var evidence: PairEvidence
}

/// Per-chunk results written by the workers.
final class ChunkResults: Sendable {
    private let slots: Mutex<[(links: [Link], comparisons: Int)]>

    init(count: Int) {
        slots = Mutex(Array(repeating: ([], 0), count: count))
    }

    func store(_ chunk: Int, links: [Link], comparisons: Int) {
        slots.withLock { $0[chunk] = (links, comparisons) }
    }

    func collected() -> (links: [Link], comparisons: Int) {
        slots.withLock { slots in
            var links: [Link] = []
            links.reserveCapacity(slots.reduce(0) { $0 + $1.links.count })
            var comparisons = 0
            for slot in slots {
                links.append(contentsOf: slot.links)
                comparisons += slot.comparisons
            }
            return (links, comparisons)
        }
    }
}
