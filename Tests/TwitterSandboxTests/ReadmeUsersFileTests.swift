import Foundation
import Testing
import TwitterSandbox

/// README, "Users file (`--users FILE`)": a users file with "a JSON syntax error [is refused] with its line and column
/// (`line 3, column 2: not valid JSON`)".
struct ReadmeUsersFileTests {
    /// The commonest slip in a hand-written list, a file cut short or missing its closing `]`, is a syntax error too:
    /// the error says where the file stopped being JSON (its end), not "not valid JSON" alone.
    @Test(arguments: [
        "[\n  {\"id_str\": \"1\", \"screen_name\": \"a\", \"name\": \"A\"}\n",
        "[\n  {\"id_str\": \"1\", \"screen_name\": \"a\", \"name\": \"A\"},\n  {\"id_str\": \"2\", \"screen_name\": \"b\"",
    ])
    func aUsersFileCutShortNamesTheLineAndColumnWhereItEnds(json: String) {
        let error = #expect(throws: SandboxError.self) { try SandboxUser.decode(json: Array(json.utf8)) }
        let description = error?.description ?? ""
        #expect(description.contains("line "), "\(description)")
        #expect(description.contains("column "), "\(description)")
    }
}

/// A users file is read strictly, as the import and `TwitterProfile` read JSON: a trailing comma is a syntax error
/// with its line and column, and a field given twice is refused by name. Until session 62 Foundation's reader took
/// both, the first of two values winning, so an edit further down an entry was ignored in silence. A byte-order mark
/// is no part of the JSON, and is skipped.
extension ReadmeUsersFileTests {
    @Test(arguments: [
        (#"[{"id_str":"1","screen_name":"a","name":"A"},]"#, "line 1, column 46: not valid JSON"),
        ("[{\"id_str\":\"1\",\n \"screen_name\":\"a\",\"name\":\"A\",}]", "line 2, column 31: not valid JSON"),
        (#"[{"id_str":"1","screen_name":"a","name":"A","screen_name":" "}]"#, "the field screen_name is given twice"),
    ])
    func aLooseUsersFileIsRefusedSayingWhere(json: String, expected: String) {
        let error = #expect(throws: SandboxError.self) { try SandboxUser.decode(json: Array(json.utf8)) }
        #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
    }

    @Test func aByteOrderMarkIsSkipped() throws {
        let json = [0xEF, 0xBB, 0xBF] + Array(#"[{"id_str":"1","screen_name":"a","name":"A"}]"#.utf8)
        #expect(try SandboxUser.decode(json: json).map(\.screenName) == ["a"])
    }
}
