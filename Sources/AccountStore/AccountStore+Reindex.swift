import AccountMatching
import AccountModel
import GRDB
import Logging

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

    /// Makes a report.
    public init(rulesVersion: Int, recomputed: Int, changed: Int, batches: Int) {
        self.rulesVersion = rulesVersion
        self.recomputed = recomputed
        self.changed = changed
        self.batches = batches
    }
}

extension AccountStore {
    /// How many accounts have a stored normalised mailbox older than ``AccountMatching/Mailbox/rulesVersion``.
    public func staleNormalisedFormCount() async throws(StoreError) -> Int {
        try await staleNormalisedFormCount(rulesVersion: Mailbox.rulesVersion)
    }

    /// Recomputes stored normalised mailboxes (`users.email_mailbox`) made by rules older than
    /// ``AccountMatching/Mailbox/rulesVersion``, `batchSize` accounts per transaction, and stamps them with the
    /// current version. Nothing else changes (not even `updated_at`): the email is the same, only its index form
    /// is. Resumable: a killed run leaves whole batches done and the rest stale, and the next run finishes it.
    /// Stored forms from newer rules (a newer binary) are left alone.
    /// - Parameter progress: called after each batch with the accounts looked at so far and the total.
    public func reindex(
        batchSize: Int = 1_000, progress: @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws(StoreError) -> ReindexReport {
        try await reindex(
            rulesVersion: Mailbox.rulesVersion, normalize: Mailbox.normalize, batchSize: batchSize, progress: progress)
    }

    /// ``staleNormalisedFormCount()`` against any rules version (tests simulate a rules change with it).
    package func staleNormalisedFormCount(rulesVersion: Int) async throws(StoreError) -> Int {
        try await read { db in
            try Int.fetchOne(db, sql: Queries.staleMailboxCount, arguments: [rulesVersion]) ?? 0
        }
    }

    /// ``reindex(batchSize:progress:)`` with any rules (tests simulate a rules change with it).
    package func reindex(
        rulesVersion: Int, normalize: @escaping @Sendable (String) -> String?, batchSize: Int = 1_000,
        progress: @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws(StoreError) -> ReindexReport {
        let size = max(1, batchSize)
        let total = try await accountCount()
        var lastID: Int64 = 0
        var looked = 0
        var report = ReindexReport(rulesVersion: rulesVersion, recomputed: 0, changed: 0, batches: 0)
        while true {
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
                let changed = try await write { db in
                    var changed = 0
                    for update in updates {
                        // `email = ?`: an email changed meanwhile was normalised by its writer; leave it.
                        try db.execute(
                            sql: """
                                UPDATE users SET email_mailbox = ?, email_rules_version = ?
                                WHERE id = ? AND email = ? AND (email_rules_version IS NULL OR email_rules_version < ?)
                                """,
                            arguments: [update.mailbox, rulesVersion, update.id, update.email, rulesVersion])
                        if db.changesCount > 0 && update.differs { changed += 1 }
                    }
                    return changed
                }
                report.recomputed += stale.count
                report.changed += changed
                report.batches += 1
            }
            progress(looked, max(total, looked))
        }
        if report.recomputed > 0 {
            logger.info(
                "reindexed normalised mailboxes",
                metadata: [
                    "store.reindex.recomputed": "\(report.recomputed)", "store.reindex.changed": "\(report.changed)",
                    "store.reindex.rules_version": "\(rulesVersion)",
                ])
        }
        return report
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
    /// The next accounts by internal id, for a reindex pass.
    package static let reindexBatch =
        "SELECT id, email, email_mailbox, email_rules_version FROM users WHERE id > ? ORDER BY id LIMIT ?"
}
