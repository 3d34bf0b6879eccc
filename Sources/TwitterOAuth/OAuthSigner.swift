internal import AccountCrypto
public import Foundation
import Synchronization

/// Signs requests with OAuth 1.0a `HMAC-SHA1` (RFC 5849 §3) and writes the `Authorization: OAuth …` header.
///
/// The nonce and timestamp come from injected sources, so tests and benchmarks can pin them; by default the nonce
/// is 32 hex digits of secure randomness and the timestamp is the current Unix time in seconds.
///
/// ```swift
/// let signer = OAuthSigner(consumer: ConsumerCredentials(key: "…", secret: "…"))
/// let header = signer.authorizationHeader(
///     method: "POST", url: URL(string: "https://api.x.com/oauth/request_token")!,
///     protocolParameters: [OAuthParameter(name: "oauth_callback", value: "https://app.example/callback")])
/// ```
public struct OAuthSigner: Sendable {
    /// The consumer credentials every request is signed with.
    public let consumer: ConsumerCredentials
    /// Whether `oauth_version="1.0"` is sent (optional in RFC 5849, sent by Twitter's own examples).
    public let includesVersion: Bool
    /// The injected nonce source; nil for the built-in one, whose digits go straight into the request's buffer.
    private let nonceSource: (@Sendable () -> String)?
    private let timestampSource: @Sendable () -> Int64
    /// `oauth_consumer_key=…`, encoded once.
    private let encodedConsumerKey: [UInt8]
    /// `encode(consumer secret) &`, the first half of every signing key.
    private let keyPrefix: [UInt8]

    /// Makes a signer for `consumer`.
    /// - Parameters:
    ///   - consumer: The app's consumer key and secret.
    ///   - includesVersion: Send `oauth_version="1.0"` (default true).
    ///   - nonce: Returns a fresh `oauth_nonce` per request; nil (the default) uses ``randomNonce()``.
    ///   - timestamp: Returns `oauth_timestamp` in Unix seconds (default: ``currentTimestamp()``).
    public init(
        consumer: ConsumerCredentials,
        includesVersion: Bool = true,
        nonce: (@Sendable () -> String)? = nil,
        timestamp: @escaping @Sendable () -> Int64 = OAuthSigner.currentTimestamp
    ) {
        self.consumer = consumer
        self.includesVersion = includesVersion
        self.nonceSource = nonce
        self.timestampSource = timestamp
        var key: [UInt8] = []
        PercentEncoding.encode(consumer.key.utf8, into: &key)
        self.encodedConsumerKey = key
        var prefix: [UInt8] = []
        PercentEncoding.encode(consumer.secret.utf8, into: &prefix)
        prefix.append(UInt8(ascii: "&"))
        self.keyPrefix = prefix
    }

    /// A nonce of 32 lowercase hex digits (128 bits from the secure random generator).
    @Sendable public static func randomNonce() -> String {
        var digits: [UInt8] = []
        NoncePool.shared.appendNonce(to: &digits)
        return String(decoding: digits, as: UTF8.self)
    }

    /// The current time in whole seconds since 1970-01-01T00:00:00Z.
    @Sendable public static func currentTimestamp() -> Int64 {
        Int64(Date().timeIntervalSince1970.rounded(.down))
    }

    /// Signs a request and returns the value for its `Authorization` header (`OAuth oauth_consumer_key="…", …`).
    /// - Parameters:
    ///   - method: The HTTP method, such as `POST`.
    ///   - url: The full request URL; its query parameters are signed too.
    ///   - formParameters: The `application/x-www-form-urlencoded` body parameters, if any (they are signed).
    ///   - token: The request or access token, when there is one.
    ///   - tokenSecret: The secret of `token` (empty when there is no token).
    ///   - protocolParameters: Extra `oauth_*` parameters such as `oauth_callback` or `oauth_verifier`.
    public func authorizationHeader(
        method: String,
        url: URL,
        formParameters: [OAuthParameter] = [],
        token: String? = nil,
        tokenSecret: String = "",
        protocolParameters: [OAuthParameter] = []
    ) -> String {
        let signed = sign(
            method: method, url: url, formParameters: formParameters, token: token, tokenSecret: tokenSecret,
            protocolParameters: protocolParameters)
        return signed.authorizationHeader()
    }

