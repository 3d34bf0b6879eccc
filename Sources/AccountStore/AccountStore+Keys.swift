import AccountCrypto
import AccountModel
package import Foundation
import GRDB

/// How many sealed values one key id holds, per kind (`accounts keys status`).
public struct SealedValueCount: Sendable, Hashable {
    /// The key id recorded with the values.
    public var keyID: String
    /// Twitter access-token secrets.
    public var credentials: Int
    /// Request-token secrets of pending authorizations.
    public var pendingAuthorizations: Int
    /// Access-token secrets of registration drafts.
    public var drafts: Int

    /// Makes a count.
    public init(keyID: String, credentials: Int, pendingAuthorizations: Int, drafts: Int) {
        self.keyID = keyID
        self.credentials = credentials
        self.pendingAuthorizations = pendingAuthorizations
        self.drafts = drafts
    }

    /// All values under this key id.
    public var total: Int { credentials + pendingAuthorizations + drafts }

    /// Equal when the key ids are the same bytes (not merely the same text in another Unicode form, which is another
    /// key id) and the counts are equal.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        KeyRing.sameKeyID(lhs.keyID, rhs.keyID) && lhs.credentials == rhs.credentials
            && lhs.pendingAuthorizations == rhs.pendingAuthorizations && lhs.drafts == rhs.drafts
    }

    /// Hashes the key id's bytes and the counts, as `==` compares them.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(Array(keyID.utf8))
        hasher.combine(credentials)
        hasher.combine(pendingAuthorizations)
        hasher.combine(drafts)
    }
}

/// What a rewrap did.
public struct RewrapReport: Sendable, Hashable {
    /// The key every value is now sealed under.
    public var keyID: String
    /// Values re-sealed by this run.
    public var rewrapped: Int
    /// Batches committed by this run.
    public var batches: Int

    /// Equal when the key ids are the same bytes (as for ``SealedValueCount``) and the numbers are equal.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        KeyRing.sameKeyID(lhs.keyID, rhs.keyID) && lhs.rewrapped == rhs.rewrapped && lhs.batches == rhs.batches
    }

    /// Hashes the key id's bytes and the numbers, as `==` compares them.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(Array(keyID.utf8))
        hasher.combine(rewrapped)
        hasher.combine(batches)
    }
}

extension AccountStore {
    /// Counts sealed values by the key id that sealed them and by kind, ordered by the ids' UTF-8 bytes.
    ///
    /// Ids are told apart by their bytes, as SQLite groups them and as sealed values record them: the same text in
    /// two Unicode forms (`"caf\u{E9}"`, `"cafe\u{301}"`) is two ids, each counted apart.
    public func sealedValueCounts() async throws(StoreError) -> [SealedValueCount] {
        try await readElsewhere { db in
            // Keyed by bytes: a `String` key merged equivalent ids, and the later one's count replaced the earlier's.
            var counts: [[UInt8]: SealedValueCount] = [:]
            for kind in SealedKind.allCases {
                let rows = try Row.fetchAll(
                    db, sql: "SELECT key_id, count(*) FROM \(kind.rawValue) GROUP BY key_id")
                for row in rows {
                    // (another program may have written the id as a blob, even of bytes that are no UTF-8 text:
                    // ``storedKeyID(_:)``)
                    let keyID = AccountStore.storedKeyID(row[0])
                    let count: Int = row[1]
                    let bytes = Array(keyID.utf8)
                    var entry =
                        counts[bytes]
                        ?? SealedValueCount(keyID: keyID, credentials: 0, pendingAuthorizations: 0, drafts: 0)
                    // (added, not set: SQLite groups the same id as text and as a blob apart)
                    switch kind {
                    case .credential: entry.credentials += count
                    case .pendingAuthorization: entry.pendingAuthorizations += count
                    case .draft: entry.drafts += count
                    }
                    counts[bytes] = entry
                }
            }
            return counts.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map(\.value)
        }
    }

