import Foundation
import Testing
import TwitterOAuth

struct OAuthSignerTests {
    // RFC 5849 §3.4.1.1 (https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.1): the request
    //   POST /request?b5=%3D%253D&a3=a&c%40=&a2=r%20b  Host: example.com, body "c2&a3=2+q"
    // and the signature base string the RFC gives for it.
    static let rfcSection341BaseString =
        "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26"
        + "c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26"
        + "oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"

    // Twitter's "Creating a signature" (developer.twitter.com, docs/authentication/oauth-1-0a/creating-a-signature).
    static let twitterConsumer = ConsumerCredentials(
        key: "xvz1evFS4wEEPTGEFPHBog",
        secret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw"
    )
    static let twitterToken = "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"
    static let twitterTokenSecret = "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"
    static let twitterStatus = OAuthParameter(
        name: "status",
        value: "Hello Ladies + Gentlemen, a signed OAuth request!"
    )
    static let twitterBaseString =
        "POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26"
        + "oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26"
        + "oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26"
        + "oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26"
        + "status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521"

    static func twitterSigner() -> OAuthSigner {
        OAuthSigner(
            consumer: twitterConsumer,
            nonce: { "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg" },
            timestamp: { 1_318_622_958 }
        )
    }

    static func signature(in header: String) throws -> String {
        let parameters = try #require(OAuthAuthorizationHeader.parse(header))
        return try #require(parameters.first(named: "oauth_signature"))
    }

    @Test func reproducesTheBaseStringOfRFC5849Section341() throws {
        // Given
        let url = try #require(URL(string: "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b"))
        let body = try #require(FormEncoding.decode("c2&a3=2+q"))
        let oauth = [
            OAuthParameter(name: "oauth_consumer_key", value: "9djdj82h48djs9d2"),
            OAuthParameter(name: "oauth_token", value: "kkk9d7dh3k39sjv7"),
            OAuthParameter(name: "oauth_signature_method", value: "HMAC-SHA1"),
            OAuthParameter(name: "oauth_timestamp", value: "137131201"),
            OAuthParameter(name: "oauth_nonce", value: "7d8f3e4a"),
        ]
        // When
        let baseString = OAuthSigner.signatureBaseString(method: "post", url: url, parameters: oauth + body)
        // Then
        #expect(baseString == Self.rfcSection341BaseString)
    }

    @Test func signsTheRFC5849Section341BaseString() {
        let signature = OAuthSigner.signature(
            baseString: Self.rfcSection341BaseString,
            consumerSecret: "j49sk3j29djd",
            tokenSecret: "dh893hdasih9"
        )
        #expect(signature == "r6/TJjbCOr97/+UU0NsvSne7s5g=")
    }

    @Test func signerReproducesTheRFC5849Section341Request() throws {
        // Given
        let signer = OAuthSigner(
            consumer: ConsumerCredentials(key: "9djdj82h48djs9d2", secret: "j49sk3j29djd"),
            includesVersion: false,
            nonce: { "7d8f3e4a" },
            timestamp: { 137_131_201 }
        )
        let url = try #require(URL(string: "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b"))
        // When
        let header = signer.authorizationHeader(
            method: "POST",
            url: url,
            formParameters: try #require(FormEncoding.decode("c2&a3=2+q")),
            token: "kkk9d7dh3k39sjv7",
            tokenSecret: "dh893hdasih9"
        )
        // Then
        #expect(header.contains("oauth_signature=\"r6%2FTJjbCOr97%2F%2BUU0NsvSne7s5g%3D\""))
        #expect(try Self.signature(in: header) == "r6/TJjbCOr97/+UU0NsvSne7s5g=")
    }

    // RFC 5849 §1.2 (https://www.rfc-editor.org/rfc/rfc5849#section-1.2): the photo request of the example.
    @Test func reproducesTheRFC5849Section12Example() throws {
        // Given
        let signer = OAuthSigner(
            consumer: ConsumerCredentials(key: "dpf43f3p2l4k3l03", secret: "kd94hf93k423kf44"),
            includesVersion: false,
            nonce: { "chapoH" },
            timestamp: { 137_131_202 }
        )
        let url = try #require(URL(string: "http://photos.example.net/photos?file=vacation.jpg&size=original"))
        // When
        let header = signer.authorizationHeader(
            method: "GET",
            url: url,
            token: "nnch734d00sl2jdk",
            tokenSecret: "pfkkdhi9sl3r4s00"
        )
        // Then
        #expect(try Self.signature(in: header) == "MdpQcU8iPSUjWoN/UDMsK2sui9I=")
    }

