import AccountCrypto
public import AccountModel
public import Foundation
import GRDB
import Logging

extension AccountStore {
    /// Links a Twitter identity (and, when given, its access token) to an account, in one transaction with a
    /// `linked` event.
    ///
    /// Throws ``StoreError/alreadyLinked(_:)`` when the account has a Twitter identity already,
    /// ``StoreError/duplicate(_:)`` with ``Field/twitterUserID`` when the Twitter id belongs to another account,
    /// ``StoreError/accountDisabled(_:)`` when the account is not active (checked in the transaction, so a link under
    /// way when the account was disabled does not land), and ``StoreError/accountNotFound(_:)``; nothing changes
    /// then.
    ///
    /// `obtainedAt` is when Twitter gave the credential and profile (a draft's creation; `nil`: now): what
    /// ``recordTwitterSignIn(_:credential:consumingDraft:obtainedAt:)`` compares a late draft's with.
    @discardableResult
    public func linkTwitter(
        _ identity: NewTwitterIdentity, credential: TwitterCredential?, to user: AccountReference,
        consumingDraft draftID: String? = nil, actor: String = "user", obtainedAt: Date? = nil
    ) async throws(StoreError) -> Account {
        try AccountStore.checkIdentity(identity)
        let keyRing = credential == nil ? nil : try requireKeyRing()
        logger.debug(
            "linking twitter identity",
            metadata: [
                "twitter.id": "\(identity.userID)", "twitter.screen_name": "\(identity.screenName)",
                "twitter.has_credential": "\(credential != nil)",
            ])
        return try await write { db in
            let now = self.now()
            var record = try AccountStore.requireUserRecord(db, user)
            let userID = UserID(uncheckedRawValue: record.publicID)
            guard record.status == AccountStatus.active.rawValue else { throw StoreError.accountDisabled(userID) }
            // Dated no earlier than the account's latest change of address (its undo link's `changed_at`): an undo
            // unlinks what was linked since the change, whatever the clock did between them (set back, or another
            // process's running behind).
            let lastChange =
                try Int64.fetchOne(
                    db, sql: "SELECT max(changed_at) FROM email_change_undos WHERE user_id = ?",
                    arguments: [record.id]) ?? Timestamp.minimumMicros
            let identityRecord = try AccountStore.insertIdentity(
                db, identity, userRowID: record.id!, userID: userID,
                now: Timestamp.date(max(Timestamp.micros(now), lastChange)), seenAt: obtainedAt ?? now)
            if let credential, let keyRing {
                let sealed = try AccountStore.sealInWrite(
                    db, credential.secret.revealed, kind: .credential, rowKey: identity.userID.decimalString,
                    keyRing: keyRing)
                try AccountStore.upsertCredential(
                    db, identityRowID: identityRecord.id!, token: credential.token, sealed: sealed,
                    now: obtainedAt ?? now)
            }
            record.updatedAt = Timestamp.micros(now)
            try db.run(sql: "UPDATE users SET updated_at = ? WHERE id = ?", arguments: [record.updatedAt, record.id])
            try AccountStore.insertEvent(
                db,
                AccountEvent(
                    kind: .linked, subject: userID, actor: actor,
                    details: ["twitter_id": identity.userID.decimalString, "screen_name": identity.screenName],
                    occurredAt: now))
            if let draftID {
                try db.run(sql: "DELETE FROM registration_drafts WHERE id = ?", arguments: [draftID])
            }
            return record.account(twitter: identityRecord.identity)
        }
    }

