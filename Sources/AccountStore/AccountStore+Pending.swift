import AccountCrypto
import AccountMatching
public import AccountModel
import Foundation
import GRDB
import GRDBSQLite
import Logging
import Synchronization

extension AccountStore {
    /// How long an expired pending authorization is kept after it expired (an hour, in microseconds).
    static let expiredPendingAuthorizationsKept: Int64 = 3_600_000_000

    /// How many used or expired pending authorizations a browser session keeps (the newest), beside its live ones.
    static let settledPendingAuthorizationsKept = 20

    /// Saves a pending authorization, its request-token secret sealed and bound to the request token.
    ///
    /// At most `perSessionLimit` live ones per browser session (used and expired ones do not count; the session keeps
    /// the newest 20 of those) and `totalLimit` in all: the oldest beyond either limit are dropped first, so a flood of
    /// starts cannot grow the table without bound. Expired ones are removed
    /// an hour after they expired (a late callback is then still told it was late).
    public func savePendingAuthorization(
        _ pending: PendingAuthorization, perSessionLimit: Int = 5, totalLimit: Int = 100_000
    ) async throws(StoreError) {
        let keyRing = try requireKeyRing()
        try await write { db in
            let sealed = try AccountStore.sealInWrite(
                db, pending.requestTokenSecret.revealed, kind: .pendingAuthorization, rowKey: pending.requestToken,
                keyRing: keyRing)
            let now = Timestamp.micros(self.now())
            let linkUserRowID = try pending.linkUser.map { user in
                try AccountStore.requireUserRecord(db, .id(user)).id!
            }
            // Expired ones are kept for an hour, so that a late callback is told it came too late (`expired`) rather
            // than that nothing was under way, however many sign-ins others began meanwhile.
            try db.run(
                sql: "DELETE FROM pending_authorizations WHERE expires_at <= ?",
                arguments: [now - Self.expiredPendingAuthorizationsKept])
            // The cap counts live ones only: a sign-in still waiting at Twitter is not dropped for the used or expired
            // ones of the same session, which are kept (for an honest `already_used` or `expired`) up to their own cap.
            try db.run(
                sql: """
                    DELETE FROM pending_authorizations WHERE id IN (
                        SELECT id FROM pending_authorizations
                        WHERE browser_session = ?1 AND consumed_at IS NULL AND expires_at > ?2
                        ORDER BY created_at DESC, id DESC LIMIT -1 OFFSET ?3)
                    """, arguments: [pending.browserSession, now, max(perSessionLimit - 1, 0)])
            try db.run(
                sql: """
                    DELETE FROM pending_authorizations WHERE id IN (
                        SELECT id FROM pending_authorizations
                        WHERE browser_session = ?1 AND (consumed_at IS NOT NULL OR expires_at <= ?2)
                        ORDER BY created_at DESC, id DESC LIMIT -1 OFFSET ?3)
                    """, arguments: [pending.browserSession, now, Self.settledPendingAuthorizationsKept])
            // By row id, newest last (no sort of the whole table inside the write lock: with 50,000 rows it made
            // every begin 30 times slower); gaps left by deletions only make it drop a little more.
            try db.run(
                sql: """
                    DELETE FROM pending_authorizations
                    WHERE id <= (SELECT max(id) FROM pending_authorizations) - ?
                    """, arguments: [max(totalLimit - 1, 0)])
            try db.run(
                sql: """
                    INSERT INTO pending_authorizations (request_token, sealed_secret, key_id, browser_session, purpose,
                        link_user_id, created_at, expires_at, consumed_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)
                    """,
                arguments: [
                    pending.requestToken, sealed.blob, sealed.keyID, pending.browserSession,
                    pending.purpose.rawValue, linkUserRowID, Timestamp.micros(pending.createdAt),
                    Timestamp.micros(pending.expiresAt),
                ])
        }
    }

