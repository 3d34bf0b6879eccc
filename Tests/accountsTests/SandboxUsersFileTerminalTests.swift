import Foundation
import TestSupport
import Testing

struct SandboxUsersFileTerminalTests {
    /// A users file whose two users share a screen name (case ignored) is refused quoting that screen name with its
    /// control characters shown as `?`, as the duplicate report and `users show` show them: an escape sequence in it
    /// (`ESC ] 0 ; … BEL` sets the terminal's title, `ESC [ 2 J` clears the screen) does not reach the terminal.
    @Test func aRepeatedScreenNameIsQuotedWithoutItsControlCharacters() async throws {
        try await withTemporaryDirectory { dir in
            let file = dir + "/users.json"
            let users = """
                [{"id_str": "1", "screen_name": "zoe\\u001b]0;pwned\\u0007\\u001b[2J", "name": "Zoe"},
                 {"id_str": "2", "screen_name": "ZOE\\u001b]0;PWNED\\u0007\\u001b[2J", "name": "Zoe"}]
                """
            writeFile(file, Array(users.utf8))
            let result = try await runAccounts(["sandbox", "--port", "0", "--users", file])
            #expect(result.status == 65, "\(result.stderr.debugDescription)")
            #expect(result.stderr.contains("screen_name"), "\(result.stderr.debugDescription)")
            let controls = result.stderr.unicodeScalars.filter { $0.value < 0x20 && $0 != "\n" }
            #expect(controls.isEmpty, "stderr holds control characters: \(result.stderr.debugDescription)")
        }
    }
}
