public import AccountCrypto
import AccountMatching
public import AccountModel
public import AccountStore
import Dispatch
public import Foundation
import Logging

/// Email sign-up and password sign-in: the way a person proves they own an account before a Twitter identity is
/// linked to it.
///
/// ```swift
/// let local = LocalAccounts(store: store)
/// let account = try await local.signUp(SignUpForm(username: "ann", email: "ann@example.org",
///                                                 password: Secret(typedPassword)))
/// switch try await local.signIn(login: "ANN@example.org", password: Secret(typedPassword)) {
/// case .signedIn(let account): startSession(account)
/// case .invalidCredentials, .disabled: showError("Wrong login or password")
/// case .throttled(let retryAfter): showError("Too many attempts; try again after \(retryAfter)")
/// }
/// ```
public struct LocalAccounts: Sendable {
    /// Failed sign-ins allowed per login identifier within ``failureWindow`` before a cool-down: 10.
    public var maximumFailures = 10
    /// The window failures are counted in, and the length of the cool-down: 15 minutes. A day at most (the purge
    /// keeps failed sign-ins a day: longer is used as a day); a value not above 0 (NaN) is used as the default.
    public var failureWindow: TimeInterval = 15 * 60
    /// The rules for new passwords.
    public var passwordPolicy = PasswordPolicy()
    /// The least time a sign-in that fails takes (wrong password, unknown login, disabled account): 1 second.
    ///
    /// Checking a password costs what its hash's scheme costs: an imported Django hash (PBKDF2, 870,000 rounds)
    /// takes several times as long as scrypt, so without a floor the time of a wrong guess told which accounts had
    /// come from Django. Keep it above the dearest hash the store holds. A password typed in a form NFKC changes (a
    /// full-width letter, a decomposed accent) is checked in both forms, and its failure waits twice the floor. A
    /// success is not held back.
    public var failureFloor: Duration = .seconds(1)
    /// How long a password reset link works (``requestPasswordReset(email:)``): 1 hour. This and the other
    /// lifetimes are used as a year at most, and as their default when not above 0 (NaN included).
    public var passwordResetLifetime: TimeInterval = 60 * 60
    /// Reset links issued for one account within ``passwordResetWindow``, past which requests issue none (so a
    /// stranger cannot fill the person's mailbox): 3.
    public var maximumPasswordResets = 3
    /// The window reset links are counted in (a day at most; the default when not above 0): 1 hour.
    public var passwordResetWindow: TimeInterval = 60 * 60
    /// How long an email confirmation link works (``requestEmailVerification(for:)``): 3 days, as django-allauth's.
    public var emailVerificationLifetime: TimeInterval = 3 * 24 * 60 * 60
    /// Confirmation links issued for one account within ``emailVerificationWindow``, past which requests issue none:
    /// 3.
    public var maximumEmailVerifications = 3
    /// The window confirmation links are counted in (a day at most; the default when not above 0): 1 hour.
    public var emailVerificationWindow: TimeInterval = 60 * 60
    /// How long the link that undoes a change of address works (mailed to the old address,
    /// ``followEmailLink(token:unlessConfirmedAddressChanges:issuingUndo:)``): 7 days, time for its owner to read the
    /// notice.
    public var emailChangeUndoLifetime: TimeInterval = 7 * 24 * 60 * 60

    let store: AccountStore
    let hasher: PasswordHasher

    /// A service over `store`, hashing with `hasher` (scrypt, N = 2^15 by default: about 100 ms a hash); a failed
    /// sign-in takes at least `failureFloor` (``failureFloor``).
    public init(store: AccountStore, hasher: PasswordHasher = PasswordHasher(), failureFloor: Duration = .seconds(1)) {
        self.store = store
        self.hasher = hasher
        self.failureFloor = failureFloor
    }

    // MARK: - Sign-up

