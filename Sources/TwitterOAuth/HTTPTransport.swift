public import Foundation

/// The one HTTP exchange ``TwitterClient`` needs, behind a protocol so tests and other stacks can stand in.
///
/// An implementation must give up after `timeout` (throwing ``TwitterError/timedOut``) and must refuse a body
/// larger than `maximumResponseBodySize` while it streams in, without reading the rest
/// (throwing ``TwitterError/responseTooLarge(limit:)``). It must not follow redirects.
public protocol HTTPTransport: Sendable {
    /// Sends one request and returns the whole response.
    /// - Parameters:
    ///   - method: The HTTP method, such as `GET` or `POST`.
    ///   - url: The absolute request URL.
    ///   - headers: Request headers, in order.
    ///   - body: The request body (empty for none).
    ///   - timeout: The total time allowed, from connecting to the last byte of the body.
    ///   - maximumResponseBodySize: The largest response body, in bytes, that may be read.
    func send(
        method: String,
        url: URL,
        headers: [HTTPHeader],
        body: [UInt8],
        timeout: Duration,
        maximumResponseBodySize: Int
    ) async throws(TwitterError) -> HTTPTransportResponse
}

/// One HTTP header field.
public struct HTTPHeader: Sendable, Hashable {
    /// The field name, such as `content-type`; compared case-insensitively.
    public var name: String
    /// The field value.
    public var value: String

    /// Makes a header field.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

extension HTTPHeader: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Fields that carry credentials (`Authorization`: the OAuth token, verifier and signature; cookies): their
    /// values are never shown.
    static let credentialFields: Set<String> = ["authorization", "proxy-authorization", "cookie", "set-cookie"]

    /// The value as printed: `<redacted>` for a field that carries credentials.
    private var shownValue: String {
        HTTPHeader.credentialFields.contains(name.lowercased()) ? redacted : value
    }

    /// `name: value`, with the value of `Authorization`, `Proxy-Authorization` and cookie fields hidden, so a header
    /// list is safe to log.
    public var description: String { "\(name): \(shownValue)" }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// The name and the value as ``description`` shows it (`dump`, the debugger).
    public var customMirror: Mirror {
        Mirror(self, children: ["name": name, "value": shownValue], displayStyle: .struct)
    }
}

/// A complete HTTP response: status, headers and the body bytes.
///
/// Printed (`description`, `dump`) it shows the status, the headers (credential fields hidden) and the body's length
/// only: the bodies of `request_token` and `access_token` carry `oauth_token_secret`.
public struct HTTPTransportResponse: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The status code, such as 200.
    public var status: Int
    /// The response headers, in order.
    public var headers: [HTTPHeader]
    /// The body bytes.
    public var body: [UInt8]

    /// Makes a response.
    public init(status: Int, headers: [HTTPHeader], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// `HTTPTransportResponse(status: 200, headers: [...], body: N bytes)`, the body never shown.
    public var description: String {
        "HTTPTransportResponse(status: \(status), headers: \(headers), body: \(body.count) bytes)"
    }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// The status, the headers and the body's length.
    public var customMirror: Mirror {
        Mirror(self, children: ["status": status, "headers": headers, "bodyBytes": body.count], displayStyle: .struct)
    }

    /// The first value of the header called `name` (case-insensitive), if present.
    public func headerValue(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }
}
