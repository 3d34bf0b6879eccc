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
                db.cachedStatement(
                    sql: """
                        SELECT subject, kind, actor, details, occurred_at FROM account_events
                        WHERE subject = ? ORDER BY id DESC LIMIT ?
                        """), arguments: [subject.rawValue, max(0, limit)]
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
    package static func encodeDetails(_ details: [String: String]) -> String {
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
        let details = decodeDetails(detailsText)
        return AccountEvent(
            kind: AccountEventKind(rawValue: kind), subject: subject.map(UserID.init(uncheckedRawValue:)),
            actor: row[2], details: details, occurredAt: Timestamp.lenientDate(row[4]))
    }

    /// The details of an event as stored: a JSON object of strings, or `[:]` for anything else.
    ///
    /// What ``encodeDetails(_:)`` writes (no escapes: nearly every event) is read here, and the rest by
    /// JSONSerialization, which took about 30 µs an event on Linux (ten of them on every account page view).
    package static func decodeDetails(_ text: String) -> [String: String] {
        if let details = plainDetails(text) { return details }
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: String] ?? [:]
    }

    /// `text` read as a JSON object whose keys and values are strings without a backslash or a control character,
    /// keys distinct (as Swift compares them), with JSON white space around the tokens; `nil` for anything else,
    /// which JSONSerialization reads instead. What it returns is what JSONSerialization reads from such text.
    static func plainDetails(_ text: String) -> [String: String]? {
        var text = text
        return text.withUTF8 { bytes -> [String: String]? in
            var index = 0
            func skipSpace() {
                while index < bytes.count,
                    bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09
                {
                    index += 1
                }
            }
            func byte(_ expected: UInt8) -> Bool {
                skipSpace()
                guard index < bytes.count, bytes[index] == expected else { return false }
                index += 1
                return true
            }
            func string() -> String? {
                guard byte(UInt8(ascii: "\"")) else { return nil }
                let start = index
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") || bytes[index] < 0x20 { return nil }
                    index += 1
                }
                guard index < bytes.count else { return nil }
                let value = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return value
            }
            guard byte(UInt8(ascii: "{")) else { return nil }
            var details: [String: String] = [:]
            if !byte(UInt8(ascii: "}")) {
                while true {
                    guard let key = string(), byte(UInt8(ascii: ":")), let value = string(),
                        details.updateValue(value, forKey: key) == nil
                    else { return nil }
                    if byte(UInt8(ascii: "}")) { break }
                    guard byte(UInt8(ascii: ",")) else { return nil }
                }
            }
            skipSpace()
            return index == bytes.count ? details : nil
        }
    }
}
