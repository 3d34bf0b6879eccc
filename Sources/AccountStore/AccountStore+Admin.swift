import AccountMatching
public import AccountModel
public import Foundation
import GRDB
import Logging

/// Everything an operator may see about one account: never a password hash, token or secret.
public struct AccountOverview: Sendable, Hashable {
    /// The account, with its Twitter identity; `hasPassword` says whether it has a password.
    public var account: Account
    /// Whether an access token is stored for its Twitter identity (imported identities have none).
    public var hasTwitterCredential: Bool
    /// Its most recent audit events, newest first.
    public var recentEvents: [AccountEvent]
    /// The addresses reserved for it while the link undoing a change of address can give them back, oldest change
    /// first (a disabled account's too: its links work again once it is enabled).
    public var emailChangeUndos: [EmailChangeUndoReservation] = []
}

/// An address a change moved an account off, reserved for that account (no other account can take it) while the
/// change's undo link, mailed to it, can give it back. Never the link.
public struct EmailChangeUndoReservation: Sendable, Hashable {
    /// The address the link gives back, reserved until ``expiresAt``.
    public var restores: String
    /// The address the change made the account's.
    public var replacedBy: String
    /// When the change was made.
    public var changedAt: Date
    /// When the link stops working and the reservation ends.
    public var expiresAt: Date
}

/// What ``AccountStore/deleteAccount(_:actor:)`` removed.
public struct AccountDeletion: Sendable, Hashable {
    /// The deleted account's public id (the only trace of it the audit trail keeps).
    public var id: UserID
    /// Its username.
    public var username: String
    /// Its Twitter identity, if it had one.
    public var twitter: TwitterIdentity?
    /// Whether a stored access token went with the identity.
    public var removedCredential: Bool
    /// Whether it had a password.
    public var hadPassword: Bool
    /// Registration drafts that were to be linked to it.
    public var drafts: Int
    /// Pending Twitter authorizations started to link to it.
    public var pendingAuthorizations: Int
    /// The access token that went with the identity, its secret opened, as the deletion's own transaction read it
    /// (a token stored while a password was being checked included): revoke it at Twitter. `nil` when there was
    /// none, or the store has no key ring, or its keys cannot open it.
    public var credential: TwitterCredential?
    /// The access tokens of the registration drafts that were to be linked to it (a "Link Twitter account" approved at
    /// Twitter and not confirmed yet, perhaps on another device), by Twitter user id, secrets opened where the ring
    /// can: revoke them at Twitter unless that Twitter account is linked to an account by now
    /// (`RegistrationService.revokeDraftTokens(of:)` does).
    public var draftCredentials: [TwitterUserID: TwitterCredential] = [:]
}

/// What ``AccountStore/setAccountStatus(_:to:reason:actor:)`` did.
public struct AccountStatusChange: Sendable, Hashable {
    /// The account as it is now.
    public var account: Account
    /// Whether its status changed (`false`: it already had the status asked for, and nothing was written).
    public var changed: Bool
    /// Browser sessions of the account that were ended (disabling only).
    public var sessionsEnded: Int
    /// Live password reset links of the account that were ended (disabling only).
    public var resetLinksEnded: Int
}

