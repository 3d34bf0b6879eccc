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
        try scanMatchableAccountBatches(batchSize: batchSize) { batch in
            body((0..<batch.count).map { batch[$0] })
        }
    }

    /// Reads every account's matchable fields as ``scanMatchableAccounts(batchSize:_:)`` does, laid out as bytes
    /// (``MatchableAccountBatch``): no string is made per field, so a million accounts read in a fraction of the
    /// time. The bytes are the stored text as SQLite returns it (valid UTF-8 without NUL, as the store writes it).
    /// - Parameters:
    ///   - batchSize: accounts per call of `body`.
    ///   - body: called with each batch, on the calling thread. The scan reuses the batch's storage for the next one;
    ///     a batch `body` keeps (it is a value) stays as it was, at the cost of that reuse.
    public func scanMatchableAccountBatches(
        batchSize: Int = 10_000, _ body: (MatchableAccountBatch) -> Void
    ) throws(StoreError) {
        let size = max(1, batchSize)
        try readSync { db in
            let statement = try RawStatement(db, sql: Queries.matchableAccounts)
            var batch = MatchableAccountBatch()
            batch.reserveCapacity(size)
            while try statement.nextRow() {
                let version = statement.integer(4).map { Int(truncatingIfNeeded: $0) }
                batch.appendAccount(emailRulesVersion: version) { field in
                    switch field {
                    case .id: statement.text(0)
                    case .username: statement.text(1)
                    case .email: statement.text(2)
                    case .emailMailbox: statement.text(3)
                    case .firstName: statement.text(5)
                    case .lastName: statement.text(6)
                    case .twitterScreenName: statement.text(7)
                    case .twitterName: statement.text(8)
                    }
                }
                if batch.count == size {
                    body(batch)
                    batch.removeAll()
                }
            }
            if batch.count > 0 { body(batch) }
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
