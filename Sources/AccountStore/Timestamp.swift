import Foundation

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
}
