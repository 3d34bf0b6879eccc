import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import Hummingbird
import Logging
import Registration
import TestSupport
import Testing
import TwitterOAuth

/// README.md's ```swift blocks are the code in `Tests/ReadmeSampleTests/Samples`, which this target compiles as an app
/// depending on the package would (public API only: the target has no package access). Each block must appear in
/// one sample file as it is, whitespace aside, with each `…` standing for some code of the app's, and each block's
/// imports must be exactly its file's, so that what the README says to import is enough. The Package.swift fragment
/// is checked against Package.swift instead.
struct ReadmeSampleTests {
    /// A ```swift block of README.md: the line of its opening fence and its lines.
    struct Block: Sendable, CustomStringConvertible {
        let fenceLine: Int
        let lines: [String]

        var description: String { "README.md:\(fenceLine)" }
        /// The README line number of `lines[index]`.
        func line(_ index: Int) -> Int { fenceLine + 1 + index }
        var isPackageManifest: Bool { lines.first?.trimmingCharacters(in: .whitespaces) == "// Package.swift" }
    }

    /// A sample file: its name and its lines.
    struct SampleFile: Sendable {
        let name: String
        let lines: [String]

        /// The modules the file imports.
        var sampleImports: Set<String> {
            Set(lines.compactMap { ReadmeSampleTests.importedModule($0.trimmingCharacters(in: .whitespaces)) })
        }

        /// The file's code without whitespace and without import lines.
        var squeezedCode: String {
            lines.filter { ReadmeSampleTests.importedModule($0.trimmingCharacters(in: .whitespaces)) == nil }
                .map(ReadmeSampleTests.squeezed).joined()
        }
    }

    static let root = repositoryRoot()

    static func readme() throws -> String {
        try String(contentsOfFile: root + "/README.md", encoding: .utf8)
    }

    /// Every ```swift block of `text`.
    static func swiftBlocks(in text: String) -> [Block] {
        var blocks: [Block] = []
        var open: (line: Int, lines: [String])?
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if var block = open {
                if line.hasPrefix("```") {
                    blocks.append(Block(fenceLine: block.line, lines: block.lines))
                    open = nil
                } else {
                    block.lines.append(String(line))
                    open = block
                }
            } else if line.hasPrefix("```swift") {
                open = (index + 1, [])
            }
        }
        return blocks
    }

    static func sampleFiles() throws -> [SampleFile] {
        let folder = root + "/Tests/ReadmeSampleTests/Samples"
        return try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".swift") }.sorted()
            .map { name in
                let text = try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
                return SampleFile(name: name, lines: text.components(separatedBy: "\n"))
            }
    }

    /// The module `line` imports, if it is an import declaration.
    static func importedModule(_ line: String) -> String? {
        let words = line.split(separator: " ")
        guard words.count == 2, words[0] == "import" else { return nil }
        return String(words[1])
    }

    /// `line` without any whitespace: samples compare whitespace aside (alignment, indentation, line breaks).
    static func squeezed(_ line: String) -> String {
        String(line.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) }.map(Character.init))
    }

    /// A pattern matching `lines`, whitespace aside, each `…` standing for some text.
    static func pattern(_ lines: some Sequence<String>) -> String {
        lines.map(squeezed).joined().components(separatedBy: "…")
            .map { NSRegularExpression.escapedPattern(for: $0) }.joined(separator: ".+?")
    }

    static func matches(_ lines: some Sequence<String>, in code: String) -> Bool {
        code.range(of: pattern(lines), options: .regularExpression) != nil
    }

    /// The runs of a block's code lines between its import lines (blank lines left out), with their indices.
    static func segments(of block: Block) -> [[(index: Int, text: String)]] {
        var segments: [[(index: Int, text: String)]] = [[]]
        for (index, line) in block.lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if importedModule(trimmed) != nil {
                segments.append([])
            } else if !trimmed.isEmpty {
                segments[segments.count - 1].append((index, line))
            }
        }
        return segments.filter { !$0.isEmpty }
    }

    /// Where `file` stops holding `block`: nil when it holds all of it, else the index of the first line it lacks.
    static func firstMissingLine(of block: Block, in file: SampleFile) -> Int? {
        let code = file.squeezedCode
        for segment in segments(of: block) where !matches(segment.map(\.text), in: code) {
            var held = 0
            while held < segment.count, matches(segment[...held].map(\.text), in: code) { held += 1 }
            return segment[held].index
        }
        let imports = Set(block.lines.compactMap { importedModule($0.trimmingCharacters(in: .whitespaces)) })
        if !imports.isEmpty && imports != file.sampleImports { return block.lines.count }
        return nil
    }

    /// Every Swift block of README.md is in a sample file that compiles, and every sample file holds one.
    @Test func everySwiftBlockIsACompiledSample() throws {
        let blocks = Self.swiftBlocks(in: try Self.readme()).filter { !$0.isPackageManifest }
        let files = try Self.sampleFiles()
        #expect(blocks.count >= 13, "README.md has fewer ```swift blocks than expected: \(blocks.count)")
        var used = Set<String>()
        for block in blocks {
            let holders = files.filter { Self.firstMissingLine(of: block, in: $0) == nil }
            used.formUnion(holders.map(\.name))
            guard holders.isEmpty else { continue }
            // The file holding the longest part of the block names the line where they part.
            let closest = files.map { ($0, Self.firstMissingLine(of: block, in: $0) ?? 0) }.max { $0.1 < $1.1 }
            guard let (file, missing) = closest else { continue }
            if missing == block.lines.count {
                let imports = block.lines.filter { Self.importedModule($0.trimmingCharacters(in: .whitespaces)) != nil }
                Issue.record(
                    """
                    The Swift block at \(block) imports \(imports.map { $0.dropFirst(7) }.sorted()), but its \
                    sample, Tests/ReadmeSampleTests/Samples/\(file.name), imports \(file.sampleImports.sorted()): \
                    make them the same
                    """)
            } else {
                let parting =
                    missing == Self.segments(of: block).first?.first?.index
                    ? "it matches none" : "it parts from \(file.name)"
                Issue.record(
                    """
                    The Swift block at \(block) is in no file of Tests/ReadmeSampleTests/Samples: README.md line \
                    \(block.line(missing)) (\(block.lines[missing].trimmingCharacters(in: .whitespaces))) is where \
                    \(parting); \
                    edit a sample and its copy together, so that the README's keeps compiling
                    """)
            }
        }
        for file in files where !used.contains(file.name) {
            Issue.record("Tests/ReadmeSampleTests/Samples/\(file.name) holds no ```swift block of README.md any more")
        }
    }
}

