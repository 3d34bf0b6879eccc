public import AccountMatching

/// The knobs of duplicate detection. The defaults are the documented behaviour of `accounts duplicates`.
public struct DetectionSettings: Sendable {
    /// The default ``minimumScore``: links at or above it join accounts into clusters.
    public static let defaultMinimumScore = 0.7

    /// Links scoring below this do not join accounts; every reported cluster scores at least this. In [0, 1]: a value
    /// outside is taken as the nearest end, and one that is no number (`Double("nan")`) as the default. At 0 a link
    /// still needs some evidence: a pair with nothing in common that counts scores 0 and joins nothing.
    public var minimumScore: Double {
        get { storedMinimumScore }
        set { storedMinimumScore = newValue.isNaN ? Self.defaultMinimumScore : min(max(newValue, 0), 1) }
    }
    private var storedMinimumScore = DetectionSettings.defaultMinimumScore

    /// The least score that links two accounts: the minimum, but never 0 (nothing in common is no link).
    var linkThreshold: Double { max(minimumScore, .leastNonzeroMagnitude) }
    /// Blocks (accounts sharing a blocking key) up to this size are compared all pairs against all.
    public var maximumBlockSize = 12
    /// In a larger block of a mailbox, each account is compared with this many neighbours in the block's sort order.
    /// (A handle that more than ``maximumBlockSize`` accounts share puts none of them up for comparison.)
    public var neighbourWindow = 5
    /// In a larger block of a name or a handle's first characters, each account is compared with this many
    /// neighbours. Such keys are loose (many strangers share them) and their members mostly meet again through a
    /// handle or a mailbox; at a million accounts these blocks made 64% of all comparisons with a window of 5.
    public var looseNeighbourWindow = 2
    /// A cluster never grows past this many accounts; links that would grow it further are not followed and the
    /// cluster says so in its reasons.
    public var maximumClusterSize = 20
    /// The nickname table used for given names.
    public var nicknames = Nicknames.english

    /// The default settings.
    public init() {}
}