    /// The pending authorizations of a browser session that are neither expired nor consumed, newest first, their
    /// secrets opened. The caller compares the callback's token against them in constant time.
    public func livePendingAuthorizations(browserSession: String) async throws(StoreError) -> [PendingAuthorization] {
        let keyRing = try requireKeyRing()
        let now = Timestamp.micros(now())
        let rows = try await read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT p.request_token, p.sealed_secret, p.browser_session, p.purpose, u.public_id, p.created_at,
                            p.expires_at, p.consumed_at
                        FROM pending_authorizations p LEFT JOIN users u ON u.id = p.link_user_id
                        WHERE p.browser_session = ? AND p.expires_at > ? AND p.consumed_at IS NULL
                        ORDER BY p.created_at DESC, p.id DESC
                        """), arguments: [browserSession, now]
            ).map(PendingRow.init(row:))
        }
        var result: [PendingAuthorization] = []
        for row in rows { result.append(try AccountStore.pendingAuthorization(row, keyRing: keyRing)) }
        return result
    }

    /// The request tokens of the live pending authorizations bound to `browserSession`, newest first, their secrets
    /// left sealed: a callback finds its own among them, then opens that one only (one sealed under a key dropped
    /// since cannot fail the others).
    package func livePendingRequestTokens(browserSession: String) async throws(StoreError) -> [String] {
        let now = Timestamp.micros(now())
        return try await read { db in
            try String.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT request_token FROM pending_authorizations
                        WHERE browser_session = ? AND expires_at > ? AND consumed_at IS NULL
                        ORDER BY created_at DESC, id DESC
                        """), arguments: [browserSession, now])
        }
    }

    /// The browser-session binding of the pending authorization for `requestToken` in any state, and whether it was
    /// used, without opening its secret; `nil` when unknown.
    package func pendingAuthorizationState(requestToken: String) async throws(StoreError) -> (
        browserSession: String, consumed: Bool
    )? {
        try await read { db in
            try Row.fetchOne(
                db.cachedStatement(
                    sql:
                        "SELECT browser_session, consumed_at IS NOT NULL FROM pending_authorizations WHERE request_token = ?"
                ),
                arguments: [requestToken]
            ).map { (browserSession: $0[0], consumed: $0[1]) }
        }
    }

    /// The pending authorization for `requestToken` in any state (expired and consumed included), or `nil`.
    public func pendingAuthorization(requestToken: String) async throws(StoreError) -> PendingAuthorization? {
        let keyRing = try requireKeyRing()
        let row = try await read { db in
            try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT p.request_token, p.sealed_secret, p.browser_session, p.purpose, u.public_id, p.created_at,
                            p.expires_at, p.consumed_at
                        FROM pending_authorizations p LEFT JOIN users u ON u.id = p.link_user_id
                        WHERE p.request_token = ?
                        """), arguments: [requestToken]
            ).map(PendingRow.init(row:))
        }
        return try row.map { row throws(StoreError) in try AccountStore.pendingAuthorization(row, keyRing: keyRing) }
    }

    /// Marks the pending authorization for `requestToken` used. Returns `false` (and changes nothing) when it is
    /// unknown, expired or already used: of two callbacks racing for one token, exactly one wins.
    ///
    /// The claim commits without waiting for the disk: every connection and process sees it at once, and the next
    /// commit that waits (the sign-in or draft the callback writes) syncs it. A power failure in between can forget
    /// it; a replay after that reaches Twitter with a request token Twitter has exchanged already, and is refused
    /// there.
    public func consumePendingAuthorization(requestToken: String) async throws(StoreError) -> Bool {
        return try await write(durable: false) { db in
            let now = Timestamp.micros(self.now())
            try db.run(
                sql: """
                    UPDATE pending_authorizations SET consumed_at = ?
                    WHERE request_token = ? AND consumed_at IS NULL AND expires_at > ?
                    """, arguments: [now, requestToken, now])
            return db.changesCount == 1
        }
    }

    /// Makes a consumed pending authorization usable again: its callback claimed it, then Twitter could not be reached
    /// to exchange the token, and the person may retry the same callback. Only a claim that is still live (not
    /// expired) is given back.
    /// - Returns: whether it was given back.
    @discardableResult
    package func releasePendingAuthorization(requestToken: String) async throws(StoreError) -> Bool {
        return try await write { db in
            let now = Timestamp.micros(self.now())
            try db.run(
                sql: """
                    UPDATE pending_authorizations SET consumed_at = NULL
                    WHERE request_token = ? AND consumed_at IS NOT NULL AND expires_at > ?
                    """, arguments: [requestToken, now])
            return db.changesCount == 1
        }
    }

    /// A pending authorization as read, its secret still sealed.
    struct PendingRow: Sendable {
        var requestToken: String
        var sealedSecret: Data
        var browserSession: String
        var purpose: String
        var linkUser: String?
        var createdAt: Int64
        var expiresAt: Int64
        var consumedAt: Int64?

        init(row: Row) {
            requestToken = row[0]
            sealedSecret = AccountStore.sealedBlob(row, 1)
            browserSession = row[2]
            purpose = row[3]
            linkUser = row[4]
            createdAt = row[5]
            expiresAt = row[6]
            consumedAt = row[7]
        }
    }

    static func pendingAuthorization(_ row: PendingRow, keyRing: KeyRing) throws(StoreError) -> PendingAuthorization {
        let secret = try open(row.sealedSecret, kind: .pendingAuthorization, rowKey: row.requestToken, keyRing: keyRing)
        return PendingAuthorization(
            requestToken: row.requestToken, requestTokenSecret: Secret(secret), browserSession: row.browserSession,
            purpose: AuthorizationPurpose(rawValue: row.purpose) ?? .register,
            linkUser: row.linkUser.map(UserID.init(uncheckedRawValue:)), createdAt: Timestamp.date(row.createdAt),
            expiresAt: Timestamp.date(row.expiresAt), consumedAt: Timestamp.date(row.consumedAt))
    }

    /// Counts of what ``purgeExpired()`` removed.
    public struct PurgeReport: Sendable, Hashable {
        /// Pending authorizations (used or not) removed, those that expired more than an hour before.
        public var pendingAuthorizations: Int
        /// Expired registration drafts removed.
        public var drafts: Int
        /// Expired browser sessions removed (idle or absolute lifetime over).
        public var browserSessions: Int = 0
        /// Password reset tokens removed: those that ended (used, replaced or expired) more than a day before.
        public var passwordResets: Int = 0
        /// Email confirmation, change and undo tokens removed: those that ended more than a day before.
        public var emailVerifications: Int = 0
        /// Failed password sign-ins forgotten: those more than a day old, past every cool-down they counted towards.
        public var signInFailures: Int = 0
        /// Whether the database file was rebuilt (`VACUUM`): an account was deleted, a Twitter account unlinked or an
        /// address changed since the last rebuild. `secure_delete` zeroes the rows a deletion frees, but SQLite can
        /// leave older copies of rows in unused parts of the pages it keeps (after moving them between pages), which
        /// only a rebuild clears.
        public var rebuiltFile: Bool = false
    }

    /// How long a failed password sign-in is kept (microseconds): a day, the longest cool-down window.
    static let signInFailureRetention: Int64 = 86_400_000_000

    /// The kinds whose writes leave personal data behind: a deletion, an unlink (the profile and token), a change of
    /// address (the old one). The partial index `account_events_rebuilding` (migration 0018) lists the same kinds in
    /// the same order, which ``Queries/rebuildDue`` must match for SQLite to use it: a change here needs a migration
    /// that makes the index again.
    static let rebuildingKinds: [AccountEventKind] = [.deleted, .unlinked, .emailChanged, .emailChangeUndone]

    /// Removes pending authorizations (used or not) that expired more than an hour before, expired drafts, expired
    /// browser sessions, password reset tokens and email confirmation, change and undo tokens that ended more than a
    /// day before (kept until then to count recent requests), and failed password sign-ins more than a day old, in one
    /// transaction. Then, when an account was deleted, a Twitter account unlinked or an address changed since the last
    /// rebuild, rebuilds the database file (`VACUUM`, with a `file_rebuilt` event) so that no older copy of their rows
    /// stays in it, and truncates the `-wal` when no other connection reads. A rebuild takes the write lock for as long
    /// as it rewrites the file (about a second per 100 MB), and needs about the file's size free on its disk: when it
    /// fails, the removals stand (committed first) and the error is the rebuild's.
    public func purgeExpired() async throws(StoreError) -> PurgeReport {
        var report = try await purgeRows()
        report.rebuiltFile = try await rebuildAfterDeletions()
        return report
    }

    /// The first step of ``purgeExpired()``: the removals, in one transaction (`rebuiltFile` false).
    package func purgeRows() async throws(StoreError) -> PurgeReport {
        return try await write { db in
            let now = Timestamp.micros(self.now())
            // Kept an hour past their expiry, used ones too, as `begin` keeps them: a late callback is still told it
            // was late and a replay that it was used, and a claim whose exchange a purge overtook can still be given
            // back when Twitter fails.
            try db.run(
                sql: "DELETE FROM pending_authorizations WHERE expires_at <= ?",
                arguments: [now - Self.expiredPendingAuthorizationsKept])
            let pending = db.changesCount
            try db.run(sql: "DELETE FROM registration_drafts WHERE expires_at <= ?", arguments: [now])
            let drafts = db.changesCount
            try db.run(
                sql: "DELETE FROM browser_sessions WHERE idle_expires_at <= ? OR expires_at <= ?",
                arguments: [now, now])
            let sessions = db.changesCount
            // A link ends when it expires or is used, whichever comes first (using one sets `used_at` and leaves
            // `expires_at`: until session 59 a used undo link, holding both addresses, stayed up to 8 days).
            let retained = now - Int64(AccountStore.passwordResetRetention * 1_000_000)
            try db.run(
                sql: "DELETE FROM password_resets WHERE expires_at <= ?1 OR used_at <= ?1", arguments: [retained])
            let resets = db.changesCount
            try db.run(
                sql: "DELETE FROM email_verifications WHERE expires_at <= ?1 OR used_at <= ?1", arguments: [retained])
            var verifications = db.changesCount
            try db.run(
                sql: "DELETE FROM email_change_undos WHERE expires_at <= ?1 OR used_at <= ?1", arguments: [retained])
            verifications += db.changesCount
            try db.run(
                sql: "DELETE FROM sign_in_failures WHERE failed_at < ?",
                arguments: [now - AccountStore.signInFailureRetention])
            return PurgeReport(
                pendingAuthorizations: pending, drafts: drafts, browserSessions: sessions, passwordResets: resets,
                emailVerifications: verifications, signInFailures: db.changesCount)
        }
    }

    /// Rebuilds the file when a ``rebuildingKinds`` event came after those the last rebuild covered; whether it did.
    /// "After" by event id, which follows commit order whatever the clocks say (one set back, another server's). The
    /// second step of ``purgeExpired()``: it writes about the file's size again (into the `-wal`), so it fails on a
    /// disk with less room than that, the removals before it standing.
    ///
    /// A cancelled task, or a close of the store, while the rebuild waits for the write lock another process holds
    /// stops the wait at once (``StoreError/rebuildCancelled(path:)``, ``StoreError/closed(path:)``): nothing is
    /// rebuilt, no event written, and the next purge rebuilds the file. Once the rebuild has the lock, it runs to its
    /// end (a close waits for it). Its event then waits for the lock in the same way (`VACUUM` let it go, and another
    /// process may have taken it meanwhile): should that wait end (cancelled, closed, the busy timeout), or a newer
    /// `migrate` come in between, the file is rebuilt all the same (`true`), without its event (logged as a warning;
    /// ``rebuildAfterDeletionsSaying()`` says so), and the next purge rebuilds it again.
    package func rebuildAfterDeletions() async throws(StoreError) -> Bool {
        try await rebuildAfterDeletionsSaying() != .notDue
    }

    /// What ``rebuildAfterDeletionsSaying()`` did.
    package enum RebuildOutcome: Equatable, Sendable {
        /// No rebuild was due.
        case notDue
        /// The file is rebuilt, with its `file_rebuilt` event.
        case rebuilt
        /// The file is rebuilt, but its event is not written, so the next purge rebuilds it again: the event's wait
        /// for the write lock another process took as `VACUUM` let it go ended (the task cancelled, the store closing,
        /// the busy timeout), or a newer `migrate` ran between the rebuild and the event.
        case rebuiltWithoutEvent(EventLoss)
    }

    /// Why a rebuild's `file_rebuilt` event was not written (``RebuildOutcome/rebuiltWithoutEvent(_:)``).
    package enum EventLoss: String, Equatable, Sendable {
        case cancelled, closed, busy, schemaAhead
    }

    /// How far a rebuild of the file (``rebuildAfterDeletionsSaying(progress:)``) has come. It copies the rows into a
    /// temporary database (`written` 0 meanwhile), then writes that copy back into the `-wal`.
    package struct RebuildProgress: Equatable, Sendable {
        /// Bytes of the copy written back so far (the `-wal`'s growth since the rebuild began), at most `expected`.
        package var written: Int64
        /// About what the rebuilt file holds: the pages in use (all less the free ones) times the page size.
        package var expected: Int64
        /// Whether the rebuild has ended: the last report, with `written` equal to `expected`.
        package var finished: Bool
    }

    /// ``rebuildAfterDeletions()``, saying whether the rebuild's event was written: for `accounts purge`, which
    /// tells the person (the store's log may go nowhere). `progress`, when given, is called once the rebuild holds the
    /// write lock and is copying (a rebuild too small to take a moment may skip that call), then about every 100 ms
    /// from another thread (never two calls at once), and last once the copy is written back
    /// (``RebuildProgress/finished``), before this returns; never while the rebuild waits for the lock, nor when no
    /// rebuild is due. With `progress`, a cancellation during the copy does not stop the event's wait for the lock
    /// either (the caller told the person the rebuild runs to its end): only a later one does, or the busy timeout.
    package func rebuildAfterDeletionsSaying(
        progress: (@Sendable (RebuildProgress) -> Void)? = nil
    ) async throws(StoreError) -> RebuildOutcome {
        do {
            return try await rebuildIfDue(progress: progress)
        } catch let error where Task.isCancelled && AccountStore.isCancellation(error) {
            throw .rebuildCancelled(path: path)
        }
    }

    private func rebuildIfDue(
        progress: (@Sendable (RebuildProgress) -> Void)?
    ) async throws(StoreError) -> RebuildOutcome {
        let due = try await read { db -> Int64? in
            // The events the last rebuild covered: up to its `through_event` (an older one: up to its own id).
            let covered = try Int64.fetchOne(db, sql: Queries.lastRebuildCovered) ?? 0
            let pending = try Bool.fetchOne(db, sql: Queries.rebuildDue, arguments: [covered]) ?? false
            // (what this rebuild covers: every event so far)
            return pending ? try Int64.fetchOne(db, sql: "SELECT max(id) FROM account_events") ?? 0 : nil
        }
        guard let through = due else { return .notDue }
        if Task.isCancelled { throw .rebuildCancelled(path: path) }
        let (path, now) = (path, now)
        // (the rebuild, the checkpoint and the event in one turn of the writer: a close meanwhile waits for all three,
        // so no rebuild goes without its event; a call made after the close began gives `closed`, nothing rebuilt)
        let lost: EventLoss?
        do {
            let entry = try enter()
            defer { entry.end() }
            // (a long write: the writes made meanwhile wait for it on GRDB's writer queue, not on their own threads)
            writeGate.beginLongWrite()
            defer { writeGate.endLongWrite() }
            lost = try await pool.writeOffPool(reached: { entry.end() }) { [lifetime] db, isCancelled -> EventLoss? in
                try self.checkSchemaNotAhead(db)
                let before = AccountStore.fileSize(path)
                self.writeGate.beforeRebuildForTests.withLock { $0 }?()
                // (the `-wal` emptied first when no reader holds it, so that its growth is the copy written back)
                if progress != nil { try? AccountStore.truncateWithoutWaiting(db) }
                let watch = try progress.map { try RebuildWatch(db, report: $0) }
                // (waits for the lock held elsewhere until the task is cancelled or the store closes, not in SQLite's
                // busy handler, which neither stops)
                do {
                    defer { watch?.stop() }
                    try self.writeGate.rebuildFile(db, stopsWaiting: { lifetime.isClosed }, isCancelled: isCancelled)
                }
                watch?.finish()
                // With `progress` (`accounts purge`, which tells a signal during the copy that the rebuild runs to its
                // end), a cancellation that came while the rebuild ran does not stop the event's wait either: only one
                // after it (until session 60 that signal then cut the wait, the event was lost, and the next purge
                // rebuilt the file again). Without, a cancellation stops the wait as documented above.
                let cancelledDuringRebuild = progress != nil && isCancelled()
                let eventWaitCancelled: @Sendable () -> Bool = { !cancelledDuringRebuild && isCancelled() }
                try? AccountStore.truncateWithoutWaiting(db)
                let after = AccountStore.fileSize(path)
                self.writeGate.afterRebuildForTests.withLock { $0 }?()
                // (waits for the lock as the rebuild did, not in SQLite's busy handler, which neither a signal nor a
                // close stops: it waited out the whole busy timeout, then the purge said the rebuild had failed)
                do {
                    try self.writeGate.waitForLock(
                        db, stopsWaiting: { lifetime.isClosed }, isCancelled: eventWaitCancelled
                    ) {
                        db in
                        // (again: a newer `migrate` may have taken the lock between the rebuild and this transaction)
                        try self.checkSchemaNotAhead(db)
                        try AccountStore.insertEvent(
                            db,
                            AccountEvent(
                                kind: .fileRebuilt, subject: nil, actor: "system",
                                details: [
                                    "bytes_before": "\(before)", "bytes_after": "\(after)",
                                    "through_event": "\(through)",
                                ], occurredAt: now()))
                    }
                    return nil
                } catch let error {
                    // The file is rebuilt all the same; the next purge, finding no event for it, rebuilds it again.
                    let loss: EventLoss
                    if case .schemaAhead = error as? StoreError {
                        loss = .schemaAhead
                    } else if let ended = WriteGate.endedLockWait(error) {
                        loss = ended == "cancelled" ? .cancelled : ended == "closed" ? .closed : .busy
                    } else {
                        throw error
                    }
                    self.logger.warning(
                        "database file rebuilt without its file_rebuilt event; the next purge rebuilds it again",
                        metadata: ["store.rebuild.event_lost": "\(loss.rawValue)"])
                    return loss
                }
            }
        } catch {
            throw storeError(error)
        }
        return lost.map(RebuildOutcome.rebuiltWithoutEvent) ?? .rebuilt
    }

    /// The size of the file at `path` in bytes (0 when it cannot be read).
    static func fileSize(_ path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }
}

extension AccountStore {
    /// Saves a registration draft, its access-token secret sealed and bound to the draft id. A draft id already saved
    /// keeps everything it was saved with but its ``RegistrationDraft/fields`` (what the person typed), which this
    /// replaces: a draft's Twitter account, token, expiry and browser session are set once.
    ///
    /// A browser session keeps its `perSessionLimit` newest drafts (``draftsPerSession``, 5, by default;
    /// `RegistrationService` gives as many as it lets a session have sign-ins under way), and each save removes up to
    /// 64 drafts that expired, as ``purgeExpired()`` would: a client that runs sign-ins over and over (each callback makes a draft,
    /// with a profile and a working token) does not grow the table until the next purge. (Until session 62 nothing
    /// but the purge removed drafts.)
    public func saveDraft(_ draft: RegistrationDraft, perSessionLimit: Int = draftsPerSession) async throws(StoreError)
    {
        let keyRing = try requireKeyRing()
        let fields = try AccountStore.encodeFields(draft.fields)
        try await write { db in
            let now = Timestamp.micros(self.now())
            try db.run(
                sql: """
                    DELETE FROM registration_drafts WHERE id IN (
                        SELECT id FROM registration_drafts WHERE expires_at <= ? LIMIT 64)
                    """, arguments: [now])
            try db.run(
                sql: """
                    DELETE FROM registration_drafts WHERE rowid IN (
                        SELECT rowid FROM registration_drafts WHERE browser_session = ?1 AND id != ?2
                        ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET ?3)
                    """, arguments: [draft.browserSession, draft.id, max(perSessionLimit, 1) - 1])
            let sealed = try AccountStore.sealInWrite(
                db, draft.credential.secret.revealed, kind: .draft, rowKey: draft.id, keyRing: keyRing)
            let linkUserRowID = try draft.linkUser.map { user in
                try AccountStore.requireUserRecord(db, .id(user)).id!
            }
            // (the mailbox a deletion of an account with that address finds the draft by, and the rules that made it)
            let profile = Data(draft.profileJSON)
            let offered = DraftTokenRow.offeredMailbox(profileJSON: profile)
            try db.run(
                sql: """
                    INSERT INTO registration_drafts (id, browser_session, purpose, twitter_user_id, screen_name,
                        access_token, sealed_secret, key_id, profile_json, fields_json, link_user_id, created_at,
                        expires_at, offered_mailbox, offered_rules_version)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET fields_json = excluded.fields_json
                    """,
                arguments: [
                    draft.id, draft.browserSession, draft.purpose.rawValue,
                    draft.twitterUserID.decimalString, draft.screenName, draft.credential.token, sealed.blob,
                    sealed.keyID, profile, fields, linkUserRowID,
                    Timestamp.micros(draft.createdAt), Timestamp.micros(draft.expiresAt), offered,
                    Mailbox.rulesVersion,
                ])
        }
    }

    /// The most drafts one browser session keeps by default (``saveDraft(_:perSessionLimit:)``): 5, as many as its live
    /// pending authorizations by default.
    public static let draftsPerSession = 5

    /// The draft with `id` (expired ones included; the caller checks ``RegistrationDraft/expiresAt``), or `nil`.
    public func draft(id: String) async throws(StoreError) -> RegistrationDraft? {
        let keyRing = try requireKeyRing()
        let row = try await read { db in
            try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT d.id, d.browser_session, d.purpose, d.twitter_user_id, d.screen_name, d.access_token,
                            d.sealed_secret, d.profile_json, d.fields_json, u.public_id, d.created_at, d.expires_at
                        FROM registration_drafts d LEFT JOIN users u ON u.id = d.link_user_id WHERE d.id = ?
                        """), arguments: [id]
            ).map { row in
                let draft = RegistrationDraft(
                    id: row[0], browserSession: row[1],
                    purpose: AuthorizationPurpose(rawValue: row[2] as String) ?? .register,
                    twitterUserID: TwitterUserID(decimal: row[3] as String) ?? TwitterUserID(0), screenName: row[4],
                    credential: TwitterCredential(token: row[5], secret: Secret("")),
                    profileJSON: [UInt8](row[7] as Data), fields: AccountStore.decodeFields(row[8]),
                    linkUser: (row[9] as String?).map(UserID.init(uncheckedRawValue:)),
                    createdAt: Timestamp.date(row[10] as Int64), expiresAt: Timestamp.date(row[11] as Int64))
                return (draft: draft, sealed: AccountStore.sealedBlob(row, 6))
            }
        }
        guard let row else { return nil }
        var draft = row.draft
        let sealed = row.sealed
        draft.credential.secret = Secret(
            try AccountStore.open(sealed, kind: .draft, rowKey: draft.id, keyRing: keyRing))
        return draft
    }

    /// Deletes every registration draft of the browser session whose binding is `browserSession`, and returns their
    /// Twitter user ids and access tokens (secrets opened where the ring can; `nil` where it cannot): for a person
    /// deleting their account, whose Twitter sign-in in this browser left a draft (a match offered to that account).
    package func deleteDrafts(browserSession: String) async throws(StoreError) -> [(
        twitterUserID: TwitterUserID, credential: TwitterCredential?
    )] {
        let rows = try await write { db in
            let rows = try DraftTokenRow.fetchAll(db, where: "browser_session = ?", arguments: [browserSession])
            try db.run(sql: "DELETE FROM registration_drafts WHERE browser_session = ?", arguments: [browserSession])
            return rows
        }
        return openedDrafts(rows, removedBy: "draft_discarded")
    }

    /// Deletes every registration draft not made to link (`link_user_id` unset) whose Twitter profile's address shares
    /// the normalised mailbox of `account`'s address and that was made since the account was (the drafts a match with
    /// it was offered from), and returns their Twitter user ids and access tokens as ``deleteDrafts(browserSession:)``
    /// does: for an account deleted (by its owner, or an operator), whose owner's Twitter sign-in in any browser
    /// session left such a draft. Nothing for an account whose address was not confirmed: it proves nothing of the
    /// mailbox, and anyone could sign up with a `+tag` of someone's address and delete the account to throw away the
    /// registration that person has under way, and revoke its token (until session 63 they could); nor while an
    /// account still holds an address of that mailbox (the drafts are offered to it then).
    package func deleteDrafts(offeredTo account: Account) async throws(StoreError) -> [(
        twitterUserID: TwitterUserID, credential: TwitterCredential?
    )] {
        // (no write at all when nothing can be discarded)
        guard account.isEmailVerified, account.email != nil else { return [] }
        let (email, verified, since) = (account.email, account.isEmailVerified, Timestamp.micros(account.createdAt))
        let rows = try await write { db -> [DraftTokenRow] in
            // (the account is gone: any holder of the mailbox is another account, offered those drafts now)
            let rows = try DraftTokenRow.offered(
                db, toAddress: email, verified: verified, madeSince: since, otherHolders: 0)
            for row in rows {
                try db.run(sql: "DELETE FROM registration_drafts WHERE id = ?", arguments: [row.id])
            }
            return rows
        }
        return openedDrafts(rows, removedBy: "draft_discarded")
    }

    /// How many accounts hold an address whose mailbox is `mailbox`: found by the stored form, each address normalised
    /// again, as ``accounts(sharingMailboxWith:)`` finds them (a form older rules made, before a reindex, is not taken
    /// for a mailbox the rules give its address no more: until session 61 such an account kept a deleted account's
    /// offered drafts, and their tokens, alive).
    static func holders(_ db: Database, ofMailbox mailbox: String) throws -> Int {
        try String.fetchAll(
            db.cachedStatement(sql: "SELECT email FROM users WHERE email_mailbox = ? AND email IS NOT NULL"),
            arguments: [mailbox]
        ).count { Mailbox.normalize(EmailAddress.trim($0)) == mailbox }
    }

    /// Why the ring cannot open the access token of a registration draft that deleting the account `reference` would
    /// remove (one made to link to it) or discard (one offered to its address's mailbox, when no other account shares
    /// it): the first such draft's reason, `nil` when each one opens. For a deletion that is to revoke those tokens,
    /// checked before anything is deleted, as the account's own token is.
    package func draftTokenProblem(of reference: AccountReference) async throws(StoreError) -> String? {
        let keyRing = try requireKeyRing()
        let rows = try await read { db -> [DraftTokenRow] in
            guard let record = try AccountStore.fetchUserRecord(db, reference) else { return [] }
            let rows = try DraftTokenRow.fetchAll(db, where: "link_user_id = ?", arguments: [record.id])
            // (those ``deleteDrafts(offeredTo:)`` would discard; the account itself still holds the mailbox here)
            return rows
                + (try DraftTokenRow.offered(
                    db, toAddress: record.email, verified: record.emailVerifiedAt != nil, madeSince: record.createdAt,
                    otherHolders: 1))
        }
        for row in rows {
            do {
                _ = try AccountStore.open(row.sealed, kind: .draft, rowKey: row.id, keyRing: keyRing)
            } catch {
                let reason = if case .secret(_, let reason) = error { reason } else { error.description }
                return "the token of registration draft \(row.id) (Twitter user \(row.twitterUserID)): \(reason)"
            }
        }
        return nil
    }

    /// The Twitter user ids and tokens of drafts `what` deleted, their secrets opened where the ring can (where it
    /// cannot, logged as ``openedToRevoke(_:of:removedBy:)`` logs it).
    func openedDrafts(_ rows: [DraftTokenRow], removedBy what: String) -> [(
        twitterUserID: TwitterUserID, credential: TwitterCredential?
    )] {
        rows.compactMap { row in
            guard let twitterUserID = TwitterUserID(decimal: row.twitterUserID) else { return nil }
            do throws(StoreError) {
                guard let keyRing else { throw .noKeyRing }
                let secret = try AccountStore.open(row.sealed, kind: .draft, rowKey: row.id, keyRing: keyRing)
                return (twitterUserID, TwitterCredential(token: row.token, secret: Secret(secret)))
            } catch {
                warnNotRevoked(twitterUserID, removedBy: what, error, draft: true)
                return (twitterUserID, nil)
            }
        }
    }

    /// Deletes the draft with `id`; returns whether there was one.
    @discardableResult
    public func deleteDraft(id: String) async throws(StoreError) -> Bool {
        try await write { db in
            try db.run(sql: "DELETE FROM registration_drafts WHERE id = ?", arguments: [id])
            return db.changesCount == 1
        }
    }

    static func encodeFields(_ fields: [String: String]) throws(StoreError) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else {
            throw .invalid([])
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func decodeFields(_ text: String) -> [String: String] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: String] ?? [:]
    }
}

