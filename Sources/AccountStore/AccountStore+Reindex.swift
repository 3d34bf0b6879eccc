import AccountMatching
import AccountModel
import GRDB
import Logging
import Synchronization

/// What a reindex did.
public struct ReindexReport: Sendable, Hashable {
    /// The rules version every stored form now has.
    public var rulesVersion: Int
    /// Accounts whose stored form was recomputed (it was older than the rules).
    public var recomputed: Int
    /// Of those, accounts whose normalised mailbox came out different.
    public var changed: Int
    /// Write transactions committed.
    public var batches: Int
    /// Addresses given their uniqueness key (`users.email_key`; stored before the key existed): by this reindex, or
    /// by the store's opening (which keys them) when no reindex has reported it yet.
    public var keyed: Int
    /// Addresses left without a key because another account's address differs from them only in letter case.
    public var conflicts: [EmailConflict]
    /// Addresses reserved for undo links (a change of address moved an account off them) given the uniqueness key
    /// they have now: their stored key was made by a former ``AccountMatching/Mailbox/uniquenessKey(_:)`` (by this
    /// reindex, or by the store's opening, as ``keyed``).
    public var reservationsKeyed: Int
    /// Reserved addresses left with their former key because another account holds their key now (its address, or an
    /// address an earlier undo link restores): ``EmailConflict/username`` is the account the undo link is for.
    public var reservationConflicts: [EmailConflict]

    /// Makes a report.
    public init(
        rulesVersion: Int, recomputed: Int, changed: Int, batches: Int, keyed: Int = 0, conflicts: [EmailConflict] = [],
        reservationsKeyed: Int = 0, reservationConflicts: [EmailConflict] = []
    ) {
        self.rulesVersion = rulesVersion
        self.recomputed = recomputed
        self.changed = changed
        self.batches = batches
        self.keyed = keyed
        self.conflicts = conflicts
        self.reservationsKeyed = reservationsKeyed
        self.reservationConflicts = reservationConflicts
    }
}

/// Two accounts whose stored addresses have one uniqueness key (`ÄNN@x.org` and `änn@x.org`, or a composed and a
/// decomposed accent), stored before the store compared them so. The address keyed first keeps the key; the other
/// stays without one (it still blocks other spellings of itself, and nothing else about its account changes) until
/// one of the two accounts is removed.
public struct EmailConflict: Sendable, Hashable {
    /// The account whose address could not be keyed.
    public var username: String
    /// Its address, as stored.
    public var email: String
    /// The account that holds the key.
    public var holderUsername: String
    /// The holder's address, as stored.
    public var holderEmail: String

    /// Makes a conflict.
    public init(username: String, email: String, holderUsername: String, holderEmail: String) {
        self.username = username
        self.email = email
        self.holderUsername = holderUsername
        self.holderEmail = holderEmail
    }
}

extension AccountStore {
    /// How many accounts have a stored normalised mailbox older than ``AccountMatching/Mailbox/rulesVersion``, or an
    /// address without its uniqueness key that could be given it (not one left without it by an ``EmailConflict``,
    /// which only `accounts reindex` names again), plus the addresses reserved for undo links whose stored key is not
    /// the one they have now and could be given it.
    public func staleNormalisedFormCount() async throws(StoreError) -> Int {
        try await staleNormalisedFormCount(rulesVersion: Mailbox.rulesVersion)
    }

