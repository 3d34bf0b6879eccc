import AccountsHummingbird
import Foundation
import Testing

/// The pages' times ("2026-12-05 09:30:00", UTC) are written by arithmetic, not Foundation's calendar (20–40 µs a
/// call, up to three per event and session on the account page): the same text for every time.
struct PageTimestampTests {
    @Test func timesAreWrittenAsFoundationsCalendarWritesThem() {
        var generator = SystemRandomNumberGenerator()
        var dates: [Date] = [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -1), Date(timeIntervalSince1970: -0.5),
            Date(timeIntervalSince1970: 951_782_400),  // 2000-02-29
            Date(timeIntervalSince1970: 4_107_542_400),  // 2100-03-01
            Date(timeIntervalSince1970: -11_644_473_600),  // 1601-01-01, the first time written by arithmetic
            Date(timeIntervalSince1970: -11_644_473_601), Date(timeIntervalSince1970: -12_219_292_800),  // 1582-10-15
            Date(timeIntervalSince1970: -62_135_596_800),  // 0001-01-01
            Date(timeIntervalSince1970: 253_402_300_799.999_999), Date(timeIntervalSince1970: 253_402_300_800),
            Date(),
        ]
        for _ in 0..<20_000 {
            // the store's microseconds, and times a hair either side of a whole second (Foundation floors the
            // seconds since its reference date, not since 1970)
            let micros = Int64.random(in: -11_644_473_600_000_000..<253_402_300_800_000_000, using: &generator)
            dates.append(Date(timeIntervalSince1970: Double(micros) / 1_000_000))
            let second = Double(Int64.random(in: -12_622_780_800..<252_423_993_600, using: &generator))
            dates.append(Date(timeIntervalSinceReferenceDate: second - 1e-9))
            dates.append(Date(timeIntervalSinceReferenceDate: second + 0.999_999_999_9))
        }
        for date in dates {
            #expect(
                Pages.timestamp(date) == Pages.calendarTimestamp(date),
                "\(date.timeIntervalSinceReferenceDate) since the reference date")
        }
    }
}
