import AccountModel
import Foundation
import GRDB

/// A row of `users`.
struct UserRecord: FetchableRecord, MutablePersistableRecord, Sendable {
    static let databaseTableName = "users"

    var id: Int64?
    var publicID: String
    var username: String
    var email: String?
    var emailMailbox: String?
    var emailRulesVersion: Int?
    var firstName: String?
    var lastName: String?
    var passwordHash: String?
    var status: String
    var createdAt: Int64
    var updatedAt: Int64
    var lastSignInAt: Int64?
    var emailVerifiedAt: Int64?

    static let columns =
        "users.id, users.public_id, users.username, users.email, users.email_mailbox, users.email_rules_version, "
        + "users.first_name, users.last_name, users.password_hash, users.status, users.created_at, users.updated_at, "
        + "users.last_sign_in_at, users.email_verified_at"

    init(
        id: Int64? = nil, publicID: String, username: String, email: String?, emailMailbox: String?,
        emailRulesVersion: Int?, firstName: String?, lastName: String?, passwordHash: String?, status: String,
        createdAt: Int64, updatedAt: Int64, lastSignInAt: Int64?, emailVerifiedAt: Int64? = nil
    ) {
        self.id = id
        self.publicID = publicID
        self.username = username
        self.email = email
        self.emailMailbox = emailMailbox
        self.emailRulesVersion = emailRulesVersion
        self.firstName = firstName
        self.lastName = lastName
        self.passwordHash = passwordHash
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.lastSignInAt = lastSignInAt
        self.emailVerifiedAt = emailVerifiedAt
    }

    init(row: Row) {
        id = row[0]
        publicID = row[1]
        username = row[2]
        email = row[3]
        emailMailbox = row[4]
        emailRulesVersion = row[5]
        firstName = row[6]
        lastName = row[7]
        passwordHash = row[8]
        status = row[9]
        createdAt = row[10]
        updatedAt = row[11]
        lastSignInAt = row[12]
        emailVerifiedAt = row[13]
    }

    func encode(to container: inout PersistenceContainer) {
        container["id"] = id
        container["public_id"] = publicID
        container["username"] = username
        container["email"] = email
        container["email_mailbox"] = emailMailbox
        container["email_rules_version"] = emailRulesVersion
        container["first_name"] = firstName
        container["last_name"] = lastName
        container["password_hash"] = passwordHash
        container["status"] = status
        container["created_at"] = createdAt
        container["updated_at"] = updatedAt
        container["last_sign_in_at"] = lastSignInAt
        container["email_verified_at"] = emailVerifiedAt
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    func account(twitter: TwitterIdentity?) -> Account {
        Account(
            id: UserID(uncheckedRawValue: publicID), username: username, email: email, firstName: firstName,
            lastName: lastName, hasPassword: passwordHash != nil, status: AccountStatus(rawValue: status) ?? .disabled,
            createdAt: Timestamp.date(createdAt), updatedAt: Timestamp.date(updatedAt),
            lastSignInAt: Timestamp.date(lastSignInAt), twitter: twitter,
            emailVerifiedAt: Timestamp.date(emailVerifiedAt))
    }
}

/// A row of `twitter_identities`.
struct TwitterIdentityRecord: FetchableRecord, MutablePersistableRecord, Sendable {
    static let databaseTableName = "twitter_identities"

    var id: Int64?
    var userID: Int64
    var twitterUserID: String
    var screenName: String
    var displayName: String
    var profileJSON: [UInt8]?
    var linkedAt: Int64
    var lastSeenAt: Int64

    static let columns =
        "twitter_identities.id, twitter_identities.user_id, twitter_identities.twitter_user_id, "
        + "twitter_identities.screen_name, twitter_identities.display_name, twitter_identities.profile_json, "
        + "twitter_identities.linked_at, twitter_identities.last_seen_at"

    init(
        id: Int64? = nil, userID: Int64, twitterUserID: String, screenName: String, displayName: String,
        profileJSON: [UInt8]?, linkedAt: Int64, lastSeenAt: Int64
    ) {
        self.id = id
        self.userID = userID
        self.twitterUserID = twitterUserID
        self.screenName = screenName
        self.displayName = displayName
        self.profileJSON = profileJSON
        self.linkedAt = linkedAt
        self.lastSeenAt = lastSeenAt
    }

    init(row: Row, startingAt offset: Int = 0) {
        id = row[offset]
        userID = row[offset + 1]
        twitterUserID = row[offset + 2]
        screenName = row[offset + 3]
        displayName = row[offset + 4]
        let data: Data? = row[offset + 5]
        profileJSON = data.map { [UInt8]($0) }
        linkedAt = row[offset + 6]
        lastSeenAt = row[offset + 7]
    }

    init(row: Row) {
        self.init(row: row, startingAt: 0)
    }

    func encode(to container: inout PersistenceContainer) {
        container["id"] = id
        container["user_id"] = userID
        container["twitter_user_id"] = twitterUserID
        container["screen_name"] = screenName
        container["display_name"] = displayName
        container["profile_json"] = profileJSON.map { Data($0) }
        container["linked_at"] = linkedAt
        container["last_seen_at"] = lastSeenAt
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    var identity: TwitterIdentity {
        TwitterIdentity(
            userID: TwitterUserID(decimal: twitterUserID) ?? TwitterUserID(0), screenName: screenName,
            name: displayName, profileJSON: profileJSON, linkedAt: Timestamp.date(linkedAt),
            lastSeenAt: Timestamp.date(lastSeenAt))
    }
}
