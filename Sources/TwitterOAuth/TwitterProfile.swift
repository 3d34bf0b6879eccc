import AccountModel
public import Foundation

/// The signed-in user from `GET /1.1/account/verify_credentials.json`: typed fields plus the JSON exactly as received.
public struct TwitterProfile: Sendable, Equatable {
    /// The user id, exact, read from `id_str` (never from the JSON number, which loses precision above 2^53).
    public let id: UInt64
    /// The handle without `@` (`screen_name`).
    public let screenName: String
    /// The display name (`name`).
    public let name: String
    /// The email address (`email`), present only when the app may read it and the user has a confirmed one.
    public let email: String?
    /// The free-text location (`location`), nil when empty.
    public let location: String?
    /// The profile bio (Twitter's `description`), nil when empty.
    public let bio: String?
    /// The profile website (`url`), nil when empty.
    public let url: String?
    /// The avatar URL (`profile_image_url_https`).
    public let profileImageURL: String?
    /// When the account was created (`created_at`); nil when absent or not in Twitter's format.
    public let createdAt: Date?
    /// Whether Twitter marks the account verified (`verified`, false when absent).
    public let verified: Bool
    /// The response body exactly as Twitter sent it, byte for byte.
    public let rawJSON: [UInt8]

    /// Decodes a `verify_credentials` (or any v1.1 user object) JSON body, keeping `json` as ``rawJSON``.
    /// - Throws: ``TwitterError/malformedResponse(_:)`` naming the field that is missing, mistyped, blank
    ///   (`screen_name`, `name`) or given twice, or saying that the body is not strict JSON (RFC 8259: no trailing
    ///   comma, no leading zero, no lone surrogate, …) or not UTF-8 (UTF-16, a byte-order mark); never quoting the
    ///   body.
    public init(json: [UInt8]) throws(TwitterError) {
        // JSON between systems is UTF-8 without a byte-order mark (RFC 8259 8.1). Foundation's decoder also reads
        // UTF-16 and UTF-32 and skips a mark, but the body is kept as it came: pasted into the data download's UTF-8
        // JSON, such a profile made it no JSON at all.
        guard !json.starts(with: [0xEF, 0xBB, 0xBF]), String(validating: json, as: UTF8.self) != nil else {
            throw .malformedResponse("verify_credentials: the body is not UTF-8 JSON (RFC 8259 8.1)")
        }
        // Strict JSON, each field once: Foundation's decoder takes a trailing comma, `01`, a bad escape or a raw tab in
        // a field it does not read, and the first of two values of a field where every other reader takes the last, so
        // the profile kept (and pasted into the data download) would be no JSON, or say another id or handle.
        switch StrictJSON.problem(in: json) {
        case nil: break
        case .repeatedName(let name):
            let shown = name.count <= 64 && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
            throw .malformedResponse(
                "verify_credentials: " + (shown ? "the field \(name)" : "a field") + " is given twice")
        case .invalid, .tooDeep:
            throw .malformedResponse("verify_credentials: the body is not valid JSON (malformed or truncated)")
        }
        let wire: Wire
        do {
            wire = try JSONDecoder().decode(Wire.self, from: Data(json))
        } catch let error as DecodingError {
            throw .malformedResponse("verify_credentials: " + Self.explain(error))
        } catch {
            throw .malformedResponse("verify_credentials: the body is not valid JSON")
        }
        // (canonical digits only, as everywhere else: `+5` and `05` would be kept in the profile beside the id 5)
        guard let id = TwitterUserID(decimal: wire.idString)?.value else {
            throw .malformedResponse("verify_credentials: id_str is not a 64-bit unsigned decimal integer")
        }
        // Every Twitter user has a handle and a display name; blank ones (white space and control characters only,
        // which the store drops from names) would be stored empty and make an export line that does not import.
        for (field, value) in [("screen_name", wire.screenName), ("name", wire.name)] where Self.isBlank(value) {
            throw .malformedResponse("verify_credentials: the field \(field) is empty")
        }
        self.id = id
        self.screenName = wire.screenName
        self.name = wire.name
        self.email = wire.email.nonEmpty
        self.location = wire.location.nonEmpty
        self.bio = wire.description.nonEmpty
        self.url = wire.url.nonEmpty
        self.profileImageURL = wire.profileImageURLHTTPS.nonEmpty
        self.createdAt = wire.createdAt.flatMap(TwitterDate.parse)
        self.verified = wire.verified ?? false
        self.rawJSON = json
    }

    private struct Wire: Decodable {
        let idString: String
        let screenName: String
        let name: String
        let email: String?
        let location: String?
        let description: String?
        let url: String?
        let profileImageURLHTTPS: String?
        let createdAt: String?
        let verified: Bool?

        enum CodingKeys: String, CodingKey {
            case idString = "id_str"
            case screenName = "screen_name"
            case name, email, location, description, url
            case profileImageURLHTTPS = "profile_image_url_https"
            case createdAt = "created_at"
            case verified
        }
    }

    private static func explain(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "the field \(parent.isEmpty ? "" : parent + ".")\(key.stringValue) is missing"
        case .typeMismatch(_, let context):
            return path(context).isEmpty
                ? "the body is not a JSON object" : "the field \(path(context)) has the wrong type"
        case .valueNotFound(_, let context):
            return "the field \(path(context)) is null"
        case .dataCorrupted:
            return "the body is not valid JSON (malformed or truncated)"
        @unknown default:
            return "the body does not decode"
        }
    }
}

extension Optional where Wrapped == String {
    fileprivate var nonEmpty: String? {
        guard let value = self, !value.isEmpty else { return nil }
        return value
    }
}

extension TwitterProfile {
    /// Whether a screen name or display name is blank: white space and control characters only (none at all too).
    /// Such a profile is refused; the sandbox refuses such a fake user for the same reason.
    package static func isBlank(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.properties.isWhitespace || $0.properties.generalCategory == .control }
    }
}