extension ReadmeSampleTests {
    /// The products and dependencies README's Package.swift fragment names are the package's own.
    @Test func thePackageFragmentNamesWhatPackageSwiftHas() throws {
        let manifest = try String(contentsOfFile: Self.root + "/Package.swift", encoding: .utf8)
        let blocks = Self.swiftBlocks(in: try Self.readme()).filter(\.isPackageManifest)
        #expect(blocks.count == 1, "README.md should have one ```swift block starting // Package.swift")
        for block in blocks {
            for (index, line) in block.lines.enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                if code.hasPrefix(".product(name: \""), code.hasSuffix("package: \"accounts\"),") {
                    let name = code.dropFirst(".product(name: \"".count).prefix { $0 != "\"" }
                    #expect(
                        manifest.contains(".library(name: \"\(name)\""),
                        "README.md line \(block.line(index)) names the product \(name), which Package.swift lacks")
                } else if code.hasPrefix(".package(url: \"https://github.com/apple/") {
                    // A dependency the fragment says to add beside this package: the version this package asks for.
                    #expect(
                        manifest.contains(code),
                        "README.md line \(block.line(index)) (\(code)) differs from Package.swift's dependency")
                }
            }
        }
    }

    /// Every dependency README tells an app to add beside this package, in a manifest block or in a sample's comment,
    /// names the version Package.swift asks for: an older lower bound lets an app pin a version this package does not
    /// build with.
    @Test func everyDependencyReadmeNamesHasPackageSwiftsVersion() throws {
        let manifest = try String(contentsOfFile: Self.root + "/Package.swift", encoding: .utf8)
        let readme = try Self.readme()
        let pattern = #/\.package\(url: "https://github\.com/([^"<>]+)", from: "([^"]+)"\)/#
        var named = 0
        for (index, line) in readme.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            for match in line.matches(of: pattern) {
                named += 1
                let (repository, version) = (String(match.1), String(match.2))
                let expected = ".package(url: \"https://github.com/\(repository)\", from: \"\(version)\")"
                let declared = manifest.contains(expected)  // a Bool, so that a failure does not print the manifest
                #expect(
                    declared,
                    """
                    README.md line \(index + 1) names \(repository) from \(version), but Package.swift asks for \
                    another version of it (or none): copy Package.swift's
                    """)
            }
        }
        #expect(named >= 2, "README.md names fewer dependencies than expected: \(named)")
    }

    /// README's explanation sample, run on a real store: ann, and ann again through Twitter, are explained.
    @Test func theExplanationSampleRunsOnAStore() async throws {
        try await withTemporaryDirectory { directory in
            // Given a store with two accounts of one person
            let store = try makeStore(in: directory)
            let ann = try await store.createAccount(newAccount("ann", email: "ann@example.org"))
            let annOnTwitter = try await store.createAccount(newAccount("ann_b"))
            // When the sample explains them, then it does without throwing
            try DuplicateExplanationSample(store: store, ann: ann, annOnTwitter: annOnTwitter).run()
            try store.close()
        }
    }

    /// README's in-process sandbox sample, run: it starts the sandbox, its client gets a request token, and it stops.
    @Test func theInProcessSandboxSampleRuns() async throws {
        let sample = SandboxInProcessSample()
        try await sample.run()
        #expect(sample.seen.count == 1)
    }

    /// README's graceful stop sample, run: the app answers, stops, and logs no error, where cancelling its task had
    /// HummingbirdCore log "Waiting on child channel: CancellationError()" at error level.
    @Test func theGracefulStopSampleStopsWithoutAnError() async throws {
        let lines = Locked<[String]>([])
        let router = Router()
        router.get("/hello") { _, _ in "hello" }
        let statuses = Locked<[Int]>([])
        let sample = GracefulStopSample(router: router, logger: capturingLogger(lines)) { port in
            let response = try await AsyncHTTPClientTransport.shared.send(
                method: "GET", url: URL(string: "http://127.0.0.1:\(port)/hello")!, headers: [], body: [],
                timeout: .seconds(300), maximumResponseBodySize: 1 << 10)
            statuses.withLock { $0.append(response.status) }
        }
        try await sample.run()
        #expect(statuses.value == [200])
        let errors = lines.value.filter { $0.hasPrefix("error ") || $0.hasPrefix("critical ") }
        #expect(errors.isEmpty, "\(errors)")
    }

    /// README's mount path and proxy samples, run: the routes are added under `/accounts`, and the proxy settings are
    /// ones the routes take.
    @Test func theMountPathAndProxySamplesRun() async throws {
        try await withTemporaryDirectory { directory in
            let store = try makeStore(in: directory)
            let registration = RegistrationService(
                store: store,
                twitter: TwitterClient(
                    consumer: ConsumerCredentials(key: "key", secret: "secret"),
                    baseURL: URL(string: "http://127.0.0.1:9")!),
                configuration: .init(callbackURL: "http://127.0.0.1:9" + AccountRoutes.callbackPath))
            let router = Router(context: AccountsRequestContext.self)
            MountPathSample(
                store: store, registration: registration, local: LocalAccounts(store: store), router: router
            )
            .run()
            let proxies = try proxySample()
            #expect(proxies.clientAddressHeader == "X-Forwarded-For")
            #expect(proxies.trustedProxies == [try AccountRoutes.AddressRange("10.1.0.0/16")])
            try store.close()
        }
    }
}

