/// A time as the account files carry it: whole microseconds since 1970-01-01T00:00:00Z, years 0001–9999.
///
/// Read from RFC 3339 text (`2024-05-01T12:30:00Z`, `2024-05-01T14:30:00.25+02:00`); written in UTC as
/// `YYYY-MM-DDTHH:MM:SSZ`, with six fractional digits only when the microseconds are not zero, so writing what was
/// read gives the same text again.
public struct TransferTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z (negative before).
    public let microseconds: Int64

    /// The first instant the files can carry: 0001-01-01T00:00:00Z.
    static let minimum = Int64(daysFromCivil(year: 1, month: 1, day: 1)) * 86_400 * 1_000_000
    /// The last instant the files can carry: 9999-12-31T23:59:59.999999Z.
    static let maximum = Int64(daysFromCivil(year: 10_000, month: 1, day: 1)) * 86_400 * 1_000_000 - 1

    /// Wraps a count of microseconds since 1970 (clamped to years 0001–9999).
    public init(microseconds: Int64) {
        self.microseconds = min(max(microseconds, Self.minimum), Self.maximum)
    }

    /// Reads RFC 3339 text; `nil` when it is not one (``problem(with:)`` says why).
    public init?(rfc3339 text: String) {
        guard case .success(let value) = Self.parse(Array(text.utf8)[...]) else { return nil }
        self = value
    }

    /// What is wrong with `text` as an RFC 3339 time, or `nil` when it reads.
    public static func problem(with text: String) -> String? {
        if case .failure(let problem) = parse(Array(text.utf8)[...]) { return problem.message }
        return nil
    }

    /// UTC text: `YYYY-MM-DDTHH:MM:SSZ`, or `YYYY-MM-DDTHH:MM:SS.ffffffZ` when the microseconds are not zero.
    public var description: String {
        var seconds = microseconds / 1_000_000
        var fraction = microseconds % 1_000_000
        if fraction < 0 {
            fraction += 1_000_000
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = Self.civilFromDays(Int(days))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(27)
        Self.appendDigits(year, count: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        Self.appendDigits(month, count: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        Self.appendDigits(day, count: 2, to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        Self.appendDigits(Int(secondOfDay / 3600), count: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        Self.appendDigits(Int(secondOfDay % 3600 / 60), count: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        Self.appendDigits(Int(secondOfDay % 60), count: 2, to: &bytes)
        if fraction != 0 {
            bytes.append(UInt8(ascii: "."))
            Self.appendDigits(Int(fraction), count: 6, to: &bytes)
        }
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Orders timestamps in time.
    public static func < (lhs: TransferTimestamp, rhs: TransferTimestamp) -> Bool {
        lhs.microseconds < rhs.microseconds
    }

    // MARK: - Parsing

    struct Problem: Error {
        let message: String
    }

    static let formatProblem = Problem(
        message: "must be an RFC 3339 time such as 2024-05-01T12:30:00Z or 2024-05-01T14:30:00.25+02:00")

    /// Reads `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; fraction digits past the sixth are dropped.
    static func parse(_ text: ArraySlice<UInt8>) -> Result<TransferTimestamp, Problem> {
        var index = text.startIndex
        func digits(_ count: Int) -> Int? {
            guard text.endIndex - index >= count else { return nil }
            var value = 0
            for byte in text[index..<index + count] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += count
            return value
        }
        func expect(_ characters: String) -> Bool {
            guard index < text.endIndex, characters.utf8.contains(text[index]) else { return false }
            index += 1
            return true
        }
        guard let year = digits(4), expect("-"), let month = digits(2), expect("-"), let day = digits(2),
            expect("Tt"), let hour = digits(2), expect(":"), let minute = digits(2), expect(":"),
            let second = digits(2)
        else {
            return .failure(formatProblem)
        }
        // ISO 8601 allows `,25`; RFC 3339 does not, and "needs a time zone" would point at the wrong part.
        if index < text.endIndex, text[index] == UInt8(ascii: ","), index + 1 < text.endIndex,
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(text[index + 1])
        {
            return .failure(
                Problem(
                    message: "has ',' before the fraction of a second, where RFC 3339 takes '.' "
                        + "(\(formatProblem.message))"))
        }
        var fraction = 0
        if index < text.endIndex, text[index] == UInt8(ascii: ".") {
            index += 1
            var count = 0
            while index < text.endIndex, text[index] >= UInt8(ascii: "0"), text[index] <= UInt8(ascii: "9") {
                if count < 6 { fraction = fraction * 10 + Int(text[index] - UInt8(ascii: "0")) }
                count += 1
                index += 1
            }
            guard count > 0 else { return .failure(formatProblem) }
            for _ in count..<max(count, 6) { fraction *= 10 }
        }
        var offsetMinutes = 0
        if expect("Zz") {
            offsetMinutes = 0
        } else if index < text.endIndex, text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") {
            let sign = text[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let offsetHours = digits(2), expect(":"), let offsetMinutesPart = digits(2) else {
                return .failure(formatProblem)
            }
            guard offsetHours <= 23, offsetMinutesPart <= 59 else {
                return .failure(Problem(message: "has an offset outside -23:59…+23:59"))
            }
            offsetMinutes = sign * (offsetHours * 60 + offsetMinutesPart)
        } else {
            return .failure(
                Problem(message: "needs a time zone: Z for UTC or an offset such as +02:00 (\(formatProblem.message))"))
        }
        guard index == text.endIndex else { return .failure(formatProblem) }
        guard year >= 1 else { return .failure(Problem(message: "has year 0000; years run from 0001 to 9999")) }
        guard (1...12).contains(month) else { return .failure(Problem(message: "has month \(month), outside 01–12")) }
        guard (1...daysInMonth(year: year, month: month)).contains(day) else {
            return .failure(Problem(message: "has day \(day), which month \(month) of \(year) does not have"))
        }
        guard hour <= 23, minute <= 59 else {
            return .failure(Problem(message: "has a time of day outside 00:00–23:59"))
        }
        guard second <= 59 else {
            return .failure(Problem(message: "has second \(second); leap seconds and values over 59 are not accepted"))
        }
        let days = Int64(daysFromCivil(year: year, month: month, day: day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        let micros = seconds * 1_000_000 + Int64(fraction)
        guard micros >= minimum, micros <= maximum else {
            return .failure(Problem(message: "is outside the years 0001–9999 once converted to UTC"))
        }
        return .success(TransferTimestamp(microseconds: micros))
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = (month + 9) % 12
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func appendDigits(_ value: Int, count: Int, to bytes: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<count { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
            rest %= divisor
            divisor /= 10
        }
    }
}
