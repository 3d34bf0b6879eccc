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