    /// Signs a request and returns its `oauth_*` parameters, `oauth_signature` included, sorted by name.
    ///
    /// The arguments are those of
    /// ``authorizationHeader(method:url:formParameters:token:tokenSecret:protocolParameters:)``.
    public func signedProtocolParameters(
        method: String,
        url: URL,
        formParameters: [OAuthParameter] = [],
        token: String? = nil,
        tokenSecret: String = "",
        protocolParameters: [OAuthParameter] = []
    ) -> [OAuthParameter] {
        let signed = sign(
            method: method, url: url, formParameters: formParameters, token: token, tokenSecret: tokenSecret,
            protocolParameters: protocolParameters)
        return signed.spans.filter(\.isProtocol).map { span in
            // Every byte was written by the encoder, so decoding cannot fail.
            OAuthParameter(
                name: PercentEncoding.decode(bytes: signed.bytes[span.start..<span.nameEnd], plusIsSpace: false) ?? "",
                value: PercentEncoding.decode(bytes: signed.bytes[span.nameEnd..<span.end], plusIsSpace: false) ?? "")
        }
    }

    /// Signs a request: every parameter encoded once into one buffer, sorted, the base string written from it, and
    /// `oauth_signature` added in its sorted place. The one path both public calls share.
    private func sign(
        method: String, url: URL, formParameters: [OAuthParameter], token: String?, tokenSecret: String,
        protocolParameters: [OAuthParameter]
    ) -> EncodedParameters {
        var parameters = EncodedParameters(capacity: 320, count: 8 + protocolParameters.count + formParameters.count)
        parameters.appendEncoded(name: "oauth_consumer_key", value: encodedConsumerKey)
        parameters.appendEncoded(name: "oauth_signature_method", value: "HMAC-SHA1".utf8)
        if includesVersion { parameters.appendEncoded(name: "oauth_version", value: "1.0".utf8) }
        for parameter in protocolParameters { parameters.append(parameter, isProtocol: true) }
        if let nonceSource {
            parameters.append(OAuthParameter(name: "oauth_nonce", value: nonceSource()), isProtocol: true)
        } else {
            parameters.appendEncoded(name: "oauth_nonce") { NoncePool.shared.appendNonce(to: &$0) }
        }
        let timestamp = timestampSource()
        parameters.appendEncoded(name: "oauth_timestamp") { Self.appendDecimal(timestamp, to: &$0) }
        if let token { parameters.append(OAuthParameter(name: "oauth_token", value: token), isProtocol: true) }
        for parameter in formParameters { parameters.append(parameter, isProtocol: false) }
        let target = RequestTarget(url)
        parameters.appendQuery(target.query)
        parameters.sort()

        let baseString = Self.baseString(method: method, target: target, parameters: parameters)
        var key = keyPrefix
        PercentEncoding.encode(tokenSecret.utf8, into: &key)
        let mac = HMACSHA1.authenticationCode(key: key, message: baseString)
        parameters.insertSorted(name: "oauth_signature") { SignatureBase64.appendPercentEncoded(mac, to: &$0) }
        return parameters
    }

    /// The signature base string of RFC 5849 §3.4.1: `METHOD&encoded-base-URI&encoded-normalised-parameters`.
    /// - Parameters:
    ///   - method: The HTTP method; it is uppercased.
    ///   - url: The request URL; scheme and host are lowercased, a default port dropped, and its query parameters
    ///     (decoded as a form, `+` being a space) join `parameters`.
    ///   - parameters: The decoded `oauth_*` parameters (without `oauth_signature` or `realm`) and form-body
    ///     parameters.
    public static func signatureBaseString(method: String, url: URL, parameters: [OAuthParameter]) -> String {
        var encoded = EncodedParameters(capacity: 256, count: parameters.count + 4)
        for parameter in parameters { encoded.append(parameter, isProtocol: false) }
        let target = RequestTarget(url)
        encoded.appendQuery(target.query)
        encoded.sort()
        return String(decoding: baseString(method: method, target: target, parameters: encoded), as: UTF8.self)
    }

