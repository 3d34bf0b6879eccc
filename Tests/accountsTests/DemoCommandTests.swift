import Foundation
import TestSupport
import Testing
import TwitterOAuth
import TwitterSandbox

struct DemoCommandTests {
    /// What a browser does first: GET / and keep the session cookie and the CSRF token of the page's forms.
    struct Visitor {
        var cookie: String
        var csrf: String

        static func arrive(at base: URL) async throws -> (Visitor, String) {
            let home = try await AsyncHTTPClientTransport.shared.send(
                method: "GET", url: base, headers: [], body: [], timeout: .seconds(60), maximumResponseBodySize: 1 << 20
            )
            let text = String(decoding: home.body, as: UTF8.self)
            let cookie = try #require(home.headerValue("set-cookie")).prefix { $0 != ";" }
            let marker = try #require(text.range(of: "name=\"csrf_token\" value=\""))
            let csrf = text[marker.upperBound...].prefix { $0 != "\"" }
            return (Visitor(cookie: String(cookie), csrf: String(csrf)), text)
        }

        func post(_ url: URL, _ form: String) async throws -> HTTPTransportResponse {
            try await AsyncHTTPClientTransport.shared.send(
                method: "POST", url: url,
                headers: [
                    HTTPHeader(name: "Content-Type", value: "application/x-www-form-urlencoded"),
                    HTTPHeader(name: "Cookie", value: cookie),
                ],
                body: Array("csrf_token=\(csrf)&\(form)".utf8), timeout: .seconds(60), maximumResponseBodySize: 1 << 20)
        }
    }

    /// With no options: sandbox and app started, database migrated, a development key file made (0600), one line on
    /// stdout, a clean stop on SIGTERM.
    @Test func startsTheSandboxAndTheAppPrintsOneLineAndStopsCleanly() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/demo.sqlite"
            let server = try ServerProcess(accountsExecutable(), ["demo", "--port", "0", "--database", database])
            let line = try await server.firstLine()
            #expect(line.wholeMatch(of: /http:\/\/127\.0\.0\.1:\d+\//) != nil, "\(line)")
            let base = try #require(URL(string: line))

