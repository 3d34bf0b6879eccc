/// Matchable accounts (``MatchableAccount``) laid out as bytes: every field's UTF-8 in one array, so that reading a
/// million accounts for the duplicate report makes no string per field.
///
/// Build one with ``append(_:)`` or ``appendAccount(emailRulesVersion:field:)``; read a field's bytes with
/// ``withField(_:of:_:)``, or a whole account back with ``subscript(_:)``.
public struct MatchableAccountBatch: Sendable {
    /// The fields of an account, in the order they are laid out.
    public enum Field: Int, CaseIterable, Sendable {
        /// The public id.
        case id
        /// The username.
        case username
        /// The email address as stored.
        case email
        /// The stored normalised mailbox of the address (``MatchableAccount/emailMailbox``).
        case emailMailbox
        /// The given name.
        case firstName
        /// The family name.
        case lastName
        /// The linked Twitter identity's screen name.
        case twitterScreenName
        /// The linked Twitter identity's display name.
        case twitterName
    }

    private static let fieldCount = Field.allCases.count

    /// `fieldCount` starts per account into `bytes`, and the end of the last field.
    private var starts: [UInt32] = [0]
    private var bytes: [UInt8] = []
    /// Bit `field` set when the field is present (not nil).
    private var present: [UInt8] = []
    /// `emailRulesVersion` per account.
    private var rulesVersions: [Int?] = []
    /// The linked Twitter identity's user id per account (a number, not text: ids are read, never compared).
    private var twitterUserIDs: [TwitterUserID?] = []

    /// An empty batch.
    public init() {}

    /// A batch holding `accounts`.
    public init(_ accounts: [MatchableAccount]) {
        reserveCapacity(accounts.count)
        for account in accounts { append(account) }
    }

    /// How many accounts it holds.
    public var count: Int { present.count }

    /// Makes room for `accounts` accounts of about 100 bytes each.
    public mutating func reserveCapacity(_ accounts: Int) {
        starts.reserveCapacity(accounts * Self.fieldCount + 1)
        bytes.reserveCapacity(accounts * 100)
        present.reserveCapacity(accounts)
        rulesVersions.reserveCapacity(accounts)
        twitterUserIDs.reserveCapacity(accounts)
    }

    /// Empties the batch, keeping its storage for the next.
    public mutating func removeAll() {
        starts.removeAll(keepingCapacity: true)
        starts.append(0)
        bytes.removeAll(keepingCapacity: true)
        present.removeAll(keepingCapacity: true)
        rulesVersions.removeAll(keepingCapacity: true)
        twitterUserIDs.removeAll(keepingCapacity: true)
    }

    /// Adds `account`.
    public mutating func append(_ account: MatchableAccount) {
        func text(_ field: Field) -> String? {
            switch field {
            case .id: account.id.rawValue
            case .username: account.username
            case .email: account.email
            case .emailMailbox: account.emailMailbox
            case .firstName: account.firstName
            case .lastName: account.lastName
            case .twitterScreenName: account.twitterScreenName
            case .twitterName: account.twitterName
            }
        }
        var mask: UInt8 = 0
        for field in Field.allCases {
            if var value = text(field) {
                mask |= 1 << UInt8(field.rawValue)
                value.withUTF8 { bytes.append(contentsOf: $0) }
            }
            starts.append(UInt32(bytes.count))
        }
        present.append(mask)
        rulesVersions.append(account.emailRulesVersion)
        twitterUserIDs.append(account.twitterUserID)
    }

    /// Adds an account whose fields `field` gives as UTF-8 (`nil` for a missing one), asked once for each field in
    /// ``Field`` order; the bytes are copied before the next call. The ``Field/id`` and ``Field/username`` must be
    /// present. `twitterUserID` is its linked Twitter identity's id, if any.
    public mutating func appendAccount(
        emailRulesVersion: Int?, twitterUserID: TwitterUserID? = nil, field: (Field) -> UnsafeBufferPointer<UInt8>?
    ) {
        var mask: UInt8 = 0
        for kind in Field.allCases {
            if let value = field(kind) {
                mask |= 1 << UInt8(kind.rawValue)
                bytes.append(contentsOf: value)
            }
            starts.append(UInt32(bytes.count))
        }
        precondition(mask & 0b11 == 0b11, "an account has an id and a username")
        present.append(mask)
        rulesVersions.append(emailRulesVersion)
        twitterUserIDs.append(twitterUserID)
    }

    /// Whether `account`'s `field` is present.
    public func has(_ field: Field, of account: Int) -> Bool {
        present[account] & (1 << UInt8(field.rawValue)) != 0
    }

    /// The email rules version of `account`'s stored mailbox, if any.
    public func emailRulesVersion(of account: Int) -> Int? {
        rulesVersions[account]
    }

    /// The user id of `account`'s linked Twitter identity, if any.
    public func twitterUserID(of account: Int) -> TwitterUserID? {
        twitterUserIDs[account]
    }

    /// Calls `body` with `account`'s `field` as UTF-8, or `nil` when it is missing. The bytes are valid only inside
    /// `body`.
    public func withField<Result>(
        _ field: Field, of account: Int, _ body: (UnsafeBufferPointer<UInt8>?) throws -> Result
    ) rethrows -> Result {
        guard has(field, of: account) else { return try body(nil) }
        let index = account * Self.fieldCount + field.rawValue
        let range = Int(starts[index])..<Int(starts[index + 1])
        return try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// `account`'s `field` as a string, or `nil` when it is missing.
    public func text(_ field: Field, of account: Int) -> String? {
        withField(field, of: account) { $0.map { String(decoding: $0, as: UTF8.self) } }
    }

    /// The account at `index`, as values.
    public subscript(_ index: Int) -> MatchableAccount {
        MatchableAccount(
            id: UserID(uncheckedRawValue: text(.id, of: index) ?? ""), username: text(.username, of: index) ?? "",
            email: text(.email, of: index), emailMailbox: text(.emailMailbox, of: index),
            emailRulesVersion: emailRulesVersion(of: index), firstName: text(.firstName, of: index),
            lastName: text(.lastName, of: index), twitterScreenName: text(.twitterScreenName, of: index),
            twitterName: text(.twitterName, of: index), twitterUserID: twitterUserID(of: index))
    }
}
