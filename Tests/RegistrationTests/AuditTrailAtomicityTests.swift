import AccountCrypto
import AccountModel
import AccountStore
import AccountTransfer
import Foundation
import Registration
import TestSupport
import Testing

/// Every change the audit trail records lands with its events or not at all (README: "Every sign-in, link, unlink and
/// deletion goes into an audit trail"; ARCHITECTURE: created, signed in, linked, unlinked, password changed, deleted,
/// keys rewrapped), against a real SQLite file. Each way an account is made, signed in, linked, unlinked, given or
/// relieved of a password, reset, given an address, disabled, signed out, deleted, imported or rewrapped is run with a
/// fault at each end of the window the change and its event share: the event's INSERT refused (as on a full disk), and
/// the COMMIT refused after every statement ran (a deferred foreign key that a trigger on the event breaks). Either way
/// the call fails and the file holds what it held before: no change without its event, no event without its change.
/// Without a fault, the same call goes through and records each of those events.
struct AuditTrailAtomicityTests {
    static let password = Secret("correct horse battery staple")
    static let newPassword = Secret("a fresh one nobody else knows")

    /// Where a fault is injected, for one event kind.
    enum Fault: CaseIterable, CustomStringConvertible {
        /// The event's INSERT fails.
        case eventRefused
        /// The event is written, and everything after it in the transaction; the COMMIT fails.
        case commitRefused

        var description: String {
            switch self {
            case .eventRefused: "the event refused"
            case .commitRefused: "the commit refused"
            }
        }

        func sql(for kind: AccountEventKind) -> String {
            switch self {
            case .eventRefused:
                """
                CREATE TRIGGER audit_fault BEFORE INSERT ON account_events WHEN NEW.kind = '\(kind.rawValue)'
                BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END
                """
            case .commitRefused:
                """
                CREATE TABLE audit_fault_parent (id INTEGER PRIMARY KEY);
                CREATE TABLE audit_fault_child (
                    parent INTEGER REFERENCES audit_fault_parent (id) DEFERRABLE INITIALLY DEFERRED);
                CREATE TRIGGER audit_fault AFTER INSERT ON account_events WHEN NEW.kind = '\(kind.rawValue)'
                BEGIN INSERT INTO audit_fault_child (parent) VALUES (1); END
                """
            }
        }

        static let removal = """
            DROP TRIGGER IF EXISTS audit_fault; DROP TABLE IF EXISTS audit_fault_child;
            DROP TABLE IF EXISTS audit_fault_parent;
            """
    }

    /// A store over a new file in `dir`, and the password service over it.
    struct Fixture {
        let store: AccountStore
        let local: LocalAccounts
        let clock: TestClock
        let database: String
        let dir: String