    /// `METHOD&encode(base URI)&encode(name=value&…)` from sorted, encoded parameters, written through a pointer
    /// into one buffer sized for the worst case.
    private static func baseString(method: String, target: RequestTarget, parameters: EncodedParameters) -> [UInt8] {
        let bound =
            method.utf8.count + 2 + target.baseURICount * 3 + parameters.bytes.count * 3 + parameters.spans.count * 6
        return [UInt8](unsafeUninitializedCapacity: bound) { output, count in
            guard let out = output.baseAddress else { return }
            var written = 0
            for byte in method.utf8 {
                out[written] = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) ? byte - 32 : byte
                written += 1
            }
            out[written] = UInt8(ascii: "&")
            written += 1
            written += target.writeEncodedBaseURI(to: out + written)
            out[written] = UInt8(ascii: "&")
            written += 1
            parameters.bytes.withUnsafeBufferPointer { bytes in
                for (index, span) in parameters.spans.enumerated() {
                    if index > 0 { written += write("%26", to: out + written) }
                    written += PercentEncoding.encode(
                        UnsafeBufferPointer(rebasing: bytes[span.start..<span.nameEnd]), to: out + written)
                    written += write("%3D", to: out + written)
                    written += PercentEncoding.encode(
                        UnsafeBufferPointer(rebasing: bytes[span.nameEnd..<span.end]), to: out + written)
                }
            }
            count = written
        }
    }

    /// Writes an ASCII literal; returns its length.
    @inline(__always)
    static func write(_ literal: StaticString, to output: UnsafeMutablePointer<UInt8>) -> Int {
        output.update(from: literal.utf8Start, count: literal.utf8CodeUnitCount)
        return literal.utf8CodeUnitCount
    }

    /// Appends the decimal digits of `value`.
    private static func appendDecimal(_ value: Int64, to output: inout [UInt8]) {
        if value < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var divisor: UInt64 = 1
        while magnitude / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            output.append(UInt8(ascii: "0") + UInt8(magnitude / divisor))
            magnitude %= divisor
            divisor /= 10
        }
    }

    /// The `HMAC-SHA1` signature of RFC 5849 §3.4.2, base64-encoded (not yet percent-encoded).
    /// - Parameters:
    ///   - baseString: The signature base string.
    ///   - consumerSecret: The consumer secret.
    ///   - tokenSecret: The token secret, or empty when the request has no token.
    public static func signature(baseString: String, consumerSecret: String, tokenSecret: String) -> String {
        var key: [UInt8] = []
        key.reserveCapacity((consumerSecret.utf8.count + tokenSecret.utf8.count) * 3 + 1)
        PercentEncoding.encode(consumerSecret.utf8, into: &key)
        key.append(UInt8(ascii: "&"))
        PercentEncoding.encode(tokenSecret.utf8, into: &key)
        let mac = HMACSHA1.authenticationCode(key: key, message: baseString.utf8)
        return Data(mac).base64EncodedString()
    }

    /// Writes `OAuth name="value", …` from already-signed parameters (names and values percent-encoded).
    package static func authorizationHeader(_ parameters: [OAuthParameter]) -> String {
        "OAuth "
            + parameters.map { PercentEncoding.encode($0.name) + "=\"" + PercentEncoding.encode($0.value) + "\"" }
            .joined(separator: ", ")
    }
}

extension OAuthSigner: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The consumer key only: the signer holds the consumer secret (encoded, as the first half of every key).
    public var description: String { "OAuthSigner(consumer: \(consumer.key))" }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// No children: `dump` and the debugger show ``description``, never the stored key bytes.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}

/// A request's parameters, each name and value percent-encoded once (RFC 5849 §3.6) into one byte buffer, with the
/// spans that delimit them: no per-parameter strings or arrays on the signing path.
struct EncodedParameters {
    /// One parameter: name in `start..<nameEnd`, value in `nameEnd..<end` of ``bytes``.
    struct Span {
        var start: Int
        var nameEnd: Int
        var end: Int
        /// An `oauth_*` parameter that goes into the `Authorization` header (not a query or form parameter).
        var isProtocol: Bool
    }

