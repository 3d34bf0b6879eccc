import Foundation

/// One `Set-Cookie` field as a browser reads it (RFC 6265 §5.2): its name and value, and its attributes in order, each
/// with whitespace around its name and value trimmed and its name lower-cased.
struct SetCookie {
    let name: String
    let value: String
    let attributes: [(name: String, value: String)]

    /// `nil` for a field a browser ignores: one without `=` before its first `;`, or with an empty name.
    init?(_ field: String) {
        let parts = field.split(separator: ";", omittingEmptySubsequences: false)
        guard let pair = parts.first, let equals = pair.firstIndex(of: "=") else { return nil }
        name = Self.trimmed(pair[..<equals])
        value = Self.trimmed(pair[pair.index(after: equals)...])
        guard !name.isEmpty else { return nil }
        attributes = parts.dropFirst().map { part in
            guard let equals = part.firstIndex(of: "=") else { return (Self.trimmed(part).lowercased(), "") }
            return (Self.trimmed(part[..<equals]).lowercased(), Self.trimmed(part[part.index(after: equals)...]))
        }
    }

    /// Whether the cookie is gone at `now` (RFC 6265 §5.3 step 3): by the last valid `Max-Age`, at 0 or below, or
    /// without one by the last readable `Expires`, at or before `now`. A `Max-Age` other than an optional `-` and
    /// digits, and an `Expires` that is not a date, are ignored (§5.2.1, §5.2.2).
    func isExpired(at now: Date) -> Bool {
        if let maxAge = attributes.last(where: { $0.name == "max-age" && Self.isDeltaSeconds($0.value) }) {
            return maxAge.value.hasPrefix("-") || maxAge.value.allSatisfy { $0 == "0" }
        }
        let expires = attributes.reversed().lazy.filter { $0.name == "expires" }.compactMap { Self.date($0.value) }
        return expires.first.map { $0 <= now } ?? false
    }

    /// Whether browsers refuse the cookie for its name's prefix (RFC 6265bis §4.1.3, the prefix in any case): a
    /// `__Secure-` one without `Secure`; a `__Host-` one without `Secure`, without `Path=/`, or with a `Domain`.
    var isRefusedForItsPrefix: Bool {
        let prefix = name.lowercased()
        let secure = attributes.contains { $0.name == "secure" }
        if prefix.hasPrefix("__secure-") { return !secure }
        guard prefix.hasPrefix("__host-") else { return false }
        let path = attributes.last { $0.name == "path" }?.value
        return !secure || path != "/" || attributes.contains { $0.name == "domain" && !$0.value.isEmpty }
    }

    /// RFC 6265 §5.2.2: a `-` or a digit, then digits only.
    static func isDeltaSeconds(_ text: String) -> Bool {
        let digits = text.hasPrefix("-") ? text.dropFirst() : text[...]
        return !digits.isEmpty && digits.allSatisfy { ("0"..."9").contains($0) }
    }

    /// A cookie date read as RFC 6265 §5.1.1 reads one, in UTC whatever zone it names: IMF-fixdate
    /// (`Thu, 01 Jan 1970 00:00:00 GMT`), the dashed form (`Thu, 01-Jan-1970 00:00:00 GMT`), RFC 850's
    /// (`Thursday, 01-Jan-70 00:00:00 GMT`), asctime's (`Thu Jan  1 00:00:00 1970`) and the like; `nil` when it has no
    /// time, day, month or year, or names a date or time that does not exist.
    static func date(_ text: String) -> Date? {
        func isDelimiter(_ byte: UInt8) -> Bool {
            byte == 0x09 || (0x20...0x2F).contains(byte) || (0x3B...0x40).contains(byte)
                || (0x5B...0x60).contains(byte) || (0x7B...0x7E).contains(byte)
        }
        var time: (hour: Int, minute: Int, second: Int)?
        var day: Int?
        var month: Int?
        var year: Int?
        for token in Array(text.utf8).split(whereSeparator: isDelimiter) {
            if time == nil, let found = hmsTime(token) {
                time = found
            } else if day == nil, let found = leadingNumber(token, digits: 1...2) {
                day = found
            } else if month == nil, let found = monthNumber(token) {
                month = found
            } else if year == nil, let found = leadingNumber(token, digits: 2...4) {
                year = found
            }
        }
        guard let time, let day, let month, var year else { return nil }
        if (70...99).contains(year) { year += 1900 } else if (0...69).contains(year) { year += 2000 }
        let monthDays = [
            31, year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31,
            30, 31,
        ]
        guard year >= 1601, (1...monthDays[month - 1]).contains(day), time.hour <= 23, time.minute <= 59,
            time.second <= 59
        else { return nil }
        // Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
        let shifted = month <= 2 ? year - 1 : year
        let era = (shifted >= 0 ? shifted : shifted - 399) / 400
        let yearOfEra = shifted - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Date(
            timeIntervalSince1970: TimeInterval(days * 86_400 + time.hour * 3_600 + time.minute * 60 + time.second))
    }

    /// The number that `token` starts with when it starts with `digits` digits followed by the end or a non-digit.
    private static func leadingNumber(_ token: ArraySlice<UInt8>, digits: ClosedRange<Int>) -> Int? {
        let count = token.prefix { (0x30...0x39).contains($0) }.count
        guard digits.contains(count) else { return nil }
        return token.prefix(count).reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    /// `hh:mm:ss` (1 or 2 digits each), followed by the end or a non-digit.
    private static func hmsTime(_ token: ArraySlice<UInt8>) -> (hour: Int, minute: Int, second: Int)? {
        var fields: [Int] = []
        var rest = token
        for index in 0..<3 {
            guard let field = leadingNumber(rest, digits: 1...2) else { return nil }
            fields.append(field)
            rest = rest.drop { (0x30...0x39).contains($0) }
            if index < 2 {
                guard rest.first == UInt8(ascii: ":") else { return nil }
                rest = rest.dropFirst()
            }
        }
        return (fields[0], fields[1], fields[2])
    }

    /// 1 to 12 for a token starting with a month's first three letters, in any case.
    private static func monthNumber(_ token: ArraySlice<UInt8>) -> Int? {
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        guard token.count >= 3 else { return nil }
        let start = String(decoding: token.prefix(3), as: UTF8.self).lowercased()
        return months.firstIndex(of: start).map { $0 + 1 }
    }

    /// `text` without the spaces and tabs around it (RFC 6265's WSP).
    private static func trimmed(_ text: Substring) -> String {
        String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
