public import AccountModel
public import Foundation

/// The result of a duplicate-detection run: clusters of accounts that probably belong to one person.
public struct DuplicateReport: Sendable, Hashable {
    /// When the report was made.
    public var generatedAt: Date
    /// How many accounts were read.
    public var accountsScanned: Int
    /// The minimum link score used.
    public var minimumScore: Double
    /// Clusters of two or more accounts: by score (highest first), then by their smallest username.
    public var clusters: [DuplicateCluster]
    /// How much work the run did, and where it cut corners.
    public var statistics: DetectionStatistics

    /// Makes a report.
    public init(
        generatedAt: Date, accountsScanned: Int, minimumScore: Double, clusters: [DuplicateCluster],
        statistics: DetectionStatistics
    ) {
        self.generatedAt = generatedAt
        self.accountsScanned = accountsScanned
        self.minimumScore = minimumScore
        self.clusters = clusters
        self.statistics = statistics
    }
}

/// Accounts linked, directly or through each other, by evidence scoring at least the minimum.
public struct DuplicateCluster: Sendable, Hashable {
    /// A stable id derived from the members' public ids (`dup-` and 16 hex digits).
    public var id: String
    /// The weakest link that holds the cluster together, in [0, 1] (three decimals).
    public var score: Double
    /// What the links rest on, as stable phrases: strongest first.
    public var reasons: [String]
    /// The accounts, ordered by username.
    public var members: [DuplicateMember]
    /// Whether links to further accounts were not followed because the cluster reached the size cap.
    public var isCapped: Bool

    /// Makes a cluster.
    public init(id: String, score: Double, reasons: [String], members: [DuplicateMember], isCapped: Bool) {
        self.id = id
        self.score = score
        self.reasons = reasons
        self.members = members
        self.isCapped = isCapped
    }
}

/// One account of a cluster and the fields that took part in its links.
public struct DuplicateMember: Sendable, Hashable {
    /// The account.
    public var account: MatchableAccount
    /// The fields that matched another member's.
    public var matchedFields: Set<ReportField>

    /// Makes a member.
    public init(account: MatchableAccount, matchedFields: Set<ReportField>) {
        self.account = account
        self.matchedFields = matchedFields
    }
}

/// The account fields a report shows, in display order, named as the export format names them.
public enum ReportField: String, Sendable, Hashable, CaseIterable, Comparable {
    /// The username.
    case username
    /// The email address.
    case email
    /// The given name (`first_name`).
    case firstName = "first_name"
    /// The family name (`last_name`).
    case lastName = "last_name"
    /// The linked Twitter identity's screen name (`twitter_screen_name`).
    case twitterScreenName = "twitter_screen_name"
    /// The linked Twitter identity's display name (`twitter_name`).
    case twitterName = "twitter_name"

    /// Orders fields in display order (the order of `allCases`).
    public static func < (lhs: ReportField, rhs: ReportField) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// How much work a run did and where it cut corners.
public struct DetectionStatistics: Sendable, Hashable {
    /// Blocks with two or more accounts.
    public var blocks = 0
    /// Pairs scored. A pair sharing several keys is scored once, unless it only meets in blocks too large to compare
    /// in full (then once per such block where the two are neighbours).
    public var comparisons = 0
    /// Distinct pairs scoring at least the minimum.
    public var links = 0
    /// Blocks larger than the all-pairs limit, compared by neighbours only.
    public var oversizedBlocks = 0
    /// The largest of those, biggest first (at most five).
    public var largestOversizedBlocks: [OversizedBlock] = []
    /// Clusters that reached the size cap.
    public var cappedClusters = 0
    /// The settings' all-pairs limit, neighbour window and cluster cap, for the report's notes.
    public var maximumBlockSize = 0
    /// See ``DetectionSettings/neighbourWindow``.
    public var neighbourWindow = 0
    /// See ``DetectionSettings/looseNeighbourWindow``.
    public var looseNeighbourWindow = 0
    /// See ``DetectionSettings/maximumClusterSize``.
    public var maximumClusterSize = 0

    /// Empty statistics.
    public init() {}

    /// Sentences for an operator about the corners cut (empty when none were).
    public var notes: [String] {
        var notes: [String] = []
        if oversizedBlocks > 0 {
            let examples = largestOversizedBlocks.map { "\($0.description): \($0.size) accounts" }
                .joined(separator: "; ")
            notes.append(
                "\(oversizedBlocks) blocks had more than \(maximumBlockSize) accounts; in them each account was "
                    + "compared with its \(neighbourWindow) nearest neighbours only (\(looseNeighbourWindow) in name "
                    + "and handle-prefix blocks, none in handle blocks: a handle that many accounts share says "
                    + "nothing; largest: \(examples))")
        }
        if cappedClusters > 0 {
            notes.append(
                "\(cappedClusters) clusters reached the cap of \(maximumClusterSize) accounts or would have passed it "
                    + "by a link; links to further accounts were not followed (such clusters say so in their reasons)")
        }
        return notes
    }
}

/// A block too large to compare all pairs against all.
public struct OversizedBlock: Sendable, Hashable {
    /// What its members share, e.g. `name "john smith"`.
    public var description: String
    /// How many accounts it holds.
    public var size: Int

    /// Makes a value.
    public init(description: String, size: Int) {
        self.description = description
        self.size = size
    }
}