    private(set) var bytes: [UInt8] = []
    private(set) var spans: [Span] = []

    init(capacity: Int, count: Int) {
        bytes.reserveCapacity(capacity)
        spans.reserveCapacity(count)
    }

    /// Appends `parameter`, encoding its name and value.
    mutating func append(_ parameter: OAuthParameter, isProtocol: Bool) {
        let start = bytes.count
        PercentEncoding.encode(parameter.name.utf8, into: &bytes)
        let nameEnd = bytes.count
        PercentEncoding.encode(parameter.value.utf8, into: &bytes)
        spans.append(Span(start: start, nameEnd: nameEnd, end: bytes.count, isProtocol: isProtocol))
    }

    /// Appends a protocol parameter whose name needs no encoding and whose value is already encoded.
    mutating func appendEncoded(name: StaticString, value: some Sequence<UInt8>) {
        appendEncoded(name: name) { $0 += value }
    }

    /// Appends a protocol parameter whose name needs no encoding; `writeValue` appends the encoded value.
    mutating func appendEncoded(name: StaticString, writeValue: (inout [UInt8]) -> Void) {
        let start = bytes.count
        name.withUTF8Buffer { bytes += $0 }
        let nameEnd = bytes.count
        writeValue(&bytes)
        spans.append(Span(start: start, nameEnd: nameEnd, end: bytes.count, isProtocol: true))
    }

    /// Appends the parameters of a raw URL query, decoded as a form (`+` is a space) and encoded again. A query
    /// made only of unreserved characters, `&` and single `=` per piece is its own encoding and is copied as it is;
    /// anything else goes through ``FormEncoding``. A query that does not decode (bad escape, not UTF-8) is left out,
    /// as the server cannot have read it either.
    mutating func appendQuery(_ query: ArraySlice<UInt8>) {
        guard !query.isEmpty else { return }
        if Self.isPlainQuery(query) {
            for piece in query.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
                let start = bytes.count
                let equals = piece.firstIndex(of: UInt8(ascii: "=")) ?? piece.endIndex
                bytes += piece[..<equals]
                let nameEnd = bytes.count
                if equals < piece.endIndex { bytes += piece[(equals + 1)...] }
                spans.append(Span(start: start, nameEnd: nameEnd, end: bytes.count, isProtocol: false))
            }
        } else if let decoded = FormEncoding.decode(bytes: Array(query)) {
            for parameter in decoded { append(parameter, isProtocol: false) }
        }
    }

    private static func isPlainQuery(_ query: ArraySlice<UInt8>) -> Bool {
        var equalsInPiece = 0
        for byte in query {
            switch byte {
            case UInt8(ascii: "&"): equalsInPiece = 0
            case UInt8(ascii: "="):
                equalsInPiece += 1
                if equalsInPiece > 1 { return false }
            default:
                if !PercentEncoding.isUnreserved(byte) { return false }
            }
        }
        return true
    }

    /// Sorts by encoded name, then encoded value, byte by byte (RFC 5849 §3.4.1.3.2).
    mutating func sort() {
        bytes.withUnsafeBufferPointer { buffer in
            spans.sort { Self.precedes($0, $1, in: buffer) }
        }
    }

    /// Adds a protocol parameter in its sorted place; `writeValue` appends the encoded value.
    mutating func insertSorted(name: StaticString, writeValue: (inout [UInt8]) -> Void) {
        appendEncoded(name: name, writeValue: writeValue)
        let added = spans.removeLast()
        let index = bytes.withUnsafeBufferPointer { buffer in
            spans.firstIndex { Self.precedes(added, $0, in: buffer) } ?? spans.endIndex
        }
        spans.insert(added, at: index)
    }

    /// `OAuth name="value", …` from the protocol parameters, in their sorted order.
    func authorizationHeader() -> String {
        let bound = 6 + bytes.count + spans.count * 5
        return String(unsafeUninitializedCapacity: bound) { output in
            guard let out = output.baseAddress else { return 0 }
            var written = OAuthSigner.write("OAuth ", to: out)
            var first = true
            bytes.withUnsafeBufferPointer { bytes in
                guard let base = bytes.baseAddress else { return }
                for span in spans where span.isProtocol {
                    if !first { written += OAuthSigner.write(", ", to: out + written) }
                    first = false
                    (out + written).update(from: base + span.start, count: span.nameEnd - span.start)
                    written += span.nameEnd - span.start
                    written += OAuthSigner.write("=\"", to: out + written)
                    (out + written).update(from: base + span.nameEnd, count: span.end - span.nameEnd)
                    written += span.end - span.nameEnd
                    out[written] = UInt8(ascii: "\"")
                    written += 1
                }
            }
            return written
        }
    }

    private static func precedes(_ left: Span, _ right: Span, in buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        let byName = compare(buffer, left.start, left.nameEnd, right.start, right.nameEnd)
        if byName != 0 { return byName < 0 }
        return compare(buffer, left.nameEnd, left.end, right.nameEnd, right.end) < 0
    }

    /// memcmp-style comparison of two ranges of `buffer`: negative, zero or positive.
    private static func compare(
        _ buffer: UnsafeBufferPointer<UInt8>, _ leftStart: Int, _ leftEnd: Int, _ rightStart: Int, _ rightEnd: Int
    ) -> Int {
        let leftCount = leftEnd - leftStart
        let rightCount = rightEnd - rightStart
        for offset in 0..<min(leftCount, rightCount) {
            let left = buffer[leftStart + offset]
            let right = buffer[rightStart + offset]
            if left != right { return left < right ? -1 : 1 }
        }
        return leftCount - rightCount
    }
}