    @Test func reproducesTwittersBaseString() throws {
        let url = try #require(URL(string: "https://api.twitter.com/1.1/statuses/update.json?include_entities=true"))
        let oauth = [
            OAuthParameter(name: "oauth_consumer_key", value: "xvz1evFS4wEEPTGEFPHBog"),
            OAuthParameter(name: "oauth_nonce", value: "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
            OAuthParameter(name: "oauth_signature_method", value: "HMAC-SHA1"),
            OAuthParameter(name: "oauth_timestamp", value: "1318622958"),
            OAuthParameter(name: "oauth_token", value: Self.twitterToken),
            OAuthParameter(name: "oauth_version", value: "1.0"),
        ]
        let baseString = OAuthSigner.signatureBaseString(
            method: "POST",
            url: url,
            parameters: oauth + [Self.twitterStatus]
        )
        #expect(baseString == Self.twitterBaseString)
    }

    @Test(arguments: [
        ("https://api.twitter.com/1.1/statuses/update.json?include_entities=true", "hCtSmYh+iHYCEqBWrE7C7hYmtUk="),
        ("https://api.x.com/1.1/statuses/update.json?include_entities=true", "Ls93hJiZbQ3akF3HF3x1Bz8/zU4="),
    ])
    func reproducesTwittersCreatingASignatureExample(url: String, expected: String) throws {
        // Given
        let requestURL = try #require(URL(string: url))
        // When
        let header = Self.twitterSigner().authorizationHeader(
            method: "POST",
            url: requestURL,
            formParameters: [Self.twitterStatus],
            token: Self.twitterToken,
            tokenSecret: Self.twitterTokenSecret
        )
        // Then
        #expect(try Self.signature(in: header) == expected)
    }

    @Test func writesTheHeaderWithSortedQuotedEncodedParameters() throws {
        let url = try #require(URL(string: "https://api.twitter.com/1.1/statuses/update.json?include_entities=true"))
        let header = Self.twitterSigner().authorizationHeader(
            method: "POST",
            url: url,
            formParameters: [Self.twitterStatus],
            token: Self.twitterToken,
            tokenSecret: Self.twitterTokenSecret
        )
        #expect(
            header
                == "OAuth oauth_consumer_key=\"xvz1evFS4wEEPTGEFPHBog\", "
                + "oauth_nonce=\"kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg\", "
                + "oauth_signature=\"hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D\", oauth_signature_method=\"HMAC-SHA1\", "
                + "oauth_timestamp=\"1318622958\", "
                + "oauth_token=\"370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb\", oauth_version=\"1.0\""
        )
    }

    @Test func aFlippedBitInTheTokenSecretChangesTheSignature() {
        // Given: the last character of the token secret changed (E → D, one bit)
        let good = OAuthSigner.signature(
            baseString: Self.twitterBaseString,
            consumerSecret: Self.twitterConsumer.secret,
            tokenSecret: Self.twitterTokenSecret
        )
        let flipped = OAuthSigner.signature(
            baseString: Self.twitterBaseString,
            consumerSecret: Self.twitterConsumer.secret,
            tokenSecret: String(Self.twitterTokenSecret.dropLast()) + "D"
        )
        // Then
        #expect(good == "hCtSmYh+iHYCEqBWrE7C7hYmtUk=")
        #expect(flipped != good)
    }

    @Test func sortsDuplicateNamesByValueAndKeepsEmptyValues() throws {
        let url = try #require(URL(string: "https://example.com/path?b=2&a=z&a=Z&a=&c"))
        let baseString = OAuthSigner.signatureBaseString(method: "GET", url: url, parameters: [])
        #expect(baseString == "GET&https%3A%2F%2Fexample.com%2Fpath&a%3D%26a%3DZ%26a%3Dz%26b%3D2%26c%3D")
    }

