import Foundation
import Testing
import TwitterOAuth

struct TwitterProfileTests {
    static let fullJSON = """
        {"id": 1234567890123456789, "id_str": "1234567890123456789", "name": "Zoë Ångström",
         "screen_name": "zoe_angstrom", "location": "Malmö", "description": "Bio \\u00e9", "url": "https://t.co/x",
         "profile_image_url_https": "https://pbs.twimg.com/p.png", "created_at": "Wed Oct 10 20:19:24 +0000 2018",
         "verified": true, "email": "zoe@example.com", "followers_count": 3}
        """

    @Test func decodesTypedFieldsAndKeepsTheBytes() throws {
        // When
        let profile = try TwitterProfile(json: Array(Self.fullJSON.utf8))
        // Then
        #expect(profile.id == 1_234_567_890_123_456_789)
        #expect(profile.screenName == "zoe_angstrom")
        #expect(profile.name == "Zoë Ångström")
        #expect(profile.email == "zoe@example.com")
        #expect(profile.location == "Malmö")
        #expect(profile.bio == "Bio é")
        #expect(profile.url == "https://t.co/x")
        #expect(profile.profileImageURL == "https://pbs.twimg.com/p.png")
        #expect(profile.createdAt == Date(timeIntervalSince1970: 1_539_202_764))
        #expect(profile.verified)
        #expect(profile.rawJSON == Array(Self.fullJSON.utf8))
    }

    @Test func takesTheIDFromIDStringNotFromTheLossyNumber() throws {
        // Given: 2^53 + 1 cannot be a Double; the number field even disagrees
        let json = #"{"id": 9007199254740992, "id_str": "9007199254740993", "name": "n", "screen_name": "s"}"#
        // When
        let profile = try TwitterProfile(json: Array(json.utf8))
        // Then
        #expect(profile.id == 9_007_199_254_740_993)
        #expect(profile.email == nil)
        #expect(profile.createdAt == nil)
        #expect(!profile.verified)
    }

    @Test func treatsEmptyAndNullOptionalFieldsAsAbsent() throws {
        let json = #"{"id_str": "1", "name": "n", "screen_name": "s", "email": "", "url": null, "location": ""}"#
        let profile = try TwitterProfile(json: Array(json.utf8))
        #expect(profile.email == nil)
        #expect(profile.url == nil)
        #expect(profile.location == nil)
    }

    @Test(arguments: [
        (
            #"{"id_str": "1", "name": "n", "screen_na"#,
            "verify_credentials: the body is not valid JSON (malformed or truncated)"
        ),
        (#"{"id": 1, "name": "n", "screen_name": "s"}"#, "verify_credentials: the field id_str is missing"),
        (#"{"id_str": 1, "name": "n", "screen_name": "s"}"#, "verify_credentials: the field id_str has the wrong type"),
        (
            #"{"id_str": "-1", "name": "n", "screen_name": "s"}"#,
            "verify_credentials: id_str is not a 64-bit unsigned decimal integer"
        ),
        (
            #"{"id_str": "18446744073709551616", "name": "n", "screen_name": "s"}"#,
            "verify_credentials: id_str is not a 64-bit unsigned decimal integer"
        ),
        ("[1, 2]", "verify_credentials: the body is not a JSON object"),
        (#"{"id_str": "1", "name": "n", "screen_name": ""}"#, "verify_credentials: the field screen_name is empty"),
        (#"{"id_str": "1", "name": " \u2028\t", "screen_name": "s"}"#, "verify_credentials: the field name is empty"),
        (
            #"{"id_str": "1", "name": "n", "screen_name": "\u0000\u0007 "}"#,
            "verify_credentials: the field screen_name is empty"
        ),
    ])
    func namesWhatIsWrongWithoutQuotingTheBody(json: String, reason: String) {
        #expect(throws: TwitterError.malformedResponse(reason)) {
            try TwitterProfile(json: Array(json.utf8))
        }
    }
}

struct TwitterDateTests {
    @Test(arguments: [
        ("Wed Oct 10 20:19:24 +0000 2018", 1_539_202_764),
        ("Thu Jan 01 00:00:00 +0000 1970", 0),
        ("Tue Feb 29 12:00:00 +0000 2000", 951_825_600),
        ("Wed Oct 10 22:19:24 +0200 2018", 1_539_202_764),
        ("Wed Oct 10 15:19:24 -0500 2018", 1_539_202_764),
    ])
    func parsesTwittersFormat(text: String, seconds: Int) {
        #expect(TwitterDate.parse(text) == Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    @Test(arguments: [
        "2018-10-10T20:19:24Z", "Wed Oct 32 20:19:24 +0000 2018", "Wed Foo 10 20:19:24 +0000 2018",
        "Wed Oct 10 24:19:24 +0000 2018", "Wed Feb 29 20:19:24 +0000 2019", "Wed Oct 10 20:19:24 0000 2018", "",
    ])
    func refusesOtherText(text: String) {
        #expect(TwitterDate.parse(text) == nil)
    }

    @Test func formatsInUTCAndParsesBack() {
        let date = Date(timeIntervalSince1970: 1_539_202_764)
        #expect(TwitterDate.format(date) == "Wed Oct 10 20:19:24 +0000 2018")
        #expect(TwitterDate.parse(TwitterDate.format(Date(timeIntervalSince1970: 0))) == Date(timeIntervalSince1970: 0))
    }
}
