import AccountCrypto
import AccountMatching
import AccountModel
public import AccountTransfer
import Foundation
import GRDB
import Logging

/// How ``AccountStore/importAccounts(from:options:onProblem:onProgress:)`` treats invalid lines.
public struct ImportOptions: Sendable, Hashable {
    /// Import the valid lines and skip the invalid ones; without it (the default) one invalid line imports nothing.
    public var skipInvalid: Bool
    /// Who runs the import, for the audit trail.
    public var actor: String
    /// Records between two progress calls (at least 1).
    public var progressInterval: Int

    /// Options: all-or-nothing unless `skipInvalid`.
    public init(skipInvalid: Bool = false, actor: String = "cli", progressInterval: Int = 10_000) {
        self.skipInvalid = skipInvalid
        self.actor = actor
        self.progressInterval = max(1, progressInterval)
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
    /// Records ``ImportOptions/skipInvalid`` imports, or would have: ``valid`` and, all or nothing, the lines refused
    /// only for a username, email or Twitter id that a refused line before them also has (skipping that line lets
    /// them in).
    public var importableSkippingInvalid: Int

    /// Makes a report; `importableSkippingInvalid` is `valid` unless given.
    public init(
        imported: Int, linked: Int, valid: Int, invalid: Int, committed: Bool, importableSkippingInvalid: Int? = nil
    ) {
        self.imported = imported
        self.linked = linked
        self.valid = valid
        self.invalid = invalid
        self.committed = committed
        self.importableSkippingInvalid = importableSkippingInvalid ?? valid
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

    /// The wrapped error's message.
    public var description: String {
        switch self {
        case .store(let error): return error.description
        case .file(let error): return error.description
        }
    }
}

extension AccountStore {
    /// The writer's page cache during an import, in SQLite's units (negative: KiB): 128 MiB (a million-account
    /// import takes 38 s with 32 MiB, 24 s with 128 MiB and no less with 256 MiB).
    static let importCacheSize = -131_072

    /// Records handed from the reading thread to the writer at a time, and batches in flight at most.
    static let importBatchSize = 512
    static let importBatchesInFlight = 8

    /// Imports the accounts `reader` yields, in one write transaction, streaming: memory stays bounded whatever the
    /// file's size.
    ///
    /// Every record is validated (by the reader) and checked against the store and the earlier lines of the file
    /// (username and email case-insensitively, Twitter id exactly; an address reserved for an account's undo link,
    /// as sign-up finds it, is refused like a taken one); each refused line's problems go to `onProblem`, in line
    /// order. With ``ImportOptions/skipInvalid`` the valid records are committed; otherwise one invalid
    /// line rolls everything back. A committed import records one `imported` audit event with the counts. Twitter
    /// identities are linked without credentials (files never carry tokens); `created_at` is kept to the
    /// microsecond, the import time when absent; password hashes are kept as they are, so people sign in with their
    /// old password (Django's are upgraded to scrypt then).
    ///
    /// The calling thread reads and validates while GRDB's writer inserts, batches of records passing between them
    /// through a bounded queue. `onProblem` and `onProgress` (records read so far) are called on the calling thread.
    /// Blocks the calling thread for the length of the import; call it from a CLI or off the cooperative pool.
    public func importAccounts(
        from reader: AccountReader, options: ImportOptions = ImportOptions(),
        onProblem: (LineProblem) -> Void = { _ in }, onProgress: (Int) -> Void = { _ in }
    ) throws(TransferFailure) -> ImportReport {
        let clock = now
        let format = reader.format
        let channel = ImportChannel(capacity: Self.importBatchesInFlight)
        // (a close meanwhile waits for the import to reach the writer, then rolls it back: the file may stall)
        let entry: StoreLifetime.Entry
        do throws(StoreError) { entry = try enter() } catch { throw .store(error) }
        defer { entry.end() }
        guard let stop = lifetime.register(stop: { channel.stop() }) else { throw .store(.closed(path: path)) }
        defer { lifetime.unregister(stop) }
        // (addresses the store could not key as it opened are keyed in the import's transaction, before its checks)
        let keyingFirst = keying.isPending ? logger : nil
        writeGate.beginLongWrite()
        defer { writeGate.endLongWrite() }
        let path = path
        pool.asyncWriteWithoutTransaction { db in
            entry.end()
            do {
                let report = try AccountStore.writeImport(
                    db, channel: channel, format: format, clock: clock, options: options, keyingFirst: keyingFirst,
                    path: path, knownVersion: knownVersion)
                channel.finish(.success(report))
            } catch let failure as TransferFailure {
                channel.finish(.failure(failure))
            } catch {
                channel.finish(.failure(.store(self.storeError(error))))
            }
        }

        var readFailure: TransferError?
        var processed = 0
        var batch: [ReadItem] = []
        var keys: [Int: RecordKeys] = [:]
        batch.reserveCapacity(Self.importBatchSize)
        do throws(TransferError) {
            while let item = try reader.next() {
                if let found = reader.keysOfLastInvalid { keys[batch.count] = found }
                batch.append(item)
                processed += 1
                if processed % max(1, options.progressInterval) == 0 { onProgress(processed) }
                if batch.count == Self.importBatchSize {
                    guard channel.send(.items(batch, keys: keys)) else { break }
                    batch.removeAll(keepingCapacity: true)
                    keys.removeAll()
                    channel.takeProblems().forEach(onProblem)
                }
            }
            if !batch.isEmpty { _ = channel.send(.items(batch, keys: keys)) }
            _ = channel.send(.end)
        } catch {
            readFailure = error
            _ = channel.send(.abort)
        }
        onProgress(processed)
        let result = channel.result()
        channel.takeProblems().forEach(onProblem)
        if let readFailure { throw .file(readFailure) }
        let report = try result.get()
        if keyingFirst != nil && report.committed { keying.done() }
        if report.committed {
            logger.info(
                "accounts imported",
                metadata: [
                    "import.count": "\(report.imported)", "import.skipped": "\(report.invalid)",
                    "import.format": "\(format)",
                ])
        }
        return report
    }

    /// The writer's side of an import: one transaction fed by `channel`, committed or rolled back at its end, which
    /// first keys the addresses the store could not key as it opened when `keyingFirst` (its logger) is given.
    private static func writeImport(
        _ db: Database, channel: ImportChannel, format: TransferFormat, clock: @Sendable () -> Date,
        options: ImportOptions, keyingFirst: Logger?, path: String, knownVersion: Int
    ) throws -> ImportReport {
        // A bigger page cache for the length of the import (a fixed 128 MiB, whatever the file's size) keeps the
        // indexes' hot pages in memory instead of spilling them to the WAL and reading them back.
        let cacheSize = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
        try db.execute(sql: "PRAGMA cache_size = \(importCacheSize)")
        defer { try? db.execute(sql: "PRAGMA cache_size = \(cacheSize)") }
        var report = ImportReport(imported: 0, linked: 0, valid: 0, invalid: 0, committed: false)
        // The first batch (or the end, or an abort) is awaited before the write lock is taken: a file that is slow to
        // give its first lines (a pipe from another machine, a decompressor, a terminal) does not hold every other
        // process's writes meanwhile (until session 62 it did, the app's sign-ins failing with `busy`).
        var waiting: ImportChannel.Message? = channel.receive()
        switch waiting {
        case .abort: throw ImportAborted()
        case .storeClosed: throw StoreError.closed(path: path)
        default: break
        }
        try db.inTransaction(.immediate) {
            try checkSchemaNotAhead(db, knownVersion: knownVersion, path: path)
            // (read once the write lock is held: the import's time is when it could begin writing)
            let importTime = Timestamp.micros(clock())
            if let keyingFirst { try keyMissingUniquenessKeys(db, logger: keyingFirst, now: importTime) }
            var session = try ImportSession(
                db, format: format, importTime: importTime, namesRefusedLinesKeys: !options.skipInvalid)
            reading: while true {
                let message = waiting ?? channel.receive()
                waiting = nil
                switch message {
                case .abort:
                    throw ImportAborted()
                case .storeClosed:
                    throw StoreError.closed(path: path)
                case .end:
                    break reading
                case .items(let items, let keys):
                    var problems: [LineProblem] = []
                    for (index, item) in items.enumerated() {
                        switch item {
                        case .invalid(let found):
                            report.invalid += 1
                            problems.append(contentsOf: found)
                            // (its keys that passed their checks may be taken too: say so now, not on the next run)
                            if let line = found.first?.line, var keys = keys[index] {
                                // (and an address that passed its own checks but keeps no mailbox name)
                                if let email = keys.email, Mailbox.normalize(email) == nil {
                                    problems.append(session.mailboxlessProblem(line: line))
                                    keys.email = nil
                                }
                                problems.append(contentsOf: try session.duplicates(of: keys, line: line))
                                session.noteRefused(keys, line: line)
                            }
                        case .record(let line, let record):
                            switch try session.insert(record, line: line) {
                            case .inserted:
                                report.valid += 1
                                report.importableSkippingInvalid += 1
                                if record.twitter != nil { report.linked += 1 }
                            case .repeatsARefusedLine(let found):
                                report.invalid += 1
                                report.importableSkippingInvalid += 1
                                problems.append(contentsOf: found)
                            case .refused(let found):
                                report.invalid += 1
                                problems.append(contentsOf: found)
                            }
                        }
                    }
                    if !problems.isEmpty { channel.report(problems) }
                }
            }
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
                        "format": format.rawValue, "imported": String(report.valid),
                        "skipped": String(report.invalid), "linked_twitter": String(report.linked),
                    ], occurredAt: Timestamp.date(importTime)))
            report.imported = report.valid
            report.committed = true
            return .commit
        }
        return report
    }
}