    @Test func encodesNonASCIIParametersAsUTF8() throws {
        let url = try #require(URL(string: "https://example.com/"))
        let baseString = OAuthSigner.signatureBaseString(
            method: "POST",
            url: url,
            parameters: [OAuthParameter(name: "név", value: "Zoë Ångström 山田")]
        )
        #expect(
            baseString == "POST&https%3A%2F%2Fexample.com%2F&n%25C3%25A9v%3DZo%25C3%25AB%2520%25C3%2585ngstr%25C3%25B6m"
                + "%2520%25E5%25B1%25B1%25E7%2594%25B0"
        )
    }

    @Test(arguments: [
        ("HTTP://EXAMPLE.COM:80/r?x=1", "http%3A%2F%2Fexample.com%2Fr"),
        ("https://Example.com:443/r", "https%3A%2F%2Fexample.com%2Fr"),
        ("https://example.com:8443/r", "https%3A%2F%2Fexample.com%3A8443%2Fr"),
        ("http://127.0.0.1:8080/oauth/request_token", "http%3A%2F%2F127.0.0.1%3A8080%2Foauth%2Frequest_token"),
        ("http://example.com", "http%3A%2F%2Fexample.com%2F"),
    ])
    func normalisesTheBaseStringURI(url: String, expected: String) throws {
        let baseString = OAuthSigner.signatureBaseString(
            method: "GET",
            url: try #require(URL(string: url)),
            parameters: []
        )
        #expect(baseString.split(separator: "&")[1] == expected[...])
    }

    @Test func randomNoncesAreHexAndDistinct() {
        let first = OAuthSigner.randomNonce()
        let second = OAuthSigner.randomNonce()
        #expect(first.count == 32)
        #expect(first.allSatisfy { $0.isHexDigit })
        #expect(first != second)
    }

    @Test func headerParsesBackIntoTheSignedParameters() throws {
        // Given
        let signer = OAuthSigner(
            consumer: ConsumerCredentials(key: "key", secret: "secret"),
            nonce: { "n" },
            timestamp: { 1 }
        )
        let url = try #require(URL(string: "https://api.x.com/oauth/request_token"))
        let callback = OAuthParameter(name: "oauth_callback", value: "http://127.0.0.1:9/cb?x=1&y=Zoë")
        // When
        let signed = signer.signedProtocolParameters(method: "POST", url: url, protocolParameters: [callback])
        let parsed = OAuthAuthorizationHeader.parse(OAuthSigner.authorizationHeader(signed))
        // Then
        #expect(parsed == signed)
        #expect(parsed?.first(named: "oauth_callback") == callback.value)
    }

    /// Signatures another library computed (oauthlib 4.0.1, `oauth1.Client(...).sign(...)`, HMAC-SHA1, pasted here as
    /// fixed strings): a host and scheme in mixed case, a non-default port kept and a default one dropped, a path in
    /// mixed case kept as it is, and a form body.
    @Test(arguments: [
        (
            "GET", "https://API.X.com:8443/1.1/Account/Verify_Credentials.json?include_email=true&skip_status=true",
            [OAuthParameter](), "GU0j7eab8tLGNW7+GQv+JIRaiys="
        ),
        (
            "POST", "http://Example.COM:80/Mixed/Path?x=1",
            [OAuthParameter(name: "status", value: "Hello Ladies + Gentlemen")], "6IcTXAlzThYHuM7rM5wLzIUJ95A="
        ),
    ])
    func matchesOauthlib(method: String, url: String, form: [OAuthParameter], expected: String) throws {
        let signer = OAuthSigner(
            consumer: ConsumerCredentials(key: "consumer-key", secret: "consumer secret"), nonce: { "abc123" },
            timestamp: { 1_700_000_000 })
        let signed = signer.signedProtocolParameters(
            method: method, url: try #require(URL(string: url)), formParameters: form, token: "token-123",
            tokenSecret: "token/secret")
        #expect(signed.first(named: "oauth_signature") == expected)
    }

    /// The base string built the plain way, with Strings and `FormEncoding`, as a second implementation to
    /// check the signer's single-buffer path against.
    static func referenceBaseString(method: String, url: String, parameters: [OAuthParameter]) -> String {
        var all = parameters
        var withoutFragment = url.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
        if let mark = withoutFragment.firstIndex(of: "?") {
            all += FormEncoding.decode(withoutFragment[withoutFragment.index(after: mark)...]) ?? []
            withoutFragment = withoutFragment[..<mark]
        }
        let pairs = all.map { (PercentEncoding.encode($0.name), PercentEncoding.encode($0.value)) }.sorted {
            $0.0 != $1.0
                ? Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8))
                : Array($0.1.utf8).lexicographicallyPrecedes(Array($1.1.utf8))
        }
        let normalised = pairs.map { $0.0 + "=" + $0.1 }.joined(separator: "&")
        // RFC 5849 §3.4.1.2: scheme and host in lower case, the default port dropped, the path exactly as given.
        let schemeEnd = withoutFragment.range(of: "://")!
        let scheme = withoutFragment[..<schemeEnd.lowerBound].lowercased()
        let rest = withoutFragment[schemeEnd.upperBound...]
        let pathStart = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = rest[..<pathStart].lowercased()
        if (scheme == "http" && authority.hasSuffix(":80")) || (scheme == "https" && authority.hasSuffix(":443")) {
            authority = String(authority[..<authority.lastIndex(of: ":")!])
        }
        let path = rest[pathStart...].isEmpty ? "/" : String(rest[pathStart...])
        let baseURL = scheme + "://" + authority + path
        return method.uppercased() + "&" + PercentEncoding.encode(baseURL) + "&" + PercentEncoding.encode(normalised)
    }

    @Test(arguments: [
        ("GET", "https://api.x.com/1.1/account/verify_credentials.json?include_email=true&skip_status=true"),
        ("POST", "https://api.x.com/1.1/statuses/update.json?include_entities=true&a=b=c&&flag&sp=a+b%20c%2B"),
        ("GET", "https://api.x.com/search?q=Zo%C3%AB+%E5%B1%B1%E7%94%B0&q=%21&q=~&x=%3D%26#frag"),
        ("post", "https://api.x.com/path/with%20space/?z=&y=1&y=01&Y=2"),
        ("GET", "https://api.x.com/bad?x=%ZZ&y=1"),
        ("GET", "HTTPS://API.X.com:8443/1.1/Account/Verify_Credentials.JSON?A=b"),
        ("POST", "http://Example.COM:80/Mixed/Case?x=1"),
        ("POST", "https://Example.COM:443"),
    ])
    func signsLikeAPlainStringImplementation(method: String, url: String) throws {
        // Given: a token, a callback with reserved characters, form parameters that collide with query names
        let nonce = "n0nce~with-_.chars"
        let signer = OAuthSigner(
            consumer: ConsumerCredentials(key: "key+/=", secret: "sec ret&"), nonce: { nonce }, timestamp: { 42 })
        let callback = OAuthParameter(name: "oauth_callback", value: "http://127.0.0.1:9/cb?x=1&y=Zoë")
        let form = [OAuthParameter(name: "y", value: "form value ☃"), OAuthParameter(name: "a", value: "")]
        // When
        let signed = signer.signedProtocolParameters(
            method: method, url: try #require(URL(string: url)), formParameters: form, token: "tok/en",
            tokenSecret: "token secret%", protocolParameters: [callback])
        let header = signer.authorizationHeader(
            method: method, url: try #require(URL(string: url)), formParameters: form, token: "tok/en",
            tokenSecret: "token secret%", protocolParameters: [callback])
        // Then: the reference base string, signed with the reference key, gives the same signature
        let unsigned = signed.filter { $0.name != "oauth_signature" }
        #expect(unsigned.map(\.name) == unsigned.map(\.name).sorted())
        // (Foundation may rewrite a malformed escape such as `%ZZ` to `%25ZZ`: the signer signs the URL it is given.)
        let reference = Self.referenceBaseString(
            method: method, url: try #require(URL(string: url)).absoluteString, parameters: unsigned + form)
        let expected = OAuthSigner.signature(
            baseString: reference, consumerSecret: "sec ret&", tokenSecret: "token secret%")
        #expect(signed.first(named: "oauth_signature") == expected)
        #expect(OAuthAuthorizationHeader.parse(header) == signed)
        let baseString = OAuthSigner.signatureBaseString(
            method: method, url: try #require(URL(string: url)), parameters: unsigned + form)
        #expect(baseString == reference)
    }

    @Test(arguments: ["Basic abc", "OAuth", "OAuth a", "OAuth a=b", "OAuth a=\"%G\"", "Bearer x=\"y\""])
    func refusesHeadersThatAreNotOAuth(header: String) {
        #expect(OAuthAuthorizationHeader.parse(header) == nil)
    }
}
