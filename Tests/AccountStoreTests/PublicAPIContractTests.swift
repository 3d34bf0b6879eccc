import AccountCrypto
import AccountModel
import AccountStore
import AccountTransfer
import Foundation
import TestSupport
import Testing

/// The store's public API as an embedding app calls it: what a value given through it may turn into. README
/// ("Embedding the library"): "whatever the store holds, its export imports again"; `NewTwitterIdentity`'s own
/// documentation: its names are kept "as an import would take them, so that an export of the store imports again".
struct PublicAPIContractTests {
    /// Whether `error` is ``StoreError/invalid(_:)`` naming exactly `field`.
    static func isInvalid(_ error: any Error, naming field: Field) -> Bool {
        guard case .invalid(let errors) = error as? StoreError else { return false }
        return errors.map(\.field) == [field]
    }

    /// `NewAccount.passwordHash` is documented as "a password hash made by `PasswordHasher` (or an imported Django
    /// hash); never a password": a password put there by mistake would be kept in clear, written by `accounts export
    /// --include-password-hashes`, never sign in, and stop the store's own export from importing. It is refused,
    /// naming `password_hash`, with nothing written.
    @Test(arguments: ["correct horse battery staple", "scrypt$ln=15$r=8$p=1$c2FsdA==", "$2b$12$abc"])
    func aPasswordHashThatIsNoHashIsRefusedOrItsExportImportsAgain(_ text: String) async throws {
        try await withTemporaryDirectory { dir in
            let first = try makeStore(in: dir, name: "a.sqlite", now: TestClock().closure)
            defer { try? first.close() }
            do {
                _ = try await first.createAccount(newAccount("ann", passwordHash: text))
            } catch {
                #expect(Self.isInvalid(error, naming: .passwordHash), "\(error)")
                #expect(try await first.accountCount() == 0)
                return
            }
            let exported = try exportText(first, format: .jsonl, includePasswordHashes: true, directory: dir)
            let second = try makeStore(in: dir, name: "b.sqlite", now: TestClock().closure)
            defer { try? second.close() }
            let (report, problems) = try importText(exported, format: .jsonl, into: second, directory: dir)
            // (the problems name the field and never quote the value)
            #expect(problems == [], "createAccount stored a password hash its own export cannot import")
            #expect(report.imported == 1)
        }
    }

    /// `NewTwitterIdentity(screenName:name:)` trims the names, but a blank screen name stays blank (and so does the
    /// display name, which falls back to it), and the public `var`s take any text after `init`: kept, the store's
    /// export would have a line an import refuses (`twitter_screen_name: is required`, a name with a line break).
    /// They are refused, naming the field, with nothing written.
    @Test(arguments: [
        ("  ", "", Field.screenName),
        ("\u{3000}", "Ann", Field.screenName),
        ("ann\nx", "Ann", Field.screenName),  // set after init
        ("ann", "Ann\u{7}", Field.displayName),  // set after init
    ])
    func aTwitterIdentityAnImportWouldRefuseIsRefusedOrItsExportImportsAgain(
        screenName: String, name: String, field: Field
    ) async throws {
        try await withTemporaryDirectory { dir in
            let first = try makeStore(in: dir, name: "a.sqlite", now: TestClock().closure)
            defer { try? first.close() }
            var identity = NewTwitterIdentity(
                userID: TwitterUserID(783_214), screenName: screenName, name: name, profileJSON: nil)
            identity.screenName = screenName.contains("\n") ? screenName : identity.screenName
            identity.name = name.contains("\u{7}") ? name : identity.name
            do {
                _ = try await first.createAccount(
                    newAccount("ann"), linking: identity, credential: TwitterCredential(token: "t", secret: Secret("s"))
                )
            } catch {
                #expect(Self.isInvalid(error, naming: field), "\(error)")
                #expect(try await first.accountCount() == 0)
                return
            }
            for format in [TransferFormat.jsonl, .csv] {
                let exported = try exportText(first, format: format, directory: dir)
                let second = try makeStore(in: dir, name: "b-\(format).sqlite", now: TestClock().closure)
                defer { try? second.close() }
                let (report, problems) = try importText(exported, format: format, into: second, directory: dir)
                #expect(problems == [], "the store's own \(format) export does not import")
                #expect(report.imported == 1)
            }
        }
    }