    /// Creates an account with a password, in one transaction with its `created` event.
    ///
    /// Every invalid or taken field is reported at once in ``LocalAccountError/invalid(_:)``, and nothing is written.
    public func signUp(_ form: SignUpForm, actor: String = "user") async throws(LocalAccountError) -> Account {
        var errors: [FieldError] = []
        var username: Username?
        var email: EmailAddress?
        do { username = try Username(validating: form.username) } catch { errors.append(error) }
        do { email = try EmailAddress(validating: form.email) } catch { errors.append(error) }
        if let address = email, let problem = mailboxProblem(address.rawValue) {
            errors.append(problem)
            email = nil
        }
        errors += passwordPolicy.problems(with: form.password.revealed, username: form.username, email: form.email)
        errors += nameProblems(form.firstName, .firstName) + nameProblems(form.lastName, .lastName)
        do {
            if let username, try await store.account(.username(username.rawValue)) != nil {
                errors.append(FieldError(.username, "is already taken"))
            }
            if let email, try await store.account(email: email.rawValue) != nil {
                errors.append(FieldError(.email, "already belongs to an account; sign in instead"))
            }
        } catch {
            throw .store(error)
        }
        guard errors.isEmpty, let username, let email else { throw .invalid(errors.sorted(by: fieldOrder)) }
        let hash = try await hashOffPool(form.password)
        let new = NewAccount(
            username: username, email: email, firstName: nonEmpty(form.firstName), lastName: nonEmpty(form.lastName),
            passwordHash: hash)
        do {
            return try await store.createAccount(new, actor: actor)
        } catch .duplicate(let field) {
            // Taken between the check above and the write (another request won the race), or an address reserved for
            // an undo link: answered as the check above answers, so a reserved address reads as any taken one.
            throw .invalid([
                FieldError(
                    field, field == .email ? "already belongs to an account; sign in instead" : "is already taken")
            ])
        } catch {
            throw .store(error)
        }
    }

    // MARK: - Sign-in

    /// Signs in with a username or email (case-insensitively) and a password.
    ///
    /// An unknown login and a wrong password give the same answer, and take at least ``failureFloor`` (one password
    /// check each, then the wait; two checks and twice the wait for a password NFKC changes). After ``maximumFailures`` failures for one login identifier within ``failureWindow``
    /// — whether or not an account exists for it — attempts are refused until the window has passed; the refusal is
    /// audited. Each attempt is counted before its password is checked, so attempts sent at once get no more checks
    /// than attempts sent one by one. A success clears the count and re-hashes a password stored with older
    /// parameters (or by Django); a password changed while the old one was being checked wins. A right password for
    /// a disabled account is refused and audited (`sign_in_refused`), and counts as an attempt like any other. A
    /// password that could not be checked (OpenSSL could not derive its hash: out of memory) throws
    /// ``LocalAccountError/hashingFailed`` after the same floor, neither counted nor audited as a failure, and is
    /// logged as an error on the store's logger (as every password check that could not be made; a stored hash that
    /// cannot be read matches no password, also logged).
    public func signIn(login: String, password: Secret) async throws(LocalAccountError) -> SignInOutcome {
        let started = ContinuousClock.now
        let outcome: SignInOutcome
        do {
            outcome = try await checkSignIn(login: login, password: password)
        } catch {
            if error == .hashingFailed {
                // (after the floor too: under memory pressure, an answer at once would tell that the account exists)
                let checks = LocalAccounts.passwordForms(password.revealed).count
                try? await Task.sleep(until: started + failureFloor * checks, clock: .continuous)
            }
            throw error
        }
        switch outcome {
        case .invalidCredentials, .disabled:
            // One floor for each check made: a password whose NFKC form differs from what was typed is checked twice
            // or three times (``passwordForms(_:)``), against the account's hash or as many dummies alike.
            let checks = LocalAccounts.passwordForms(password.revealed).count
            try? await Task.sleep(until: started + failureFloor * checks, clock: .continuous)
        case .signedIn, .throttled:
            break
        }
        return outcome
    }

    private func checkSignIn(login: String, password: Secret) async throws(LocalAccountError) -> SignInOutcome {
        guard let outcome = try await checkSignInUnlessUncheckable(login: login, password: password) else {
            throw .hashingFailed
        }
        return outcome
    }

