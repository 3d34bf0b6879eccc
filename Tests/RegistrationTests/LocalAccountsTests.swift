import AccountCrypto
import AccountMatching
import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing

struct LocalAccountsTests {
    /// Cheap scrypt parameters keep the suite fast; the defaults are measured by the benchmark.
    static let fastHasher = PasswordHasher(parameters: .init(log2N: 10, r: 8, p: 1))
    static let password = Secret("correct horse battery staple")

    func withService(
        _ body: (LocalAccounts, AccountStore, TestClock, String) async throws -> Void
    ) async throws {
        try await withTemporaryDirectory { dir in
            let clock = TestClock()
            let store = try makeStore(in: dir, now: clock.closure)
            defer { try? store.close() }
            try await body(LocalAccounts(store: store, hasher: Self.fastHasher, failureFloor: .zero), store, clock, dir)
        }
    }

    @Test func signsUpAndSignsInByUsernameOrEmailCaseInsensitively() async throws {
        try await withService { local, store, _, _ throws in
            let account = try await local.signUp(
                SignUpForm(username: "Ann", email: " Ann@Example.org ", password: Self.password, firstName: "Ann"))
            #expect(account.hasPassword && account.email == "Ann@Example.org" && account.firstName == "Ann")

            for login in ["ann", "ANN@example.ORG", "  Ann@Example.org"] {
                guard case .signedIn(let signedIn) = try await local.signIn(login: login, password: Self.password)
                else {
                    Issue.record("\(login) did not sign in")
                    continue
                }
                #expect(signedIn.id == account.id && signedIn.lastSignInAt != nil)
            }
            let kinds = try await store.events(for: account.id).map(\.kind)
            #expect(kinds == [.signedIn, .signedIn, .signedIn, .created])
        }
    }

