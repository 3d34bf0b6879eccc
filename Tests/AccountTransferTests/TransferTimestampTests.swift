import AccountTransfer
import Testing

struct TransferTimestampTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z", Int64(0)),
        ("2024-05-01T14:30:00.25+02:00", "2024-05-01T12:30:00.250000Z", 1_714_566_600_250_000),
        ("2024-05-01t12:30:00.123456789z", "2024-05-01T12:30:00.123456Z", 1_714_566_600_123_456),
        ("2024-02-29T23:59:59.000000-00:30", "2024-03-01T00:29:59Z", 1_709_252_999_000_000),
        ("1969-12-31T23:59:59.999999Z", "1969-12-31T23:59:59.999999Z", -1),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z", -62_135_596_800_000_000),
        ("9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z", 253_402_300_799_999_999),
    ])
    func readsRFC3339AndWritesUTCWithFractionsOnlyWhenNotZero(text: String, written: String, micros: Int64) throws {
        let time = try #require(TransferTimestamp(rfc3339: text))
        #expect(time.microseconds == micros)
        #expect(time.description == written)
        // Writing what was read reads back the same
        #expect(TransferTimestamp(rfc3339: written) == time)
    }

    @Test(arguments: [
        (
            "2024-05-01 12:30:00Z",
            "must be an RFC 3339 time such as 2024-05-01T12:30:00Z or 2024-05-01T14:30:00.25+02:00"
        ),
        (
            "2024-05-01T12:30:00.Z",
            "must be an RFC 3339 time such as 2024-05-01T12:30:00Z or 2024-05-01T14:30:00.25+02:00"
        ),
        ("2023-02-29T00:00:00Z", "has day 29, which month 2 of 2023 does not have"),
        ("2024-13-01T00:00:00Z", "has month 13, outside 01–12"),
        ("2024-01-01T24:00:00Z", "has a time of day outside 00:00–23:59"),
        ("2016-12-31T23:59:60Z", "has second 60; leap seconds and values over 59 are not accepted"),
        ("2024-01-01T00:00:00+24:00", "has an offset outside -23:59…+23:59"),
        ("0000-06-01T00:00:00Z", "has year 0000; years run from 0001 to 9999"),
        ("0001-01-01T00:00:00+01:00", "is outside the years 0001–9999 once converted to UTC"),
        (
            "2024-05-01T12:30:00,25Z",
            "has ',' before the fraction of a second, where RFC 3339 takes '.' "
                + "(must be an RFC 3339 time such as 2024-05-01T12:30:00Z or 2024-05-01T14:30:00.25+02:00)"
        ),
        (
            "2024-01-01T00:00:00",
            "needs a time zone: Z for UTC or an offset such as +02:00 (must be an RFC 3339 time such as 2024-05-01T12:30:00Z or 2024-05-01T14:30:00.25+02:00)"
        ),
    ])
    func refusesWhatIsNotAnRFC3339TimeSayingWhy(text: String, problem: String) {
        #expect(TransferTimestamp(rfc3339: text) == nil)
        #expect(TransferTimestamp.problem(with: text) == problem)
    }

    @Test func formatsEveryDayOfFourHundredYearsAndReadsItBack() {
        // A full Gregorian cycle around 1970 (leap years, centuries, negative times)
        var day: Int64 = -146_097 / 2
        while day < 146_097 / 2 {
            let time = TransferTimestamp(microseconds: day * 86_400_000_000 + 45_296_000_007)
            #expect(TransferTimestamp(rfc3339: time.description) == time)
            day += 1
        }
    }
}
