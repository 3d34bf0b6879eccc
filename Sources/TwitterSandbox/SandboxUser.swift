import AccountModel
public import Foundation
internal import TwitterOAuth

/// A fake Twitter account that the sandbox's consent page offers and `verify_credentials` returns.
///
/// In a users file it is a JSON object with Twitter's v1.1 field names: `id_str` (a decimal string, required),
/// `screen_name` and `name` (required), and optional `email`, `location`, `description`, `url`,
/// `profile_image_url_https`, `created_at` (Twitter's `Wed Oct 10 20:19:24 +0000 2018` format) and `verified`.
public struct SandboxUser: Sendable, Hashable, Codable {
    /// The user id, any 64-bit value (ids above 2^53 test that clients keep them exact).
    public var id: UInt64
    /// The handle without `@`.
    public var screenName: String
    /// The display name.
    public var name: String
    /// The email address, returned only when present (Twitter omits it for users without a confirmed one).
    public var email: String?
    /// The free-text location.
    public var location: String?
    /// The profile bio (Twitter's `description`).
    public var bio: String?
    /// The profile website.
    public var url: String?
    /// The avatar URL (`profile_image_url_https`).
    public var profileImageURL: String?
    /// The account creation time in Twitter's format, such as `Wed Oct 10 20:19:24 +0000 2018`.
    public var createdAt: String?
    /// Whether the account is marked verified.
    public var verified: Bool

    /// Makes a fake user.
    public init(
        id: UInt64,
        screenName: String,
        name: String,
        email: String? = nil,
        location: String? = nil,
        bio: String? = nil,
        url: String? = nil,
        profileImageURL: String? = nil,
        createdAt: String? = nil,
        verified: Bool = false
    ) {
        self.id = id
        self.screenName = screenName
        self.name = name
        self.email = email
        self.location = location
        self.bio = bio
        self.url = url
        self.profileImageURL = profileImageURL
        self.createdAt = createdAt
        self.verified = verified
    }

    enum CodingKeys: String, CodingKey {
        case idString = "id_str"
        case screenName = "screen_name"
        case name, email, location
        case bio = "description"
        case url
        case profileImageURL = "profile_image_url_https"
        case createdAt = "created_at"
        case verified
    }

