/// Reads an `Authorization: OAuth name="value", …` header (RFC 5849 §3.5.1) back into parameters.
package enum OAuthAuthorizationHeader: Sendable {
    /// The decoded parameters, `realm` included; nil when the scheme is not `OAuth` or a pair does not parse.
    package static func parse(_ header: String) -> [OAuthParameter]? {
        let trimmed = header.drop { $0 == " " || $0 == "\t" }
        guard trimmed.count > 5, trimmed.prefix(5).lowercased() == "oauth" else { return nil }
        let rest = trimmed.dropFirst(5)
        guard let first = rest.first, first == " " || first == "\t" else { return nil }
        var parameters: [OAuthParameter] = []
        for piece in rest.split(separator: ",") {
            let pair = piece.trimmingSpaces()
            if pair.isEmpty { continue }
            guard let equals = pair.firstIndex(of: "=") else { return nil }
            let rawName = pair[..<equals].trimmingSpaces()
            var rawValue = pair[pair.index(after: equals)...].trimmingSpaces()
            guard rawValue.count >= 2, rawValue.first == "\"", rawValue.last == "\"" else { return nil }
            rawValue = rawValue.dropFirst().dropLast()
            guard
                let name = PercentEncoding.decode(rawName, plusIsSpace: false),
                let value = PercentEncoding.decode(rawValue, plusIsSpace: false)
            else { return nil }
            parameters.append(OAuthParameter(name: name, value: value))
        }
        return parameters
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}
