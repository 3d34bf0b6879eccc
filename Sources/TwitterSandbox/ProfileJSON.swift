internal import Foundation

/// A v1.1 user object as `verify_credentials` returns it: `id` as a JSON number and `id_str` as text.
enum ProfileJSON: Sendable {
    private struct Wire: Encodable {
        let id: UInt64
        let idString: String
        let name: String
        let screenName: String
        let location: String
        let description: String
        let url: String?
        let protected: Bool
        let verified: Bool
        let createdAt: String
        let profileImageURLHTTPS: String
        let email: String?

        enum CodingKeys: String, CodingKey {
            case id
            case idString = "id_str"
            case name
            case screenName = "screen_name"
            case location, description, url, protected, verified
            case createdAt = "created_at"
            case profileImageURLHTTPS = "profile_image_url_https"
            case email
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(idString, forKey: .idString)
            try container.encode(name, forKey: .name)
            try container.encode(screenName, forKey: .screenName)
            try container.encode(location, forKey: .location)
            try container.encode(description, forKey: .description)
            if let url { try container.encode(url, forKey: .url) } else { try container.encodeNil(forKey: .url) }
            try container.encode(protected, forKey: .protected)
            try container.encode(verified, forKey: .verified)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(profileImageURLHTTPS, forKey: .profileImageURLHTTPS)
            try container.encodeIfPresent(email, forKey: .email)
        }
    }

    static let defaultProfileImage = "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"

    /// The JSON bytes; `email` only when `includeEmail` and the user has one.
    static func encode(_ user: SandboxUser, includeEmail: Bool) -> [UInt8] {
        let wire = Wire(
            id: user.id,
            idString: String(user.id),
            name: user.name,
            screenName: user.screenName,
            location: user.location ?? "",
            description: user.bio ?? "",
            url: user.url,
            protected: false,
            verified: user.verified,
            createdAt: user.createdAt ?? "Thu Jan 01 00:00:00 +0000 2015",
            profileImageURLHTTPS: user.profileImageURL ?? defaultProfileImage,
            email: includeEmail ? user.email : nil
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings, integers and booleans cannot fail.
        return Array((try? encoder.encode(wire)) ?? Data("{}".utf8))
    }
}