extension ReadmeSampleTests {
    /// README's "Without Twitter" sample, run: without a consumer key in the environment the routes let forms lead
    /// only to the site; with one, to Twitter too.
    @Test func theWithoutTwitterSampleRuns() async throws {
        try await withTemporaryDirectory { directory in
            let store = try makeStore(in: directory)
            func policy(_ environment: [String: String]) -> String? {
                let routes = WithoutTwitterSample(
                    store: store, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                    web: AccountRoutes.Configuration(), router: Router(context: AccountsRequestContext.self),
                    environment: environment
                )
                .run()
                return routes.htmlResponse("<p>x</p>").headers[.contentSecurityPolicy]
            }
            let without = try #require(policy([:]))
            #expect(without.contains("; form-action 'self'; "), "\(without)")
            let with = try #require(
                policy(["TWITTER_CONSUMER_KEY": "key", "TWITTER_CONSUMER_SECRET": "secret"]))
            #expect(with.contains("; form-action 'self' https://api.x.com "), "\(with)")
            try store.close()
        }
    }
}

extension ReadmeSampleTests {
    /// README's `TestBrowser` sample, run against the routes on 127.0.0.1 with a sandbox in the process: its
    /// expectations hold, and it leaves the two accounts it made.
    @Test func theTestBrowserSampleRuns() async throws {
        try await SandboxHarness.run { sandbox in
            try await withTemporaryDirectory { directory in
                let store = try makeStore(in: directory)
                let registration = RegistrationService(
                    store: store, twitter: sandbox.client(),
                    configuration: .init(callbackURL: "http://127.0.0.1" + AccountRoutes.callbackPath))
                var web = AccountRoutes.Configuration()
                web.allowedHosts = ["127.0.0.1"]
                let routes = AccountRoutes(
                    store: store, registration: registration, local: LocalAccounts(store: store), configuration: web)
                let router = Router(context: AccountsRequestContext.self)
                routes.addRoutes(to: router)
                let (ports, ready) = AsyncStream<Int>.makeStream()
                let application = Application(
                    router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                    onServerRunning: { channel in ready.yield(channel.localAddress?.port ?? 0) })
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        defer { ready.finish() }
                        try await application.run()
                    }
                    var port = ports.makeAsyncIterator()
                    let appURL = URL(string: "http://127.0.0.1:\(try #require(await port.next()))")!
                    do {
                        try await TestBrowserSample(appURL: appURL, sandboxURL: sandbox.baseURL).run()
                    } catch {
                        group.cancelAll()
                        throw error
                    }
                    group.cancelAll()
                }
                await routes.finishMails()
                #expect(try await store.accountCount() == 2)
                let zoe = try await store.account(.username("zoe"))
                #expect(zoe?.twitter?.screenName == "zoe_angstrom" && zoe?.email == "zoe@example.com")
                try store.close()
            }
        }
    }
}
