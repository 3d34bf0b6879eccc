public import AccountModel
import AccountTransfer
package import Foundation

extension AccountOverview {
    /// The account as one JSON object: `{"id", "username", "email", "email_verified_at", "first_name", "last_name",
    /// "status", "has_password", "created_at", "updated_at", "last_sign_in_at", "twitter": null | {"id",
    /// "screen_name", "name", "linked_at", "last_seen_at", "has_credential"}, "<eventsKey>": [{"kind", "actor",
    /// "occurred_at", "details": {…}}]}`. Never a hash, token or secret. `accounts users show --format json` prints
    /// it with `recent_events`; the web's "Download your data" serves it with `events`, the Twitter profile as
    /// Twitter gave it (`twitter.profile`, when stored), each event's details as the account page shows them
    /// (`details`), and its sessions and devices (`extra`: members added after the others, each a key and its JSON
    /// text as given).
    public func json(
        eventsKey: String = "recent_events", includingProfile: Bool = false,
        details: (AccountEvent) -> [String: String] = { $0.details },
        appending extra: [(key: String, json: String)] = []
    ) -> String {
        func string(_ text: String?) -> String { text.map(JSONString.literal) ?? "null" }
        func time(_ date: Date?) -> String { string(AccountOverview.time(date)) }
        var twitter = "null"
        if let identity = account.twitter {
            twitter =
                "{\"id\": \"\(identity.userID)\", \"screen_name\": \(string(identity.screenName)), "
                + "\"name\": \(string(identity.name)), \"linked_at\": \(time(identity.linkedAt)), "
                + "\"last_seen_at\": \(time(identity.lastSeenAt)), "
                + "\"has_credential\": \(hasTwitterCredential)"
            if includingProfile {
                twitter += ", \"profile\": \(AccountOverview.profile(identity.profileJSON))"
            }
            twitter += "}"
        }
        let events = recentEvents.map { event in
            let details = details(event).sorted { $0.key < $1.key }
                .map { "\(JSONString.literal($0.key)): \(JSONString.literal($0.value))" }.joined(separator: ", ")
            return "{\"kind\": \(string(event.kind.rawValue)), \"actor\": \(string(event.actor)), "
                + "\"occurred_at\": \(time(event.occurredAt)), \"details\": {\(details)}}"
        }
        return "{\"id\": \(string(account.id.rawValue)), \"username\": \(string(account.username)), "
            + "\"email\": \(string(account.email)), "
            + "\"email_verified_at\": \(time(account.emailVerifiedAt)), "
            + "\"first_name\": \(string(account.firstName)), "
            + "\"last_name\": \(string(account.lastName)), \"status\": \(string(account.status.rawValue)), "
            + "\"has_password\": \(account.hasPassword), \"created_at\": \(time(account.createdAt)), "
            + "\"updated_at\": \(time(account.updatedAt)), "
            + "\"last_sign_in_at\": \(time(account.lastSignInAt)), \"twitter\": \(twitter), "
            + "\(JSONString.literal(eventsKey)): [\(events.joined(separator: ", "))]"
            + extra.map { ", \(JSONString.literal($0.key)): \($0.json)" }.joined() + "}"
    }

    /// UTC time text as the account files write it (fractional seconds only when not zero).
    package static func time(_ date: Date?) -> String? {
        date.map {
            // (clamped before converting: a date past the years 0001–9999 traps in Int64's initialiser)
            let micros = ($0.timeIntervalSince1970 * 1_000_000).rounded()
            let clamped = micros.isNaN ? 0 : min(max(micros, -9.2e18), 9.2e18)
            return TransferTimestamp(microseconds: Int64(clamped)).description
        }
    }

    /// The stored profile JSON as it is when it is a strict JSON object (``StrictJSON``: one every reader takes, and
    /// reads alike), `null` otherwise (none stored, or not such JSON: one stored before profiles were checked so).
    private static func profile(_ bytes: [UInt8]?) -> String {
        guard let bytes, StrictJSON.problem(in: bytes) == nil,
            bytes.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) == UInt8(ascii: "{")
        else { return "null" }
        return String(decoding: bytes, as: UTF8.self)
    }
}