    @Test func reportsEveryFieldErrorAtOnceAndWritesNothing() async throws {
        try await withService { local, store, _, _ throws in
            await #expect(
                throws: LocalAccountError.invalid([
                    FieldError(.username, "may contain only ASCII letters, digits, '_', '.' and '-'"),
                    FieldError(.email, "must contain '@'"),
                    FieldError(.password, "must be at least 10 characters"),
                ])
            ) {
                try await local.signUp(SignUpForm(username: "ann smith", email: "nope", password: Secret("short")))
            }
            #expect(try await store.accountCount() == 0)
        }
    }

    /// An address with no mailbox once its provider's `+tag` and dots are removed (`+news@gmail.com`) passes the address
    /// rules but cannot be stored: it is a field error naming the email, with the others, not a store failure (a 500
    /// page on the web) saying the address "must contain '@'".
    @Test(arguments: ["+news@gmail.com", "+@outlook.com"])
    func refusesAnAddressWithNoMailboxLeftNamingTheEmail(_ email: String) async throws {
        try await withService { local, store, _, _ throws in
            await #expect(
                throws: LocalAccountError.invalid([
                    FieldError(.email, "has no mailbox name once the provider's dots and +tag are removed"),
                    FieldError(.password, "must be at least 10 characters"),
                ])
            ) {
                try await local.signUp(SignUpForm(username: "ann", email: email, password: Secret("short")))
            }
            await #expect(
                throws: LocalAccountError.invalid([
                    FieldError(.email, "has no mailbox name once the provider's dots and +tag are removed")
                ])
            ) {
                try await local.signUp(SignUpForm(username: "ann", email: email, password: Self.password))
            }
            #expect(try await store.accountCount() == 0)
        }
    }

    @Test(arguments: [
        ("", "is required"),
        ("pass\u{0}word-123", "must not contain a NUL character"),
        (String(repeating: "é", count: 513), "must be at most 1024 bytes"),
        ("ANN_SMITH1", "must not be the same as the username"),
        ("Ann.Smith@Example.org", "must not be the same as the email address"),
        // Full-width forms (a Japanese or Chinese keyboard in full-width mode): hashed in NFKC, they are the username
        // and the address, and signing in with those typed plainly works
        ("ＡＮＮ＿ＳＭＩＴＨ１", "must not be the same as the username"),
        ("ａｎｎ．ｓｍｉｔｈ＠ｅｘａｍｐｌｅ．ｏｒｇ", "must not be the same as the email address"),
    ])
    func refusesBadPasswordsNamingTheField(_ password: String, _ problem: String) async throws {
        try await withService { local, store, _, _ throws in
            await #expect(throws: LocalAccountError.invalid([FieldError(.password, problem)])) {
                try await local.signUp(
                    SignUpForm(username: "ann_smith1", email: "ann.smith@example.org", password: Secret(password)))
            }
            #expect(try await store.accountCount() == 0)
        }
    }

    @Test func refusesTextThatIsNotUTF8NamingEachField() {
        #expect(
            throws: LocalAccountError.invalid([
                FieldError(.username, "must be valid UTF-8 text"), FieldError(.password, "must be valid UTF-8 text"),
            ])
        ) {
            try SignUpForm(username: [0x61, 0xFF], email: Array("a@b.org".utf8), password: [0xC3, 0x28, 0x41])
        }
    }

    @Test func refusesAUsernameOrEmailThatIsTaken() async throws {
        try await withService { local, store, _, _ throws in
            _ = try await local.signUp(SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            await #expect(
                throws: LocalAccountError.invalid([
                    FieldError(.username, "is already taken"),
                    FieldError(.email, "already belongs to an account; sign in instead"),
                ])
            ) {
                try await local.signUp(SignUpForm(username: "ANN", email: "ANN@example.org", password: Self.password))
            }
            #expect(try await store.accountCount() == 1)
        }
    }

    @Test func wrongPasswordAndUnknownLoginGiveTheSameAnswer() async throws {
        try await withService { local, store, _, _ throws in
            let ann = try await local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            #expect(try await local.signIn(login: "ann", password: Secret("wrong password!")) == .invalidCredentials)
            #expect(try await local.signIn(login: "nobody", password: Self.password) == .invalidCredentials)
            #expect(try await store.events(for: ann.id).map(\.kind) == [.signInFailed, .created])
        }
    }

    @Test func everySpellingThatReachesAnAccountSharesItsCount() async throws {
        try await withService { local, _, clock, _ throws in
            _ = try await local.signUp(SignUpForm(username: "ann", email: "info@sample.org", password: Self.password))
            for _ in 0..<10 {
                #expect(
                    try await local.signIn(login: "info@sample.org", password: Secret("wrong password!"))
                        == .invalidCredentials)
                clock.advance(by: 1)
            }
            // Dotless ı, long ſ and capitals all reach the account (email_key), so they are the same login
            for login in ["ınfo@sample.org", "info@ſample.org", "INFO@SAMPLE.ORG", "info@sample.org"] {
                guard case .throttled = try await local.signIn(login: login, password: Self.password) else {
                    Issue.record("\(login) was not throttled")
                    continue
                }
            }
        }
    }

    @Test func coolsDownAfterTenFailuresForALoginWhetherOrNotItExists() async throws {
        try await withService { local, store, clock, _ throws in
            let ann = try await local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            for login in ["ann", "ghost@example.org"] {
                for _ in 0..<10 {
                    #expect(
                        try await local.signIn(login: login, password: Secret("wrong password!")) == .invalidCredentials
                    )
                    clock.advance(by: 1)
                }
                // The eleventh attempt is refused, even with the right password
                guard case .throttled(let retryAfter) = try await local.signIn(login: login, password: Self.password)
                else {
                    Issue.record("\(login) was not throttled")
                    continue
                }
                #expect(retryAfter > clock.now)
            }
            #expect(try await store.events(for: ann.id).first?.kind == .signInThrottled)
            // Another login is unaffected
            _ = try await local.signUp(SignUpForm(username: "bob", email: "bob@example.org", password: Self.password))
            guard case .signedIn = try await local.signIn(login: "bob", password: Self.password) else {
                Issue.record("bob was throttled")
                return
            }

            // After the window, the right password works and clears the count
            clock.advance(by: 15 * 60)
            guard case .signedIn = try await local.signIn(login: "ann", password: Self.password) else {
                Issue.record("ann still throttled after the window")
                return
            }
            // (within one window from here: a success that cleared only its own attempt would leave 18 failures
            // counted by the last sign-in, and it would be refused)
            for round in 1...2 {
                for _ in 0..<9 {
                    #expect(
                        try await local.signIn(login: "ann", password: Secret("wrong password!")) == .invalidCredentials
                    )
                }
                guard case .signedIn = try await local.signIn(login: "ann", password: Self.password) else {
                    Issue.record("the success before round \(round) did not clear the failures before it")
                    return
                }
            }
        }
    }

    /// Attempts sent at once are counted one by one: they get no more password checks than attempts sent one after
    /// another (before, every attempt in flight passed the count: 200 at once were 200 guesses), and the right
    /// password is refused afterwards.
    @Test func attemptsSentAtOnceGetNoMoreChecksThanTheLimit() async throws {
        try await withService { local, store, _, _ throws in
            let ann = try await local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            let outcomes = try await withThrowingTaskGroup(of: SignInOutcome.self) { group in
                for attempt in 0..<40 {
                    group.addTask {
                        try await local.signIn(login: "ann", password: Secret("wrong password \(attempt)"))
                    }
                }
                return try await group.reduce(into: [SignInOutcome]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .invalidCredentials }.count == local.maximumFailures)
            #expect(outcomes.count == 40)
            guard case .throttled = try await local.signIn(login: "ann", password: Self.password) else {
                Issue.record("the right password was not throttled after the guesses")
                return
            }
            let kinds = try await store.events(for: ann.id, limit: 100).map(\.kind)
            #expect(kinds.filter { $0 == .signInFailed }.count == local.maximumFailures)
            // (the 31 refusals within a minute are one event)
            #expect(kinds.filter { $0 == .signInThrottled }.count == 1)
        }
    }

    /// An account under attack gets at most one `sign_in_throttled` event a minute, however many attempts are refused
    /// (each was one event: whoever hammers an account from many addresses grew its trail, and the person's data
    /// download, without bound); unknown logins likewise.
    @Test func refusalsOfAThrottledLoginAreRecordedOnceAMinute() async throws {
        try await withService { local, store, clock, dir throws in
            let ann = try await local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            for _ in 0..<local.maximumFailures {
                _ = try await local.signIn(login: "ann", password: Secret("wrong password"))
                _ = try await local.signIn(login: "nobody", password: Secret("wrong password"))
            }
            var throttled = 0
            for _ in 0..<50 {
                if case .throttled = try await local.signIn(login: "ann", password: Secret("wrong password")) {
                    throttled += 1
                }
                _ = try await local.signIn(login: "nobody", password: Secret("wrong password"))
                clock.advance(by: 3)
            }
            #expect(throttled == 50)
            // 150 seconds of refusals: at 0, 60 and 120 s
            let kinds = try await store.events(for: ann.id, limit: 100).map(\.kind)
            #expect(kinds.filter { $0 == .signInThrottled }.count == 3)
            #expect(
                countQuery(
                    dir + "/accounts.sqlite",
                    "SELECT count(*) FROM account_events WHERE subject IS NULL AND kind = 'sign_in_throttled'") == 3)
        }
    }

    /// The once-a-minute `sign_in_throttled` event is counted for each method on its own: whoever holds a session and
    /// hits the current-password limit (method `current_password`) does not hide, within the same minute, the log-ins
    /// refused at `/login` for the account (method `password`), nor the reverse.
    @Test func throttledLogInsAreRecordedBesideThrottledCurrentPasswordChecks() async throws {
        try await withService { unlimited, store, clock, _ throws in
            var limited = unlimited
            limited.maximumFailures = 2
            let local = limited
            let ann = try await local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            /// A change of password with a wrong current one: whether it was refused as throttled (else wrong).
            func changeThrottled() async throws -> Bool {
                do {
                    try await local.changePassword(
                        for: ann.id, current: Secret("wrong password!"), new: Secret("a new long password"))
                } catch .throttled {
                    return true
                } catch .wrongPassword {
                    return false
                }
                Issue.record("the wrong current password was taken")
                return false
            }
            func logInThrottled() async throws -> Bool {
                switch try await local.signIn(login: "ann", password: Secret("wrong password!")) {
                case .throttled: return true
                case .invalidCredentials: return false
                default:
                    Issue.record("the wrong password signed in")
                    return false
                }
            }
            func throttledMethods() async throws -> [String?] {
                try await store.events(for: ann.id, limit: 100).filter { $0.kind == .signInThrottled }
                    .map { $0.details["method"] }
            }
            #expect(try await changeThrottled() == false)
            #expect(try await changeThrottled() == false)
            #expect(try await changeThrottled() == true)
            #expect(try await throttledMethods() == ["current_password"])

            // At the same store time, log-ins for the account are throttled too: recorded as well
            #expect(try await logInThrottled() == false)
            #expect(try await logInThrottled() == false)
            #expect(try await logInThrottled() == true)
            #expect(try await throttledMethods() == ["password", "current_password"])

            // And the reverse: a minute on, a log-in's refusal first, then a current-password one
            clock.advance(by: 61)
            #expect(try await logInThrottled() == true)
            #expect(try await changeThrottled() == true)
            #expect(try await throttledMethods() == ["current_password", "password", "password", "current_password"])
            // (still once a minute for each)
            clock.advance(by: 30)
            #expect(try await logInThrottled() == true)
            #expect(try await changeThrottled() == true)
            #expect(try await throttledMethods().count == 4)
        }
    }

    /// Two accounts from before migration 0009 whose addresses differ only in non-ASCII case (`Änn@…`, `äNN@…`): the
    /// one keyed first keeps the uniqueness key, the other none, and each signs in with its own spelling. Their
    /// sign-in failures are counted apart (both spellings fold to one login key, which counted them together): ten
    /// guesses at one do not lock the other out, and one's success, or password reset, does not clear the guesses at
    /// the other.
    @Test func legacyAddressesDifferingInNonASCIICaseAreCountedApart() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/accounts.sqlite"
            _ = try AccountStore.migrate(StoreConfiguration(path: path), to: 8)
            for (id, username, email) in [(1, "ann", "Änn@example.org"), (2, "clash", "äNN@example.org")] {
                try executeSQL(
                    path,
                    """
                    INSERT INTO users (id, public_id, username, email, email_mailbox, email_rules_version, created_at,
                        updated_at)
                    VALUES (\(id), '\(UUID().uuidString.lowercased())', '\(username)', '\(email)',
                        '\(Mailbox.normalize(email)!)', \(Mailbox.rulesVersion), 0, 0)
                    """)
            }
            let clock = TestClock()
            let store = try makeStore(in: dir, now: clock.closure)
            defer { try? store.close() }
            #expect(countQuery(path, "SELECT count(*) FROM users WHERE username = 'clash' AND email_key IS NULL") == 1)
            let annPassword = Secret("ann's long password")
            let clashPassword = Secret("clash's long password")
            let ann = try #require(try await store.account(.username("ann")))
            let clash = try #require(try await store.account(.username("clash")))
            try await store.setPasswordHash(
                try Self.fastHasher.hash(password: annPassword.revealed), for: ann.id, event: nil, actor: "test")
            try await store.setPasswordHash(
                try Self.fastHasher.hash(password: clashPassword.revealed), for: clash.id, event: nil, actor: "test")
            var limited = LocalAccounts(store: store, hasher: Self.fastHasher, failureFloor: .zero)
            limited.maximumFailures = 3
            let local = limited
            let wrong = Secret("wrong password!")

            // Guesses at clash's spelling do not throttle ann's
            for _ in 0..<3 {
                #expect(try await local.signIn(login: "äNN@example.org", password: wrong) == .invalidCredentials)
            }
            guard case .throttled = try await local.signIn(login: "äNN@example.org", password: clashPassword) else {
                Issue.record("clash's spelling was not throttled")
                return
            }
            guard case .signedIn(let signedIn) = try await local.signIn(login: "Änn@example.org", password: annPassword)
            else {
                Issue.record("ann was throttled by the guesses at clash")
                return
            }
            #expect(signedIn.id == ann.id)

            // Clash's success does not clear the guesses at ann
            clock.advance(by: 16 * 60)
            for _ in 0..<2 {
                #expect(try await local.signIn(login: "Änn@example.org", password: wrong) == .invalidCredentials)
            }
            guard case .signedIn(let other) = try await local.signIn(login: "äNN@example.org", password: clashPassword)
            else {
                Issue.record("clash did not sign in")
                return
            }
            #expect(other.id == clash.id)
            #expect(try await local.signIn(login: "Änn@example.org", password: wrong) == .invalidCredentials)
            guard case .throttled = try await local.signIn(login: "Änn@example.org", password: wrong) else {
                Issue.record("clash's sign-in cleared the guesses at ann")
                return
            }

            // Nor does clash's password reset
            clock.advance(by: 16 * 60)
            for _ in 0..<2 {
                #expect(try await local.signIn(login: "Änn@example.org", password: wrong) == .invalidCredentials)
            }
            let reset = try #require(try await local.requestPasswordReset(email: "äNN@example.org"))
            #expect(reset.account.id == clash.id)
            _ = try await local.resetPassword(token: reset.token, newPassword: Secret("clash's new long password"))
            #expect(try await local.signIn(login: "Änn@example.org", password: wrong) == .invalidCredentials)
            guard case .throttled = try await local.signIn(login: "Änn@example.org", password: wrong) else {
                Issue.record("clash's reset cleared the guesses at ann")
                return
            }
            // while it clears clash's own count
            for _ in 0..<3 { _ = try await local.signIn(login: "äNN@example.org", password: wrong) }
            let again = try #require(try await local.requestPasswordReset(email: "äNN@example.org"))
            _ = try await local.resetPassword(token: again.token, newPassword: Secret("clash's third long password"))
            guard
                case .signedIn = try await local.signIn(
                    login: "äNN@example.org", password: Secret("clash's third long password"))
            else {
                Issue.record("clash's reset did not clear its own count")
                return
            }
        }
    }

    /// Two sign-ins with the right password at once, for a hash due to be rehashed (an imported one): both sign in.
    /// The first's rehash changes the stored hash while the second checks the old one; the second checks again
    /// against the new hash instead of failing.
    @Test func twoRightSignInsAtOnceBothSucceedWhenTheHashIsRehashed() async throws {
        try await withService { local, store, _, _ throws in
            for round in 0..<4 {
                let old = try PasswordHasher(parameters: .init(log2N: 8, r: 8, p: 1)).hash(
                    password: Self.password.revealed)
                let account = try await store.createAccount(newAccount("old\(round)", passwordHash: old))
                let outcomes = try await withThrowingTaskGroup(of: SignInOutcome.self) { group in
                    for _ in 0..<2 {
                        group.addTask { try await local.signIn(login: "old\(round)", password: Self.password) }
                    }
                    return try await group.reduce(into: [SignInOutcome]()) { $0.append($1) }
                }
                #expect(outcomes.allSatisfy { if case .signedIn = $0 { true } else { false } }, "\(outcomes)")
                let stored = try #require(try await store.loginRecord(.id(account.id))?.passwordHash)
                #expect(stored.hasPrefix("scrypt$ln=10$"))
            }
        }
    }

    /// The right password for a disabled account is refused and audited as `sign_in_refused`; it counts as an attempt
    /// like any other (taken back, a refusal instead of a throttle after ten guesses would tell that one was right),
    /// and the account's sign-in time is not touched.
    @Test func aDisabledAccountIsRefusedAndAudited() async throws {
        try await withService { local, store, _, dir throws in
            let ann = try await local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            try executeSQL(dir + "/accounts.sqlite", "UPDATE users SET status = 'disabled' WHERE username = 'ann'")
            for _ in 0..<local.maximumFailures {
                #expect(try await local.signIn(login: "ann", password: Self.password) == .disabled)
            }
            guard case .throttled = try await local.signIn(login: "ann", password: Self.password) else {
                Issue.record("the eleventh attempt was not throttled")
                return
            }
            let events = try await store.events(for: ann.id, limit: 100)
            #expect(
                events.map(\.kind)
                    == [.signInThrottled] + Array(repeating: .signInRefused, count: local.maximumFailures) + [.created])
            #expect(events[1].details == ["method": "password", "reason": "disabled"])
            #expect(try await store.account(.id(ann.id))?.lastSignInAt == nil)
        }
    }

    /// Changing or removing the password of a disabled account (a session that outlived the disable, or an app that
    /// calls with a stale id) is refused with the account named, and the password stays as it was.
    @Test func aDisabledAccountsPasswordCannotBeChangedOrRemoved() async throws {
        try await withService { local, store, _, dir throws in
            let ann = try await local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            _ = try await store.setAccountStatus(.id(ann.id), to: .disabled)
            let dump = try databaseDump(dir + "/accounts.sqlite")
            await #expect(throws: LocalAccountError.store(.accountDisabled(ann.id))) {
                try await local.changePassword(
                    for: ann.id, current: Self.password, new: Secret("another long passphrase 7"))
            }
            await #expect(throws: LocalAccountError.store(.accountDisabled(ann.id))) {
                try await local.removePassword(for: ann.id, current: Self.password)
            }
            // The current-password checks counted and then cleared their attempts: the database is as it was.
            #expect(try databaseDump(dir + "/accounts.sqlite") == dump)
        }
    }

    /// A password changed while the old one was being checked wins: the sign-in with the old one records nothing,
    /// and a rehash of the old password does not replace the new hash.
    @Test func aPasswordChangedDuringTheCheckIsNotUndoneBySignIn() async throws {
        try await withService { local, store, _, _ throws in
            let ann = try await local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            let checked = try #require(try await store.loginRecord(.id(ann.id))?.passwordHash)
            let changed = try Self.fastHasher.hash(password: "a new and different password")
            try await store.setPasswordHash(changed, for: ann.id, event: .passwordChanged, actor: "user")
            let recording = try await store.recordSignIn(
                ann.id, method: "password", clearingFailuresFor: nil, verifiedPasswordHash: checked,
                newPasswordHash: try Self.fastHasher.hash(password: Self.password.revealed))
            guard case .passwordChanged = recording else {
                Issue.record("the sign-in was recorded: \(recording)")
                return
            }
            let changedKept = try await store.loginRecord(.id(ann.id))?.passwordHash == changed
            #expect(changedKept, "the stored password hash is not the changed one")
            #expect(try await store.events(for: ann.id).map(\.kind) == [.passwordChanged, .created])
        }
    }

    /// A failed sign-in takes at least the floor, whatever the account's hash costs: an unknown login, a wrong
    /// password for an account with a cheap hash, and one for an imported Django hash (whose check took several times
    /// as long, telling which accounts came from Django).
    @Test func aFailedSignInTakesAtLeastTheFloor() async throws {
        try await withService { _, store, _, _ throws in
            let floor = Duration.milliseconds(600)
            let local = LocalAccounts(store: store, hasher: Self.fastHasher, failureFloor: floor)
            _ = try await local.signUp(SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            let django = "pbkdf2_sha256$1000000$lVmtlpgxpubYPgU2pQlWmm$yQkjjJBu4KZk7Wi0VmcOqgFx8+t43oPnbAalH3UM1Hk="
            _ = try await store.createAccount(newAccount("imported", passwordHash: django))
            for login in ["nobody", "ann", "imported"] {
                let started = ContinuousClock.now
                #expect(
                    try await local.signIn(login: login, password: Secret("wrong password!")) == .invalidCredentials)
                #expect(ContinuousClock.now - started >= floor, "\(login)")
            }
        }
    }

    @Test func djangoHashSignsInAndIsUpgradedToScrypt() async throws {
        try await withService { local, store, _, _ throws in
            // Made by Django 5.2.19's PBKDF2PasswordHasher with Scripts/make-django-hash.py
            let django = "pbkdf2_sha256$1000000$lVmtlpgxpubYPgU2pQlWmm$yQkjjJBu4KZk7Wi0VmcOqgFx8+t43oPnbAalH3UM1Hk="
            let imported = try await store.createAccount(newAccount("imported", passwordHash: django))
            guard
                case .signedIn = try await local.signIn(
                    login: "imported", password: Secret("correct horse battery staple"))
            else {
                Issue.record("the Django password did not sign in")
                return
            }
            let stored = try #require(try await store.loginRecord(.id(imported.id))?.passwordHash)
            #expect(stored.hasPrefix("scrypt$ln=10$r=8$p=1$"))
            guard
                case .signedIn = try await local.signIn(
                    login: "imported", password: Secret("correct horse battery staple"))
            else {
                Issue.record("the upgraded hash did not sign in")
                return
            }
        }
    }

    @Test func hashWithOlderParametersIsRehashedAtSignIn() async throws {
        try await withService { _, store, _, _ throws in
            let old = LocalAccounts(store: store, hasher: PasswordHasher(parameters: .init(log2N: 8, r: 8, p: 1)))
            let account = try await old.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            let current = LocalAccounts(store: store, hasher: Self.fastHasher, failureFloor: .zero)
            _ = try await current.signIn(login: "ann", password: Self.password)
            let stored = try #require(try await store.loginRecord(.id(account.id))?.passwordHash)
            #expect(stored.hasPrefix("scrypt$ln=10$"))
        }
    }

    @Test func changeNeedsTheCurrentPasswordAndRemoveKeepsAWayToSignIn() async throws {
        try await withService { local, store, _, _ throws in
            let ann = try await local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            await #expect(throws: LocalAccountError.wrongPassword) {
                try await local.changePassword(
                    for: ann.id, current: Secret("not it at all"), new: Secret("a new password 1"))
            }
            await #expect(throws: LocalAccountError.invalid([FieldError(.password, "must be at least 10 characters")]))
            {
                try await local.changePassword(for: ann.id, current: Self.password, new: Secret("short"))
            }
            try await local.changePassword(for: ann.id, current: Self.password, new: Secret("a new password 1"))
            #expect(try await local.signIn(login: "ann", password: Self.password) == .invalidCredentials)

            // Without a Twitter identity, removing the password would lock the account out
            await #expect(throws: LocalAccountError.store(.lastSignInMethod(ann.id))) {
                try await local.removePassword(for: ann.id, current: Secret("a new password 1"))
            }
            try await store.linkTwitter(twitterIdentity("5"), credential: nil, to: .id(ann.id))
            // (not within 7 days of linking it: see TwitterLinkedRecentlyTests)
            try backdateTwitterLinks(of: store)
            try await local.removePassword(for: ann.id, current: Secret("a new password 1"))
            #expect(try await store.account(.id(ann.id))?.hasPassword == false)
            #expect(
                try await store.events(for: ann.id).prefix(4).map(\.kind) == [
                    .passwordRemoved, .linked, .signInFailed, .passwordChanged,
                ])
        }
    }
}

