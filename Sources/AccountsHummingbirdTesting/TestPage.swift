public import Foundation
public import TwitterOAuth

/// One answer a ``TestBrowser`` got: its status, headers and body, and what a test reads in them.
///
/// Printed (`description`, `dump`) it shows the method's target without its query, the status and the body's length:
/// never the body (it holds the CSRF token), a cookie or a query (it may hold a draft id or an OAuth verifier).
public struct TestPage: Sendable {
    /// The URL asked for.
    public let url: URL
    /// The whole answer (its `description` hides cookie values and the body).
    public let response: HTTPTransportResponse
    /// The request this page answers, which ``TestBrowser/follow(_:)`` repeats after a 307 or 308.
    var request = Request()

    /// A request's method, form and `Origin`: what a browser repeats after a 307 or 308.
    struct Request: Sendable {
        var method = "GET"
        var form: [(String, String)]?
        var origin: String?
    }

    /// Makes a page of `response`, the answer to a request for `url`.
    public init(url: URL, response: HTTPTransportResponse) {
        self.url = url
        self.response = response
    }

    /// The status code, such as 200 or 303.
    public var status: Int { response.status }
    /// The answer's header fields, in order.
    public var headers: [HTTPHeader] { response.headers }
    /// The body as UTF-8 text.
    public var text: String { String(decoding: response.body, as: UTF8.self) }
    /// The `Location` header as sent (the routes send paths, such as `/account?notice=signed_in`).
    public var location: String? { response.headerValue("location") }
    /// ``location`` resolved against ``url``: where ``TestBrowser/follow(_:)`` goes.
    public var redirectURL: URL? {
        location.flatMap { URL(string: $0, relativeTo: url)?.absoluteURL }
    }
    /// The `Set-Cookie` header fields, whole (attributes included). Their values are secrets: never print them.
    public var setCookies: [String] {
        response.headers.filter { $0.name.lowercased() == "set-cookie" }.map(\.value)
    }

    /// The value of the page's first hidden `csrf_token` field: what the routes' forms must send back.
    public var csrfToken: String? { hiddenValue("csrf_token") }

    /// The value of the first `<input>` called `name` (its `value` attribute, with HTML's character references
    /// decoded, as a browser submits it), or `nil` when the page has no such field. An input without a `value` gives
    /// the empty string.
    public func hiddenValue(_ name: String) -> String? {
        var rest = text[...]
        while let start = rest.range(of: "<input", options: .caseInsensitive) {
            let (attributes, end) = Self.attributes(of: rest[start.upperBound...])
            rest = rest[end...]
            if attributes["name"] == name { return attributes["value"] ?? "" }
        }
        return nil
    }

    /// The attributes of a tag's text (after its name), by lower-cased name, their values decoded, and where the tag
    /// ends: at the first `>` outside a quoted value (or the end of `tag`). As in HTML, spaces may stand around `=`,
    /// and an unquoted value ends at a space or `>`.
    static func attributes(of tag: Substring) -> (attributes: [String: String], end: Substring.Index) {
        var attributes: [String: String] = [:]
        var index = tag.startIndex
        func skip(while skipped: (Character) -> Bool) {
            while index < tag.endIndex, skipped(tag[index]) { index = tag.index(after: index) }
        }
        while true {
            skip { $0.isWhitespace || $0 == "/" }
            guard index < tag.endIndex, tag[index] != ">" else { return (attributes, index) }
            let nameStart = index
            skip { !$0.isWhitespace && $0 != "=" && $0 != "/" && $0 != ">" }
            let name = tag[nameStart..<index].lowercased()
            skip { $0.isWhitespace }
            guard index < tag.endIndex, tag[index] == "=" else {
                if attributes[name] == nil, !name.isEmpty { attributes[name] = "" }
                continue
            }
            index = tag.index(after: index)
            skip { $0.isWhitespace }
            var value: Substring
            if index < tag.endIndex, tag[index] == "\"" || tag[index] == "'" {
                let quote = tag[index]
                let valueStart = tag.index(after: index)
                let valueEnd = tag[valueStart...].firstIndex(of: quote) ?? tag.endIndex
                value = tag[valueStart..<valueEnd]
                index = valueEnd < tag.endIndex ? tag.index(after: valueEnd) : valueEnd
            } else {
                let valueStart = index
                skip { !$0.isWhitespace && $0 != ">" }
                value = tag[valueStart..<index]
            }
            if attributes[name] == nil { attributes[name] = decodeReferences(value) }
        }
    }

    /// `text` with HTML's character references (`&amp;`, `&quot;`, `&#39;`, `&#x27;`, …) decoded.
    static func decodeReferences(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        let named: [Substring: String] = [
            "amp": "&", "quot": "\"", "apos": "'", "lt": "<", "gt": ">", "nbsp": "\u{A0}",
        ]
        var result = ""
        var rest = text
        while let ampersand = rest.firstIndex(of: "&") {
            result += rest[..<ampersand]
            let afterAmpersand = rest.index(after: ampersand)
            guard let semicolon = rest[afterAmpersand...].prefix(10).firstIndex(of: ";") else {
                result += "&"
                rest = rest[afterAmpersand...]
                continue
            }
            let reference = rest[afterAmpersand..<semicolon]
            var decoded: String?
            if reference.hasPrefix("#x") || reference.hasPrefix("#X") {
                decoded = UInt32(reference.dropFirst(2), radix: 16).flatMap { Unicode.Scalar($0) }.map { String($0) }
            } else if reference.hasPrefix("#") {
                decoded = UInt32(reference.dropFirst(), radix: 10).flatMap { Unicode.Scalar($0) }.map { String($0) }
            } else {
                decoded = named[reference]
            }
            if let decoded {
                result += decoded
                rest = rest[rest.index(after: semicolon)...]
            } else {
                result += "&"
                rest = rest[afterAmpersand...]
            }
        }
        return result + rest
    }

    /// How error messages and descriptions name a URL: its path (with the origin when not given as a path), the query
    /// cut to `?…`, since it may hold a draft id, a token or an OAuth verifier.
    static func shown(_ url: URL) -> String {
        shown(url.absoluteString)
    }

    /// How error messages name a target as given (a path or a URL): its query cut to `?…`.
    static func shown(_ target: String) -> String {
        let cut = target.prefix { $0 != "?" && $0 != "#" }
        return String(cut) + (cut.count < target.count ? "?…" : "")
    }
}

extension TestPage: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `TestPage(http://127.0.0.1:8080/account?…: 200, 5120 bytes)`: no query, body or cookie.
    public var description: String {
        "TestPage(\(Self.shown(url)): \(status), \(response.body.count) bytes)"
    }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// The URL without its query, the status and the body's length.
    public var customMirror: Mirror {
        Mirror(
            self, children: ["url": Self.shown(url), "status": status, "bodyBytes": response.body.count],
            displayStyle: .struct)
    }
}
