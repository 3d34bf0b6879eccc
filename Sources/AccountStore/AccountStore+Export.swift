import AccountModel
public import AccountTransfer
import GRDB

extension AccountStore {
    /// The export query: every account with its Twitter identity, by creation time then username (the
    /// `users_created_at` index gives that order, so nothing is sorted in memory).
    package static func exportSQL(includingPasswordHashes: Bool) -> String {
        """
        SELECT users.username, users.email, users.first_name, users.last_name, users.created_at,
            twitter_identities.twitter_user_id, twitter_identities.screen_name, twitter_identities.display_name,
            \(includingPasswordHashes ? "users.password_hash" : "NULL")
        FROM users LEFT JOIN twitter_identities ON twitter_identities.user_id = users.id
        ORDER BY users.created_at, users.username
        """
    }

    /// Writes every account to `writer`, ordered by creation time then username, from one read snapshot, one row at
    /// a time (memory does not grow with the store). Password hashes are read only when the writer includes them;
    /// tokens and secrets never are. Returns the number of accounts written; the caller calls
    /// `AccountWriter.finish()`.
    ///
    /// Blocks the calling thread; call it from a CLI or off the cooperative pool. `onProgress` is called on that
    /// thread with the number of accounts written so far, every `progressInterval` accounts (at least 1) and once at
    /// the end.
    public func exportAccounts(
        to writer: AccountWriter, progressInterval: Int = 10_000, onProgress: (Int) -> Void = { _ in }
    ) throws(TransferFailure) -> Int {
        guard let entry = lifetime.enter() else { throw .store(.closed(path: path)) }
        defer { entry.end() }
        let sql = Self.exportSQL(includingPasswordHashes: writer.includesPasswordHashes)
        let progressInterval = max(1, progressInterval)
        do {
            return try pool.read { db in
                entry.end()
                try self.checkSchemaNotAhead(db)
                let rows = try Row.fetchCursor(db, sql: sql)
                var count = 0
                while let row = try rows.next() {
                    try writer.write(AccountStore.exportRecord(row))
                    count += 1
                    if count % progressInterval == 0 { onProgress(count) }
                }
                onProgress(count)
                return count
            }
        } catch let error as TransferError {
            throw .file(error)
        } catch {
            throw .store(storeError(error))
        }
    }

    static func exportRecord(_ row: Row) -> AccountRecord {
        var twitter: AccountRecord.Twitter?
        if let id: String = row[5], let twitterID = TwitterUserID(decimal: id) {
            twitter = AccountRecord.Twitter(id: twitterID, screenName: row[6], name: row[7])
        }
        let email: String? = row[1]
        let hash: String? = row[8]
        return AccountRecord(
            username: Username(uncheckedRawValue: row[0]), email: email.map(EmailAddress.init(uncheckedRawValue:)),
            firstName: row[2], lastName: row[3], createdAt: TransferTimestamp(microseconds: row[4]), twitter: twitter,
            passwordHash: hash.map(Secret.init))
    }
}