    /// ``checkSignIn(login:password:)``, `nil` when the password could not be checked (OpenSSL failed), its attempt
    /// taken back.
    private func checkSignInUnlessUncheckable(login: String, password: Secret) async throws(LocalAccountError)
        -> SignInOutcome?
    {
        let now = store.currentDate
        do {
            let record = try await store.loginRecord(login: login)
            // (an address left without a uniqueness key counts under its account's own key: its login's is another's)
            let key = record?.failureKey ?? LocalAccounts.loginKey(login)
            // The attempt is counted as a failure before the password is checked, in the transaction that counts the
            // earlier ones: requests sent together cannot all pass the count (they did: 200 at once were 200 checks).
            let attempt = try await store.beginSignInAttempt(
                loginKey: key, subject: record?.userID, since: now.addingTimeInterval(-countedFailureWindow),
                maximum: maximumFailures)
            guard case .counted(let attemptID) = attempt else {
                if case .throttled(let oldestCounted) = attempt {
                    return .throttled(retryAfter: oldestCounted.addingTimeInterval(countedFailureWindow))
                }
                return .invalidCredentials
            }
            guard let record, var stored = record.passwordHash else {
                guard await dummyVerifyOffPool(password) else {
                    // As for an account whose password could not be checked: the answer tells nothing of who exists.
                    try await store.withdrawSignInAttempt(loginKey: key, attempt: attemptID)
                    return nil
                }
                try await store.recordFailedSignIn(subject: record?.userID)
                return .invalidCredentials
            }
            // Twice at most: once more when the hash changed while it was being checked.
            checking: for round in 0..<2 {
                guard let verification = try? await verifyOffPool(password, against: stored, of: record.userID) else {
                    // Not checked: the attempt is not a failure (nor audited as one); the person may try again.
                    try await store.withdrawSignInAttempt(loginKey: key, attempt: attemptID)
                    return nil
                }
                guard case .valid(let needsRehash) = verification else { break checking }
                // Whether the account may sign in is decided by the transaction that records it, on the account as
                // it is then: an account enabled (or disabled) while its password was checked is taken as it is now.
                // A refusal keeps the attempt counted: taken back, the answer after ten guesses (refused rather than
                // throttled) would tell that one of them was right. (No rehash for an account read as disabled.)
                let rehash = needsRehash && record.status == .active ? try? await hashOffPool(password) : nil
                switch try await store.recordSignIn(
                    record.userID, method: "password", clearingFailuresFor: key, through: attemptID,
                    verifiedPasswordHash: stored, newPasswordHash: rehash)
                {
                case .signedIn(let account):
                    return .signedIn(account)
                case .disabled:
                    // (its `sign_in_refused` event is written by the transaction that refused it)
                    return .disabled
                case .accountGone:
                    // Deleted while the password was checked: an unknown login now, answered as one (its
                    // `sign_in_failed` event, naming no account, is written by the transaction that found it gone).
                    return .invalidCredentials
                case .passwordChanged:
                    // Another sign-in with the same password rehashed it meanwhile (two at once), or the password was
                    // changed: the password is checked against the hash there now, once.
                    guard round == 0 else { break checking }
                    guard let current = try await store.loginRecord(.id(record.userID)) else {
                        // (deleted meanwhile: an unknown login, whose failure names no account)
                        try await store.recordFailedSignIn(subject: nil)
                        return .invalidCredentials
                    }
                    // (removed meanwhile: no password signs in, and the old hash is not checked again)
                    guard let hash = current.passwordHash else { break checking }
                    stored = hash
                }
            }
            try await store.recordFailedSignIn(subject: record.userID)
            return .invalidCredentials
        } catch {
            throw .store(error)
        }
    }

    // MARK: - Changing and removing