    /// Recomputes stored normalised mailboxes (`users.email_mailbox`) made by rules older than
    /// ``AccountMatching/Mailbox/rulesVersion``, `batchSize` accounts per transaction, and stamps them with the
    /// current version; then gives addresses stored before `users.email_key` existed their uniqueness key
    /// (``AccountMatching/Mailbox/uniquenessKey(_:)``), naming in ``ReindexReport/conflicts`` any that another account
    /// already holds; then, in one transaction, gives the addresses reserved for live undo links the key they have now
    /// when a former version of that function made theirs, naming in ``ReindexReport/reservationConflicts`` any whose
    /// key another account holds (they keep their former key). Nothing else changes (not even `updated_at`): the email
    /// is the same, only its index forms are.
    /// Resumable: a killed run leaves whole batches done and the rest stale, and the next run finishes it.
    /// Stored forms from newer rules (a newer binary) are left alone. When the index of rules versions counts no
    /// stale form, no account is read (nor is `progress` called) for the mailboxes.
    /// - Parameter progress: called after each batch with the accounts looked at so far and the total.
    public func reindex(
        batchSize: Int = 1_000, progress: @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws(StoreError) -> ReindexReport {
        try await reindex(
            rulesVersion: Mailbox.rulesVersion, normalize: Mailbox.normalize, batchSize: batchSize, progress: progress)
    }

    /// The addresses left without a uniqueness key because another account's address has their key (stored before
    /// the store compared letter case in every script), each with its holder. Reads only the addresses without a key
    /// (usually none). `accounts migrate` warns of them on every run, until one of each pair is removed.
    public func emailConflicts() async throws(StoreError) -> [EmailConflict] {
        try await readElsewhere { db in
            let holder = try db.cachedStatement(sql: "SELECT username, email FROM users WHERE email_key = ?")
            return try AccountStore.unkeyedAddresses(db).compactMap { row in
                guard let held = try Row.fetchOne(holder, arguments: [Mailbox.uniquenessKey(row.email)]) else {
                    return nil
                }
                return EmailConflict(
                    username: row.username, email: row.email, holderUsername: held[0], holderEmail: held[1])
            }
        }
    }

    /// The stored addresses that the address rules would refuse as new ones now (they grew stricter since those were
    /// stored: invisible characters in session 59 and 63, C1 controls in 60), each with its account's username and
    /// the problem, the first `limit` by username; and how many there are. Such an account signs in as before, but an
    /// export of the store holding it cannot be imported. Only addresses with a character outside printable ASCII
    /// are looked at (the rules for the others have not changed), through their partial index (migration 0018).
    package func addressesRefusedNow(limit: Int) async throws(StoreError) -> (
        count: Int, examples: [(username: String, email: String, problem: String)]
    ) {
        try await readElsewhere { db in
            var count = 0
            var examples: [(username: String, email: String, problem: String)] = []
            let rows = try Row.fetchCursor(db, sql: Queries.addressesNotASCII)
            while let row = try rows.next() {
                let email: String = row[1]
                guard let problem = EmailAddress.problem(withTrimmed: EmailAddress.trim(email)) else { continue }
                count += 1
                if examples.count < limit { examples.append((row[0], email, problem)) }
            }
            return (count, examples)
        }
    }

    /// Whether this store's opening gave stored addresses (or reservations) their uniqueness key that no
    /// ``reindex(batchSize:progress:)`` has reported yet: the next one reports them, with nothing else to do.
    package var keyedAsItOpened: Bool { keyedAtOpen.isUnreported }

    /// ``staleNormalisedFormCount()`` against any rules version (tests simulate a rules change with it).
    package func staleNormalisedFormCount(rulesVersion: Int) async throws(StoreError) -> Int {
        let now = Timestamp.micros(now())
        return try await readElsewhere { db in
            let stale = try AccountStore.staleReservations(db, now: now)
            return try (Int.fetchOne(db, sql: Queries.staleMailboxCount, arguments: [rulesVersion]) ?? 0)
                + AccountStore.keyableUnkeyedAddressCount(db)
                + AccountStore.planReservationKeys(db, stale: stale, now: now).rekey.count
        }
    }

    /// ``reindex(batchSize:progress:)`` with any rules (tests simulate a rules change with it).
    package func reindex(
        rulesVersion: Int, normalize: @escaping @Sendable (String) -> String?, batchSize: Int = 1_000,
        progress: @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws(StoreError) -> ReindexReport {
        let size = max(1, batchSize)
        var report = ReindexReport(rulesVersion: rulesVersion, recomputed: 0, changed: 0, batches: 0)
        // The pass over every account, a read transaction a batch, only when the rules-version index counts a stale
        // form: until session 64 a reindex with nothing to recompute read them all (3.6 s at 1,000,000 accounts).
        let stale = try await read { db in
            try Int.fetchOne(db, sql: Queries.staleMailboxCount, arguments: [rulesVersion]) ?? 0
        }
        let total = stale > 0 ? try await accountCount() : 0
        var lastID: Int64 = 0
        var looked = 0
        while stale > 0 {
            let after = lastID
            let rows = try await read { db in
                try Row.fetchAll(db, sql: Queries.reindexBatch, arguments: [after, size]).map { row in
                    StoredMailbox(id: row[0], email: row[1], mailbox: row[2], version: row[3])
                }
            }
            guard let last = rows.last else { break }
            lastID = last.id
            looked += rows.count
            let stale = rows.filter { row in row.email != nil && (row.version ?? 0) < rulesVersion }
            if !stale.isEmpty {
                let updates = stale.map { row -> (id: Int64, email: String, mailbox: String, differs: Bool) in
                    let email = row.email ?? ""
                    // An address the rules cannot normalise (`+tag@gmail.com`) keeps its folded form, so the row
                    // stays valid (a stored email always has a mailbox).
                    let mailbox = normalize(email) ?? email.lowercased()
                    return (row.id, email, mailbox, mailbox != row.mailbox)
                }
                let (written, changed) = try await write { db in
                    // (two statements prepared once per connection, not once per row)
                    let stamp = try db.cachedStatement(sql: Queries.reindexStamp)
                    let rewrite = try db.cachedStatement(sql: Queries.reindexRewrite)
                    var (written, changed) = (0, 0)
                    for update in updates {
                        // A stored form that comes out the same, byte for byte, only gets the new version: its entry in
                        // the mailbox index (whose keys are in random order) is neither removed nor written again.
                        try stamp.execute(arguments: [rulesVersion, update.id, update.email, update.mailbox])
                        if db.changesCount > 0 {
                            written += 1
                            continue
                        }
                        try rewrite.execute(arguments: [rulesVersion, update.id, update.email, update.mailbox])
                        if db.changesCount > 0 {
                            written += 1
                            if update.differs { changed += 1 }
                        }
                    }
                    return (written, changed)
                }
                // (only the rows this reindex wrote: another process's reindex, or a writer, may have done the rest
                // since they were read; until session 61 three reindexes at once claimed 34,200 of 20,000 rows)
                report.recomputed += written
                report.changed += changed
                if written > 0 { report.batches += 1 }
            }
            progress(looked, max(total, looked))
        }
        try await addUniquenessKeys(batchSize: size, into: &report)
        // (what the store's opening keyed, before this was called: reported once)
        let atOpen = keyedAtOpen.take()
        report.keyed += atOpen?.addresses ?? 0
        // (after the addresses: a reservation's key is weighed against the keys they have now)
        let now = Timestamp.micros(now())
        if try await !read({ db in try AccountStore.staleReservations(db, now: now) }).isEmpty {
            let reservations = try await write { db in try AccountStore.rekeyReservations(db, now: now) }
            report.reservationsKeyed = reservations.0
            report.reservationConflicts = reservations.1
            if reservations.0 > 0 { report.batches += 1 }
        }
        report.reservationsKeyed += atOpen?.reservations ?? 0
        if report.recomputed > 0 || report.keyed > 0 || report.reservationsKeyed > 0 {
            logger.info(
                "reindexed normalised mailboxes",
                metadata: [
                    "store.reindex.recomputed": "\(report.recomputed)", "store.reindex.changed": "\(report.changed)",
                    "store.reindex.rules_version": "\(rulesVersion)", "store.reindex.keyed": "\(report.keyed)",
                    "store.reindex.reservations_keyed": "\(report.reservationsKeyed)",
                ])
        }
        if !report.conflicts.isEmpty {
            logger.warning(
                "stored addresses differ only in letter case",
                metadata: ["store.reindex.conflicts": "\(report.conflicts.count)"])
        }
        if !report.reservationConflicts.isEmpty {
            logger.warning(
                "addresses reserved for undo links have the key of another account's address",
                metadata: ["store.reindex.reservation_conflicts": "\(report.reservationConflicts.count)"])
        }
        return report
    }

    /// Gives every address without one its uniqueness key, through the partial index of such rows.
    private func addUniquenessKeys(batchSize: Int, into report: inout ReindexReport) async throws(StoreError) {
        var lastID: Int64 = 0
        while true {
            let after = lastID
            let rows = try await read { db in try AccountStore.unkeyedAddresses(db, after: after, limit: batchSize) }
            guard let last = rows.last else { break }
            lastID = last.id
            let outcome = try await write { db in try AccountStore.addUniquenessKeys(db, rows: rows) }
            report.keyed += outcome.0
            report.conflicts += outcome.1
            if outcome.0 > 0 { report.batches += 1 }
        }
    }
}

extension AccountStore {
    /// An address without a uniqueness key: its row, account and text.
    typealias UnkeyedAddress = (id: Int64, username: String, email: String)

    /// The addresses without a uniqueness key (stored before it existed and not keyed yet, or left without it by an
    /// ``EmailConflict``: usually none), by row id after `after`, through their partial index. (A cached statement:
    /// every new account with an address asks, in its write transaction.)
    static func unkeyedAddresses(_ db: Database, after: Int64 = 0, limit: Int = .max) throws -> [UnkeyedAddress] {
        try Row.fetchAll(db.cachedStatement(sql: Queries.unkeyedBatch), arguments: [after, limit]).map { row in
            (id: row[0] as Int64, username: row[1] as String, email: row[2] as String)
        }
    }

    /// Keys `rows` in `db`'s current transaction: how many were keyed, and those another account's key already held.
    static func addUniquenessKeys(_ db: Database, rows: [UnkeyedAddress]) throws -> (Int, [EmailConflict]) {
        var keyed = 0
        var conflicts: [EmailConflict] = []
        for row in rows {
            let key = Mailbox.uniquenessKey(row.email)
            do {
                // `email = ?`: an address changed meanwhile was keyed by its writer; leave it.
                try db.run(
                    sql: "UPDATE users SET email_key = ? WHERE id = ? AND email = ? AND email_key IS NULL",
                    arguments: [key, row.id, row.email])
                if db.changesCount > 0 { keyed += 1 }
            } catch let error where StoreError.isUniqueViolation(error, on: "users.email_key") {
                let holder = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT username, email FROM users WHERE email_key = ?"), arguments: [key])
                conflicts.append(
                    EmailConflict(
                        username: row.username, email: row.email, holderUsername: holder?[0] ?? "",
                        holderEmail: holder?[1] ?? ""))
            }
        }
        return (keyed, conflicts)
    }

    /// Addresses read, checked and keyed at a time when a store keys the addresses still without a key: memory holds
    /// one batch, never the store's addresses (a migration that clears `users.email_key` leaves every one of them).
    static let keyingBatchSize = 1_000

    /// Those of `rows` (addresses without a key) whose key no other row holds yet: those keying would fill. (An address
    /// left without a key by a clash is not among them, so it does not make every `accounts migrate` run a reindex.)
    static func keyable(_ db: Database, _ rows: [UnkeyedAddress]) throws -> [UnkeyedAddress] {
        guard !rows.isEmpty else { return [] }
        let held = try db.cachedStatement(sql: "SELECT 1 FROM users WHERE email_key = ?")
        return try rows.filter { row in
            try Int.fetchOne(held, arguments: [Mailbox.uniquenessKey(row.email)]) == nil
        }
    }

    /// How many addresses without a key could be given it, counted a batch at a time.
    static func keyableUnkeyedAddressCount(_ db: Database) throws -> Int {
        var count = 0
        var after: Int64 = 0
        while true {
            let rows = try unkeyedAddresses(db, after: after, limit: keyingBatchSize)
            guard let last = rows.last else { return count }
            after = last.id
            count += try keyable(db, rows).count
        }
    }

    /// Keys the addresses without a key that can be keyed, ``keyingBatchSize`` at a time: each batch in a transaction
    /// of its own (`ownTransactions`, as a store opens, so the write lock is free between batches and a store cut
    /// short keeps the batches done), or all in `db`'s current transaction. Returns how many were keyed and how many
    /// another row's key held (left without one).
    static func keyKeyableAddresses(_ db: Database, ownTransactions: Bool) throws -> (keyed: Int, conflicts: Int) {
        var keyed = 0
        var conflicts = 0
        var after: Int64 = 0
        while true {
            let rows = try unkeyedAddresses(db, after: after, limit: keyingBatchSize)
            guard let last = rows.last else { return (keyed, conflicts) }
            after = last.id
            guard ownTransactions else {
                let outcome = try addUniquenessKeys(db, rows: try keyable(db, rows))
                (keyed, conflicts) = (keyed + outcome.0, conflicts + outcome.1.count)
                continue
            }
            // (a batch with nothing to key writes nothing; one keyed meanwhile by another process is skipped by the
            // update, one whose key another row took meanwhile is a conflict)
            let candidates = try keyable(db, rows)
            guard !candidates.isEmpty else { continue }
            try db.inTransaction {
                let outcome = try addUniquenessKeys(db, rows: candidates)
                (keyed, conflicts) = (keyed + outcome.0, conflicts + outcome.1.count)
                return .commit
            }
        }
    }

    /// Keys the addresses still without one that can be keyed, ``keyingBatchSize`` to a transaction, each time a
    /// writable store opens (so an app that opens with ``StoreConfiguration/SchemaPolicy/applyPendingMigrations``, or
    /// after ``migrate(_:to:dryRun:migrations:onApplied:onIntegrityCheck:)``, or after a reindex that was cut short,
    /// needs no `accounts reindex` for it); then, in one transaction, gives addresses reserved for live undo links (at `now`) the key they have
    /// now when a former ``AccountMatching/Mailbox/uniquenessKey(_:)`` made theirs (the migration that clears
    /// `users.email_key` for such a change leaves them as they were). Costs one indexed query and a read of the live
    /// reservations (a few) when there is nothing to key. A failure (another process holding the write lock past the
    /// busy timeout) is logged and the store opens all the same, returning `nil`: the store then keys the rest in its
    /// next write transaction that commits, before that write checks or takes any address (``KeyingBacklog``).
    /// Otherwise, how many addresses and reservations it keyed (the next ``reindex(batchSize:progress:)`` reports them).
    static func addMissingUniquenessKeys(_ db: Database, logger: Logger, now: Int64) -> KeyedAtOpen? {
        do {
            let (keyed, conflicts) = try keyKeyableAddresses(db, ownTransactions: true)
            // (after the addresses: a reservation's key is weighed against the keys they have now; one left with its
            // former key by a conflict is not counted: it does not make every open write)
            let stale = try staleReservations(db, now: now)
            var reservations = (0, [EmailConflict]())
            if try !planReservationKeys(db, stale: stale, now: now).rekey.isEmpty {
                try db.inTransaction {
                    reservations = try rekeyReservations(db, now: now)
                    return .commit
                }
            }
            logKeying(logger, keyed: keyed, conflicts: conflicts, reservations: reservations)
            return KeyedAtOpen(addresses: keyed, reservations: reservations.0)
        } catch {
            logger.warning(
                "could not give stored addresses their uniqueness key; the store's next write will",
                metadata: ["store.error": "\(type(of: error))"])
            return nil
        }
    }

    /// Keys the addresses still without one that can be keyed, and gives live reservations (at `now`) the key their
    /// address has now, in `db`'s transaction (``addMissingUniquenessKeys(_:logger:now:)``), logging what it did.
    static func keyMissingUniquenessKeys(_ db: Database, logger: Logger, now: Int64) throws {
        let (keyed, conflicts) = try keyKeyableAddresses(db, ownTransactions: false)
        let reservations = try rekeyReservations(db, now: now)
        logKeying(logger, keyed: keyed, conflicts: conflicts, reservations: reservations)
    }

    /// Logs what a keying of addresses and reservations did.
    private static func logKeying(
        _ logger: Logger, keyed: Int, conflicts: Int, reservations: (keyed: Int, conflicts: [EmailConflict])
    ) {
        if reservations.keyed > 0 {
            logger.info(
                "gave addresses reserved for undo links their uniqueness key",
                metadata: ["store.reindex.reservations_keyed": "\(reservations.keyed)"])
        }
        if !reservations.conflicts.isEmpty {
            logger.warning(
                Logger.Message(
                    stringLiteral: "addresses reserved for undo links have another account's key; "
                        + "AccountStore.reindex() lists them in its report's reservationConflicts"),
                metadata: ["store.reindex.reservation_conflicts": "\(reservations.conflicts.count)"])
        }
        if keyed > 0 {
            logger.info("gave stored addresses their uniqueness key", metadata: ["store.reindex.keyed": "\(keyed)"])
        }
        if conflicts > 0 {
            logger.warning(
                "stored addresses differ only in letter case; AccountStore.emailConflicts() lists them",
                metadata: ["store.reindex.conflicts": "\(conflicts)"])
        }
    }
}

/// What a store's opening keyed (``AccountStore/addMissingUniquenessKeys(_:logger:now:)``), until a reindex reports it:
/// `accounts migrate` and `accounts reindex` open the store first, and said "nothing to reindex" after the opening had
/// written the keys that `migrate --dry-run` said they would (until session 61).
final class KeyedAtOpen: Sendable {
    private let counts: Mutex<(addresses: Int, reservations: Int)?>

    init(addresses: Int, reservations: Int) {
        counts = Mutex(addresses > 0 || reservations > 0 ? (addresses, reservations) : nil)
    }

    /// Whether some are still to report.
    var isUnreported: Bool { counts.withLock { $0 != nil } }

    /// The counts, once: `nil` after the first take.
    func take() -> (addresses: Int, reservations: Int)? {
        counts.withLock { counts in
            defer { counts = nil }
            return counts
        }
    }
}

/// Whether a store still has to key the addresses it could not key as it opened (another process held the write lock
/// past the busy timeout): its next write transaction keys them before anything else, and the first that commits ends
/// the backlog. Shared by the copies of one store; a flag read per write when there is none.
final class KeyingBacklog: Sendable {
    private let pending: Atomic<Bool>

    init(pending: Bool) {
        self.pending = Atomic(pending)
    }

    /// Whether the keying is still to do.
    var isPending: Bool { pending.load(ordering: .acquiring) }

    /// Records that a committed transaction did the keying.
    func done() {
        pending.store(false, ordering: .releasing)
    }
}

private struct StoredMailbox: Sendable {
    var id: Int64
    var email: String?
    var mailbox: String?
    var version: Int?
}

extension Queries {
    /// Accounts whose stored mailbox is older than the rules (two index lookups: older version, or none).
    package static let staleMailboxCount = """
        SELECT (SELECT count(*) FROM users WHERE email IS NOT NULL AND email_rules_version < ?1)
             + (SELECT count(*) FROM users WHERE email IS NOT NULL AND email_rules_version IS NULL)
        """
    /// The next addresses without a uniqueness key, by internal id (the partial index `users_email_key_missing`).
    package static let unkeyedBatch = """
        SELECT id, username, email FROM users INDEXED BY users_email_key_missing
        WHERE email IS NOT NULL AND email_key IS NULL AND id > ? ORDER BY id LIMIT ?
        """
    /// A reindex's update of a stale row whose recomputed mailbox (`?4`) is the one stored: only the rules version
    /// (`?1`) changes, so neither the mailbox index nor the row's checks are touched. `email = ?3`: an email changed
    /// meanwhile was normalised by its writer; leave it.
    package static let reindexStamp = """
        UPDATE users SET email_rules_version = ?1
        WHERE id = ?2 AND email = ?3 AND email_mailbox = ?4
          AND (email_rules_version IS NULL OR email_rules_version < ?1)
        """
    /// A reindex's update of a stale row whose recomputed mailbox (`?4`) differs from the stored one (or matched no
    /// row as ``reindexStamp``): the mailbox and the rules version (`?1`).
    package static let reindexRewrite = """
        UPDATE users SET email_mailbox = ?4, email_rules_version = ?1
        WHERE id = ?2 AND email = ?3 AND (email_rules_version IS NULL OR email_rules_version < ?1)
        """
    /// The accounts whose address has a character outside printable ASCII, by username, through the partial index
    /// `users_email_not_ascii` (whose condition this is, word for word): `accounts migrate` and `accounts reindex`
    /// look at them on every run. Until migration 0018 this read every account (4.4 s at 1,000,000).
    package static let addressesNotASCII =
        "SELECT username, email FROM users WHERE email GLOB '*[^ -~]*' ORDER BY username"
    /// The next accounts by internal id, for a reindex pass.
    package static let reindexBatch =
        "SELECT id, email, email_mailbox, email_rules_version FROM users WHERE id > ? ORDER BY id LIMIT ?"
}