/// A deleted registration draft's id, Twitter user id and access token, its secret still sealed.
struct DraftTokenRow: Sendable {
    var id: String
    var twitterUserID: String
    var token: String
    var sealed: Data

    /// The drafts `condition` (an SQL expression over `registration_drafts`, with `arguments`) selects.
    static func fetchAll(_ db: Database, where condition: String, arguments: StatementArguments) throws
        -> [DraftTokenRow]
    {
        try Row.fetchAll(
            db,
            sql: """
                SELECT id, twitter_user_id, access_token, sealed_secret FROM registration_drafts WHERE \(condition)
                """, arguments: arguments
        ).map { row in
            DraftTokenRow(id: row[0], twitterUserID: row[1], token: row[2], sealed: AccountStore.sealedBlob(row, 3))
        }
    }

    /// The drafts a deletion of the account with `address` (confirmed or not, made at `since`) discards: none for an
    /// address not confirmed (it proves nothing of the mailbox), nor while more than `holders` accounts hold an
    /// address of its mailbox (the drafts are offered to another); else ``offered(_:toMailbox:madeSince:)``.
    static func offered(
        _ db: Database, toAddress address: String?, verified: Bool, madeSince since: Int64, otherHolders holders: Int
    ) throws -> [DraftTokenRow] {
        guard verified, let mailbox = address.flatMap({ Mailbox.normalize(EmailAddress.trim($0)) }),
            try AccountStore.holders(db, ofMailbox: mailbox) <= holders
        else { return [] }
        return try offered(db, toMailbox: mailbox, madeSince: since)
    }

