import AccountModel
public import AccountTransfer
import AccountMatching
import Foundation
import GRDB
import Logging

/// How ``AccountStore/importAccounts(from:options:onProblem:onProgress:)`` treats invalid lines.
public struct ImportOptions: Sendable, Hashable {
    /// Import the valid lines and skip the invalid ones; without it (the default) one invalid line imports nothing.
    public var skipInvalid: Bool
    /// Who runs the import, for the audit trail.
    public var actor: String
    /// Lines between two progress calls.
    public var progressInterval: Int

    /// Options: all-or-nothing unless `skipInvalid`.
    public init(skipInvalid: Bool = false, actor: String = "cli", progressInterval: Int = 10_000) {
        self.skipInvalid = skipInvalid
        self.actor = actor
        self.progressInterval = progressInterval
    }
}

/// What an import did.
public struct ImportReport: Sendable, Hashable {
    /// Accounts written (0 when nothing was committed).
    public var imported: Int
    /// Of those, accounts imported with a Twitter identity.
    public var linked: Int
    /// Records that were valid (imported, or would have been had the import not been refused).
    public var valid: Int
    /// Lines (records) refused; each was reported to `onProblem`.
    public var invalid: Int
    /// Whether anything was committed.
    public var committed: Bool

    /// Makes a report.
    public init(imported: Int, linked: Int, valid: Int, invalid: Int, committed: Bool) {
        self.imported = imported
        self.linked = linked
        self.valid = valid
        self.invalid = invalid
        self.committed = committed
    }

    /// The file held no records at all (an empty file, blank lines only, or a CSV header alone).
    public var isEmpty: Bool { valid == 0 && invalid == 0 }
}

/// Why an import or export stopped: the database, or the file.
public enum TransferFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The store failed; nothing of an import was kept.
    case store(StoreError)
    /// The file could not be read or written, or its CSV header was refused; nothing of an import was kept.
    case file(TransferError)

    public var description: String {
        switch self {
        case .store(let error): return error.description
        case .file(let error): return error.description
        }
    }
}

extension AccountStore {
    /// Imports the accounts `reader` yields, in one write transaction, streaming: one record in memory at a time.
    ///
    /// Every record is validated (by the reader) and checked against the store and the earlier lines of the file
    /// (username and email case-insensitively, Twitter id exactly); each refused line's problems go to `onProblem`
    /// as they are found. With ``ImportOptions/skipInvalid`` the valid records are committed; otherwise one invalid
    /// line rolls everything back. A committed import records one `imported` audit event with the counts. Twitter
    /// identities are linked without credentials (files never carry tokens); `created_at` is kept to the
    /// microsecond, the import time when absent; password hashes are kept as they are, so people sign in with their
    /// old password (Django's are upgraded to scrypt then).
    ///
    /// Blocks the calling thread for the length of the import; call it from a CLI or off the cooperative pool.
    public func importAccounts(
        from reader: AccountReader, options: ImportOptions = ImportOptions(),
        onProblem: (LineProblem) -> Void = { _ in }, onProgress: (Int) -> Void = { _ in }
    ) throws(TransferFailure) -> ImportReport {
        let importTime = Timestamp.micros(now())
        var report = ImportReport(imported: 0, linked: 0, valid: 0, invalid: 0, committed: false)
        do {
            try pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    var session = try ImportSession(db, format: reader.format, importTime: importTime)
                    var processed = 0
                    while let item = try reader.next() {
                        processed += 1
                        if processed % options.progressInterval == 0 { onProgress(processed) }
                        switch item {
                        case .invalid(let problems):
                            report.invalid += 1
                            problems.forEach(onProblem)
                        case .record(let line, let record):
                            let problems = try session.insert(record, line: line)
                            if problems.isEmpty {
                                report.valid += 1
                                if record.twitter != nil { report.linked += 1 }
                            } else {
                                report.invalid += 1
                                problems.forEach(onProblem)
                            }
                        }
                    }
                    onProgress(processed)
                    try session.finish()
                    let commits = report.valid > 0 && (report.invalid == 0 || options.skipInvalid)
                    guard commits else {
                        report.linked = 0
                        return .rollback
                    }
                    try AccountStore.insertEvent(
                        db,
                        AccountEvent(
                            kind: .imported, subject: nil, actor: options.actor,
                            details: [
                                "format": reader.format.rawValue, "imported": String(report.valid),
                                "skipped": String(report.invalid), "linked_twitter": String(report.linked),
                            ], occurredAt: Timestamp.date(importTime)))
                    report.imported = report.valid
                    report.committed = true
                    return .commit
                }
            }
        } catch let error as TransferError {
            throw .file(error)
        } catch {
            throw .store(StoreError.from(error, path: path))
        }
        if report.committed {
            logger.info(
                "accounts imported",
                metadata: ["import.count": "\(report.imported)", "import.skipped": "\(report.invalid)",
                    "import.format": "\(reader.format)"])
        }
        return report
    }
}

