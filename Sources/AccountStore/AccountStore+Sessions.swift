public import AccountModel
public import Foundation
import GRDB

extension AccountStore {
    /// Saves a new browser session (anonymous, or signed in when ``BrowserSession/user`` is set).
    ///
    /// An unknown user throws ``StoreError/accountNotFound(_:)``, an account that is not active (disabled)
    /// ``StoreError/accountDisabled(_:)``, and nothing is written.
    public func createBrowserSession(_ session: BrowserSession) async throws(StoreError) {
        try await write { db in
            // (checked in the transaction that writes it: an operator may have disabled the account since the
            // sign-in's checks)
            if let user = session.user,
                try AccountStore.requireUserRecord(db, .id(user)).status != AccountStatus.active.rawValue
            {
                throw StoreError.accountDisabled(user)
            }
            try AccountStore.insertSession(db, session)
        }
    }

    /// The live session whose cookie id hashes to `tokenHash`, or `nil` (unknown, expired or revoked).
    public func browserSession(tokenHash: String) async throws(StoreError) -> BrowserSession? {
        let now = Timestamp.micros(now())
        return try await read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: AccountStore.liveSessionByHash), arguments: [tokenHash, now, now]
            ).map(AccountStore.session(from:))
        }
    }

    /// ``browserSession(tokenHash:)`` and the session's account (as ``account(_:)`` finds it; `nil` for an anonymous
    /// session), read in one transaction: a signed-in request's two lookups for the cost of one read (each read through
    /// GRDB's pool costs about as much again as its own SQL: the reader, the transaction, the schema check).
    /// The row id comes with them: what ends the session at sign-out (``deleteBrowserSession(loaded:)``), whatever id a
    /// change made from it meanwhile gave it.
    package func browserSessionWithAccount(tokenHash: String) async throws(StoreError) -> (
        session: BrowserSession, account: Account?, rowID: Int64
    )? {
        let now = Timestamp.micros(now())
        return try await read { db in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(sql: AccountStore.liveSessionByHash), arguments: [tokenHash, now, now])
            else { return nil }
            let session = AccountStore.session(from: row)
            return (
                session, try session.user.flatMap { user in try AccountStore.fetchAccount(db, .id(user)) },
                row[8] as Int64
            )
        }
    }

    /// A browser session as a request loaded it (``browserSessionWithAccount(tokenHash:)``): its row and what the row
    /// held then. Its row id alone is not enough to name it: a row id freed by a deleted session can be given again to
    /// a new one, of another account.
    package struct LoadedSession: Sendable, Hashable {
        /// The row's id.
        package var rowID: Int64
        /// Its token hash when loaded (a change made from the session may have given it another since).
        package var tokenHash: String
        /// Its account, `nil` for an anonymous session.
        package var user: UserID?
        /// When it was made (kept by a rekey).
        package var createdAt: Date

        package init(rowID: Int64, tokenHash: String, user: UserID?, createdAt: Date) {
            self.rowID = rowID
            self.tokenHash = tokenHash
            self.user = user
            self.createdAt = createdAt
        }
    }

    /// Ends the session `loaded` (sign-out): the row it was loaded from, under whatever id it has now, and any row still
    /// under its id then. A change of the account's ways in made from the same session meanwhile (a password change in
    /// another tab) gives the row a new id in place (``rekeySession(_:_:of:to:)``): ended by its old
    /// id alone, the session went on under the new one, and its sign-out said "You signed out". Returns whether a row
    /// was deleted.
    @discardableResult
    package func deleteBrowserSession(loaded: LoadedSession) async throws(StoreError) -> Bool {
        try await write { db in
            try db.run(
                sql: """
                    DELETE FROM browser_sessions WHERE token_hash = ?1
                        OR (id = ?2 AND created_at = ?3
                            AND user_id IS (SELECT id FROM users WHERE public_id = ?4))
                    """,
                arguments: [
                    loaded.tokenHash, loaded.rowID, Timestamp.micros(loaded.createdAt), loaded.user?.rawValue,
                ])
            return db.changesCount > 0
        }
    }

    /// What became of the session `loaded` by a request whose change the store refused as made for an ended session
    /// (``StoreError/sessionEnded``), and of its account since `mark` (read before the request loaded it): for the
    /// request to answer with what happened rather than as if another browser had signed it out.
    package struct SessionFate: Sendable, Hashable {
        /// Whether the session lives on under another id: a change of the account's ways in made from it (another
        /// tab's, the first of a double click) gave it one after the request loaded it.
        package var rekeyed: Bool
        /// Whether the account no longer exists.
        package var accountGone: Bool
        /// The kinds of the account's events recorded after `mark`, oldest first.
        package var eventsSince: [AccountEventKind]
    }

    /// ``SessionFate`` of `loaded` and its account since `mark`, read in one transaction.
    package func sessionFate(of loaded: LoadedSession, since mark: EventMark) async throws(StoreError) -> SessionFate {
        let now = Timestamp.micros(now())
        return try await read { db in
            guard let user = loaded.user else {
                return SessionFate(rekeyed: false, accountGone: false, eventsSince: [])
            }
            let userRowID = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT id FROM users WHERE public_id = ?"), arguments: [user.rawValue])
            let rekeyed =
                try Bool.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT EXISTS (SELECT 1 FROM browser_sessions
                            WHERE id = ?1 AND token_hash <> ?2 AND created_at = ?3 AND user_id = ?4
                                AND idle_expires_at > ?5 AND expires_at > ?5)
                            """),
                    arguments: [loaded.rowID, loaded.tokenHash, Timestamp.micros(loaded.createdAt), userRowID, now])
                ?? false
            let kinds = try String.fetchAll(
                db.cachedStatement(sql: "SELECT kind FROM account_events WHERE subject = ? AND id > ? ORDER BY id"),
                arguments: [user.rawValue, mark.lastEventID])
            return SessionFate(
                rekeyed: userRowID != nil && rekeyed, accountGone: userRowID == nil,
                eventsSince: kinds.map(AccountEventKind.init(rawValue:)))
        }
    }

    /// Records that the browser used the session at `date`, pushing its idle expiry to `idleExpiresAt` (never past its
    /// absolute expiry). Returns `false` when the session is gone. Even at ``StoreConfiguration/Synchronous/full`` this
    /// commit does not wait for the disk: a touch lost to a power failure costs at most a minute of idle time. Nor
    /// does it wait long for another process's write lock: ``StoreError/busy(path:)`` after
    /// ``touchLockWait`` (100 ms), or at once when another write of this store is under way (it would queue behind
    /// that one, which may wait for the lock itself), for a page that can be served without it (the next request
    /// touches again).
    @discardableResult
    public func touchBrowserSession(
        tokenHash: String, at date: Date, idleExpiresAt: Date
    ) async throws(StoreError) -> Bool {
        // A touch lost to a power failure only lets the session idle-expire up to a minute early: no fsync for it.
        try await touchBrowserSession(tokenHash: tokenHash, at: date, idleExpiresAt: idleExpiresAt, durable: false)
    }

    /// The longest ``touchBrowserSession(tokenHash:at:idleExpiresAt:)`` waits for another process's write lock: 100 ms.
    public static let touchLockWait = Duration.milliseconds(100)

    /// ``touchBrowserSession(tokenHash:at:idleExpiresAt:)``, with `durable: true` as it was before it spared the fsync
    /// (the benchmark compares both).
    package func touchBrowserSession(
        tokenHash: String, at date: Date, idleExpiresAt: Date, durable: Bool
    ) async throws(StoreError) -> Bool {
        try await write(durable: durable, lockWait: Self.touchLockWait) { db in
            try db.run(
                sql: """
                    UPDATE browser_sessions SET last_seen_at = ?, idle_expires_at = min(?, expires_at)
                    WHERE token_hash = ?
                    """, arguments: [Timestamp.micros(date), Timestamp.micros(idleExpiresAt), tokenHash])
            return db.changesCount == 1
        }
    }

    /// A place in the order the audit trail's events were recorded in (not a time): the newest event when it was read.
    ///
    /// A sign-in reads one (``eventMark()``) before its checks read the account, and writes its session with
    /// ``replaceBrowserSession(_:with:unlessEndedAfter:)``: an event that ended the account's sessions after the mark
    /// came after the checks, whatever the clocks of the processes that wrote the two said.
    public struct EventMark: Sendable, Hashable {
        /// The row id of the newest event then (0: none).
        package let lastEventID: Int64

        package init(lastEventID: Int64) {
            self.lastEventID = lastEventID
        }
    }

    /// The audit trail's newest event now, as an ``EventMark``: read it before the checks of a sign-in.
    public func eventMark() async throws(StoreError) -> EventMark {
        try await read { db in
            EventMark(lastEventID: try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM account_events") ?? 0)
        }
    }

    /// Replaces the session `oldTokenHash` (if it still exists) with `new`, in one transaction: the rotation a
    /// sign-in does, so an id seen before signing in is worth nothing after.
    ///
    /// With `unlessEndedAfter`, the ``EventMark`` read before the sign-in's checks began: when every session of
    /// `new`'s account was ended by an event recorded after it (a `password_reset`, `sessions_revoked`, `disabled` or
    /// `email_change_undone` event), or every other one (a `password_changed`, `password_added`, `password_removed` or
    /// `unlinked` event: the account page ends the others then), no session is written and the answer is `false`. A
    /// password checked just before a reset would otherwise open a session just after it, which the reset was meant
    /// to end; and one checked just before an operator disabled the account would open a session that enabling it
    /// again brings back. The events are ordered as they were recorded, not by the times they carry: a reset made by
    /// another process whose clock is behind still ends the sign-in. A session of an account that is not active, or
    /// no longer exists (deleted since the checks), is never written (`false`). A refusal of an account's session is
    /// recorded in the same transaction, a `sign_in_refused` event (`reason` `deleted`, `disabled` or
    /// `sessions_ended`): after the sign-in's own `signed_in` event, it says that no session came of it.
    @discardableResult
    public func replaceBrowserSession(
        _ oldTokenHash: String?, with new: BrowserSession, unlessEndedAfter mark: EventMark? = nil
    ) async throws(StoreError) -> Bool {
        try await write { db in
            guard case .written = try self.replaceSessionRecordingRefusal(db, oldTokenHash, with: new, mark) else {
                return false
            }
            return true
        }
    }

    /// ``replaceSession(_:_:with:unlessEndedAfter:)``, and a refusal of an account's session recorded as a
    /// `sign_in_refused` event (a deleted account's keeps its public id, as its `deleted` event does: it names no one).
    private func replaceSessionRecordingRefusal(
        _ db: Database, _ oldTokenHash: String?, with new: BrowserSession, _ mark: EventMark?
    ) throws -> SessionReplacement {
        let replacement = try AccountStore.replaceSession(db, oldTokenHash, with: new, unlessEndedAfter: mark)
        if case .refused(let reason) = replacement, let user = new.user {
            try AccountStore.insertEvent(
                db,
                AccountEvent(
                    kind: .signInRefused, subject: user, actor: "user", details: ["reason": reason.rawValue],
                    occurredAt: self.now()))
        }
        return replacement
    }

    /// A sign-in's session and device in one transaction, so one commit (one wait for the disk) instead of two:
    /// ``replaceBrowserSession(_:with:unlessEndedAfter:)`` and, when that writes the session,
    /// ``noteSignInDevice(_:for:)`` for `device` and the account of `new` (which must have one). A refusal is
    /// recorded in the same transaction (`sign_in_refused`: after the sign-in's own `signed_in` event, it says that no
    /// session came of it, and why: `reason` `deleted` or `disabled` for an account deleted or disabled since the
    /// checks, else `sessions_ended`); when that event cannot be written, this throws and the sign-in is not told of a
    /// refusal the audit trail does not hold.
    /// - Returns: ``SessionRefusal`` when no session was written (the account is gone or not active, or its sessions
    ///   were ended after `unlessEndedAfter`): the reason its `sign_in_refused` event gives, for the sign-in to tell
    ///   the person. Else whether the account had signed in from `device` before.
    package func replaceBrowserSession(
        _ oldTokenHash: String?, with new: BrowserSession, unlessEndedAfter mark: EventMark?,
        notingDevice device: String
    ) async throws(StoreError) -> Result<DeviceSighting, SessionRefusal> {
        try await write { db in
            switch try self.replaceSessionRecordingRefusal(db, oldTokenHash, with: new, mark) {
            case .refused(let reason):
                return .failure(reason)
            case .written(let userRowID):
                guard let device = Self.storableDevice(device) else { return .success(.known) }
                return .success(
                    try AccountStore.noteDevice(db, device, userRowID: userRowID, at: Timestamp.micros(self.now())))
            }
        }
    }

    /// What ``replaceSession(_:_:with:unlessEndedAfter:)`` did.
    private enum SessionReplacement {
        /// The session was written; the row id of its account (0 for a session of nobody).
        case written(userRowID: Int64)
        /// Nothing was written, for this reason.
        case refused(SessionRefusal)
    }

    /// Why the store refused to write a sign-in's session: the `reason` of its `sign_in_refused` event (its raw
    /// value). A sign-in tells the person by it (the web routes: a page for each), never by matching text.
    package enum SessionRefusal: String, Error, Sendable, Hashable, CaseIterable {
        /// The account was deleted since the sign-in's checks.
        case deleted
        /// The account is not active (an operator disabled it since the checks).
        case disabled
        /// An event after the checks ended the account's sessions (a reset, "sign out everywhere", …).
        case sessionsEnded = "sessions_ended"
    }

    /// The body of ``replaceBrowserSession(_:with:unlessEndedAfter:)``: whether the session was written, and if not,
    /// why.
    private static func replaceSession(
        _ db: Database, _ oldTokenHash: String?, with new: BrowserSession, unlessEndedAfter mark: EventMark?
    ) throws -> SessionReplacement {
        var userRowID: Int64 = 0
        if let user = new.user {
            // (an account deleted since the sign-in's checks, like a disabled one, gets no session)
            guard let record = try AccountStore.fetchUserRecord(db, .id(user)) else { return .refused(.deleted) }
            guard record.status == AccountStatus.active.rawValue else { return .refused(.disabled) }
            userRowID = record.id!
            if let mark {
                let ended = try Bool.fetchOne(
                    db.cachedStatement(sql: Queries.sessionsEndedAfter), arguments: [user.rawValue, mark.lastEventID])
                if ended == true { return .refused(.sessionsEnded) }
            }
        }
        if let oldTokenHash {
            try db.run(sql: "DELETE FROM browser_sessions WHERE token_hash = ?", arguments: [oldTokenHash])
        }
        try AccountStore.insertSession(db, new)
        return .written(userRowID: userRowID)
    }

    /// Gives the session `oldTokenHash` a new id (`newTokenHash`, the hash of it) and CSRF token, keeping the rest:
    /// its account, when it signed in (so it is no more a recent sign-in than it was), its lifetimes and its device.
    /// What a change of the account's ways in (its password, its Twitter account) does to the session that made it,
    /// besides ending every other: a copy of the old id (a stolen cookie) then signs nobody in. Work bound to the old
    /// id (a Twitter sign-in under way) does not follow. Returns whether there was such a session.
    @discardableResult
    public func rekeyBrowserSession(_ oldTokenHash: String, to newTokenHash: String, csrfToken: String)
        async throws(StoreError) -> Bool
    {
        try await write { db in
            try db.run(
                sql: "UPDATE browser_sessions SET token_hash = ?, csrf_token = ? WHERE token_hash = ?",
                arguments: [newTokenHash, csrfToken, oldTokenHash])
            return db.changesCount == 1
        }
    }

    /// Ends the session `tokenHash` (sign-out). Returns whether there was one.
    @discardableResult
    public func deleteBrowserSession(tokenHash: String) async throws(StoreError) -> Bool {
        try await write { db in
            try db.run(sql: "DELETE FROM browser_sessions WHERE token_hash = ?", arguments: [tokenHash])
            return db.changesCount == 1
        }
    }

    /// Ends every session of `user` ("sign out everywhere") and any change of address under way (its link), and
    /// records a `sessions_revoked` event, in one transaction. Returns how many sessions ended.
    @discardableResult
    public func deleteBrowserSessions(of user: UserID, actor: String = "user") async throws(StoreError) -> Int {
        return try await write { db in
            let now = self.now()
            let record = try AccountStore.requireUserRecord(db, .id(user))
            let count = try AccountStore.endSessions(db, userRowID: record.id!, at: Timestamp.micros(now))
            // A change of address asked for from one of those sessions ends with them.
            try AccountStore.endEmailChanges(db, userRowID: record.id!, at: Timestamp.micros(now))
            try AccountStore.insertEvent(
                db,
                AccountEvent(
                    kind: .sessionsRevoked, subject: user, actor: actor,
                    details: ["sessions": "\(count)"], occurredAt: now))
            return count
        }
    }

    /// The live sessions of `user`, the most recently used first (ties: the newest first), at most `limit` of them,
    /// as its account page lists them ("Where you're signed in").
    public func browserSessions(of user: UserID, limit: Int = 50) async throws(StoreError) -> [BrowserSession] {
        let now = Timestamp.micros(now())
        return try await read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT \(AccountStore.sessionColumns)
                        FROM browser_sessions s JOIN users u ON u.id = s.user_id
                        WHERE u.public_id = ? AND s.idle_expires_at > ? AND s.expires_at > ?
                        ORDER BY s.last_seen_at DESC, s.created_at DESC, s.id DESC
                        LIMIT ?
                        """), arguments: [user.rawValue, now, now, max(0, limit)]
            ).map(AccountStore.session(from:))
        }
    }

    /// Ends the one session of `user` whose ``BrowserSession/handle`` is `handle` (signing out a browser from the
    /// account page), unless it is `keeping` (the session asking: it signs out instead), ends any change of address
    /// under way (its link: that session may have asked for it, and links do not say which did), and records a
    /// `session_ended` event naming its device, in one transaction. Returns whether a session ended: `false` for a
    /// handle of no live session of `user` (another account's, one ended already, or not a handle at all), and then
    /// nothing is written.
    @discardableResult
    public func endBrowserSession(
        handle: String, of user: UserID, keeping: String? = nil, actor: String = "user"
    ) async throws(StoreError) -> Bool {
        guard handle.utf8.count == BrowserSession.handleLength,
            handle.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
        else { return false }
        return try await write { db in
            let now = self.now()
            let micros = Timestamp.micros(now)
            let record = try AccountStore.requireUserRecord(db, .id(user))
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT id, token_hash, device FROM browser_sessions
                            WHERE user_id = ? AND substr(token_hash, 1, ?) = ? AND idle_expires_at > ? AND expires_at > ?
                            """),
                    arguments: [record.id, BrowserSession.handleLength, handle, micros, micros])
            else { return false }
            let tokenHash: String = row["token_hash"]
            if tokenHash == keeping { return false }
            try db.run(sql: "DELETE FROM browser_sessions WHERE id = ?", arguments: [row["id"] as Int64])
            try AccountStore.endEmailChanges(db, userRowID: record.id!, at: micros)
            var details: [String: String] = [:]
            if let device: String = row["device"] { details["device"] = device }
            try AccountStore.insertEvent(
                db, AccountEvent(kind: .sessionEnded, subject: user, actor: actor, details: details, occurredAt: now))
            return true
        }
    }

    /// Whether an account had signed in from a device before (``noteSignInDevice(_:for:)``).
    public enum DeviceSighting: Sendable, Hashable {
        /// The account's first device: it had none yet (a registration, a sign-up, an account older than the list).
        case first
        /// A device the account has signed in from before.
        case known
        /// A device the account never signed in from, though it has others: worth telling its owner.
        case new
    }

    /// A device an account signed in from (``noteSignInDevice(_:for:)``).
    public struct SignInDevice: Sendable, Hashable {
        /// Its label ("Firefox on Linux").
        public var device: String
        /// The account's first sign-in from it.
        public var firstSeenAt: Date
        /// The account's latest sign-in from it.
        public var lastSeenAt: Date
    }

    /// The devices `user` signed in from, the most recently used first ("Download your data" lists them).
    public func signInDevices(of user: UserID) async throws(StoreError) -> [SignInDevice] {
        try await read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT d.device, d.first_seen_at, d.last_seen_at
                        FROM account_devices d JOIN users u ON u.id = d.user_id
                        WHERE u.public_id = ? ORDER BY d.last_seen_at DESC, d.device
                        """), arguments: [user.rawValue]
            ).map {
                SignInDevice(
                    device: $0[0], firstSeenAt: Timestamp.date($0[1] as Int64),
                    lastSeenAt: Timestamp.date($0[2] as Int64))
            }
        }
    }

    /// Records that `user` signed in from `device` (a label such as "Firefox on Linux"), and says whether the account
    /// had used it before. The account's devices go with it; a label is cut to 64 characters without control or format
    /// characters, and one left empty is `.known` and recorded nowhere.
    public func noteSignInDevice(_ device: String, for user: UserID) async throws(StoreError) -> DeviceSighting {
        guard let device = Self.storableDevice(device) else { return .known }
        return try await write { db in
            let record = try AccountStore.requireUserRecord(db, .id(user))
            return try AccountStore.noteDevice(db, device, userRowID: record.id!, at: Timestamp.micros(self.now()))
        }
    }

    /// The body of ``noteSignInDevice(_:for:)`` for a label already made storable.
    private static func noteDevice(_ db: Database, _ device: String, userRowID: Int64, at now: Int64) throws
        -> DeviceSighting
    {
        try db.run(
            sql: "UPDATE account_devices SET last_seen_at = ? WHERE user_id = ? AND device = ?",
            arguments: [now, userRowID, device])
        if db.changesCount == 1 { return .known }
        let others =
            try Int.fetchOne(
                db.cachedStatement(sql: "SELECT count(*) FROM account_devices WHERE user_id = ?"),
                arguments: [userRowID]) ?? 0
        try db.run(
            sql: "INSERT INTO account_devices (user_id, device, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?)",
            arguments: [userRowID, device, now, now])
        return others == 0 ? .first : .new
    }

    /// The number of live sessions of `user`.
    public func browserSessionCount(of user: UserID) async throws(StoreError) -> Int {
        let now = Timestamp.micros(now())
        return try await read { db in
            try Int.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT count(*) FROM browser_sessions s JOIN users u ON u.id = s.user_id
                        WHERE u.public_id = ? AND s.idle_expires_at > ? AND s.expires_at > ?
                        """), arguments: [user.rawValue, now, now]) ?? 0
        }
    }

    /// How many ended sessions each new one clears away.
    static let expiredSessionsPerInsert = 64

    /// Moves the registration draft `draftID` from browser session binding `oldBinding` to `newBinding`: what a
    /// sign-in made to link that draft ("this email already has an account — sign in to link") does when it rotates
    /// the session id. Nothing else moves: a draft or pending authorization someone else planted in the browser's old
    /// session (a cookie set by another site on the same host) must not follow the person into their account.
    ///
    /// With `carriedAs` (a hash of `oldBinding` and the account that signed in, never either itself), the draft keeps
    /// it as where it was carried from, and a draft carried so already moves again from wherever it is to
    /// `newBinding` when given the same: the second of two sign-ins sent at once (a double click), which each made a
    /// session, carries it on to its own, so whichever answer the browser keeps holds it. Only a caller that held
    /// `oldBinding` and signed in to the same account can give it: nothing moves a draft to another account, or to a
    /// session that was not made from the one that held it.
    /// - Returns: whether the draft (live) was bound to `oldBinding`, or carried as `carriedAs`, and moved.
    @discardableResult
    public func rebindDraft(
        _ draftID: String, from oldBinding: String, to newBinding: String, carriedAs carry: String? = nil
    ) async throws(StoreError) -> Bool {
        let now = Timestamp.micros(now())
        return try await write { db in
            try db.run(
                sql: """
                    UPDATE registration_drafts SET browser_session = ?1, carried_from = coalesce(?4, carried_from)
                    WHERE id = ?2 AND expires_at > ?5
                        AND (browser_session = ?3 OR (?4 IS NOT NULL AND carried_from = ?4))
                    """,
                arguments: [newBinding, draftID, oldBinding, carry, now])
            return db.changesCount == 1
        }
    }

    static func insertSession(_ db: Database, _ session: BrowserSession) throws {
        let userRowID = try session.user.map { user in try AccountStore.requireUserRecord(db, .id(user)).id! }
        // Every new session clears away up to 64 ended ones (through the expiry indexes): every request without a
        // cookie makes one, and without this they piled up until someone ran `accounts purge`. One `OR` (SQLite's
        // multi-index OR, which stops at the limit), not a `UNION`, which first collects every ended session into a
        // temporary b-tree: with 100,000 ended sessions left to clear, each new session took 40–55 ms in the write
        // lock.
        let now = Timestamp.micros(session.createdAt)
        try db.run(sql: Queries.clearEndedSessions, arguments: [now])
        try db.run(
            sql: """
                INSERT INTO browser_sessions (token_hash, user_id, csrf_token, created_at, last_seen_at,
                    idle_expires_at, expires_at, device)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                session.tokenHash, userRowID, session.csrfToken, Timestamp.micros(session.createdAt),
                Timestamp.micros(session.lastSeenAt), Timestamp.micros(session.idleExpiresAt),
                Timestamp.micros(session.expiresAt), session.device.flatMap(Self.storableDevice),
            ])
    }

    /// `device` as the column takes it: at most 64 characters, without control or format characters; nil when none
    /// is left.
    static func storableDevice(_ device: String) -> String? {
        let cleaned = String(
            device.unicodeScalars.filter {
                $0.properties.generalCategory != .control && $0.properties.generalCategory != .format
            }.prefix(64))
        return cleaned.isEmpty ? nil : cleaned
    }

    /// The columns ``session(from:)`` reads, from `browser_sessions s` joined to `users u`.
    static let sessionColumns =
        "s.token_hash, u.public_id, s.csrf_token, s.created_at, s.last_seen_at, s.idle_expires_at, s.expires_at, "
        + "s.device"

    /// The live session whose token hash is `?1` at `?2` (and `?3`, the same time), with its account's public id (and
    /// its row id, last).
    static let liveSessionByHash = """
        SELECT \(sessionColumns), s.id
        FROM browser_sessions s LEFT JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = ? AND s.idle_expires_at > ? AND s.expires_at > ?
        """

    static func session(from row: Row) -> BrowserSession {
        BrowserSession(
            tokenHash: row[0], user: (row[1] as String?).map(UserID.init(uncheckedRawValue:)), csrfToken: row[2],
            createdAt: Timestamp.date(row[3] as Int64), lastSeenAt: Timestamp.date(row[4] as Int64),
            idleExpiresAt: Timestamp.date(row[5] as Int64), expiresAt: Timestamp.date(row[6] as Int64),
            device: row[7])
    }

    /// Gives the session `kept` (its token hash) of the account `userRowID` `rekey`'s id and CSRF token, in `db`'s
    /// transaction: the session that asked for a change of its account's ways in, which goes on under a new id.
    /// Nothing without either, nor for a session of another account (a caller's mix-up would otherwise hand the
    /// holder of the new id that account's session).
    static func rekeySession(
        _ db: Database, _ kept: String?, of userRowID: Int64, to rekey: BrowserSessionRekey?
    ) throws {
        guard let kept, let rekey else { return }
        try db.run(
            sql: "UPDATE browser_sessions SET token_hash = ?, csrf_token = ? WHERE token_hash = ? AND user_id = ?",
            arguments: [rekey.tokenHash, rekey.csrfToken, kept, userRowID])
    }

    /// Deletes every browser session of the account (but `keeping`'s), in `db`'s transaction, and returns how many of
    /// them were live at `now`: what "ended N sessions" tells a person or an operator. Sessions that had already
    /// expired (kept until a later sign-in clears them) are deleted too, not counted.
    static func endSessions(_ db: Database, userRowID: Int64, keeping: String? = nil, at now: Int64) throws -> Int {
        let live =
            try Int.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT count(*) FROM browser_sessions
                        WHERE user_id = ?1 AND token_hash IS NOT ?2 AND idle_expires_at > ?3 AND expires_at > ?3
                        """), arguments: [userRowID, keeping, now]) ?? 0
        try db.run(
            sql: "DELETE FROM browser_sessions WHERE user_id = ? AND token_hash IS NOT ?",
            arguments: [userRowID, keeping])
        return live
    }
}

extension Queries {
    /// Deletes up to ``AccountStore/expiredSessionsPerInsert`` sessions ended at `?1` (idle or absolute lifetime
    /// over). The `OR` is SQLite's multi-index OR over the two expiry indexes, which stops at the limit; a `UNION`
    /// collected every ended session first.
    package static let clearEndedSessions = """
        DELETE FROM browser_sessions WHERE id IN (
            SELECT id FROM browser_sessions WHERE idle_expires_at <= ?1 OR expires_at <= ?1
            LIMIT \(AccountStore.expiredSessionsPerInsert))
        """
}
