import AccountMatching
import AccountModel

/// Joins linked accounts into clusters: union-find over the links, strongest first (Kruskal's order), never growing a
/// cluster past the cap. A cluster's score is the weakest link it took to join it (with links taken strongest first,
/// the last join's score).
struct Clustering {
    let table: AccountTable
    let settings: DetectionSettings

    func clusters(from links: [Link]) -> (clusters: [DuplicateCluster], capped: Int) {
        // Links of one score in the order of their accounts' usernames (the pair's first, then its second), not of
        // the accounts' places in the table: at the cap, which of them are taken must not depend on the order the
        // accounts were added in.
        let table = self.table
        var rank = [Int32](repeating: -1, count: table.count)
        var linked: [Int] = []
        for link in links {
            for account in [Int(link.a), Int(link.b)] where rank[account] < 0 {
                rank[account] = 0
                linked.append(account)
            }
        }
        linked.sort(by: table.usernamePrecedes)
        for (position, account) in linked.enumerated() { rank[account] = Int32(position) }
        let ordered = links.sorted { x, y in
            if x.score != y.score { return x.score > y.score }
            let (firstX, secondX) = (min(rank[Int(x.a)], rank[Int(x.b)]), max(rank[Int(x.a)], rank[Int(x.b)]))
            let (firstY, secondY) = (min(rank[Int(y.a)], rank[Int(y.b)]), max(rank[Int(y.a)], rank[Int(y.b)]))
            return firstX != firstY ? firstX < firstY : secondX < secondY
        }
        var sets = DisjointSets(count: table.count)
        for link in ordered {
            let rootA = sets.find(Int(link.a))
            let rootB = sets.find(Int(link.b))
            if rootA == rootB { continue }
            if sets.size[rootA] + sets.size[rootB] > settings.maximumClusterSize {
                sets.capped[rootA] = true
                sets.capped[rootB] = true
                continue
            }
            let root = sets.union(rootA, rootB)
            sets.score[root] = link.score
        }

        // Gather members, reasons and matched fields per cluster root. Links with the same evidence say the same
        // phrases: each distinct story is told once, and clusters keep phrase numbers, not strings.
        struct Story: Hashable {
            var evidence: PairEvidence
            var mailboxMatch: Mailbox.Match?
        }
        var stories: [Story: [Int]] = [:]
        var phraseNumbers: [String: Int] = [:]
        var phraseTexts: [String] = []
        struct Gathered {
            var members: [Int] = []
            /// Each phrase's best link score and its best position within a link's phrases (mailbox phrases first).
            var reasonScores: [Int: (score: Double, rank: Int)] = [:]
            /// Matched fields per member, as bits of ``ReportField/allCases``.
            var fields: [Int: UInt8] = [:]
        }
        var gathered: [Int: Gathered] = [:]
        for account in 0..<table.count {
            let root = sets.find(account)
            if sets.size[root] >= 2 { gathered[root, default: Gathered()].members.append(account) }
        }
        // The links inside clusters, and which rule made each one's mailboxes one (normalising the addresses again,
        // on every core).
        var inside: [(link: Link, root: Int)] = []
        for link in ordered {
            let root = sets.find(Int(link.a))
            if root == sets.find(Int(link.b)) && sets.size[root] >= 2 { inside.append((link, root)) }
        }
        let links = inside.map(\.link)
        let mailboxMatches = inParallel(links.count) { index in
            Reasons.mailboxMatch(
                for: links[index].evidence,
                emails: (table.raw(Int(links[index].a), .email), table.raw(Int(links[index].b), .email)))
        }
        for (index, (link, root)) in inside.enumerated() {
            let story = Story(evidence: link.evidence, mailboxMatch: mailboxMatches[index])
            let phrases: [Int]
            if let known = stories[story] {
                phrases = known
            } else {
                phrases = Reasons.phrases(for: story.evidence, mailboxMatch: story.mailboxMatch).map { phrase in
                    if let number = phraseNumbers[phrase] { return number }
                    phraseNumbers[phrase] = phraseTexts.count
                    phraseTexts.append(phrase)
                    return phraseTexts.count - 1
                }
                stories[story] = phrases
            }
            let (fieldsA, fieldsB) = matchedFields(link.evidence)
            // Updated in place: a copy of the entry would copy its dictionaries on every link.
            Self.update(&gathered[root, default: Gathered()]) { entry in
                for (rank, phrase) in phrases.enumerated() {
                    let known = entry.reasonScores[phrase] ?? (score: -1, rank: Int.max)
                    entry.reasonScores[phrase] = (max(known.score, link.score), min(known.rank, rank))
                }
                entry.fields[Int(link.a), default: 0] |= fieldsA
                entry.fields[Int(link.b), default: 0] |= fieldsB
            }
        }

        // Each cluster's members and reasons, on every core.
        let roots = Array(gathered)
        let frozenSets = sets
        let texts = phraseTexts
        let settings = self.settings
        var clusters = inParallel(roots.count) { index in
            let (root, entry) = roots[index]
            var members = entry.members.map { account in
                DuplicateMember(
                    account: table.matchable(account), matchedFields: Self.fields(entry.fields[account] ?? 0))
            }
            members.sort { usernameOrder($0.account.username, $1.account.username) }
            var reasons = entry.reasonScores.sorted { x, y in
                if x.value.score != y.value.score { return x.value.score > y.value.score }
                if x.value.rank != y.value.rank { return x.value.rank < y.value.rank }
                return texts[x.key] < texts[y.key]
            }.map { texts[$0.key] }
            if frozenSets.capped[root] {
                // At the cap, or held below it because joining a linked cluster would pass it.
                reasons.append(
                    members.count >= settings.maximumClusterSize
                        ? Reasons.capped(settings.maximumClusterSize) : Reasons.cappedJoin(settings.maximumClusterSize))
            }
            return DuplicateCluster(
                id: Self.clusterID(members.map(\.account.id)), score: (frozenSets.score[root] * 1000).rounded() / 1000,
                reasons: reasons, members: members, isCapped: frozenSets.capped[root])
        }
        let cappedCount = clusters.reduce(0) { $0 + ($1.isCapped ? 1 : 0) }
        // Sorted by score, then first username (case-insensitively, then byte-wise), the keys computed once.
        let keyed = clusters.map { cluster in
            let username = cluster.members[0].account.username
            return (cluster: cluster, lower: username.lowercased(), username: username)
        }
        clusters = keyed.sorted { x, y in
            if x.cluster.score != y.cluster.score { return x.cluster.score > y.cluster.score }
            return x.lower != y.lower ? x.lower < y.lower : x.username < y.username
        }.map(\.cluster)
        return (clusters, cappedCount)
    }