    /// The drafts not made to link, made at `since` (microseconds) or later, whose Twitter profile's address has the
    /// normalised `mailbox`: those a match with an account of that mailbox, made at `since`, was offered from.
    ///
    /// Found by the mailbox stored with each draft (``Queries/offeredDrafts``: those stored by today's rules, and every
    /// draft whose mailbox was stored by other rules or not at all, saved before migration 0018), each then checked
    /// against its profile's address as today's rules normalise it, as all of them were until that migration.
    static func offered(_ db: Database, toMailbox mailbox: String, madeSince since: Int64) throws -> [DraftTokenRow] {
        try Row.fetchAll(
            db.cachedStatement(sql: Queries.offeredDrafts), arguments: [mailbox, since, Mailbox.rulesVersion]
        ).compactMap { row -> DraftTokenRow? in
            guard offeredMailbox(profileJSON: row[4]) == mailbox else { return nil }
            return DraftTokenRow(
                id: row[0], twitterUserID: row[1], token: row[2], sealed: AccountStore.sealedBlob(row, 3))
        }
    }

    /// The normalised mailbox (``AccountMatching/Mailbox/normalize(_:)``) of the address a draft's Twitter profile
    /// (`profile_json`) holds, `nil` when it holds none (or one the rules cannot normalise): what a match was offered
    /// by, stored with the draft as it is saved (`offered_mailbox`).
    static func offeredMailbox(profileJSON: Data?) -> String? {
        let profile = profileJSON.flatMap { try? JSONSerialization.jsonObject(with: $0) }
        guard let address = (profile as? [String: Any])?["email"] as? String else { return nil }
        return Mailbox.normalize(EmailAddress.trim(address))
    }
}

