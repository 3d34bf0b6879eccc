import AccountCrypto
import AccountMatching
public import AccountModel
public import Foundation
import GRDB
import Logging

extension AccountStore {
    /// Creates an account and records a `created` event, in one transaction (and `email_verified`, method `creation`,
    /// when `new` is stored with its address confirmed: ``NewAccount/emailVerified``).
    ///
    /// A taken username or email (case-insensitively) throws ``StoreError/duplicate(_:)`` naming the field; names an
    /// import would refuse, an address with no mailbox name (only dots and a +tag at Gmail), a creation time outside
    /// the years 0001–9999 or a `passwordHash` that is no hash the store can verify throw ``StoreError/invalid(_:)``
    /// naming every field at fault.
    public func createAccount(_ new: NewAccount, actor: String = "system") async throws(StoreError) -> Account {
        let account = try await write { db in
            let now = self.now()
            let record = try AccountStore.insertUser(db, new, now: now)
            try AccountStore.insertEvent(
                db,
                AccountEvent(
                    kind: .created, subject: UserID(uncheckedRawValue: record.publicID), actor: actor,
                    occurredAt: now))
            try AccountStore.recordConfirmation(db, of: record, method: "creation", actor: actor, at: now)
            return record.account(twitter: nil)
        }
        logger.info("account created", metadata: ["account.id": "\(account.id)", "account.actor": "\(actor)"])
        return account
    }

    /// The first instant an account may be created at: 0001-01-01T00:00:00Z, the account files' first.
    static let earliestCreation = Date(timeIntervalSince1970: -62_135_596_800)
    /// The first instant past the last an account may be created at: 10000-01-01T00:00:00Z.
    static let pastLatestCreation = Date(timeIntervalSince1970: 253_402_300_800)

    /// `new`'s names as the store keeps them, by the rules import and registration apply (white space trimmed at
    /// both ends, empty as none; ``PersonName/problem(with:)``), so that an export of the store imports again, and its
    /// address's normalised mailbox (which it must have: an address that is only dots and a +tag at Gmail has none);
    /// its creation time checked to lie in the years 0001–9999 that the files carry.
    /// - Throws: ``StoreError/invalid(_:)`` naming every field at fault (until session 60 an address without a
    ///   mailbox was named only once the other fields were right).
    static func checkedFields(_ new: NewAccount) throws(StoreError) -> (first: String?, last: String?, mailbox: String?)
    {
        var problems: [FieldError] = []
        let mailbox = new.email.flatMap { Mailbox.normalize($0.rawValue) }
        if new.email != nil && mailbox == nil {
            problems.append(FieldError(.email, "has no mailbox name once the provider's dots and +tag are removed"))
        }
        func checked(_ name: String?, _ field: Field) -> String? {
            guard let trimmed = name.map(EmailAddress.trim), !trimmed.isEmpty else { return nil }
            if let problem = AccountModel.PersonName.problem(with: trimmed) {
                problems.append(FieldError(field, problem))
            }
            return trimmed
        }
        let names = (checked(new.firstName, .firstName), checked(new.lastName, .lastName))
        if let created = new.createdAt, !(created >= earliestCreation && created < pastLatestCreation) {
            problems.append(FieldError(.createdAt, "must lie in the years 0001–9999"))
        }
        // A hash the store cannot verify (a password typed into the field, a truncated or bcrypt hash) would be an
        // account whose password never signs in, kept in clear, in an export that does not import.
        if let hash = new.passwordHash {
            do throws(PasswordHashError) {
                try PasswordHasher.validateFormat(hash, allowingCostly: true)
            } catch {
                problems.append(FieldError(.passwordHash, "\(error)"))
            }
        }
        if !problems.isEmpty { throw .invalid(problems) }
        return (names.0, names.1, mailbox)
    }

    /// Refuses a Twitter identity whose names an import would refuse (blank, control characters, too long: set
    /// through the public `var`s after ``NewTwitterIdentity/init(userID:screenName:name:profileJSON:)``), so that an
    /// export of the store imports again.
    static func checkIdentity(_ identity: NewTwitterIdentity) throws(StoreError) {
        let problems = identityProblems(identity)
        if !problems.isEmpty { throw .invalid(problems) }
    }

    /// What ``checkIdentity(_:)`` refuses in `identity`, each field at fault named.
    static func identityProblems(_ identity: NewTwitterIdentity) -> [FieldError] {
        var problems: [FieldError] = []
        for (value, field) in [(identity.screenName, Field.screenName), (identity.name, Field.displayName)] {
            if EmailAddress.trim(value).isEmpty {
                // (a display name left blank by a blank screen name, which it falls back to, is the screen name's
                // fault)
                if field == .displayName && !problems.isEmpty { continue }
                problems.append(FieldError(field, "is required"))
            } else if value != EmailAddress.trim(value) {
                problems.append(FieldError(field, "must not begin or end with white space"))
            } else if let problem = AccountModel.PersonName.problem(with: value) {
                problems.append(FieldError(field, problem))
            }
        }
        return problems
    }

