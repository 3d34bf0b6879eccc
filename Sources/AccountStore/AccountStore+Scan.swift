public import AccountModel
import GRDB

extension AccountStore {
    /// Reads every account's matchable fields (``MatchableAccount``), ordered by creation in the store (internal
    /// id), in batches of `batchSize`, from one read transaction: a consistent snapshot however long it takes.
    ///
    /// The duplicate report's input: it streams, so memory holds one batch of values at a time.
    /// - Parameters:
    ///   - batchSize: accounts per call of `body`.
    ///   - body: called with each batch, on the calling thread.
    public func scanMatchableAccounts(
        batchSize: Int = 10_000, _ body: ([MatchableAccount]) -> Void
    ) throws(StoreError) {
        let size = max(1, batchSize)
        try readSync { db in
            let rows = try Row.fetchCursor(db, sql: Queries.matchableAccounts)
            var batch: [MatchableAccount] = []
            batch.reserveCapacity(size)
            while let row = try rows.next() {
                batch.append(
                    MatchableAccount(
                        id: UserID(uncheckedRawValue: row[0]), username: row[1], email: row[2], emailMailbox: row[3],
                        emailRulesVersion: row[4], firstName: row[5], lastName: row[6], twitterScreenName: row[7],
                        twitterName: row[8]))
                if batch.count == size {
                    body(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { body(batch) }
        }
    }
}

extension Queries {
    /// Every account with its Twitter names, for the duplicate report.
    package static let matchableAccounts = """
        SELECT users.public_id, users.username, users.email, users.email_mailbox, users.email_rules_version,
               users.first_name, users.last_name, twitter_identities.screen_name, twitter_identities.display_name
        FROM users LEFT JOIN twitter_identities ON twitter_identities.user_id = users.id
        ORDER BY users.id
        """
}
