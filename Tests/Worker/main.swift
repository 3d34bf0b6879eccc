// accounts-test-worker: drives the library from a separate process for multi-process tests.
//
//   accounts-test-worker race DATABASE TWITTER_ID ATTEMPTS TAG
//     completes ATTEMPTS registration drafts for one Twitter id at once; prints
//     `registered=N signedIn=N invalid=N errors=N` and one `error: …` line per error.
//   accounts-test-worker register-loop DATABASE FIRST_TWITTER_ID
//     registers accounts one after another (draft → complete, each one transaction) until killed, printing each
//     new account's public id and Twitter id on stdout, flushed, only after `complete` returned.
//   accounts-test-worker soak DATABASE SECONDS TAG
//     for SECONDS, runs tasks that register, sign in (Twitter and password), link, unlink and read at once; prints
//     `op=count` lines and one `error: …` line per unexpected error.
// Keys come from ACCOUNTS_KEYS.
import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import Registration
import TwitterOAuth

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: accounts-test-worker race DATABASE TWITTER_ID ATTEMPTS TAG\n".utf8))
    exit(64)
}

func race(database: String, twitterID: TwitterUserID, attempts: Int, tag: String) async throws {
    let keyRing = try KeyRing.load(keysFile: nil, environment: ProcessInfo.processInfo.environment)
    let store = try AccountStore(configuration: StoreConfiguration(path: database), keyRing: keyRing)
    let service = RegistrationService(
        store: store,
        twitter: TwitterClient(
            consumer: ConsumerCredentials(key: "unused", secret: "unused"), baseURL: URL(string: "http://127.0.0.1:9")!),
        configuration: RegistrationService.Configuration(callbackURL: "http://127.0.0.1:9/cb"))
    // One draft per attempt, as if the same person had finished the Twitter leg in `attempts` tabs.
    var drafts: [(id: String, session: String)] = []
    for index in 0..<attempts {
        let id = "\(tag)-draft-\(index)"
        let session = "\(tag)-session-\(index)"
        let now = Date()
        try await store.saveDraft(
            RegistrationDraft(
                id: id, browserSession: RegistrationService.bindingForTests(session), purpose: .register,
                twitterUserID: twitterID, screenName: "racer",
                credential: TwitterCredential(token: "tok-\(id)", secret: Secret("sec-\(id)")),
                profileJSON: Array("{\"id_str\":\"\(twitterID)\",\"screen_name\":\"racer\",\"name\":\"Racer\"}".utf8),
                fields: [:], linkUser: nil, createdAt: now, expiresAt: now.addingTimeInterval(600)))
        drafts.append((id, session))
    }
    let outcomes = await withTaskGroup(of: String.self) { group in
        for (index, draft) in drafts.enumerated() {
            group.addTask {
                do {
                    let form = RegistrationForm(
                        username: "\(tag)_racer_\(index)", email: "\(tag).racer.\(index)@example.org")
                    switch try await service.complete(draftID: draft.id, form: form, browserSession: draft.session) {
                    case .registered: return "registered"
                    case .signedIn: return "signedIn"
                    case .invalid(let errors): return "invalid \(errors)"
                    }
                } catch {
                    return "error: \(error)"
                }
            }
        }
        var outcomes: [String] = []
        for await outcome in group { outcomes.append(outcome) }
        return outcomes
    }
    let registered = outcomes.filter { $0 == "registered" }.count
    let signedIn = outcomes.filter { $0 == "signedIn" }.count
    let invalid = outcomes.filter { $0.hasPrefix("invalid") }.count
    let errors = outcomes.filter { $0.hasPrefix("error") }
    print("registered=\(registered) signedIn=\(signedIn) invalid=\(invalid) errors=\(errors.count)")
    for error in errors { print(error) }
    try store.close()
}

func makeService(_ store: AccountStore) -> RegistrationService {
    RegistrationService(
        store: store,
        twitter: TwitterClient(
            consumer: ConsumerCredentials(key: "unused", secret: "unused"), baseURL: URL(string: "http://127.0.0.1:9")!),
        configuration: RegistrationService.Configuration(callbackURL: "http://127.0.0.1:9/cb"))
}

func saveDraft(_ store: AccountStore, id: String, session: String, twitterID: TwitterUserID) async throws {
    let now = Date()
    try await store.saveDraft(
        RegistrationDraft(
            id: id, browserSession: RegistrationService.bindingForTests(session), purpose: .register,
            twitterUserID: twitterID, screenName: "user\(twitterID)",
            credential: TwitterCredential(token: "tok-\(id)", secret: Secret("sec-\(id)")),
            profileJSON: Array(
                "{\"id_str\":\"\(twitterID)\",\"screen_name\":\"user\(twitterID)\",\"name\":\"User\"}".utf8),
            fields: [:], linkUser: nil, createdAt: now, expiresAt: now.addingTimeInterval(600)))
}

