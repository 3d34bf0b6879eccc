import AccountTransfer
import Foundation
import GRDB

/// Times are stored as whole microseconds since 1970-01-01 UTC.
enum Timestamp {
    static func micros(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    static func date(_ micros: Int64) -> Date {
        Date(timeIntervalSince1970: Double(micros) / 1_000_000)
    }

    static func date(_ micros: Int64?) -> Date? {
        micros.map { Date(timeIntervalSince1970: Double($0) / 1_000_000) }
    }

    /// A time stored by another program, read without trapping: microseconds clamped to the years 0001–9999 (what
    /// ``AccountOverview`` can print), RFC 3339 text read as such, anything else (text that is no time, a blob,
    /// `NULL`, a real that is not finite) as 0001-01-01T00:00:00Z, which no event of ours carries.
    static func lenientDate(_ value: DatabaseValue) -> Date {
        let micros: Int64
        switch value.storage {
        case .int64(let stored): micros = stored
        case .double(let stored) where stored.isFinite:
            micros = stored >= 9.2e18 ? .max : stored <= -9.2e18 ? .min : Int64(stored.rounded())
        case .string(let text): micros = TransferTimestamp(rfc3339: text)?.microseconds ?? .min
        default: micros = .min
        }
        return date(TransferTimestamp(microseconds: micros).microseconds)
    }
}