    /// How far the keys file's change time may be from this process's clock and still count as recent to
    /// ``rewrapSealedValues(batchSize:actor:progress:)``: a minute.
    static let keysFileClockAllowance: TimeInterval = 60

    /// Re-seals every sealed value that is not under the key ring's first key, `batchSize` values per transaction.
    ///
    /// Resumable: each committed batch is final and the next run starts from what is left, so a killed rewrap is
    /// finished by running it again. Refused before anything changes when values are sealed under a key id that is
    /// not in the ring. Records one `keys_rewrapped` event per run that re-sealed anything, written and dated with the
    /// first batch that moved a value, its count brought up to date in the transaction of each later one, so the audit
    /// trail counts what is committed even when the run stops half way (a value that does not open, a kill). With a
    /// ring that follows a keys file changed less than a minute ago (by its change time against the store's clock),
    /// waits until every process following that file has looked at it since the run began (its recheck interval, 2 s,
    /// and a second more, on the monotonic clock), then sweeps again for values sealed meanwhile under the old first
    /// key. It ends with a check, in a write transaction of its own, that no value is left under
    /// another key (a write that waited for the lock meanwhile has landed, or will seal with the ring as it is then);
    /// one that finds some sweeps again, up to three times.
    ///
    /// A cancelled task stops before its next batch (or at once, while it waits for the followers) with
    /// ``StoreError/rewrapCancelled(keyID:rewrapped:)``: the batches committed stay, every value opens under the ring,
    /// and running it again finishes the work.
    /// - Parameter progress: called after each batch with the values done so far and the total to do; the total is
    ///   counted again when a sweep begins after the first (values sealed meanwhile under an old key join it), so the
    ///   count done never passes it.
    /// - Parameter batchSize: values a transaction; less than 1 is 1.
    public func rewrapSealedValues(
        batchSize: Int = 500, actor: String = "cli", progress: @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws(StoreError) -> RewrapReport {
        // (at least one a batch, as `reindex` takes it: 0 moved nothing and blamed another process for what was left,
        // and a negative size was SQLite's `LIMIT -1`, every value in one transaction)
        let batchSize = max(1, batchSize)
        // (one set of keys for the whole run: a keys file changed meanwhile must not change the key it seals under)
        let followedRing = try requireKeyRing()
        let keyRing = followedRing.snapshot
        let target = keyRing.sealingKeyID
        if Task.isCancelled { throw .rewrapCancelled(keyID: target, rewrapped: 0) }
        // Apps following the keys file look at it again at most every 2 s: until then one may still seal new values
        // under the old first key, after this run has passed them. A run begun soon after the file's last change
        // sweeps again once every follower has looked at the file since the run began (the recheck interval, on this
        // process's monotonic clock, and a second for a write sealed just before, under way). The file's change time
        // is another clock's (a file server's, or this one's before a step), so it only tells that the change is long
        // past: a minute either way of this clock counts as soon. (Until session 62 the run slept until that time
        // plus 3 s, for hours when the change time was ahead of this clock, and swept once when this clock ran
        // ahead of it.)
        let runStarted = ContinuousClock.now
        let recentChange = followedRing.followersSeeTheFileBy.map {
            $0 + 1 + Self.keysFileClockAllowance > now().timeIntervalSince1970
        }
        let sweeps = recentChange == true ? 2 : 1
        let followersCaughtUp = runStarted + (followedRing.followersRecheckInterval ?? .zero) + .seconds(1)
        let counts = try await sealedValueCounts()
        let unknown = counts.filter { !keyRing.holdsKey(withID: $0.keyID) }
        if let missing = unknown.first {
            // An id of the ring that prints the same (the same text in another Unicode form) is not that key: say so,
            // with both ids spelled out, or the message would name a key the operator sees in the ring.
            let lookalike = keyRing.keyIDs.first { $0 == missing.keyID }.map { id in
                " (the ring's key \(KeyRingError.shownEscaped(id)) looks the same, but the values' key id is "
                    + "\(KeyRingError.shownEscaped(missing.keyID)): the same text in another Unicode form, other bytes)"
            }
            throw .secret(
                kind: "values",
                reason:
                    "\(missing.total) are sealed under key \(KeyRingError.shown(missing.keyID)), which is not in the key "
                    + "ring\(lookalike ?? ""). If that key is newer than this ring's first (a rotation made with "
                    + "another ring: apps seal under it), run the rewrap with the ring that has it first, not this "
                    + "one: this ring would move the values back from it. If it is older, add it to this ring after "
                    + "the first key and run again")
        }
        var run = RewrapRun(
            target: target, keyRing: keyRing, batchSize: batchSize, actor: actor,
            total: counts.filter { !keyRing.isSealingKeyID($0.keyID) }.reduce(0) { $0 + $1.total })
        do {
            for sweep in 0..<sweeps {
                if sweep > 0 {
                    if ContinuousClock.now < followersCaughtUp {
                        // (a cancelled task stops here, not after the wait: an app shutting down)
                        try await Task.sleep(until: followersCaughtUp, clock: .continuous)
                    }
                    try await run.recount(self)
                }
                for kind in SealedKind.allCases { try await run.sweep(kind, in: self, progress: progress) }
            }
            // The last look, with the write lock held: a write that sealed under the old key and waited for the lock
            // has landed by now, and one that has not seals in its own transaction, later, with the ring as its
            // process has it then (every follower has seen the file by now): nothing is left under another key once
            // this returns.
            var rounds = 0
            while try await AccountStore.anyLeft(under: target, in: self) {
                rounds += 1
                if rounds > AccountStore.fruitlessRewrapBatches {
                    throw StoreError.secret(
                        kind: "values",
                        reason:
                            "values sealed under an old key were written again after each of \(rounds - 1) sweeps: "
                            + "another process is still sealing under the old first key; stop the processes that use "
                            + "the old key ring (or restart those given ACCOUNTS_KEYS with the new keys), then run "
                            + "again (\(run.done) values were rewrapped)")
                }
                try await run.recount(self)
                for kind in SealedKind.allCases { try await run.sweep(kind, in: self, progress: progress) }
            }
        } catch let error where AccountStore.isCancellation(error) {
            // (the batch under way, if any, either committed, and is counted, or changed nothing)
            throw .rewrapCancelled(keyID: target, rewrapped: run.done)
        } catch let error as StoreError {
            throw error
        } catch {
            throw storeError(error)
        }
        return RewrapReport(keyID: target, rewrapped: run.done, batches: run.batches)
    }

    /// Whether `error` is the rewrap's task being cancelled: its wait cut short (`CancellationError`), a write the
    /// store gave up for it (which the store reports as that error's name), or the run's own stop before a batch. Any
    /// other error (a full disk, a value that does not open, a database migrated past this build) keeps its own
    /// message, cancelled or not.
    static func isCancellation(_ error: any Error) -> Bool {
        switch error {
        case is CancellationError, StoreError.rewrapCancelled, StoreError.database(_, -1, "CancellationError"):
            return true
        default:
            return false
        }
    }

    /// Whether any value of any kind is sealed under another key than `target`, read in a write transaction (so that
    /// no write is under way meanwhile). Each probe is answered from the table's `key_id` index (`<` or `>` rather
    /// than `<>`, which SQLite answers by reading every row): the write lock is held for microseconds, not for a scan
    /// of a million credentials. It writes nothing, so its commit does not wait for the disk.
    static func anyLeft(under target: String, in store: AccountStore) async throws(StoreError) -> Bool {
        try await store.write(durable: false) { db in
            try SealedKind.allCases.contains { kind in
                try Bool.fetchOne(db, sql: AccountStore.anyNotUnderSQL(kind), arguments: [target]) ?? false
            }
        }
    }

    /// Whether any row of `kind` is sealed under another key than `?1`, from the `key_id` index alone.
    package static func anyNotUnderSQL(_ kind: SealedKind) -> String {
        "SELECT EXISTS (SELECT 1 FROM \(kind.rawValue) WHERE key_id < ?1 OR key_id > ?1)"
    }

    /// One rewrap run's state: what it has done, and how it sweeps a kind of sealed value.
    struct RewrapRun {
        let target: String
        let keyRing: KeyRing
        let batchSize: Int
        let actor: String
        /// The values to do, as counted when the run or its latest sweep began, plus any found since.
        var total: Int
        var done = 0
        var batches = 0
        var eventRowID: Int64?

        /// Counts again what is left to do, for the progress shown by a sweep after the first.
        mutating func recount(_ store: AccountStore) async throws(StoreError) {
            let target = target
            let left = try await store.sealedValueCounts().filter { !KeyRing.sameKeyID($0.keyID, target) }
            total = done + left.reduce(0) { $0 + $1.total }
        }

        /// Moves every value of `kind` not under the target to it, a batch per transaction.
        mutating func sweep(
            _ kind: SealedKind, in store: AccountStore, progress: @Sendable (Int, Int) -> Void
        ) async throws(StoreError) {
            let (target, keyRing, batchSize, actor) = (target, keyRing, batchSize, actor)
            // Batches in a row that replaced none of the values they read: each had changed since (a process still
            // sealing under the old first key) or cannot be matched (written in another form by another program).
            var fruitless = 0
            // Each batch reads on from the last row of the one before (by row id, through the primary key), so a
            // pass over the table is linear, not a scan from its start past every row moved already; a pass that
            // reaches the end starts another for the rows that changed meanwhile, until one finds none.
            var after: String?
            while true {
                if Task.isCancelled { throw .rewrapCancelled(keyID: target, rewrapped: done) }
                let cursor = after
                let rows = try await store.read { db in
                    try AccountStore.sealedRows(db, kind: kind, notUnder: target, after: cursor, limit: batchSize)
                }
                if rows.isEmpty {
                    if after == nil { break }
                    after = nil
                    continue
                }
                after = rows.last?.rowID
                var resealed: [(rowID: String, read: Data, blob: Data)] = []
                for row in rows {
                    let secret: String
                    do {
                        secret = try AccountStore.open(row.blob, kind: kind, rowKey: row.rowKey, keyRing: keyRing)
                    } catch {
                        // The row, so that the operator can find it (earlier batches are committed; this one is not).
                        let owner = kind == .credential ? " of Twitter user \(row.rowKey)" : ""
                        let reason = if case .secret(_, let reason) = error { reason } else { error.description }
                        if let keyID = KeyRing.keyID(ofSealed: Array(row.blob)), !keyRing.holdsKey(withID: keyID) {
                            // Sealed meanwhile (after the check above) by a process whose ring has a key this one
                            // lacks: a sound value, which the ring, not the row, is short of.
                            throw .secret(
                                kind: "\(kind.label)\(owner) (\(kind.rawValue) row \(kind.rowIDColumn) \(row.rowID))",
                                reason:
                                    "it was sealed under key \(KeyRingError.shown(keyID)) while this rewrap ran, by "
                                    + "another process whose ring holds that key, which this one does not; earlier "
                                    + "batches were rewrapped, this one was not. If that key is newer than this "
                                    + "ring's first (another rewrap, or apps, seal under it), run the rewrap with the "
                                    + "ring that has it first, not this one: this ring would move the values back "
                                    + "from it. If it is older, add it to this ring after the first key and run again")
                        }
                        // A wrong key under a held id fails every value sealed under that id alike: deleting
                        // rows one by one, as for one altered row, would throw sound tokens away.
                        let failedAuthentication = reason == OpenError.authenticationFailed.description
                        let wrongKey =
                            if failedAuthentication, let keyID = KeyRing.keyID(ofSealed: Array(row.blob)) {
                                " (when values under key \(KeyRingError.shown(keyID)) fail alike, the ring's key of "
                                    + "that id is not the one that sealed them: put that key back in the ring, and "
                                    + "delete nothing)"
                            } else { "" }
                        throw .secret(
                            kind: "\(kind.label)\(owner) (\(kind.rawValue) row \(kind.rowIDColumn) \(row.rowID))",
                            reason: reason
                                + "; earlier batches were rewrapped, this one was not: repair or delete that "
                                + "row, then run again" + wrongKey)
                    }
                    resealed.append(
                        (
                            row.rowID, row.blob,
                            try AccountStore.seal(secret, kind: kind, rowKey: row.rowKey, keyRing: keyRing).blob
                        ))
                }
                let batch = resealed
                let (doneBefore, knownEventRowID, clock) = (done, eventRowID, store.now)
                let (written, stillOld, rowID) = try await store.write { db in
                    let at = clock()
                    var written = 0
                    var stillOld = 0
                    for value in batch {
                        if try AccountStore.replaceSealed(
                            db, kind: kind, rowID: value.rowID, read: value.read, with: value.blob, keyID: target)
                        {
                            written += 1
                        } else if try AccountStore.isUnderAnotherKey(db, kind: kind, rowID: value.rowID, than: target) {
                            // (changed since it was read, and still not under the target: re-sealed under an old key)
                            stillOld += 1
                        }
                    }
                    guard written > 0 else { return (0, stillOld, knownEventRowID) }
                    let event = AccountEvent(
                        kind: .keysRewrapped, subject: nil, actor: actor,
                        details: ["key_id": target, "values": String(doneBefore + written)], occurredAt: at)
                    return (
                        written, stillOld, try AccountStore.recordRewrapEvent(db, event, replacing: knownEventRowID)
                    )
                }
                done += written
                eventRowID = rowID
                batches += 1
                // (values sealed under an old key meanwhile, and moved too, join the total: it is never passed)
                total = max(total, done)
                progress(done, total)
                // A batch whose values another run moved to the target meanwhile, or that were deleted, is done, not
                // stuck: two rewraps at once both finish.
                fruitless = written == 0 && stillOld > 0 ? fruitless + 1 : 0
                if fruitless == AccountStore.fruitlessRewrapBatches {
                    // Reading the same rows again would never end.
                    throw .secret(
                        kind: "\(kind.label) values (\(kind.rawValue))",
                        reason:
                            "\(rows.count) sealed under an old key changed each time they were re-sealed "
                            + "(\(fruitless) tries in a row): another process is still sealing them under the old first "
                            + "key, or wrote them in a form this store does not read back; stop the processes that use "
                            + "the old key ring, then run again (\(done) values were rewrapped)")
                }
            }
        }
    }

    /// A stored `key_id` as text: text as it is, a blob's bytes decoded as UTF-8 (bytes that are no UTF-8 become
    /// U+FFFD, so the id is in no ring, and `keys status` spells it out), anything else (`NULL`, a number) as SQLite
    /// prints it.
    static func storedKeyID(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .string(let text): text
        case .blob(let data): String(decoding: data, as: UTF8.self)
        case .int64(let number): String(number)
        case .double(let number): String(number)
        case .null: ""
        }
    }

