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

    /// Re-seals every sealed value that is not under the key ring's first key, `batchSize` values per transaction.
    ///
    /// Resumable: each committed batch is final and the next run starts from what is left, so a killed rewrap is
    /// finished by running it again. Refused before anything changes when values are sealed under a key id that is
    /// not in the ring. Records one `keys_rewrapped` event per run that re-sealed anything, written and dated with the
    /// first batch that moved a value, its count brought up to date in the transaction of each later one, so the audit
    /// trail counts what is committed even when the run stops half way (a value that does not open, a kill). With a
    /// ring that follows a keys file changed less than its recheck interval ago (2 s), waits until every process
    /// following that file has seen the change, and a second more, then sweeps again for values sealed meanwhile
    /// under the old first key.
    /// - Parameter progress: called after each batch with the values done so far and the total to do.
    public func rewrapSealedValues(
        batchSize: Int = 500, actor: String = "cli", progress: @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws(StoreError) -> RewrapReport {
        // (one set of keys for the whole run: a keys file changed meanwhile must not change the key it seals under)
        let followedRing = try requireKeyRing()
        let keyRing = followedRing.snapshot
        // Apps following the keys file look at it again at most every 2 s: until then one may still seal new values
        // under the old first key, after this run has passed them. A run begun before every follower can have seen the
        // file's last change sweeps again once they have (and a second for a write sealed just before, under way).
        let followersCaughtUp = followedRing.followersSeeTheFileBy.map { Date(timeIntervalSince1970: $0 + 1) }
        let sweeps = (followersCaughtUp.map { $0 > Date() } ?? false) ? 2 : 1
        let target = keyRing.sealingKeyID
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
                    + "ring\(lookalike ?? ""); "
                    + "add that key to the ring (after the new first key) and run again")
        }
        let toDo = counts.filter { !keyRing.isSealingKeyID($0.keyID) }.reduce(0) { $0 + $1.total }
        var done = 0
        var batches = 0
        var eventRowID: Int64?
        for (sweep, kind) in (0..<sweeps).flatMap({ sweep in SealedKind.allCases.map { (sweep, $0) } }) {
            if sweep > 0 && kind == SealedKind.allCases.first, let wait = followersCaughtUp?.timeIntervalSinceNow,
                wait > 0
            {
                try? await Task.sleep(for: .seconds(wait))
            }
            // Batches in a row that replaced none of the values they read: each had changed since (a process still
            // sealing under the old first key) or cannot be matched (written in another form by another program).
            var fruitless = 0
            // Each batch reads on from the last row of the one before (by row id, through the primary key), so a
            // pass over the table is linear, not a scan from its start past every row moved already; a pass that
            // reaches the end starts another for the rows that changed meanwhile, until one finds none.
            var after: String?
            while true {
                let cursor = after
                let rows = try await read { db in
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
                                    + "a process whose ring holds that key, which this one does not; earlier batches "
                                    + "were rewrapped, this one was not: add that key to the ring (after the new first "
                                    + "key) and run again")
                        }
                        throw .secret(
                            kind: "\(kind.label)\(owner) (\(kind.rawValue) row \(kind.rowIDColumn) \(row.rowID))",
                            reason: reason
                                + "; earlier batches were rewrapped, this one was not: repair or delete that "
                                + "row, then run again")
                    }
                    resealed.append(
                        (
                            row.rowID, row.blob,
                            try AccountStore.seal(secret, kind: kind, rowKey: row.rowKey, keyRing: keyRing).blob
                        ))
                }
                let batch = resealed
                let (doneBefore, knownEventRowID, clock) = (done, eventRowID, now)
                let (written, stillOld, rowID) = try await write { db in
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
                progress(done, toDo)
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
        return RewrapReport(keyID: target, rewrapped: done, batches: batches)
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