        /// Runs `change` with each fault on each of `kinds`, expecting it to fail and leave the file as it was (but for
        /// the rows of `excluding`: attempts counted before a password is checked, in a transaction of their own),
        /// then without a fault, expecting it to record one more event of each of `kinds`.
        func expectAtomic(
            _ name: String, records kinds: [AccountEventKind], excluding: Set<String> = [],
            sourceLocation: SourceLocation = #_sourceLocation, _ change: () async throws -> Void
        ) async throws {
            let before = try databaseDump(database, excluding: excluding)
            for kind in kinds {
                for fault in Fault.allCases {
                    try executeSQL(database, fault.sql(for: kind))
                    var failure: (any Error)?
                    do {
                        try await change()
                    } catch {
                        failure = error
                    }
                    try executeSQL(database, Fault.removal)
                    #expect(
                        failure != nil, "\(name) went through with \(fault) on \(kind)", sourceLocation: sourceLocation)
                    let after = try databaseDump(database, excluding: excluding)
                    #expect(
                        after == before,
                        "\(name), \(fault) on \(kind): \(Self.firstDifference(before, after))",
                        sourceLocation: sourceLocation)
                }
            }
            let counts = kinds.map { count(of: $0) }
            try await change()
            for (kind, counted) in zip(kinds, counts) {
                #expect(count(of: kind) == counted + 1, "\(name) recorded no \(kind)", sourceLocation: sourceLocation)
            }
        }

        func count(of kind: AccountEventKind) -> Int {
            countQuery(database, "SELECT count(*) FROM account_events WHERE kind = '\(kind.rawValue)'")
        }

        /// The first line of `after` that differs from `before`'s, and the line it replaced.
        static func firstDifference(_ before: String, _ after: String) -> String {
            let (old, new) = (before.split(separator: "\n"), after.split(separator: "\n"))
            for index in 0..<max(old.count, new.count) {
                let was = index < old.count ? String(old[index]) : "(nothing)"
                let now = index < new.count ? String(new[index]) : "(nothing)"
                if was != now { return "line \(index + 1) was \(was), now \(now)" }
            }
            return "no difference"
        }

        /// A live session of `user`; returns its token hash.
        @discardableResult
        func addSession(_ user: UserID) async throws -> String {
            let id = SHA256.hexDigest(SecureRandom.bytes(count: 32))
            let hash = SHA256.hexDigest(Array(id.utf8))
            try await store.createBrowserSession(
                BrowserSession(
                    tokenHash: hash, user: user, csrfToken: id, createdAt: clock.now, lastSeenAt: clock.now,
                    idleExpiresAt: clock.now.addingTimeInterval(3600),
                    expiresAt: clock.now.addingTimeInterval(30 * 24 * 3600)))
            return hash
        }

        /// An account with a password and `email`, signed up.
        func signUp(_ username: String, email: String) async throws -> Account {
            try await local.signUp(SignUpForm(username: username, email: email, password: password))
        }

        /// An account made through Twitter (no password), with a stored access token.
        func register(_ username: String, twitterID: String) async throws -> Account {
            try await store.createAccount(
                newAccount(username, email: "\(username)@example.org"), linking: twitterIdentity(twitterID),
                credential: credential(twitterID))
        }

        func credential(_ seed: String) -> TwitterCredential {
            TwitterCredential(token: "token-\(seed)", secret: Secret("secret-\(seed)"))
        }

        var password: Secret { AuditTrailAtomicityTests.password }
    }

    func withFixture(_ body: (Fixture) async throws -> Void) async throws {
        try await withTemporaryDirectory { dir in
            let clock = TestClock()
            let store = try makeStore(in: dir, now: clock.closure)
            defer { try? store.close() }
            let local = LocalAccounts(store: store, hasher: LocalAccountsTests.fastHasher, failureFloor: .zero)
            try await body(
                Fixture(store: store, local: local, clock: clock, database: dir + "/accounts.sqlite", dir: dir))
        }
    }

    /// Sign-ups, registrations through Twitter (one keeping the address Twitter gave confirms it), and sign-ins with a
    /// password or through Twitter (refused for a disabled account, and a sign-in's session refused once the account's
    /// sessions ended after its checks began).
    @Test func accountsAreMadeAndSignedInWithTheirEventsOrNotAtAll() async throws {
        try await withFixture { fixture in
            let (store, local) = (fixture.store, fixture.local)
            try await fixture.expectAtomic("an email sign-up", records: [.created]) {
                _ = try await local.signUp(
                    SignUpForm(username: "ann", email: "ann@example.org", password: fixture.password))
            }
            try await fixture.expectAtomic("a registration through Twitter", records: [.created, .linked]) {
                _ = try await fixture.register("tess", twitterID: "1001")
            }
            try await fixture.expectAtomic(
                "a registration through Twitter keeping Twitter's address",
                records: [.created, .linked, .emailVerified]
            ) {
                var new = newAccount("tia", email: "tia@example.org")
                new.emailVerified = true
                _ = try await store.createAccount(
                    new, linking: twitterIdentity("1003"), credential: fixture.credential("1003"))
            }
            try await fixture.expectAtomic(
                "a password sign-in", records: [.signedIn], excluding: ["sign_in_failures"]
            ) {
                guard case .signedIn = try await local.signIn(login: "ann@example.org", password: fixture.password)
                else { throw Failure.outcome("not signed in") }
            }
            try await fixture.expectAtomic("a sign-in through Twitter", records: [.signedIn]) {
                guard
                    try await store.recordTwitterSignIn(
                        twitterIdentity("1001", screenName: "tess_renamed"), credential: fixture.credential("1001b"))
                        != nil
                else { throw Failure.outcome("no account signed in") }
            }
            // A sign-in's session refused because the account's sessions ended after its checks began
            let ann = try #require(try await store.account(.username("ann")))
            let mark = try await store.eventMark()
            try await fixture.addSession(ann.id)
            _ = try await store.deleteBrowserSessions(of: ann.id)
            let session = BrowserSession(
                tokenHash: SHA256.hexDigest(SecureRandom.bytes(count: 32)), user: ann.id, csrfToken: "csrf",
                createdAt: fixture.clock.now, lastSeenAt: fixture.clock.now,
                idleExpiresAt: fixture.clock.now.addingTimeInterval(3600),
                expiresAt: fixture.clock.now.addingTimeInterval(30 * 24 * 3600))
            try await fixture.expectAtomic("a sign-in's session refused", records: [.signInRefused]) {
                guard
                    try await store.replaceBrowserSession(
                        nil, with: session, unlessEndedAfter: mark, notingDevice: "curl") == .failure(.sessionsEnded)
                else { throw Failure.outcome("a session opened") }
            }
            _ = try await fixture.register("dora", twitterID: "1002")
            _ = try await store.setAccountStatus(.username("dora"), to: .disabled)
            try await fixture.expectAtomic("a Twitter sign-in refused to a disabled account", records: [.signInRefused])
            {
                do {
                    _ = try await store.recordTwitterSignIn(
                        twitterIdentity("1002"), credential: fixture.credential("1002b"))
                    throw Failure.outcome("a disabled account signed in")
                } catch StoreError.accountDisabled {}
            }
        }
    }

    /// Links and unlinks of a Twitter account: by the person, and by a password reset or an undone change of address
    /// that takes the account back.
    @Test func twitterAccountsAreLinkedAndUnlinkedWithTheirEventsOrNotAtAll() async throws {
        try await withFixture { fixture in
            let (store, local) = (fixture.store, fixture.local)
            let lin = try await fixture.signUp("lin", email: "lin@example.org")
            try await fixture.expectAtomic("a link", records: [.linked]) {
                try await store.linkTwitter(
                    twitterIdentity("2001"), credential: fixture.credential("2001"), to: .id(lin.id))
            }
            try await fixture.addSession(lin.id)
            try await fixture.expectAtomic("an unlink", records: [.unlinked]) {
                _ = try await store.unlinkTwitter(from: .id(lin.id))
            }

            // A reset that proves an unconfirmed address unlinks the Twitter account linked before it
            let rita = try await fixture.signUp("rita", email: "rita@example.org")
            try await store.linkTwitter(
                twitterIdentity("2002"), credential: fixture.credential("2002"), to: .id(rita.id))
            let reset = try #require(try await local.requestPasswordReset(email: "rita@example.org"))
            try await fixture.expectAtomic(
                "a password reset confirming the address", records: [.emailVerified, .unlinked, .passwordReset]
            ) {
                let outcome = try await local.resetPasswordReporting(token: reset.token, newPassword: Self.newPassword)
                guard outcome.unlinkedTwitter != nil else { throw Failure.outcome("nothing unlinked") }
            }

            // An undone change of address unlinks the Twitter account linked since the change
            let uma = try await fixture.signUp("uma", email: "uma@example.org")
            let confirmation = try #require(try await local.requestEmailVerification(for: uma.id))
            try await local.verifyEmail(token: confirmation.token)
            let change = try #require(
                try await local.requestEmailChange(for: uma.id, to: "taker@example.net", current: fixture.password))
            let moved = try #require(try await local.followEmailLink(token: change.token, issuingUndo: true))
            let undo = try #require(moved.undo)
            try await store.linkTwitter(
                twitterIdentity("2003"), credential: fixture.credential("2003"), to: .id(uma.id))
            try await fixture.expectAtomic(
                "an undone change of address", records: [.emailChangeUndone, .unlinked], excluding: ["sign_in_failures"]
            ) {
                let outcome = try await local.undoEmailChange(token: undo.token, newPassword: Self.newPassword)
                guard outcome.unlinkedTwitter != nil else { throw Failure.outcome("nothing unlinked") }
            }
        }
    }

    /// Passwords changed, added, removed, reset links asked for, addresses confirmed and changed.
    @Test func passwordsAndAddressesChangeWithTheirEventsOrNotAtAll() async throws {
        try await withFixture { fixture in
            let (store, local) = (fixture.store, fixture.local)
            let ann = try await fixture.signUp("ann", email: "ann@example.org")
            try await fixture.addSession(ann.id)
            try await fixture.expectAtomic(
                "a password change", records: [.passwordChanged], excluding: ["sign_in_failures"]
            ) {
                try await local.changePassword(for: ann.id, current: fixture.password, new: Self.newPassword)
            }
            let tim = try await fixture.register("tim", twitterID: "3001")
            try await fixture.expectAtomic("a password added", records: [.passwordAdded]) {
                try await local.setPassword(for: tim.id, new: fixture.password)
            }
            try backdateTwitterLinks(of: store)
            try await fixture.expectAtomic(
                "a password removed", records: [.passwordRemoved], excluding: ["sign_in_failures"]
            ) {
                try await local.removePassword(for: tim.id, current: fixture.password)
            }
            _ = try await fixture.signUp("rex", email: "rex@example.org")
            try await fixture.expectAtomic("a reset link asked for", records: [.passwordResetRequested]) {
                guard try await local.requestPasswordReset(email: "rex@example.org") != nil else {
                    throw Failure.outcome("no link issued")
                }
            }
            let vera = try await fixture.signUp("vera", email: "vera@example.org")
            try await fixture.expectAtomic("a confirmation link asked for", records: [.emailVerificationRequested]) {
                guard try await local.requestEmailVerification(for: vera.id) != nil else {
                    throw Failure.outcome("no link issued")
                }
            }
            let confirmation = try #require(try await local.requestEmailVerification(for: vera.id))
            try await fixture.expectAtomic("an address confirmed", records: [.emailVerified]) {
                try await local.verifyEmail(token: confirmation.token)
            }
            let change = try #require(
                try await local.requestEmailChange(for: vera.id, to: "vera@example.net", current: fixture.password))
            try await fixture.expectAtomic("an address changed", records: [.emailChanged]) {
                let outcome = try await local.followEmailLink(token: change.token, issuingUndo: true)
                guard outcome?.undo != nil else { throw Failure.outcome("no undo link") }
            }
            #expect(try await store.account(.id(vera.id))?.email == "vera@example.net")
        }
    }

    /// An operator's disabling, enabling and signing out, the person's signing out of one other browser, and deletions
    /// by either.
    @Test func accountsAreDisabledSignedOutAndDeletedWithTheirEventsOrNotAtAll() async throws {
        try await withFixture { fixture in
            let (store, local) = (fixture.store, fixture.local)
            let opal = try await fixture.signUp("opal", email: "opal@example.org")
            try await fixture.addSession(opal.id)
            try await fixture.expectAtomic("a disabling", records: [.disabled]) {
                _ = try await store.setAccountStatus(.id(opal.id), to: .disabled, reason: "ticket 4711")
            }
            try await fixture.expectAtomic("an enabling", records: [.enabled]) {
                _ = try await store.setAccountStatus(.id(opal.id), to: .active)
            }
            try await fixture.addSession(opal.id)
            try await fixture.expectAtomic("a sign-out everywhere", records: [.sessionsRevoked]) {
                _ = try await store.deleteBrowserSessions(of: opal.id, actor: "cli")
            }
            let kept = try await fixture.addSession(opal.id)
            let other = try await fixture.addSession(opal.id)
            try await fixture.expectAtomic("one other browser signed out", records: [.sessionEnded]) {
                guard
                    try await store.endBrowserSession(
                        handle: String(other.prefix(BrowserSession.handleLength)), of: opal.id, keeping: kept)
                else { throw Failure.outcome("no session ended") }
            }
            let dell = try await fixture.register("dell", twitterID: "4001")
            try await fixture.addSession(dell.id)
            try await fixture.expectAtomic("a deletion by an operator", records: [.deleted]) {
                _ = try await store.deleteAccount(.username("dell"), actor: "cli")
            }
            let owen = try await fixture.signUp("owen", email: "owen@example.org")
            try await store.linkTwitter(
                twitterIdentity("4002"), credential: fixture.credential("4002"), to: .id(owen.id))
            try await fixture.expectAtomic(
                "a deletion by its owner", records: [.deleted], excluding: ["sign_in_failures"]
            ) {
                _ = try await local.deleteAccount(for: owen.id, current: fixture.password)
            }
        }
    }

    /// An import (its one `imported` event) and a rewrap to a new key (its `keys_rewrapped` event, batch by batch).
    @Test func importsAndRewrapsLandWithTheirEventsOrNotAtAll() async throws {
        try await withTemporaryDirectory { dir in
            let clock = TestClock()
            let old = try SecretKey.generate(id: "k1")
            let before = try makeStore(in: dir, keyRing: try KeyRing(keys: [old]), now: clock.closure)
            _ = try await before.createAccount(
                newAccount("kit"), linking: twitterIdentity("5001"),
                credential: TwitterCredential(token: "token-5001", secret: Secret("secret-5001")))
            try before.close()
            let store = try makeStore(
                in: dir, keyRing: try KeyRing(keys: [try SecretKey.generate(id: "k2"), old]), now: clock.closure)
            defer { try? store.close() }
            let fixture = Fixture(
                store: store, local: LocalAccounts(store: store, hasher: LocalAccountsTests.fastHasher),
                clock: clock, database: dir + "/accounts.sqlite", dir: dir)
            let lines = """
                {"username": "ivy", "email": "ivy@example.org"}
                {"username": "ike", "twitter": {"id": "5002", "screen_name": "ike", "name": "Ike"}}

                """
            try await fixture.expectAtomic("an import", records: [.imported]) {
                let (report, problems) = try importText(lines, format: .jsonl, into: store, directory: dir)
                guard report.committed, problems.isEmpty else { throw Failure.outcome("\(report) \(problems)") }
            }
            try await fixture.expectAtomic("a rewrap", records: [.keysRewrapped]) {
                guard try await store.rewrapSealedValues().rewrapped == 1 else { throw Failure.outcome("no rewrap") }
            }
        }
    }

    enum Failure: Error {
        case outcome(String)
    }
}