    /// How many batches in a row may replace none of the values they read before a rewrap gives up.
    static let fruitlessRewrapBatches = 3

    /// Writes a run's `keys_rewrapped` event, or brings the count of the one it wrote with an earlier batch (row
    /// `rowID`) up to date; returns the event's row id. The event keeps the time of the batch that wrote it, as its
    /// place in the trail: dated later, it would read as newer than the events recorded after it (a sign-in between
    /// two batches), and the trail's times would no longer follow the order its events were recorded in.
    static func recordRewrapEvent(_ db: Database, _ event: AccountEvent, replacing rowID: Int64?) throws -> Int64 {
        if let rowID {
            try db.run(
                sql: "UPDATE account_events SET details = ? WHERE id = ?",
                arguments: [encodeDetails(event.details), rowID])
            return rowID
        }
        try insertEvent(db, event)
        return db.lastInsertedRowID
    }

    /// Replaces a sealed value that rewrap read with its value sealed under `keyID`, if the row still holds what was
    /// read. A row another process rewrote meanwhile (an app instance still sealing under the old key, refreshing a
    /// credential) keeps its new secret and comes back in the next batch: replacing it paired the new access token
    /// with the old secret. `key_id <> ?` keeps a concurrent run from double-counting a row it already moved.
    /// - Returns: whether the row was replaced.
    static func replaceSealed(
        _ db: Database, kind: SealedKind, rowID: String, read: Data, with blob: Data, keyID: String
    ) throws -> Bool {
        try db.run(
            sql: """
                UPDATE \(kind.rawValue) SET sealed_secret = ?, key_id = ?
                WHERE \(kind.rowIDColumn) = ? AND key_id <> ? AND sealed_secret = ?
                """,
            arguments: [blob, keyID, rowID, keyID, read])
        return db.changesCount == 1
    }

