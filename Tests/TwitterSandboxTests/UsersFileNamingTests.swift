import Foundation
import Testing
import TwitterSandbox

/// `SandboxUser.load(contentsOf:)` names the file whatever is wrong with it (an app may load several, and its log
/// reader needs to know which to open), then the entry and field at fault; `decode(json:)`, which has no file, names
/// only those.
struct UsersFileNamingTests {
    @Test(arguments: [
        ("[]", "the list of users is empty"),
        ("{}", "not a JSON array of users"),
        ("[\n  {\"id_str\": \"1\", \"screen_name\": \"a\" \"name\": \"A\"}\n]", "line 2, column 38: not valid JSON"),
        ("[{\"id_str\": 42, \"screen_name\": \"a\", \"name\": \"A\"}]", "user 1: id_str has the wrong type"),
        ("[{\"id_str\": \"1\", \"name\": \"A\"}]", "user 1: screen_name is missing"),
        (
            #"[{"id_str": "1", "screen_name": "a", "name": "A"}, {"id_str": "1", "screen_name": "b", "name": "B"}]"#,
            "user 2: id_str 1 appears twice"
        ),
    ])
    func aBadUsersFileIsNamedBeforeTheEntryAtFault(json: String, reason: String) throws {
        let url = FileManager.default.temporaryDirectory.appending(path: "sandbox-users-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let error = #expect(throws: SandboxError.self) { try SandboxUser.load(contentsOf: url) }
        #expect(error?.description == "invalid sandbox users file: \(url.path): \(reason)")
        // (the same JSON without a file: the entry alone, as before)
        let decoded = #expect(throws: SandboxError.self) { try SandboxUser.decode(json: Array(json.utf8)) }
        #expect(decoded?.description == "invalid sandbox users file: \(reason)")
        // (the file is only read)
        #expect(try Data(contentsOf: url) == Data(json.utf8))
    }

    @Test func aDirectoryOrAMissingFileIsNamedInTheSameForm() throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "sandbox-users-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: directory) }
        let asDirectory = #expect(throws: SandboxError.self) { try SandboxUser.load(contentsOf: directory) }
        #expect(
            asDirectory?.description
                == "invalid sandbox users file: \(directory.path): a directory, not a users file")
        let missing = directory.appending(path: "absent.json")
        let absent = #expect(throws: SandboxError.self) { try SandboxUser.load(contentsOf: missing) }
        let text = absent?.description ?? ""
        #expect(text.hasPrefix("cannot read the sandbox users file \(missing.path): "), "\(text)")
    }
}