    /// Records `email_verified` (`{"method": method}`) for `record`, just inserted, when it was stored with its
    /// address confirmed: every confirmation is in the audit trail, the one an account is made with too.
    static func recordConfirmation(
        _ db: Database, of record: UserRecord, method: String, actor: String, at now: Date
    ) throws {
        guard record.emailVerifiedAt != nil else { return }
        try insertEvent(
            db,
            AccountEvent(
                kind: .emailVerified, subject: UserID(uncheckedRawValue: record.publicID), actor: actor,
                details: ["method": method], occurredAt: now))
    }

    static func insertUser(_ db: Database, _ new: NewAccount, now: Date) throws -> UserRecord {
        let (firstName, lastName, mailbox) = try checkedFields(new)
        let created = Timestamp.micros(new.createdAt ?? now)
        var record = UserRecord(
            publicID: UserID.random().rawValue, username: new.username.rawValue, email: new.email?.rawValue,
            emailMailbox: mailbox,
            emailRulesVersion: new.email == nil ? nil : Mailbox.rulesVersion, firstName: firstName,
            lastName: lastName, passwordHash: new.passwordHash, status: AccountStatus.active.rawValue,
            createdAt: created, updatedAt: created, lastSignInAt: nil,
            emailVerifiedAt: new.emailVerified && new.email != nil ? created : nil)
        // An address stored before `users.email_key` and not keyed yet is invisible to the unique index.
        if let email = record.email, try unkeyedHolder(db, key: Mailbox.uniquenessKey(email)) != nil {
            throw StoreError.duplicate(.email)
        }
        // Nor can it take an address a change moved an account off while that change can be undone.
        if let email = record.email, try undoReservation(db, email, other: nil, now: Timestamp.micros(now)) != nil {
            throw StoreError.duplicate(.email)
        }
        // A cached INSERT (not the record's generic insert): this is the registration hot path.
        try db.run(
            sql: """
                INSERT INTO users (public_id, username, email, email_key, email_mailbox, email_rules_version,
                    first_name, last_name, password_hash, status, created_at, updated_at, last_sign_in_at,
                    email_verified_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                record.publicID, record.username, record.email, record.email.map(Mailbox.uniquenessKey),
                record.emailMailbox, record.emailRulesVersion, record.firstName, record.lastName, record.passwordHash,
                record.status, record.createdAt, record.updatedAt, record.lastSignInAt, record.emailVerifiedAt,
            ])
        record.id = db.lastInsertedRowID
        return record
    }

    /// The row whose address has no stored key yet but would have `key` (the unique index cannot see it), if any.
    static func unkeyedHolder(_ db: Database, key: String) throws -> Int64? {
        try unkeyedAddresses(db).first { Mailbox.uniquenessKey($0.email) == key }?.id
    }

    /// The account with `reference`, with its Twitter identity, or `nil`.
    public func account(_ reference: AccountReference) async throws(StoreError) -> Account? {
        try await read { db in try AccountStore.fetchAccount(db, reference) }
    }

    /// The account whose email is `email` (case-insensitive in every script, surrounding whitespace ignored), or `nil`.
    ///
    /// Case folding joins spellings that mail servers may deliver to different mailboxes (`ınfo@x.org` and
    /// `ſam@x.org` find `info@x.org` and `sam@x.org`): to mail someone, send to the returned account's own `email`,
    /// never to the text that was looked up.
    public func account(email: String) async throws(StoreError) -> Account? {
        let trimmed = EmailAddress.trim(email)
        return try await read { db in
            let record = try UserRecord.fetchOne(
                db.cachedStatement(sql: Queries.userByEmail), arguments: [Mailbox.uniquenessKey(trimmed), trimmed])
            return try record.map { try AccountStore.attachTwitter(db, $0) }
        }
    }

    /// The accounts whose normalised mailbox equals that of `email` (gmail dots, `+tags` and the like ignored).
    ///
    /// Found by the stored form (indexed), and each one's address normalised again as it is returned: after a change
    /// of the rules (``AccountMatching/Mailbox/rulesVersion``) and before `accounts reindex` (or `migrate`) recomputes
    /// the stored forms, a stored form made by older rules is never taken for a mailbox the rules give it no more
    /// (until session 61 an app opened with `.applyPendingMigrations`, which does not reindex, offered such an account
    /// at the door to a Twitter profile of another mailbox). Until then, an account is not found by a mailbox only the
    /// new rules give it.
    public func accounts(sharingMailboxWith email: String) async throws(StoreError) -> [Account] {
        guard let mailbox = Mailbox.normalize(email) else { return [] }
        return try await read { db in
            let records = try UserRecord.fetchAll(db.cachedStatement(sql: Queries.usersByMailbox), arguments: [mailbox])
            return try records.filter { record in record.email.flatMap(Mailbox.normalize) == mailbox }
                .map { try AccountStore.attachTwitter(db, $0) }
        }
    }

    /// The account linked to the Twitter user `twitterUserID`, or `nil`.
    public func account(twitterUserID: TwitterUserID) async throws(StoreError) -> Account? {
        try await read { db in try AccountStore.account(db, twitterUserID: twitterUserID) }
    }

    /// ``account(twitterUserID:)`` always handed to GRDB's reader queue, as every read was before ``ReadGate``: the
    /// benchmark's measure of what the gate saves.
    package func accountOnReaderQueue(twitterUserID: TwitterUserID) async throws(StoreError) -> Account? {
        try await readElsewhere { db in try AccountStore.account(db, twitterUserID: twitterUserID) }
    }

    private static func account(_ db: Database, twitterUserID: TwitterUserID) throws -> Account? {
        let row = try Row.fetchOne(
            db.cachedStatement(sql: Queries.accountByTwitterUserID), arguments: [twitterUserID.decimalString])
        return row.map { row in
            UserRecord(row: row).account(twitter: TwitterIdentityRecord(row: row, startingAt: 14).identity)
        }
    }

    /// The public id of the account linked to `twitterUserID`, or `nil`: the already-registered check, synchronous
    /// and fast (its own read connection and prepared statement; a few microseconds).
    public func accountID(twitterUserID: TwitterUserID) throws(StoreError) -> UserID? {
        try twitterLookup.lookup(twitterUserID)
    }

    /// Creates an account with its Twitter identity and sealed credential, records `created` and `linked` events (and
    /// `email_verified`, method `twitter`, when `new` keeps the address Twitter gave: ``NewAccount/emailVerified``) and
    /// deletes the registration draft `draftID` (when given), all in one transaction: a registration that returned
    /// is whole, and one that failed left nothing.
    ///
    /// A Twitter id that is linked already throws ``StoreError/duplicate(_:)`` with ``Field/twitterUserID``; so does a
    /// taken username or email, naming its field. `obtainedAt` is when Twitter gave the credential and profile (the
    /// draft's creation; `nil`: now), as with ``linkTwitter(_:credential:to:consumingDraft:actor:obtainedAt:)``.
    public func createAccount(
        _ new: NewAccount, linking identity: NewTwitterIdentity, credential: TwitterCredential,
        consumingDraft draftID: String? = nil, actor: String = "user", obtainedAt: Date? = nil
    ) async throws(StoreError) -> Account {
        // Every field at fault named at once, the account's with the identity's (until session 60 the identity's
        // problems came alone, and the account's only once they were put right).
        let identityProblems = AccountStore.identityProblems(identity)
        if !identityProblems.isEmpty {
            var accountProblems: [FieldError] = []
            do throws(StoreError) {
                _ = try AccountStore.checkedFields(new)
            } catch {
                if case .invalid(let problems) = error { accountProblems = problems }
            }
            throw .invalid(accountProblems + identityProblems)
        }
        let keyRing = try requireKeyRing()
        let account = try await write { db in
            let sealed = try AccountStore.sealInWrite(
                db,
                credential.secret.revealed, kind: .credential, rowKey: identity.userID.decimalString, keyRing: keyRing)
            let now = self.now()
            let record = try AccountStore.insertUser(db, new, now: now)
            let userID = UserID(uncheckedRawValue: record.publicID)
            let identityRecord = try AccountStore.insertIdentity(
                db, identity, userRowID: record.id!, userID: userID, now: now, seenAt: obtainedAt)
            try AccountStore.upsertCredential(
                db, identityRowID: identityRecord.id!, token: credential.token, sealed: sealed, now: obtainedAt ?? now)
            try AccountStore.insertEvent(
                db, AccountEvent(kind: .created, subject: userID, actor: actor, occurredAt: now))
            try AccountStore.insertEvent(
                db,
                AccountEvent(
                    kind: .linked, subject: userID, actor: actor,
                    details: ["twitter_id": identity.userID.decimalString, "screen_name": identity.screenName],
                    occurredAt: now))
            try AccountStore.recordConfirmation(db, of: record, method: "twitter", actor: actor, at: now)
            if let draftID {
                try db.run(sql: "DELETE FROM registration_drafts WHERE id = ?", arguments: [draftID])
            }
            return record.account(twitter: identityRecord.identity)
        }
        // (not the Twitter id: a kept log would tie the public id to the person's Twitter account after a deletion)
        logger.info("account registered with twitter", metadata: ["account.id": "\(account.id)"])
        return account
    }

    /// How many accounts the store holds.
    public func accountCount() async throws(StoreError) -> Int {
        try await readElsewhere { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM users") ?? 0 }
    }

    static func fetchUserRecord(_ db: Database, _ reference: AccountReference) throws -> UserRecord? {
        switch reference {
        case .id(let id):
            return try UserRecord.fetchOne(db.cachedStatement(sql: Queries.userByPublicID), arguments: [id.rawValue])
        case .username(let name):
            return try UserRecord.fetchOne(db.cachedStatement(sql: Queries.userByUsername), arguments: [name])
        case .email(let address):
            // (as account(email:) looks one up)
            let trimmed = EmailAddress.trim(address)
            return try UserRecord.fetchOne(
                db.cachedStatement(sql: Queries.userByEmail), arguments: [Mailbox.uniquenessKey(trimmed), trimmed])
        }
    }

    static func requireUserRecord(_ db: Database, _ reference: AccountReference) throws -> UserRecord {
        guard let record = try fetchUserRecord(db, reference) else {
            throw StoreError.accountNotFound(reference.description)
        }
        return record
    }

    static func fetchAccount(_ db: Database, _ reference: AccountReference) throws -> Account? {
        try fetchUserRecord(db, reference).map { try attachTwitter(db, $0) }
    }

    static func attachTwitter(_ db: Database, _ record: UserRecord) throws -> Account {
        let identity = try TwitterIdentityRecord.fetchOne(
            db.cachedStatement(
                sql: "SELECT \(TwitterIdentityRecord.columns) FROM twitter_identities WHERE user_id = ?"),
            arguments: [record.id])
        return record.account(twitter: identity?.identity)
    }
}

/// The lookups the registration flow makes, named so a test can prove each uses an index.
package enum Queries {
    /// Whether the account `?1` had its sessions ended (a reset, a password change or removal, "sign out
    /// everywhere", a disabling, an unlink, an undone change of address) by an event recorded after the event whose
    /// row id is `?2` (an ``AccountStore/EventMark``): the order the events were written in, not the times they carry
    /// (which come from the clock of whichever process wrote them). `account_events_subject` (`subject, id`) reads only
    /// the account's events recorded after the mark: those of the sign-in under way, not the account's whole trail.
    package static let sessionsEndedAfter = """
        SELECT EXISTS (SELECT 1 FROM account_events WHERE subject = ?1 AND id > ?2
            AND kind IN ('\(AccountEventKind.passwordReset.rawValue)',
                '\(AccountEventKind.sessionsRevoked.rawValue)',
                '\(AccountEventKind.disabled.rawValue)',
                '\(AccountEventKind.passwordChanged.rawValue)',
                '\(AccountEventKind.passwordAdded.rawValue)',
                '\(AccountEventKind.passwordRemoved.rawValue)',
                '\(AccountEventKind.unlinked.rawValue)',
                '\(AccountEventKind.emailChangeUndone.rawValue)'))
        """
    /// Whether the subject `?1` had an event of kind `?2` whose `details` name the method `?4` in the minute up to
    /// `?3` (``AccountStore/throttledEventInterval``: after `?3` − 60 s, at or before `?3`): a range of the
    /// `(subject, kind, occurred_at)` index, whose events' details are read. (An event dated later was written while
    /// the clock stood ahead: it says nothing of the last minute.)
    package static let recentEventOfKindAndMethod = """
        SELECT EXISTS (
            SELECT 1 FROM account_events
            WHERE subject IS ?1 AND kind = ?2 AND occurred_at > ?3 - \(AccountStore.throttledEventInterval)
                AND occurred_at <= ?3
                AND (CASE WHEN json_valid(details) THEN json_extract(details, '$.method') END) IS ?4)
        """
    package static let userByPublicID = "SELECT \(UserRecord.columns) FROM users WHERE public_id = ?"
    package static let userByUsername = "SELECT \(UserRecord.columns) FROM users WHERE username = ?"
    /// By the address's uniqueness key, or (an address `accounts reindex` has not keyed yet) by the address itself.
    /// An exact (ASCII-case) match first: an address left without a key by an ``EmailConflict`` is its own account's.
    package static let userByEmail =
        "SELECT \(UserRecord.columns) FROM users WHERE email_key = ?1 OR email = ?2 ORDER BY email = ?2 DESC LIMIT 1"
    package static let usersByMailbox =
        "SELECT \(UserRecord.columns) FROM users WHERE email_mailbox = ? ORDER BY users.username"
    package static let accountByTwitterUserID = """
        SELECT \(UserRecord.columns), \(TwitterIdentityRecord.columns)
        FROM twitter_identities JOIN users ON users.id = twitter_identities.user_id
        WHERE twitter_identities.twitter_user_id = ?
        """
    package static let identityByUserRowID =
        "SELECT \(TwitterIdentityRecord.columns) FROM twitter_identities WHERE user_id = ?"
}