    /// Whether the row `rowID` of `kind` still exists and is sealed under another key than `keyID`.
    static func isUnderAnotherKey(_ db: Database, kind: SealedKind, rowID: String, than keyID: String) throws -> Bool {
        try Bool.fetchOne(
            db,
            sql: "SELECT EXISTS (SELECT 1 FROM \(kind.rawValue) WHERE \(kind.rowIDColumn) = ? AND key_id <> ?)",
            arguments: [rowID, keyID]) ?? false
    }

    /// ``replaceSealed(_:kind:rowID:read:with:keyID:)`` in a transaction of its own (for tests of the rule).
    package func replaceSealedValue(
        kind: SealedKind, rowID: String, read: Data, with blob: Data, keyID: String
    ) async throws(StoreError) -> Bool {
        try await write { db in
            try AccountStore.replaceSealed(db, kind: kind, rowID: rowID, read: read, with: blob, keyID: keyID)
        }
    }

    struct SealedRow: Sendable {
        var rowID: String
        var rowKey: String
        var blob: Data
    }

    /// Up to `limit` rows of `kind` not sealed under `keyID`, in row id order, after the row `after` (all when `nil`).
    static func sealedRows(
        _ db: Database, kind: SealedKind, notUnder keyID: String, after: String? = nil, limit: Int
    ) throws -> [SealedRow] {
        // (the cursor's condition only when there is one: `?2 IS NULL OR id > ?2` would keep the planner from
        // starting at the cursor in the primary key, and each batch would scan from the start again)
        let sql: String
        switch kind {
        case .credential:
            sql = """
                SELECT CAST(c.identity_id AS TEXT), i.twitter_user_id, c.sealed_secret FROM twitter_credentials c
                JOIN twitter_identities i ON i.id = c.identity_id
                WHERE c.key_id <> ?1 \(after == nil ? "" : "AND c.identity_id > CAST(?2 AS INTEGER)")
                ORDER BY c.identity_id LIMIT ?3
                """
        case .pendingAuthorization:
            sql = """
                SELECT CAST(id AS TEXT), request_token, sealed_secret FROM pending_authorizations
                WHERE key_id <> ?1 \(after == nil ? "" : "AND id > CAST(?2 AS INTEGER)") ORDER BY id LIMIT ?3
                """
        case .draft:
            sql = """
                SELECT id, id, sealed_secret FROM registration_drafts
                WHERE key_id <> ?1 \(after == nil ? "" : "AND id > ?2") ORDER BY id LIMIT ?3
                """
        }
        return try Row.fetchAll(db, sql: sql, arguments: [keyID, after, limit]).map { row in
            SealedRow(rowID: row[0], rowKey: row[1], blob: AccountStore.sealedBlob(row, 2))
        }
    }
}

extension AccountStore.SealedKind {
    var rowIDColumn: String {
        switch self {
        case .credential: return "identity_id"
        case .pendingAuthorization, .draft: return "id"
        }
    }
}
