internal import AccountCrypto
public import Foundation

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
    }

    /// A nonce of 32 lowercase hex digits (128 bits from the secure random generator).
    @Sendable public static func randomNonce() -> String {
        let hex = Array("0123456789abcdef".utf8)
        var digits: [UInt8] = []
        digits.reserveCapacity(32)
        for byte in SecureRandom.bytes(count: 16) {
            digits.append(hex[Int(byte >> 4)])
            digits.append(hex[Int(byte & 0x0F)])
        }
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
        let parameters = signedProtocolParameters(
            method: method,
            url: url,
            formParameters: formParameters,
            token: token,
            tokenSecret: tokenSecret,
            protocolParameters: protocolParameters
        )
        return Self.authorizationHeader(parameters)
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
        var oauth = protocolParameters
        oauth.append(OAuthParameter(name: "oauth_consumer_key", value: consumer.key))
        oauth.append(OAuthParameter(name: "oauth_nonce", value: nonceSource()))
        oauth.append(OAuthParameter(name: "oauth_signature_method", value: "HMAC-SHA1"))
        oauth.append(OAuthParameter(name: "oauth_timestamp", value: String(timestampSource())))
        if let token {
            oauth.append(OAuthParameter(name: "oauth_token", value: token))
        }
        if includesVersion {
            oauth.append(OAuthParameter(name: "oauth_version", value: "1.0"))
        }
        let baseString = Self.signatureBaseString(method: method, url: url, parameters: oauth + formParameters)
        let signature = Self.signature(
            baseString: baseString,
            consumerSecret: consumer.secret,
            tokenSecret: tokenSecret
        )
        oauth.append(OAuthParameter(name: "oauth_signature", value: signature))
        return Self.sorted(oauth)
    }

    /// The signature base string of RFC 5849 §3.4.1: `METHOD&encoded-base-URI&encoded-normalised-parameters`.
    /// - Parameters:
    ///   - method: The HTTP method; it is uppercased.
    ///   - url: The request URL; scheme and host are lowercased, a default port dropped, and its query parameters
    ///     (decoded as a form, `+` being a space) join `parameters`.
    ///   - parameters: The decoded `oauth_*` parameters (without `oauth_signature` or `realm`) and form-body
    ///     parameters.
    public static func signatureBaseString(method: String, url: URL, parameters: [OAuthParameter]) -> String {
        let components = URLComponents(url: url, resolvingAgainstBaseURL: true)
        let query = components?.percentEncodedQuery.flatMap { FormEncoding.decode($0) } ?? []
        let normalised = sorted(query + parameters)
            .map { PercentEncoding.encode($0.name) + "=" + PercentEncoding.encode($0.value) }
            .joined(separator: "&")
        return method.uppercased() + "&" + PercentEncoding.encode(baseStringURI(components))
            + "&" + PercentEncoding.encode(normalised)
    }

    /// The `HMAC-SHA1` signature of RFC 5849 §3.4.2, base64-encoded (not yet percent-encoded).
    /// - Parameters:
    ///   - baseString: The signature base string.
    ///   - consumerSecret: The consumer secret.
    ///   - tokenSecret: The token secret, or empty when the request has no token.
    public static func signature(baseString: String, consumerSecret: String, tokenSecret: String) -> String {
        let key = PercentEncoding.encode(consumerSecret) + "&" + PercentEncoding.encode(tokenSecret)
        let mac = HMACSHA1.authenticationCode(key: Array(key.utf8), message: Array(baseString.utf8))
        return Data(mac).base64EncodedString()
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

    /// `scheme://host[:port]/path`, lowercased scheme and host, default port dropped (RFC 5849 §3.4.1.2).
    private static func baseStringURI(_ components: URLComponents?) -> String {
        guard let components else { return "" }
        let scheme = (components.scheme ?? "").lowercased()
        let host = (components.percentEncodedHost ?? "").lowercased()
        var authority = host
        if let port = components.port, !(scheme == "http" && port == 80), !(scheme == "https" && port == 443) {
            authority += ":\(port)"
        }
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        return scheme + "://" + authority + path
    }
}