    /// A negative limit reads no events, as `browserSessions(of:limit:)` reads no sessions: passed to SQLite, where
    /// `LIMIT -1` means no limit, a caller's arithmetic slip (`limit: shown - 1` with nothing shown) would read the
    /// whole trail (of the account, or of the store) into memory.
    @Test func aNegativeEventLimitReadsNoEventsRatherThanAllOfThem() async throws {
        try await withTemporaryDirectory { dir in
            let clock = TestClock()
            let store = try makeStore(in: dir, now: clock.closure)
            defer { try? store.close() }
            let ann = try await store.createAccount(newAccount("ann"))
            for index in 0..<30 {
                try await store.recordEvent(
                    AccountEvent(kind: .signedIn, subject: ann.id, actor: "user", occurredAt: clock.now))
                clock.advance(by: Double(index))
            }
            #expect(try await store.events(for: ann.id, limit: 5).count == 5)
            #expect(try await store.events(for: ann.id, limit: -1).count == 0)
            #expect(try await store.recentEvents(limit: -1).count == 0)
            let overview = try #require(try await store.accountOverview(.id(ann.id), eventLimit: -1))
            #expect(overview.recentEvents.count == 0)
            #expect(try await store.browserSessions(of: ann.id, limit: -1).count == 0)
        }
    }

    /// Every write of the public API that takes a `Date` from the caller turns it into whole microseconds: a time
    /// that is no number, infinite, or past ±292,000 years (from an app's own setting as easily as from a bug:
    /// `absoluteLifetime = .infinity` for "no absolute limit") is clamped to the years 0001–9999 rather than trapping,
    /// which would take the embedding app, and every request it was serving, down.
    @Test(arguments: ["session", "event", "pending", "draft"])
    func aTimeTheStoreCannotKeepIsRefusedNotATrap(_ write: String) async throws {
        try await withTemporaryDirectory { (directory: String) async -> Void in
            await #expect(processExitsWith: .success) { [write, directory = directory as String] in
                let store = try makeStore(in: directory)
                let now = Date(timeIntervalSince1970: 1_800_000_000)
                let never = Date(timeIntervalSince1970: .infinity)
                do {
                    switch write {
                    case "session":
                        try await store.createBrowserSession(
                            BrowserSession(
                                tokenHash: String(repeating: "a", count: 64), user: nil, csrfToken: "c", createdAt: now,
                                lastSeenAt: now, idleExpiresAt: now.addingTimeInterval(3600), expiresAt: never))
                    case "event":
                        try await store.recordEvent(
                            AccountEvent(
                                kind: .signedIn, subject: nil, actor: "user",
                                occurredAt: Date(timeIntervalSince1970: 1e13)))
                    case "pending":
                        try await store.savePendingAuthorization(
                            PendingAuthorization(
                                requestToken: "rt", requestTokenSecret: Secret("s"), browserSession: "b",
                                purpose: .register, linkUser: nil, createdAt: now, expiresAt: never))
                    default:
                        try await store.saveDraft(
                            RegistrationDraft(
                                id: "d", browserSession: "b", purpose: .register, twitterUserID: TwitterUserID(1),
                                screenName: "ann", credential: TwitterCredential(token: "t", secret: Secret("s")),
                                profileJSON: [], fields: [:], linkUser: nil, createdAt: now,
                                expiresAt: Date(timeIntervalSince1970: .nan)))
                    }
                } catch {
                    // refused with an error: what an app can handle
                    return
                }
                // stored without complaint: acceptable too, as long as the process lives
            }
        }
    }
}