    /// Records a sign-in through Twitter for the account linked to `identity.userID`: the identity's screen name,
    /// display name, profile and last-seen time refreshed (screen names change; the id does not), the credential
    /// replaced, the last sign-in time set and a `signed_in` event recorded, in one transaction. The event's details
    /// name the Twitter account by its id as well as its screen name (`{"method": "twitter", "twitter_id",
    /// "screen_name"}`: a screen name given up is taken by someone else), and the names the sign-in replaced
    /// (`previous_screen_name`, `previous_name`) when they changed.
    ///
    /// `obtainedAt` is when Twitter gave the credential and profile (a registration draft's creation, for a draft
    /// completed late): the identity and the credential are then left as they are when Twitter gave the store's at
    /// or after it (a newer sign-in, registration or link: a late tab must not put back an older, perhaps revoked,
    /// token or an old screen name). `nil`: they are just in, and replace what is stored.
    ///
    /// Returns `nil` (and changes nothing) when no account is linked to that Twitter id. Throws
    /// ``StoreError/accountDisabled(_:)`` for a disabled account, having recorded only a `sign_in_refused` event
    /// (`{"method": "twitter", "reason": "disabled", "twitter_id", "screen_name"}`, the screen name Twitter gave, and
    /// the stored names where they differ, as the `signed_in` event has them).
    public func recordTwitterSignIn(
        _ identity: NewTwitterIdentity, credential: TwitterCredential, consumingDraft draftID: String? = nil,
        obtainedAt: Date? = nil
    ) async throws(StoreError) -> Account? {
        try AccountStore.checkIdentity(identity)
        let keyRing = try requireKeyRing()
        let result: Result<Account?, StoreError> = try await write { db in
            let sealed = try AccountStore.sealInWrite(
                db,
                credential.secret.revealed, kind: .credential, rowKey: identity.userID.decimalString, keyRing: keyRing)
            let now = self.now()
            guard
                var identityRecord = try TwitterIdentityRecord.fetchOne(
                    db.cachedStatement(
                        sql: "SELECT \(TwitterIdentityRecord.columns) FROM twitter_identities WHERE twitter_user_id = ?"
                    ),
                    arguments: [identity.userID.decimalString])
            else { return .success(nil) }
            if let owner = try UserRecord.fetchOne(
                db.cachedStatement(sql: "SELECT \(UserRecord.columns) FROM users WHERE id = ?"),
                arguments: [identityRecord.userID]),
                owner.status != AccountStatus.active.rawValue
            {
                let userID = UserID(uncheckedRawValue: owner.publicID)
                // (the Twitter account by its id, which no one else is given, and the stored names it no longer has)
                var details = AccountStore.previousNames(stored: identityRecord, incoming: identity)
                details.merge(
                    [
                        "method": "twitter", "reason": "disabled", "twitter_id": identity.userID.decimalString,
                        "screen_name": identity.screenName,
                    ], uniquingKeysWith: { $1 })
                try AccountStore.insertEvent(
                    db,
                    AccountEvent(
                        kind: .signInRefused, subject: userID, actor: "user", details: details, occurredAt: now))
                return .failure(.accountDisabled(userID))
            }
            // The identity's `last_seen_at` and the credential's `updated_at` are when Twitter gave what they hold (a
            // draft's creation, for a registration or link): what a late draft is compared with.
            let obtained = Timestamp.micros(obtainedAt ?? now)
            // The names the sign-in replaces: screen names are given up and taken by others, and an imported account
            // has no event that says which it had.
            var renamed: [String: String] = [:]
            if obtainedAt == nil || identityRecord.lastSeenAt < obtained {
                renamed = AccountStore.previousNames(stored: identityRecord, incoming: identity)
                identityRecord.screenName = identity.screenName
                identityRecord.displayName = identity.name
                if let profile = identity.profileJSON { identityRecord.profileJSON = profile }
                identityRecord.lastSeenAt = obtained
                try identityRecord.update(db)
            }
            let storedAt = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT updated_at FROM twitter_credentials WHERE identity_id = ?"),
                arguments: [identityRecord.id])
            if obtainedAt == nil || (storedAt.map { $0 < obtained } ?? true) {
                try AccountStore.upsertCredential(
                    db, identityRowID: identityRecord.id!, token: credential.token, sealed: sealed,
                    now: Timestamp.date(obtained))
            }
            try db.run(
                sql: "UPDATE users SET last_sign_in_at = ? WHERE id = ?",
                arguments: [Timestamp.micros(now), identityRecord.userID])
            guard
                let record = try UserRecord.fetchOne(
                    db.cachedStatement(sql: "SELECT \(UserRecord.columns) FROM users WHERE id = ?"),
                    arguments: [identityRecord.userID])
            else { return .success(nil) }
            let userID = UserID(uncheckedRawValue: record.publicID)
            renamed.merge(
                [
                    "method": "twitter", "twitter_id": identity.userID.decimalString,
                    "screen_name": identityRecord.screenName,
                ], uniquingKeysWith: { $1 })
            try AccountStore.insertEvent(
                db, AccountEvent(kind: .signedIn, subject: userID, actor: "user", details: renamed, occurredAt: now))
            if let draftID {
                try db.run(sql: "DELETE FROM registration_drafts WHERE id = ?", arguments: [draftID])
            }
            return .success(record.account(twitter: identityRecord.identity))
        }
        return try result.get()
    }

    /// `previous_screen_name` and `previous_name`: the stored identity's screen name and display name where
    /// `incoming` (the same Twitter id, as Twitter gives it now) has others, compared byte for byte; empty when
    /// neither changed. A sign-in's event says so, as its identity's names are replaced.
    static func previousNames(stored: TwitterIdentityRecord, incoming: NewTwitterIdentity) -> [String: String] {
        var names: [String: String] = [:]
        if !stored.screenName.utf8.elementsEqual(incoming.screenName.utf8) {
            names["previous_screen_name"] = stored.screenName
        }
        if !stored.displayName.utf8.elementsEqual(incoming.name.utf8) { names["previous_name"] = stored.displayName }
        return names
    }

    /// Inserts `identity` for the account in row `userRowID`, linked `now` and last seen at `seenAt` (when Twitter
    /// gave its profile: a draft's creation; `nil`: `now`).
    static func insertIdentity(
        _ db: Database, _ identity: NewTwitterIdentity, userRowID: Int64, userID: UserID, now: Date,
        seenAt: Date? = nil
    ) throws -> TwitterIdentityRecord {
        var record = TwitterIdentityRecord(
            userID: userRowID, twitterUserID: identity.userID.decimalString, screenName: identity.screenName,
            displayName: identity.name, profileJSON: identity.profileJSON, linkedAt: Timestamp.micros(now),
            lastSeenAt: Timestamp.micros(seenAt ?? now))
        do {
            try db.run(
                sql: """
                    INSERT INTO twitter_identities (user_id, twitter_user_id, screen_name, display_name, profile_json,
                        linked_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    record.userID, record.twitterUserID, record.screenName, record.displayName,
                    record.profileJSON.map { Data($0) }, record.linkedAt, record.lastSeenAt,
                ])
            record.id = db.lastInsertedRowID
        } catch {
            if StoreError.isUniqueViolation(error, on: "twitter_identities.user_id") {
                throw StoreError.alreadyLinked(userID)
            }
            throw error
        }
        return record
    }

    static func upsertCredential(
        _ db: Database, identityRowID: Int64, token: String, sealed: (blob: Data, keyID: String), now: Date
    ) throws {
        try db.run(
            sql: """
                INSERT INTO twitter_credentials (identity_id, access_token, sealed_secret, key_id, updated_at)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (identity_id) DO UPDATE SET access_token = excluded.access_token,
                    sealed_secret = excluded.sealed_secret, key_id = excluded.key_id, updated_at = excluded.updated_at
                """, arguments: [identityRowID, token, sealed.blob, sealed.keyID, Timestamp.micros(now)])
    }

    /// Removes the account's Twitter identity and its credential, with an `unlinked` event.
    ///
    /// Refused with ``StoreError/lastSignInMethod(_:)`` when the account has no password (it would be left with no
    /// way to sign in), and with ``StoreError/accountDisabled(_:)`` when the account is not active. Every session of
    /// the account but `endingSessionsBut`'s (the hash of the browser session that asked; `nil`: every one) ends in
    /// the same transaction (the event's `details` say how many): whoever signed in through the Twitter account is
    /// signed out with it. With `rekeying`, the kept session goes on under that new id and CSRF token, in the same
    /// transaction (a copy of its old cookie signs nobody in from then on).
    public func unlinkTwitter(
        from user: AccountReference, actor: String = "user", endingSessionsBut keptSession: String? = nil,
        rekeying rekey: BrowserSessionRekey? = nil
    ) async throws(StoreError) -> Account {
        try await unlinkTwitterTakingCredential(
            from: user, actor: actor, endingSessionsBut: keptSession, rekeying: rekey
        ).account
    }

    /// ``unlinkTwitter(from:actor:endingSessionsBut:rekeying:)``, also returning the access token its own transaction removed,
    /// its secret opened (`nil`: there was none, or the ring cannot open it): the one to revoke at Twitter, a token
    /// stored by a sign-in that landed just before the unlink included.
    package func unlinkTwitterTakingCredential(
        from user: AccountReference, actor: String = "user", endingSessionsBut keptSession: String? = nil,
        rekeying rekey: BrowserSessionRekey? = nil
    ) async throws(StoreError) -> (account: Account, credential: TwitterCredential?) {
        let (account, identity, stored) = try await write {
            db -> (Account, TwitterIdentity, StoredCredential?) in
            let now = self.now()
            var record = try AccountStore.requireUserRecord(db, user)
            let userID = UserID(uncheckedRawValue: record.publicID)
            guard record.status == AccountStatus.active.rawValue else { throw StoreError.accountDisabled(userID) }
            guard
                let identity = try TwitterIdentityRecord.fetchOne(
                    db.cachedStatement(
                        sql: "SELECT \(TwitterIdentityRecord.columns) FROM twitter_identities WHERE user_id = ?"),
                    arguments: [record.id])
            else { throw StoreError.notLinked(userID) }
            guard record.passwordHash != nil else { throw StoreError.lastSignInMethod(userID) }
            let stored = try AccountStore.storedCredential(db, userRowID: record.id!)
            try db.run(sql: "DELETE FROM twitter_identities WHERE id = ?", arguments: [identity.id])
            record.updatedAt = Timestamp.micros(now)
            try db.run(sql: "UPDATE users SET updated_at = ? WHERE id = ?", arguments: [record.updatedAt, record.id])
            var details = ["twitter_id": identity.twitterUserID, "screen_name": identity.screenName]
            let ended = try AccountStore.endSessions(
                db, userRowID: record.id!, keeping: keptSession, at: Timestamp.micros(now))
            try AccountStore.rekeySession(db, keptSession, of: record.id!, to: rekey)
            details["sessions"] = "\(ended)"
            try AccountStore.insertEvent(
                db, AccountEvent(kind: .unlinked, subject: userID, actor: actor, details: details, occurredAt: now))
            return (record.account(twitter: nil), identity.identity, stored)
        }
        await checkpointWithoutWaiting()
        return (account, openedToRevoke(stored, of: identity.userID, removedBy: "unlink"))
    }

    /// Replaces the stored access token of the Twitter identity `twitterUserID`.
    public func setCredential(_ credential: TwitterCredential, for twitterUserID: TwitterUserID)
        async throws(StoreError)
    {
        let keyRing = try requireKeyRing()
        try await write { db in
            guard
                let identityRowID = try Int64.fetchOne(
                    db.cachedStatement(sql: "SELECT id FROM twitter_identities WHERE twitter_user_id = ?"),
                    arguments: [twitterUserID.decimalString])
            else { throw StoreError.accountNotFound("linked to Twitter id \(twitterUserID)") }
            let sealed = try AccountStore.sealInWrite(
                db,
                credential.secret.revealed, kind: .credential, rowKey: twitterUserID.decimalString, keyRing: keyRing)
            let now = self.now()
            try AccountStore.upsertCredential(
                db, identityRowID: identityRowID, token: credential.token, sealed: sealed, now: now)
        }
    }

    /// The access token stored for the Twitter identity `twitterUserID`, its secret opened; `nil` when there is none.
    public func credential(for twitterUserID: TwitterUserID) async throws(StoreError) -> TwitterCredential? {
        let keyRing = try requireKeyRing()
        let stored = try await read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: StoredCredential.selection + " WHERE i.twitter_user_id = ?"),
                arguments: [twitterUserID.decimalString]
            ).map(StoredCredential.init(row:))
        }
        return try stored?.opened(for: twitterUserID, keyRing: keyRing)
    }
}

/// An access token as stored: the token, and its secret still sealed (bound to the Twitter user id).
extension AccountStore {
    /// `stored`, a token a write just removed, opened for revoking at Twitter; `nil` when there was none, or, with a
    /// warning in the store's log (the Twitter user id and the reason, no token), when the ring cannot open it (its
    /// key gone, or no ring): the token then stays valid at Twitter, and until session 61 nothing said so.
    func openedToRevoke(_ stored: StoredCredential?, of twitterUserID: TwitterUserID, removedBy what: String)
        -> TwitterCredential?
    {
        guard let stored else { return nil }
        do throws(StoreError) {
            guard let keyRing else { throw .noKeyRing }
            return try stored.opened(for: twitterUserID, keyRing: keyRing)
        } catch {
            warnNotRevoked(twitterUserID, removedBy: what, error)
            return nil
        }
    }

    /// Logs that the stored token of `twitterUserID` that `what` removed is not revoked at Twitter, for `error`; a
    /// `draft`'s is not revoked anyway when that Twitter account is linked by now (its link holds the same token).
    func warnNotRevoked(
        _ twitterUserID: TwitterUserID, removedBy what: String, _ error: StoreError, draft: Bool = false
    ) {
        logger.warning(
            draft
                ? "a registration draft's Twitter access token removed from the store cannot be revoked at Twitter: its sealed secret cannot be opened; unless that Twitter account is linked to an account by now (whose link holds the same token), it stays valid until the person revokes the app's access on Twitter"
                : "a Twitter access token removed from the store cannot be revoked at Twitter: its sealed secret cannot be opened; it stays valid until the person revokes the app's access on Twitter (or the key is put back in the ring before the token is removed)",
            metadata: [
                "twitter.user_id": "\(twitterUserID)", "store.removed_by": "\(what)", "store.error": "\(error)",
            ])
    }
}

struct StoredCredential: Sendable {
    /// The columns a row is read from, the identity joined as `i` (a `WHERE` on it follows).
    static let selection = """
        SELECT c.access_token, c.sealed_secret FROM twitter_credentials c
        JOIN twitter_identities i ON i.id = c.identity_id
        """
    let token: String
    let sealed: Data

    init(row: Row) {
        token = row[0]
        sealed = AccountStore.sealedBlob(row, 1)
    }

    /// The credential with its secret opened (the seal is bound to `twitterUserID`).
    func opened(for twitterUserID: TwitterUserID, keyRing: KeyRing) throws(StoreError) -> TwitterCredential {
        let secret = try AccountStore.open(
            sealed, kind: .credential, rowKey: twitterUserID.decimalString, keyRing: keyRing)
        return TwitterCredential(token: token, secret: Secret(secret))
    }
}
