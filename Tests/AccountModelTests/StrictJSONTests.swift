import Testing

@testable import AccountModel

/// `StrictJSON`: one JSON text as RFC 8259 writes it, each member name once in an object.
struct StrictJSONTests {
    /// RFC 8259 section 13's two examples, and values of every kind.
    @Test(arguments: [
        """
        {
              "Image": {
                  "Width":  800,
                  "Height": 600,
                  "Title":  "View from 15th Floor",
                  "Thumbnail": {
                      "Url":    "http://www.example.com/image/481989943",
                      "Height": 125,
                      "Width":  100
                  },
                  "Animated" : false,
                  "IDs": [116, 943, 234, 38793]
                }
            }
        """,
        """
        [
          {
             "precision": "zip",
             "Latitude":  37.7668,
             "Longitude": -122.3959,
             "Address":   "",
             "City":      "SAN FRANCISCO",
             "State":     "CA",
             "Zip":       "94107",
             "Country":   "US"
          },
          {
             "precision": "zip",
             "Latitude":  37.371991,
             "Longitude": -122.026020,
             "Address":   "",
             "City":      "SUNNYVALE",
             "State":     "CA",
             "Zip":       "94085",
             "Country":   "US"
          }
        ]
        """,
        #""Hello world!""#, "42", "true", "null", "-0", "0.5e-3", "1E+2", "[]", "{}", #"{"a": [1, {"b": null}]}"#,
        #""\ud83d\ude00 \u00e9 \"\\\/\b\f\n\r\t""#,
        // The same text in two Unicode forms is two names (compared code point by code point)
        "{\"caf\u{E9}\": 1, \"cafe\u{301}\": 2}",
    ])
    func takesWhatRFC8259Writes(text: String) {
        #expect(StrictJSON.problem(in: Array(text.utf8)) == nil)
    }

    @Test(arguments: [
        "{\"a\": 1,}", "[1,]", "01", "1.", "-", "1e", "+1", ".5", "\"\t\"", #""\q""#, #""\ud800""#, #""\udc00""#,
        #""\ud800\u0041""#, "[1 2]", "{\"a\" 1}", "{a: 1}", "'a'", "tru", "nul", "", "  ", "1 2", "{\"a\": 1}}",
        "[\"unterminated]",
    ])
    func refusesWhatItDoesNot(text: String) {
        guard case .invalid = StrictJSON.problem(in: Array(text.utf8)) else {
            Issue.record("taken or misread: \(text.debugDescription)")
            return
        }
    }

    @Test func refusesARepeatedNameAtAnyDepthAlsoWhenEscaped() {
        #expect(StrictJSON.problem(in: Array(#"{"a": 1, "b": 2, "a": 3}"#.utf8)) == .repeatedName("a"))
        #expect(StrictJSON.problem(in: Array(#"{"a": 1, "\u0061": 2}"#.utf8)) == .repeatedName("a"))
        #expect(StrictJSON.problem(in: Array(#"[{"x": {"id": 1, "id": 2}}]"#.utf8)) == .repeatedName("id"))
        // (the same name in two objects is no repetition)
        #expect(StrictJSON.problem(in: Array(#"[{"id": 1}, {"id": 2}]"#.utf8)) == nil)
    }

    @Test func refusesBytesThatAreNotUTF8AndNestingDeeperThan512() {
        #expect(StrictJSON.problem(in: [0x22, 0xFF, 0x22]) == .invalid(offset: 0))
        let deepest = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(StrictJSON.problem(in: Array(deepest.utf8)) == nil)
        let deeper = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(StrictJSON.problem(in: Array(deeper.utf8)) == .tooDeep)
    }
}