    /// Replaces the account's password, after checking the current one; reset links and email change links asked for
    /// before stop working.
    /// A password reset (or another change) made while the current password was being checked wins: the current
    /// password is checked again against the hash there now, and is ``LocalAccountError/wrongPassword`` unless it
    /// matches (a sign-in that only rehashed it). After ``maximumFailures`` wrong current passwords within
    /// ``failureWindow`` (every current-password check of the account together: changes, removals, deletion, a change
    /// of address, linking and unlinking Twitter), none is checked: ``LocalAccountError/throttled(retryAfter:)``.
    ///
    /// Every other session of the account ends in the transaction that writes the password: whoever signed in with the
    /// old one, or holds a stolen session. Pass `endingSessionsBut` (the hash of the browser session that asked, as
    /// the store keeps it) to keep that one; without it every session ends, the asking one too (until session 41
    /// none did). With `rekeying`, the kept session goes on under that new id and CSRF token, in the same transaction:
    /// a copy of its old cookie signs nobody in from the moment the password changes (until session 60 a web app
    /// could only rekey it in a second write, and a failure between the two left the copy signed in).
    public func changePassword(
        for user: UserID, current: Secret, new: Secret, endingSessionsBut keptSession: String? = nil,
        rekeying rekey: BrowserSessionRekey? = nil
    ) async throws(LocalAccountError) {
        let record = try await requireRecord(user)
        guard let stored = record.passwordHash else { throw .noPassword }
        try await checkCurrent(current, against: stored, of: user)
        try await checkNewPassword(new, of: user)
        let hash = try await hashOffPool(new)
        try await replacePassword(
            of: user, checked: current, against: stored, with: hash, event: .passwordChanged,
            endingSessionsBut: keptSession, rekeying: rekey)
    }

    /// Throws ``LocalAccountError/invalid(_:)`` when the policy refuses `new` as the password of `user` (it may not be
    /// the account's username or email).
    private func checkNewPassword(_ new: Secret, of user: UserID) async throws(LocalAccountError) {
        let account: Account?
        do {
            account = try await store.account(.id(user))
        } catch {
            throw .store(error)
        }
        let problems = passwordPolicy.problems(with: new.revealed, username: account?.username, email: account?.email)
        guard problems.isEmpty else { throw .invalid(problems) }
    }

    /// Gives a password to an account that has none (one made through Twitter), so that it can also sign in with its
    /// username or email and the password, and ask for reset links; records `password_added`.
    ///
    /// No current password can be checked, so whoever holds a signed-in session could add a way in that outlives it:
    /// call this only just after the person signed in (`AccountsHummingbird` asks for a sign-in within the last
    /// 10 minutes). A password the policy refuses is ``LocalAccountError/invalid(_:)``; an account that has one, even
    /// one set while this ran, ``LocalAccountError/hasPassword``; nothing is written then. Every session of the account
    /// but `endingSessionsBut`'s (`nil`: every one) ends in the transaction that writes it, and `rekeying` gives the
    /// kept one a new id there, as in ``changePassword(for:current:new:endingSessionsBut:rekeying:)``.
    public func setPassword(
        for user: UserID, new: Secret, endingSessionsBut keptSession: String? = nil,
        rekeying rekey: BrowserSessionRekey? = nil
    ) async throws(LocalAccountError) {
        let record = try await requireRecord(user)
        guard record.passwordHash == nil else { throw .hasPassword }
        try await checkNewPassword(new, of: user)
        let hash = try await hashOffPool(new)
        let written: Bool
        do {
            written = try await store.setPasswordHash(
                hash, for: user, event: .passwordAdded, actor: "user", onlyIfNone: true,
                endingSessionsBut: keptSession, rekeying: rekey)
        } catch {
            throw .store(error)
        }
        guard written else { throw .hasPassword }
    }

    /// Removes the account's password, after checking it, and ends its reset links; refused when the account has no
    /// linked Twitter identity (it would be left with no way to sign in), and within
    /// ``AccountStore/recentLinkWindow`` (7 days) of linking it (``StoreError/twitterLinkedRecently(_:until:)``, as
    /// ``LocalAccountError/store(_:)``): whoever guessed the password could otherwise link their own Twitter account,
    /// remove the password, and keep the account, no reset reaching it. A password reset (or change) made while the
    /// password was being checked wins, as in ``changePassword(for:current:new:endingSessionsBut:rekeying:)``.
    ///
    /// Every session of the account but `endingSessionsBut`'s (the hash of the browser session that asked; `nil`: every
    /// one) ends in the transaction that removes it, as a change ends them: whoever signed in with the password is
    /// signed out. `rekeying` gives the kept one a new id there, as in
    /// ``changePassword(for:current:new:endingSessionsBut:rekeying:)``.
    public func removePassword(
        for user: UserID, current: Secret, endingSessionsBut keptSession: String? = nil,
        rekeying rekey: BrowserSessionRekey? = nil
    ) async throws(LocalAccountError) {
        let record = try await requireRecord(user)
        guard let stored = record.passwordHash else { throw .noPassword }
        try await checkCurrent(current, against: stored, of: user)
        try await replacePassword(
            of: user, checked: current, against: stored, with: nil, event: .passwordRemoved,
            endingSessionsBut: keptSession, rekeying: rekey)
    }

