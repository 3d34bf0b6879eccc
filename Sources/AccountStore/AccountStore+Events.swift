public import AccountModel
import Foundation
import GRDB

extension AccountStore {
    /// Appends `event` to the audit trail.
    public func recordEvent(_ event: AccountEvent) async throws(StoreError) {
        try await write { db in try AccountStore.insertEvent(db, event) }
    }

    /// The most recent events about `subject`, newest first.
    public func events(for subject: UserID, limit: Int = 20) async throws(StoreError) -> [AccountEvent] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT subject, kind, actor, details, occurred_at FROM account_events
                    WHERE subject = ? ORDER BY id DESC LIMIT ?
                    """, arguments: [subject.rawValue, limit]
            ).map(AccountStore.event(from:))
        }
    }

    /// The most recent events of the whole store, newest first.
    public func recentEvents(limit: Int = 50) async throws(StoreError) -> [AccountEvent] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT subject, kind, actor, details, occurred_at FROM account_events ORDER BY id DESC LIMIT ?",
                arguments: [limit]
            ).map(AccountStore.event(from:))
        }
    }

    static func insertEvent(_ db: Database, _ event: AccountEvent) throws {
        let details: String
        if event.details.isEmpty {
            details = "{}"
        } else {
            let data = try JSONSerialization.data(withJSONObject: event.details, options: [.sortedKeys])
            details = String(decoding: data, as: UTF8.self)
        }
        try db.execute(
            sql: "INSERT INTO account_events (subject, kind, actor, details, occurred_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [event.subject?.rawValue, event.kind.rawValue, event.actor, details,
                Timestamp.micros(event.occurredAt)])
    }

    static func event(from row: Row) -> AccountEvent {
        let subject: String? = row[0]
        let kind: String = row[1]
        let detailsText: String = row[3]
        let details =
            (try? JSONSerialization.jsonObject(with: Data(detailsText.utf8))) as? [String: String] ?? [:]
        return AccountEvent(
            kind: AccountEventKind(rawValue: kind) ?? .created, subject: subject.map(UserID.init(uncheckedRawValue:)),
            actor: row[2], details: details, occurredAt: Timestamp.date(row[4] as Int64))
    }
}
