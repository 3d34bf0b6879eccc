import AccountModel
import AccountStore
import Logging
import Registration

extension LocalAccountsSample {
    /// README "With a password: `LocalAccounts`", its `…` filled in.
    func run() async throws {
        let local = LocalAccounts(store: store)
        let account = try await local.signUp(
            SignUpForm(username: "ann", email: "ann@example.org", password: Secret(typed)))
        switch try await local.signIn(login: "Ann@Example.org", password: Secret(typed)) {  // username or email
        case .signedIn(let account): _ = account
        case .invalidCredentials, .disabled: break
        case .throttled(let retryAfter): _ = retryAfter
        }
        // A wrong current password is .wrongPassword; after 10 within 15 minutes (all current-password checks), even the
        // right one is .throttled(retryAfter:), as sign-ins are. Each ends every other browser session of the account in
        // its transaction: pass the asking session's hash to keep it (without it, every session ends, that one too),
        // and the hash of a new id with a new CSRF token for it, which replace its own in that transaction (a stolen
        // copy of its cookie then signs nobody in); send the browser the new id once the call returns
        let keep = currentSession.tokenHash
        let rekey = BrowserSessionRekey(tokenHash: newSession.tokenHash, csrfToken: newCSRFToken)
        try await local.changePassword(
            for: account.id, current: Secret(old), new: Secret(new), endingSessionsBut: keep, rekeying: rekey)
        // needs Twitter linked
        try await local.removePassword(
            for: account.id, current: Secret(old), endingSessionsBut: keep, rekeying: rekey)
        // made through Twitter, just signed in
        try await local.setPassword(for: account.id, new: Secret(new), endingSessionsBut: keep, rekeying: rekey)
        // The person deletes their own account: with the password, counted as above; one made through Twitter (no
        // password: pass nil) only just after signing in. A reset or change made meanwhile wins (.wrongPassword).
        // The Twitter token the deletion removed (one linked meanwhile too) is then revoked at Twitter
        let deletion = try await local.deleteAccount(
            for: account.id, current: account.hasPassword ? Secret(typed) : nil)
        if let credential = deletion.credential { await registration.revokeAccess(credential) }

        // "Forgot your password?": answer first ("if an account uses that address…"), then issue and mail the link, so
        // neither the time nor a failure of either tells who has an account; then take the new password from the link
        Task.detached {
            do {
                if let reset = try await local.requestPasswordReset(email: typedEmail) {
                    try await mailer.send(
                        to: reset.account.email!,
                        link: "https://app.example/password/reset?token=\(reset.token.revealed)")
                }
            } catch {
                logger.error("password reset mail failed", metadata: ["error": "\(type(of: error))"])  // never the link
            }
        }
        // A reset that confirms an address unlinks a Twitter account linked before it was confirmed (below): revoke its token
        let outcome = try await local.resetPasswordReporting(token: Secret(tokenFromLink), newPassword: Secret(typed))
        if let credential = outcome.unlinkedCredential { await registration.revokeAccess(credential) }
    }
}