    private static func update<Entry>(_ entry: inout Entry, _ body: (inout Entry) -> Void) {
        body(&entry)
    }

    /// `dup-` and the FNV-1a-64 of the members' public ids, sorted and joined by commas.
    static func clusterID(_ ids: [UserID]) -> String {
        var hasher = FNV1a()
        for (index, id) in ids.map(\.rawValue).sorted().enumerated() {
            if index > 0 { hasher.combine(UInt8(ascii: ",")) }
            hasher.combine(bytes: id.utf8)
        }
        let hex = String(hasher.value, radix: 16)
        return "dup-" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The fields of each account that carried the link, as bits (see ``bit(_:)``).
    private func matchedFields(_ evidence: PairEvidence) -> (UInt8, UInt8) {
        var a: UInt8 = 0
        var b: UInt8 = 0
        if evidence.sharesMailbox {
            a |= Self.bit(.email)
            b |= Self.bit(.email)
        }
        if evidence.name.isMatch || evidence.name == .initial {
            a |= Self.bits(evidence.nameSlotA)
            b |= Self.bits(evidence.nameSlotB)
        } else if evidence.familyChanged || evidence.name == .givenOnly {
            // The given names matched, not the family names (one changed, or one side has none).
            a |= evidence.nameSlotA == .account ? Self.bit(.firstName) : Self.bit(.twitterName)
            b |= evidence.nameSlotB == .account ? Self.bit(.firstName) : Self.bit(.twitterName)
        }
        if evidence.handle >= .weak {
            a |= Self.bit(Self.field(evidence.handleSlotA))
            b |= Self.bit(Self.field(evidence.handleSlotB))
        }
        return (a, b)
    }

    private static func bit(_ field: ReportField) -> UInt8 {
        1 << UInt8(ReportField.allCases.firstIndex(of: field)!)
    }

    private static func bits(_ slot: AccountTable.NameSlotKind) -> UInt8 {
        slot == .account ? bit(.firstName) | bit(.lastName) : bit(.twitterName)
    }

    private static func fields(_ bits: UInt8) -> Set<ReportField> {
        Set(ReportField.allCases.filter { bits & bit($0) != 0 })
    }

    private static func field(_ slot: AccountTable.HandleSlot) -> ReportField {
        switch slot {
        case .username: return .username
        case .screenName: return .twitterScreenName
        case .emailLocalPart: return .email
        }
    }
}

/// Usernames ordered case-insensitively (they are unique that way), then byte-wise.
func usernameOrder(_ x: String, _ y: String) -> Bool {
    let lowerX = x.lowercased()
    let lowerY = y.lowercased()
    return lowerX != lowerY ? lowerX < lowerY : x < y
}

/// Union-find with union by size and path halving.
struct DisjointSets {
    private var parent: [Int32]
    var size: [Int32]
    var score: [Double]
    var capped: [Bool]

    init(count: Int) {
        parent = (0..<Int32(count)).map { $0 }
        size = Array(repeating: 1, count: count)
        score = Array(repeating: 1, count: count)
        capped = Array(repeating: false, count: count)
    }

    mutating func find(_ element: Int) -> Int {
        var node = element
        while Int(parent[node]) != node {
            parent[node] = parent[Int(parent[node])]
            node = Int(parent[node])
        }
        return node
    }

    mutating func union(_ a: Int, _ b: Int) -> Int {
        let (large, small) = size[a] >= size[b] ? (a, b) : (b, a)
        parent[small] = Int32(large)
        size[large] += size[small]
        capped[large] = capped[large] || capped[small]
        return large
    }
}