/// The parts of an absolute URL the base string needs (RFC 5849 §3.4.1.2): `scheme://host[:port]/path` with scheme
/// and host lowercased, user information and a default port dropped, the path kept as encoded (`/` when empty), and
/// the raw query. Parsed on UTF-8 bytes: Foundation's `URLComponents` and `Character` searches cost more than the
/// HMAC on Linux.
struct RequestTarget {
    private let text: [UInt8]
    private var scheme: Range<Int> = 0..<0
    private var host: Range<Int> = 0..<0
    private var port: Range<Int> = 0..<0
    private var path: Range<Int> = 0..<0
    private(set) var query: ArraySlice<UInt8> = []

    init(_ url: URL) {
        text = Array(url.absoluteString.utf8)
        var end = text.firstIndex(of: UInt8(ascii: "#")) ?? text.endIndex
        if let mark = text[..<end].firstIndex(of: UInt8(ascii: "?")) {
            query = text[(mark + 1)..<end]
            end = mark
        }
        guard let colon = text[..<end].firstIndex(of: UInt8(ascii: ":")),
            end >= colon + 3, text[colon + 1] == UInt8(ascii: "/"), text[colon + 2] == UInt8(ascii: "/")
        else { return }
        scheme = 0..<colon
        let authorityStart = colon + 3
        let slash = text[authorityStart..<end].firstIndex(of: UInt8(ascii: "/")) ?? end
        var authority = authorityStart..<slash
        if let at = text[authority].lastIndex(of: UInt8(ascii: "@")) { authority = (at + 1)..<slash }
        host = authority
        port = slash..<slash
        if let portColon = text[authority].lastIndex(of: UInt8(ascii: ":")),
            !text[portColon..<slash].contains(UInt8(ascii: "]"))
        {
            host = authority.lowerBound..<portColon
            port = (portColon + 1)..<slash
        }
        path = slash..<end
    }

    /// An upper bound of the base URI's length before encoding.
    var baseURICount: Int { scheme.count + host.count + port.count + path.count + 8 }