func registerLoop(database: String, firstTwitterID: UInt64) async throws {
    let keyRing = try KeyRing.load(keysFile: nil, environment: ProcessInfo.processInfo.environment)
    let store = try AccountStore(configuration: StoreConfiguration(path: database), keyRing: keyRing)
    let service = makeService(store)
    var twitterID = firstTwitterID
    while true {
        let tag = "\(twitterID)"
        try await saveDraft(store, id: "loop-\(tag)", session: "loop-session", twitterID: TwitterUserID(twitterID))
        let outcome = try await service.complete(
            draftID: "loop-\(tag)", form: RegistrationForm(username: "loop_\(tag)", email: "loop.\(tag)@example.org"),
            browserSession: "loop-session")
        guard case .registered(let account) = outcome else { throw WorkerError("unexpected outcome \(outcome)") }
        // Printed only after complete returned: the harness holds us to every line it read.
        FileHandle.standardOutput.write(Data("\(account.id) \(twitterID)\n".utf8))
        twitterID += 1
    }
}

struct WorkerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func soak(database: String, seconds: Double, tag: String) async throws {
    let keyRing = try KeyRing.load(keysFile: nil, environment: ProcessInfo.processInfo.environment)
    let store = try AccountStore(configuration: StoreConfiguration(path: database), keyRing: keyRing)
    let service = makeService(store)
    let local = LocalAccounts(
        store: store, hasher: PasswordHasher(parameters: .init(log2N: 8, r: 8, p: 1)), failureFloor: .zero)
    let passwordHash = try PasswordHasher(parameters: .init(log2N: 8, r: 8, p: 1)).hash(password: "soak password 123")
    let deadline = Date().addingTimeInterval(seconds)
    let results = await withTaskGroup(of: [String: Int].self) { group in
        for worker in 0..<4 {
            group.addTask {
                var counts: [String: Int] = [:]
                var iteration = 0
                let base = UInt64(abs(tag.hashValue % 1_000_000)) * 1_000_000 + UInt64(worker) * 100_000
                while Date() < deadline {
                    iteration += 1
                    let twitterID = TwitterUserID(base + UInt64(iteration))
                    let name = "\(tag)_\(worker)_\(iteration)"
                    do {
                        // Register through Twitter, sign in with Twitter again, add a password, unlink, relink, read.
                        try await saveDraft(store, id: "d-\(name)", session: "s-\(name)", twitterID: twitterID)
                        guard
                            case .registered(let account) = try await service.complete(
                                draftID: "d-\(name)",
                                form: RegistrationForm(username: name, email: "\(name)@example.org"),
                                browserSession: "s-\(name)")
                        else { throw WorkerError("registration did not register") }
                        counts["registered", default: 0] += 1
                        let identity = NewTwitterIdentity(
                            userID: twitterID, screenName: "renamed_\(iteration)", name: "User", profileJSON: nil)
                        guard
                            try await store.recordTwitterSignIn(
                                identity, credential: TwitterCredential(token: "t2", secret: Secret("s2"))) != nil
                        else { throw WorkerError("twitter sign-in found no account") }
                        counts["twitterSignIn", default: 0] += 1
                        try await store.setPasswordHash(
                            passwordHash, for: account.id, event: .passwordChanged, actor: "soak")
                        guard
                            case .signedIn = try await local.signIn(login: name, password: Secret("soak password 123"))
                        else {
                            throw WorkerError("password sign-in failed")
                        }
                        counts["passwordSignIn", default: 0] += 1
                        _ = try await store.unlinkTwitter(from: .id(account.id))
                        counts["unlinked", default: 0] += 1
                        try await store.linkTwitter(identity, credential: nil, to: .id(account.id))
                        counts["linked", default: 0] += 1
                        guard try store.accountID(twitterUserID: twitterID) == account.id else {
                            throw WorkerError("lookup mismatch")
                        }
                        _ = try await store.events(for: account.id)
                        counts["reads", default: 0] += 1
                    } catch {
                        counts["error: \(error)", default: 0] += 1
                    }
                }
                return counts
            }
        }
        var total: [String: Int] = [:]
        for await counts in group { total.merge(counts, uniquingKeysWith: +) }
        return total
    }
    for (op, count) in results.sorted(by: { $0.key < $1.key }) { print("\(op)=\(count)") }
    try store.close()
}

do {
    switch arguments[1] {
    case "register-loop" where arguments.count == 4:
        guard let first = UInt64(arguments[3]) else { exit(64) }
        try await registerLoop(database: arguments[2], firstTwitterID: first)
    case "soak" where arguments.count == 5:
        guard let seconds = Double(arguments[3]) else { exit(64) }
        try await soak(database: arguments[2], seconds: seconds, tag: arguments[4])
    case "race" where arguments.count == 6:
        guard let twitterID = TwitterUserID(decimal: arguments[3]), let attempts = Int(arguments[4]) else { exit(64) }
        try await race(database: arguments[2], twitterID: twitterID, attempts: attempts, tag: arguments[5])
    default:
        FileHandle.standardError.write(Data("unknown command \(arguments[1])\n".utf8))
        exit(64)
    }
} catch {
    FileHandle.standardError.write(Data("accounts-test-worker: \(error)\n".utf8))
    exit(1)
}