extension LocalAccountsTests {
    /// One password, typed on two keyboards: macOS, iOS and Android send `é` composed (NFC), while Windows' Vietnamese
    /// keyboard sends tone marks as combining characters (`ậ` as `â` + U+0323) and text pasted from some sources is
    /// decomposed (NFD). The two forms are the same text to the person and to Swift's `==`, but the hash was of the
    /// raw UTF-8 bytes, so whoever signed up on one device was told "wrong password" on the other, with the right one.
    @Test(arguments: [
        ("Cr\u{E8}me br\u{FB}l\u{E9}e 2024", "Cre\u{300}me bru\u{302}le\u{301}e 2024"),
        ("m\u{1EAD}t kh\u{1EA9}u c\u{1EE7}a t\u{F4}i", "m\u{E2}\u{323}t kh\u{E2}\u{309}u cu\u{309}a t\u{F4}i"),
    ])
    func aPasswordSignsInWhicheverUnicodeFormItIsTypedIn(_ composed: String, _ decomposed: String) async throws {
        // Canonically equivalent: one password, in two byte sequences
        #expect(composed == decomposed && Array(composed.utf8) != Array(decomposed.utf8))
        try await withService { local, _, _, _ throws in
            _ = try await local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Secret(composed)))
            _ = try await local.signUp(
                SignUpForm(username: "bob", email: "bob@example.org", password: Secret(decomposed)))
            for (login, typed) in [("ann", decomposed), ("bob", composed)] {
                guard case .signedIn = try await local.signIn(login: login, password: Secret(typed)) else {
                    Issue.record("\(login) could not sign in with the password typed in the other Unicode form")
                    continue
                }
            }
        }
    }

    /// A hash made before passwords were normalised, of the bytes as typed (decomposed), still signs in with those
    /// bytes, and that sign-in rehashes it in NFKC, after which the composed form signs in too.
    @Test func aHashOfTheBytesAsTypedStillSignsInAndIsRehashedNormalised() async throws {
        let decomposed = "Cre\u{300}me bru\u{302}le\u{301}e 2024"
        try await withService { local, store, _, _ throws in
            let old = try PasswordHasher(parameters: .init(log2N: 8, r: 8, p: 1)).hash(password: decomposed)
            _ = try await store.createAccount(newAccount("ann", passwordHash: old))
            #expect(
                try await local.signIn(login: "ann", password: Secret("Cr\u{E8}me br\u{FB}l\u{E9}e 2024"))
                    == .invalidCredentials)
            guard case .signedIn = try await local.signIn(login: "ann", password: Secret(decomposed)) else {
                Issue.record("the bytes as typed no longer sign in")
                return
            }
            #expect(try await store.loginRecord(.username("ann"))?.passwordHash != old)
            guard
                case .signedIn = try await local.signIn(
                    login: "ann", password: Secret("Cr\u{E8}me br\u{FB}l\u{E9}e 2024"))
            else {
                Issue.record("the composed form does not sign in after the rehash")
                return
            }
        }
    }

    /// A password chosen in half-width katakana with voiced marks (`ﾊﾟ`) or Hangul compatibility jamo (`ㄱㅏ`) is the
    /// one typed with a usual input method (`パ`, `가`), and a sign-in typed decomposed does not take the form chosen
    /// away. Until session 61 the hash was of Foundation's NFKC, which on Linux left `ﾊﾟ` as `ハ` and a combining
    /// mark: the composed form was a wrong password, and a decomposed sign-in rehashed it so that the form chosen was.
    @Test(arguments: [
        (
            String(repeating: "\u{FF8A}\u{FF9F}", count: 10), String(repeating: "\u{30D1}", count: 10),
            String(repeating: "\u{30CF}\u{309A}", count: 10)
        ),
        (
            String(repeating: "\u{3131}\u{314F}", count: 10), String(repeating: "\u{AC00}", count: 10),
            String(repeating: "\u{1100}\u{1161}", count: 10)
        ),
    ])
    func aPasswordInHalfWidthOrCompatibilityFormsIsOnePassword(
        _ chosen: String, _ composed: String, _ decomposed: String
    )
        async throws
    {
        try await withService { local, _, _, _ throws in
            _ = try await local.signUp(SignUpForm(username: "ann", email: "ann@example.org", password: Secret(chosen)))
            for typed in [composed, decomposed, chosen, composed] {
                guard case .signedIn = try await local.signIn(login: "ann", password: Secret(typed)) else {
                    Issue.record("\(typed.unicodeScalars.map { String($0.value, radix: 16) }) does not sign in")
                    continue
                }
            }
        }
    }

    /// A hash made between sessions 29 and 61 of Foundation's form on Linux (`ハ` and a combining mark for `ﾊﾟ`) still
    /// signs in with the password as chosen, and is rehashed in NFKC, after which the composed form signs in too.
    @Test func aHashOfFoundationsFormStillSignsInAndIsRehashedInNFKC() async throws {
        let chosen = String(repeating: "\u{FF8A}\u{FF9F}", count: 10)
        let foundations = chosen.precomposedStringWithCompatibilityMapping
        try #require(
            foundations.unicodeScalars.elementsEqual(String(repeating: "\u{30CF}\u{309A}", count: 10).unicodeScalars),
            "Foundation's compatibility mapping is NFKC on this machine: nothing to test")
        try await withService { local, store, _, _ throws in
            let old = try PasswordHasher(parameters: .init(log2N: 8, r: 8, p: 1)).hash(password: foundations)
            _ = try await store.createAccount(newAccount("ann", passwordHash: old))
            guard case .signedIn = try await local.signIn(login: "ann", password: Secret(chosen)) else {
                Issue.record("the password as chosen no longer signs in")
                return
            }
            #expect(try await store.loginRecord(.username("ann"))?.passwordHash != old)
            let composed = String(repeating: "\u{30D1}", count: 10)
            guard case .signedIn = try await local.signIn(login: "ann", password: Secret(composed)) else {
                Issue.record("the composed form does not sign in after the rehash")
                return
            }
        }
    }

    /// A password's length is counted in the form it is hashed in: ten compatibility jamo are five syllables (until
    /// session 61 they passed a 10-character minimum, and five characters signed in).
    @Test func aPasswordsLengthIsCountedAsItIsHashed() {
        let jamo = String(repeating: "\u{3131}\u{314F}", count: 5)
        #expect(jamo.count == 10)
        #expect(
            PasswordPolicy().problems(with: jamo, username: "ann", email: nil)
                == [FieldError(.password, "must be at least 10 characters")])
        #expect(PasswordPolicy().problems(with: jamo + jamo, username: "ann", email: nil).isEmpty)
        // and as typed: one character that NFKC makes eighteen, or three that it makes twelve, are not ten (a second
        // reader of session 61's first version of this rule found them accepted)
        for short in ["\u{FDFA}", "\u{247D}\u{247D}\u{247D}"] {
            #expect(short.nfkc.count >= 10)
            #expect(
                PasswordPolicy().problems(with: short, username: "ann", email: nil)
                    == [FieldError(.password, "must be at least 10 characters")])
        }
    }

    /// An address with an invisible character in it (a soft hyphen, U+00AD) prints as the address without it, yet was
    /// stored as a second account beside it: `an\u{AD}n@example.org` is shown as `ann@example.org` everywhere (the
    /// account page, `accounts users show`, the mail a person reads), as the zero-width space the rules refuse would
    /// be.
    @Test func anAddressThatDiffersOnlyByAnInvisibleCharacterIsNotASecondAccount() async throws {
        try await withService { local, store, _, _ throws in
            _ = try await local.signUp(SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            let error = await #expect(throws: LocalAccountError.self) {
                try await local.signUp(
                    SignUpForm(username: "ann2", email: "an\u{AD}n@example.org", password: Self.password))
            }
            // (refused for its address, and for nothing else)
            guard case .invalid(let problems) = error else {
                Issue.record("refused otherwise: \(String(describing: error))")
                return
            }
            #expect(problems.map(\.field) == [.email], "\(problems)")
            #expect(try await store.accountCount() == 1)
        }
    }

    /// The session given a new id with a change of the account's ways in is one of that account's: a caller's mix-up
    /// (another account's session hash as the one to keep) ends the account's own sessions and renames nothing, rather
    /// than hand whoever holds the new id the other account's session.
    @Test func theRekeyOfAChangeTouchesOnlyTheChangedAccountsSessions() async throws {
        try await withService { local, store, clock, _ throws in
            let ann = try await local.signUp(
                SignUpForm(username: "ann", email: "ann@example.org", password: Self.password))
            let bob = try await local.signUp(
                SignUpForm(username: "bob", email: "bob@example.org", password: Self.password))
            func session(of user: UserID, _ letter: Character) -> BrowserSession {
                BrowserSession(
                    tokenHash: String(repeating: letter, count: 64), user: user, csrfToken: "csrf-\(letter)",
                    createdAt: clock.now, lastSeenAt: clock.now, idleExpiresAt: clock.now.addingTimeInterval(3600),
                    expiresAt: clock.now.addingTimeInterval(3600))
            }
            try await store.createBrowserSession(session(of: ann.id, "a"))
            try await store.createBrowserSession(session(of: bob.id, "b"))
            let rekey = BrowserSessionRekey(tokenHash: String(repeating: "c", count: 64), csrfToken: "csrf-c")

            // When ann's password changes, keeping (by a mix-up) bob's session and renaming it
            try await local.changePassword(
                for: ann.id, current: Self.password, new: Secret("a new password 1"),
                endingSessionsBut: String(repeating: "b", count: 64), rekeying: rekey)

            // Then ann's session ended, bob's is his under its own id, and no session has the new id
            #expect(try await store.browserSession(tokenHash: String(repeating: "a", count: 64)) == nil)
            #expect(try await store.browserSession(tokenHash: String(repeating: "b", count: 64))?.user == bob.id)
            #expect(try await store.browserSession(tokenHash: rekey.tokenHash) == nil)
        }
    }
}
