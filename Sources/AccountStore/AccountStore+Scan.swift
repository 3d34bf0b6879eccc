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
            // Two ordered scans merged by user id, rather than a join that looks each account's identity up in the
            // index: at a million accounts SQLite's own shell takes 0.7-1.0 s for the two against 1.3-1.5 s.
            let users = try RawStatement(db, sql: Queries.matchableUsers)
            let identities = try RawStatement(db, sql: Queries.matchableTwitterNames)
            var identity = try identities.nextRow() ? identities.integer(0) : nil
            var batch = MatchableAccountBatch()
            batch.reserveCapacity(size)
            while try users.nextRow() {
                let id = users.integer(7) ?? 0
                // Every identity belongs to an account (a foreign key), so none is skipped but by a broken store.
                while let current = identity, current < id {
                    identity = try identities.nextRow() ? identities.integer(0) : nil
                }
                let linked = identity == id
                let version = users.integer(4).map { Int(truncatingIfNeeded: $0) }
                // (a canonical decimal string, as the table's CHECK keeps it)
                let twitterID = linked ? identities.text(3).flatMap(TwitterUserID.init(decimalUTF8:)) : nil
                batch.appendAccount(emailRulesVersion: version, twitterUserID: twitterID) { field in
                    switch field {
                    case .id: users.text(0)
                    case .username: users.text(1)
                    case .email: users.text(2)
                    case .emailMailbox: users.text(3)
                    case .firstName: users.text(5)
                    case .lastName: users.text(6)
                    case .twitterScreenName: linked ? identities.text(1) : nil
                    case .twitterName: linked ? identities.text(2) : nil
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
    /// Every account's matchable fields, in internal id order (the duplicate report; merged with
    /// ``matchableTwitterNames``).
    package static let matchableUsers = """
        SELECT public_id, username, email, email_mailbox, email_rules_version, first_name, last_name, id
        FROM users ORDER BY id
        """

    /// Every Twitter identity's names and id, in the order of its account's internal id (through the index on
    /// `user_id`).
    package static let matchableTwitterNames = """
        SELECT user_id, screen_name, display_name, twitter_user_id FROM twitter_identities ORDER BY user_id
        """
}