/// The prepared statements and bookkeeping of one import transaction.
///
/// Duplicates are found with indexed look-ups before inserting, so a refused record leaves nothing behind and every
/// duplicate field of a line is reported at once; the UNIQUE constraints stay the last word. A temporary table maps
/// each imported row to its line, so a duplicate within the file names the earlier line (on disk, not in memory).
private struct ImportSession {
    let db: Database
    let format: TransferFormat
    let importTime: Int64
    /// The highest `users.id` before the import: rows above it came from this file.
    let previousMaximum: Int64
    let userByUsername: Statement
    let userByEmail: Statement
    let userByTwitterID: Statement
    let lineOfUser: Statement
    let insertUser: Statement
    let insertIdentity: Statement
    let insertLine: Statement

    init(_ db: Database, format: TransferFormat, importTime: Int64) throws {
        self.db = db
        self.format = format
        self.importTime = importTime
        previousMaximum = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM users") ?? 0
        try db.execute(sql: "DROP TABLE IF EXISTS temp.import_lines")
        try db.execute(sql: "CREATE TEMP TABLE import_lines (user_id INTEGER PRIMARY KEY, line INTEGER NOT NULL)")
        userByUsername = try db.makeStatement(sql: "SELECT id, username FROM users WHERE username = ?")
        userByEmail = try db.makeStatement(sql: "SELECT id, email FROM users WHERE email = ?")
        userByTwitterID = try db.makeStatement(sql: "SELECT user_id FROM twitter_identities WHERE twitter_user_id = ?")
        lineOfUser = try db.makeStatement(sql: "SELECT line FROM temp.import_lines WHERE user_id = ?")
        insertUser = try db.makeStatement(
            sql: """
                INSERT INTO users (public_id, username, email, email_mailbox, email_rules_version, first_name,
                    last_name, password_hash, status, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)
                """)
        insertIdentity = try db.makeStatement(
            sql: """
                INSERT INTO twitter_identities (user_id, twitter_user_id, screen_name, display_name, profile_json,
                    linked_at, last_seen_at)
                VALUES (?, ?, ?, ?, NULL, ?, ?)
                """)
        insertLine = try db.makeStatement(sql: "INSERT INTO temp.import_lines (user_id, line) VALUES (?, ?)")
    }

    /// Inserts `record` from `line`, or returns why it cannot be (and inserts nothing).
    mutating func insert(_ record: AccountRecord, line: Int) throws -> [LineProblem] {
        var problems: [LineProblem] = []
        func report(_ field: Field, _ problem: String) {
            problems.append(LineProblem(line: line, field: format.name(of: field), problem: problem))
        }
        let username = record.username.rawValue
        if let row = try Row.fetchOne(userByUsername, arguments: [username]) {
            let sameCase = (row[1] as String) == username ? "" : " (as '\(row[1] as String)'; usernames ignore case)"
            report(.username, "'\(username)' is already taken by \(try owner(row[0]))\(sameCase)")
        }
        var mailbox: String?
        if let email = record.email?.rawValue {
            if let row = try Row.fetchOne(userByEmail, arguments: [email]) {
                let sameCase = (row[1] as String) == email ? "" : " (as '\(row[1] as String)'; emails ignore case)"
                report(.email, "'\(email)' is already used by \(try owner(row[0]))\(sameCase)")
            }
            mailbox = Mailbox.normalize(email)
            if mailbox == nil {
                report(.email, "has no mailbox name once the provider's dots and +tag are removed")
            }
        }
        if let twitter = record.twitter,
            let userID = try Int64.fetchOne(userByTwitterID, arguments: [twitter.id.decimalString])
        {
            report(.twitterUserID, "\(twitter.id) is already linked to \(try owner(userID))")
        }
        guard problems.isEmpty else { return problems }

        let created = record.createdAt?.microseconds ?? importTime
        try insertUser.execute(arguments: [
            UserID.random().rawValue, username, record.email?.rawValue, mailbox,
            record.email == nil ? nil : Mailbox.rulesVersion, record.firstName, record.lastName,
            record.passwordHash?.revealed, created, created,
        ])
        let userRowID = db.lastInsertedRowID
        if let twitter = record.twitter {
            try insertIdentity.execute(arguments: [
                userRowID, twitter.id.decimalString, twitter.screenName, twitter.name, importTime, importTime,
            ])
        }
        try insertLine.execute(arguments: [userRowID, line])
        return []
    }

    /// Who holds a value: `line N of this file` for a row this import wrote, `an account already in the store`
    /// otherwise.
    private func owner(_ userRowID: Int64) throws -> String {
        guard userRowID > previousMaximum else { return "an account already in the store" }
        if let line = try Int.fetchOne(lineOfUser, arguments: [userRowID]) {
            return "line \(line) of this file"
        }
        return "an earlier line of this file"
    }

    /// Drops the temporary table (inside the transaction, so it never outlives it).
    func finish() throws {
        try db.execute(sql: "DROP TABLE temp.import_lines")
    }
}