extension Queries {
    /// The drafts not made to link, made at `?2` or later, that may have been offered to the normalised mailbox `?1`:
    /// those whose stored `offered_mailbox` is `?1` by the rules of version `?3` (today's), and those whose mailbox
    /// other rules stored, or none did (saved before migration 0018): each through the partial index
    /// `registration_drafts_offered` (four searches, not one `OR`, which SQLite read as a scan of the whole index).
    /// Until that migration a deletion read and parsed the profile of every live draft inside the write lock.
    package static let offeredDrafts = [
        "offered_rules_version = ?3 AND offered_mailbox = ?1", "offered_rules_version IS NULL",
        "offered_rules_version < ?3", "offered_rules_version > ?3",
    ].map { condition in
        """
        SELECT id, twitter_user_id, access_token, sealed_secret, profile_json FROM registration_drafts
        WHERE link_user_id IS NULL AND created_at >= ?2 AND \(condition)
        """
    }.joined(separator: "\nUNION ALL\n")
}

/// What reports a rebuild's progress (``AccountStore/rebuildAfterDeletionsSaying(progress:)``): SQLite's progress
/// handler on the rebuilding connection says when the copying began (it runs only once `VACUUM` holds the write lock:
/// a try that finds the lock held gives up before copying), and a thread of its own reports the `-wal`'s growth every
/// 100 ms from then on (the copy's writing back runs no statement, so the handler is not called meanwhile).
private final class RebuildWatch: Sendable {
    let walPath: String
    let expected: Int64
    /// The `-wal`'s size before the rebuild.
    let baseline: Int64
    let report: @Sendable (AccountStore.RebuildProgress) -> Void
    /// (touched only on the rebuilding thread: installed in `init`, removed in `stop`)
    nonisolated(unsafe) let connection: OpaquePointer
    /// Whether the copying has begun (the handler's first call).
    let began = Atomic<Bool>(false)
    /// Serialises the reports (the handler's first one and the thread's).
    let reporting = Mutex<Void>(())
    /// Signalled to end the thread; the thread signals `ended` as it ends.
    let stopping = DispatchSemaphore(value: 0)
    let ended = DispatchSemaphore(value: 0)
    let stopped = Atomic<Bool>(false)

