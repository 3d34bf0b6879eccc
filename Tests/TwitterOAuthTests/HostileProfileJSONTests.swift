import Foundation
import Testing
import TwitterOAuth

/// `verify_credentials` bodies that Foundation's decoders take but that are no JSON (RFC 8259), or that say two
/// things: the profile is kept "byte for byte" and pasted as it is into "Download your data", so what is kept must be
/// JSON that every reader reads the same way.
struct HostileProfileJSONTests {
    static let fields = #""id_str": "5", "screen_name": "zoe", "name": "Zoe""#

    /// A body that is no strict JSON is refused, though Foundation's `JSONDecoder` takes it (a trailing comma; a raw
    /// tab, a bad escape, a lone surrogate or a leading zero in a field it does not decode): it would be kept as the
    /// identity's profile.
    @Test(arguments: [
        ("a trailing comma in the object", "{\(fields),}"),
        ("a trailing comma in an array", "{\(fields), \"withheld_in_countries\": [\"DE\",]}"),
        ("a raw tab in a string", "{\(fields), \"lang\": \"a\tb\"}"),
        ("a bad escape", "{\(fields), \"status\": \"\\q\"}"),
        ("a lone surrogate", "{\(fields), \"status\": \"\\ud800\"}"),
        ("a leading zero", "{\(fields), \"followers_count\": 01}"),
        ("a number without digits after its point", "{\(fields), \"followers_count\": 1.}"),
    ])
    func aBodyThatIsNotJSONIsRefused(what: String, json: String) {
        #expect(throws: TwitterError.self, "a body with \(what) was taken as a profile") {
            try TwitterProfile(json: Array(json.utf8))
        }
    }

    /// A key given twice is refused, naming the key: the typed fields would take the first, the browsers and scripts
    /// reading the kept profile (a data download) the last, so the account would show one screen name or id and its
    /// stored profile another.
    @Test(arguments: [
        (#"{"id_str": "5", "screen_name": "zoe", "name": "Zoe", "screen_name": "mallory"}"#, "screen_name"),
        (#"{"id_str": "5", "screen_name": "zoe", "name": "Zoe", "id_str": "6"}"#, "id_str"),
    ])
    func aRepeatedKeyIsRefusedNamingIt(json: String, key: String) {
        do {
            let profile = try TwitterProfile(json: Array(json.utf8))
            Issue.record("a profile with \(key) twice was taken as @\(profile.screenName), id \(profile.id)")
        } catch {
            #expect("\(error)".contains(key), "\(error)")  // lint: no secret (`key` is a JSON field's name)
        }
    }

    /// `id_str` is "the decimal digits" of the id (Twitter's form; the sandbox and imports refuse any other): a sign
    /// or leading zeros, another text of the same id that the stored profile would keep, is refused.
    @Test(arguments: ["+5", "05", "0005"])
    func anIDStringThatIsNotCanonicalIsRefused(idString: String) {
        let json = #"{"id_str": "\#(idString)", "screen_name": "zoe", "name": "Zoe"}"#
        #expect(
            throws: TwitterError.malformedResponse(
                "verify_credentials: id_str is not a 64-bit unsigned decimal integer")
        ) {
            try TwitterProfile(json: Array(json.utf8))
        }
    }
}
