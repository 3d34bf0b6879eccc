import AccountMatching
public import AccountModel
import Foundation

/// Why the report links two accounts, or does not: what `accounts duplicates --explain` prints.
///
/// Made by ``DuplicateDetector/explain(_:progress:)`` from a run like the report's (same store, same settings), so it
/// says what the report does: which blocks brought the two together (and whether they were compared in them), what each kind
/// of evidence said, the score, and the cluster each account ended in.
public struct PairExplanation: Sendable, Hashable {
    /// The first account, as the detector read it.
    public var first: MatchableAccount
    /// The second account.
    public var second: MatchableAccount
    /// The blocks both accounts are in, largest last.
    public var sharedBlocks: [SharedBlock]
    /// The pair's score, however low: what a link between the two would score (0 when nothing counts).
    public var score: Double
    /// The run's minimum link score.
    public var minimumScore: Double
    /// What each kind of evidence said, in reading order: mailbox, names, handles.
    public var findings: [Finding]
    /// The phrases a link between these two carries (in a report, a cluster's reasons gather those of all its links),
    /// empty when nothing agrees.
    public var reasons: [String]
    /// The cluster the first account is in, if any.
    public var firstCluster: ClusterMembership?
    /// The cluster the second account is in, if any.
    public var secondCluster: ClusterMembership?

    /// Whether the report compared the pair: they share a block, and in a large one they are near neighbours.
    public var wasCompared: Bool { sharedBlocks.contains { $0.compared } }

    /// Whether the report links the pair directly: compared, and scoring at least the minimum (and above 0: nothing
    /// in common is no link).
    public var isLinked: Bool { wasCompared && score > 0 && score >= minimumScore }

    /// Whether the two accounts are in one cluster (directly linked or through other accounts).
    public var isClustered: Bool { firstCluster != nil && firstCluster?.id == secondCluster?.id }

    /// One block that both accounts are in.
    public struct SharedBlock: Sendable, Hashable {
        /// What its members share, e.g. `name "john smith"` or `handle "jsmith84"`.
        public var description: String
        /// How many accounts it holds.
        public var size: Int
        /// Whether the block puts the pair up for comparison: always a block of up to
        /// ``DetectionSettings/maximumBlockSize`` accounts; a larger one only when the two are within the neighbour
        /// window of each other in the block's sort order (never a handle block that large: ``commonHandle``); never
        /// a block of a handle or of a handle's first characters when their names clash (``namesClash``). A pair put
        /// up by several blocks is scored once (in the first full block of the order mailbox, handle, handle prefix,
        /// name).
        public var compared: Bool
        /// Whether a handle or handle-prefix block passed the pair over because both have family names that differ
        /// from their first letters, and no mailbox in common: a shared handle cannot lift clashing names to the
        /// minimum score.
        public var namesClash = false
        /// Whether it is a handle more than ``DetectionSettings/maximumBlockSize`` accounts share, which puts none
        /// of them up for comparison: it says nothing on its own.
        public var commonHandle = false
    }

    /// What one kind of evidence said.
    public struct Finding: Sendable, Hashable {
        /// `mailbox`, `names` or `handles`.
        public var subject: String
        /// A sentence for an operator.
        public var text: String
    }

    /// The cluster an account ended in.
    public struct ClusterMembership: Sendable, Hashable {
        /// The cluster's id.
        public var id: String
        /// How many accounts it holds.
        public var size: Int
        /// Its score.
        public var score: Double
    }
}

/// Why ``DuplicateDetector/explain(_:progress:)`` could not explain.
public enum ExplanationError: Error, Equatable, CustomStringConvertible {
    /// The account was not among those the detector was given (deleted after it was looked up, say).
    case accountNotRead(UserID)
    /// Fewer than two distinct accounts were asked about.
    case tooFewAccounts

    /// A sentence saying why the accounts could not be explained.
    public var description: String {
        switch self {
        case .accountNotRead(let id):
            return "account \(id) was not among the accounts read for the report (was it deleted meanwhile?)"
        case .tooFewAccounts:
            return "explaining needs two different accounts or more"
        }
    }
}

