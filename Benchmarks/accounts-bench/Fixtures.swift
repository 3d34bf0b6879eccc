import AccountModel
import AccountStore
import CBaselines

/// Inputs shaped like the allauth peer's: Twitter ids, `u<hex id>` usernames with an example.org address, the
/// ~1.5 KB verify_credentials profile (built by the C target, byte for byte what the peer stores) and a token whose
/// secret is 45 characters, as Twitter's are.
enum Fixtures {
    /// A small deterministic generator (SplitMix64), so runs draw the same ids.
    struct Generator: RandomNumberGenerator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// `count` distinct Twitter ids in 1..<2^62, drawn from `seed`.
    static func twitterIDs(count: Int, seed: UInt64) -> [UInt64] {
        var generator = Generator(state: seed)
        var seen = Set<UInt64>()
        var ids: [UInt64] = []
        ids.reserveCapacity(count)
        while ids.count < count {
            let id = UInt64.random(in: 1..<(1 << 62), using: &generator)
            if seen.insert(id).inserted { ids.append(id) }
        }
        return ids
    }

    /// The verify_credentials JSON the peer stores for `twitterID`.
    static func profileJSON(_ twitterID: UInt64) -> [UInt8] {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = c_baseline_profile_json(twitterID, &buffer, buffer.count)
        precondition(length > 0, "the profile template outgrew its buffer")
        return buffer[..<length].map { UInt8(bitPattern: $0) }
    }

    static func screenName(_ twitterID: UInt64) -> String {
        "u" + String(twitterID, radix: 16)
    }

    /// Random ASCII letters and digits.
    static func randomText(count: Int, using generator: inout Generator) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        return String(decoding: (0..<count).map { _ in alphabet.randomElement(using: &generator)! }, as: UTF8.self)
    }

    /// One registration as the store receives it: the profile already fetched, the token already granted.
    struct Registration: Sendable {
        var account: NewAccount
        var identity: NewTwitterIdentity
        var credential: TwitterCredential
    }

    static func registrations(for twitterIDs: [UInt64], seed: UInt64) throws -> [Registration] {
        var generator = Generator(state: seed)
        return try twitterIDs.map { id in
            let name = screenName(id)
            return Registration(
                account: NewAccount(
                    username: try Username(validating: name), email: try EmailAddress(validating: name + "@example.org")
                ),
                identity: NewTwitterIdentity(
                    userID: TwitterUserID(id), screenName: name, name: "Bench User " + name,
                    profileJSON: profileJSON(id)),
                credential: TwitterCredential(
                    token: "\(id)-" + randomText(count: 40, using: &generator),
                    secret: Secret(randomText(count: 45, using: &generator))))
        }
    }
}