extension AccountStore {
    /// Disables or enables the account `reference`, in one transaction with a `disabled` or `enabled` audit event
    /// (`details`: `reason` when given, and for disabling `sessions` and `reset_links`).
    ///
    /// A disabled account signs in neither with its password nor through Twitter, and its sessions no longer sign
    /// anyone in. Disabling also deletes its browser sessions and ends its live password reset links, so that enabling
    /// it again revives neither. Setting the status it already has changes nothing and records nothing
    /// (``AccountStatusChange/changed`` is `false`). Throws ``StoreError/accountNotFound(_:)`` (nothing changes) when
    /// there is no such account.
    public func setAccountStatus(
        _ reference: AccountReference, to status: AccountStatus, reason: String? = nil, actor: String = "cli"
    ) async throws(StoreError) -> AccountStatusChange {
        let change = try await write { db in
            let now = self.now()
            let micros = Timestamp.micros(now)
            let record = try AccountStore.requireUserRecord(db, reference)
            guard let rowID = record.id, record.status != status.rawValue else {
                return AccountStatusChange(
                    account: try AccountStore.attachTwitter(db, record), changed: false, sessionsEnded: 0,
                    resetLinksEnded: 0)
            }
            try db.run(
                sql: "UPDATE users SET status = ?, updated_at = ? WHERE id = ?",
                arguments: [status.rawValue, micros, rowID])
            var details: [String: String] = [:]
            if let reason { details["reason"] = reason }
            var sessions = 0
            var links = 0
            if status == .disabled {
                sessions = try AccountStore.endSessions(db, userRowID: rowID, at: micros)
                // Live ones counted, as sessions are: an expired link not yet purged ends too, uncounted.
                links =
                    try Int.fetchOne(
                        db,
                        sql: """
                            SELECT count(*) FROM password_resets WHERE user_id = ? AND used_at IS NULL AND expires_at > ?
                            """, arguments: [rowID, micros]) ?? 0
                try AccountStore.endPasswordResets(db, userRowID: rowID, at: micros)
                // Confirmation links end too (not counted: they open nothing), as reset links do.
                try AccountStore.endEmailVerifications(db, userRowID: rowID, at: micros)
                details["sessions"] = String(sessions)
                details["reset_links"] = String(links)
            }
            guard let updated = try AccountStore.account(db, rowID: rowID) else {
                throw StoreError.accountNotFound(reference.description)
            }
            try AccountStore.insertEvent(
                db,
                AccountEvent(
                    kind: status == .disabled ? .disabled : .enabled, subject: updated.id, actor: actor,
                    details: details, occurredAt: now))
            return AccountStatusChange(account: updated, changed: true, sessionsEnded: sessions, resetLinksEnded: links)
        }
        if change.changed {
            logger.info(
                "account \(status == .disabled ? "disabled" : "enabled")",
                metadata: ["account.id": "\(change.account.id)", "account.actor": "\(actor)"])
        }
        return change
    }

    /// The account `reference` with whether its identity has a stored credential, its latest `eventLimit` audit
    /// events and the addresses its live undo links reserve, from one read snapshot; `nil` when there is no such
    /// account.
    public func accountOverview(
        _ reference: AccountReference, eventLimit: Int = 20
    ) async throws(StoreError) -> AccountOverview? {
        let now = Timestamp.micros(self.now())
        return try await read { db in
            guard let record = try AccountStore.fetchUserRecord(db, reference) else { return nil }
            let account = try AccountStore.attachTwitter(db, record)
            let hasCredential = try AccountStore.hasCredential(db, userRowID: record.id)
            let events = try Row.fetchAll(
                db,
                sql: """
                    SELECT subject, kind, actor, details, occurred_at FROM account_events
                    WHERE subject = ? ORDER BY id DESC LIMIT ?
                    """, arguments: [record.publicID, max(0, eventLimit)]
            ).map(AccountStore.event(from:))
            let undos = try Row.fetchAll(
                db,
                sql: """
                    SELECT email, replaced_by, changed_at, expires_at FROM email_change_undos
                    WHERE user_id = ? AND used_at IS NULL AND expires_at > ? ORDER BY id
                    """, arguments: [record.id, now]
            ).map {
                EmailChangeUndoReservation(
                    restores: $0[0], replacedBy: $0[1], changedAt: Timestamp.date($0[2]),
                    expiresAt: Timestamp.date($0[3]))
            }
            return AccountOverview(
                account: account, hasTwitterCredential: hasCredential, recentEvents: events, emailChangeUndos: undos)
        }
    }

