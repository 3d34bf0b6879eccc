// accounts-test-worker: drives the library from a separate process for multi-process tests.
//
//   accounts-test-worker race DATABASE TWITTER_ID ATTEMPTS TAG
//     completes ATTEMPTS registration drafts for one Twitter id at once; prints
//     `registered=N signedIn=N invalid=N errors=N` and one `error: …` line per error.
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
        twitter: TwitterClient(consumer: ConsumerCredentials(key: "unused", secret: "unused"), baseURL: URL(string: "http://127.0.0.1:9")!),
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
                twitterUserID: twitterID, screenName: "racer", credential: TwitterCredential(token: "tok-\(id)", secret: Secret("sec-\(id)")),
                profileJSON: Array("{\"id_str\":\"\(twitterID)\",\"screen_name\":\"racer\",\"name\":\"Racer\"}".utf8),
                fields: [:], linkUser: nil, createdAt: now, expiresAt: now.addingTimeInterval(600)))
        drafts.append((id, session))
    }
    let outcomes = await withTaskGroup(of: String.self) { group in
        for (index, draft) in drafts.enumerated() {
            group.addTask {
                do {
                    let form = RegistrationForm(username: "\(tag)_racer_\(index)", email: "\(tag).racer.\(index)@example.org")
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

do {
    switch arguments[1] {
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
