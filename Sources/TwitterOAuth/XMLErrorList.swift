internal import Foundation

/// Reads the XML error bodies of Twitter's OAuth endpoints (`/oauth/request_token`, `/oauth/access_token`), which
/// answer in XML where the REST API answers in JSON:
///
/// - `<?xml version="1.0" encoding="UTF-8"?><errors><error code="415">Callback URL not approved …</error></errors>`
/// - the older `<hash><error>Callback URL not approved …</error><request>/oauth/request_token</request></hash>`,
///   which carries no code; its message is recognised only for the callback refusal (code 415), the one that form
///   is documented for.
///
/// It is no XML parser: the two shapes above (with an optional prolog, whitespace between elements, `'` or `"`
/// around the attribute and the five named entities and numeric references in the text) are read, and anything else
/// is nil, so the caller keeps its "unexpected status" answer.
enum XMLErrorList {
    static func errors(in body: [UInt8], redacting redaction: Redaction = Redaction(secrets: [])) -> [TwitterAPIError]?
    {
        guard body.count <= 64 << 10, var text = String(validating: body, as: UTF8.self)?[...] else { return nil }
        skipSpace(&text)
        if text.hasPrefix("<?xml") {
            guard let end = text.range(of: "?>") else { return nil }
            text = text[end.upperBound...]
            skipSpace(&text)
        }
        if text.hasPrefix("<errors>") {
            return errorsList(text.dropFirst("<errors>".count), redaction)
        }
        if text.hasPrefix("<hash>") {
            return hashForm(text.dropFirst("<hash>".count), redaction)
        }
        return nil
    }

    /// The message of Twitter's callback refusal, the start of which identifies it in the code-less form.
    static let callbackNotApprovedMessage = "Callback URL not approved for this client application"

    private static func errorsList(_ rest: Substring, _ redaction: Redaction) -> [TwitterAPIError]? {
        var text = rest
        var found: [TwitterAPIError] = []
        while true {
            skipSpace(&text)
            if text.hasPrefix("</errors>") {
                text = text.dropFirst("</errors>".count)
                skipSpace(&text)
                return text.isEmpty && !found.isEmpty ? found : nil
            }
            guard text.hasPrefix("<error"), let close = text.firstIndex(of: ">") else { return nil }
            let attributes = text[text.index(text.startIndex, offsetBy: "<error".count)..<close]
            guard let code = codeAttribute(attributes) else { return nil }
            text = text[text.index(after: close)...]
            guard let end = text.range(of: "</error>"), let message = decodedText(text[..<end.lowerBound]) else {
                return nil
            }
            if found.count < TwitterClient.maximumReportedErrors {
                found.append(TwitterAPIError(code: code, message: redaction.apply(message)))
            }
            text = text[end.upperBound...]
        }
    }

    private static func hashForm(_ rest: Substring, _ redaction: Redaction) -> [TwitterAPIError]? {
        var rest = rest
        while rest.last?.isWhitespace == true { rest = rest.dropLast() }
        guard let start = rest.range(of: "<error>"), let end = rest.range(of: "</error>"),
            start.upperBound <= end.lowerBound, rest.hasSuffix("</hash>"),
            let message = decodedText(rest[start.upperBound..<end.lowerBound]),
            message.hasPrefix(callbackNotApprovedMessage)
        else { return nil }
        return [TwitterAPIError(code: TwitterAPIError.callbackNotApproved, message: redaction.apply(message))]
    }

    /// `code="415"` (or with `'`), the only attribute Twitter sends; nil for anything else.
    private static func codeAttribute(_ attributes: Substring) -> Int? {
        var text = attributes
        skipSpace(&text)
        guard text.hasPrefix("code="), let quote = text.dropFirst("code=".count).first, quote == "\"" || quote == "'"
        else { return nil }
        let value = text.dropFirst("code=".count + 1)
        guard let end = value.firstIndex(of: quote) else { return nil }
        var after = value[value.index(after: end)...]
        skipSpace(&after)
        let digits = value[..<end]
        guard after.isEmpty, !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ $0.isASCII && $0.isNumber })
        else { return nil }
        return Int(digits)
    }

    /// The element's text with its entities decoded and its whitespace collapsed (Twitter has sent the message
    /// indented over several lines); nil for markup inside or an entity it does not know.
    private static func decodedText(_ raw: Substring) -> String? {
        guard !raw.contains("<") else { return nil }
        var output = ""
        var rest = raw
        while let ampersand = rest.firstIndex(of: "&") {
            output += rest[..<ampersand]
            guard let semicolon = rest[ampersand...].firstIndex(of: ";") else { return nil }
            let name = rest[rest.index(after: ampersand)..<semicolon]
            guard let character = entity(name) else { return nil }
            output.append(character)
            rest = rest[rest.index(after: semicolon)...]
        }
        output += rest
        return output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    private static func entity(_ name: Substring) -> Character? {
        switch name {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        default:
            let scalar: UInt32?
            if name.hasPrefix("#x") || name.hasPrefix("#X") {
                scalar = UInt32(name.dropFirst(2), radix: 16)
            } else if name.hasPrefix("#") {
                scalar = UInt32(name.dropFirst(), radix: 10)
            } else {
                scalar = nil
            }
            return scalar.flatMap(Unicode.Scalar.init).map(Character.init)
        }
    }

    private static func skipSpace(_ text: inout Substring) {
        text = text.drop(while: \.isWhitespace)
    }
}