extension DuplicateDetector {
    /// Runs the detection and explains every pair of `accounts` (in the order given: the first with the second, …).
    ///
    /// Consuming, like ``report(generatedAt:progress:)``, and as costly: the counts the scores rest on are the whole
    /// store's. `progress` is called as that function calls it (from several threads at once while comparing).
    /// - Throws: ``ExplanationError`` when fewer than two distinct accounts are given, or one was not added.
    public consuming func explain(
        _ accounts: [UserID], progress: @Sendable (DetectionProgress) -> Void = { _ in }
    ) throws(ExplanationError) -> [PairExplanation] {
        var distinct: [UserID] = []
        for id in accounts where !distinct.contains(id) { distinct.append(id) }
        guard distinct.count >= 2 else { throw .tooFewAccounts }
        table.finishLoading()
        table.awaitHandleCounts()
        // Public ids are kept as the store gives them: lowercase UUID text, as `UserID.rawValue`.
        let wanted = Set(distinct.map(\.rawValue))
        var indexOf: [String: Int] = [:]
        for account in 0..<table.count {
            guard let raw = table.raw(account, .id), wanted.contains(raw) else { continue }
            indexOf[raw] = account
        }
        let indices = try distinct.map { id throws(ExplanationError) in
            guard let index = indexOf[id.rawValue] else { throw .accountNotRead(id) }
            return index
        }
        var pairs: [(Int, Int)] = []
        for (position, x) in indices.enumerated() {
            for y in indices[(position + 1)...] { pairs.append((x, y)) }
        }
        var explanations: [PairExplanation] = []
        _ = detect(generatedAt: Date(), progress: progress) { report, entries in
            explanations = explain(pairs, report: report, entries: entries)
        }
        return explanations
    }

    /// The explanations of `pairs` (account indices), from a finished run's report and sorted block entries.
    func explain(_ pairs: [(Int, Int)], report: DuplicateReport, entries: [BlockEntry]) -> [PairExplanation] {
        var clusterOf: [UserID: PairExplanation.ClusterMembership] = [:]
        for cluster in report.clusters {
            let membership = PairExplanation.ClusterMembership(
                id: cluster.id, size: cluster.members.count, score: cluster.score)
            for member in cluster.members { clusterOf[member.account.id] = membership }
        }
        // No minimum: the pair's score and evidence however low, every comparison made in full.
        let scorer = PairScorer(table: table, minimumScore: 0, entries: entries)
        var cache = TypoCache()
        var explanations: [PairExplanation] = []
        for (x, y) in pairs {
            let (i, j) = (min(x, y), max(x, y))
            let (score, evidence) = scorer.evaluate(i, j, cache: &cache) ?? (0, PairEvidence())
            let first = table.matchable(x)
            let second = table.matchable(y)
            let mailboxMatch = Reasons.mailboxMatch(
                for: evidence, emails: (table.raw(i, .email), table.raw(j, .email)))
            explanations.append(
                PairExplanation(
                    first: first, second: second,
                    sharedBlocks: sharedBlocks(i, j, entries: entries, scorer: scorer),
                    score: score, minimumScore: settings.minimumScore,
                    findings: findings(i, j, evidence, mailboxMatch: mailboxMatch, scorer: scorer, cache: &cache),
                    reasons: score > 0 ? Reasons.phrases(for: evidence, mailboxMatch: mailboxMatch) : [],
                    firstCluster: clusterOf[first.id], secondCluster: clusterOf[second.id]))
        }
        return explanations
    }

    /// The blocks `i` and `j` share, and whether each puts them up for comparison (``compareBlock`` scores the pair
    /// once, whichever blocks put it up).
    private func sharedBlocks(
        _ i: Int, _ j: Int, entries: [BlockEntry], scorer: PairScorer
    ) -> [PairExplanation.SharedBlock] {
        // Blocks described by the fields of the account whose username comes first, not of the one added first.
        let (first, second) = table.usernamePrecedes(i, j) ? (i, j) : (j, i)
        let keysOfSecond = Set(table.describedKeys(of: second).map(\.key))
        var seen: Set<UInt64> = []
        var blocks: [PairExplanation.SharedBlock] = []
        for described in table.describedKeys(of: first) where keysOfSecond.contains(described.key) {
            guard seen.insert(described.key).inserted else { continue }
            let range = scorer.blockRange(described.key)
            var compared = true
            var namesClash = false
            var commonHandle = false
            let kind = AccountTable.kind(of: described.key)
            if range.count > settings.maximumBlockSize {
                let window = kind.neighbourWindow(settings)
                if window == 0 {
                    compared = false
                    commonHandle = true
                } else {
                    let order = range.map { entries[$0].account }.sorted { table.neighbourOrder(kind, $0, $1) }
                    if let a = order.firstIndex(of: UInt32(i)), let b = order.firstIndex(of: UInt32(j)) {
                        compared = abs(a - b) <= window
                    }
                }
            }
            if !commonHandle, kind == .handle || kind == .handlePrefix,
                ScoreTable.best(name: .conflict) < settings.minimumScore, !scorer.sharesMailbox(i, j),
                table.nameInitials(i).clashes(
                    with: table.nameInitials(j),
                    onlyTwoHoldHandle: kind == .handle && range.count == 2
                        && ScoreTable.familyChanged >= settings.minimumScore)
            {
                compared = false
                namesClash = true
            }
            blocks.append(
                .init(
                    description: described.text, size: range.count, compared: compared, namesClash: namesClash,
                    commonHandle: commonHandle))
        }
        return blocks.sorted { $0.size != $1.size ? $0.size < $1.size : $0.description < $1.description }
    }