/// Thrown on the writer when the reading side failed, to roll the transaction back.
private struct ImportAborted: Error {}

/// The prepared statements and bookkeeping of one import transaction.
///
/// A record is inserted first and checked only when SQLite refuses it (the UNIQUE constraints catch duplicates within
/// the file and against the store; a failed INSERT leaves nothing behind); its Twitter id is looked up before the
/// user row is written, so that a refused identity never leaves a user behind. A refused record is then checked
/// field by field, so every duplicate of the line is reported at once. An imported row's internal id is the highest
/// id before the import plus its line number, so a duplicate within the file names the earlier line without any
/// bookkeeping (ids may have gaps; only public ids are ever shown).
///
/// All or nothing, the keys of refused lines are kept too (a refused line inserts no row for the indexes to find), so
/// that a later line repeating one is named in the same run, not once the refused line is fixed. Such a line is
/// inserted all the same, as `skipInvalid` would insert it: the transaction is rolled back anyway, and later lines
/// are checked against the rows `skipInvalid` would hold.
private struct ImportSession {
    let db: Database
    let format: TransferFormat
    let importTime: Int64
    /// The highest `users.id` before the import: rows above it came from this file.
    let previousMaximum: Int64
    let userByUsername: RawStatement
    let userByEmail: RawStatement
    let userByTwitterID: RawStatement
    let insertUser: RawStatement
    let insertIdentity: RawStatement
    let storedValue: Statement
    /// Addresses without a uniqueness key (stored before it existed, not reindexed yet), by the key they would have:
    /// the unique index cannot see them. Usually empty; fixed for the import's transaction.
    let unkeyed: [String: Int64]
    /// Addresses reserved for an undo link (by uniqueness key, with when the reservation ends): a change moved an
    /// account off them, and following its link gives them back. Usually empty; fixed for the import's transaction,
    /// which holds the write lock.
    let reserved: [String: Int64]
    /// Whether the keys of refused lines are kept and checked (all or nothing).
    let namesRefusedLinesKeys: Bool
    /// The first refused line holding each key, and the key as written there: usernames ASCII-lowercased (as the
    /// store's NOCASE compares them), addresses by uniqueness key, Twitter ids as they are. Grows with refused lines
    /// only.
    private var refusedUsernames: [String: (line: Int, value: String)] = [:]
    private var refusedEmails: [String: (line: Int, value: String)] = [:]
    private var refusedTwitterIDs: [String: Int] = [:]
    private var randomBytes: [UInt8] = []
    private var randomOffset = 0

