/// `application/x-www-form-urlencoded` bodies and queries, encoded the OAuth way (RFC 5849 §3.6, `%20` for a space).
package enum FormEncoding: Sendable {
    /// Encodes `parameters` in order as `name=value&…`.
    package static func encode(_ parameters: [OAuthParameter]) -> String {
        parameters.map { PercentEncoding.encode($0.name) + "=" + PercentEncoding.encode($0.value) }
            .joined(separator: "&")
    }

    /// Parses `name=value&…` (a `+` is a space; a name without `=` has an empty value; empty pieces are skipped).
    ///
    /// Returns nil when an escape is malformed or a piece does not decode to UTF-8.
    package static func decode(_ text: Substring) -> [OAuthParameter]? {
        var parameters: [OAuthParameter] = []
        for piece in text.split(separator: "&", omittingEmptySubsequences: true) {
            let pair = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = PercentEncoding.decode(pair[0], plusIsSpace: true) else { return nil }
            let rawValue = pair.count > 1 ? pair[1] : ""
            guard let value = PercentEncoding.decode(rawValue, plusIsSpace: true) else { return nil }
            parameters.append(OAuthParameter(name: name, value: value))
        }
        return parameters
    }

    /// Parses a whole string; see the `Substring` overload.
    package static func decode(_ text: String) -> [OAuthParameter]? {
        decode(text[...])
    }

    /// Parses UTF-8 bytes; nil when they are not UTF-8 or do not parse.
    package static func decode(bytes: [UInt8]) -> [OAuthParameter]? {
        // Split on bytes (`&` and `=` are ASCII), decode each piece; invalid UTF-8 fails in the piece's decoding.
        var parameters: [OAuthParameter] = []
        for piece in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = piece.firstIndex(of: UInt8(ascii: "="))
            let rawName = piece[..<(equals ?? piece.endIndex)]
            let rawValue = equals.map { piece[($0 + 1)...] } ?? piece[piece.endIndex...]
            guard let name = PercentEncoding.decode(bytes: rawName, plusIsSpace: true),
                let value = PercentEncoding.decode(bytes: rawValue, plusIsSpace: true)
            else { return nil }
            parameters.append(OAuthParameter(name: name, value: value))
        }
        return parameters
    }
}

extension Array where Element == OAuthParameter {
    /// The value of the first parameter called `name`, if any.
    package func first(named name: String) -> String? {
        first { $0.name == name }?.value
    }
}