    /// What the mailboxes, the names and the handles of `i` and `j` said.
    private func findings(
        _ i: Int, _ j: Int, _ evidence: PairEvidence, mailboxMatch: Mailbox.Match?, scorer: PairScorer,
        cache: inout TypoCache
    ) -> [PairExplanation.Finding] {
        var findings: [PairExplanation.Finding] = []
        let mailbox: String
        if let mailboxMatch {
            mailbox = Reasons.mailbox(mailboxMatch)
        } else if table.mailbox[i] == 0 || table.mailbox[j] == 0 {
            mailbox = "no mailbox to compare on one side or both"
        } else {
            mailbox = "different mailboxes"
        }
        findings.append(.init(subject: "mailbox", text: mailbox))

        var names: String
        switch evidence.name {
        case .conflict where evidence.familyChanged: names = "the given names agree, the family names differ"
        case .conflict: names = "the names differ"
        case .unknown: names = "no names to compare (or not enough: a family name missing and the given names alike)"
        default:
            names = Reasons.name(evidence.name, evidence.nameSlotA, evidence.nameSlotB, rare: evidence.rareName) ?? ""
            let others = scorer.otherPickers(i, j, evidence, cache: &cache)
            if evidence.name == .givenOnly {
                // The given name's carriers, these two among them.
                names += "; about \(max(2, Int(others.rounded()))) accounts carry the given name"
            } else {
                names += "; " + Self.othersCarrying(others)
            }
        }
        findings.append(.init(subject: "names", text: names))

        let same = evidence.handleAgreement == .identical
        let handlePhrase = Reasons.handle(
            max(evidence.handle, .weak), same: same, sharesNumber: evidence.sharesNumber, alt: evidence.altAccount,
            evidence.handleSlotA, evidence.handleSlotB)
        let handles: String
        switch evidence.handle {
        case .none:
            handles = "no handle (username, screen name, email local part) in common that counts"
        case .weakResembling, .weak:
            let who =
                evidence.name == .unknown || evidence.name == .conflict ? "many others" : "others carrying the name"
            handles = "\(handlePhrase ?? ""), but \(who) could have picked " + (same ? "that handle" : "such handles")
        case .identical where evidence.familyChanged:
            handles =
                "\(handlePhrase ?? "")\(Reasons.familyChangedHandle): one person's handle, whichever family name "
                + "they write"
        case .identical where evidence.altAccount:
            handles =
                "\(handlePhrase ?? ""), which no other person's account has: an alternate account of the same person"
        case .resembling, .identical:
            handles =
                "\(handlePhrase ?? ""): "
                + (same ? "a handle that says who picked it" : "handles that say who picked them")
        }
        findings.append(.init(subject: "handles", text: handles))
        return findings
    }

    /// How many other accounts are estimated to carry a name, in whole accounts (it said "about 0.4 others"): an
    /// estimate, the others found or as many as the store's counts of the name's words predict, whichever is more (the
    /// pair's own accounts among those counts), so it says "expected" (until session 62 "about 1 other carries it" of
    /// a name no third account carried).
    private static func othersCarrying(_ estimate: Double) -> String {
        if estimate < 0.05 { return "no other account expected to carry it" }
        if estimate < 1 { return "fewer than one other account expected to carry it" }
        let others = Int(estimate.rounded())
        return (others == 1 ? "about 1 other" : "about \(others) others")
            + " expected to carry it (the others found, or as many as the store's counts of its words predict)"
    }
}

/// The formats explanations are written in.
public enum ExplanationFormat: String, Sendable, Hashable, CaseIterable {
    /// Indented text for a terminal.
    case text
    /// One JSON object, one pair a line.
    case json
}

extension ReportRenderer {
    /// Explanations in `format`: ``ExplanationFormat/text`` for a terminal (control characters shown as `?`), or
    /// ``ExplanationFormat/json``: `{"pairs": [{"first", "second", "score", "min_score", "compared", "linked",
    /// "clustered", "findings", "reasons", "shared_blocks", "clusters"}]}`, one pair a line.
    public static func render(_ explanations: [PairExplanation], as format: ExplanationFormat) -> String {
        switch format {
        case .text: return explanationsText(explanations)
        case .json: return explanationsJSON(explanations)
        }
    }