            // The home page offers the four ways in, and "Register with Twitter" goes to the sandbox's consent page
            let (visitor, home) = try await Visitor.arrive(at: base)
            for control in ["Register with Twitter", "Log in with Twitter", "Sign up with email", ">Log in<"] {
                #expect(home.contains(control), "\(control)")
            }
            let begin = try await visitor.post(base.appending(path: "register/twitter"), "")
            #expect(begin.status == 303)
            let authorize = try #require(begin.headerValue("location").flatMap(URL.init(string:)))
            #expect(
                authorize.host == "127.0.0.1" && authorize.port != base.port && authorize.path == "/oauth/authenticate")
            let consent = try await AsyncHTTPClientTransport.shared.send(
                method: "GET", url: authorize, headers: [], body: [], timeout: .seconds(60),
                maximumResponseBodySize: 1 << 20)
            #expect(String(decoding: consent.body, as: UTF8.self).contains("Authorize app"))

            // The development key file is beside the database, owner-only
            let keys = database + ".keys"
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: keys)[.posixPermissions] as? Int)
            #expect(mode == 0o600)

            // SIGTERM stops it with status 0; stdout held only the URL line; stderr said where the key went, never
            // the key or the sandbox's consumer secret
            #expect(await server.stop() == 0)
            #expect(try await server.remainingOutput() == "")
            let stderr = server.stderrText.value
            #expect(stderr.contains("made the development key file \(keys) (mode 0600)"))  // lint: no secret (a path)
            let keyText = String(decoding: fileBytes(keys), as: UTF8.self)
            let lastField = keyText.split(separator: ":").last?.trimmingCharacters(in: .whitespacesAndNewlines)
            let encodedKey = try #require(lastField, "the development key file holds no id:key line")
            expectAbsent(encodedKey, named: "the development key", in: stderr)
            expectAbsent("TWITTER_CONSUMER_SECRET", named: "the consumer secret's variable", in: stderr)
            #expect(!stderr.contains(" error "), "the app or the sandbox logged an error on an ordinary stop")
            #expect(try databaseDump(database).contains("browser_sessions"))

            // A second run reuses the key file (and says so)
            let again = try ServerProcess(accountsExecutable(), ["demo", "--port", "0", "--database", database])
            _ = try await again.firstLine()
            #expect(await again.stop(signal: SIGINT) == 0)
            let reused = again.stderrText.value
            #expect(reused.contains("using the development key file \(keys)"))  // lint: no secret (a path)
            #expect(String(decoding: fileBytes(keys), as: UTF8.self) == keyText)
        }
    }

    /// With --twitter-api-base and the consumer pair in the environment it talks to that server and starts no sandbox.
    @Test func withTwitterAPIBaseItUsesThatServerAndStartsNoSandbox() async throws {
        try await SandboxHarness.runInItsOwnProcess { sandbox in
            try await withTemporaryDirectory { dir in
                let keys = makeKeyRingLine()
                let server = try ServerProcess(
                    accountsExecutable(),
                    [
                        "demo", "--port", "0", "--database", dir + "/a.sqlite", "--twitter-api-base",
                        sandbox.baseURL.absoluteString,
                    ],
                    environment: [
                        "ACCOUNTS_KEYS": keys, "TWITTER_CONSUMER_KEY": sandbox.consumer.key,
                        "TWITTER_CONSUMER_SECRET": sandbox.consumer.secret,
                    ])
                let base = try #require(URL(string: try await server.firstLine()))
                let (visitor, _) = try await Visitor.arrive(at: base)
                let begin = try await visitor.post(base.appending(path: "login/twitter"), "")
                let authorize = try #require(begin.headerValue("location").flatMap(URL.init(string:)))
                #expect(authorize.port == sandbox.baseURL.port && authorize.path == "/oauth/authenticate")

                // The whole flow works against that server: approve, come back, get the registration form
                let token = try #require(
                    URLComponents(url: authorize, resolvingAgainstBaseURL: false)?.queryItems?.first {
                        $0.name == "oauth_token"
                    }?.value)
                let decision = try await sandbox.submitConsent(token: token, userID: 783_214, action: "authorize")
                let callback = try #require(decision.headerValue("location").flatMap(URL.init(string:)))
                #expect(callback.port == base.port && callback.path == "/register/twitter/callback")
                let landing = try await AsyncHTTPClientTransport.shared.send(
                    method: "GET", url: callback, headers: [HTTPHeader(name: "Cookie", value: visitor.cookie)],
                    body: [],
                    timeout: .seconds(60), maximumResponseBodySize: 1 << 20)
                #expect(landing.status == 303)
                #expect(landing.headerValue("location")?.hasPrefix("/register/details?draft=") == true)

                #expect(await server.stop() == 0)
                let stderr = server.stderrText.value
                #expect(stderr.contains("using the Twitter API at \(sandbox.baseURL.absoluteString)"))
                #expect(!stderr.contains("Twitter sandbox at"))
                expectAbsent(sandbox.consumer.secret, named: "the sandbox's consumer secret", in: stderr)
                #expect(!stderr.contains("development key file"))
                #expect(!FileManager.default.fileExists(atPath: dir + "/a.sqlite.keys"))
            }
        }
    }

    /// With --twitter-api-base at a port where nothing listens, "Log in with Twitter" gets the 502 page, and the log
    /// line says the connection was refused and what to check in the demo's terms (its flag), not as the library's
    /// advice to an app's developer (`TwitterClient`'s `baseURL:`).
    @Test func aRefusedTwitterAPIIsLoggedInTheDemosTerms() async throws {
        try await withTemporaryDirectory { dir in
            let secret = "cs-SECRET-0123456789"
            let server = try ServerProcess(
                accountsExecutable(),
                [
                    "demo", "--port", "0", "--database", dir + "/a.sqlite", "--twitter-api-base",
                    "http://127.0.0.1:\(try refusedPort())",
                ],
                environment: [
                    "ACCOUNTS_KEYS": makeKeyRingLine(), "TWITTER_CONSUMER_KEY": "ck", "TWITTER_CONSUMER_SECRET": secret,
                ])
            let base = try #require(URL(string: try await server.firstLine()))
            let (visitor, _) = try await Visitor.arrive(at: base)
            let begin = try await visitor.post(base.appending(path: "login/twitter"), "")
            #expect(begin.status == 502)
            #expect(String(decoding: begin.body, as: UTF8.self).contains("Twitter could not be reached"))
            #expect(await server.stop() == 0)
            let stderr = server.stderrText.value
            #expect(
                stderr.contains(
                    "web.error=Twitter: could not reach Twitter at 127.0.0.1: connection refused; check the network "
                        + "and the --twitter-api-base URL [AccountsHummingbird] registration step failed\n"),
                "\(stderr)")
            for library in ["TwitterClient", "baseURL", "timeout:", secret] {
                #expect(!stderr.contains(library), "\(stderr)")
            }
        }
    }

    @Test(
        arguments: [
            (
                ["--twitter-api-base", "http://127.0.0.1:9"], [:],
                "needs TWITTER_CONSUMER_KEY and TWITTER_CONSUMER_SECRET"
            ),
            (
                ["--twitter-api-base", "not a url"], ["TWITTER_CONSUMER_KEY": "k", "TWITTER_CONSUMER_SECRET": "s"],
                "--twitter-api-base must be an absolute http(s) URL"
            ),
            (
                ["--twitter-api-base", "http://127.0.0.1:9", "--users", "u.json"],
                ["TWITTER_CONSUMER_KEY": "k", "TWITTER_CONSUMER_SECRET": "s"], "--users is for the built-in sandbox"
            ),
            (["--port", "70000"], [:], "--port must be 0…65535"),
            (
                ["--twitter-api-base", "https://api.x.com/?SECRET=1"],
                ["TWITTER_CONSUMER_KEY": "k", "TWITTER_CONSUMER_SECRET": "s"],
                "--twitter-api-base must not carry a query"
            ),
            (
                ["--twitter-api-base", "https://api.x.com/#x"],
                ["TWITTER_CONSUMER_KEY": "k", "TWITTER_CONSUMER_SECRET": "s"],
                "--twitter-api-base must not carry a fragment"
            ),
            (
                // A base with credentials would show them to every browser sent to sign in, and in the log.
                ["--twitter-api-base", "http://proxyuser:PROXYPASSWORD@127.0.0.1:9"],
                ["TWITTER_CONSUMER_KEY": "k", "TWITTER_CONSUMER_SECRET": "s"],
                "--twitter-api-base must not carry a user name or password"
            ),
            (
                [
                    "--client-address-header", "X-Forwarded-For", "--trusted-proxy", "127.0.0.1", "--trusted-proxy",
                    "10.1.2.3/8",
                ], [:],
                #"--trusted-proxy: "10.1.2.3/8" has address bits set past its prefix: the range is written 10.0.0.0/8"#
            ),
            (
                ["--client-address-header", "X-Forwarded-For", "--trusted-proxy", "proxy.internal"], [:],
                #"--trusted-proxy: "proxy.internal" is no IP address or range"#
            ),
            (["--trusted-proxy", "127.0.0.1"], [:], "--trusted-proxy says whose --client-address-header to believe"),
            (["--client-address-header", "X Forwarded"], [:], #"--client-address-header "X Forwarded" is no HTTP"#),
            // (hosts are matched lowercase and without the port, as requests name them)
            (["--allowed-host", "Accounts.Example.org"], [:], #"--allowed-host "Accounts.Example.org" is no host"#),
            (
                [
                    "--client-address-header", "X-Forwarded-For", "--trusted-proxy", "127.0.0.1", "--allowed-host",
                    "accounts.example.org:443",
                ], [:], #"--allowed-host "accounts.example.org:443" is no host"#
            ),
            (["--allowed-host", "::1"], [:], #"--allowed-host "::1" is no host"#),
            (["--allowed-host", ""], [:], #"--allowed-host "" is no host"#),
        ] as [([String], [String: String], String)])
    func badOptionsAreUsageErrors(_ arguments: [String], _ environment: [String: String], _ message: String)
        async throws
    {
        try await withTemporaryDirectory { dir in
            let result = try await runAccounts(
                ["demo", "--database", dir + "/a.sqlite"] + arguments,
                environment: environment.merging(["TWITTER_CONSUMER_KEY": "", "TWITTER_CONSUMER_SECRET": ""]) {
                    given, _ in given
                })
            #expect(result.status == 64)
            #expect(result.stderr.contains(message), "\(result.stderr)")
            expectAbsent("PROXYPASSWORD", named: "the proxy's password", in: result.stderr)
            #expect(!FileManager.default.fileExists(atPath: dir + "/a.sqlite"))
            #expect(!FileManager.default.fileExists(atPath: dir + "/a.sqlite.keys"))
        }
    }

    /// `--client-address-header` and `--trusted-proxy` reach the routes: behind a trusted proxy on 127.0.0.1, sign-ins
    /// begun count by the address it names (30 per 10 minutes each).
    @Test func behindATrustedProxyBeginsCountByTheAddressItNames() async throws {
        try await withTemporaryDirectory { dir in
            let server = try ServerProcess(
                accountsExecutable(),
                [
                    "demo", "--port", "0", "--database", dir + "/demo.sqlite", "--client-address-header",
                    "X-Forwarded-For", "--trusted-proxy", "127.0.0.0/8",
                ])
            let base = try #require(URL(string: try await server.firstLine()))
            let (visitor, _) = try await Visitor.arrive(at: base)
            func begin(from address: String) async throws -> Int {
                try await AsyncHTTPClientTransport.shared.send(
                    method: "POST", url: base.appending(path: "login/twitter"),
                    headers: [
                        HTTPHeader(name: "Content-Type", value: "application/x-www-form-urlencoded"),
                        HTTPHeader(name: "Cookie", value: visitor.cookie),
                        HTTPHeader(name: "X-Forwarded-For", value: "\(address), 127.0.0.1"),
                    ],
                    body: Array("csrf_token=\(visitor.csrf)".utf8), timeout: .seconds(60),
                    maximumResponseBodySize: 1 << 20
                ).status
            }
            // Given sign-ins begun from 203.0.113.5 until one is refused (30 at once; on a slow machine one more for
            // every 20 s the 30 took)
            let clock = ContinuousClock()
            let start = clock.now
            var admitted = 0
            var status = 303
            while status == 303 && admitted < 60 {
                status = try await begin(from: "203.0.113.5")
                if status == 303 { admitted += 1 }
            }
            let seconds = Double((clock.now - start).components.seconds)
            #expect(status == 429)
            #expect(admitted >= 30 && admitted <= 30 + Int(seconds / 20) + 1, "\(admitted) in \(seconds) s")
            // When 203.0.113.6 begins one
            // Then it is let through: the first address's count is not the second's
            #expect(try await begin(from: "203.0.113.6") == 303)
            #expect(await server.stop() == 0)
        }
    }

    /// "Forgot your password?" in the demo: the mail lands in `<database>.outbox` (0600), after the confirmation mail
    /// of the sign-up; stderr names the file but never the link, and the link sets a new password.
    @Test func passwordResetMailsGoToTheOutboxFile() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/demo.sqlite"
            let server = try ServerProcess(accountsExecutable(), ["demo", "--port", "0", "--database", database])
            let base = try #require(URL(string: try await server.firstLine()))
            let (first, _) = try await Visitor.arrive(at: base)
            let signUp = try await first.post(
                base.appending(path: "signup"), "username=ann&email=ann%40example.org&password=correct+horse+battery")
            #expect(signUp.status == 303)

            // When ann says she forgot her password
            let (visitor, _) = try await Visitor.arrive(at: base)
            let sent = try await visitor.post(base.appending(path: "password/forgot"), "email=ann%40example.org")
            #expect(sent.status == 200)
            // Then a mail with a link on the demo's own address is appended to the outbox, owner-only
            let outbox = database + ".outbox"
            let read = { @Sendable in (try? String(contentsOfFile: outbox, encoding: .utf8)) ?? "" }
            // (both mails: each is sent after its answer, so on a loaded machine the second may land first)
            try await eventually { read().contains("password/reset?token=") && read().contains("email/confirm?token=") }
            let text = read()
            // (what a failure prints: the mails without their links' tokens)
            let shown = text.replacing(/token=[0-9a-f]+/, with: "token=<hidden>")
            let mails = text.components(separatedBy: "\n\nTo: ").map { $0.hasPrefix("To: ") ? $0 : "To: " + $0 }
            #expect(mails.count == 2, "\(shown)")
            #expect(
                mails.contains { $0.hasPrefix("To: ann@example.org\nSubject: Confirm your email address for ann\n") },
                "\(shown)")
            let confirmLink = text.contains(/http:\/\/127\.0\.0\.1:\d+\/email\/confirm\?token=[0-9a-f]{64}\n/)
            #expect(confirmLink, "no confirmation link on the demo's address: \(shown)")
            #expect(
                mails.contains { $0.hasPrefix("To: ann@example.org\nSubject: Choose a new password for ann\n") },
                "\(shown)")
            let resetLink = text.firstMatch(of: /http:\/\/127\.0\.0\.1:(\d+)\/password\/reset\?token=([0-9a-f]{64})/)
            let link = try #require(resetLink, "no reset link on the demo's address: \(shown)")
            #expect(Int(link.1) == base.port)
            let token = String(link.2)
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: outbox)[.posixPermissions] as? Int)
            #expect(mode == 0o600)

            // And the link sets a new password, with which ann logs in
            let reset = try await visitor.post(
                base.appending(path: "password/reset"), "token=\(token)&password=a+brand+new+passphrase")
            #expect(reset.status == 303 && reset.headerValue("location") == "/account?notice=password_reset")
            let (later, _) = try await Visitor.arrive(at: base)
            let login = try await later.post(
                base.appending(path: "login"), "login=ann&password=a+brand+new+passphrase")
            #expect(login.status == 303 && login.headerValue("location") == "/account?notice=signed_in")

            #expect(await server.stop() == 0)
            let stderr = server.stderrText.value
            #expect(stderr.contains("password reset mail for ann written to \(outbox)"))
            #expect(stderr.contains("email confirmation mail for ann written to \(outbox)"))
            expectAbsent(token, named: "the reset token", in: stderr)
        }
    }

    /// An outbox the demo cannot append to (here a directory where the file goes) is said on stderr with the file and
    /// the reason: the routes log only the error's type (`web.error=WriteFailed`), which named neither.
    @Test func anOutboxThatCannotBeWrittenIsNamedWithTheReason() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/demo.sqlite"
            let outbox = database + ".outbox"
            try FileManager.default.createDirectory(atPath: outbox, withIntermediateDirectories: false)
            let server = try ServerProcess(accountsExecutable(), ["demo", "--port", "0", "--database", database])
            let base = try #require(URL(string: try await server.firstLine()))
            let (first, _) = try await Visitor.arrive(at: base)
            let signUp = try await first.post(
                base.appending(path: "signup"), "username=ann&email=ann%40example.org&password=correct+horse+battery")
            #expect(signUp.status == 303)

            // When ann asks for a reset link
            let (visitor, _) = try await Visitor.arrive(at: base)
            let sent = try await visitor.post(base.appending(path: "password/forgot"), "email=ann%40example.org")
            #expect(sent.status == 200)

            // Then stderr names the outbox and why it could not be written (the demo lets its mails finish before it
            // stops, and stderr is read whole once it has)
            #expect(await server.stop() == 0)
            let said = server.stderrText.value.contains(
                "cannot write the demo outbox \(outbox): Is a directory; the password reset mail for ann was not "
                    + "written")
            #expect(said, "\(server.stderrText.value)")
            var isDirectory: ObjCBool = false
            #expect(FileManager.default.fileExists(atPath: outbox, isDirectory: &isDirectory) && isDirectory.boolValue)
        }
    }

    @Test func aBadUsersFileIsInvalidInputAndNothingStarts() async throws {
        try await withTemporaryDirectory { dir in
            writeFile(dir + "/users.json", Array("[]".utf8))
            let result = try await runAccounts([
                "demo", "--port", "0", "--database", dir + "/a.sqlite", "--users", dir + "/users.json",
            ])
            #expect(result.status == 65)
            #expect(
                result.stderr
                    == "accounts: error: invalid sandbox users file: \(dir)/users.json: the list of users is empty\n")
            #expect(result.stdout.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: dir + "/a.sqlite"))
        }
    }

    /// A directory given as the database is named as no database, before a development key file is made beside it.
    @Test func aDirectoryAsTheDatabaseMakesNoKeyFile() async throws {
        try await withTemporaryDirectory { dir in
            let database = dir + "/db"
            try FileManager.default.createDirectory(atPath: database, withIntermediateDirectories: false)
            let result = try await runAccounts(["demo", "--port", "0", "--database", database])
            #expect(result.status == 1)
            #expect(result.stderr.contains("\(database) is not an SQLite database"), "\(result.stderr)")
            #expect(result.stdout.isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["db"])
            #expect(try FileManager.default.contentsOfDirectory(atPath: database) == [])
        }
    }

    @Test func aPortInUseIsReportedPlainly() async throws {
        try await withTemporaryDirectory { dir in
            let first = try ServerProcess(
                accountsExecutable(), ["demo", "--port", "0", "--database", dir + "/a.sqlite"])
            let port = try #require(URL(string: try await first.firstLine())?.port)
            let second = try await runAccounts(["demo", "--port", "\(port)", "--database", dir + "/b.sqlite"])
            #expect(second.status == 1)
            #expect(
                second.stderr.contains("cannot listen on 127.0.0.1:\(port): the port is in use"), "\(second.stderr)")
            #expect(second.stdout.isEmpty)
            #expect(await first.stop() == 0)
        }
    }

    func makeKeyRingLine() -> String {
        "k1:" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
    }
}
