public import AccountModel
import Foundation
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
}

extension AccountStore {
    /// The account `reference` with whether its identity has a stored credential and its latest `eventLimit` audit
    /// events, from one read snapshot; `nil` when there is no such account.
    public func accountOverview(
        _ reference: AccountReference, eventLimit: Int = 20
    ) async throws(StoreError) -> AccountOverview? {
        try await read { db in
            guard let record = try AccountStore.fetchUserRecord(db, reference) else { return nil }
            let account = try AccountStore.attachTwitter(db, record)
            let hasCredential =
                try Bool.fetchOne(
                    db,
                    sql: """
                        SELECT EXISTS (SELECT 1 FROM twitter_credentials JOIN twitter_identities
                            ON twitter_identities.id = twitter_credentials.identity_id
                            WHERE twitter_identities.user_id = ?)
                        """, arguments: [record.id]) ?? false
            let events = try Row.fetchAll(
                db,
                sql: """
                    SELECT subject, kind, actor, details, occurred_at FROM account_events
                    WHERE subject = ? ORDER BY id DESC LIMIT ?
                    """, arguments: [record.publicID, eventLimit]
            ).map(AccountStore.event(from:))
            return AccountOverview(account: account, hasTwitterCredential: hasCredential, recentEvents: events)
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
        let now = now()
        let deletion = try await write { db in
            let record = try AccountStore.requireUserRecord(db, reference)
            let account = try AccountStore.attachTwitter(db, record)
            let hasCredential =
                try Bool.fetchOne(
                    db,
                    sql: """
                        SELECT EXISTS (SELECT 1 FROM twitter_credentials JOIN twitter_identities
                            ON twitter_identities.id = twitter_credentials.identity_id
                            WHERE twitter_identities.user_id = ?)
                        """, arguments: [record.id]) ?? false
            let drafts =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM registration_drafts WHERE link_user_id = ?", arguments: [record.id])
                ?? 0
            let pending =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM pending_authorizations WHERE link_user_id = ?",
                    arguments: [record.id]) ?? 0
            // ON DELETE CASCADE removes the identity, its credential, and the drafts and pending authorizations.
            try db.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [record.id])
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
            return deletion
        }
        logger.info("account deleted", metadata: ["account.id": "\(deletion.id)", "account.actor": "\(actor)"])
        return deletion
    }
}
