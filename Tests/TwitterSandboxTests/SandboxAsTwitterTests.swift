import Foundation
import TestSupport
import Testing
import TwitterOAuth
import TwitterSandbox

/// The sandbox answering as Twitter does at the edges (content types, revoked approvals, callbacks that are no URL)
/// and refusing users files its own client could not use.
struct SandboxAsTwitterTests {
    static let zoe: UInt64 = 1_234_567_890_123_456_789

    /// A users file with a JSON syntax error is refused naming the line and column where it stopped (it is written by
    /// hand; the import command names the place of the same mistake too); it was once "not valid JSON" alone.
    @Test func aUsersFileWithASyntaxErrorNamesTheLine() {
        let json = """
            [
              {"id_str": "1", "screen_name": "a", "name": "A"},
              {"id_str": "2", "screen_name": "b" "name": "B"}
            ]
            """
        let error = #expect(throws: SandboxError.self) { try SandboxUser.decode(json: Array(json.utf8)) }
        let description = error?.description ?? ""
        #expect(description.contains("line 3"), "\(description)")
    }

    /// A blank `screen_name` or `name` (white space or control characters only) is refused at start, naming the
    /// entry, as an empty one is: the sandbox's own client refuses such a profile (`verify_credentials: the field …
    /// is empty`, as Twitter never sends one), so every sign-in as that fake user once failed after consent.
    @Test(arguments: [
        #"[{"id_str": "1", "screen_name": " ", "name": "A"}]"#,
        #"[{"id_str": "1", "screen_name": "a", "name": "\t\n"}]"#,
        #"[{"id_str": "1", "screen_name": "a", "name": "\u0000"}]"#,
    ])
    func aBlankScreenNameOrNameIsRefusedLikeAnEmptyOne(json: String) async throws {
        let users: [SandboxUser]
        do {
            users = try SandboxUser.decode(json: Array(json.utf8))
        } catch {
            #expect(error.description.contains("user 1:"), "\(error.description)")
            return
        }
        // Taken: then the sandbox's own client must be able to sign in as that user (it cannot).
        let configuration = SandboxConfiguration(
            consumer: SandboxConfiguration.generateConsumerCredentials(), users: users)
        try await SandboxHarness.run(configuration: configuration) { sandbox in
            let client = sandbox.client()
            let access = try await sandbox.signIn(as: 1, client: client)
            do {
                _ = try await client.verifyCredentials(accessToken: access)
            } catch {
                Issue.record("the sandbox accepted a fake user its client refuses: \(error)")
            }
        }
    }

    /// Twitter's screen names are unique, without regard to case: a users file naming `ann` and `ANN` is refused with
    /// the entry's index, as a repeated `id_str` is.
    @Test func aRepeatedScreenNameIsRefusedLikeARepeatedID() {
        let json =
            #"[{"id_str": "1", "screen_name": "ann", "name": "A"}, {"id_str": "2", "screen_name": "ANN", "name": "B"}]"#
        let error = #expect(throws: SandboxError.self) { try SandboxUser.decode(json: Array(json.utf8)) }
        // Counted from 1, as a person counts the entries of a file.
        #expect(error?.description.contains("user 2: ") == true, "\(String(describing: error))")
        #expect(error?.description.contains("already used by user 1 (case ignored)") == true)
    }

    /// Media types compare without case (RFC 9110 8.3.1), and RFC 5849 3.4.1.3.1 signs the body of any
    /// `application/x-www-form-urlencoded` request: one sent as `Application/x-www-form-urlencoded` is read as a form
    /// (the sandbox once read only the lowercase spelling, and refused it with code 32).
    @Test(arguments: ["Application/x-www-form-urlencoded", "APPLICATION/X-WWW-FORM-URLENCODED"])
    func aFormBodyIsSignedWhateverTheCaseOfItsContentType(contentType: String) async throws {
        try await SandboxHarness.run { sandbox in
            let url = sandbox.baseURL.appending(path: "oauth/request_token")
            let form = [OAuthParameter(name: "x_auth_access_type", value: "read")]
            let header = OAuthSigner(consumer: sandbox.consumer).authorizationHeader(
                method: "POST", url: url, formParameters: form,
                protocolParameters: [OAuthParameter(name: "oauth_callback", value: SandboxHarness.callback)])
            let response = try await sandbox.transport.send(
                method: "POST", url: url,
                headers: [
                    HTTPHeader(name: "Authorization", value: header),
                    HTTPHeader(name: "Content-Type", value: contentType),
                ],
                body: Array("x_auth_access_type=read".utf8), timeout: SandboxHarness.answerTimeout,
                maximumResponseBodySize: 1 << 20)
            #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
        }
    }

    /// With `--remember-approvals`, `/oauth/authenticate` skips the page for a user who "already approved the
    /// app". Once the app revokes that approval's access token (`invalidate_token`, as the library does when an
    /// account unlinks Twitter), the user has to approve again ("the user's next approval issues a new one"), as on
    /// Twitter, where a revoked app is no longer authorized (the sandbox once went straight back to the callback).
    @Test func aRevokedApprovalIsNoLongerRemembered() async throws {
        var configuration = SandboxConfiguration(consumer: SandboxConfiguration.generateConsumerCredentials())
        configuration.rememberApprovals = true
        try await SandboxHarness.run(configuration: configuration) { sandbox in
            let client = sandbox.client()
            let first = try await client.requestToken(callback: SandboxHarness.callback)
            let (callback, cookie) = try await sandbox.approve(first, as: Self.zoe, client: client)
            guard case .authorized(_, let verifier) = callback else {
                Issue.record("expected an approval")
                return
            }
            let access = try await client.accessToken(requestToken: first, verifier: verifier)
            try await client.invalidateToken(access.token, secret: access.secret)

            let sessionCookie: String = try #require(cookie)
            let second = try await client.requestToken(callback: SandboxHarness.callback)
            let page = try await sandbox.browse(client.authenticationURL(for: second), cookie: sessionCookie)
            #expect(page.status == 200, "went straight back to \(page.headerValue("location") ?? "nowhere")")
        }
    }

    /// `oauth_callback` must be an absolute http(s) URL (README); one with a space, a line break or a NUL is none,
    /// and is refused at `request_token`, as Twitter does (the sandbox once took it, and wrote it into the consent
    /// redirect's `Location` header as it was).
    @Test(arguments: [
        "http://127.0.0.1:9/callback?next=a b",
        "http://127.0.0.1:9/call back",
        "http://127.0.0.1:9/callback?x=a\r\nSet-Cookie: a=b",
        "http://127.0.0.1:9/callback?x=\u{0}",
    ])
    func aCallbackThatIsNoURLIsRefusedAtRequestToken(callback: String) async throws {
        try await SandboxHarness.run { sandbox in
            let client = sandbox.client()
            await #expect(throws: TwitterError.self) {
                _ = try await client.requestToken(callback: callback)
            }
        }
    }
}
