import Foundation

/// Figures the peer scripts printed in the same run (`Scripts/bench.sh` parses their output into this JSON):
/// `{"figures": {"allauth.registrations_per_s.FULL": 958, …}, "versions": {"allauth": "Django 5.2.19, …"}}`.
struct PeerFigures: Sendable, Codable, Equatable {
    /// Numbers by key; see the static keys below.
    var figures: [String: Double] = [:]
    /// What was measured, by peer: `allauth`, `oauthlib`, `python`.
    var versions: [String: String] = [:]

    static let allauthRegistrationsFull = "allauth.registrations_per_s.FULL"
    static let allauthRegistrationsNormal = "allauth.registrations_per_s.NORMAL"
    static let allauthLookupP50 = "allauth.lookup_p50_us"
    static let allauthLookupP99 = "allauth.lookup_p99_us"
    static let allauthPeakRSS = "allauth.peak_rss_mib"
    static let allauthTokenSecretPlaintext = "allauth.token_secret_plaintext"
    static let oauthlibRequestTokenNewClient = "oauthlib.request_token_new_client_per_s"
    static let oauthlibVerifyCredentialsNewClient = "oauthlib.verify_credentials_new_client_per_s"
    static let pythonHMACSHA1 = "python.hmac_sha1_300B_per_s"

    subscript(key: String) -> Double? { figures[key] }

    /// `allauth (Django 5.2.19, django-allauth 65.22.1, SQLite 3.40.1)`, or the bare name when no version was read.
    func source(_ peer: String) -> String {
        guard let version = versions[peer], !version.isEmpty else { return peer }
        return "\(peer) (\(version))"
    }

    /// Reads the file written by `Scripts/bench.sh`.
    static func load(path: String) throws -> PeerFigures {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONDecoder().decode(PeerFigures.self, from: data)
    }
}