    /// What became of a record.
    enum Outcome {
        /// Inserted: the line is valid.
        case inserted
        /// Inserted, but a key of it is also on a refused line (all or nothing): refused, though `skipInvalid`
        /// would import it.
        case repeatsARefusedLine([LineProblem])
        /// Not inserted, for these problems.
        case refused([LineProblem])
    }

    init(_ db: Database, format: TransferFormat, importTime: Int64, namesRefusedLinesKeys: Bool) throws {
        self.db = db
        self.format = format
        self.importTime = importTime
        self.namesRefusedLinesKeys = namesRefusedLinesKeys
        previousMaximum = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM users") ?? 0
        userByUsername = try RawStatement(db, sql: "SELECT id FROM users WHERE username = ?")
        userByEmail = try RawStatement(db, sql: "SELECT id FROM users WHERE email_key = ?1 OR email = ?2 LIMIT 1")
        userByTwitterID = try RawStatement(db, sql: "SELECT user_id FROM twitter_identities WHERE twitter_user_id = ?")
        insertUser = try RawStatement(
            db,
            sql: """
                INSERT INTO users (public_id, username, email, email_mailbox, email_rules_version, first_name,
                    last_name, password_hash, status, created_at, updated_at, id, email_key)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)
                """)
        insertIdentity = try RawStatement(
            db,
            sql: """
                INSERT INTO twitter_identities (user_id, twitter_user_id, screen_name, display_name, profile_json,
                    linked_at, last_seen_at)
                VALUES (?, ?, ?, ?, NULL, ?, ?)
                """)
        storedValue = try db.makeStatement(sql: "SELECT username, email FROM users WHERE id = ?")
        var unkeyed: [String: Int64] = [:]
        for row in try AccountStore.unkeyedAddresses(db) {
            let key = Mailbox.uniquenessKey(row.email)
            if unkeyed[key] == nil { unkeyed[key] = row.id }
        }
        self.unkeyed = unkeyed
        var reserved: [String: Int64] = [:]
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT email_key, email, expires_at FROM email_change_undos
                WHERE used_at IS NULL AND expires_at > ?
                """, arguments: [importTime])
        where AccountStore.reservesByItsKey(email: row[1], key: row[0]) {
            let key: String = row[0]
            reserved[key] = max(reserved[key] ?? 0, row[2])
        }
        self.reserved = reserved
    }

    /// The problem of `line`'s address that keeps no mailbox name once its provider's dots and +tag are removed.
    func mailboxlessProblem(line: Int) -> LineProblem {
        LineProblem(
            line: line, field: format.name(of: .email),
            problem: "has no mailbox name once the provider's dots and +tag are removed")
    }

    /// Inserts `record` from `line`, or says why it cannot be (and inserts nothing); all or nothing, a record that
    /// repeats a refused line's key is inserted and refused.
    mutating func insert(_ record: AccountRecord, line: Int) throws -> Outcome {
        let keys = RecordKeys(
            username: record.username.rawValue, email: record.email?.rawValue,
            twitterID: record.twitter?.id.decimalString)
        let problems = try inserting(record, line: line)
        if !problems.isEmpty {
            noteRefused(keys, line: line)
            return .refused(problems)
        }
        let repeated = refusedLinesHolding(keys, line: line)
        guard repeated.isEmpty else {
            noteRefused(keys, line: line)
            return .repeatsARefusedLine(repeated)
        }
        return .inserted
    }

    /// Notes the keys of refused `line` (all or nothing), for the lines after it; the first refused line holding a
    /// key keeps it.
    mutating func noteRefused(_ keys: RecordKeys, line: Int) {
        guard namesRefusedLinesKeys else { return }
        if let username = keys.username, refusedUsernames[username.lowercased()] == nil {
            refusedUsernames[username.lowercased()] = (line, username)
        }
        if let email = keys.email, refusedEmails[Mailbox.uniquenessKey(email)] == nil {
            refusedEmails[Mailbox.uniquenessKey(email)] = (line, email)
        }
        if let twitterID = keys.twitterID, refusedTwitterIDs[twitterID] == nil { refusedTwitterIDs[twitterID] = line }
    }

    /// The problems of `line` for each of `keys` that a refused line before it also has.
    private func refusedLinesHolding(_ keys: RecordKeys, line: Int) -> [LineProblem] {
        var problems: [LineProblem] = []
        for field in [Field.username, .email, .twitterUserID] {
            if let problem = refusedLineHolding(field, of: keys, line: line) { problems.append(problem) }
        }
        return problems
    }

    /// The problem of `line` when its `field` (of `keys`) is also on a refused line before it.
    private func refusedLineHolding(_ field: Field, of keys: RecordKeys, line: Int) -> LineProblem? {
        // (the maps are empty but for a refused line, all or nothing: no key is folded for a valid file)
        let found: (line: Int, value: String, ignoring: String?)?
        let value: String?
        switch field {
        case .username:
            value = keys.username
            guard let value, !refusedUsernames.isEmpty else { return nil }
            found = refusedUsernames[value.lowercased()].map { ($0.line, $0.value, "usernames") }
        case .email:
            value = keys.email
            guard let value, !refusedEmails.isEmpty else { return nil }
            found = refusedEmails[Mailbox.uniquenessKey(value)].map { ($0.line, $0.value, "emails") }
        default:
            value = keys.twitterID
            guard let value, !refusedTwitterIDs.isEmpty else { return nil }
            found = refusedTwitterIDs[value].map { ($0, value, nil) }
        }
        guard let value, let found, found.line != line else { return nil }
        let shown = field == .twitterUserID ? value : "'\(value)'"
        var problem = "\(shown) is also on line \(found.line) of this file, which is refused"
        if let ignoring = found.ignoring, found.value != value {
            problem += " (as '\(found.value)'; \(ignoring) ignore case)"
        }
        return LineProblem(line: line, field: format.name(of: field), problem: problem)
    }

    /// Inserts `record` from `line`, or returns why it cannot be (and inserts nothing).
    private mutating func inserting(_ record: AccountRecord, line: Int) throws -> [LineProblem] {
        var mailbox: String?
        if let email = record.email?.rawValue {
            mailbox = Mailbox.normalize(email)
            if mailbox == nil {
                let others = RecordKeys(
                    username: record.username.rawValue, twitterID: record.twitter?.id.decimalString)
                return [mailboxlessProblem(line: line)] + (try duplicates(of: others, line: line))
            }
        }
        if let twitter = record.twitter {
            userByTwitterID.bind(1, twitter.id.decimalString)
            if try userByTwitterID.firstInteger() != nil { return try duplicates(of: record, line: line) }
        }
        if let email = record.email?.rawValue, !unkeyed.isEmpty, unkeyed[Mailbox.uniquenessKey(email)] != nil {
            return try duplicates(of: record, line: line)
        }
        if let email = record.email?.rawValue, !reserved.isEmpty, reserved[Mailbox.uniquenessKey(email)] != nil {
            return try duplicates(of: record, line: line)
        }
        let created = record.createdAt?.microseconds ?? importTime
        insertUser.bind(1, nextPublicID().rawValue)
        insertUser.bind(2, record.username.rawValue)
        insertUser.bind(3, record.email?.rawValue)
        insertUser.bind(4, mailbox)
        insertUser.bind(5, record.email == nil ? nil : Int64(Mailbox.rulesVersion))
        insertUser.bind(6, record.firstName)
        insertUser.bind(7, record.lastName)
        insertUser.bind(8, record.passwordHash?.revealed)
        insertUser.bind(9, created)
        insertUser.bind(10, created)
        let (userRowID, overflow) = previousMaximum.addingReportingOverflow(Int64(line))
        if overflow {
            // Numbered after the store's largest id, which leaves no room (a row written by hand, or by another
            // program, at the top of the range): SQLite would pick free ids at random, but `owner(_:)` could then
            // not tell this file's rows from the store's.
            throw DatabaseError(
                resultCode: .SQLITE_ERROR,
                message: """
                    the largest users.id is \(previousMaximum), which leaves no id for line \(line) of this file \
                    (imported accounts are numbered after it); give that account a smaller id, or import into \
                    another store
                    """)
        }
        insertUser.bind(11, userRowID)
        insertUser.bind(12, record.email.map { Mailbox.uniquenessKey($0.rawValue) })
        do {
            try insertUser.execute()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            // A duplicate is a row's (a refused line inserted none): with none, the constraint is another one (a
            // CHECK or a trigger the reader's checks do not know), and the import's error, naming the line.
            guard try !duplicates(of: record, line: line, namingRefusedLines: false).isEmpty else {
                throw DatabaseError(
                    resultCode: error.extendedResultCode,
                    message:
                        "line \(line) of this file: \(error.message ?? "SQLite error \(error.resultCode.rawValue)")")
            }
            return try duplicates(of: record, line: line)
        }
        if let twitter = record.twitter {
            insertIdentity.bind(1, userRowID)
            insertIdentity.bind(2, twitter.id.decimalString)
            insertIdentity.bind(3, twitter.screenName)
            insertIdentity.bind(4, twitter.name)
            insertIdentity.bind(5, importTime)
            insertIdentity.bind(6, importTime)
            try insertIdentity.execute()
        }
        return []
    }

    /// Every field of `record` that a row already holds (the store's, or an earlier line's), for a refused record;
    /// or else (all or nothing, when `namingRefusedLines`) a refused line before `line`.
    private func duplicates(
        of record: AccountRecord, line: Int, namingRefusedLines: Bool = true
    ) throws -> [LineProblem] {
        try duplicates(
            of: RecordKeys(
                username: record.username.rawValue, email: record.email?.rawValue,
                twitterID: record.twitter?.id.decimalString),
            line: line, namingRefusedLines: namingRefusedLines)
    }

    /// Every one of `keys` that a row already holds (the store's, or an earlier line's), or else (all or nothing,
    /// when `namingRefusedLines`) a refused line before `line`.
    func duplicates(of keys: RecordKeys, line: Int, namingRefusedLines: Bool = true) throws -> [LineProblem] {
        var problems: [LineProblem] = []
        func report(_ field: Field, _ problem: String) {
            problems.append(LineProblem(line: line, field: format.name(of: field), problem: problem))
        }
        if let username = keys.username {
            userByUsername.bind(1, username)
            if let holder = try userByUsername.firstInteger() {
                let stored = try storedValues(holder).username
                let sameCase = stored == username ? "" : " (as '\(stored)'; usernames ignore case)"
                report(.username, "'\(username)' is already taken by \(owner(holder))\(sameCase)")
            } else if namingRefusedLines, let problem = refusedLineHolding(.username, of: keys, line: line) {
                problems.append(problem)
            }
        }
        if let email = keys.email {
            userByEmail.bind(1, Mailbox.uniquenessKey(email))
            userByEmail.bind(2, email)
            if let holder = try userByEmail.firstInteger() ?? unkeyed[Mailbox.uniquenessKey(email)] {
                let stored = try storedValues(holder).email ?? ""
                let sameCase = stored == email ? "" : " (as '\(stored)'; emails ignore case)"
                report(.email, "'\(email)' is already used by \(owner(holder))\(sameCase)")
            } else if let until = reserved[Mailbox.uniquenessKey(email)] {
                // (reserved by an account already in the store: this import's own rows hold no undo links)
                let time = TransferTimestamp(microseconds: until).description
                report(
                    .email,
                    "'\(email)' is reserved for an account already in the store until \(time) (a change of address"
                        + " moved that account off it, and the undo link mailed to it gives it back)")
            } else if namingRefusedLines, let problem = refusedLineHolding(.email, of: keys, line: line) {
                problems.append(problem)
            }
        }
        if let twitterID = keys.twitterID {
            userByTwitterID.bind(1, twitterID)
            if let holder = try userByTwitterID.firstInteger() {
                report(.twitterUserID, "\(twitterID) is already linked to \(owner(holder))")
            } else if namingRefusedLines, let problem = refusedLineHolding(.twitterUserID, of: keys, line: line) {
                problems.append(problem)
            }
        }
        return problems
    }

    /// A random public id, from secure random bytes drawn 64 KiB at a time.
    private mutating func nextPublicID() -> UserID {
        if randomOffset + 16 > randomBytes.count {
            randomBytes = SecureRandom.bytes(count: 16 * 4096)
            randomOffset = 0
        }
        defer { randomOffset += 16 }
        return UserID.random(fromBytes: randomBytes, at: randomOffset)
    }

    /// The stored username and email of the row `userRowID` (for a duplicate's message).
    private func storedValues(_ userRowID: Int64) throws -> (username: String, email: String?) {
        guard let row = try Row.fetchOne(storedValue, arguments: [userRowID]) else { return ("", nil) }
        return (row[0], row[1])
    }

    /// Who holds a value: `line N of this file` for a row this import wrote, `an account already in the store`
    /// otherwise.
    private func owner(_ userRowID: Int64) -> String {
        guard userRowID > previousMaximum else { return "an account already in the store" }
        return "line \(userRowID - previousMaximum) of this file"
    }

}