    /// Writes the percent-encoded base URI at `output` (room for `3 * baseURICount` bytes); returns its length.
    func writeEncodedBaseURI(to output: UnsafeMutablePointer<UInt8>) -> Int {
        // Not an absolute `scheme://` URL: no base URI (as the parser found none).
        guard !scheme.isEmpty else { return 0 }
        return text.withUnsafeBufferPointer { text in
            var written = 0
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: scheme.count) { lowered in
                for (offset, byte) in text[scheme].enumerated() { lowered[offset] = Self.lowercased(byte) }
                written += PercentEncoding.encode(UnsafeBufferPointer(lowered), to: output + written)
            }
            written += OAuthSigner.write("%3A%2F%2F", to: output + written)
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(host.count, 1)) { lowered in
                for (offset, byte) in text[host].enumerated() { lowered[offset] = Self.lowercased(byte) }
                written += PercentEncoding.encode(
                    UnsafeBufferPointer(rebasing: lowered[0..<host.count]), to: output + written)
            }
            let portText = text[port]
            let schemeIsHTTP = text[scheme].lazy.map(Self.lowercased).elementsEqual("http".utf8)
            let schemeIsHTTPS = text[scheme].lazy.map(Self.lowercased).elementsEqual("https".utf8)
            let isDefaultPort =
                (schemeIsHTTP && portText.elementsEqual("80".utf8))
                || (schemeIsHTTPS && portText.elementsEqual("443".utf8))
            if !portText.isEmpty && !isDefaultPort {
                written += OAuthSigner.write("%3A", to: output + written)
                written += PercentEncoding.encode(UnsafeBufferPointer(rebasing: portText), to: output + written)
            }
            if path.isEmpty {
                written += OAuthSigner.write("%2F", to: output + written)
            } else {
                written += PercentEncoding.encode(UnsafeBufferPointer(rebasing: text[path]), to: output + written)
            }
            return written
        }
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }
}

/// Base64 (RFC 4648, with padding) of a MAC, percent-encoded as it goes (`+` `/` `=` are reserved), straight into
/// the request's buffer.
enum SignatureBase64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func appendPercentEncoded(_ bytes: [UInt8], to output: inout [UInt8]) {
        var index = 0
        while index < bytes.count {
            let count = min(3, bytes.count - index)
            let b0 = UInt32(bytes[index])
            let b1 = count > 1 ? UInt32(bytes[index + 1]) : 0
            let b2 = count > 2 ? UInt32(bytes[index + 2]) : 0
            let group = b0 << 16 | b1 << 8 | b2
            append(alphabet[Int(group >> 18 & 63)], to: &output)
            append(alphabet[Int(group >> 12 & 63)], to: &output)
            if count > 1 { append(alphabet[Int(group >> 6 & 63)], to: &output) } else { output += "%3D".utf8 }
            if count > 2 { append(alphabet[Int(group & 63)], to: &output) } else { output += "%3D".utf8 }
            index += 3
        }
    }

    private static func append(_ digit: UInt8, to output: inout [UInt8]) {
        switch digit {
        case UInt8(ascii: "+"): output += "%2B".utf8
        case UInt8(ascii: "/"): output += "%2F".utf8
        default: output.append(digit)
        }
    }
}

/// Secure random bytes drawn from OpenSSL 4 KiB at a time for nonces: `RAND_bytes` takes locks on every call in
/// OpenSSL 3, which cost more than the rest of a signature. Nonces need to be unpredictable and unique, not secret
/// beyond the request, so holding a little random pool in memory is fine.
final class NoncePool: Sendable {
    static let shared = NoncePool()
    private let state = Mutex<(bytes: [UInt8], next: Int)>(([], 0))
    private static let hex = Array("0123456789abcdef".utf8)

    /// Appends 32 lowercase hex digits from 16 fresh random bytes.
    func appendNonce(to output: inout [UInt8]) {
        state.withLock { state in
            if state.next + 16 > state.bytes.count {
                state.bytes = SecureRandom.bytes(count: 4096)
                state.next = 0
            }
            for byte in state.bytes[state.next..<(state.next + 16)] {
                output.append(Self.hex[Int(byte >> 4)])
                output.append(Self.hex[Int(byte & 0x0F)])
            }
            state.next += 16
        }
    }
}
