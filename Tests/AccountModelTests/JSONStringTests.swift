import AccountModel
import Foundation
import Testing

struct JSONStringTests {
    @Test(arguments: [
        ("plain", "\"plain\""),
        ("a\"b\\c", #""a\"b\\c""#),
        ("line\nbreak\ttab\r", #""line\nbreak\ttab\r""#),
        ("\u{1}\u{2028}zoë", #""\u0001\u2028zoë""#),
    ])
    func escapesWhatJSONNeeds(_ text: String, _ expected: String) throws {
        #expect(JSONString.literal(text) == expected)
        // And a JSON parser reads back the same text
        let parsed = try JSONSerialization.jsonObject(with: Data("[\(expected)]".utf8)) as? [String]
        #expect(parsed == [text])
    }
}
