import CBaselines
import Foundation
import TwitterOAuth

/// Signing Twitter requests with `OAuthSigner` (fresh nonce from the secure random generator and the current time,
/// as in production) against one-shot HMAC() over the same base string (the limit), and oauthlib signing the same
/// two requests with a new Client each time (the peer, `../shared/peers/oauth_sign_bench.py`).
struct SignBenchmark {
    static let consumer = ConsumerCredentials(
        key: "xvz1evFS4wEEPTGEFPHBog", secret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw")
    static let token = "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"
    static let tokenSecret = "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"
    static let callback = "https://accounts.example.org/accounts/twitter/login/callback/"
    static let requestTokenURL = URL(string: "https://api.twitter.com/oauth/request_token")!
    static let verifyURL = URL(
        string: "https://api.twitter.com/1.1/account/verify_credentials.json?include_email=true&skip_status=true")!

    func run(in context: BenchContext) throws -> [Row] {
        let signer = OAuthSigner(consumer: Self.consumer)
        var rows: [Row] = []
        let cases: [(name: String, peerKey: String, sign: () -> String, baseString: String, key: String)] = [
            (
                "sign request_token (signs/s)", PeerFigures.oauthlibRequestTokenNewClient,
                {
                    signer.authorizationHeader(
                        method: "POST", url: Self.requestTokenURL,
                        protocolParameters: [OAuthParameter(name: "oauth_callback", value: Self.callback)])
                },
                baseString(for: signer, method: "POST", url: Self.requestTokenURL, token: nil),
                Self.consumer.secret + "&"
            ),
            (
                "sign verify_credentials (signs/s)", PeerFigures.oauthlibVerifyCredentialsNewClient,
                {
                    signer.authorizationHeader(
                        method: "GET", url: Self.verifyURL, token: Self.token, tokenSecret: Self.tokenSecret)
                },
                baseString(for: signer, method: "GET", url: Self.verifyURL, token: Self.token),
                Self.consumer.secret + "&" + Self.tokenSecret
            ),
        ]
        for item in cases {
            context.progress(item.name)
            let key = Array(item.key.utf8)
            let message = Array(item.baseString.utf8)
            let sign = item.sign
            let rates = try Measure.interleavedRates([
                Measure.Contender(name: "ours") { iterations in
                    let start = Measure.now()
                    for _ in 0..<iterations { blackHole(sign()) }
                    return Measure.now() - start
                },
                Measure.Contender(name: "raw") { iterations in
                    var elapsed: UInt64 = 0
                    guard
                        c_baseline_hmac_sha1_run(key, key.count, message, message.count, UInt64(iterations), &elapsed)
                            == 1
                    else { throw BenchError.limitFailed("HMAC(EVP_sha1())") }
                    return elapsed
                },
            ])
            rows.append(
                Row(
                    item.name, better: .higher, ours: rates[0], limit: rates[1], peer: context.peers[item.peerKey],
                    peerSource: context.peers.source("oauthlib") + ", new Client per request"))
        }
        return rows
    }

    /// The signature base string of one such request, for the raw HMAC limit (same length as what ours signs).
    private func baseString(for signer: OAuthSigner, method: String, url: URL, token: String?) -> String {
        var parameters = signer.signedProtocolParameters(
            method: method, url: url, token: token, tokenSecret: "",
            protocolParameters: token == nil ? [OAuthParameter(name: "oauth_callback", value: Self.callback)] : [])
        parameters.removeAll { $0.name == "oauth_signature" }
        return OAuthSigner.signatureBaseString(method: method, url: url, parameters: parameters)
    }
}