    init(_ db: Database, report: @escaping @Sendable (AccountStore.RebuildProgress) -> Void) throws {
        let pages = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
        let free = try Int64.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
        let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
        let connection = try db.openConnection()
        // (the `-wal` as SQLite names it: beside the file a symbolic link `--database` names points at, not beside
        // the link)
        let walPath = sqlite3_db_filename(connection, "main").flatMap { sqlite3_filename_wal($0) }.map {
            String(cString: $0)
        }
        self.walPath = walPath ?? ""
        self.expected = max(0, pages - free) * pageSize
        self.baseline = walPath.map(AccountStore.fileSize) ?? 0
        self.report = report
        self.connection = connection
        // (every 1,000 virtual machine steps of the statements `VACUUM` runs; never stops them)
        sqlite3_progress_handler(
            connection, 1000,
            { pointer in
                guard let pointer else { return 0 }
                let watch = Unmanaged<RebuildWatch>.fromOpaque(pointer).takeUnretainedValue()
                if !watch.began.exchange(true, ordering: .acquiringAndReleasing) { watch.send() }
                return 0
            }, Unmanaged.passUnretained(self).toOpaque())
        Thread.detachNewThread { [self] in
            while stopping.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
                if began.load(ordering: .acquiring) { send() }
            }
            ended.signal()
        }
    }

    /// Ends the reports of progress under way (the handler removed, the thread ended), once.
    func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        sqlite3_progress_handler(connection, 0, nil, nil)
        stopping.signal()
        ended.wait()
    }

    /// The last report: the copy is written back.
    func finish() {
        stop()
        reporting.withLock { _ in report(.init(written: expected, expected: expected, finished: true)) }
    }

    private func send() {
        let grown = AccountStore.fileSize(walPath) - baseline
        reporting.withLock { _ in
            report(.init(written: min(max(0, grown), expected), expected: expected, finished: false))
        }
    }
}