    private static func explanationsText(_ explanations: [PairExplanation]) -> String {
        var output = ""
        for explanation in explanations {
            let first = explanation.first.username
            let second = explanation.second.username
            let (score, minimum) = scoreAndMinimumText(explanation.score, explanation.minimumScore)
            var verdict: String
            if explanation.isLinked {
                verdict = "linked: score \(score), at least the minimum \(minimum)"
            } else if explanation.wasCompared && explanation.score <= 0 {
                verdict = "not linked: score \(score), nothing in common that counts"
            } else if explanation.wasCompared {
                verdict = "not linked: score \(score), below the minimum \(minimum)"
            } else if explanation.sharedBlocks.isEmpty {
                verdict =
                    "not compared: they share no blocking key (mailbox, handle, handle prefix or full name); "
                    + "they would score \(score)"
            } else if explanation.sharedBlocks.allSatisfy(\.namesClash) {
                verdict =
                    "not compared: their family names differ from the first letter, which a shared handle cannot "
                    + "outweigh; they would score \(score)"
            } else if explanation.sharedBlocks.contains(where: \.namesClash) {
                verdict =
                    "not compared: their family names differ from the first letter, and the other blocks they share "
                    + "are large and they are not near neighbours in them; they would score \(score)"
            } else {
                verdict =
                    "not compared: every block they share is large, and in none are they near neighbours; "
                    + "they would score \(score)"
            }
            if explanation.isClustered {
                verdict += explanation.isLinked ? "; one cluster" : "; one cluster all the same, through other accounts"
            } else if explanation.isLinked {
                verdict += "; not in one cluster (the size cap kept them apart)"
            }
            var lines = ["\(first) and \(second): \(verdict)"]
            for finding in explanation.findings { lines.append("  \(finding.subject): \(finding.text)") }
            if !explanation.reasons.isEmpty {
                lines.append("  reasons: " + explanation.reasons.joined(separator: "; "))
            }
            if explanation.sharedBlocks.isEmpty {
                lines.append("  shared blocks: none")
            } else {
                lines.append("  shared blocks:")
                for block in explanation.sharedBlocks {
                    let compared =
                        block.compared
                        ? "compared"
                        : block.namesClash
                            ? "not compared: their family names differ from the first letter"
                            : block.commonHandle
                                ? "a handle so many share that it compares none of them"
                                : "too large to compare all pairs, and they are not near neighbours in it"
                    lines.append("    \(block.description): \(block.size) accounts, \(compared)")
                }
            }
            for (name, cluster) in [(first, explanation.firstCluster), (second, explanation.secondCluster)] {
                let place = cluster.map { "in \($0.id) (\($0.size) accounts, score \(scoreText($0.score)))" }
                lines.append("  \(name): \(place ?? "in no cluster")")
            }
            output += lines.map(TableRenderer.clean).joined(separator: "\n") + "\n\n"
        }
        return output
    }

    private static func explanationsJSON(_ explanations: [PairExplanation]) -> String {
        func string(_ text: String?) -> String { text.map(JSONString.literal) ?? "null" }
        func account(_ account: MatchableAccount) -> String {
            "{\"id\": \(string(account.id.rawValue)), \"username\": \(string(account.username))}"
        }
        func cluster(_ cluster: PairExplanation.ClusterMembership?) -> String {
            guard let cluster else { return "null" }
            return "{\"id\": \(string(cluster.id)), \"size\": \(cluster.size), \"score\": \(scoreText(cluster.score))}"
        }
        let pairs = explanations.map { explanation in
            let findings = explanation.findings.map { "\(string($0.subject)): \(string($0.text))" }
            let blocks = explanation.sharedBlocks.map { block in
                "{\"description\": \(string(block.description)), \"size\": \(block.size), "
                    + "\"compared\": \(block.compared), \"names_clash\": \(block.namesClash), "
                    + "\"common_handle\": \(block.commonHandle)}"
            }
            return "{\"first\": \(account(explanation.first)), \"second\": \(account(explanation.second)), "
                + "\"score\": \(scoreText(explanation.score)), \"min_score\": \(minimumText(explanation.minimumScore)), "
                + "\"compared\": \(explanation.wasCompared), \"linked\": \(explanation.isLinked), "
                + "\"clustered\": \(explanation.isClustered), "
                + "\"findings\": {\(findings.joined(separator: ", "))}, "
                + "\"reasons\": [\(explanation.reasons.map(string).joined(separator: ", "))], "
                + "\"shared_blocks\": [\(blocks.joined(separator: ", "))], "
                + "\"clusters\": {\"first\": \(cluster(explanation.firstCluster)), "
                + "\"second\": \(cluster(explanation.secondCluster))}}"
        }
        return "{\"pairs\": [" + (pairs.isEmpty ? "" : "\n" + pairs.joined(separator: ",\n") + "\n") + "]}\n"
    }
}
