import AccountTransfer
import Foundation
import GRDB

/// Times are stored as whole microseconds since 1970-01-01 UTC.
enum Timestamp {
    /// `date` in microseconds, clamped to the years 0001–9999: a lifetime too long to store (`.infinity`, a "never"
    /// of a million years) added to now ends in 9999 rather than trapping; a date that is not a number is 1970.
    static func micros(_ date: Date) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1_000_000).rounded()
        guard value.isFinite else { return value.isNaN ? 0 : value > 0 ? maximumMicros : minimumMicros }
        return value >= Double(maximumMicros)
            ? maximumMicros : value <= Double(minimumMicros) ? minimumMicros : Int64(value)
    }

    /// 9999-12-31T23:59:59.999999Z and 0001-01-01T00:00:00Z in microseconds.
    static let maximumMicros = TransferTimestamp(microseconds: .max).microseconds
    static let minimumMicros = TransferTimestamp(microseconds: .min).microseconds

    static func date(_ micros: Int64) -> Date {
        Date(timeIntervalSince1970: Double(micros) / 1_000_000)
    }

    static func date(_ micros: Int64?) -> Date? {
        micros.map { Date(timeIntervalSince1970: Double($0) / 1_000_000) }
    }

    /// A time stored by another program (or a person with `sqlite3`), read without trapping: microseconds clamped to
    /// the years 0001–9999 (what ``AccountOverview`` can print); RFC 3339 text, or SQLite's own `YYYY-MM-DD HH:MM:SS`
    /// (what `datetime('now')` writes, in UTC), read as such. `nil` for anything else: text that is no time, a blob,
    /// `NULL`, a real that is not finite.
    static func lenientMicros(_ value: DatabaseValue) -> Int64? {
        let micros: Int64
        switch value.storage {
        case .int64(let stored): micros = stored
        case .double(let stored) where stored.isFinite:
            micros = stored >= 9.2e18 ? .max : stored <= -9.2e18 ? .min : Int64(stored.rounded())
        case .string(let text):
            var bytes = Array(text.utf8)
            if bytes.count >= 19, bytes[10] == UInt8(ascii: " ") {
                bytes[10] = UInt8(ascii: "T")
                if !bytes[19...].contains(where: { $0 == UInt8(ascii: "Z") || $0 == UInt8(ascii: "+") || $0 == 45 }) {
                    bytes.append(UInt8(ascii: "Z"))
                }
            }
            guard let time = TransferTimestamp(rfc3339: String(decoding: bytes, as: UTF8.self)) else { return nil }
            micros = time.microseconds
        default: return nil
        }
        return TransferTimestamp(microseconds: micros).microseconds
    }

    /// ``lenientMicros(_:)`` as a date; what it cannot read is 0001-01-01T00:00:00Z, which no event of ours carries.
    static func lenientDate(_ value: DatabaseValue) -> Date {
        date(lenientMicros(value) ?? TransferTimestamp(microseconds: .min).microseconds)
    }
}
