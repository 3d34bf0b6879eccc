public import AccountModel
import Foundation
import GRDB

extension AccountStore {
    /// Appends `event` to the audit trail.
    public func recordEvent(_ event: AccountEvent) async throws(StoreError) {
        try await write { db in try AccountStore.insertEvent(db, event) }
    }

    /// The `limit` most recent events about `subject` (none for a limit below 1), newest first.
    public func events(for subject: UserID, limit: Int = 20) async throws(StoreError) -> [AccountEvent] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT subject, kind, actor, details, occurred_at FROM account_events
                    WHERE subject = ? ORDER BY id DESC LIMIT ?
                    """, arguments: [subject.rawValue, max(0, limit)]
            ).map(AccountStore.event(from:))
        }
    }

    /// The `limit` most recent events of the whole store (none for a limit below 1), newest first.
    public func recentEvents(limit: Int = 50) async throws(StoreError) -> [AccountEvent] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT subject, kind, actor, details, occurred_at FROM account_events ORDER BY id DESC LIMIT ?",
                arguments: [max(0, limit)]
            ).map(AccountStore.event(from:))
        }
    }

    static func insertEvent(_ db: Database, _ event: AccountEvent) throws {
        let details = encodeDetails(event.details)
        try db.run(
            sql: "INSERT INTO account_events (subject, kind, actor, details, occurred_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [
                event.subject?.rawValue, event.kind.rawValue, event.actor, details,
                Timestamp.micros(event.occurredAt),
            ])
    }

    /// `{"key": "value", …}` with sorted keys, written by hand (JSONSerialization costs more than the insert).
    static func encodeDetails(_ details: [String: String]) -> String {
        guard !details.isEmpty else { return "{}" }
        var output = "{"
        for (index, key) in details.keys.sorted().enumerated() {
            if index > 0 { output += ", " }
            output += jsonString(key) + ": " + jsonString(details[key] ?? "")
        }
        return output + "}"
    }

    /// `text` as a JSON string literal (one implementation: `JSONString` in AccountModel).
    static func jsonString(_ text: String) -> String {
        JSONString.literal(text)
    }

    static func event(from row: Row) -> AccountEvent {
        let subject: String? = row[0]
        let kind: String = row[1]
        let detailsText: String = row[3]
        let details =
            (try? JSONSerialization.jsonObject(with: Data(detailsText.utf8))) as? [String: String] ?? [:]
        return AccountEvent(
            kind: AccountEventKind(rawValue: kind), subject: subject.map(UserID.init(uncheckedRawValue:)),
            actor: row[2], details: details, occurredAt: Timestamp.lenientDate(row[4]))
    }
}
