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
    private let nonceSource: @Sendable () -> String
    private let timestampSource: @Sendable () -> Int64
    /// The parameters every request carries, encoded once: consumer key, signature method and version.
    private let fixedParameters: [EncodedParameter]
    /// `encode(consumer secret) &`, the first half of every signing key.
    private let keyPrefix: [UInt8]

    /// Makes a signer for `consumer`.
    /// - Parameters:
    ///   - consumer: The app's consumer key and secret.
    ///   - includesVersion: Send `oauth_version="1.0"` (default true).
    ///   - nonce: Returns a fresh `oauth_nonce` per request (default: ``randomNonce()``).
    ///   - timestamp: Returns `oauth_timestamp` in Unix seconds (default: ``currentTimestamp()``).
    public init(
        consumer: ConsumerCredentials,
        includesVersion: Bool = true,
        nonce: @escaping @Sendable () -> String = OAuthSigner.randomNonce,
        timestamp: @escaping @Sendable () -> Int64 = OAuthSigner.currentTimestamp
    ) {
        self.consumer = consumer
        self.includesVersion = includesVersion
        self.nonceSource = nonce
        self.timestampSource = timestamp
        var fixed = [
            EncodedParameter(OAuthParameter(name: "oauth_consumer_key", value: consumer.key)),
            EncodedParameter(OAuthParameter(name: "oauth_signature_method", value: "HMAC-SHA1")),
        ]
        if includesVersion { fixed.append(EncodedParameter(OAuthParameter(name: "oauth_version", value: "1.0"))) }
        self.fixedParameters = fixed
        var prefix: [UInt8] = []
        PercentEncoding.encode(consumer.secret.utf8, into: &prefix)
        prefix.append(UInt8(ascii: "&"))
        self.keyPrefix = prefix
    }

    /// A nonce of 32 lowercase hex digits (128 bits from the secure random generator).
    @Sendable public static func randomNonce() -> String {
        NoncePool.shared.nonce()
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
        let signed = signedEncodedParameters(
            method: method, url: url, formParameters: formParameters, token: token, tokenSecret: tokenSecret,
            protocolParameters: protocolParameters)
        return Self.authorizationHeader(encoded: signed)
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
        signedEncodedParameters(
            method: method, url: url, formParameters: formParameters, token: token, tokenSecret: tokenSecret,
            protocolParameters: protocolParameters
        ).map(\.parameter)
    }

    /// The signed `oauth_*` parameters, each percent-encoded once, sorted: the one path both public calls share.
    private func signedEncodedParameters(
        method: String, url: URL, formParameters: [OAuthParameter], token: String?, tokenSecret: String,
        protocolParameters: [OAuthParameter]
    ) -> [EncodedParameter] {
        var oauth = fixedParameters
        oauth.reserveCapacity(fixedParameters.count + protocolParameters.count + 4)
        for parameter in protocolParameters { oauth.append(EncodedParameter(parameter)) }
        oauth.append(EncodedParameter(OAuthParameter(name: "oauth_nonce", value: nonceSource())))
        oauth.append(EncodedParameter(OAuthParameter(name: "oauth_timestamp", value: String(timestampSource()))))
        if let token { oauth.append(EncodedParameter(OAuthParameter(name: "oauth_token", value: token))) }
        var forBaseString = oauth
        for parameter in formParameters { forBaseString.append(EncodedParameter(parameter)) }
        let baseString = Self.signatureBaseStringBytes(method: method, url: url, encoded: forBaseString)
        var key = keyPrefix
        PercentEncoding.encode(tokenSecret.utf8, into: &key)
        let mac = HMACSHA1.authenticationCode(key: key, message: baseString)
        oauth.append(EncodedParameter(OAuthParameter(name: "oauth_signature", value: Data(mac).base64EncodedString())))
        oauth.sort(by: EncodedParameter.precedes)
        return oauth
    }

    /// The signature base string of RFC 5849 §3.4.1: `METHOD&encoded-base-URI&encoded-normalised-parameters`.
    /// - Parameters:
    ///   - method: The HTTP method; it is uppercased.
    ///   - url: The request URL; scheme and host are lowercased, a default port dropped, and its query parameters
    ///     (decoded as a form, `+` being a space) join `parameters`.
    ///   - parameters: The decoded `oauth_*` parameters (without `oauth_signature` or `realm`) and form-body
    ///     parameters.
    public static func signatureBaseString(method: String, url: URL, parameters: [OAuthParameter]) -> String {
        String(
            decoding: signatureBaseStringBytes(method: method, url: url, encoded: parameters.map(EncodedParameter.init)),
            as: UTF8.self)
    }

    /// The base string as UTF-8 bytes, built in one buffer (Foundation's `URLComponents` is not used: it costs more
    /// than the HMAC on Linux).
    static func signatureBaseStringBytes(method: String, url: URL, encoded: [EncodedParameter]) -> [UInt8] {
        let parsed = BaseStringURL(url.absoluteString)
        var all = encoded
        if let query = parsed.query, let decoded = FormEncoding.decode(bytes: query) {
            all += decoded.map(EncodedParameter.init)
        }
        all.sort(by: EncodedParameter.precedes)
        var normalised: [UInt8] = []
        normalised.reserveCapacity(all.reduce(0) { $0 + $1.name.count + $1.value.count + 2 })
        for (index, parameter) in all.enumerated() {
            if index > 0 { normalised.append(UInt8(ascii: "&")) }
            normalised += parameter.name
            normalised.append(UInt8(ascii: "="))
            normalised += parameter.value
        }
        var output: [UInt8] = []
        output.reserveCapacity(method.utf8.count + parsed.baseURI.count * 3 + normalised.count * 3 + 2)
        for byte in method.utf8 {
            output.append((UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) ? byte - 32 : byte)
        }
        output.append(UInt8(ascii: "&"))
        PercentEncoding.encode(parsed.baseURI, into: &output)
        output.append(UInt8(ascii: "&"))
        PercentEncoding.encode(normalised, into: &output)
        return output
    }

    /// The `HMAC-SHA1` signature of RFC 5849 §3.4.2, base64-encoded (not yet percent-encoded).
    /// - Parameters:
    ///   - baseString: The signature base string.
    ///   - consumerSecret: The consumer secret.
    ///   - tokenSecret: The token secret, or empty when the request has no token.
    public static func signature(baseString: String, consumerSecret: String, tokenSecret: String) -> String {
        signature(baseStringBytes: Array(baseString.utf8), consumerSecret: consumerSecret, tokenSecret: tokenSecret)
    }

    static func signature(baseStringBytes: [UInt8], consumerSecret: String, tokenSecret: String) -> String {
        var key: [UInt8] = []
        key.reserveCapacity((consumerSecret.utf8.count + tokenSecret.utf8.count) * 3 + 1)
        PercentEncoding.encode(consumerSecret.utf8, into: &key)
        key.append(UInt8(ascii: "&"))
        PercentEncoding.encode(tokenSecret.utf8, into: &key)
        let mac = HMACSHA1.authenticationCode(key: key, message: baseStringBytes)
        return Data(mac).base64EncodedString()
    }

    /// Writes `OAuth name="value", …` from parameters already encoded.
    static func authorizationHeader(encoded parameters: [EncodedParameter]) -> String {
        var output = Array("OAuth ".utf8)
        output.reserveCapacity(parameters.reduce(8) { $0 + $1.name.count + $1.value.count + 5 })
        for (index, parameter) in parameters.enumerated() {
            if index > 0 { output += [UInt8(ascii: ","), UInt8(ascii: " ")] }
            output += parameter.name
            output += [UInt8(ascii: "="), UInt8(ascii: "\"")]
            output += parameter.value
            output.append(UInt8(ascii: "\""))
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Writes `OAuth name="value", …` from already-signed parameters (names and values percent-encoded).
    package static func authorizationHeader(_ parameters: [OAuthParameter]) -> String {
        "OAuth "
            + parameters.map { PercentEncoding.encode($0.name) + "=\"" + PercentEncoding.encode($0.value) + "\"" }
            .joined(separator: ", ")
    }

    /// Sorts by encoded name, then encoded value, byte by byte (RFC 5849 §3.4.1.3.2).
    package static func sorted(_ parameters: [OAuthParameter]) -> [OAuthParameter] {
        parameters
            .map { (name: PercentEncoding.encode($0.name), value: PercentEncoding.encode($0.value), parameter: $0) }
            .sorted { left, right in
                if left.name != right.name {
                    return left.name.utf8.lexicographicallyPrecedes(right.name.utf8)
                }
                return left.value.utf8.lexicographicallyPrecedes(right.value.utf8)
            }
            .map(\.parameter)
    }
}

/// A parameter with its name and value percent-encoded once (RFC 5849 §3.6).
struct EncodedParameter {
    let parameter: OAuthParameter
    let name: [UInt8]
    let value: [UInt8]

    init(_ parameter: OAuthParameter) {
        self.parameter = parameter
        var name: [UInt8] = []
        PercentEncoding.encode(parameter.name.utf8, into: &name)
        var value: [UInt8] = []
        PercentEncoding.encode(parameter.value.utf8, into: &value)
        self.name = name
        self.value = value
    }

    /// By encoded name, then encoded value, byte by byte (RFC 5849 §3.4.1.3.2).
    static func precedes(_ left: EncodedParameter, _ right: EncodedParameter) -> Bool {
        if left.name != right.name { return left.name.lexicographicallyPrecedes(right.name) }
        return left.value.lexicographicallyPrecedes(right.value)
    }
}

/// The parts of an absolute URL the base string needs (RFC 5849 §3.4.1.2): `scheme://host[:port]/path` with scheme
/// and host lowercased, user information and a default port dropped, the path kept as encoded (`/` when empty), and
/// the raw query.
struct BaseStringURL {
    var baseURI: [UInt8] = []
    var query: [UInt8]?

    /// Parses on UTF-8 bytes: `Character`-based searches segment graphemes and cost more than the HMAC.
    init(_ text: String) {
        var bytes = Array(text.utf8)
        if let hash = bytes.firstIndex(of: UInt8(ascii: "#")) { bytes.removeSubrange(hash...) }
        if let mark = bytes.firstIndex(of: UInt8(ascii: "?")) {
            query = Array(bytes[(mark + 1)...])
            bytes.removeSubrange(mark...)
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")),
            bytes.count >= colon + 3, bytes[colon + 1] == UInt8(ascii: "/"), bytes[colon + 2] == UInt8(ascii: "/")
        else { return }
        let scheme = bytes[..<colon].map(Self.lowercased)
        let authorityStart = colon + 3
        let slash = bytes[authorityStart...].firstIndex(of: UInt8(ascii: "/")) ?? bytes.endIndex
        var authority = bytes[authorityStart..<slash]
        if let at = authority.lastIndex(of: UInt8(ascii: "@")) { authority = authority[(at + 1)...] }
        var host = authority
        var port = authority[authority.endIndex...]
        if let portColon = authority.lastIndex(of: UInt8(ascii: ":")),
            !authority[portColon...].contains(UInt8(ascii: "]"))
        {
            host = authority[..<portColon]
            port = authority[(portColon + 1)...]
        }
        let isDefaultPort =
            (scheme.elementsEqual("http".utf8) && port.elementsEqual("80".utf8))
            || (scheme.elementsEqual("https".utf8) && port.elementsEqual("443".utf8))
        var uri = scheme
        uri += [UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: "/")]
        uri += host.map(Self.lowercased)
        if !port.isEmpty && !isDefaultPort {
            uri.append(UInt8(ascii: ":"))
            uri += port
        }
        if slash == bytes.endIndex {
            uri.append(UInt8(ascii: "/"))
        } else {
            uri += bytes[slash...]
        }
        baseURI = uri
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }
}

/// Secure random bytes drawn from OpenSSL 4 KiB at a time for nonces: `RAND_bytes` takes locks on every call in
/// OpenSSL 3, which cost more than the rest of a signature. Nonces need to be unpredictable and unique, not secret
/// beyond the request, so holding a little random pool in memory is fine.
final class NoncePool: Sendable {
    static let shared = NoncePool()
    private let state = Mutex<(bytes: [UInt8], next: Int)>(([], 0))
    private static let hex = Array("0123456789abcdef".utf8)

    /// 32 lowercase hex digits from 16 fresh random bytes.
    func nonce() -> String {
        let random: [UInt8] = state.withLock { state in
            if state.next + 16 > state.bytes.count {
                state.bytes = SecureRandom.bytes(count: 4096)
                state.next = 0
            }
            defer { state.next += 16 }
            return Array(state.bytes[state.next..<(state.next + 16)])
        }
        var digits: [UInt8] = []
        digits.reserveCapacity(32)
        for byte in random {
            digits.append(Self.hex[Int(byte >> 4)])
            digits.append(Self.hex[Int(byte & 0x0F)])
        }
        return String(decoding: digits, as: UTF8.self)
    }
}
