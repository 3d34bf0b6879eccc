import AccountCrypto
import AccountModel

/// The text of one line's fields as read, before validation (`nil`: absent or null).
struct RawFields {
    var username: String?
    var email: String?
    var firstName: String?
    var lastName: String?
    var createdAt: String?
    var twitterID: String?
    var screenName: String?
    var twitterName: String?
    var passwordHash: String?
    /// JSON Lines: a `twitter` object was given (so its fields are required even when all are missing).
    var twitterGiven = false
}

/// The keys of a refused record that passed their own checks (username, email, Twitter id): an import still says
/// whether another account holds them, so that every problem of a line is listed at once.
package struct RecordKeys: Sendable, Hashable {
    /// The username, when it is one.
    package var username: String?
    /// The email address (trimmed), when it is one.
    package var email: String?
    /// The Twitter id's decimal digits, when they are one.
    package var twitterID: String?

    /// Keys as given (`nil`: absent, or refused by its own check).
    package init(username: String? = nil, email: String? = nil, twitterID: String? = nil) {
        self.username = username
        self.email = email
        self.twitterID = twitterID
    }

    /// Whether no key passed its checks.
    package var isEmpty: Bool { username == nil && email == nil && twitterID == nil }
}

/// Turns one line's field texts into an ``AccountRecord``, or every problem with them.
struct RecordValidator {
    let format: TransferFormat
    let line: Int
    /// Accept password hashes dearer than an import normally allows (``AccountReader/allowsCostlyPasswordHashes``).
    let allowsCostlyPasswordHashes: Bool
    var problems: [LineProblem] = []
    /// The keys that passed their checks (for a refused record's duplicates).
    var keys = RecordKeys()

    init(format: TransferFormat, line: Int, allowsCostlyPasswordHashes: Bool = false) {
        self.format = format
        self.line = line
        self.allowsCostlyPasswordHashes = allowsCostlyPasswordHashes
    }

    mutating func report(_ field: Field, _ problem: String) {
        problems.append(LineProblem(line: line, field: format.name(of: field), problem: problem))
    }

    /// The record, or the problems found (possibly added to problems already reported by the format's reader).
    mutating func validate(_ raw: RawFields) -> AccountRecord? {
        var username: Username?
        if let text = raw.username, !text.isEmpty {
            if let problem = Username.problem(with: text) {
                report(.username, problem)
            } else {
                username = Username(uncheckedRawValue: text)
                keys.username = text
            }
        } else if !problems.contains(where: { $0.field == format.name(of: .username) }) {
            report(.username, "is required")
        }
        var email: EmailAddress?
        if let text = raw.email {
            let trimmed = EmailAddress.trim(text)
            if !trimmed.isEmpty {
                if let problem = EmailAddress.problem(withTrimmed: trimmed) {
                    report(.email, problem)
                } else {
                    email = EmailAddress(uncheckedRawValue: trimmed)
                    keys.email = trimmed
                }
            }
        }
        let firstName = name(raw.firstName, .firstName)
        let lastName = name(raw.lastName, .lastName)
        var createdAt: TransferTimestamp?
        if let text = raw.createdAt, !text.isEmpty {
            switch TransferTimestamp.parse(Array(text.utf8)[...]) {
            case .success(let value): createdAt = value
            case .failure(let problem): report(.createdAt, problem.message)
            }
        }
        let twitter = twitterIdentity(raw)
        var passwordHash: Secret?
        if let text = raw.passwordHash, !text.isEmpty {
            do {
                if let costly = try PasswordHasher.importCost(of: text), !allowsCostlyPasswordHashes {
                    problems.append(LineProblem(line: line, field: format.name(of: .passwordHash), costlyHash: costly))
                } else {
                    passwordHash = Secret(text)
                }
            } catch {
                report(.passwordHash, error.description)
            }
        }
        guard problems.isEmpty, let username else { return nil }
        return AccountRecord(
            username: username, email: email, firstName: firstName, lastName: lastName, createdAt: createdAt,
            twitter: twitter, passwordHash: passwordHash)
    }

    /// A trimmed name, `nil` when empty; a problem when it breaks ``PersonName``'s rules.
    private mutating func name(_ text: String?, _ field: Field) -> String? {
        guard let text else { return nil }
        let trimmed = EmailAddress.trim(text)
        guard !trimmed.isEmpty else { return nil }
        if let problem = PersonName.problem(with: trimmed) {
            report(field, problem)
            return nil
        }
        return trimmed
    }

    private mutating func twitterIdentity(_ raw: RawFields) -> AccountRecord.Twitter? {
        let id = raw.twitterID.flatMap { $0.isEmpty ? nil : $0 }
        let screenName = raw.screenName.map(EmailAddress.trim).flatMap { $0.isEmpty ? nil : $0 }
        let name = raw.twitterName.map(EmailAddress.trim).flatMap { $0.isEmpty ? nil : $0 }
        let alreadyReported = Set(problems.map(\.field))
        guard raw.twitterGiven || id != nil || screenName != nil || name != nil else { return nil }
        let given = format == .csv ? "when \(describeGiven(id: id, screenName: screenName, name: name)) is given" : ""
        var userID: TwitterUserID?
        if let id {
            userID = TwitterUserID(decimal: id)
            keys.twitterID = userID?.decimalString
            if userID == nil {
                report(
                    .twitterUserID,
                    "must be the decimal digits of a 64-bit id (no sign, spaces or leading zeros; at most "
                        + "18446744073709551615)")
            }
        } else if !alreadyReported.contains(format.name(of: .twitterUserID)) {
            report(.twitterUserID, "is required" + (given.isEmpty ? "" : " " + given))
        }
        for (value, field) in [(screenName, Field.screenName), (name, Field.displayName)] {
            if let value {
                if let problem = PersonName.problem(with: value) { report(field, problem) }
            } else if !alreadyReported.contains(format.name(of: field)) {
                report(field, "is required" + (given.isEmpty ? "" : " " + given))
            }
        }
        guard let userID, let screenName, let name else { return nil }
        return AccountRecord.Twitter(id: userID, screenName: screenName, name: name)
    }

    private func describeGiven(id: String?, screenName: String?, name: String?) -> String {
        let given = [
            (id, Field.twitterUserID), (screenName, Field.screenName), (name, Field.displayName),
        ].filter { $0.0 != nil }.map { format.name(of: $0.1) }
        return given.joined(separator: " or ")
    }
}