    /// Checks that `current` is the password of `user`, before a change that adds a way into the account (linking a
    /// Twitter account from a session that is not a recent sign-in). Counted as the checks of
    /// ``changePassword(for:current:new:endingSessionsBut:rekeying:)`` are: ``maximumFailures`` wrong ones within
    /// ``failureWindow`` and none is checked (``LocalAccountError/throttled(retryAfter:)``).
    /// - Throws: ``LocalAccountError/wrongPassword``, ``LocalAccountError/noPassword`` when the account has none,
    ///   ``LocalAccountError/throttled(retryAfter:)``.
    public func confirmPassword(for user: UserID, current: Secret) async throws(LocalAccountError) {
        let record = try await requireRecord(user)
        guard let stored = record.passwordHash else { throw .noPassword }
        try await checkCurrent(current, against: stored, of: user)
    }

    /// Checks `current` against `stored`, the password of `user`, counted as a sign-in attempt is: before the check, as
    /// a failure that a right password clears. After ``maximumFailures`` within ``failureWindow`` none is checked
    /// (``LocalAccountError/throttled(retryAfter:)``), so whoever holds a session (left open, or stolen) cannot guess
    /// the password through a change or a removal faster than through signing in. The count is the account's own,
    /// apart from its logins' (a guess here does not lock the person out of signing in). A wrong one is recorded
    /// (`password_check_failed`), and a refused one too (`sign_in_throttled`, method `current_password`).
    func checkCurrent(_ current: Secret, against stored: String, of user: UserID)
        async throws(LocalAccountError)
    {
        let key = Self.currentPasswordKey(user)
        let attempt: SignInAttempt
        do {
            attempt = try await store.beginSignInAttempt(
                loginKey: key, subject: user, since: store.currentDate.addingTimeInterval(-countedFailureWindow),
                maximum: maximumFailures, method: "current_password")
        } catch {
            throw .store(error)
        }
        switch attempt {
        case .throttled(let oldestCounted):
            throw .throttled(retryAfter: oldestCounted.addingTimeInterval(countedFailureWindow))
        case .counted(let attemptID):
            let verification: PasswordVerification
            do {
                verification = try await verifyOffPool(current, against: stored, of: user)
            } catch {
                // Not checked: the attempt is not a failure (nor audited as one); the person may try again.
                do {
                    try await store.withdrawSignInAttempt(loginKey: key, attempt: attemptID)
                } catch {
                    throw .store(error)
                }
                throw error
            }
            guard case .valid = verification else {
                do {
                    try await store.recordFailedPasswordCheck(subject: user)
                } catch {
                    throw .store(error)
                }
                throw .wrongPassword
            }
            do {
                try await store.clearSignInFailures(loginKey: key, through: attemptID)
            } catch {
                throw .store(error)
            }
        }
    }

    /// The throttle key of checks of `user`'s current password: not 64 hex digits, so never a login's key.
    static func currentPasswordKey(_ user: UserID) -> String {
        AccountStore.currentPasswordLoginKey(user)
    }

    /// Writes `hash` (`nil`: removes the password) over `stored`, the hash `current` was found to match, and only
    /// over it (``overCheckedHash(of:checked:against:_:)``).
    private func replacePassword(
        of user: UserID, checked current: Secret, against stored: String, with hash: String?, event: AccountEventKind,
        endingSessionsBut keptSession: String? = nil, rekeying rekey: BrowserSessionRekey? = nil
    ) async throws(LocalAccountError) {
        try await overCheckedHash(of: user, checked: current, against: stored) { verified throws(LocalAccountError) in
            do {
                let written = try await store.setPasswordHash(
                    hash, for: user, event: event, actor: "user", replacing: verified, endingSessionsBut: keptSession,
                    rekeying: rekey)
                return written ? () : nil
            } catch {
                throw Self.localError(error)
            }
        }
    }