    /// The account for which a live undo link reserves `email` (compared as the store compares addresses), with that
    /// reservation: whom an address no account holds is kept for; `nil` when no link reserves it.
    public func emailChangeUndoReservation(of email: String) async throws(StoreError) -> (
        account: Account, reservation: EmailChangeUndoReservation
    )? {
        let now = Timestamp.micros(self.now())
        let key = Mailbox.uniquenessKey(EmailAddress.trim(email))
        return try await read { db in
            guard
                let row = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT user_id, email, replaced_by, changed_at, expires_at FROM email_change_undos
                        WHERE email_key = ? AND used_at IS NULL AND expires_at > ? ORDER BY id DESC
                        """, arguments: [key, now]
                ).first(where: { AccountStore.reservesByItsKey(email: $0[1], key: key) }),
                let account = try AccountStore.account(db, rowID: row[0])
            else { return nil }
            return (
                account,
                EmailChangeUndoReservation(
                    restores: row[1], replacedBy: row[2], changedAt: Timestamp.date(row[3]),
                    expiresAt: Timestamp.date(row[4]))
            )
        }
    }

    /// Deletes the account `reference` with its Twitter identity, stored credential, password, and the registration
    /// drafts and pending authorizations that were to be linked to it, in one transaction with a `deleted` audit
    /// event that keeps only the public id and counts (no personal data).
    ///
    /// Throws ``StoreError/accountNotFound(_:)`` (nothing changes) when there is no such account.
    public func deleteAccount(_ reference: AccountReference, actor: String = "cli") async throws(StoreError)
        -> AccountDeletion
    {
        let (deletion, stored, drafts) = try await write { db in
            let now = self.now()
            return try AccountStore.delete(
                try AccountStore.requireUserRecord(db, reference), in: db, actor: actor, at: now)
        }
        logger.info("account deleted", metadata: ["account.id": "\(deletion.id)", "account.actor": "\(actor)"])
        await checkpointWithoutWaiting()
        return opening(deletion, stored, drafts)
    }

    /// `deletion` with the credentials it removed opened (when the ring can).
    private func opening(_ deletion: AccountDeletion, _ stored: StoredCredential?, _ drafts: [DraftTokenRow])
        -> AccountDeletion
    {
        var opened = deletion
        for draft in openedDrafts(drafts, removedBy: "deletion") {
            if let credential = draft.credential { opened.draftCredentials[draft.twitterUserID] = credential }
        }
        guard let twitter = deletion.twitter else { return opened }
        opened.credential = openedToRevoke(stored, of: twitter.userID, removedBy: "deletion")
        return opened
    }

    /// Deletes the account `user` at its owner's request as ``deleteAccount(_:actor:)`` does, only while its password
    /// hash is still `passwordHash` (`nil`: while it has none): the hash its owner's password was checked against, so a
    /// password reset or change made meanwhile wins. `nil`, and nothing changes, when the account holds another hash by
    /// then.
    ///
    /// Throws ``StoreError/accountNotFound(_:)`` when there is no such account (deleted meanwhile), and
    /// ``StoreError/addressChangeUndoable(_:until:)`` while a link that undoes a change of its address works: whoever
    /// moved the address knew the password, and deleting the account would end the link that gives it back.
    public func deleteAccount(_ user: UserID, actor: String, ifPasswordHash passwordHash: String?)
        async throws(StoreError) -> AccountDeletion?
    {
        let deleted = try await write { db -> (AccountDeletion, StoredCredential?, [DraftTokenRow])? in
            let now = self.now()
            let record = try AccountStore.requireUserRecord(db, .id(user))
            guard record.passwordHash == passwordHash else { return nil }
            if let until = try Int64.fetchOne(
                db,
                sql: """
                    SELECT max(expires_at) FROM email_change_undos
                    WHERE user_id = ? AND used_at IS NULL AND expires_at > ?
                    """, arguments: [record.id, Timestamp.micros(now)])
            {
                throw StoreError.addressChangeUndoable(
                    UserID(uncheckedRawValue: record.publicID), until: Timestamp.date(until))
            }
            return try AccountStore.delete(record, in: db, actor: actor, at: now)
        }
        guard let (deletion, stored, drafts) = deleted else { return nil }
        logger.info("account deleted", metadata: ["account.id": "\(deletion.id)", "account.actor": "\(actor)"])
        await checkpointWithoutWaiting()
        return opening(deletion, stored, drafts)
    }

    /// Whether a stored access token goes with the Twitter identity of the account whose row id is `userRowID`.
    private static func hasCredential(_ db: Database, userRowID: Int64?) throws -> Bool {
        try Bool.fetchOne(
            db,
            sql: """
                SELECT EXISTS (SELECT 1 FROM twitter_credentials JOIN twitter_identities
                    ON twitter_identities.id = twitter_credentials.identity_id
                    WHERE twitter_identities.user_id = ?)
                """, arguments: [userRowID]) ?? false
    }

    /// The details a deleted account's earlier events lose: who the person was on Twitter (its id, and the names a
    /// Twitter sign-in found and replaced) and the addresses it changed between. (And `reason`, but for
    /// ``reasonCodeKinds``.)
    static let redactedDetailKeys = [
        "screen_name", "twitter_id", "previous_screen_name", "previous_name", "old_email", "new_email",
    ]

    /// The kinds whose `reason` is a code the store wrote (`disabled`, `deleted`, `sessions_ended`,
    /// `address_confirmed_by_reset`), which names no one and keeps saying why after a deletion. Every other kind's
    /// `reason` goes with the account: an operator's note for `disabled` or `enabled` is free text that may name the
    /// person, and so may a newer version's.
    static let reasonCodeKinds: [AccountEventKind] = [.signInRefused, .unlinked]

    /// Deletes `record`'s account in `db`'s transaction, with its `deleted` event.
    private static func delete(_ record: UserRecord, in db: Database, actor: String, at now: Date) throws
        -> (AccountDeletion, StoredCredential?, [DraftTokenRow])
    {
        let account = try AccountStore.attachTwitter(db, record)
        let stored = try AccountStore.storedCredential(db, userRowID: record.id!)
        let hasCredential = stored != nil
        // (their tokens, to be revoked: the cascade below deletes the drafts, whichever session they are bound to)
        let draftRows = try DraftTokenRow.fetchAll(db, where: "link_user_id = ?", arguments: [record.id])
        let drafts = draftRows.count
        let pending =
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM pending_authorizations WHERE link_user_id = ?",
                arguments: [record.id]) ?? 0
        // (read before the row goes: an address without a uniqueness key counts under the account's own key, and the
        // login key of its spelling is another account's)
        let loginKeys = try AccountStore.failureKeys(db, rowID: record.id!)
        // ON DELETE CASCADE removes the identity, its credential, the drafts and pending authorizations, the browser
        // sessions, and the password reset and email links.
        try db.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [record.id])
        // Its failed sign-ins (keyed by a fingerprint of its username or address, which anyone who knows the address
        // can match) go too: a new account with the address does not inherit their count. (Those counted under an
        // address it had before went when it left that address: `verifyEmail`, `undoEmailChange`.)
        for key in loginKeys {
            try db.run(sql: "DELETE FROM sign_in_failures WHERE login_key = ?", arguments: [key])
        }
        // The account's earlier events keep their kinds, actors and times, but no longer say who the person was on
        // Twitter, which addresses they changed between, nor why an operator disabled the account (free text that
        // may name them). The store's own reason codes stay.
        let paths = AccountStore.redactedDetailKeys.map { "'$.\($0)'" }
        try db.execute(
            sql: """
                UPDATE account_events SET details = json_remove(details, \(paths.joined(separator: ", ")))
                WHERE subject = ? AND json_valid(details)
                    AND (\(paths.map { "json_type(details, \($0)) IS NOT NULL" }.joined(separator: " OR ")))
                """,
            arguments: [account.id.rawValue])
        try db.execute(
            sql: """
                UPDATE account_events SET details = json_remove(details, '$.reason')
                WHERE subject = ? AND json_valid(details) AND json_type(details, '$.reason') IS NOT NULL
                    AND kind NOT IN (\(reasonCodeKinds.map { "'\($0.rawValue)'" }.joined(separator: ", ")))
                """,
            arguments: [account.id.rawValue])
        let deletion = AccountDeletion(
            id: account.id, username: account.username, twitter: account.twitter, removedCredential: hasCredential,
            hadPassword: record.passwordHash != nil, drafts: drafts, pendingAuthorizations: pending)
        try AccountStore.insertEvent(
            db,
            AccountEvent(
                kind: .deleted, subject: account.id, actor: actor,
                details: [
                    "twitter_identity": account.twitter == nil ? "0" : "1",
                    "credential": hasCredential ? "1" : "0", "password": record.passwordHash == nil ? "0" : "1",
                    "drafts": String(drafts), "pending_authorizations": String(pending),
                ], occurredAt: now))
        return (deletion, stored, draftRows)
    }
}
