import AccountMatching
import AccountModel

/// Joins linked accounts into clusters: union-find over the links, strongest first (Kruskal's order), never growing a
/// cluster past the cap. A cluster's score is the weakest link it took to join it (with links taken strongest first,
/// the last join's score).
struct Clustering {
    let table: AccountTable
    let settings: DetectionSettings

    func clusters(from links: [Link]) -> (clusters: [DuplicateCluster], capped: Int) {
        let ordered = links.sorted { x, y in
            if x.score != y.score { return x.score > y.score }
            return x.a != y.a ? x.a < y.a : x.b < y.b
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

        // Gather members, reasons and matched fields per cluster root.
        struct Gathered {
            var members: [Int] = []
            /// Each phrase's best link score and its best position within a link's phrases (mailbox phrases first).
            var reasonScores: [String: (score: Double, rank: Int)] = [:]
            var fields: [Int: Set<ReportField>] = [:]
        }
        var gathered: [Int: Gathered] = [:]
        for account in 0..<table.count {
            let root = sets.find(account)
            if sets.size[root] >= 2 { gathered[root, default: Gathered()].members.append(account) }
        }
        for link in ordered {
            let root = sets.find(Int(link.a))
            guard root == sets.find(Int(link.b)), sets.size[root] >= 2 else { continue }
            let phrases = Reasons.phrases(
                for: link.evidence, emails: (table.raw(Int(link.a), .email), table.raw(Int(link.b), .email)))
            let (fieldsA, fieldsB) = matchedFields(link.evidence)
            // Updated in place: a copy of the entry would copy its dictionaries on every link.
            Self.update(&gathered[root, default: Gathered()]) { entry in
                for (rank, phrase) in phrases.enumerated() {
                    let known = entry.reasonScores[phrase] ?? (score: -1, rank: Int.max)
                    entry.reasonScores[phrase] = (max(known.score, link.score), min(known.rank, rank))
                }
                entry.fields[Int(link.a), default: []].formUnion(fieldsA)
                entry.fields[Int(link.b), default: []].formUnion(fieldsB)
            }
        }

        var clusters: [DuplicateCluster] = []
        var cappedCount = 0
        for (root, entry) in gathered {
            var members = entry.members.map { account in
                DuplicateMember(account: table.matchable(account), matchedFields: entry.fields[account] ?? [])
            }
            members.sort { usernameOrder($0.account.username, $1.account.username) }
            var reasons = entry.reasonScores.sorted { x, y in
                if x.value.score != y.value.score { return x.value.score > y.value.score }
                if x.value.rank != y.value.rank { return x.value.rank < y.value.rank }
                return x.key < y.key
            }.map(\.key)
            if sets.capped[root] {
                reasons.append(Reasons.capped(settings.maximumClusterSize))
                cappedCount += 1
            }
            clusters.append(
                DuplicateCluster(
                    id: Self.clusterID(members.map(\.account.id)), score: (sets.score[root] * 1000).rounded() / 1000,
                    reasons: reasons, members: members, isCapped: sets.capped[root]))
        }
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

    private func matchedFields(_ evidence: PairEvidence) -> (Set<ReportField>, Set<ReportField>) {
        var a: Set<ReportField> = []
        var b: Set<ReportField> = []
        if evidence.sharesMailbox {
            a.insert(.email)
            b.insert(.email)
        }
        if evidence.name.isMatch || evidence.name == .initial || evidence.name == .givenOnly {
            a.formUnion(Self.fields(evidence.nameSlotA))
            b.formUnion(Self.fields(evidence.nameSlotB))
        }
        if evidence.handle >= .weak {
            a.insert(Self.field(evidence.handleSlotA))
            b.insert(Self.field(evidence.handleSlotB))
        }
        return (a, b)
    }

    private static func fields(_ slot: AccountTable.NameSlotKind) -> Set<ReportField> {
        slot == .account ? [.firstName, .lastName] : [.twitterName]
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