    /// Decodes one users-file entry; `id_str` must be the decimal digits of a 64-bit id as Twitter writes it (no sign,
    /// no leading zeros), so that the id the app receives is the one written.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let idString = try container.decode(String.self, forKey: .idString)
        guard let id = UInt64(idString), String(id) == idString else {
            throw DecodingError.dataCorruptedError(
                forKey: .idString,
                in: container,
                debugDescription:
                    "id_str must be the decimal digits of a 64-bit unsigned integer (no sign, spaces or leading zeros)"
            )
        }
        self.id = id
        self.screenName = try container.decode(String.self, forKey: .screenName)
        self.name = try container.decode(String.self, forKey: .name)
        self.email = try container.decodeIfPresent(String.self, forKey: .email)
        self.location = try container.decodeIfPresent(String.self, forKey: .location)
        self.bio = try container.decodeIfPresent(String.self, forKey: .bio)
        self.url = try container.decodeIfPresent(String.self, forKey: .url)
        self.profileImageURL = try container.decodeIfPresent(String.self, forKey: .profileImageURL)
        self.createdAt = try container.decodeIfPresent(String.self, forKey: .createdAt)
        self.verified = try container.decodeIfPresent(Bool.self, forKey: .verified) ?? false
    }

    /// Encodes the user in the users-file format.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(String(id), forKey: .idString)
        try container.encode(screenName, forKey: .screenName)
        try container.encode(name, forKey: .name)
        try container.encodeIfPresent(email, forKey: .email)
        try container.encodeIfPresent(location, forKey: .location)
        try container.encodeIfPresent(bio, forKey: .bio)
        try container.encodeIfPresent(url, forKey: .url)
        try container.encodeIfPresent(profileImageURL, forKey: .profileImageURL)
        try container.encodeIfPresent(createdAt, forKey: .createdAt)
        try container.encode(verified, forKey: .verified)
    }

    /// The built-in users: ids above 2^53, names beyond ASCII, one user with an email and one without.
    public static let builtIn: [SandboxUser] = [
        SandboxUser(
            id: 1_234_567_890_123_456_789,
            screenName: "zoe_angstrom",
            name: "Zoë Ångström",
            email: "zoe@example.com",
            location: "Malmö, Sverige",
            bio: "Fake user of the Twitter sandbox.",
            url: "https://example.com/zoe",
            profileImageURL: "https://pbs.twimg.com/profile_images/1/zoe_normal.png",
            createdAt: "Wed Oct 10 20:19:24 +0000 2018",
            verified: true
        ),
        SandboxUser(
            id: 9_007_199_254_740_993,
            screenName: "yamada_taro",
            name: "山田 太郎",
            location: "東京",
            bio: "メールアドレスなし (no email)",
            createdAt: "Mon Jan 02 03:04:05 +0000 2012"
        ),
        SandboxUser(
            id: 783_214,
            screenName: "ada",
            name: "Ada Lovelace",
            email: "ada@example.org",
            createdAt: "Tue Mar 21 20:50:14 +0000 2006"
        ),
    ]

    /// Reads a users file: a JSON array of user objects (see the type's documentation).
    /// - Throws: ``SandboxError/unreadableUsersFile(path:reason:)`` for a file that cannot be read;
    ///   ``SandboxError/invalidUsersFile(_:)`` for unreadable JSON, a missing or
    ///   mistyped field, an empty list, a repeated id or a `created_at` not in Twitter's format; its reason starts
    ///   with the file's path (`/srv/users.json: user 2: screen_name is missing`), then names the entry and field.
    public static func load(contentsOf url: URL) throws(SandboxError) -> [SandboxUser] {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw .invalidUsersFile("\(url.path): a directory, not a users file")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadableUsersFile(path: url.path, reason: error.localizedDescription)
        }
        do {
            return try decode(json: Array(data))
        } catch .invalidUsersFile(let reason) {
            throw .invalidUsersFile("\(url.path): \(reason)")
        } catch {
            throw error
        }
    }

    /// Decodes and checks a users-file JSON array; see ``load(contentsOf:)`` (whose errors name the file too: these
    /// name the entry and field, or the line and column of a syntax error).
    public static func decode(json: [UInt8]) throws(SandboxError) -> [SandboxUser] {
        // (a byte-order mark, as some editors write, is no part of the JSON)
        let json = json.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(json.dropFirst(3)) : json
        // Strictly first, as the import and `TwitterProfile` read: Foundation takes a trailing comma, and reads a field
        // given twice as its first value, so an edit further down an entry was ignored in silence (until session 62).
        switch StrictJSON.problem(in: json) {
        case nil: break
        case .invalid:
            let place = syntaxErrorPlace(json)
            throw .invalidUsersFile(
                place.map { "line \($0.line), column \($0.column): not valid JSON" } ?? "not valid JSON")
        case .repeatedName(let name):
            throw .invalidUsersFile("the field \(Self.shown(name)) is given twice in one entry: keep one")
        case .tooDeep:
            throw .invalidUsersFile("not a JSON array of users (nested too deep)")
        }
        let users: [SandboxUser]
        do {
            users = try JSONDecoder().decode([SandboxUser].self, from: Data(json))
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty, let place = syntaxErrorPlace(json)
            {
                throw .invalidUsersFile("line \(place.line), column \(place.column): not valid JSON")
            }
            throw .invalidUsersFile(explain(error))
        } catch {
            throw .invalidUsersFile("not a JSON array of users")
        }
        guard !users.isEmpty else { throw .invalidUsersFile("the list of users is empty") }
        var seen = Set<UInt64>()
        var screenNames: [String: Int] = [:]
        for (offset, user) in users.enumerated() {
            let index = offset + 1  // as the person counts them, from 1
            guard seen.insert(user.id).inserted else {
                throw .invalidUsersFile("user \(index): id_str \(user.id) appears twice")
            }
            // (blank as `TwitterProfile` reads it, which refuses a profile without them: every sign-in as such a
            // user failed after the consent page)
            guard !TwitterProfile.isBlank(user.screenName), !TwitterProfile.isBlank(user.name) else {
                throw .invalidUsersFile(
                    "user \(index): screen_name and name must not be empty or blank (white space, control characters)")
            }
            // Screen names are unique whatever their case, as on Twitter.
            if let earlier = screenNames.updateValue(index, forKey: user.screenName.lowercased()) {
                throw .invalidUsersFile(
                    "user \(index): screen_name \(Self.shown(user.screenName)) is already used by user \(earlier) "
                        + "(case ignored)")
            }
            if let createdAt = user.createdAt, TwitterDate.parse(createdAt) == nil {
                throw .invalidUsersFile(
                    "user \(index): created_at must look like \"Wed Oct 10 20:19:24 +0000 2018\""
                )
            }
        }
        return users
    }

    /// Where `json` stops being JSON, as line and column (from 1), the place to look in a hand-written file: the byte
    /// at which a strict reading fails (``StrictJSON``), the end of the file for one cut short.
    static func syntaxErrorPlace(_ json: [UInt8]) -> (line: Int, column: Int)? {
        guard case .invalid(let offset) = StrictJSON.problem(in: json), offset <= json.count else { return nil }
        let before = json[..<offset]
        let line = before.count { $0 == UInt8(ascii: "\n") } + 1
        let lineStart = before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        let column = String(decoding: json[lineStart..<offset], as: UTF8.self).count + 1
        return (line, column)
    }

    private static func explain(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "user \($0 + 1)" } ?? $0.stringValue }.joined(separator: ": ")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = path(context)
            return "\(at.isEmpty ? "" : at + ": ")\(key.stringValue) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let at = path(context)
            return at.isEmpty ? "not a JSON array of users" : "\(at) has the wrong type"
        case .dataCorrupted(let context):
            let at = path(context)
            return at.isEmpty ? "not valid JSON" : "\(at): \(context.debugDescription)"
        @unknown default:
            return "does not decode"
        }
    }
}

extension SandboxUser {
    /// `text` for an error message read on a terminal: control and format characters (an escape sequence, a
    /// direction override) shown as `?`.
    static func shown(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map {
                    [.control, .format].contains($0.properties.generalCategory) ? "?" : $0
                }))
    }
}