extension Queries {
    /// The last event the last rebuild of the file covered: its `through_event` (an older rebuild's: its own id). The
    /// kind is written out, not bound, so that SQLite uses the partial index `account_events_file_rebuilt`: the last
    /// such event is the index's last entry, where the index of events without a subject it read before held every
    /// one without a subject (until migration 0018 this took 1.4 s at 800,000 such events, growing with them).
    package static let lastRebuildCovered = """
        SELECT CAST(coalesce(json_extract(details, '$.through_event'), id) AS INTEGER) FROM account_events
        WHERE kind = '\(AccountEventKind.fileRebuilt.rawValue)' ORDER BY id DESC LIMIT 1
        """

    /// Whether an event of the ``AccountStore/rebuildingKinds`` came after event `?1`. The kinds are written out, in
    /// their order, so that SQLite uses the partial index `account_events_rebuilding` (whose list is the same): it
    /// reads the first such event after `?1` in that index, where it read every event since `?1` in the table (until
    /// migration 0018 a purge with nothing to do read every event since the last rebuild: 2.5 s at 4,000,000).
    package static let rebuildDue: String = {
        let kinds = AccountStore.rebuildingKinds.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        return "SELECT EXISTS (SELECT 1 FROM account_events WHERE id > ?1 AND kind IN (\(kinds)))"
    }()
}