    /// Runs `write`, which is to change the account only while it holds `verified` (and give `nil` otherwise), with
    /// `stored`, the hash `current` was found to match. When the account holds another hash by then, `current` is
    /// checked against that one, once: a match (a sign-in rehashed the same password) writes with it; anything else
    /// (a reset or change made meanwhile, which wins) is ``LocalAccountError/wrongPassword``.
    func overCheckedHash<T>(
        of user: UserID, checked current: Secret, against stored: String,
        _ write: (_ verified: String) async throws(LocalAccountError) -> T?
    ) async throws(LocalAccountError) -> T {
        var verified = stored
        for round in 0..<2 {
            if let written = try await write(verified) { return written }
            guard round == 0, let now = try await requireRecord(user).passwordHash,
                case .valid = try await verifyOffPool(current, against: now, of: user)
            else { break }
            verified = now
        }
        throw .wrongPassword
    }

    func requireRecord(_ user: UserID) async throws(LocalAccountError) -> LoginRecord {
        do {
            guard let record = try await store.loginRecord(.id(user)) else {
                throw LocalAccountError.store(.accountNotFound(user.rawValue))
            }
            return record
        } catch {
            throw Self.localError(error)
        }
    }

    /// `error` as this service throws it: a ``LocalAccountError`` as it is, a ``StoreError`` as ``LocalAccountError/store(_:)``.
    static func localError(_ error: any Error) -> LocalAccountError {
        switch error {
        case let error as LocalAccountError: error
        case let error as StoreError: .store(error)
        default: .store(.database(path: "", code: -1, message: "\(type(of: error))"))
        }
    }

    // MARK: - Hashing off the cooperative pool

    /// The forms of a typed password to check, in order: Unicode NFKC (NIST SP 800-63B 5.1.1.2), the form every
    /// hash is made of, so that one password typed composed on one keyboard and decomposed on another (`é` as `e` and
    /// U+0301, as Windows' Vietnamese keyboard types tone marks) or in full-width letters is one password; then, when
    /// they differ, the bytes as typed, which hashes made before (and Django's, which normalises nothing) are of.
    /// Between the two, when it differs from both, the form hashes were made of until session 61: Foundation's
    /// `precomposedStringWithCompatibilityMapping`, which on Linux is not NFKC for some text (``Swift/String/nfkc``:
    /// `ﾊﾟ` came out as `ハ` and a combining mark), so that a password chosen in half-width katakana was not the one
    /// typed with a usual input method, and a sign-in typed decomposed rehashed it so that the form chosen no longer
    /// signed in. Such a hash still verifies, and is made again of the NFKC form.
    static func passwordForms(_ password: String) -> [String] {
        if password.utf8.allSatisfy({ $0 < 0x80 }) { return [password] }
        var forms = [password.nfkc]
        for form in [password.precomposedStringWithCompatibilityMapping, password]
        where !forms.contains(where: { $0.utf8.elementsEqual(form.utf8) }) {
            forms.append(form)
        }
        return forms
    }

    /// scrypt blocks a thread for about 100 ms: run it on Dispatch's global queue, never on Swift's cooperative pool.
    /// The password is hashed in NFKC (``passwordForms(_:)``).
    func hashOffPool(_ password: Secret) async throws(LocalAccountError) -> String {
        let hasher = hasher
        let result: Result<String, PasswordHashError> = await onGlobalQueue {
            Result { () throws(PasswordHashError) in
                try hasher.hash(password: Self.passwordForms(password.revealed)[0])
            }
        }
        switch result {
        case .success(let hash): return hash
        case .failure: throw .hashingFailed
        }
    }

    /// Checks each of the password's forms (``passwordForms(_:)``) until one matches; a match of the bytes as typed
    /// (a hash made before passwords were normalised) asks for a rehash, which stores the NFKC form's.
    ///
    /// Throws ``LocalAccountError/hashingFailed`` when OpenSSL could not derive a hash (out of memory): the password
    /// was not checked, and is neither right nor wrong (until session 62 it was wrong, counted towards the cool-down
    /// and audited as a failure, of a person who typed the right one). A stored hash that cannot be read (a damaged
    /// or hand-edited row) matches no password: `.invalid`, after the same work, logged as an error naming `user`.
    func verifyOffPool(_ password: Secret, against stored: String, of user: UserID) async throws(LocalAccountError)
        -> PasswordVerification
    {
        let hasher = hasher
        let result: Result<PasswordVerification, PasswordHashError> = await onGlobalQueue {
            let forms = Self.passwordForms(password.revealed)
            for (index, form) in forms.enumerated() {
                let verification: PasswordVerification
                do throws(PasswordHashError) {
                    verification = try hasher.verify(password: form, against: stored)
                } catch .hashingFailed {
                    // A form compared already was a guess checked, and wrong: counted as one (a failure on a later
                    // form must not take back a check that was made).
                    return index == 0 ? .failure(.hashingFailed) : .success(.invalid)
                } catch {
                    // An unreadable stored hash cannot be matched: a wrong password, after the same work.
                    for form in forms[index...] { hasher.dummyVerify(password: form) }
                    return .failure(error)
                }
                if case .valid(let needsRehash) = verification {
                    return .success(.valid(needsRehash: needsRehash || index > 0))
                }
            }
            return .success(.invalid)
        }
        switch result {
        case .success(let verification):
            return verification
        case .failure(.hashingFailed):
            store.logger.error(
                "a password could not be checked: OpenSSL could not derive its hash (out of memory?)",
                metadata: ["account.id": "\(user)"])
            throw .hashingFailed
        case .failure(let error):
            // (the error names what is wrong with the stored value, never the value)
            store.logger.error(
                "the account's stored password hash cannot be read: no password signs it in",
                metadata: ["account.id": "\(user)", "password.error": "\(error)"])
            return .invalid
        }
    }

    /// The work of ``verifyOffPool(_:against:of:)`` for an account that does not exist (or has no password): as many
    /// checks as the password has forms. `false` when the first derivation failed (OpenSSL), as a real check's would
    /// have: the answer is then the same as for an account whose password could not be checked.
    private func dummyVerifyOffPool(_ password: Secret) async -> Bool {
        let hasher = hasher
        let derived = await onGlobalQueue {
            Self.passwordForms(password.revealed).map { hasher.dummyVerify(password: $0) }
        }
        guard derived.first != false else {
            store.logger.error("a password could not be checked: OpenSSL could not derive its hash (out of memory?)")
            return false
        }
        return true
    }

    /// The throttle key of a login identifier: SHA-256 of its uniqueness key (trimmed, case folded in every script as
    /// the store compares addresses), so the table holds no addresses and every spelling that reaches one account
    /// (`ınfo@x.org`, `ſam@x.org` for `sam@x.org`, a decomposed accent) shares one count.
    static func loginKey(_ login: String) -> String {
        AccountStore.signInLoginKey(login)
    }
}

func onGlobalQueue<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DispatchQueue.global(qos: .userInitiated).async { continuation.resume(returning: work()) }
    }
}

/// The problem of an address that passes the address rules but has no mailbox name left once its provider's dots and
/// `+tag` are removed (`+news@gmail.com`): the store cannot keep its normalised mailbox, and refused it as a failure
/// of its own (a 500 page on the web) rather than as a field error.
func mailboxProblem(_ email: String) -> FieldError? {
    Mailbox.normalize(email) == nil
        ? FieldError(.email, "has no mailbox name once the provider's dots and +tag are removed") : nil
}

func nonEmpty(_ text: String?) -> String? {
    guard let text else { return nil }
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    return trimmed.isEmpty ? nil : trimmed
}

func fieldOrder(_ lhs: FieldError, _ rhs: FieldError) -> Bool {
    let order = Field.allCases
    return (order.firstIndex(of: lhs.field) ?? 0) < (order.firstIndex(of: rhs.field) ?? 0)
}
